/* test_bios_e820.c - cmocka tests for the boot sector's INT 15h hook set-up in guest/bios_e820.c:
 * its E820 table, the E801h/88h sizes, base memory and the IVT, on a fake first MiB. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/hw/le.h"
#include "guest/bios_e820.h"

#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))
#define RANGE(s, e, t)                                                                             \
	{                                                                                          \
		.base = (s), .len = (e) - (s), .type = (t)                                         \
	}
/* Written out independently: BDA 40:13 base memory KiB, IVT entry 15h, E820 entry fields. */
#define BDA_BASE_MEM	0x413u
#define IVT_INT15	(0x15u * 4)
#define BIOS_INT15_OFF	0xf859u /* SeaBIOS's entry_15 */
#define BIOS_INT15_SEG	0xf000u
#define BASE_KIB	639u
#define FIRST_MIB	0x100000u
#define CODE_LEN	177u
#define CODE_FILL	0xcc
#define HV_START	0xfa00000ull /* dbgvisor's region as -m 256 puts it */
#define HV_END		0xfe18000ull
#define E820_TYPE	16
#define E820_SIZE	20
#define E801_LOW_MAX	0x3c00u
#define EXT_MAX		0xfc00u /* SeaBIOS: 63 MiB */
#define BIG_MAP_ENTRIES 50u

/* QEMU's SeaBIOS map for -m 256, with dbgvisor's region carved out as guest_mem_map() does. */
static const struct mem_range qemu_map[] = {
    RANGE(0, 0x9fc00, MEM_USABLE),
    RANGE(0x9fc00, 0xa0000, MEM_RESERVED),
    RANGE(0xf0000, 0x100000, MEM_RESERVED),
    RANGE(0x100000, HV_START, MEM_USABLE),
    RANGE(HV_START, HV_END, MEM_RESERVED),
    RANGE(HV_END, 0xffe0000, MEM_USABLE),
    RANGE(0xffe0000, 0x10000000, MEM_RESERVED),
    RANGE(0xfffc0000, 0x100000000ull, MEM_RESERVED),
    RANGE(0xfd00000000ull, 0x10000000000ull, MEM_RESERVED),
};

static uint8_t low[FIRST_MIB], code[CODE_LEN];
static bool deny_bda;

/* The guest's RAM: conventional memory below 640 KiB (none at all with deny_bda). */
static uint8_t *fake_ptr(uint32_t gpa, uint32_t len, void *ctx)
{
	(void)ctx;
	if (deny_bda || gpa + len > BASE_KIB * 1024)
		return NULL;
	return low + gpa;
}

static int setup(void **state)
{
	(void)state;
	memset(low, 0, sizeof(low));
	memset(code, CODE_FILL, sizeof(code));
	low[BDA_BASE_MEM] = (uint8_t)BASE_KIB;
	low[BDA_BASE_MEM + 1] = (uint8_t)(BASE_KIB >> 8);
	put_le32(low + IVT_INT15, BIOS_INT15_SEG << 16 | BIOS_INT15_OFF);
	deny_bda = false;
	return 0;
}

static const uint8_t *entry(const struct bios_e820_hook *h, unsigned i)
{
	return low + h->gpa + CODE_LEN + i * E820_SIZE;
}

