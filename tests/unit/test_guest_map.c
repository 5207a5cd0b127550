/* test_guest_map.c - cmocka tests for carving the hypervisor region out of the guest map. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/paging/guest_map.h"

#define FOUR_GIB  0x100000000ull
#define HV_START  0xf600000ull
#define HV_END	  0xfe0c000ull /* not 2 MiB aligned: the region's page tables end here */
#define RAM_END	  0xffe0000ull
#define OUT_MAX	  16
#define SENTINEL  0xa5
#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))
#define RANGE(s, e, t)                                                                             \
	{                                                                                          \
		.base = (s), .len = (e) - (s), .type = (t)                                         \
	}

/* What QEMU's SeaBIOS reports for -m 256. */
static const struct mem_range qemu_map[] = {
    RANGE(0, 0x9fc00, MEM_USABLE),
    RANGE(0xf0000, 0x100000, MEM_RESERVED),
    RANGE(0x100000, RAM_END, MEM_USABLE),
    RANGE(RAM_END, 0x10000000, MEM_RESERVED),
    RANGE(0xfffc0000, FOUR_GIB, MEM_RESERVED),
};

static struct mem_range out[OUT_MAX + 1]; /* one spare slot to catch writes past @max */

static int setup(void **state)
{
	(void)state;
	memset(out, SENTINEL, sizeof(out));
	return 0;
}

static void assert_range(const struct mem_range *r, uint64_t start, uint64_t end, uint32_t type)
{
	assert_int_equal(r->base, start);
	assert_int_equal(r->len, end - start);
	assert_int_equal(r->type, type);
}

static void assert_untouched(unsigned from)
{
	for (unsigned i = from; i < NELEMS(out); i++) {
		const uint8_t *p = (const uint8_t *)&out[i];

		for (size_t k = 0; k < sizeof(out[i]); k++)
			assert_int_equal(p[k], SENTINEL);
	}
}

static void assert_same_map(const struct mem_range *a, const struct mem_range *b, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		assert_range(&a[i], b[i].base, b[i].base + b[i].len, b[i].type);
}

static void test_hole_inside_usable(void **state)
{
	const struct phys_range hole = {HV_START, HV_END};

	(void)state;
	assert_int_equal(guest_map_carve(qemu_map, NELEMS(qemu_map), hole, out, OUT_MAX), 7);
	assert_range(&out[0], 0, 0x9fc00, MEM_USABLE);
	assert_range(&out[1], 0xf0000, 0x100000, MEM_RESERVED);
	assert_range(&out[2], 0x100000, HV_START, MEM_USABLE);
	assert_range(&out[3], HV_START, HV_END, MEM_RESERVED);
	assert_range(&out[4], HV_END, RAM_END, MEM_USABLE);
	assert_range(&out[5], RAM_END, 0x10000000, MEM_RESERVED);
	assert_range(&out[6], 0xfffc0000, FOUR_GIB, MEM_RESERVED);
	assert_untouched(7);
}

static void test_hole_at_top_end(void **state)
{
	/* The region ends where usable memory ends: no empty usable piece after it. */
	const struct phys_range hole = {HV_START, RAM_END};

	(void)state;
	assert_int_equal(guest_map_carve(qemu_map, NELEMS(qemu_map), hole, out, OUT_MAX), 6);
	assert_range(&out[2], 0x100000, HV_START, MEM_USABLE);
	assert_range(&out[3], HV_START, RAM_END, MEM_RESERVED);
	assert_range(&out[4], RAM_END, 0x10000000, MEM_RESERVED);
	assert_untouched(6);
}

static void test_hole_at_start_and_overhanging(void **state)
{
	/* Starting exactly at an entry: no empty usable piece before it. */
	const struct phys_range at_start = {0x100000, 0x200000};
	/* Reaching past the usable entry into a reserved one: only the usable part is carved. */
	const struct phys_range overhang = {HV_START, 0x10000000};

	(void)state;
	assert_int_equal(guest_map_carve(qemu_map, NELEMS(qemu_map), at_start, out, OUT_MAX), 6);
	assert_range(&out[1], 0xf0000, 0x100000, MEM_RESERVED);
	assert_range(&out[2], 0x100000, 0x200000, MEM_RESERVED);
	assert_range(&out[3], 0x200000, RAM_END, MEM_USABLE);

	assert_int_equal(guest_map_carve(qemu_map, NELEMS(qemu_map), overhang, out, OUT_MAX), 6);
	assert_range(&out[2], 0x100000, HV_START, MEM_USABLE);
	assert_range(&out[3], HV_START, RAM_END, MEM_RESERVED);
	assert_range(&out[4], RAM_END, 0x10000000, MEM_RESERVED);
	assert_range(&out[5], 0xfffc0000, FOUR_GIB, MEM_RESERVED);
}

