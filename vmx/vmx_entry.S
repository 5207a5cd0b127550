/* vmx_entry.S - VMLAUNCH/VMRESUME with all guest GPRs loaded; the VM-exit landing pad saves them. */
#include "core/hw/gpr_save.h"

#define VMCS_HOST_RSP 0x6c14

	.text
/*
 * vmx_enter_gprs: RDI = gprs, ESI = launched. Returns 0 after a VM exit (guest GPRs saved to
 * gprs[]), 1 for VMfailInvalid and 2 for VMfailValid (SDM vol. 3C, 31.2), with every other GPR
 * but RSP clobbered (vmx_enter in vmx.h tells the compiler). VM exits restore only RSP and RIP
 * of the host (28.5): the gprs pointer waits on top of the stack at HOST_RSP.
 */
	.global vmx_enter_gprs
vmx_enter_gprs:
	push %rdi			/* gprs, found again at HOST_RSP after the exit */
	mov $VMCS_HOST_RSP, %eax
	vmwrite %rsp, %rax
	jbe vmx_fail

	mov %esi, %eax			/* launched? (tested after the loads: MOV keeps flags) */
	test %eax, %eax
	GUEST_LOAD_GPRS %rdi
	mov GPR_OFF_RAX(%rdi), %rax
	mov GPR_OFF_RSI(%rdi), %rsi
	mov GPR_OFF_RDI(%rdi), %rdi
	jnz 1f
	vmlaunch
	jmp vmx_fail
1:	vmresume
vmx_fail:
	/* Still on our stack, flags as the failed instruction left them: 2 - CF, so VMfailInvalid
	 * (CF = 1) is 1 and VMfailValid (ZF = 1, CF = 0) is 2. MOV and POP keep the flags. */
	mov $2, %eax
	sbb $0, %eax
	pop %rdi
	ret

	.global vmx_exit_landing
vmx_exit_landing:
	push %rdi
	mov 8(%rsp), %rdi		/* gprs */
	GUEST_STORE_GPRS %rdi
	mov %rax, GPR_OFF_RAX(%rdi)
	mov %rsi, GPR_OFF_RSI(%rdi)
	pop %rax
	mov %rax, GPR_OFF_RDI(%rdi)
	pop %rdi
	xor %eax, %eax
	ret
