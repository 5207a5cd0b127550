/* test_pmem.c - cmocka tests for region selection and the page pool in core/pmem.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/hw/pmem.h"

#define MIB	  (1ull << 20)
#define GIB	  (1ull << 30)
#define FOUR_GIB  (4 * GIB)
#define HV_SIZE	  (8 * MIB)
#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))
#define NO_EXCL	  NULL, 0
#define RANGE(s, e, t)                                                                             \
	{                                                                                          \
		.base = (s), .len = (e) - (s), .type = (t)                                         \
	}

/* What QEMU's SeaBIOS reports for -m 128. */
static const struct mem_range qemu_map[] = {
    RANGE(0, 0x9fc00, MEM_USABLE),
    RANGE(0xf0000, 0x100000, MEM_RESERVED),
    RANGE(0x100000, 0x7fe0000, MEM_USABLE),
    RANGE(0x7fe0000, 0x8000000, MEM_RESERVED),
    RANGE(0xfffc0000, FOUR_GIB, MEM_RESERVED),
};

static void test_qemu_map(void **state)
{
	uint64_t base = 0;

	(void)state;
	assert_true(pmem_find_top(qemu_map, NELEMS(qemu_map), NO_EXCL, HV_SIZE, LARGE_PAGE_SIZE,
				  FOUR_GIB, &base));
	assert_int_equal(base, 0x7600000);
	assert_true(base + HV_SIZE <= 0x7fe0000);
	assert_int_equal(base % LARGE_PAGE_SIZE, 0);
}

static void test_exclusions_push_lower(void **state)
{
	/* The hypervisor image and a module sit where the region would have gone. */
	const struct phys_range excl[] = {
	    {0x7a00000, 0x7a01000},
	    {0x100000, 0x400000},
	};
	const struct phys_range touching[] = {{0x7e00000, 0x7fe0000}}; /* half-open: only touches */
	uint64_t base = 0;

	(void)state;
	assert_true(pmem_find_top(qemu_map, NELEMS(qemu_map), excl, NELEMS(excl), HV_SIZE,
				  LARGE_PAGE_SIZE, FOUR_GIB, &base));
	assert_int_equal(base, 0x7200000); /* ends at 0x7a00000, right below the exclusion */

	assert_true(pmem_find_top(qemu_map, NELEMS(qemu_map), touching, NELEMS(touching), HV_SIZE,
				  LARGE_PAGE_SIZE, FOUR_GIB, &base));
	assert_int_equal(base, 0x7600000); /* [0x7600000, 0x7e00000) does not overlap it */
}

static void test_overlapping_usable_merged(void **state)
{
	/* Three pieces that overlap or touch form one 64 MiB run; none alone holds 48 MiB. */
	const struct mem_range map[] = {
	    RANGE(0x1000000, 0x2000000, MEM_USABLE),
	    RANGE(0x3000000, 0x5000000, MEM_USABLE),
	    RANGE(0x1800000, 0x3000000, MEM_USABLE),
	};
	uint64_t base = 0;

	(void)state;
	assert_true(
	    pmem_find_top(map, NELEMS(map), NO_EXCL, 48 * MIB, LARGE_PAGE_SIZE, FOUR_GIB, &base));
	assert_int_equal(base, 0x2000000);
	assert_true(pmem_find_top(map, NELEMS(map), NO_EXCL, 64 * MIB, PAGE_SIZE, FOUR_GIB, &base));
	assert_int_equal(base, 0x1000000);
	assert_false(pmem_find_top(map, NELEMS(map), NO_EXCL, 64 * MIB + PAGE_SIZE, PAGE_SIZE,
				   FOUR_GIB, &base));
}

