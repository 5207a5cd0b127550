/* gwalk.c - software walk of the guest's paging structures (SDM vol. 3A, chapter 4). */
#include "gwalk.h"

#include "core/hw/string.h"

#define MAXPHYADDR_MAX 52	/* SDM vol. 3A, 4.1.4 */
#define ENTRIES_SHIFT  9	/* 512 eight-byte entries per table (PAE, 4- and 5-level) */
#define PAE_PDPTE_RSVD 0x1e6ull /* PDPTE bits 2:1 and 8:5 (SDM vol. 3A, table 4-8) */

/* Bits @hi..@lo set (hi >= lo, both < 64). */
static uint64_t bits(unsigned hi, unsigned lo)
{
	return (~0ull >> (63 - hi)) & ~((1ull << lo) - 1);
}

static unsigned maxphyaddr(const struct gwalk_ctx *c)
{
	if (!c->maxphyaddr || c->maxphyaddr > MAXPHYADDR_MAX)
		return MAXPHYADDR_MAX;
	return c->maxphyaddr < 32 ? 32 : c->maxphyaddr;
}

/* Read one little-endian paging-structure entry of @size (4 or 8) bytes: is it present? */
static enum gwalk_status read_entry(const struct gwalk_ctx *c, uint64_t addr, size_t size,
				    uint64_t *entry)
{
	uint8_t b[8];

	if (!c->read_phys(addr, b, size, c->ctx))
		return GWALK_READ_FAILED;
	*entry = 0;
	for (size_t k = 0; k < size; k++)
		*entry |= (uint64_t)b[k] << (8 * k);
	return (*entry & GWALK_PTE_P) ? GWALK_OK : GWALK_NOT_PRESENT;
}

static enum gwalk_status done(uint64_t base, uint64_t size, uint64_t va, uint64_t *gpa,
			      uint64_t *page_size)
{
	*gpa = (base & ~(size - 1)) | (va & (size - 1));
	if (page_size)
		*page_size = size;
	return GWALK_OK;
}

/* 32-bit paging (SDM vol. 3A, 4.3, tables 4-4 to 4-6). */
static enum gwalk_status walk32(const struct gwalk_ctx *c, uint32_t va, uint64_t *gpa,
				uint64_t *page_size)
{
	uint64_t pde, pte;
	enum gwalk_status st = read_entry(c, (c->cr3 & bits(31, 12)) + (va >> 22) * 4, 4, &pde);

	if (st != GWALK_OK)
		return st;
	if ((c->cr4 & CR4_PSE) && (pde & GWALK_PTE_PS)) {
		/* 4-MByte page: PSE-36 puts bits (M-1):32, M = min(MAXPHYADDR, 40), in PDE bits
		 * (M-20):13; bits 21:(M-19) are reserved (table 4-4). */
		unsigned m = maxphyaddr(c) < 40 ? maxphyaddr(c) : 40;
		uint64_t high = m > 32 ? (pde >> GWALK_PDE32_PSE36_SHIFT) & bits(m - 33, 0) : 0;

		if (pde & bits(21, m - 19))
			return GWALK_RESERVED_BIT;
		return done((pde & bits(31, 22)) | high << 32, GWALK_PAGE_4M, va, gpa, page_size);
	}
	st = read_entry(c, (pde & bits(31, 12)) + ((va >> 12) & 0x3ff) * 4, 4, &pte);
	if (st != GWALK_OK)
		return st;
	return done(pte & bits(31, 12), GWALK_PAGE_4K, va, gpa, page_size);
}

/* Walk 512-entry tables from @table, indexed by @va bits (@shift + 8):@shift, down to 4 KiB:
 * 4/5-level paging (4.5, tables 4-14 to 4-20) and PAE's PD/PT (4.4.2, tables 4-9 to 4-11). */
static enum gwalk_status walk_tables(const struct gwalk_ctx *c, uint64_t table, unsigned shift,
				     uint64_t va, uint64_t *gpa, uint64_t *page_size)
{
	unsigned m = maxphyaddr(c);
	uint64_t addr_mask = bits(m - 1, 12);
	/* Bits 51:M, and XD unless EFER.NXE (4.4.2, 4.5.4). */
	uint64_t rsvd = (m < MAXPHYADDR_MAX ? bits(MAXPHYADDR_MAX - 1, m) : 0) |
			((c->efer & EFER_NXE) ? 0 : GWALK_PTE_XD);

	for (;; shift -= ENTRIES_SHIFT) {
		uint64_t e, index = (va >> shift) & bits(ENTRIES_SHIFT - 1, 0);
		enum gwalk_status st = read_entry(c, table + index * 8, 8, &e);

		if (st != GWALK_OK)
			return st;
		if (e & rsvd)
			return GWALK_RESERVED_BIT;
		if (shift == 12)
			return done(e & addr_mask, GWALK_PAGE_4K, va, gpa, page_size);
		if (e & GWALK_PTE_PS) {
			/* PS is reserved above PDPTEs; so are address bits (shift - 1):13. */
			if (shift > 30 || (e & bits(shift - 1, 13)))
				return GWALK_RESERVED_BIT;
			return done(e & addr_mask, 1ull << shift, va, gpa, page_size);
		}
		table = e & addr_mask;
	}
}

/* PAE paging (SDM vol. 3A, 4.4): four PDPTEs at CR3 bits 31:5 (table 4-7, 4-8). */
static enum gwalk_status walk_pae(const struct gwalk_ctx *c, uint32_t va, uint64_t *gpa,
				  uint64_t *page_size)
{
	unsigned m = maxphyaddr(c);
	uint64_t pdpte;
	enum gwalk_status st = read_entry(c, (c->cr3 & bits(31, 5)) + (va >> 30) * 8, 8, &pdpte);

	if (st != GWALK_OK)
		return st;
	if (pdpte & (PAE_PDPTE_RSVD | bits(63, m)))
		return GWALK_RESERVED_BIT;
	return walk_tables(c, pdpte & bits(m - 1, 12), 21, va, gpa, page_size);
}

enum gwalk_status gwalk_translate(const struct gwalk_ctx *c, uint64_t gva, uint64_t *gpa,
				  uint64_t *page_size)
{
	if (!(c->cr0 & CR0_PG))
		return done(gva & 0xffffffffull, GWALK_PAGE_4K, gva, gpa, page_size);
	if (c->efer & EFER_LMA) {
		/* 4-level or 5-level paging (4.5); linear addresses must be canonical (3.3.7.1). */
		bool la57 = c->cr4 & CR4_LA57;

		if (!x86_is_canonical(gva, la57))
			return GWALK_NON_CANONICAL;
		return walk_tables(c, c->cr3 & bits(maxphyaddr(c) - 1, 12), la57 ? 48 : 39, gva,
				   gpa, page_size);
	}
	if (c->cr4 & CR4_PAE)
		return walk_pae(c, (uint32_t)gva, gpa, page_size);
	return walk32(c, (uint32_t)gva, gpa, page_size);
}
