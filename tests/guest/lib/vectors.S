/* vectors.S - exception entry stubs 0..31: build a struct gframe, call C, return with IRET. */
#include "layout.h"

/*
 * Vectors for which the CPU pushes an error code: #DF, #TS, #NP, #SS, #GP, #PF, #AC, #CP,
 * #VC, #SX. The others get a 0 pushed by their stub so every frame has the same shape.
 */
#define HAS_ERROR_CODE(v) \
	((v) == 8 || (v) == 10 || (v) == 11 || (v) == 12 || (v) == 13 || (v) == 14 || \
	 (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

#ifdef GUEST_64BIT
#define WORD_DIRECTIVE .quad
#define WORD_SIZE 8
#else
#define WORD_DIRECTIVE .long
#define WORD_SIZE 4
#endif
/* Bytes the stub pushed above the CPU's frame: error code and vector. */
#define STUB_PUSHED (2 * WORD_SIZE)
#define STUB_ALIGN_LOG2 4 /* 16-byte slots keep stubs easy to spot in a disassembly */

	.text

.macro TRAP_STUB v
	.p2align STUB_ALIGN_LOG2
guest_trap_stub_\v:
	.if !HAS_ERROR_CODE(\v)
	push	$0
	.endif
	push	$\v
	jmp	guest_trap_common
.endm

	.altmacro
.macro TRAP_STUBS from, to
	TRAP_STUB %(\from)
	.if \to - \from
	TRAP_STUBS %(\from + 1), \to
	.endif
.endm
	TRAP_STUBS 0, 31

	.p2align STUB_ALIGN_LOG2
guest_trap_common:
#ifdef GUEST_64BIT
	push	%rax
	push	%rcx
	push	%rdx
	push	%rbx
	push	%rbp
	push	%rsi
	push	%rdi
	push	%r8
	push	%r9
	push	%r10
	push	%r11
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	cld
	mov	%rsp, %rdi		/* struct gframe *; RSP is 16-byte aligned here */
	call	guest_trap_dispatch
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%r11
	pop	%r10
	pop	%r9
	pop	%r8
	pop	%rdi
	pop	%rsi
	pop	%rbp
	pop	%rbx
	pop	%rdx
	pop	%rcx
	pop	%rax
	add	$STUB_PUSHED, %rsp
	iretq
#else
	pusha
	push	%ds
	push	%es
	mov	$GUEST_DATA_SEL, %ax	/* the test may have loaded other data segments */
	mov	%ax, %ds
	mov	%ax, %es
	cld
	push	%esp			/* struct gframe * */
	call	guest_trap_dispatch
	add	$WORD_SIZE, %esp
	pop	%es
	pop	%ds
	popa
	add	$STUB_PUSHED, %esp
	iret
#endif

	.section .rodata
	.p2align 3
	.globl guest_trap_stubs
guest_trap_stubs:
.macro STUB_ADDR v
	WORD_DIRECTIVE guest_trap_stub_\v
.endm
.macro STUB_ADDRS from, to
	STUB_ADDR %(\from)
	.if \to - \from
	STUB_ADDRS %(\from + 1), \to
	.endif
.endm
	STUB_ADDRS 0, 31
	.size guest_trap_stubs, . - guest_trap_stubs

	.section .note.GNU-stack, "", @progbits