static void test_reserved_hole_wins(void **state)
{
	/* A reserved entry inside a usable one (ACPI tables, a BIOS quirk) must be avoided. */
	const struct mem_range map[] = {
	    RANGE(0x100000, 0x10000000, MEM_USABLE), RANGE(0xfc00000, 0xfc01000, MEM_ACPI_NVS),
	    RANGE(0x8000000, 0x8000000 + PAGE_SIZE, 7), /* unknown type counts as reserved */
	};
	uint64_t base = 0;

	(void)state;
	assert_true(
	    pmem_find_top(map, NELEMS(map), NO_EXCL, HV_SIZE, LARGE_PAGE_SIZE, FOUR_GIB, &base));
	/* Above the hole there are under 4 MiB, so the region ends right below it. */
	assert_int_equal(base, 0xf400000);
	assert_true(base + HV_SIZE <= 0xfc00000);

	/* A 128 MiB request cannot straddle either hole: only 0x100000..0x8000000 is left. */
	assert_false(
	    pmem_find_top(map, NELEMS(map), NO_EXCL, 128 * MIB, PAGE_SIZE, FOUR_GIB, &base));
	assert_true(
	    pmem_find_top(map, NELEMS(map), NO_EXCL, 0x7f00000, PAGE_SIZE, FOUR_GIB, &base));
	assert_int_equal(base, 0x100000);
}

static void test_nothing_fits(void **state)
{
	const struct mem_range map[] = {
	    RANGE(0, 0x9fc00, MEM_USABLE),
	    RANGE(0x100000, 0x800000, MEM_USABLE),
	    RANGE(0x800000, 0x1000000, MEM_RESERVED),
	};
	const struct phys_range all[] = {{0, FOUR_GIB}};
	uint64_t base = 0x1234;

	(void)state;
	assert_false(pmem_find_top(map, NELEMS(map), NO_EXCL, HV_SIZE, PAGE_SIZE, FOUR_GIB, &base));
	assert_int_equal(base, 0x1234); /* untouched on failure */
	assert_false(pmem_find_top(NULL, 0, NO_EXCL, PAGE_SIZE, PAGE_SIZE, FOUR_GIB, &base));
	assert_false(pmem_find_top(qemu_map, NELEMS(qemu_map), all, NELEMS(all), PAGE_SIZE,
				   PAGE_SIZE, FOUR_GIB, &base));
}

static void test_limit_respected(void **state)
{
	const struct mem_range map[] = {
	    RANGE(0x100000, 0x40000000, MEM_USABLE),
	    RANGE(0x100000000ull, 0x140000000ull, MEM_USABLE),
	};
	uint64_t base = 0;

	(void)state;
	assert_true(
	    pmem_find_top(map, NELEMS(map), NO_EXCL, HV_SIZE, LARGE_PAGE_SIZE, UINT64_MAX, &base));
	assert_int_equal(base, 0x140000000ull - HV_SIZE);
	assert_true(
	    pmem_find_top(map, NELEMS(map), NO_EXCL, HV_SIZE, LARGE_PAGE_SIZE, FOUR_GIB, &base));
	assert_int_equal(base, 0x40000000 - HV_SIZE);
	/* A limit that is not aligned: the region must still end at or below it. */
	assert_true(
	    pmem_find_top(map, NELEMS(map), NO_EXCL, HV_SIZE, LARGE_PAGE_SIZE, 0x20123456, &base));
	assert_int_equal(base, 0x1f800000);
	assert_true(base + HV_SIZE <= 0x20123456);
	assert_false(pmem_find_top(map, NELEMS(map), NO_EXCL, HV_SIZE, PAGE_SIZE, HV_SIZE, &base));
	assert_false(pmem_find_top(map, NELEMS(map), NO_EXCL, HV_SIZE, PAGE_SIZE, 0, &base));
}

