/* gwalk.h - guest-virtual to guest-physical translation by walking the guest's page tables. */
#ifndef DBGVISOR_GWALK_H
#define DBGVISOR_GWALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/hw/x86.h"

/* Paging-structure entry bits (SDM vol. 3A, 4.3 and 4.4.2, 4.5.4). */
#define GWALK_PTE_P		(1ull << 0)
#define GWALK_PTE_PS		(1ull << 7)
#define GWALK_PTE_XD		(1ull << 63)
#define GWALK_PDE32_PSE36_SHIFT 13 /* 4-MByte PDE bits 20:13 hold physical bits 39:32 */

#define GWALK_PAGE_4K (1ull << 12)
#define GWALK_PAGE_2M (1ull << 21)
#define GWALK_PAGE_4M (1ull << 22)
#define GWALK_PAGE_1G (1ull << 30)

struct gwalk_ctx {
	uint64_t cr0, cr3, cr4, efer; /* the guest's values (EFER.LMA, not LME, selects 4-level) */
	/* Read @len bytes of guest-physical memory at @gpa; false if it cannot be read. */
	bool (*read_phys)(uint64_t gpa, void *buf, size_t len, void *ctx);
	void *ctx;
	uint8_t maxphyaddr; /* guest MAXPHYADDR (CPUID 80000008h EAX[7:0]); 0 means 52 */
};

enum gwalk_status {
	GWALK_OK,
	GWALK_NOT_PRESENT,   /* some entry on the way has P = 0 */
	GWALK_RESERVED_BIT,  /* a present entry has a reserved bit set (#PF with RSVD = 1) */
	GWALK_READ_FAILED,   /* read_phys() refused a paging-structure entry */
	GWALK_NON_CANONICAL, /* 4/5-level paging and @gva is not canonical (#GP) */
};

/* Translate @gva (truncated to 32 bits outside IA-32e mode; paging off: identity, 4 KiB) in
 * every mode of SDM vol. 3A, 4.1; on GWALK_OK *@gpa, and *@page_size if not NULL. Only P and
 * reserved bits are checked: no access rights, A/D bits, TLB or A20; PAE PDPTEs read at CR3. */
enum gwalk_status gwalk_translate(const struct gwalk_ctx *c, uint64_t gva, uint64_t *gpa,
				  uint64_t *page_size);

#endif
