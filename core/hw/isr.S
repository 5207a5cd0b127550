/* isr.S - exception entry stubs: uniform frame (struct trap_frame), then idt_dispatch(). */
#include "layout.h"

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
	push %rax
	push %rbx
	push %rcx
	push %rdx
	push %rsi
	push %rdi
	push %rbp
	push %r8
	push %r9
	push %r10
	push %r11
	push %r12
	push %r13
	push %r14
	push %r15
	mov %rsp, %rdi
	mov %rsp, %rbx
	and $-16, %rsp			/* SysV ABI stack alignment for the C handler */
	call idt_dispatch
	mov %rbx, %rsp
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %r11
	pop %r10
	pop %r9
	pop %r8
	pop %rbp
	pop %rdi
	pop %rsi
	pop %rdx
	pop %rcx
	pop %rbx
	pop %rax
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
