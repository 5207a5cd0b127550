/* test_nested_pt.c - cmocka tests for the identity nested page tables in core/nested_pt.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/paging/nested_pt.h"

#define KIB	    0x400ull
#define MIB	    0x100000ull
#define FOUR_KIB    (4 * KIB)
#define TWO_MIB	    (2 * MIB)
#define FOUR_GIB    0x100000000ull
#define PT_ENTRIES  512
#define POOL_PAGES  64
#define POOL_BASE   0x40000000ull /* where the fake pool pretends to live physically */
#define ROOT_PA	    POOL_BASE	  /* page 0 of the pool is the PML4 */
#define ADDR_MASK   0x000ffffffffff000ull
#define FLAGS_MASK  0xfffull
#define RAM_LOW_END 0x9fc00ull
#define RAM_START   0x100000ull
#define RAM_END	    0xffe0000ull
#define HV_START    0xf600000ull
#define HV_END	    0xfe0c000ull
#define LAPIC	    0xfee00000ull

/* EPT-like entry bits: RWX for tables; write-back RAM vs uncached MMIO; bit 7 for 2 MiB. */
#define F_TABLE 0x007ull
#define F_RAM	0x037ull
#define F_MMIO	0x107ull /* RWX, uncached, plus a software bit so it differs from tables */
#define F_LARGE 0x080ull

/* Counts for the QEMU layout, worked out by hand from the 2 MiB chunks:
 * [0, 2M) mixes RAM and MMIO -> 512 small; [2M, 0xf600000) RAM -> 122 large;
 * four chunks wholly inside the hole -> nothing mapped; [0xfe00000, 256M) -> 512 - 12 small
 * (12 hole pages); [256M, 4G) MMIO -> 1920 large. */
#define QEMU_LARGE    (122 + 1920)
#define QEMU_SMALL    (512 + 512 - 12)
#define QEMU_MIN_TBLS (1 + 4 + 2) /* PDPT, four PDs, two split chunks */

struct fake_pool {
	uint64_t pages[POOL_PAGES][PT_ENTRIES];
	unsigned used;	/* page 0 is the root */
	unsigned limit; /* allocations fail once @used reaches it */
};

static struct fake_pool pool;

static const struct phys_range qemu_ram[] = {{0, RAM_LOW_END}, {RAM_START, RAM_END}};
static const struct phys_range qemu_hole[] = {{HV_START, HV_END}};
static const struct nested_pt_layout qemu_layout = {
    .end = FOUR_GIB, .ram = qemu_ram, .nram = 2, .holes = qemu_hole, .nholes = 1};
static const struct nested_pt_format fmt = {
    .table = F_TABLE, .leaf_ram = F_RAM, .leaf_mmio = F_MMIO, .large = F_LARGE};

static uint64_t pool_alloc(void *ctx)
{
	struct fake_pool *p = ctx;

	if (p->used >= p->limit)
		return 0;
	return POOL_BASE + (uint64_t)p->used++ * FOUR_KIB;
}

static uint64_t *pool_ptr(uint64_t pa, void *ctx)
{
	struct fake_pool *p = ctx;
	uint64_t idx = (pa - POOL_BASE) / FOUR_KIB;

	assert_int_equal(pa % FOUR_KIB, 0);
	assert_true(pa >= POOL_BASE);
	assert_in_range(idx, 0, p->used - 1);
	return p->pages[idx];
}

static const struct nested_pt_env env = {
    .alloc_page = pool_alloc, .table_ptr = pool_ptr, .ctx = &pool};

static int setup(void **state)
{
	(void)state;
	memset(&pool, 0, sizeof(pool));
	pool.used = 1; /* the root, allocated by the caller */
	pool.limit = POOL_PAGES;
	return 0;
}

/* Look @gpa up; check it maps 1:1 with @flags and @size, and return nothing. */
static void assert_maps(uint64_t gpa, uint64_t flags, uint64_t size)
{
	uint64_t got_size = 0;
	uint64_t e = nested_pt_lookup(ROOT_PA, gpa, &fmt, &env, &got_size);

	assert_int_not_equal(e, 0);
	assert_int_equal(got_size, size);
	assert_int_equal((e & ADDR_MASK & ~(size - 1)) + (gpa & (size - 1)), gpa);
	assert_int_equal(e & FLAGS_MASK, size == TWO_MIB ? (flags | F_LARGE) : flags);
}

