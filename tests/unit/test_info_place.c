/* test_info_place.c - cmocka tests for where the boot information goes, guest_info_place(). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "guest/modules.h"

#define KIB	  0x400ull
#define MIB	  0x100000ull
#define GIB4	  0x100000000ull
#define PAGE	  0x1000ull
#define INFO_GPA  0x9000ull
#define INFO_SIZE 0x7000ull
#define CONV_END  0x9f000ull /* conventional memory below the EBDA */
#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))
#define RANGE(s, e, t)                                                                             \
	{                                                                                          \
		.base = (s), .len = (e) - (s), .type = (t)                                         \
	}

/* A PC: 0-639 KiB and 1 MiB-256 MiB usable, the BIOS area between them reserved. */
static const struct mem_range pc_map[] = {
    RANGE(0, CONV_END, MEM_USABLE),
    RANGE(CONV_END, MIB, MEM_RESERVED),
    RANGE(MIB, 256 * MIB, MEM_USABLE),
};

static uint64_t place(uint64_t kstart, uint64_t kend, const struct boot_module *mods, unsigned n,
		      bool *ok)
{
	uint64_t gpa = 0;

	*ok = guest_info_place(pc_map, NELEMS(pc_map), kstart, kend, mods, n, INFO_SIZE, INFO_GPA,
			       CONV_END, GIB4, &gpa);
	return gpa;
}

/* A kernel at 1 MiB or 4 MiB leaves 0x9000 free: the information stays where it always was. */
static void test_preferred_when_free(void **state)
{
	bool ok;

	(void)state;
	assert_int_equal(place(MIB, 2 * MIB, NULL, 0, &ok), INFO_GPA);
	assert_true(ok);
	assert_int_equal(place(4 * MIB, 5 * MIB, NULL, 0, &ok), INFO_GPA);
	assert_true(ok);
	/* A kernel ending exactly at 0x9000, or starting exactly at 0x10000, does not touch it. */
	assert_int_equal(place(0x8000, INFO_GPA, NULL, 0, &ok), INFO_GPA);
	assert_int_equal(place(INFO_GPA + INFO_SIZE, MIB, NULL, 0, &ok), INFO_GPA);
	assert_true(ok);
}

/* A kernel linked at 0x8000 (real-mode test kernels) covers 0x9000: go elsewhere, low. */
static void test_kernel_over_preferred(void **state)
{
	bool ok;
	uint64_t gpa = place(0x8000, 0xda30, NULL, 0, &ok);

	(void)state;
	assert_true(ok);
	assert_true(gpa + INFO_SIZE <= CONV_END);
	assert_true(gpa >= 0xda30 || gpa + INFO_SIZE <= 0x8000);
	assert_int_equal(gpa % PAGE, 0);
	assert_int_equal(gpa, CONV_END - INFO_SIZE - (CONV_END - INFO_SIZE) % PAGE);
	/* One byte of overlap is enough to move. */
	assert_int_not_equal(place(0x8000, INFO_GPA + 1, NULL, 0, &ok), INFO_GPA);
	assert_int_not_equal(place(INFO_GPA + INFO_SIZE - 1, MIB, NULL, 0, &ok), INFO_GPA);
}

/* Modules count as well, wherever they are. */
static void test_modules_excluded(void **state)
{
	const struct boot_module mods[] = {
	    {.start = 0xa000, .end = 0xb000},
	    {.start = 0x90000, .end = CONV_END},
	};
	bool ok;
	uint64_t gpa = place(MIB, 2 * MIB, mods, NELEMS(mods), &ok);

	(void)state;
	assert_true(ok);
	assert_true(gpa + INFO_SIZE <= 0x90000);
	assert_true(gpa >= 0xb000 || gpa + INFO_SIZE <= 0xa000);
	/* An empty module holds nothing. */
	const struct boot_module empty[] = {{.start = 0xa000, .end = 0xa000}};
	assert_int_equal(place(MIB, 2 * MIB, empty, 1, &ok), INFO_GPA);
}

/* Conventional memory full: above 1 MiB, still below 4 GiB and clear of the kernel. */
static void test_falls_back_high(void **state)
{
	bool ok;
	uint64_t gpa = place(0, CONV_END, NULL, 0, &ok);

	(void)state;
	assert_true(ok);
	assert_true(gpa >= MIB && gpa + INFO_SIZE <= 256 * MIB);
	/* No room anywhere. */
	place(0, 256 * MIB, NULL, 0, &ok);
	assert_false(ok);
	/* Too many modules to describe. */
	assert_false(guest_info_place(pc_map, NELEMS(pc_map), MIB, 2 * MIB, NULL,
				      BOOT_MAX_MODULES + 1, INFO_SIZE, INFO_GPA, CONV_END, GIB4,
				      &(uint64_t){0}));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_preferred_when_free),
	    cmocka_unit_test(test_kernel_over_preferred),
	    cmocka_unit_test(test_modules_excluded),
	    cmocka_unit_test(test_falls_back_high),
	};

	return cmocka_run_group_tests_name("info_place", tests, NULL, NULL);
}
