/* bios_e820.c - the INT 15h hook for boot sectors: the hypervisor's region reserved in what
 * E820h, E801h and 88h answer (guest/bios_e820_hook.S), in the top KiB of conventional memory. */
#include "bios_e820.h"

#include "core/hw/le.h"
#include "core/hw/pmem.h"
#include "core/hw/string.h"
#include "core/paging/guest_map.h"

#define KIB	    1024u
#define ONE_MIB	    0x100000ull
#define SIXTEEN_MIB 0x1000000ull
/* E801h (Ralf Brown's list): AX/CX in KiB between 1 and 16 MiB, BX/DX in 64 KiB blocks. */
#define E801_BLOCK	0x10000ull
#define E801_HIGH_MAX	0xffffu
#define EXT_MEM_MAX_KIB (63u * 1024) /* 88h: SeaBIOS's handle_1588 caps it at 63 MiB */
/* The BIOS data area word at 40:13 (physical 0x413): base memory in KiB, what INT 12h returns. */
#define BDA_BASE_MEM_KIB 0x413u
#define BDA_WORD	 2u
#define INT15_VECTOR	 0x15u
#define IVT_ENTRY_SIZE	 4u /* offset word, segment word */
#define SEGMENT_SHIFT	 4  /* real mode: linear = segment << 4 + offset */
/* The table: the guest's map, where the hook's KiB may split a usable entry in two and add a
 * reserved one (guest_map_carve()). */
#define CARVE_EXTRA 2u
#define TABLE_MAX   (BOOT_MAX_MMAP + 2 + CARVE_EXTRA)

/* Bytes of usable RAM contiguous from @from, up to @to. */
static uint64_t usable_between(const struct mem_range *map, unsigned n, uint64_t from, uint64_t to)
{
	uint64_t reach = pmem_usable_reach(map, n, from);
	return (reach < to ? reach : to) - from;
}

void bios_e820_sizes(const struct mem_range *map, unsigned n, struct bios_e820_sizes *s)
{
	uint64_t ext = usable_between(map, n, ONE_MIB, UINT64_MAX) / KIB;
	uint64_t high = usable_between(map, n, SIXTEEN_MIB, UINT64_MAX) / E801_BLOCK;

	s->e801_low_kib = (uint16_t)(usable_between(map, n, ONE_MIB, SIXTEEN_MIB) / KIB);
	s->e801_high_64k = (uint16_t)(high < E801_HIGH_MAX ? high : E801_HIGH_MAX);
	s->ext_kib = (uint16_t)(ext < EXT_MEM_MAX_KIB ? ext : EXT_MEM_MAX_KIB);
}

int bios_e820_install(const struct mem_range *map, unsigned nmap, const uint8_t *code,
		      uint32_t code_len, uint8_t *(*gpa_ptr)(uint32_t gpa, uint32_t len, void *ctx),
		      void *ctx, struct bios_e820_hook *out)
{
	static struct mem_range table[TABLE_MAX];
	uint8_t *bda = gpa_ptr(BDA_BASE_MEM_KIB, BDA_WORD, ctx);
	uint8_t *ivt = gpa_ptr(INT15_VECTOR * IVT_ENTRY_SIZE, IVT_ENTRY_SIZE, ctx);
	uint32_t size = code_len + (nmap + CARVE_EXTRA) * BIOS_E820_ENTRY_SIZE;
	uint32_t kib = (size + KIB - 1) / KIB, base_kib, gpa;
	uint64_t top_kib;
	uint8_t *hook, *e;
	int n;

	if (!bda || !ivt || nmap + CARVE_EXTRA > TABLE_MAX)
		return -1;
	/* Below the map's usable RAM too (Bochs's BIOS counts 639 KiB but reserves from 636). */
	top_kib = pmem_usable_reach(map, nmap, 0) / KIB;
	if (top_kib > le16(bda))
		top_kib = le16(bda);
	if (top_kib <= kib)
		return -1;
	base_kib = (uint32_t)top_kib - kib;
	gpa = base_kib * KIB;
	hook = gpa_ptr(gpa, kib * KIB, ctx);
	/* The hook's KiB reserved: the low usable entry ends where base memory now does. */
	n = guest_map_carve(map, nmap, (struct phys_range){gpa, (uint64_t)le16(bda) * KIB}, table,
			    TABLE_MAX);
	if (!hook || n < 0)
		return -1;
	out->gpa = gpa;
	out->base_mem_kib = (uint16_t)base_kib;
	out->count = (unsigned)n;
	bios_e820_sizes(table, out->count, &out->sizes);
	memset(hook, 0, kib * KIB);
	memcpy(hook, code, code_len);
	memcpy(hook + BIOS_E820_OLD_VECTOR, ivt, IVT_ENTRY_SIZE);
	put_le32(hook + BIOS_E820_COUNT, out->count);
	put_le16(hook + BIOS_E820_E801_LOW, out->sizes.e801_low_kib);
	put_le16(hook + BIOS_E820_E801_HIGH, out->sizes.e801_high_64k);
	put_le16(hook + BIOS_E820_EXT_KIB, out->sizes.ext_kib);
	for (unsigned i = 0; i < out->count; i++) {
		e = hook + code_len + i * BIOS_E820_ENTRY_SIZE;
		put_le64(e, table[i].base);
		put_le64(e + sizeof(uint64_t), table[i].len);
		put_le32(e + 2 * sizeof(uint64_t), table[i].type);
	}
	/* INT 15h to the hook (segment:offset), base memory without it. */
	put_le16(ivt, BIOS_E820_ENTRY);
	put_le16(ivt + sizeof(uint16_t), (uint16_t)(out->gpa >> SEGMENT_SHIFT));
	put_le16(bda, (uint16_t)base_kib);
	return 0;
}
