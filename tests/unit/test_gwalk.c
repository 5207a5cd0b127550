/* test_gwalk.c - cmocka tests for the guest page-table walker in core/gwalk.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/paging/gwalk.h"

#define MEM_SIZE       (1u << 20) /* fake guest RAM holding the paging structures */
#define NO_FAIL	       UINT64_MAX
#define P	       GWALK_PTE_P
#define RW	       (1ull << 1)
#define PS	       GWALK_PTE_PS
#define PG	       CR0_PG
#define PE	       1ull /* CR0.PE */
#define PAE	       CR4_PAE
#define PSE	       CR4_PSE
#define LA57	       CR4_LA57
#define LMA	       (EFER_LMA | (1ull << 8)) /* with LME */
#define NXE	       EFER_NXE
#define IDX(va, shift) (((va) >> (shift)) & 0x1ff)

struct fake_mem {
	uint8_t *buf;
	uint64_t fail_at; /* a read of this address fails */
	unsigned reads;
	struct gwalk_ctx c;
};

static bool fake_read(uint64_t gpa, void *buf, size_t len, void *ctx)
{
	struct fake_mem *m = ctx;

	assert_true(len == 4 || len == 8);
	if (gpa >= MEM_SIZE || len > MEM_SIZE - gpa || gpa == m->fail_at)
		return false;
	assert_int_equal(gpa % len, 0); /* entries are naturally aligned */
	memcpy(buf, m->buf + gpa, len);
	m->reads++;
	return true;
}

static void put32(struct fake_mem *m, uint64_t gpa, uint32_t v)
{
	assert_true(gpa + 4 <= MEM_SIZE);
	memcpy(m->buf + gpa, &v, 4);
}

static void put64(struct fake_mem *m, uint64_t gpa, uint64_t v)
{
	assert_true(gpa + 8 <= MEM_SIZE);
	memcpy(m->buf + gpa, &v, 8);
}

static void set_regs(struct fake_mem *m, uint64_t cr0, uint64_t cr3, uint64_t cr4, uint64_t efer)
{
	m->c = (struct gwalk_ctx){
	    .cr0 = cr0, .cr3 = cr3, .cr4 = cr4, .efer = efer, .read_phys = fake_read, .ctx = m};
}

static int setup(void **state)
{
	struct fake_mem *m = calloc(1, sizeof(*m));

	if (!m || !(m->buf = calloc(1, MEM_SIZE)))
		return -1;
	m->fail_at = NO_FAIL;
	*state = m;
	return 0;
}

static int teardown(void **state)
{
	struct fake_mem *m = *state;

	free(m->buf);
	free(m);
	return 0;
}

/* Translate and require @want at @want_size. */
static void expect_ok(struct fake_mem *m, uint64_t gva, uint64_t want, uint64_t want_size)
{
	uint64_t gpa = 0, size = 0;

	assert_int_equal(gwalk_translate(&m->c, gva, &gpa, &size), GWALK_OK);
	assert_int_equal(gpa, want);
	assert_int_equal(size, want_size);
	assert_int_equal(gwalk_translate(&m->c, gva, &gpa, NULL), GWALK_OK); /* size optional */
	assert_int_equal(gpa, want);
}

static enum gwalk_status xlate(struct fake_mem *m, uint64_t gva)
{
	uint64_t gpa;

	return gwalk_translate(&m->c, gva, &gpa, NULL);
}

static void test_paging_off(void **state)
{
	struct fake_mem *m = *state;

	set_regs(m, PE, 0x1000, PAE, 0);
	expect_ok(m, 0x12345678, 0x12345678, GWALK_PAGE_4K);
	expect_ok(m, 0x100000abcull, 0xabc, GWALK_PAGE_4K); /* 32-bit wrap */
	set_regs(m, 0, 0, 0, 0);
	expect_ok(m, 0xfffff, 0xfffff, GWALK_PAGE_4K);
	assert_int_equal(m->reads, 0);
}

/* 32-bit paging, CR3 = 0x1000 (with PWT/PCD set), one PT at 0x2000. */
static void build32(struct fake_mem *m, uint32_t va, uint32_t pte)
{
	set_regs(m, PG | PE, 0x1000 | 0x18, 0, 0);
	put32(m, 0x1000 + (va >> 22) * 4, 0x2000 | RW | P);
	put32(m, 0x2000 + ((va >> 12) & 0x3ff) * 4, pte);
}

