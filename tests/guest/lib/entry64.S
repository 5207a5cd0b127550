/* entry64.S - multiboot1 header and 32-bit entry of the 64-bit runtime: paging, long mode. */
#include "layout.h"
#include "multiboot1.h"

	.section .multiboot, "a"
	.p2align 2
	.long	MB1_HEADER_MAGIC
	.long	MB1_HEADER_FLAGS
	.long	MB1_HEADER_CHECKSUM

	.text
	.code32
/*
 * Entered in 32-bit protected mode (spec 3.2): EAX = magic, EBX = boot info. Build an
 * identity map of the low 4 GiB, turn on PAE + EFER.LME + paging, jump to 64-bit code.
 * The magic is checked later, in C, where it can be reported on the serial port.
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
	/* Zero the BSS: the stack and the page tables live there. */
	mov	$__guest_bss_start, %edi
	mov	$__guest_bss_end, %ecx
	sub	%edi, %ecx
	xor	%eax, %eax
	rep stosb
	mov	$guest_stack_top, %esp

	/* PML4[0] -> PDPT; PDPT[0..3] -> the four page directories. */
	mov	$(guest_pdpt + GUEST_PTE_PRESENT + GUEST_PTE_WRITE), %eax
	mov	%eax, guest_pml4
	mov	$(guest_pds + GUEST_PTE_PRESENT + GUEST_PTE_WRITE), %eax
	xor	%ecx, %ecx
2:	mov	%eax, guest_pdpt(, %ecx, GUEST_PTE_SIZE)
	add	$GUEST_PAGE_SIZE, %eax
	inc	%ecx
	cmp	$GUEST_IDMAP_GIB, %ecx
	jb	2b
	/* PD entries: 2 MiB pages, physical = virtual; the high halves stay 0 (below 4 GiB). */
	xor	%ecx, %ecx
3:	mov	%ecx, %eax
	shl	$GUEST_LARGE_SHIFT, %eax
	or	$(GUEST_PTE_PRESENT | GUEST_PTE_WRITE | GUEST_PTE_LARGE), %eax
	mov	%eax, guest_pds(, %ecx, GUEST_PTE_SIZE)
	inc	%ecx
	cmp	$GUEST_IDMAP_PDES, %ecx
	jb	3b

	mov	%cr4, %eax
	or	$GUEST_CR4_PAE, %eax
	mov	%eax, %cr4
	mov	$guest_pml4, %eax
	mov	%eax, %cr3
	mov	$GUEST_MSR_EFER, %ecx
	rdmsr
	or	$GUEST_EFER_LME, %eax
	wrmsr
	mov	%cr0, %eax
	or	$(GUEST_CR0_PG | GUEST_CR0_PE), %eax
	mov	%eax, %cr0
	ljmp	$GUEST_CODE64_SEL, $long_mode
	.size guest_entry, . - guest_entry

	.code64
long_mode:
	mov	$GUEST_DATA_SEL, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %ss
	mov	%ax, %fs
	mov	%ax, %gs
	mov	$guest_stack_top, %esp	/* zero-extends: the image is below 4 GiB */
	xor	%ebp, %ebp
	mov	%esi, %edi		/* magic */
	mov	%ebx, %esi		/* mbi */
	call	guest_runtime_start
4:	cli
	hlt
	jmp	4b

	.section .rodata
	.p2align 3
gdt:
	.long	0, 0					/* GUEST_GDT_NULL */
	.long	GUEST_DESC_LIMIT_LO, GUEST_DESC_CODE32_HI	/* GUEST_CODE32_SEL */
	.long	GUEST_DESC_LIMIT_LO, GUEST_DESC_DATA_HI		/* GUEST_DATA_SEL */
	.long	GUEST_DESC_LIMIT_LO, GUEST_DESC_CODE64_HI	/* GUEST_CODE64_SEL */
gdt_end:
gdt_ptr:
	.word	gdt_end - gdt - 1
	.long	gdt

	.section .bss
	.p2align 12
guest_pml4:
	.skip	GUEST_PAGE_SIZE
guest_pdpt:
	.skip	GUEST_PAGE_SIZE
guest_pds:
	.skip	GUEST_PAGE_SIZE * GUEST_IDMAP_GIB
	.p2align 4
guest_stack:
	.skip	GUEST_STACK_SIZE
guest_stack_top:

	.section .note.GNU-stack, "", @progbits
