/* fuzz_gwalk.c - libFuzzer target: the guest page walker over page tables and control
 * registers taken from the input. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/paging/gwalk.h"
#include "fuzz_util.h"

/*
 * Input: a header of little-endian fields, then the fake guest-physical memory, which
 * starts at mem_base (its low 12 bits cleared, so tables can be page aligned in it).
 */
enum {
	IN_CR0 = 0,
	IN_CR3 = 8,
	IN_CR4 = 16,
	IN_EFER = 24,
	IN_GVA = 32,
	IN_MEM_BASE = 40,
	IN_MAXPHYADDR = 48,
	IN_HEADER = 49,
};

#define PAGE_MASK_4K   (GWALK_PAGE_4K - 1)
#define MAX_LEVELS     5 /* 5-level paging reads the most entries */
#define MAXPHYADDR_MAX 52
#define MAXPHYADDR_MIN 32
#define PSE36_MAX      40 /* 32-bit paging reaches at most 40 physical address bits */
#define LIMIT_4G       (1ull << 32)
#define PDE32_FRAME    0xfffff000u /* 32-bit paging: CR3 and PDE bits 31:12 */
#define PDE32_SHIFT    22
#define PTE32_INDEX    0x3ffu
#define PAE_CR3_MASK   0xffffffe0u /* PAE: the PDPT at CR3 bits 31:5 */
#define PAE_PDPT_SHIFT 30
#define LA48_TOP_SHIFT 39 /* PML4 index: linear address bits 47:39 */
#define LA57_TOP_SHIFT 48 /* PML5 index: bits 56:48 */
#define TABLE_INDEX    0x1ffu

struct fake_phys {
	const uint8_t *mem; /* exactly @size bytes: ASan sees any access past them */
	uint64_t base, size;
	unsigned reads;
	uint64_t at[MAX_LEVELS];    /* where each read was */
	size_t len[MAX_LEVELS];	    /* and how many bytes */
	uint64_t entry[MAX_LEVELS]; /* what it returned */
	uint64_t last_entry;	    /* the last entry read */
	bool last_ok;		    /* whether the last read succeeded */
};