static void test_alignment(void **state)
{
	const struct mem_range map[] = {RANGE(0x100000, 0x7fe0000, MEM_USABLE)};
	uint64_t base = 0;

	(void)state;
	assert_true(
	    pmem_find_top(map, NELEMS(map), NO_EXCL, PAGE_SIZE, PAGE_SIZE, FOUR_GIB, &base));
	assert_int_equal(base, 0x7fdf000);
	assert_true(pmem_find_top(map, NELEMS(map), NO_EXCL, PAGE_SIZE, 1, FOUR_GIB, &base));
	assert_int_equal(base, 0x7fdf000);
	assert_true(pmem_find_top(map, NELEMS(map), NO_EXCL, PAGE_SIZE, 64 * MIB, FOUR_GIB, &base));
	assert_int_equal(base, 0x4000000);
	/* Aligned to 1 GiB: only 0 would do, and 0 is below the usable start. */
	assert_false(pmem_find_top(map, NELEMS(map), NO_EXCL, PAGE_SIZE, GIB, FOUR_GIB, &base));
	/* Bad parameters. */
	assert_false(pmem_find_top(map, NELEMS(map), NO_EXCL, 0, PAGE_SIZE, FOUR_GIB, &base));
	assert_false(pmem_find_top(map, NELEMS(map), NO_EXCL, PAGE_SIZE, 0, FOUR_GIB, &base));
	assert_false(
	    pmem_find_top(map, NELEMS(map), NO_EXCL, PAGE_SIZE, 3 * PAGE_SIZE, FOUR_GIB, &base));
}

static void test_overflowing_entries(void **state)
{
	/* Firmware garbage whose base + len wraps past 2^64 must not wrap our arithmetic. */
	const struct mem_range map[] = {
	    {.base = 0xfffffffffff00000ull, .len = 0x200000, .type = MEM_USABLE},
	    {.base = 0x100000, .len = 0x100000, .type = MEM_USABLE},
	    {.base = 0x150000, .len = UINT64_MAX, .type = MEM_RESERVED},
	};
	uint64_t base = 0;

	(void)state;
	assert_int_equal(pmem_usable_top(map, NELEMS(map)), UINT64_MAX);
	/* The reserved entry covers everything from 0x150000 up, so only the low part is left. */
	assert_true(
	    pmem_find_top(map, NELEMS(map), NO_EXCL, PAGE_SIZE, PAGE_SIZE, UINT64_MAX, &base));
	assert_int_equal(base, 0x14f000);
	assert_true(pmem_find_top(map, 2, NO_EXCL, PAGE_SIZE, PAGE_SIZE, UINT64_MAX, &base));
	assert_int_equal(base, 0xffffffffffffe000ull);
	assert_false(pmem_find_top(map, 2, NO_EXCL, UINT64_MAX, PAGE_SIZE, UINT64_MAX, &base));
}

static void test_usable_top(void **state)
{
	const struct mem_range map[] = {
	    RANGE(0x100000, 0x7fe0000, MEM_USABLE),
	    RANGE(0x7fe0000, 0x8000000, MEM_RESERVED),
	    RANGE(0xfffc0000, FOUR_GIB, MEM_RESERVED),
	    {.base = 0x200000000ull, .len = 0, .type = MEM_USABLE}, /* empty: ignored */
	};

	(void)state;
	assert_int_equal(pmem_usable_top(qemu_map, NELEMS(qemu_map)), 0x7fe0000);
	assert_int_equal(pmem_usable_top(map, NELEMS(map)), 0x7fe0000);
	assert_int_equal(pmem_usable_top(map, 0), 0);
	assert_int_equal(pmem_usable_top(&map[1], 2), 0);
}

static void test_pool_basic(void **state)
{
	struct pmem_pool p;
	uint64_t a, b, c;

	(void)state;
	pmem_pool_init(&p, 0x7600000, 0x7e00000);
	assert_int_equal(pmem_pool_used(&p), 0);
	a = pmem_pool_alloc(&p, 1, PAGE_SIZE);
	assert_int_equal(a, 0x7600000);
	b = pmem_pool_alloc(&p, 3, PAGE_SIZE);
	assert_int_equal(b, 0x7601000);
	assert_int_equal(pmem_pool_used(&p), 4 * PAGE_SIZE);
	/* 2 MiB alignment skips to the next large page boundary. */
	c = pmem_pool_alloc(&p, 1, LARGE_PAGE_SIZE);
	assert_int_equal(c, 0x7800000);
	assert_int_equal(pmem_pool_used(&p), 0x200000 + PAGE_SIZE);
	/* 16 KiB alignment. */
	assert_int_equal(pmem_pool_alloc(&p, 1, 4 * PAGE_SIZE), 0x7804000);
}