static void test_install_qemu(void **state)
{
	struct bios_e820_hook h;
	uint64_t end_prev = 0;
	bool hv_reserved = false;
	(void)state;

	assert_int_equal(
	    bios_e820_install(qemu_map, NELEMS(qemu_map), code, CODE_LEN, fake_ptr, NULL, &h), 0);
	/* One KiB: 639 -> 638, the hook at 9F80:0000, INT 15h at its handler. */
	assert_int_equal(h.base_mem_kib, BASE_KIB - 1);
	assert_int_equal(le16(low + BDA_BASE_MEM), BASE_KIB - 1);
	assert_int_equal(h.gpa, (BASE_KIB - 1) * 1024);
	assert_int_equal(le16(low + IVT_INT15), BIOS_E820_ENTRY);
	assert_int_equal(le16(low + IVT_INT15 + 2), h.gpa >> 4);
	/* The old vector kept, the code copied, the sizes stored. */
	assert_int_equal(le32(low + h.gpa + BIOS_E820_OLD_VECTOR),
			 BIOS_INT15_SEG << 16 | BIOS_INT15_OFF);
	assert_int_equal(low[h.gpa + BIOS_E820_ENTRY], CODE_FILL);
	assert_int_equal(low[h.gpa + CODE_LEN - 1], CODE_FILL);
	assert_int_equal(le32(low + h.gpa + BIOS_E820_COUNT), h.count);
	assert_int_equal(h.count, NELEMS(qemu_map) + 1);
	assert_int_equal(le16(low + h.gpa + BIOS_E820_E801_LOW), E801_LOW_MAX);
	assert_int_equal(le16(low + h.gpa + BIOS_E820_E801_HIGH), (HV_START - 0x1000000) >> 16);
	assert_int_equal(le16(low + h.gpa + BIOS_E820_EXT_KIB), EXT_MAX);
	assert_int_equal(h.sizes.e801_high_64k, (HV_START - 0x1000000) >> 16);
	/* The low usable entry ends at the new base memory top, the hook's KiB reserved. */
	assert_int_equal(le64(entry(&h, 0)), 0);
	assert_int_equal(le64(entry(&h, 0) + 8), h.gpa);
	assert_int_equal(le32(entry(&h, 0) + E820_TYPE), MEM_USABLE);
	assert_int_equal(le64(entry(&h, 1)), h.gpa);
	assert_int_equal(le64(entry(&h, 1) + 8), 1024);
	assert_int_equal(le32(entry(&h, 1) + E820_TYPE), MEM_RESERVED);
	/* Sorted, no overlaps, dbgvisor's region reserved and in no usable entry. */
	for (unsigned i = 0; i < h.count; i++) {
		uint64_t base = le64(entry(&h, i)), end = base + le64(entry(&h, i) + 8);
		uint32_t type = le32(entry(&h, i) + E820_TYPE);
		assert_true(base >= end_prev);
		end_prev = end;
		if (base == HV_START && end == HV_END && type == MEM_RESERVED)
			hv_reserved = true;
		if (type == MEM_USABLE)
			assert_true(end <= HV_START || base >= HV_END);
	}
	assert_true(hv_reserved);
	assert_int_equal(le64(entry(&h, h.count - 1)), 0xfd00000000ull);
	assert_int_equal(low[h.gpa + CODE_LEN + h.count * E820_SIZE], 0); /* zeroed after */
}

static void test_sizes(void **state)
{
	struct bios_e820_sizes s;
	const struct mem_range small[] = {RANGE(0, 0x9fc00, MEM_USABLE),
					  RANGE(0x100000, 0x800000, MEM_USABLE)};
	const struct mem_range isa_hole[] = {RANGE(0x100000, 0xf00000, MEM_USABLE),
					     RANGE(0xf00000, 0x1000000, MEM_RESERVED),
					     RANGE(0x1000000, 0x4000000, MEM_USABLE)};
	const struct mem_range mib64[] = {RANGE(0x100000, 0x4000000, MEM_USABLE)};
	const struct mem_range mib40[] = {RANGE(0x100000, 0x2800000, MEM_USABLE)};
	const struct mem_range huge[] = {RANGE(0x100000, 0x200000000ull, MEM_USABLE)};
	(void)state;

	bios_e820_sizes(small, NELEMS(small), &s); /* 7 MiB above 1 MiB */
	assert_int_equal(s.e801_low_kib, 7 * 1024);
	assert_int_equal(s.e801_high_64k, 0);
	assert_int_equal(s.ext_kib, 7 * 1024);
	bios_e820_sizes(isa_hole, NELEMS(isa_hole), &s); /* both stop at the 15 MiB hole */
	assert_int_equal(s.e801_low_kib, 14 * 1024);
	assert_int_equal(s.e801_high_64k, 48 * 16);
	assert_int_equal(s.ext_kib, 14 * 1024);
	bios_e820_sizes(mib64, NELEMS(mib64), &s); /* exactly 63 MiB above 1 MiB */
	assert_int_equal(s.ext_kib, EXT_MAX);
	bios_e820_sizes(mib40, NELEMS(mib40), &s);
	assert_int_equal(s.e801_low_kib, E801_LOW_MAX);
	assert_int_equal(s.e801_high_64k, 24 * 16);
	assert_int_equal(s.ext_kib, 39 * 1024);
	bios_e820_sizes(huge, NELEMS(huge), &s); /* capped: 16-bit registers */
	assert_int_equal(s.e801_high_64k, 0xffff);
	assert_int_equal(s.ext_kib, EXT_MAX);
	bios_e820_sizes(NULL, 0, &s);
	assert_int_equal(s.e801_low_kib | s.e801_high_64k | s.ext_kib, 0);
}

