/* test_modules.c - cmocka tests for moving boot modules out of the kernel's way, guest/modules.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "guest/modules.h"

#define KIB	  0x400ull
#define MIB	  0x100000ull
#define PAGE	  0x1000ull
#define MEM_SIZE  (16 * MIB) /* the fake guest's RAM: guest-physical 0 maps to mem[0] */
#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))
#define ERRLEN	  160
#define UNTOUCHED "untouched"
#define RANGE(s, e, t)                                                                             \
	{                                                                                          \
		.base = (s), .len = (e) - (s), .type = (t)                                         \
	}

static uint8_t mem[MEM_SIZE];
static char err[ERRLEN];

/* What the copy callback saw, and the call (0-based) at which it reports failure. */
static struct {
	uint64_t dst, src, len;
} calls[BOOT_MAX_MODULES + 4];
static unsigned ncalls;
static int fail_call;

static bool fake_copy(uint64_t dst, uint64_t src, uint64_t len)
{
	assert_true(ncalls < NELEMS(calls));
	calls[ncalls].dst = dst;
	calls[ncalls].src = src;
	calls[ncalls].len = len;
	if ((int)ncalls++ == fail_call)
		return false;
	/* Only guest RAM can be copied (like guest_mem_ptr() in the hypervisor). */
	if (dst > MEM_SIZE || len > MEM_SIZE - dst || src > MEM_SIZE || len > MEM_SIZE - src)
		return false;
	memmove(mem + dst, mem + src, len);
	return true;
}

static int place(struct boot_module *mods, unsigned n, const struct mem_range *map, unsigned nmap,
		 uint64_t keep_low, uint64_t limit)
{
	ncalls = 0;
	fail_call = -1;
	strcpy(err, UNTOUCHED);
	return guest_modules_place(mods, n, map, nmap, keep_low, limit, fake_copy, err,
				   sizeof(err));
}

static uint8_t pattern(unsigned i, uint64_t off)
{
	return (uint8_t)(off * 131 + i * 17 + (off >> 8) + 1);
}

/* Module @i gets its own contents, guest memory around it something else. */
static void fill(const struct boot_module *mods, unsigned n)
{
	memset(mem, 0xEE, sizeof(mem));
	for (unsigned i = 0; i < n; i++) {
		if (mods[i].end > MEM_SIZE)
			continue;
		for (uint64_t off = 0; off < mods[i].end - mods[i].start; off++)
			mem[mods[i].start + off] = pattern(i, off);
	}
}

static void check_contents(const struct boot_module *mods, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		assert_true(mods[i].start <= mods[i].end && mods[i].end <= MEM_SIZE);
		for (uint64_t off = 0; off < mods[i].end - mods[i].start; off++) {
			if (mem[mods[i].start + off] != pattern(i, off))
				fail_msg("module %u byte 0x%llx: 0x%02x", i,
					 (unsigned long long)off, mem[mods[i].start + off]);
		}
	}
}

static void check_call(unsigned k, uint64_t dst, uint64_t src, uint64_t len)
{
	assert_true(k < ncalls);
	assert_int_equal(calls[k].dst, dst);
	assert_int_equal(calls[k].src, src);
	assert_int_equal(calls[k].len, len);
}

static void set_mod(struct boot_module *m, uint64_t start, uint64_t end, const char *cmdline)
{
	m->start = start;
	m->end = end;
	snprintf(m->cmdline, sizeof(m->cmdline), "%s", cmdline);
}

/* Like SeaBIOS's map, scaled down to the fake guest's 16 MiB. */
static const struct mem_range small_map[] = {
    RANGE(0, 0x9fc00, MEM_USABLE),
    RANGE(0x9fc00, 0xa0000, MEM_RESERVED),
    RANGE(0xf0000, 0x100000, MEM_RESERVED),
    RANGE(0x100000, 0xfe0000, MEM_USABLE),
    RANGE(0xfe0000, 0x1000000, MEM_RESERVED),
};