static void assert_unmapped(uint64_t gpa)
{
	assert_int_equal(nested_pt_lookup(ROOT_PA, gpa, &fmt, &env, NULL), 0);
}

static void build_qemu(struct nested_pt_stats *st)
{
	assert_int_equal(nested_pt_build(ROOT_PA, &qemu_layout, &fmt, &env, st), 0);
}

static void test_hole_unmapped(void **state)
{
	const uint64_t inside[] = {HV_START,  HV_START + FOUR_KIB, 0xf800000, 0xfc00000,
				   0xfdfffff, 0xfe00000,	   HV_END - 1};

	(void)state;
	build_qemu(NULL);
	for (size_t i = 0; i < sizeof(inside) / sizeof(inside[0]); i++)
		assert_unmapped(inside[i]);
	assert_unmapped(FOUR_GIB); /* past the end */
}

static void test_ram_identity(void **state)
{
	(void)state;
	build_qemu(NULL);
	/* Chunk 0 mixes RAM and the VGA/BIOS hole: 4 KiB pages, RAM by the page's first byte. */
	assert_maps(0, F_RAM, FOUR_KIB);
	assert_maps(0x9f000, F_RAM, FOUR_KIB);
	assert_maps(0xa0000, F_MMIO, FOUR_KIB);
	assert_maps(0xff000, F_MMIO, FOUR_KIB);
	assert_maps(RAM_START, F_RAM, FOUR_KIB);
	assert_maps(0x1fffff, F_RAM, FOUR_KIB);
	/* Uniform RAM chunks use 2 MiB pages, right up to the hole. */
	assert_maps(0x200000, F_RAM, TWO_MIB);
	assert_maps(0x5432100, F_RAM, TWO_MIB);
	assert_maps(0xf5ff000, F_RAM, TWO_MIB);
}

static void test_split_chunk_after_hole(void **state)
{
	(void)state;
	build_qemu(NULL);
	/* The chunk holding the hole's unaligned end: 4 KiB pages, mapped from HV_END on. */
	assert_unmapped(HV_END - FOUR_KIB);
	assert_maps(HV_END, F_RAM, FOUR_KIB);
	assert_maps(HV_END + 0x123, F_RAM, FOUR_KIB);
	assert_maps(RAM_END - FOUR_KIB, F_RAM, FOUR_KIB);
	/* The same chunk goes on past the end of RAM as MMIO. */
	assert_maps(RAM_END, F_MMIO, FOUR_KIB);
	assert_maps(0xffff000, F_MMIO, FOUR_KIB);
}

static void test_mmio(void **state)
{
	(void)state;
	build_qemu(NULL);
	assert_maps(0x10000000, F_MMIO, TWO_MIB);
	assert_maps(LAPIC, F_MMIO, TWO_MIB);
	assert_maps(0xfec00000, F_MMIO, TWO_MIB);
	assert_maps(FOUR_GIB - 1, F_MMIO, TWO_MIB);
}

static void test_stats(void **state)
{
	struct nested_pt_stats st;

	(void)state;
	memset(&st, 0xff, sizeof(st));
	build_qemu(&st);
	assert_int_equal(st.large_pages, QEMU_LARGE);
	assert_int_equal(st.small_pages, QEMU_SMALL);
	/* Every page handed out is counted, and at least the unavoidable ones were needed. */
	assert_int_equal(st.tables, pool.used - 1);
	assert_true(st.tables >= QEMU_MIN_TBLS);
}

