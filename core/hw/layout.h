/* layout.h - where the image is loaded and linked, and the boot-time constants asm shares. */
#ifndef DBGVISOR_LAYOUT_H
#define DBGVISOR_LAYOUT_H

/* Loaded at KERNEL_LOAD_PHYS, linked (but the 32-bit entry) at KERNEL_VMA_BASE + physical, the
 * last 2 GiB (-mcmodel=kernel); mem_setup() then moves it to the top of RAM and remaps that. */
#define KERNEL_LOAD_PHYS 0x200000
#define KERNEL_VMA_BASE	 0xFFFFFFFF80000000

/* Early boot maps the first 4 GiB 1:1 with 2 MiB pages (4 page directories). */
#define EARLY_IDENTITY_PDS 4

/* Page-table entry bits (SDM vol. 3A, 4.5). */
#define PTE_P	(1 << 0)
#define PTE_W	(1 << 1)
#define PTE_US	(1 << 2)
#define PTE_PWT (1 << 3)
#define PTE_PCD (1 << 4)
#define PTE_PS	(1 << 7)

#define BOOT_STACK_SIZE 16384
#define IST_STACK_SIZE	8192

/* GDT selectors of the hypervisor (core/gdt.c builds the same layout as boot/entry.S). */
#define SEL_CODE64 0x08
#define SEL_DATA   0x10
#define SEL_TSS	   0x18

#endif
