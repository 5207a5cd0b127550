/* capture.S - trap_capture(): the caller's registers into a trap_frame; the window's jumps. */

	.text
	.global trap_capture
trap_capture:
	.set slot, 0			/* struct trap_frame's order, one word each */
	.irp r, r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax
	mov %\r, slot*8(%rdi)
	.set slot, slot + 1
	.endr
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

/* struct trap_window's ctx[] (trap.h): RBX, RBP, R12-R15, then these two. */
#define WIN_RSP 48
#define WIN_RIP 56

/* int trap_window_enter(struct trap_window *w): as setjmp, and w becomes the open window. */
	.global trap_window_enter
trap_window_enter:
	.set slot, 0
	.irp r, rbx, rbp, r12, r13, r14, r15
	mov %\r, slot*8(%rdi)
	.set slot, slot + 1
	.endr
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
	.set slot, 0
	.irp r, rbx, rbp, r12, r13, r14, r15
	mov slot*8(%rdi), %\r
	.set slot, slot + 1
	.endr
	mov WIN_RSP(%rdi), %rsp
	mov $1, %eax
	jmp *WIN_RIP(%rdi)