static void test_nothing_to_move(void **state)
{
	struct boot_module mods[3], before[3];

	(void)state;
	set_mod(&mods[0], 0x300000, 0x312345, "kernel.elf"); /* starts exactly at keep_low */
	set_mod(&mods[1], 0x400000, 0x400000, "empty");
	set_mod(&mods[2], 0x7ff000, 0x800000, "initrd"); /* ends exactly at the limit */
	memcpy(before, mods, sizeof(mods));
	fill(mods, 3);
	assert_int_equal(place(mods, 3, small_map, NELEMS(small_map), 0x300000, 0x800000), 0);
	assert_int_equal(ncalls, 0);
	assert_memory_equal(mods, before, sizeof(mods));
	assert_string_equal(err, UNTOUCHED);
	check_contents(mods, 3);

	/* No modules at all, or an empty map when nothing needs room. */
	assert_int_equal(place(mods, 0, small_map, NELEMS(small_map), 0x300000, 0x800000), 0);
	assert_int_equal(place(mods, 3, NULL, 0, 0x300000, 0x800000), 0);
	assert_int_equal(ncalls, 0);
	assert_memory_equal(mods, before, sizeof(mods));
}

static void test_move_low_module(void **state)
{
	struct boot_module mods[3];

	(void)state;
	/* The kernel goes to [.., 0x300000): module 0 sits there, the others do not. */
	set_mod(&mods[0], 0x200000, 0x212345, "initrd.img");
	set_mod(&mods[1], 0x400000, 0x401000, "a");
	set_mod(&mods[2], 0x500000, 0x500800, "b");
	fill(mods, 3);
	assert_int_equal(place(mods, 3, small_map, NELEMS(small_map), 0x300000, 0x1000000), 0);
	/* 0x12345 bytes take 0x13000 page-rounded, right below the usable top 0xfe0000. */
	assert_int_equal(ncalls, 1);
	check_call(0, 0xfcd000, 0x200000, 0x12345);
	assert_int_equal(mods[0].start, 0xfcd000);
	assert_int_equal(mods[0].end, 0xfcd000 + 0x12345);
	assert_int_equal(mods[0].start % PAGE, 0);
	assert_true(mods[0].start >= 0x300000);
	assert_string_equal(mods[0].cmdline, "initrd.img");
	assert_int_equal(mods[1].start, 0x400000);
	assert_int_equal(mods[1].end, 0x401000);
	assert_string_equal(mods[1].cmdline, "a");
	assert_int_equal(mods[2].start, 0x500000);
	assert_int_equal(mods[2].end, 0x500800);
	assert_string_equal(mods[2].cmdline, "b");
	check_contents(mods, 3);

	/* A module straddling keep_low moves too; the limit caps where it may go. */
	set_mod(&mods[0], 0x2ff000, 0x301000, "straddles");
	fill(mods, 1);
	assert_int_equal(place(mods, 1, small_map, NELEMS(small_map), 0x300000, 0x900000), 0);
	check_call(0, 0x8fe000, 0x2ff000, 0x2000);
	assert_int_equal(mods[0].start, 0x8fe000);
	assert_int_equal(mods[0].end, 0x900000);
	check_contents(mods, 1);
}