static uint64_t rd(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

static bool fake_read(uint64_t gpa, void *buf, size_t len, void *ctx)
{
	struct fake_phys *f = ctx;
	unsigned k = f->reads++;

	/* The walker terminates: never more reads than the deepest paging mode has levels. */
	CHECK(k < MAX_LEVELS);
	CHECK(len == 4 || len == 8);
	CHECK(gpa % len == 0); /* entries are naturally aligned, so none straddles a page */
	f->at[k] = gpa;
	f->len[k] = len;
	f->last_ok = gpa >= f->base && gpa - f->base <= f->size && len <= f->size - (gpa - f->base);
	if (!f->last_ok)
		return false;
	memcpy(buf, f->mem + (gpa - f->base), len);
	f->entry[k] = f->last_entry = rd(f->mem + (gpa - f->base), len);
	return true;
}

/* The guest's MAXPHYADDR as the walker clamps it. */
static unsigned phys_bits(uint8_t m)
{
	if (!m || m > MAXPHYADDR_MAX)
		return MAXPHYADDR_MAX;
	return m < MAXPHYADDR_MIN ? MAXPHYADDR_MIN : m;
}

/* Entries read for a page of @size in this mode (0: size impossible there). */
static unsigned levels(const struct gwalk_ctx *c, uint64_t size)
{
	if (!(c->cr0 & CR0_PG))
		return size == GWALK_PAGE_4K ? 0 : MAX_LEVELS + 1;
	if (c->efer & EFER_LMA) {
		unsigned top = c->cr4 & CR4_LA57 ? 5 : 4;

		return size == GWALK_PAGE_4K   ? top
		       : size == GWALK_PAGE_2M ? top - 1
		       : size == GWALK_PAGE_1G ? top - 2
					       : 0;
	}
	if (c->cr4 & CR4_PAE)
		return size == GWALK_PAGE_4K ? 3 : size == GWALK_PAGE_2M ? 2 : 0;
	if (size == GWALK_PAGE_4M)
		return c->cr4 & CR4_PSE ? 1 : 0;
	return size == GWALK_PAGE_4K ? 2 : 0;
}

/* Physical address bits 51:12 of an entry or CR3, below MAXPHYADDR @m. */
static uint64_t frame(uint64_t v, unsigned m)
{
	return v & ((1ull << m) - 1) & ~PAGE_MASK_4K;
}

/* Each read is the entry @gva selects in the table the previous entry (or CR3) points to
 * (SDM vol. 3A, 4.3, 4.4.2, 4.5.4): the walk follows the guest's tables and nothing else. */
static void check_chain(const struct gwalk_ctx *c, const struct fake_phys *f, uint64_t gva)
{
	unsigned m = phys_bits(c->maxphyaddr), shift;
	uint32_t va = (uint32_t)gva;
	uint64_t table;

	if (!(c->cr0 & CR0_PG)) {
		CHECK(f->reads == 0);
		return;
	}
	if (!(c->efer & EFER_LMA) && !(c->cr4 & CR4_PAE)) { /* 32-bit: 1024 four-byte entries */
		CHECK(f->reads >= 1 && f->reads <= 2 && f->len[0] == 4);
		CHECK(f->at[0] == (c->cr3 & PDE32_FRAME) + (va >> PDE32_SHIFT) * 4);
		CHECK(f->reads < 2 ||
		      (f->len[1] == 4 &&
		       f->at[1] == (f->entry[0] & PDE32_FRAME) + ((va >> 12) & PTE32_INDEX) * 4));
		return;
	}
	if (c->efer & EFER_LMA) {
		shift = c->cr4 & CR4_LA57 ? LA57_TOP_SHIFT : LA48_TOP_SHIFT;
		table = frame(c->cr3, m);
	} else { /* PAE: four PDPTEs at CR3 bits 31:5 */
		CHECK(f->reads >= 1 && f->len[0] == 8);
		CHECK(f->at[0] == (c->cr3 & PAE_CR3_MASK) + (va >> PAE_PDPT_SHIFT) * 8);
		shift = PAE_PDPT_SHIFT - 9;
		table = frame(f->entry[0], m);
		gva = va;
	}
	for (unsigned k = c->efer & EFER_LMA ? 0 : 1; k < f->reads; k++, shift -= 9) {
		CHECK(f->len[k] == 8 && f->at[k] == table + ((gva >> shift) & TABLE_INDEX) * 8);
		table = frame(f->entry[k], m);
	}
}

/* A successful translation: a page size of the mode, reached by the right number of
 * reads ending on a present entry, @gva's offset kept, and the address within MAXPHYADDR. */
static void check_ok(const struct gwalk_ctx *c, const struct fake_phys *f, uint64_t gva,
		     uint64_t gpa, uint64_t size)
{
	unsigned m = phys_bits(c->maxphyaddr);

	CHECK(levels(c, size) == f->reads);
	CHECK((gpa & (size - 1)) == (gva & (size - 1)));
	if (!(c->cr0 & CR0_PG)) {
		CHECK(gpa == (gva & (LIMIT_4G - 1)));
		return;
	}
	CHECK(f->last_ok && (f->last_entry & GWALK_PTE_P));
	if (c->efer & EFER_LMA || c->cr4 & CR4_PAE) {
		CHECK(gpa >> m == 0);
		/* The frame is the last entry's address bits. */
		CHECK((gpa & ~(size - 1)) == (f->last_entry & ((1ull << m) - 1) & ~(size - 1)));
	} else {
		CHECK(gpa >> (m < PSE36_MAX ? m : PSE36_MAX) == 0);
		CHECK(size == GWALK_PAGE_4M || gpa < LIMIT_4G);
		CHECK(size == GWALK_PAGE_4M ||
		      (gpa & ~(size - 1)) == (f->last_entry & (LIMIT_4G - 1) & ~(size - 1)));
	}
}

/* A failure: it says which of the reads or checks stopped the walk. */
static void check_fail(const struct gwalk_ctx *c, const struct fake_phys *f, enum gwalk_status s)
{
	switch (s) {
	case GWALK_NON_CANONICAL:
		CHECK((c->cr0 & CR0_PG) && (c->efer & EFER_LMA) && f->reads == 0);
		break;
	case GWALK_READ_FAILED:
		CHECK(f->reads > 0 && !f->last_ok);
		break;
	case GWALK_NOT_PRESENT:
		CHECK(f->reads > 0 && f->last_ok && !(f->last_entry & GWALK_PTE_P));
		break;
	case GWALK_RESERVED_BIT:
		CHECK(f->reads > 0 && f->last_ok && (f->last_entry & GWALK_PTE_P));
		break;
	default:
		CHECK(false);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fake_phys f = {0};
	struct gwalk_ctx c;
	uint64_t gva, gpa = 0, page = 0, gpa2 = 0;
	enum gwalk_status s;
	uint8_t *mem;

	if (size < IN_HEADER)
		return 0;
	mem = fuzz_dup(data + IN_HEADER, size - IN_HEADER);
	f.mem = mem;
	f.size = size - IN_HEADER;
	f.base = rd(data + IN_MEM_BASE, 8) & ~PAGE_MASK_4K;
	c = (struct gwalk_ctx){.cr0 = rd(data + IN_CR0, 8),
			       .cr3 = rd(data + IN_CR3, 8),
			       .cr4 = rd(data + IN_CR4, 8),
			       .efer = rd(data + IN_EFER, 8),
			       .read_phys = fake_read,
			       .ctx = &f,
			       .maxphyaddr = data[IN_MAXPHYADDR]};
	gva = rd(data + IN_GVA, 8);

	s = gwalk_translate(&c, gva, &gpa, &page);
	CHECK(s >= GWALK_OK && s <= GWALK_NON_CANONICAL);
	check_chain(&c, &f, gva);
	if (s == GWALK_OK)
		check_ok(&c, &f, gva, gpa, page);
	else
		check_fail(&c, &f, s);

	/* Again without a page size: the same answer. */
	f.reads = 0;
	CHECK(gwalk_translate(&c, gva, &gpa2, NULL) == s);
	CHECK(s != GWALK_OK || gpa2 == gpa);
	free(mem);
	return 0;
}
