/* guest_mem.c - the guest's memory map, its nested page tables, and checked access to its RAM. */
#include "guest_mem.h"

#include "core/hw/console.h"
#include "core/hw/mem.h"
#include "core/hw/string.h"
#include "core/hw/trap.h"
#include "guest_map.h"

#define GUEST_MAP_MAX (BOOT_MAX_MMAP + 2)
#define SHADOW_MAX    4
/* Page tables for device memory above the built map, mapped on first touch (64-bit PCI BARs
 * that firmware placed above RAM: OVMF's window ends at the CPU's physical-address width).
 * A fixed budget, so a guest probing the whole address space cannot exhaust the heap. */
#define DEVICE_TABLES_MAX 32

static struct mem_range gmap[GUEST_MAP_MAX];
static unsigned gmap_count;
static struct phys_range ram[GUEST_MAP_MAX];
static unsigned ram_count;
static struct phys_range readonly;
static struct phys_range unmapped; /* a device page whose every access exits */
static struct nested_pt_shadow shadow[SHADOW_MAX];
static unsigned nshadow;

static bool is_ram_type(uint32_t type)
{
	return type == MEM_USABLE || type == MEM_ACPI_RECLAIMABLE || type == MEM_ACPI_NVS;
}

void guest_mem_init(const struct boot_info *bi)
{
	const struct hv_region *r = mem_region();
	struct phys_range hole = {r->start, r->end};
	int n = guest_map_carve(bi->mmap, bi->mmap_count, hole, gmap, GUEST_MAP_MAX);

	if (n < 0)
		panic("guest memory map: more than %d entries", GUEST_MAP_MAX);
	gmap_count = (unsigned)n;
	ram_count = 0;
	for (unsigned i = 0; i < gmap_count; i++) {
		if (is_ram_type(gmap[i].type))
			ram[ram_count++] =
			    (struct phys_range){gmap[i].base, gmap[i].base + gmap[i].len};
	}
}

const struct mem_range *guest_mem_map(unsigned *count)
{
	*count = gmap_count;
	return gmap;
}

static uint64_t alloc_table(void *ctx)
{
	(void)ctx;
	return mem_alloc_pages(1, PAGE_SIZE);
}

static uint64_t *table_ptr(uint64_t pa, void *ctx)
{
	(void)ctx;
	return phys_to_virt(pa);
}

static const struct nested_pt_env env = {alloc_table, table_ptr, 0};

static uint64_t alloc_device_table(void *ctx)
{
	static unsigned used;
	(void)ctx;
	return used < DEVICE_TABLES_MAX ? (used++, mem_alloc_pages(1, PAGE_SIZE)) : 0;
}

static const struct nested_pt_env device_env = {alloc_device_table, table_ptr, 0};

void guest_mem_set_readonly(uint64_t start, uint64_t len)
{
	readonly = (struct phys_range){start, start + len};
}

void guest_mem_set_unmapped(uint64_t start, uint64_t len)
{
	unmapped = (struct phys_range){start, start + len};
}

void *guest_mem_shadow_page(uint64_t gpa)
{
	uint64_t hpa;
	gpa &= ~(PAGE_SIZE - 1);
	if (nshadow == SHADOW_MAX || gpa >= mem_region()->direct_map_end)
		return 0;
	hpa = mem_alloc_pages(1, PAGE_SIZE);
	memcpy(phys_to_virt(hpa), phys_to_virt(gpa), PAGE_SIZE);
	shadow[nshadow++] = (struct nested_pt_shadow){gpa, hpa};
	return phys_to_virt(hpa);
}

uint64_t guest_mem_build_nested(const struct nested_pt_format *f)
{
	const struct hv_region *r = mem_region();
	struct phys_range holes[] = {{r->start, r->end}, unmapped};
	struct nested_pt_layout l = {
	    .end = r->direct_map_end,
	    .ram = ram,
	    .nram = ram_count,
	    .holes = holes,
	    .nholes = unmapped.end > unmapped.start ? 2 : 1,
	    .readonly = &readonly,
	    .nreadonly = readonly.end > readonly.start,
	    .shadow = shadow,
	    .nshadow = nshadow,
	};
	struct nested_pt_stats st;
	uint64_t root = mem_alloc_pages(1, PAGE_SIZE);

	if (nested_pt_build(root, &l, f, &env, &st))
		panic("out of memory building nested page tables");
	printk("nested paging: identity map of [0-0x%lx) minus [0x%lx-0x%lx): %lu x 2 MiB, "
	       "%lu x 4 KiB pages, %lu tables\n",
	       l.end, holes[0].start, holes[0].end, st.large_pages, st.small_pages, st.tables);
	return root;
}

int guest_mem_nested_protect(uint64_t root, const struct nested_pt_format *f, uint64_t gpa,
			     unsigned deny)
{
	/* The built map covers [0, direct_map_end): a fault there is no missing device page. */
	if (deny == NESTED_MAP_DEVICE)
		return gpa < mem_region()->direct_map_end
			   ? -1
			   : nested_pt_map_device(root, gpa, f, &device_env);
	if (guest_mem_hv_owns(gpa) || gpa >= mem_region()->direct_map_end)
		return -1;
	return nested_pt_protect(root, gpa, deny, f, &env);
}

bool guest_mem_hv_owns(uint64_t gpa)
{
	const struct hv_region *r = mem_region();

	return gpa >= r->start && gpa < r->end;
}

void *guest_mem_ptr(uint64_t gpa, uint64_t len)
{
	if (gpa + len < gpa)
		return 0;
	for (unsigned i = 0; i < ram_count; i++) {
		if (gpa >= ram[i].start && gpa + len <= ram[i].end)
			return phys_to_virt(gpa);
	}
	return 0;
}

bool guest_mem_read(uint64_t gpa, void *buf, uint64_t len)
{
	void *p = guest_mem_ptr(gpa, len);
	if (p)
		memcpy(buf, p, len);
	return p != 0;
}

bool guest_mem_write(uint64_t gpa, const void *buf, uint64_t len)
{
	void *p = guest_mem_ptr(gpa, len);
	if (p)
		memcpy(p, buf, len);
	return p != 0;
}