static void test_move_above_limit(void **state)
{
	static const struct mem_range map[] = {RANGE(0x100000, 0x1000000, MEM_USABLE)};
	struct boot_module mods[4];

	(void)state;
	set_mod(&mods[0], 0x100000, 0x101800, "low");	   /* below keep_low */
	set_mod(&mods[1], 0x400000, 0x402000, "stays");	   /* fine where it is */
	set_mod(&mods[2], 0x900000, 0x903001, "high");	   /* above the limit */
	set_mod(&mods[3], 0x7ff000, 0x800001, "one over"); /* ends one byte past it */
	fill(mods, 4);
	assert_int_equal(place(mods, 4, map, NELEMS(map), 0x300000, 0x800000), 0);
	/*
	 * 0x2000 + 0x4000 + 0x2000 page-rounded bytes, below 0x800000 but also below module 3's
	 * current home [0x7ff000, ..), which must not be overwritten: [0x7f7000, 0x7ff000),
	 * filled in module order.
	 */
	assert_int_equal(ncalls, 3);
	check_call(0, 0x7f7000, 0x100000, 0x1800);
	check_call(1, 0x7f9000, 0x900000, 0x3001);
	check_call(2, 0x7fd000, 0x7ff000, 0x1001);
	assert_int_equal(mods[0].start, 0x7f7000);
	assert_int_equal(mods[0].end, 0x7f8800);
	assert_int_equal(mods[1].start, 0x400000);
	assert_int_equal(mods[1].end, 0x402000);
	assert_int_equal(mods[2].start, 0x7f9000);
	assert_int_equal(mods[2].end, 0x7fc001);
	assert_int_equal(mods[3].start, 0x7fd000);
	assert_int_equal(mods[3].end, 0x7fe001);
	for (unsigned i = 0; i < 4; i++) {
		assert_int_equal(mods[i].start % PAGE, 0);
		assert_true(mods[i].start >= 0x300000 && mods[i].end <= 0x800000);
	}
	check_contents(mods, 4);
	assert_string_equal(mods[3].cmdline, "one over");

	/* Only modules above the limit, nothing kept low (keep_low 0). */
	set_mod(&mods[0], 0xc00000, 0xc00010, "x");
	set_mod(&mods[1], 0x100000, 0x200000, "y");
	fill(mods, 2);
	assert_int_equal(place(mods, 2, map, NELEMS(map), 0, 0xa00000), 0);
	assert_int_equal(ncalls, 1);
	check_call(0, 0x9ff000, 0xc00000, 0x10);
	assert_int_equal(mods[0].start, 0x9ff000);
	assert_int_equal(mods[0].end, 0x9ff010);
	assert_int_equal(mods[1].start, 0x100000);
	check_contents(mods, 2);
}

/* Usable RAM with holes, adjacent usable entries and a reserved range over the usable top. */
static const struct mem_range holey_map[] = {
    RANGE(0, 0x9f000, MEM_USABLE),
    RANGE(0x100000, 0x500000, MEM_USABLE),
    RANGE(0x500000, 0x580000, MEM_USABLE), /* adjacent: one range with the previous */
    RANGE(0x580000, 0x600000, MEM_RESERVED),
    RANGE(0x600000, 0x680000, MEM_USABLE), /* 0x80000 bytes between holes */
    RANGE(0x700000, 0x800000, MEM_USABLE),
    RANGE(0x7c0000, 0x800000, MEM_RESERVED), /* wins over the usable entry */
};

/* Free RAM of holey_map with module 1 at [0x740000, 0x741000) and keep_low 0x200000. */
static const struct {
	uint64_t start, end;
} holey_free[] = {
    {0x200000, 0x580000},
    {0x600000, 0x680000},
    {0x700000, 0x740000},
    {0x741000, 0x7c0000},
};

static void check_in_free(uint64_t start, uint64_t end)
{
	for (unsigned i = 0; i < NELEMS(holey_free); i++) {
		if (start >= holey_free[i].start && end <= holey_free[i].end)
			return;
	}
	fail_msg("[0x%llx, 0x%llx) is not free RAM", (unsigned long long)start,
		 (unsigned long long)end);
}