/* A map too long for one KiB takes two. */
static void test_big_map(void **state)
{
	static struct mem_range map[BIG_MAP_ENTRIES];
	struct bios_e820_hook h;
	(void)state;

	map[0] = (struct mem_range)RANGE(0, 0x9fc00, MEM_USABLE);
	for (unsigned i = 1; i < BIG_MAP_ENTRIES; i++)
		map[i] = (struct mem_range)RANGE(0x100000ull * i, 0x100000ull * i + 0x1000,
						 i % 2 ? MEM_USABLE : MEM_ACPI_NVS);
	assert_int_equal(
	    bios_e820_install(map, BIG_MAP_ENTRIES, code, CODE_LEN, fake_ptr, NULL, &h), 0);
	assert_int_equal(h.base_mem_kib, BASE_KIB - 2);
	assert_int_equal(h.gpa, (BASE_KIB - 2) * 1024);
	assert_int_equal(h.count, BIG_MAP_ENTRIES + 1);
	assert_int_equal(le64(entry(&h, 1) + 8), 2048);
	assert_int_equal(le32(entry(&h, 3) + E820_TYPE), MEM_ACPI_NVS);
	assert_int_equal(h.sizes.e801_low_kib, 4);
}

/* Bochs's BIOS: 639 KiB in the BIOS data area, the map's usable RAM ends at 636 KiB. */
static void test_map_below_bda(void **state)
{
	const struct mem_range bochs[] = {RANGE(0, 0x9f000, MEM_USABLE),
					  RANGE(0x9f000, 0xa0000, MEM_RESERVED),
					  RANGE(0x100000, 0x8000000, MEM_USABLE)};
	struct bios_e820_hook h;
	(void)state;

	assert_int_equal(
	    bios_e820_install(bochs, NELEMS(bochs), code, CODE_LEN, fake_ptr, NULL, &h), 0);
	assert_int_equal(h.base_mem_kib, 0x9f000 / 1024 - 1);
	assert_int_equal(le16(low + BDA_BASE_MEM), 0x9f000 / 1024 - 1);
	assert_int_equal(le64(entry(&h, 0) + 8), h.gpa);
	assert_int_equal(le64(entry(&h, 1)), h.gpa);
	assert_int_equal(le64(entry(&h, 1) + 8), 1024);
	assert_int_equal(le64(entry(&h, 2)), 0x9f000);
	assert_int_equal(h.count, NELEMS(bochs) + 1);
}

/* Nothing changes when conventional memory is not the guest's or too small. */
static void test_refused(void **state)
{
	struct bios_e820_hook h = {0};
	(void)state;

	deny_bda = true;
	assert_int_equal(
	    bios_e820_install(qemu_map, NELEMS(qemu_map), code, CODE_LEN, fake_ptr, NULL, &h), -1);
	deny_bda = false;
	low[BDA_BASE_MEM] = 1;
	low[BDA_BASE_MEM + 1] = 0;
	assert_int_equal(
	    bios_e820_install(qemu_map, NELEMS(qemu_map), code, CODE_LEN, fake_ptr, NULL, &h), -1);
	assert_int_equal(le16(low + BDA_BASE_MEM), 1);
	assert_int_equal(le32(low + IVT_INT15), BIOS_INT15_SEG << 16 | BIOS_INT15_OFF);
	assert_int_equal(h.gpa, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_install_qemu, setup),
	    cmocka_unit_test_setup(test_sizes, setup),
	    cmocka_unit_test_setup(test_big_map, setup),
	    cmocka_unit_test_setup(test_map_below_bda, setup),
	    cmocka_unit_test_setup(test_refused, setup),
	};

	return cmocka_run_group_tests_name("bios_e820", tests, NULL, NULL);
}
