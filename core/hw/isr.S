/* isr.S - exception entry stubs: uniform frame (struct trap_frame), then idt_dispatch(). */

/* Vectors that push an error code (SDM vol. 3A, table 7-1). */
#define HAS_ERR(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

	.section .rodata
	.align 8
	.global isr_table
isr_table:				/* one entry per vector, added by STUB */

	.text
.macro STUB v
	.pushsection .rodata
	.quad isr_\v
	.popsection
	.align 16
isr_\v:
	.if !HAS_ERR(\v)
	pushq $0
	.endif
	pushq $\v
	jmp isr_common
.endm

isr_common:
	.irp r, rax, rbx, rcx, rdx, rsi, rdi, rbp, r8, r9, r10, r11, r12, r13, r14, r15
	push %\r
	.endr
	mov %rsp, %rdi
	mov %rsp, %rbx
	and $-16, %rsp			/* SysV ABI stack alignment for the C handler */
	call idt_dispatch
	mov %rbx, %rsp
	.irp r, r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax
	pop %\r
	.endr
	add $16, %rsp			/* vector and error code */
	iretq

.altmacro
.macro STUBS from, to
	STUB \from
	.if \to-\from
	STUBS %(\from+1), \to
	.endif
.endm
	STUBS 0, 31