static void test_memory_holes(void **state)
{
	/* Each module sits above the limit 0x800000 (in the fake memory, outside the map). */
	static const struct {
		uint64_t len, dst;
	} cases[] = {
	    {0x8f001, 0x4f0000},  /* 0x90000: only below 0x580000, across the 0x500000 seam */
	    {0x7f001, 0x600000},  /* 0x80000: exactly the range between the holes */
	    {0x7f000, 0x741000},  /* exactly between module 1 and the reserved top */
	    {0x3f000, 0x781000},  /* small: at the top, right below the reserved range */
	    {0x380000, 0x200000}, /* all of [keep_low, 0x580000) */
	};
	struct boot_module mods[2];

	(void)state;
	for (unsigned c = 0; c < NELEMS(cases); c++) {
		set_mod(&mods[0], 0x900000, 0x900000 + cases[c].len, "moves");
		set_mod(&mods[1], 0x740000, 0x741000, "stays");
		fill(mods, 2);
		assert_int_equal(place(mods, 2, holey_map, NELEMS(holey_map), 0x200000, 0x800000),
				 0);
		assert_int_equal(ncalls, 1);
		check_call(0, cases[c].dst, 0x900000, cases[c].len);
		assert_int_equal(mods[0].start, cases[c].dst);
		assert_int_equal(mods[0].end, cases[c].dst + cases[c].len);
		check_in_free(mods[0].start,
			      mods[0].start + ((cases[c].len + PAGE - 1) & ~(PAGE - 1)));
		assert_int_equal(mods[1].start, 0x740000);
		assert_int_equal(mods[1].end, 0x741000);
		check_contents(mods, 2);
	}
	/* A module below keep_low whose own home reaches into the free range: still below it. */
	set_mod(&mods[0], 0x180000, 0x180000 + 0x8f001, "low");
	set_mod(&mods[1], 0x740000, 0x741000, "stays");
	fill(mods, 2);
	assert_int_equal(place(mods, 2, holey_map, NELEMS(holey_map), 0x200000, 0x800000), 0);
	check_call(0, 0x4f0000, 0x180000, 0x8f001);
	check_contents(mods, 2);
	/* 0x380001 bytes: nothing is big enough. */
	set_mod(&mods[0], 0x900000, 0x900000 + 0x380001, "too big");
	assert_int_equal(place(mods, 2, holey_map, NELEMS(holey_map), 0x200000, 0x800000), -1);
	assert_int_equal(ncalls, 0);
	assert_non_null(strstr(err, "no free guest RAM"));
	assert_int_equal(mods[0].start, 0x900000);
}

static void test_no_room(void **state)
{
	static const struct mem_range map[] = {
	    RANGE(0x100000, 0x400000, MEM_USABLE),
	    RANGE(0x400000, 0x1000000, MEM_RESERVED),
	};
	static const struct mem_range no_usable[] = {RANGE(0, 0x1000000, MEM_ACPI_NVS)};
	struct boot_module mods[1];

	(void)state;
	/* [keep_low, top of usable) holds exactly 0x100000 bytes: they fit... */
	set_mod(&mods[0], 0x100000, 0x200000, "fits");
	fill(mods, 1);
	assert_int_equal(place(mods, 1, map, NELEMS(map), 0x300000, 0x1000000), 0);
	check_call(0, 0x300000, 0x100000, 0x100000);
	check_contents(mods, 1);
	/* ...one byte more does not. */
	set_mod(&mods[0], 0x100000, 0x200001, "too big");
	assert_int_equal(place(mods, 1, map, NELEMS(map), 0x300000, 0x1000000), -1);
	assert_int_equal(ncalls, 0);
	assert_int_equal(mods[0].start, 0x100000);
	assert_int_equal(mods[0].end, 0x200001);
	assert_true(strlen(err) > 0);
	assert_string_not_equal(err, UNTOUCHED);
	assert_non_null(strstr(err, "no free guest RAM"));
	/* The limit below the usable top shrinks the room the same way. */
	set_mod(&mods[0], 0x100000, 0x180000, "limited");
	assert_int_equal(place(mods, 1, map, NELEMS(map), 0x300000, 0x37f000), -1);
	assert_non_null(strstr(err, "no free guest RAM"));
	/* A limit at or below keep_low leaves no room at all. */
	assert_int_equal(place(mods, 1, map, NELEMS(map), 0x300000, 0x300000), -1);
	assert_int_equal(place(mods, 1, map, NELEMS(map), 0x300000, 0x200000), -1);
	/* No usable RAM, or no map. */
	assert_int_equal(place(mods, 1, no_usable, NELEMS(no_usable), 0x300000, 0x1000000), -1);
	assert_int_equal(place(mods, 1, NULL, 0, 0x300000, 0x1000000), -1);
	assert_non_null(strstr(err, "no free guest RAM"));
	assert_int_equal(ncalls, 0);
	assert_int_equal(mods[0].start, 0x100000);
	assert_int_equal(mods[0].end, 0x180000);
}

