/* entry.S - mb2kernel's entry: record the spec 3.3 hand-off, own GDT and stack; trap stubs. */
#include "mb2.h"

#define KERNEL_CS  0x08
#define KERNEL_DS  0x10
#define STACK_SIZE 0x4000
/*
 * Flat 4 GiB ring-0 descriptors (low dword: limit 0xffff, base 0). The accessed bit is preset
 * so that loading a selector never writes into the descriptor.
 */
#define DESC_LIMIT_LO 0x0000ffff
#define DESC_CODE_HI  0x00cf9b00
#define DESC_DATA_HI  0x00cf9300
/* Exceptions that push an error code. */
#define HAS_ERROR_CODE(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || \
			   (v) == 29 || (v) == 30)
/* Offsets in struct entry_state (mb2kernel.h). */
#define ES_EAX	  0
#define ES_EBX	  4
#define ES_EFLAGS 8
#define ES_CR0	  12

	.text
	.code32
	.globl mb2_entry
mb2_entry:
	/*
	 * 3.3: EAX holds the magic, EBX the information's physical address; CS is a flat 32-bit
	 * code segment, DS/ES/FS/GS/SS flat data segments, but ESP is undefined ("the OS image
	 * must create its own stack") and GDTR may be invalid (no segment register may be
	 * loaded until the image has its own GDT). Record the hand-off before changing anything.
	 */
	movl	%eax, entry_state + ES_EAX
	movl	%ebx, entry_state + ES_EBX
	movl	$stack_top, %esp	/* SS is flat: pushf needs only a stack */
	pushfl
	popl	entry_state + ES_EFLAGS
	movl	%cr0, %eax
	movl	%eax, entry_state + ES_CR0
	cli
	cld
	lgdt	gdt_ptr
	ljmp	$KERNEL_CS, $1f
1:	movl	$KERNEL_DS, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %fs
	movl	%eax, %gs
	movl	%eax, %ss
	call	kmain
2:	cli
	hlt
	jmp	2b

/* Exceptions: push (a zero error code,) the vector, then report from C; they never return. */
.macro EXC v
exc_\v:
	.if !HAS_ERROR_CODE(\v)
	pushl	$0
	.endif
	pushl	$\v
	jmp	exc_common
.endm
	.altmacro
.macro EXCS from, to
	EXC %(\from)
	.if \to - \from
	EXCS %(\from + 1), \to
	.endif
.endm
	EXCS 0, 31

exc_common:
	pushl	%esp			/* -> vector, error, eip, cs, eflags */
	call	exception_report

	.section .rodata
	.globl exception_entries
exception_entries:
.macro EXC_ADDR v
	.long	exc_\v
.endm
.macro EXC_ADDRS from, to
	EXC_ADDR %(\from)
	.if \to - \from
	EXC_ADDRS %(\from + 1), \to
	.endif
.endm
	EXC_ADDRS 0, 31

	.p2align 3
gdt:
	.long	0, 0
	.long	DESC_LIMIT_LO, DESC_CODE_HI	/* KERNEL_CS */
	.long	DESC_LIMIT_LO, DESC_DATA_HI	/* KERNEL_DS */
gdt_end:
gdt_ptr:
	.word	gdt_end - gdt - 1
	.long	gdt

	/* In .data, not .bss: the BSS is checked to be all zero as the loader left it. */
	.data
	.p2align 2
	.globl entry_state
entry_state:
	.long	0, 0, 0, 0		/* eax, ebx, eflags, cr0 */

	/* Its own section, after the BSS (mb2kernel.ld): the BSS check does not scan it. */
	.section .kstack, "aw", @nobits
	.p2align 4
	.globl stack_bottom, stack_top
stack_bottom:
	.skip	STACK_SIZE
stack_top:

	.section .note.GNU-stack, "", @progbits