static void test_32bit_4k(void **state)
{
	struct fake_mem *m = *state;

	build32(m, 0xc0123456, 0xabcde000 | RW | P);
	expect_ok(m, 0xc0123456, 0xabcde456, GWALK_PAGE_4K);
	expect_ok(m, 0xc0123fff, 0xabcdefff, GWALK_PAGE_4K);
	expect_ok(m, 0x1c0123000ull, 0xabcde000, GWALK_PAGE_4K);   /* only bits 31:0 count */
	assert_int_equal(xlate(m, 0xc0124000), GWALK_NOT_PRESENT); /* next PTE empty */
	assert_int_equal(xlate(m, 0x00123000), GWALK_NOT_PRESENT); /* PDE empty */
	/* Without CR4.PSE, PS in a PDE is ignored: still a page-table pointer. */
	put32(m, 0x1000 + (0xc0123456 >> 22) * 4, 0x2000 | PS | P);
	expect_ok(m, 0xc0123456, 0xabcde456, GWALK_PAGE_4K);
	/* Other bits in a 4-KByte PTE (PAT, G, ignored) are not reserved. */
	build32(m, 0xc0123456, 0xabcde000 | 0xf80 | P);
	expect_ok(m, 0xc0123456, 0xabcde456, GWALK_PAGE_4K);
}

static void test_32bit_4m_pse36(void **state)
{
	struct fake_mem *m = *state;
	uint32_t va = 0x87abcdef, pde_at = 0x1000 + (va >> 22) * 4;

	set_regs(m, PG | PE, 0x1000, PSE, 0);
	put32(m, pde_at, 0x12c00000 | PS | P);
	expect_ok(m, va, 0x12c00000 | (va & 0x3fffff), GWALK_PAGE_4M);
	put32(m, pde_at, 0x12c00000 | (0x5au << 13) | PS | P); /* PSE-36: bits 39:32 = 0x5a */
	expect_ok(m, va, 0x5a12c00000ull | (va & 0x3fffff), GWALK_PAGE_4M);
	put32(m, pde_at, 0x12c00000 | PS | P | (1u << 21)); /* bit 21 is always reserved */
	assert_int_equal(xlate(m, va), GWALK_RESERVED_BIT);
	/* MAXPHYADDR 36: only PDE bits 16:13 carry address, 21:17 are reserved. */
	m->c.maxphyaddr = 36;
	put32(m, pde_at, 0x12c00000 | (0xau << 13) | PS | P);
	expect_ok(m, va, 0xa12c00000ull | (va & 0x3fffff), GWALK_PAGE_4M);
	put32(m, pde_at, 0x12c00000 | (0x1au << 13) | PS | P);
	assert_int_equal(xlate(m, va), GWALK_RESERVED_BIT);
	put32(m, pde_at, 0x12c00000 | PS); /* not present: reserved bits do not matter */
	assert_int_equal(xlate(m, va), GWALK_NOT_PRESENT);
}

/* PAE: PDPT at 0x3020 (32-byte aligned), PD at 0x4000, PT at 0x5000. */
static void build_pae(struct fake_mem *m, uint32_t va, uint64_t pte)
{
	set_regs(m, PG | PE, 0x3020, PAE, 0);
	put64(m, 0x3020 + (va >> 30) * 8, 0x4000 | P);
	put64(m, 0x4000 + IDX(va, 21) * 8, 0x5000 | RW | P);
	put64(m, 0x5000 + IDX(va, 12) * 8, pte);
}

static void test_pae(void **state)
{
	struct fake_mem *m = *state;
	uint32_t va = 0x80654321;
	uint64_t pdpte_at = 0x3020 + 2 * 8, pde_at = 0x4000 + IDX(va, 21) * 8;

	build_pae(m, va, 0x123456000ull | RW | P); /* above 4 GiB */
	expect_ok(m, va, 0x123456321ull, GWALK_PAGE_4K);
	assert_int_equal(xlate(m, 0x00654321), GWALK_NOT_PRESENT);    /* PDPTE 0 */
	assert_int_equal(xlate(m, va + 0x1000), GWALK_NOT_PRESENT);   /* PTE */
	assert_int_equal(xlate(m, va + 0x200000), GWALK_NOT_PRESENT); /* PDE */
	/* XD is reserved unless EFER.NXE. */
	put64(m, 0x5000 + IDX(va, 12) * 8, GWALK_PTE_XD | 0x123456000ull | P);
	assert_int_equal(xlate(m, va), GWALK_RESERVED_BIT);
	m->c.efer = NXE;
	expect_ok(m, va, 0x123456321ull, GWALK_PAGE_4K);
	/* 2 MiB page, and its reserved bits 20:13. */
	put64(m, pde_at, 0x240000000ull | PS | P);
	expect_ok(m, va, 0x240000000ull | (va & 0x1fffff), GWALK_PAGE_2M);
	put64(m, pde_at, 0x240000000ull | (1ull << 13) | PS | P);
	assert_int_equal(xlate(m, va), GWALK_RESERVED_BIT);
	/* PDPTE: bits 2:1 and 8:5 are reserved (no R/W, U/S, A there), so is bit 63. */
	put64(m, pde_at, 0x240000000ull | PS | P);
	put64(m, pdpte_at, 0x4000 | RW | P);
	assert_int_equal(xlate(m, va), GWALK_RESERVED_BIT);
	put64(m, pdpte_at, GWALK_PTE_XD | 0x4000 | P);
	assert_int_equal(xlate(m, va), GWALK_RESERVED_BIT);
	/* MAXPHYADDR: address bits at or above it are reserved. */
	put64(m, pdpte_at, 0x4000 | P);
	put64(m, pde_at, (1ull << 40) | 0x5000 | P);
	m->c.maxphyaddr = 40;
	assert_int_equal(xlate(m, va), GWALK_RESERVED_BIT);
}