static void test_bad_module(void **state)
{
	struct boot_module mods[3];

	(void)state;
	set_mod(&mods[0], 0x100000, 0x101000, "would move");
	set_mod(&mods[1], 0x400000, 0x400000, "empty: fine");
	set_mod(&mods[2], 0x500000, 0x4fffff, "backwards");
	assert_int_equal(place(mods, 3, small_map, NELEMS(small_map), 0x300000, 0x1000000), -1);
	assert_int_equal(ncalls, 0);
	assert_non_null(strstr(err, "module 2 ends before it starts"));
	assert_int_equal(mods[0].start, 0x100000);
	assert_int_equal(mods[0].end, 0x101000);
	assert_int_equal(mods[2].start, 0x500000);
	assert_int_equal(mods[2].end, 0x4fffff);
}

static void test_copy_fails(void **state)
{
	struct boot_module mods[3];

	(void)state;
	/* The first copy fails: nothing is updated. */
	set_mod(&mods[0], 0x100000, 0x101000, "a");
	set_mod(&mods[1], 0x400000, 0x401000, "b");
	set_mod(&mods[2], 0x200000, 0x202000, "c");
	ncalls = 0;
	fail_call = 0;
	strcpy(err, UNTOUCHED);
	assert_int_equal(guest_modules_place(mods, 3, small_map, NELEMS(small_map), 0x300000,
					     0x1000000, fake_copy, err, sizeof(err)),
			 -1);
	assert_int_equal(ncalls, 1);
	check_call(0, 0xfdd000, 0x100000, 0x1000);
	assert_non_null(strstr(err, "module 0 at 0x100000"));
	assert_int_equal(mods[0].start, 0x100000);
	assert_int_equal(mods[0].end, 0x101000);

	/* The second: the module it names stays where it was. */
	ncalls = 0;
	fail_call = 1;
	assert_int_equal(guest_modules_place(mods, 3, small_map, NELEMS(small_map), 0x300000,
					     0x1000000, fake_copy, err, sizeof(err)),
			 -1);
	assert_int_equal(ncalls, 2);
	check_call(1, 0xfde000, 0x200000, 0x2000);
	assert_non_null(strstr(err, "module 2 at 0x200000"));
	assert_int_equal(mods[2].start, 0x200000);
	assert_int_equal(mods[2].end, 0x202000);
	assert_int_equal(mods[0].start, 0xfdd000); /* the one before it had moved */
	assert_int_equal(mods[1].start, 0x400000);

	/* A module outside guest RAM altogether (the fake memory ends at 16 MiB). */
	set_mod(&mods[0], 0x2000000, 0x2001000, "far");
	assert_int_equal(place(mods, 1, small_map, NELEMS(small_map), 0x300000, 0x1000000), -1);
	assert_int_equal(ncalls, 1);
	check_call(0, 0xfdf000, 0x2000000, 0x1000);
	assert_non_null(strstr(err, "not in guest RAM"));
	assert_int_equal(mods[0].start, 0x2000000);
}

