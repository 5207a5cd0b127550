/* entry32.S - multiboot1 header and entry of the 32-bit runtime: GDT, stack, BSS, into C. */
#include "layout.h"
#include "multiboot1.h"

/* The header is the first thing in the image (guest.ld), well inside the first 8 KiB. */
	.section .multiboot, "a"
	.p2align 2
	.long	MB1_HEADER_MAGIC
	.long	MB1_HEADER_FLAGS
	.long	MB1_HEADER_CHECKSUM

	.text
	.code32
/*
 * Multiboot state (spec 3.2): EAX = magic, EBX = boot info, flat CS/DS, paging and IF off,
 * GDTR/IDTR and ESP unusable. Keep EAX/EBX in ESI/EBX until we may store them.
 */
	.globl guest_entry
	.type guest_entry, @function
guest_entry:
	cli
	cld
	mov	%eax, %esi
	lgdt	gdt_ptr
	ljmp	$GUEST_CODE32_SEL, $1f
1:	mov	$GUEST_DATA_SEL, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %fs
	mov	%ax, %gs
	mov	%ax, %ss
	/* Zero the BSS (loaders should have; be sure): the stack lives there too. */
	mov	$__guest_bss_start, %edi
	mov	$__guest_bss_end, %ecx
	sub	%edi, %ecx
	xor	%eax, %eax
	rep stosb
	mov	$guest_stack_top, %esp
	xor	%ebp, %ebp		/* end of the frame-pointer chain for debuggers */
	push	%ebx			/* mbi */
	push	%esi			/* magic */
	call	guest_runtime_start
2:	cli
	hlt
	jmp	2b
	.size guest_entry, . - guest_entry

	.section .rodata
	.p2align 3
gdt:
	.long	0, 0					/* GUEST_GDT_NULL */
	.long	GUEST_DESC_LIMIT_LO, GUEST_DESC_CODE32_HI	/* GUEST_CODE32_SEL */
	.long	GUEST_DESC_LIMIT_LO, GUEST_DESC_DATA_HI		/* GUEST_DATA_SEL */
gdt_end:
gdt_ptr:
	.word	gdt_end - gdt - 1
	.long	gdt

	.section .bss
	.p2align 4
guest_stack:
	.skip	GUEST_STACK_SIZE
guest_stack_top:

	.section .note.GNU-stack, "", @progbits
