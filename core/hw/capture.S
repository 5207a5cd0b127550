/* capture.S - trap_capture(): snapshot the caller's registers into a struct trap_frame. */
#include "layout.h"

	.text
	.global trap_capture
trap_capture:
	mov %r15, 0*8(%rdi)
	mov %r14, 1*8(%rdi)
	mov %r13, 2*8(%rdi)
	mov %r12, 3*8(%rdi)
	mov %r11, 4*8(%rdi)
	mov %r10, 5*8(%rdi)
	mov %r9, 6*8(%rdi)
	mov %r8, 7*8(%rdi)
	mov %rbp, 8*8(%rdi)
	mov %rdi, 9*8(%rdi)
	mov %rsi, 10*8(%rdi)
	mov %rdx, 11*8(%rdi)
	mov %rcx, 12*8(%rdi)
	mov %rbx, 13*8(%rdi)
	mov %rax, 14*8(%rdi)
	movq $0, 15*8(%rdi)		/* vector */
	movq $0, 16*8(%rdi)		/* error */
	mov (%rsp), %rax		/* caller's RIP = our return address */
	mov %rax, 17*8(%rdi)
	mov %cs, %eax
	mov %rax, 18*8(%rdi)
	pushfq
	pop %rax
	mov %rax, 19*8(%rdi)
	lea 8(%rsp), %rax		/* caller's RSP after return */
	mov %rax, 20*8(%rdi)
	mov %ss, %eax
	mov %rax, 21*8(%rdi)
	mov 14*8(%rdi), %rax
	ret