static void test_table_entries(void **state)
{
	const uint64_t *pml4 = pool.pages[0];

	(void)state;
	build_qemu(NULL);
	/* 4 GiB needs one PML4 entry and four PDPT entries, all with the table bits. */
	assert_int_equal(pml4[0] & FLAGS_MASK, F_TABLE);
	for (unsigned i = 1; i < PT_ENTRIES; i++)
		assert_int_equal(pml4[i], 0);
	{
		const uint64_t *pdpt = pool_ptr(pml4[0] & ADDR_MASK, &pool);

		for (unsigned i = 0; i < 4; i++)
			assert_int_equal(pdpt[i] & FLAGS_MASK, F_TABLE);
		for (unsigned i = 4; i < PT_ENTRIES; i++)
			assert_int_equal(pdpt[i], 0);
	}
}

static void test_alloc_failure(void **state)
{
	struct nested_pt_stats st = {0, 0, 0};
	unsigned needed;

	(void)state;
	build_qemu(&st);
	needed = pool.used;
	for (unsigned limit = 1; limit < needed; limit++) {
		setup(NULL);
		pool.limit = limit;
		assert_int_equal(nested_pt_build(ROOT_PA, &qemu_layout, &fmt, &env, &st), -1);
	}
	setup(NULL);
	pool.limit = needed;
	assert_int_equal(nested_pt_build(ROOT_PA, &qemu_layout, &fmt, &env, NULL), 0);
}

static void test_alloc_failure_last_page_table(void **state)
{
	/* A hole in the last chunk: the final allocation is a page table, after every PD. */
	const struct phys_range ram[] = {{0, 8 * MIB}};
	const struct phys_range hole[] = {{6 * MIB + FOUR_KIB, 6 * MIB + 2 * FOUR_KIB}};
	const struct nested_pt_layout l = {
	    .end = 8 * MIB, .ram = ram, .nram = 1, .holes = hole, .nholes = 1};

	(void)state;
	pool.limit = 1 + 2; /* root, PDPT, PD: no room for the page table */
	assert_int_equal(nested_pt_build(ROOT_PA, &l, &fmt, &env, NULL), -1);
	setup(NULL);
	pool.limit = 1 + 3;
	assert_int_equal(nested_pt_build(ROOT_PA, &l, &fmt, &env, NULL), 0);
	assert_unmapped(6 * MIB + FOUR_KIB);
	assert_maps(6 * MIB, F_RAM, FOUR_KIB);
	assert_maps(6 * MIB + 2 * FOUR_KIB, F_RAM, FOUR_KIB);
}

static void test_small_layout_all_ram(void **state)
{
	/* 8 MiB of RAM, no holes: four large pages, one PDPT, one PD. */
	const struct phys_range ram[] = {{0, 8 * MIB}};
	const struct nested_pt_layout l = {.end = 8 * MIB, .ram = ram, .nram = 1};
	struct nested_pt_stats st;

	(void)state;
	assert_int_equal(nested_pt_build(ROOT_PA, &l, &fmt, &env, &st), 0);
	assert_int_equal(st.large_pages, 4);
	assert_int_equal(st.small_pages, 0);
	assert_int_equal(st.tables, 2);
	assert_maps(6 * MIB, F_RAM, TWO_MIB);
	assert_unmapped(8 * MIB);
}

/* Formats with the debugger's protection bits: EPT-like (R=1 W=2 X=4) and NPT-like (P=1 W=2
 * U=4, NX=bit 63), as the backends fill them. */
#define EPT_R  0x1ull
#define EPT_W  0x2ull
#define EPT_X  0x4ull
#define NPT_P  0x1ull
#define NPT_W  0x2ull
#define NPT_U  0x4ull
#define NPT_NX (1ull << 63)
static const struct nested_pt_format ept_fmt = {.table = F_TABLE,
						.leaf_ram = F_RAM,
						.leaf_mmio = F_MMIO,
						.large = F_LARGE,
						.write = EPT_W,
						.access = EPT_R | EPT_W | EPT_X,
						.exec = EPT_X};
static const struct nested_pt_format npt_fmt = {.table = NPT_P | NPT_W | NPT_U,
						.leaf_ram = NPT_P | NPT_W | NPT_U,
						.leaf_mmio = NPT_P | NPT_W | NPT_U,
						.large = F_LARGE,
						.write = NPT_W,
						.access = NPT_P,
						.nx = NPT_NX};
static const struct phys_range ram8[] = {{0, 8 * MIB}};