static void test_hole_spanning_two_usable(void **state)
{
	const struct mem_range map[] = {
	    RANGE(0x100000, 0x400000, MEM_USABLE),
	    RANGE(0x400000, 0x800000, MEM_USABLE),
	};
	const struct phys_range hole = {0x300000, 0x500000};

	(void)state;
	assert_int_equal(guest_map_carve(map, NELEMS(map), hole, out, OUT_MAX), 4);
	assert_range(&out[0], 0x100000, 0x300000, MEM_USABLE);
	assert_range(&out[1], 0x300000, 0x400000, MEM_RESERVED);
	assert_range(&out[2], 0x400000, 0x500000, MEM_RESERVED);
	assert_range(&out[3], 0x500000, 0x800000, MEM_USABLE);
}

static void test_hole_touching_no_usable(void **state)
{
	const struct phys_range holes[] = {
	    {0xa0000, 0xf0000},	      /* in the gap between entries */
	    {0x9fc00, 0x100000},      /* adjacent on both sides (half-open) */
	    {0xfffc0000, 0xfffd0000}, /* inside a reserved entry */
	    {0x20000000, 0x30000000}, /* above everything usable */
	    {HV_START, HV_START},     /* empty */
	};

	(void)state;
	for (size_t i = 0; i < NELEMS(holes); i++) {
		memset(out, SENTINEL, sizeof(out));
		assert_int_equal(
		    guest_map_carve(qemu_map, NELEMS(qemu_map), holes[i], out, OUT_MAX),
		    NELEMS(qemu_map));
		assert_same_map(out, qemu_map, NELEMS(qemu_map));
		assert_untouched(NELEMS(qemu_map));
	}
}

static void test_output_sorted(void **state)
{
	const struct mem_range shuffled[] = {
	    RANGE(0xfffc0000, FOUR_GIB, MEM_RESERVED), RANGE(0x100000, RAM_END, MEM_USABLE),
	    RANGE(RAM_END, 0x10000000, MEM_RESERVED),  RANGE(0, 0x9fc00, MEM_USABLE),
	    RANGE(0xf0000, 0x100000, MEM_RESERVED),
	};
	const struct phys_range hole = {HV_START, HV_END};
	struct mem_range want[OUT_MAX];
	int n;

	(void)state;
	n = guest_map_carve(qemu_map, NELEMS(qemu_map), hole, want, OUT_MAX);
	assert_int_equal(n, 7);
	assert_int_equal(guest_map_carve(shuffled, NELEMS(shuffled), hole, out, OUT_MAX), n);
	assert_same_map(out, want, (unsigned)n);
	for (int i = 1; i < n; i++)
		assert_true(out[i - 1].base < out[i].base);
}

static void test_max_too_small(void **state)
{
	const struct phys_range hole = {HV_START, HV_END};
	const struct phys_range no_hole = {0, 0};

	(void)state;
	for (unsigned max = 0; max < 7; max++) {
		memset(out, SENTINEL, sizeof(out));
		assert_int_equal(guest_map_carve(qemu_map, NELEMS(qemu_map), hole, out, max), -1);
		assert_untouched(max);
	}
	assert_int_equal(guest_map_carve(qemu_map, NELEMS(qemu_map), hole, out, 7), 7);
	assert_untouched(7);

	/* Even a copy needs room for every entry. */
	assert_int_equal(guest_map_carve(qemu_map, NELEMS(qemu_map), no_hole, out, 4), -1);
	assert_int_equal(guest_map_carve(qemu_map, NELEMS(qemu_map), no_hole, out, 5), 5);
	assert_int_equal(guest_map_carve(NULL, 0, hole, out, 0), 0);
}

static void test_non_usable_never_changed(void **state)
{
	/* Every non-usable type, overlapping the hole, comes out exactly as it went in. */
	const struct mem_range map[] = {
	    RANGE(0x1000000, 0x2000000, MEM_RESERVED),
	    RANGE(0x2000000, 0x3000000, MEM_ACPI_RECLAIMABLE),
	    RANGE(0x3000000, 0x4000000, MEM_ACPI_NVS),
	    RANGE(0x4000000, 0x5000000, MEM_BAD),
	    RANGE(0x5000000, 0x6000000, 7), /* unknown type */
	};
	const struct phys_range hole = {0x1800000, 0x5800000};

	(void)state;
	assert_int_equal(guest_map_carve(map, NELEMS(map), hole, out, OUT_MAX), NELEMS(map));
	assert_same_map(out, map, NELEMS(map));
	assert_untouched(NELEMS(map));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_hole_inside_usable, setup),
	    cmocka_unit_test_setup(test_hole_at_top_end, setup),
	    cmocka_unit_test_setup(test_hole_at_start_and_overhanging, setup),
	    cmocka_unit_test_setup(test_hole_spanning_two_usable, setup),
	    cmocka_unit_test_setup(test_hole_touching_no_usable, setup),
	    cmocka_unit_test_setup(test_output_sorted, setup),
	    cmocka_unit_test_setup(test_max_too_small, setup),
	    cmocka_unit_test_setup(test_non_usable_never_changed, setup),
	};

	return cmocka_run_group_tests_name("guest_map", tests, NULL, NULL);
}