static void test_pool_bad_alignment(void **state)
{
	struct pmem_pool p;

	(void)state;
	pmem_pool_init(&p, 0x100000, 0x200000);
	assert_int_equal(pmem_pool_alloc(&p, 1, 0), 0);
	assert_int_equal(pmem_pool_alloc(&p, 1, 512), 0);	    /* power of two, < page */
	assert_int_equal(pmem_pool_alloc(&p, 1, 3 * PAGE_SIZE), 0); /* not a power of two */
	assert_int_equal(pmem_pool_alloc(&p, 0, PAGE_SIZE), 0);	    /* nothing asked */
	assert_int_equal(pmem_pool_used(&p), 0);		    /* failures consume nothing */
	assert_int_equal(pmem_pool_alloc(&p, 1, PAGE_SIZE), 0x100000);
}

static void test_pool_exhaustion(void **state)
{
	struct pmem_pool p;

	(void)state;
	pmem_pool_init(&p, 0x100000, 0x104000); /* four pages */
	assert_int_equal(pmem_pool_alloc(&p, 5, PAGE_SIZE), 0);
	assert_int_equal(pmem_pool_alloc(&p, 3, PAGE_SIZE), 0x100000);
	assert_int_equal(pmem_pool_alloc(&p, 2, PAGE_SIZE), 0);
	assert_int_equal(pmem_pool_alloc(&p, 1, PAGE_SIZE), 0x103000);
	assert_int_equal(pmem_pool_alloc(&p, 1, PAGE_SIZE), 0);
	assert_int_equal(pmem_pool_used(&p), 4 * PAGE_SIZE);
	/* Alignment that would land past the end fails without moving the pointer. */
	pmem_pool_init(&p, 0x101000, 0x1ff000);
	assert_int_equal(pmem_pool_alloc(&p, 1, LARGE_PAGE_SIZE), 0);
	assert_int_equal(pmem_pool_alloc(&p, 1, PAGE_SIZE), 0x101000);
	/* Page counts whose byte size overflows. */
	assert_int_equal(pmem_pool_alloc(&p, UINT64_MAX / PAGE_SIZE + 1, PAGE_SIZE), 0);
	assert_int_equal(pmem_pool_alloc(&p, UINT64_MAX, PAGE_SIZE), 0);
}

static void test_pool_rounding_and_edges(void **state)
{
	struct pmem_pool p;

	(void)state;
	/* Partial pages at either end are not handed out. */
	pmem_pool_init(&p, 0x100800, 0x103800);
	assert_int_equal(pmem_pool_alloc(&p, 1, PAGE_SIZE), 0x101000);
	assert_int_equal(pmem_pool_alloc(&p, 1, PAGE_SIZE), 0x102000);
	assert_int_equal(pmem_pool_alloc(&p, 1, PAGE_SIZE), 0);
	/* Backwards or sub-page ranges make an empty pool. */
	pmem_pool_init(&p, 0x200000, 0x100000);
	assert_int_equal(pmem_pool_alloc(&p, 1, PAGE_SIZE), 0);
	pmem_pool_init(&p, 0x100001, 0x100fff);
	assert_int_equal(pmem_pool_alloc(&p, 1, PAGE_SIZE), 0);
	/* Near the top of the address space nothing wraps. */
	pmem_pool_init(&p, UINT64_MAX - 2 * PAGE_SIZE, UINT64_MAX);
	assert_int_equal(pmem_pool_alloc(&p, 1, PAGE_SIZE), 0xffffffffffffe000ull);
	assert_int_equal(pmem_pool_alloc(&p, 1, PAGE_SIZE), 0);
	assert_int_equal(pmem_pool_alloc(&p, 1, LARGE_PAGE_SIZE), 0);
	/* Address 0 means failure, so a pool starting at 0 never returns it. */
	pmem_pool_init(&p, 0, 0x3000);
	assert_int_equal(pmem_pool_alloc(&p, 1, PAGE_SIZE), PAGE_SIZE);
	assert_int_equal(pmem_pool_alloc(&p, 1, PAGE_SIZE), 2 * PAGE_SIZE);
	assert_int_equal(pmem_pool_alloc(&p, 1, PAGE_SIZE), 0);
}