static uint64_t leaf(const struct nested_pt_format *f, uint64_t gpa, uint64_t *size)
{
	return nested_pt_lookup(ROOT_PA, gpa, f, &env, size);
}

/* Protecting one page splits its 2 MiB page into 512 equal 4 KiB ones; 0 restores it. */
static void test_protect_splits_large_page(void **state)
{
	const struct nested_pt_layout l = {.end = 8 * MIB, .ram = ram8, .nram = 1};
	uint64_t size = 0, e;

	(void)state;
	assert_int_equal(nested_pt_build(ROOT_PA, &l, &ept_fmt, &env, NULL), 0);
	assert_int_equal(nested_pt_protect(ROOT_PA, 0x201234, NESTED_DENY_EXEC, &ept_fmt, &env), 0);
	e = leaf(&ept_fmt, 0x201000, &size);
	assert_int_equal(size, FOUR_KIB);
	assert_int_equal(e & ADDR_MASK, 0x201000);
	assert_int_equal(e & FLAGS_MASK, F_RAM & ~EPT_X);
	for (uint64_t a = TWO_MIB; a < 2 * TWO_MIB; a += 0x3f000) {
		if ((a & ~(FOUR_KIB - 1)) == 0x201000)
			continue;
		e = leaf(&ept_fmt, a, &size);
		assert_int_equal(size, FOUR_KIB);
		assert_int_equal(e & ADDR_MASK, a & ~(FOUR_KIB - 1));
		assert_int_equal(e & FLAGS_MASK, F_RAM);
	}
	leaf(&ept_fmt, 2 * TWO_MIB, &size);
	assert_int_equal(size, TWO_MIB); /* the next 2 MiB page is untouched */
	assert_int_equal(nested_pt_protect(ROOT_PA, 0x201000, 0, &ept_fmt, &env), 0);
	assert_int_equal(leaf(&ept_fmt, 0x201000, NULL) & FLAGS_MASK, F_RAM);
}

/* Each kind of denial in the NPT format: W, P and NX; all together; back to the original. */
static void test_protect_npt_bits(void **state)
{
	const struct nested_pt_layout l = {.end = 8 * MIB, .ram = ram8, .nram = 1};
	const uint64_t rwu = NPT_P | NPT_W | NPT_U, gpa = 0x5000;

	(void)state;
	assert_int_equal(nested_pt_build(ROOT_PA, &l, &npt_fmt, &env, NULL), 0);
	assert_int_equal(nested_pt_protect(ROOT_PA, gpa, NESTED_DENY_WRITE, &npt_fmt, &env), 0);
	assert_int_equal(leaf(&npt_fmt, gpa, NULL) & (FLAGS_MASK | NPT_NX), NPT_P | NPT_U);
	assert_int_equal(nested_pt_protect(ROOT_PA, gpa, NESTED_DENY_ACCESS, &npt_fmt, &env), 0);
	assert_int_equal(leaf(&npt_fmt, gpa, NULL) & (FLAGS_MASK | NPT_NX), NPT_W | NPT_U);
	assert_int_equal(nested_pt_protect(ROOT_PA, gpa, NESTED_DENY_EXEC, &npt_fmt, &env), 0);
	assert_int_equal(leaf(&npt_fmt, gpa, NULL) & (FLAGS_MASK | NPT_NX), rwu | NPT_NX);
	assert_int_equal(
	    nested_pt_protect(ROOT_PA, gpa,
			      NESTED_DENY_EXEC | NESTED_DENY_WRITE | NESTED_DENY_ACCESS, &npt_fmt,
			      &env),
	    0);
	assert_int_equal(leaf(&npt_fmt, gpa, NULL) & (FLAGS_MASK | NPT_NX), NPT_U | NPT_NX);
	assert_int_equal(nested_pt_protect(ROOT_PA, gpa, 0, &npt_fmt, &env), 0);
	assert_int_equal(leaf(&npt_fmt, gpa, NULL) & (FLAGS_MASK | NPT_NX), rwu);
	assert_int_equal(leaf(&npt_fmt, gpa, NULL) & ADDR_MASK, gpa);
}

