/* multiboot.S - multiboot1 (a.out kludge) and multiboot2 headers with explicit load addresses. */
#include "multiboot_defs.h"

/*
 * Both headers give the physical load range themselves (multiboot spec 0.6.96, 3.1.3,
 * "a.out kludge"; multiboot2 spec 3.1.5, address tag), so QEMU's -kernel loader accepts
 * this 64-bit ELF and GRUB loads it at KERNEL_LOAD_PHYS without reading ELF headers.
 */
	.section .multiboot, "a"
	.align 4
mb1_header:
	.long MB1_HEADER_MAGIC
	.long MB1_HEADER_FLAGS
	.long -(MB1_HEADER_MAGIC + MB1_HEADER_FLAGS)
	.long mb1_header		/* header_addr */
	.long __image_phys_start	/* load_addr */
	.long __image_load_end_phys	/* load_end_addr */
	.long __image_bss_end_phys	/* bss_end_addr */
	.long boot_entry32		/* entry_addr */

	.align 8
mb2_header:
	.long MB2_HEADER_MAGIC
	.long MB2_ARCH_I386
	.long mb2_header_end - mb2_header
	.long -(MB2_HEADER_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))

	.align 8
	.short MB2_TAG_ADDRESS
	.short 0
	.long 24
	.long mb2_header		/* header_addr */
	.long __image_phys_start	/* load_addr */
	.long __image_load_end_phys	/* load_end_addr */
	.long __image_bss_end_phys	/* bss_end_addr */

	.align 8
	.short MB2_TAG_ENTRY
	.short 0
	.long 12
	.long boot_entry32

	.align 8
	.short MB2_TAG_END
	.short 0
	.long 8
mb2_header_end:
