/* vmx_entry.S - VMLAUNCH/VMRESUME with all guest GPRs loaded; the VM-exit landing pad saves them. */

#define G(n) ((n) * 8)
#define RAX G(0)
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
#define VMCS_HOST_RSP 0x6c14
#define RFLAGS_CF 0x1

	.text
/*
 * int vmx_enter(uint64_t *gprs, int launched)
 * Returns 0 after a VM exit (guest GPRs saved to gprs[]), 1 for VMfailInvalid and 2 for
 * VMfailValid (SDM vol. 3C, 31.2). VM exits restore only RSP and RIP of the host (28.5):
 * the callee-saved registers live on the stack at HOST_RSP, with the gprs pointer on top.
 */
	.global vmx_enter
vmx_enter:
	push %rbp
	push %rbx
	push %r12
	push %r13
	push %r14
	push %r15
	push %rdi			/* gprs, found again at HOST_RSP after the exit */
	mov $VMCS_HOST_RSP, %eax
	vmwrite %rsp, %rax
	jbe vmx_fail_early

	mov %esi, %eax			/* launched? (tested after the loads: MOV keeps flags) */
	test %eax, %eax
	mov RAX(%rdi), %rax
	mov RCX(%rdi), %rcx
	mov RDX(%rdi), %rdx
	mov RBX(%rdi), %rbx
	mov RBP(%rdi), %rbp
	mov RSI(%rdi), %rsi
	mov R8(%rdi), %r8
	mov R9(%rdi), %r9
	mov R10(%rdi), %r10
	mov R11(%rdi), %r11
	mov R12(%rdi), %r12
	mov R13(%rdi), %r13
	mov R14(%rdi), %r14
	mov R15(%rdi), %r15
	mov RDI(%rdi), %rdi
	jnz 1f
	vmlaunch
	jmp vmx_fail
1:	vmresume
vmx_fail:
	/* Still on our stack; guest values in the GPRs are simply dropped. */
	pushfq
	pop %rax
vmx_fail_flags:
	and $RFLAGS_CF, %eax
	mov $2, %edx
	mov $1, %ecx
	test %eax, %eax
	cmovz %edx, %eax
	cmovnz %ecx, %eax
	pop %rdi
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbx
	pop %rbp
	ret
vmx_fail_early:
	pushfq
	pop %rax
	jmp vmx_fail_flags

	.global vmx_exit_landing
vmx_exit_landing:
	push %rdi
	mov 8(%rsp), %rdi		/* gprs */
	mov %rax, RAX(%rdi)
	mov %rcx, RCX(%rdi)
	mov %rdx, RDX(%rdi)
	mov %rbx, RBX(%rdi)
	mov %rbp, RBP(%rdi)
	mov %rsi, RSI(%rdi)
	mov %r8, R8(%rdi)
	mov %r9, R9(%rdi)
	mov %r10, R10(%rdi)
	mov %r11, R11(%rdi)
	mov %r12, R12(%rdi)
	mov %r13, R13(%rdi)
	mov %r14, R14(%rdi)
	mov %r15, R15(%rdi)
	pop %rax
	mov %rax, RDI(%rdi)
	pop %rdi
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbx
	pop %rbp
	xor %eax, %eax
	ret
