/* capture.S - trap_capture(): the caller's registers into a trap_frame; the window's jumps. */
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

/* struct trap_window's ctx[] slots (trap.h), in machine words. */
#define WIN_RBX 0
#define WIN_RBP 8
#define WIN_R12 16
#define WIN_R13 24
#define WIN_R14 32
#define WIN_R15 40
#define WIN_RSP 48
#define WIN_RIP 56

/* int trap_window_enter(struct trap_window *w): as setjmp, and w becomes the open window. */
	.global trap_window_enter
trap_window_enter:
	mov %rbx, WIN_RBX(%rdi)
	mov %rbp, WIN_RBP(%rdi)
	mov %r12, WIN_R12(%rdi)
	mov %r13, WIN_R13(%rdi)
	mov %r14, WIN_R14(%rdi)
	mov %r15, WIN_R15(%rdi)
	lea 8(%rsp), %rax		/* the caller's RSP after our RET */
	mov %rax, WIN_RSP(%rdi)
	mov (%rsp), %rax		/* and where that RET goes */
	mov %rax, WIN_RIP(%rdi)
	mov %rdi, trap_open_window(%rip)
	xor %eax, %eax
	ret

/* void trap_window_escape(struct trap_window *w): as longjmp, trap_window_enter returns 1.
 * Called from an exception handler: its frame (possibly on an IST stack) is abandoned. */
	.global trap_window_escape
trap_window_escape:
	mov WIN_RBX(%rdi), %rbx
	mov WIN_RBP(%rdi), %rbp
	mov WIN_R12(%rdi), %r12
	mov WIN_R13(%rdi), %r13
	mov WIN_R14(%rdi), %r14
	mov WIN_R15(%rdi), %r15
	mov WIN_RSP(%rdi), %rsp
	mov $1, %eax
	jmp *WIN_RIP(%rdi)