/* --- randomized cross-check against a byte-by-byte oracle on a tiny address space --- */
#define ORACLE_SPACE  512
#define ORACLE_ROUNDS 20000

static uint32_t lcg_next(uint32_t *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return *seed >> 8;
}

static bool oracle_ok(const struct mem_range *map, unsigned nmap, const struct phys_range *excl,
		      unsigned nexcl, uint64_t b)
{
	bool usable = false;

	for (unsigned i = 0; i < nmap; i++) {
		if (b >= map[i].base && b < map[i].base + map[i].len) {
			if (map[i].type != MEM_USABLE)
				return false;
			usable = true;
		}
	}
	for (unsigned i = 0; i < nexcl; i++)
		if (b >= excl[i].start && b < excl[i].end)
			return false;
	return usable;
}

static bool oracle_find(const struct mem_range *map, unsigned nmap, const struct phys_range *excl,
			unsigned nexcl, uint64_t size, uint64_t align, uint64_t limit,
			uint64_t *out)
{
	for (uint64_t base = limit >= size ? (limit - size) / align * align : 0; limit >= size;
	     base -= align) {
		uint64_t b;

		for (b = base; b < base + size; b++)
			if (!oracle_ok(map, nmap, excl, nexcl, b))
				break;
		if (b == base + size) {
			*out = base;
			return true;
		}
		if (base < align)
			break;
	}
	return false;
}

static void test_random_vs_oracle(void **state)
{
	uint32_t seed = 12345;

	(void)state;
	for (int round = 0; round < ORACLE_ROUNDS; round++) {
		struct mem_range map[6];
		struct phys_range excl[3];
		unsigned nmap = 1 + lcg_next(&seed) % 6, nexcl = lcg_next(&seed) % 4;
		uint64_t size = 1 + lcg_next(&seed) % 64, align = 1ull << (lcg_next(&seed) % 6);
		uint64_t limit = lcg_next(&seed) % (ORACLE_SPACE + 1), got = 0, want = 0;
		bool ok_got, ok_want;

		for (unsigned i = 0; i < nmap; i++) {
			map[i].base = lcg_next(&seed) % ORACLE_SPACE;
			map[i].len = lcg_next(&seed) % (ORACLE_SPACE / 2);
			map[i].type = lcg_next(&seed) % 3 ? MEM_USABLE : MEM_RESERVED;
		}
		for (unsigned i = 0; i < nexcl; i++) {
			excl[i].start = lcg_next(&seed) % ORACLE_SPACE;
			excl[i].end = excl[i].start + lcg_next(&seed) % 32;
		}
		ok_got = pmem_find_top(map, nmap, excl, nexcl, size, align, limit, &got);
		ok_want = oracle_find(map, nmap, excl, nexcl, size, align, limit, &want);
		assert_int_equal(ok_got, ok_want);
		if (ok_want)
			assert_int_equal(got, want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_qemu_map),
	    cmocka_unit_test(test_exclusions_push_lower),
	    cmocka_unit_test(test_overlapping_usable_merged),
	    cmocka_unit_test(test_reserved_hole_wins),
	    cmocka_unit_test(test_nothing_fits),
	    cmocka_unit_test(test_limit_respected),
	    cmocka_unit_test(test_alignment),
	    cmocka_unit_test(test_overflowing_entries),
	    cmocka_unit_test(test_random_vs_oracle),
	    cmocka_unit_test(test_usable_top),
	    cmocka_unit_test(test_pool_basic),
	    cmocka_unit_test(test_pool_bad_alignment),
	    cmocka_unit_test(test_pool_exhaustion),
	    cmocka_unit_test(test_pool_rounding_and_edges),
	};

	return cmocka_run_group_tests_name("pmem", tests, NULL, NULL);
}