/* A page built read-only (the local APIC, a ROM shadow) stays read-only when restored; a
 * page the tables do not map cannot be protected. */
static void test_protect_keeps_readonly(void **state)
{
	const struct phys_range ro[] = {{0x3000, 0x4000}};
	const struct phys_range hole[] = {{6 * MIB, 8 * MIB}};
	const struct nested_pt_layout l = {.end = 8 * MIB,
					   .ram = ram8,
					   .nram = 1,
					   .holes = hole,
					   .nholes = 1,
					   .readonly = ro,
					   .nreadonly = 1};

	(void)state;
	assert_int_equal(nested_pt_build(ROOT_PA, &l, &ept_fmt, &env, NULL), 0);
	assert_int_equal(leaf(&ept_fmt, 0x3000, NULL) & FLAGS_MASK, F_RAM & ~EPT_W);
	assert_int_equal(nested_pt_protect(ROOT_PA, 0x3000, NESTED_DENY_EXEC, &ept_fmt, &env), 0);
	assert_int_equal(leaf(&ept_fmt, 0x3000, NULL) & FLAGS_MASK, F_RAM & ~EPT_W & ~EPT_X);
	assert_int_equal(nested_pt_protect(ROOT_PA, 0x3000, 0, &ept_fmt, &env), 0);
	assert_int_equal(leaf(&ept_fmt, 0x3000, NULL) & FLAGS_MASK, F_RAM & ~EPT_W);
	assert_int_equal(nested_pt_protect(ROOT_PA, 7 * MIB, NESTED_DENY_EXEC, &ept_fmt, &env), -1);
	assert_int_equal(nested_pt_protect(ROOT_PA, FOUR_GIB, NESTED_DENY_EXEC, &ept_fmt, &env),
			 -1);
}

/* Device memory above the built map (OVMF's 64-bit BAR at 0xe000000000): mapped on demand
 * as a 2 MiB MMIO leaf with its new PDPT and PD, once; an existing entry is left alone. */
static void test_map_device_above_map(void **state)
{
	const uint64_t bar = 0xe000000000ull;

	(void)state;
	build_qemu(NULL);
	assert_unmapped(bar + 0x1c);
	assert_int_equal(nested_pt_map_device(ROOT_PA, bar + 0x1c, &fmt, &env), 0);
	assert_maps(bar + 0x1c, F_MMIO, TWO_MIB);
	assert_maps(bar + TWO_MIB - 1, F_MMIO, TWO_MIB);
	assert_unmapped(bar + TWO_MIB);
	assert_int_equal(nested_pt_map_device(ROOT_PA, bar, &fmt, &env), -1);
	assert_int_equal(nested_pt_map_device(ROOT_PA, RAM_START, &fmt, &env), -1);
	assert_maps(RAM_START, F_RAM, FOUR_KIB);
	pool.limit = pool.used; /* no page left for the next GiB's page directory */
	assert_int_equal(nested_pt_map_device(ROOT_PA, bar + (1ull << 30), &fmt, &env), -1);
	assert_unmapped(bar + (1ull << 30));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_hole_unmapped, setup),
	    cmocka_unit_test_setup(test_ram_identity, setup),
	    cmocka_unit_test_setup(test_split_chunk_after_hole, setup),
	    cmocka_unit_test_setup(test_mmio, setup),
	    cmocka_unit_test_setup(test_stats, setup),
	    cmocka_unit_test_setup(test_table_entries, setup),
	    cmocka_unit_test_setup(test_alloc_failure, setup),
	    cmocka_unit_test_setup(test_alloc_failure_last_page_table, setup),
	    cmocka_unit_test_setup(test_small_layout_all_ram, setup),
	    cmocka_unit_test_setup(test_protect_splits_large_page, setup),
	    cmocka_unit_test_setup(test_protect_npt_bits, setup),
	    cmocka_unit_test_setup(test_protect_keeps_readonly, setup),
	    cmocka_unit_test_setup(test_map_device_above_map, setup),
	};

	return cmocka_run_group_tests_name("nested_pt", tests, NULL, NULL);
}
