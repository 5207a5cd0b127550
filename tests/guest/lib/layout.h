/* layout.h - guest runtime constants shared by its assembly and C: selectors, stack, paging. */
#ifndef GUEST_LAYOUT_H
#define GUEST_LAYOUT_H

/*
 * The variant is chosen by the build (-DGUEST_64BIT for the long-mode runtime); cross-check it
 * against the compiler so a mismatched flag fails loudly instead of producing a broken image.
 */
#if defined(GUEST_64BIT) && !defined(__x86_64__)
#error "GUEST_64BIT set for a 32-bit compilation"
#endif
#if !defined(GUEST_64BIT) && defined(__x86_64__)
#error "64-bit compilation without GUEST_64BIT"
#endif

/* GDT layout: the same slots in both variants; the 64-bit one adds a long-mode code segment. */
#define GUEST_GDT_NULL	 0x00
#define GUEST_CODE32_SEL 0x08 /* flat 32-bit ring-0 code */
#define GUEST_DATA_SEL	 0x10 /* flat ring-0 data, also the stack segment */
#define GUEST_CODE64_SEL 0x18 /* 64-bit ring-0 code (64-bit variant only) */

#ifdef GUEST_64BIT
#define GUEST_CODE_SEL GUEST_CODE64_SEL
#else
#define GUEST_CODE_SEL GUEST_CODE32_SEL
#endif

/*
 * Segment descriptors (flat 4 GiB, present, ring 0), low and high dwords. The accessed bit is
 * preset so the CPU never writes to the GDT, which lives in .rodata.
 */
#define GUEST_DESC_LIMIT_LO  0x0000ffff
#define GUEST_DESC_CODE32_HI 0x00cf9b00 /* G=1 D=1, P=1 DPL=0 S=1 type=execute/read, accessed */
#define GUEST_DESC_DATA_HI   0x00cf9300 /* G=1 B=1, P=1 DPL=0 S=1 type=read/write, accessed */
#define GUEST_DESC_CODE64_HI 0x00af9b00 /* G=1 L=1, P=1 DPL=0 S=1 type=execute/read, accessed */

/* One stack for the program and its exception handlers. */
#define GUEST_STACK_SIZE 0x10000

/* Exception vectors the runtime installs handlers for. */
#define GUEST_NUM_VECTORS 32

/* Control registers and MSRs the 64-bit entry uses to enter long mode. */
#define GUEST_CR0_PE   (1 << 0)
#define GUEST_CR0_PG   0x80000000
#define GUEST_CR4_PAE  (1 << 5)
#define GUEST_MSR_EFER 0xc0000080
#define GUEST_EFER_LME (1 << 8)

/* Identity map of the low 4 GiB with 2 MiB pages: one PML4, one PDPT, four page directories. */
#define GUEST_PAGE_SIZE	     0x1000
#define GUEST_PTE_PRESENT    0x001
#define GUEST_PTE_WRITE	     0x002
#define GUEST_PTE_LARGE	     0x080
#define GUEST_LARGE_SHIFT    21
#define GUEST_PTE_SIZE	     8
#define GUEST_IDMAP_GIB	     4
#define GUEST_ENTRIES_PER_PT 512
#define GUEST_IDMAP_PDES     (GUEST_IDMAP_GIB * GUEST_ENTRIES_PER_PT)

#endif