static void test_module_count(void **state)
{
	struct boot_module mods[BOOT_MAX_MODULES + 1];
	uint64_t at = 0xfe0000;

	(void)state;
	/* The most modules there may be, all in the kernel's way: packed in order below 0xfe0000.
	 */
	for (unsigned i = 0; i < BOOT_MAX_MODULES; i++) {
		char name[16];

		snprintf(name, sizeof(name), "m%u", i);
		set_mod(&mods[i], 0x100000 + i * 0x40000, 0x100000 + i * 0x40000 + 0x1000 * i + 1,
			name);
		at -= ((0x1000 * i + 1) + PAGE - 1) & ~(PAGE - 1);
	}
	fill(mods, BOOT_MAX_MODULES);
	assert_int_equal(
	    place(mods, BOOT_MAX_MODULES, small_map, NELEMS(small_map), 0x400000, 0x1000000), 0);
	assert_int_equal(ncalls, BOOT_MAX_MODULES);
	for (unsigned i = 0; i < BOOT_MAX_MODULES; i++) {
		char name[16];

		check_call(i, at, 0x100000 + i * 0x40000, 0x1000 * i + 1);
		assert_int_equal(mods[i].start, at);
		assert_int_equal(mods[i].end, at + 0x1000 * i + 1);
		snprintf(name, sizeof(name), "m%u", i);
		assert_string_equal(mods[i].cmdline, name);
		at += (0x1000 * i + 1 + PAGE - 1) & ~(PAGE - 1);
	}
	assert_int_equal(at, 0xfe0000);
	check_contents(mods, BOOT_MAX_MODULES);

	/* One more is refused before anything moves. */
	for (unsigned i = 0; i <= BOOT_MAX_MODULES; i++)
		set_mod(&mods[i], 0x100000 + i * PAGE, 0x100000 + (i + 1) * PAGE, "m");
	assert_int_equal(
	    place(mods, BOOT_MAX_MODULES + 1, small_map, NELEMS(small_map), 0x400000, 0x1000000),
	    -1);
	assert_int_equal(ncalls, 0);
	assert_non_null(strstr(err, "at most 8"));
	assert_int_equal(mods[0].start, 0x100000);
}

static void test_overlap(void **state)
{
	struct boot_module mods[3];

	(void)state;
	set_mod(&mods[0], 0x1000, 0x3000, "a");
	set_mod(&mods[1], 0x5000, 0x6000, "b");
	set_mod(&mods[2], 0x8000, 0x8000, "empty");
	/* Touching either end is not overlapping (half-open ranges). */
	assert_false(guest_modules_overlap(mods, 3, 0, 0x1000));
	assert_false(guest_modules_overlap(mods, 3, 0x3000, 0x5000));
	assert_false(guest_modules_overlap(mods, 3, 0x6000, 0x7000));
	/* One byte in, at either end, of either module. */
	assert_true(guest_modules_overlap(mods, 3, 0, 0x1001));
	assert_true(guest_modules_overlap(mods, 3, 0x2fff, 0x5000));
	assert_true(guest_modules_overlap(mods, 3, 0x3000, 0x5001));
	assert_true(guest_modules_overlap(mods, 3, 0x5fff, 0x7000));
	/* Containing and contained. */
	assert_true(guest_modules_overlap(mods, 3, 0, 0x10000));
	assert_true(guest_modules_overlap(mods, 3, 0x1800, 0x1900));
	assert_true(guest_modules_overlap(mods, 3, 0x1000, 0x3000));
	assert_true(guest_modules_overlap(mods, 3, 0x5000, 0x5001));
	/* Only the first @n modules count. */
	assert_false(guest_modules_overlap(mods, 1, 0x5000, 0x6000));
	assert_false(guest_modules_overlap(mods, 0, 0, UINT64_MAX));
	/* Nothing overlaps an empty range, and an empty module overlaps nothing. */
	assert_false(guest_modules_overlap(mods, 3, 0x2000, 0x2000));
	assert_false(guest_modules_overlap(mods, 3, 0x7000, 0x9000));
	assert_false(guest_modules_overlap(mods, 3, 0x8000, 0x8001));
	/* The whole address space. */
	assert_true(guest_modules_overlap(mods, 3, 0, UINT64_MAX));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_nothing_to_move),  cmocka_unit_test(test_move_low_module),
	    cmocka_unit_test(test_move_above_limit), cmocka_unit_test(test_memory_holes),
	    cmocka_unit_test(test_no_room),	     cmocka_unit_test(test_bad_module),
	    cmocka_unit_test(test_copy_fails),	     cmocka_unit_test(test_module_count),
	    cmocka_unit_test(test_overlap),
	};

	return cmocka_run_group_tests_name("modules", tests, NULL, NULL);
}