/* 4-level: PML4 at 0x10000, PDPT 0x11000, PD 0x12000, PT 0x13000 for @va. */
static void build64(struct fake_mem *m, uint64_t va, uint64_t pte)
{
	set_regs(m, PG | PE, 0x10000 | 0x3, PAE, LMA); /* low CR3 bits: PCID */
	put64(m, 0x10000 + IDX(va, 39) * 8, 0x11000 | RW | P);
	put64(m, 0x11000 + IDX(va, 30) * 8, 0x12000 | RW | P);
	put64(m, 0x12000 + IDX(va, 21) * 8, 0x13000 | RW | P);
	put64(m, 0x13000 + IDX(va, 12) * 8, pte);
}

static void test_4level(void **state)
{
	struct fake_mem *m = *state;
	uint64_t va = 0xffff800012345678ull;
	uint64_t pml4e_at = 0x10000 + IDX(va, 39) * 8, pdpte_at = 0x11000 + IDX(va, 30) * 8;
	uint64_t pde_at = 0x12000 + IDX(va, 21) * 8, pte_at = 0x13000 + IDX(va, 12) * 8;

	build64(m, va, 0xdeadb000ull | P);
	expect_ok(m, va, 0xdeadb678ull, GWALK_PAGE_4K);
	assert_int_equal(m->reads, 8);
	/* Bits 62:52 are ignored (protection keys, software). */
	put64(m, pte_at, (0x7ffull << 52) | 0xdeadb000ull | P);
	expect_ok(m, va, 0xdeadb678ull, GWALK_PAGE_4K);
	put64(m, pte_at, GWALK_PTE_XD | (1ull << 45) | 0xdeadb000ull | P);
	assert_int_equal(xlate(m, va), GWALK_RESERVED_BIT); /* XD without NXE */
	m->c.efer |= NXE;
	expect_ok(m, va, (1ull << 45) | 0xdeadb678ull, GWALK_PAGE_4K);
	m->c.maxphyaddr = 40;
	assert_int_equal(xlate(m, va), GWALK_RESERVED_BIT); /* bit 45 >= MAXPHYADDR */
	m->c.maxphyaddr = 0;

	/* 2 MiB and 1 GiB pages, with their reserved low address bits. */
	put64(m, pde_at, 0x7fe00000ull | PS | P);
	expect_ok(m, va, 0x7fe00000ull | (va & 0x1fffff), GWALK_PAGE_2M);
	put64(m, pde_at, 0x7fe00000ull | (1ull << 20) | PS | P);
	assert_int_equal(xlate(m, va), GWALK_RESERVED_BIT);
	put64(m, pde_at, 0x7fe00000ull | (1ull << 12) | PS | P); /* PAT bit: fine */
	expect_ok(m, va, 0x7fe00000ull | (va & 0x1fffff), GWALK_PAGE_2M);
	put64(m, pdpte_at, 0x3c0000000ull | PS | P);
	expect_ok(m, va, 0x3c0000000ull | (va & 0x3fffffff), GWALK_PAGE_1G);
	put64(m, pdpte_at, 0x3c0000000ull | (1ull << 29) | PS | P);
	assert_int_equal(xlate(m, va), GWALK_RESERVED_BIT);
	put64(m, pml4e_at, PS | P); /* PS is reserved in a PML4E (no 512 GiB pages) */
	assert_int_equal(xlate(m, va), GWALK_RESERVED_BIT);

	/* Not present at each level. */
	for (int level = 0; level < 4; level++) {
		uint64_t at[] = {pml4e_at, pdpte_at, pde_at, pte_at};

		build64(m, va, 0xdeadb000ull | P);
		put64(m, at[level], 0x12000 | RW); /* P = 0 */
		assert_int_equal(xlate(m, va), GWALK_NOT_PRESENT);
	}
}

