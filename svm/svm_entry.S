/* svm_entry.S - VMRUN with every guest GPR loaded, and the guest's GPRs saved back on #VMEXIT. */

/* Offsets into struct vcpu's gpr[] array (core/vcpu.h, x86 encoding order). */
#define G(n) ((n) * 8)
#define RCX G(1)
#define RDX G(2)
#define RBX G(3)
#define RBP G(5)
#define RSI G(6)
#define RDI G(7)
#define R8 G(8)
#define R9 G(9)
#define R10 G(10)
#define R11 G(11)
#define R12 G(12)
#define R13 G(13)
#define R14 G(14)
#define R15 G(15)

	.text
/*
 * void svm_vmrun(uint64_t vmcb_pa, uint64_t *gprs, uint64_t host_save_pa)
 * RAX and RSP travel in the VMCB. VMRUN saves only part of the host state (APM vol. 2,
 * 15.5.1): the callee-saved registers go on our stack, and VMSAVE/VMLOAD swap the
 * state VMRUN leaves alone (FS, GS, TR, LDTR, KernelGSBase, STAR, SYSENTER_*), so the
 * host's TSS with its IST stacks is back before GIF is set again.
 */
	.global svm_vmrun
svm_vmrun:
	push %rbp
	push %rbx
	push %r12
	push %r13
	push %r14
	push %r15
	push %rsi			/* gprs */
	push %rdx			/* host save area */

	clgi
	mov %rdx, %rax
	vmsave %rax			/* host hidden state */
	mov %rdi, %rax
	vmload %rax			/* guest hidden state */

	mov RCX(%rsi), %rcx
	mov RDX(%rsi), %rdx
	mov RBX(%rsi), %rbx
	mov RBP(%rsi), %rbp
	mov RDI(%rsi), %rdi
	mov R8(%rsi), %r8
	mov R9(%rsi), %r9
	mov R10(%rsi), %r10
	mov R11(%rsi), %r11
	mov R12(%rsi), %r12
	mov R13(%rsi), %r13
	mov R14(%rsi), %r14
	mov R15(%rsi), %r15
	mov RSI(%rsi), %rsi

	vmrun %rax
	/* #VMEXIT: RAX = VMCB address again, RSP = ours; the other GPRs are the guest's. */
	vmsave %rax			/* guest hidden state */

	push %rsi
	mov 16(%rsp), %rsi		/* gprs */
	mov %rcx, RCX(%rsi)
	mov %rdx, RDX(%rsi)
	mov %rbx, RBX(%rsi)
	mov %rbp, RBP(%rsi)
	mov %rdi, RDI(%rsi)
	mov %r8, R8(%rsi)
	mov %r9, R9(%rsi)
	mov %r10, R10(%rsi)
	mov %r11, R11(%rsi)
	mov %r12, R12(%rsi)
	mov %r13, R13(%rsi)
	mov %r14, R14(%rsi)
	mov %r15, R15(%rsi)
	pop %rcx
	mov %rcx, RSI(%rsi)

	pop %rax			/* host save area */
	vmload %rax
	stgi
	pop %rsi
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbx
	pop %rbp
	ret
