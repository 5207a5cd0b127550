/* header.S - mb2kernel's Multiboot2 header (spec 3.1): magic fields, then the header tags. */
#include "mb2.h"

/*
 * No address tag (3.1.5) and no entry address tag (3.1.6): the image is an ELF file, so the
 * loader takes the load addresses and the entry point from the ELF headers. No multiboot1
 * header either: only a multiboot2 loader may start this kernel.
 *
 * mb2kernel.ld puts this section first in the first loaded segment, so the header lies well
 * within the first MB2_HEADER_SEARCH_BYTES of the file, as 3.1.1 demands.
 *
 * Left out on purpose, so that every loader hands over in the plain i386 state of 3.3:
 *   console flags (3.1.9) and framebuffer (3.1.10): output goes to COM1 only;
 *   EFI boot services (3.1.12) and the EFI entry addresses (3.1.7, 3.1.8): on UEFI the loader
 *   terminates boot services and enters at the ELF entry in 32-bit protected mode, paging off;
 *   relocatable header (3.1.13): the image runs where it is linked, at 1 MiB.
 */

/* Header tag fields, 3.1.3: u16 type, u16 flags, u32 size. */
.macro HTAG_START type, label
	.p2align MB2_HTAG_ALIGN_LOG2	/* 3.1.3: every tag starts 8-byte aligned */
\label:
	.word	\type
	.word	MB2_HTAG_FLAGS_REQUIRED
	.long	\label\()_end - \label
.endm

	.section .multiboot2, "a"
	.p2align MB2_HEADER_ALIGN_LOG2	/* 3.1.1: 64-bit aligned */
	.globl mb2_header		/* mb2kernel.ld asserts it starts the image */
mb2_header:
	/* 3.1.2: the magic fields; magic + architecture + header_length + checksum == 0 mod 2^32. */
	.long	MB2_HEADER_MAGIC
	.long	MB2_ARCH_I386
	.long	mb2_header_end - mb2_header
	.long	-(MB2_HEADER_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))

	/*
	 * 3.1.4: the information this kernel reports. Not optional: a loader that does not know
	 * one of these types must refuse the image; one that knows it but has nothing to tell
	 * (no ACPI 2.0 RSDP on an old BIOS, say) leaves the tag out and boots it anyway.
	 */
	HTAG_START MB2_HTAG_INFO_REQUEST, info_request
	.long	MB2_TAG_CMDLINE
	.long	MB2_TAG_LOADER_NAME
	.long	MB2_TAG_MODULE
	.long	MB2_TAG_BASIC_MEMINFO
	.long	MB2_TAG_MMAP
	.long	MB2_TAG_ACPI_OLD
	.long	MB2_TAG_ACPI_NEW
info_request_end:

	/* 3.1.11: modules must be page aligned (the kernel reports whether they are). */
	HTAG_START MB2_HTAG_MODULE_ALIGN, module_align
module_align_end:

	/* 3.1.3: the tags end with a tag of type 0 and size 8. */
	HTAG_START MB2_HTAG_END, end_tag
end_tag_end:
mb2_header_end:

	/* The fixed sizes the specification gives these tags. */
	.if module_align_end - module_align != MB2_HTAG_MODULE_ALIGN_SIZE
	.error "module alignment tag: size must be 8 (3.1.11)"
	.endif
	.if end_tag_end - end_tag != MB2_HTAG_END_SIZE
	.error "end tag: size must be 8 (3.1.3)"
	.endif

	.section .note.GNU-stack, "", @progbits
