/* entry.S - mbkernel's multiboot1 header, entry (GDT, stack) and interrupt entry stubs. */

/* Multiboot 0.6.96 header: page-aligned modules + memory info; no a.out kludge (ELF). */
#define MB_HEADER_MAGIC 0x1badb002
#define MB_HEADER_FLAGS 0x00000003
#define KERNEL_CS 0x08
#define KERNEL_DS 0x10
#define STACK_SIZE 0x4000
/*
 * Flat 4 GiB ring-0 descriptors (low dword: limit 0xffff, base 0). The accessed bit is preset:
 * otherwise the CPU sets it on the first segment load, writing into .rodata (the image CRC).
 */
#define DESC_LIMIT_LO 0x0000ffff
#define DESC_CODE_HI 0x00cf9b00
#define DESC_DATA_HI 0x00cf9300
/* Exceptions that push an error code. */
#define HAS_ERROR_CODE(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || \
			   (v) == 29 || (v) == 30)

	.section .multiboot, "a"
	.p2align 2
	.long	MB_HEADER_MAGIC
	.long	MB_HEADER_FLAGS
	.long	-(MB_HEADER_MAGIC + MB_HEADER_FLAGS)

	.text
	.code32
	.globl mb_entry
mb_entry:
	/* The loader's GDT may be gone (spec 3.2): install ours before IRET reloads CS. */
	cli
	cld
	lgdt	gdt_ptr
	ljmp	$KERNEL_CS, $1f
1:	mov	$KERNEL_DS, %ecx
	mov	%ecx, %ds
	mov	%ecx, %es
	mov	%ecx, %fs
	mov	%ecx, %gs
	mov	%ecx, %ss
	mov	$stack_top, %esp
	push	%ebx			/* struct mb_info * */
	push	%eax			/* magic */
	call	kmain
2:	cli
	hlt
	jmp	2b

/* Exceptions: push (error code,) vector, then report from C; they never return. */
.macro EXC v
exc_\v:
	.if !HAS_ERROR_CODE(\v)
	push	$0
	.endif
	push	$\v
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
	push	%esp			/* -> vector, error, eip, cs, eflags */
	call	exception_report

/* PIT interrupt (IRQ 0). */
	.globl irq_timer_entry
irq_timer_entry:
	pusha
	call	timer_tick
	popa
	iret

/* Any other PIC line (all masked; IRQ 7/15 can still be spurious): nothing to acknowledge. */
	.globl irq_ignore_entry
irq_ignore_entry:
	iret

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

	.section .bss.stack, "aw", @nobits
	.p2align 4
stack:
	.skip	STACK_SIZE
stack_top:

	.section .note.GNU-stack, "", @progbits