static void test_canonical(void **state)
{
	struct fake_mem *m = *state;

	build64(m, 0x00007ffffffff000ull, 0x5000 | P);
	expect_ok(m, 0x00007fffffffffffull, 0x5fff, GWALK_PAGE_4K);
	assert_int_equal(xlate(m, 0x0000800000000000ull), GWALK_NON_CANONICAL);
	assert_int_equal(xlate(m, 0xffff7fffffffffffull), GWALK_NON_CANONICAL);
	assert_int_equal(xlate(m, 0x8000000000000000ull), GWALK_NON_CANONICAL);
	assert_int_equal(xlate(m, 0xffff800000000000ull), GWALK_NOT_PRESENT); /* canonical */
	m->c.cr4 |= LA57;
	assert_int_equal(xlate(m, 0x0000800000000000ull), GWALK_NOT_PRESENT); /* 57-bit ok */
	assert_int_equal(xlate(m, 0x0100000000000000ull), GWALK_NON_CANONICAL);
	assert_int_equal(xlate(m, 0xfeffffffffffffffull), GWALK_NON_CANONICAL);
	/* Outside IA-32e mode there is no canonical check, only truncation. */
	set_regs(m, PG | PE, 0x3020, PAE, 0);
	assert_int_equal(xlate(m, 0x8000000000000000ull), GWALK_NOT_PRESENT);
}

static void test_5level(void **state)
{
	struct fake_mem *m = *state;
	uint64_t va = 0xff12345678abcdefull; /* PML5 index 0x112 */
	uint64_t pml5e_at = 0x20000 + IDX(va, 48) * 8;

	build64(m, va, 0x9876000ull | P);
	set_regs(m, PG | PE, 0x20000, PAE | LA57, LMA);
	put64(m, pml5e_at, 0x10000 | RW | P);
	expect_ok(m, va, 0x9876defull, GWALK_PAGE_4K);
	assert_int_equal(m->reads, 10);
	put64(m, pml5e_at, 0x10000 | RW);
	assert_int_equal(xlate(m, va), GWALK_NOT_PRESENT);
	put64(m, pml5e_at, PS | P); /* PS is reserved in a PML5E */
	assert_int_equal(xlate(m, va), GWALK_RESERVED_BIT);
	/* Large pages still work one level down. */
	put64(m, pml5e_at, 0x10000 | P);
	put64(m, 0x11000 + IDX(va, 30) * 8, 0x40000000ull | PS | P);
	expect_ok(m, va, 0x40000000ull | (va & 0x3fffffff), GWALK_PAGE_1G);
}

static void test_read_failures(void **state)
{
	struct fake_mem *m = *state;
	uint64_t va = 0xffff800012345678ull;

	build64(m, va, 0xdeadb000ull | P);
	m->fail_at = 0x13000 + IDX(va, 12) * 8;
	assert_int_equal(xlate(m, va), GWALK_READ_FAILED);
	m->fail_at = NO_FAIL;
	m->c.cr3 = 0x40000000; /* outside the fake RAM */
	assert_int_equal(xlate(m, va), GWALK_READ_FAILED);
	build32(m, 0xc0123456, 0xabcde000 | P);
	m->fail_at = 0x1000 + (0xc0123456 >> 22) * 4;
	assert_int_equal(xlate(m, 0xc0123456), GWALK_READ_FAILED);
	m->fail_at = 0x3020;
	build_pae(m, 0x00001000, 0x5000 | P);
	assert_int_equal(xlate(m, 0x00001000), GWALK_READ_FAILED);
	m->fail_at = NO_FAIL;
	expect_ok(m, 0x00001000, 0x5000, GWALK_PAGE_4K);
}

static void test_offsets_preserved(void **state)
{
	struct fake_mem *m = *state;
	uint64_t base = 0xffffc90000000000ull, pde_at;

	build64(m, base, 0x1234000ull | P);
	pde_at = 0x12000 + IDX(base, 21) * 8;
	for (uint64_t off = 0; off < 0x1000; off += 0x1ff)
		expect_ok(m, base + off, 0x1234000ull + off, GWALK_PAGE_4K);
	put64(m, pde_at, 0x5600000ull | PS | P);
	for (uint64_t off = 0; off < GWALK_PAGE_2M; off += 0x3fff1)
		expect_ok(m, base + off, 0x5600000ull + off, GWALK_PAGE_2M);
	put64(m, 0x11000 + IDX(base, 30) * 8, 0x80000000ull | PS | P);
	for (uint64_t off = 0; off < GWALK_PAGE_1G; off += 0x7ffffff)
		expect_ok(m, base + off, 0x80000000ull + off, GWALK_PAGE_1G);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_paging_off), T(test_32bit_4k),      T(test_32bit_4m_pse36),
	    T(test_pae),	T(test_4level),	       T(test_canonical),
	    T(test_5level),	T(test_read_failures), T(test_offsets_preserved),
	};

	return cmocka_run_group_tests_name("gwalk", tests, NULL, NULL);
}
