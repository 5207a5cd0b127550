/* mem.c - move the hypervisor to the top of RAM and build its final page tables there. */
#include "mem.h"

#include "console.h"
#include "layout.h"
#include "string.h"
#include "trap.h"

#define PT_ENTRIES	       512ull
#define PML4_SHIFT	       39
#define PDPT_SHIFT	       30
#define PD_SHIFT	       21
#define PT_INDEX(va, shift)    (((va) >> (shift)) & (PT_ENTRIES - 1))
#define MAX_EXCLUSIONS	       (BOOT_MAX_MODULES + 4)
#define NESTED_AND_DIRECT_MAPS 2

extern char __image_start[], __image_end[];
extern char __image_phys_start[], __image_bss_end_phys[];

void reloc_switch(void *dst, const void *src, uint64_t len, uint64_t new_cr3);

static struct hv_region region;
static struct pmem_pool pool;

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

uint64_t mem_alloc_pages(uint64_t npages, uint64_t align)
{
	uint64_t pa = pmem_pool_alloc(&pool, npages, align);
	if (!pa)
		panic("hypervisor heap exhausted (%lu pages wanted, %lu KiB used of %lu KiB)",
		      npages, pmem_pool_used(&pool) >> 10, (pool.end - pool.start) >> 10);
	memset(phys_to_virt(pa), 0, npages * PAGE_SIZE);
	return pa;
}

void *mem_alloc_zeroed(uint64_t npages)
{
	return phys_to_virt(mem_alloc_pages(npages, PAGE_SIZE));
}

uint64_t virt_to_phys(const void *va)
{
	uint64_t v = (uint64_t)va;
	if (v >= (uint64_t)__image_start && v < (uint64_t)__image_end)
		return region.image_start + (v - (uint64_t)__image_start);
	return v;
}

const struct hv_region *mem_region(void)
{
	return &region;
}

static uint64_t *table_at(uint64_t *entry)
{
	if (!(*entry & PTE_P))
		*entry = mem_alloc_pages(1, PAGE_SIZE) | PTE_P | PTE_W;
	return phys_to_virt(*entry & ~(PAGE_SIZE - 1));
}

/* Map [va, va + len) onto [pa, ...) with 2 MiB pages. */
static void map_large(uint64_t *pml4, uint64_t va, uint64_t pa, uint64_t len)
{
	for (uint64_t off = 0; off < len; off += LARGE_PAGE_SIZE) {
		uint64_t v = va + off;
		uint64_t *pdpt = table_at(&pml4[PT_INDEX(v, PML4_SHIFT)]);
		uint64_t *pd = table_at(&pdpt[PT_INDEX(v, PDPT_SHIFT)]);
		pd[PT_INDEX(v, PD_SHIFT)] = (pa + off) | PTE_P | PTE_W | PTE_PS;
	}
}

static unsigned collect_exclusions(const struct boot_info *bi, struct phys_range *ex)
{
	unsigned n = 0;
	ex[n++] = (struct phys_range){0, LOW_MEMORY_END};
	ex[n++] = (struct phys_range){(uint64_t)__image_phys_start, (uint64_t)__image_bss_end_phys};
	if (bi->info_end > bi->info_start)
		ex[n++] = (struct phys_range){bi->info_start, bi->info_end};
	for (unsigned i = 0; i < bi->module_count; i++)
		ex[n++] = (struct phys_range){bi->modules[i].start, bi->modules[i].end};
	return n;
}

void mem_setup(struct boot_info *bi)
{
	struct phys_range ex[MAX_EXCLUSIONS];
	uint64_t image_len = (uint64_t)__image_bss_end_phys - (uint64_t)__image_phys_start;
	uint64_t image_span = align_up(image_len, LARGE_PAGE_SIZE);
	uint64_t top, size, base, cr3;
	unsigned nex = collect_exclusions(bi, ex);
	uint64_t *pml4;

	top = pmem_usable_top(bi->mmap, bi->mmap_count);
	region.direct_map_end =
	    align_up(top > HV_REGION_LIMIT ? top : HV_REGION_LIMIT, LARGE_PAGE_SIZE);
	/* The heap: control structures and bitmaps, and two sets of page tables (our direct map,
	 * the guest's nested ones) of a page directory per GiB plus upper levels and hole tables.
	 */
	size = image_span + HV_HEAP_BASE_SIZE +
	       NESTED_AND_DIRECT_MAPS * ((region.direct_map_end >> PDPT_SHIFT) + 8) * PAGE_SIZE;
	if (!pmem_find_top(bi->mmap, bi->mmap_count, ex, nex, size, LARGE_PAGE_SIZE,
			   HV_REGION_LIMIT, &base)) {
		printk("dbgvisor: no room for the hypervisor: need %lu KiB of usable RAM below "
		       "4 GiB, 2 MiB aligned, clear of the image, modules and boot info\n",
		       size >> 10);
		hv_exit(HV_EXIT_BAD_BOOT);
	}

	region.start = base;
	region.end = base + size;
	region.image_start = base;
	region.image_end = base + image_span;
	region.heap_start = region.image_end;
	region.heap_end = region.end;
	pmem_pool_init(&pool, region.heap_start, region.heap_end);
	/* The modules stay where the loader put them, in guest RAM: guest/modules.c moves them. */
	pml4 = mem_alloc_zeroed(1);
	map_large(pml4, 0, 0, region.direct_map_end);
	map_large(pml4, (uint64_t)__image_start, region.image_start, image_span);
	cr3 = virt_to_phys(pml4);

	/* Nothing may be written between the copy and the CR3 switch: one asm routine. */
	reloc_switch(phys_to_virt(region.image_start), __image_start, image_len, cr3);
}
