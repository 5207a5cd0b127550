/* try.S - guest_setjmp/guest_longjmp: the resume point behind guest_try, both variants. */
#include "layout.h"

/* Slots of struct guest_jmpbuf (runtime.h), in machine words. */
#ifdef GUEST_64BIT
#define W 8
#define JB_RBX (0 * W)
#define JB_RBP (1 * W)
#define JB_R12 (2 * W)
#define JB_R13 (3 * W)
#define JB_R14 (4 * W)
#define JB_R15 (5 * W)
#define JB_SP  (6 * W)
#define JB_IP  (7 * W)
#define JB_FLAGS (8 * W)
#else
#define W 4
#define JB_EBX (0 * W)
#define JB_ESI (1 * W)
#define JB_EDI (2 * W)
#define JB_EBP (3 * W)
#define JB_SP  (4 * W)
#define JB_IP  (5 * W)
#define JB_FLAGS (6 * W)
#endif

	.text

/* int guest_setjmp(struct guest_jmpbuf *jb): record the state "just after returning 0". */
	.globl guest_setjmp
	.type guest_setjmp, @function
guest_setjmp:
#ifdef GUEST_64BIT
	mov	%rbx, JB_RBX(%rdi)
	mov	%rbp, JB_RBP(%rdi)
	mov	%r12, JB_R12(%rdi)
	mov	%r13, JB_R13(%rdi)
	mov	%r14, JB_R14(%rdi)
	mov	%r15, JB_R15(%rdi)
	lea	W(%rsp), %rax		/* the stack pointer after our RET */
	mov	%rax, JB_SP(%rdi)
	mov	(%rsp), %rax		/* where our RET would go */
	mov	%rax, JB_IP(%rdi)
	pushf
	pop	%rax
	mov	%rax, JB_FLAGS(%rdi)
#else
	mov	W(%esp), %eax
	mov	%ebx, JB_EBX(%eax)
	mov	%esi, JB_ESI(%eax)
	mov	%edi, JB_EDI(%eax)
	mov	%ebp, JB_EBP(%eax)
	lea	W(%esp), %ecx
	mov	%ecx, JB_SP(%eax)
	mov	(%esp), %ecx
	mov	%ecx, JB_IP(%eax)
	pushf
	pop	%ecx
	mov	%ecx, JB_FLAGS(%eax)
#endif
	xor	%eax, %eax
	ret
	.size guest_setjmp, . - guest_setjmp

/* void guest_longjmp(const struct guest_jmpbuf *jb): become guest_setjmp returning 1. */
	.globl guest_longjmp
	.type guest_longjmp, @function
guest_longjmp:
#ifdef GUEST_64BIT
	mov	JB_RBX(%rdi), %rbx
	mov	JB_RBP(%rdi), %rbp
	mov	JB_R12(%rdi), %r12
	mov	JB_R13(%rdi), %r13
	mov	JB_R14(%rdi), %r14
	mov	JB_R15(%rdi), %r15
	mov	JB_SP(%rdi), %rsp
	push	JB_FLAGS(%rdi)		/* the flags guest_try was called with (IF, DF, TF) */
	popf
	mov	$1, %eax
	jmp	*JB_IP(%rdi)
#else
	mov	W(%esp), %edx
	mov	JB_EBX(%edx), %ebx
	mov	JB_ESI(%edx), %esi
	mov	JB_EDI(%edx), %edi
	mov	JB_EBP(%edx), %ebp
	mov	JB_SP(%edx), %esp
	push	JB_FLAGS(%edx)
	popf
	mov	$1, %eax
	jmp	*JB_IP(%edx)
#endif
	.size guest_longjmp, . - guest_longjmp

	.section .note.GNU-stack, "", @progbits
