/* svm_entry.S - VMRUN with every guest GPR loaded, and the guest's GPRs saved back on #VMEXIT. */
#include "core/hw/gpr_save.h"

	.text
/*
 * svm_vmrun_gprs(RDI = VMCB, RSI = gprs, RDX = host save area); RAX and RSP travel in the VMCB.
 * VMLOAD/VMSAVE swap what VMRUN leaves alone (APM vol. 2, 15.5.1: FS, GS, TR, LDTR, STAR...),
 * so the host's TR is back before STGI; until then the IST-free IDT (core/hw/cpu_tables.c) keeps
 * an exception on our own stack (#VMEXIT restores the IDTR VMRUN saved).
 */
	.global svm_vmrun_gprs
svm_vmrun_gprs:
	push %rsi			/* gprs */
	push %rdx			/* host save area */

	lidt idt_window_dtr(%rip)
	clgi
	mov %rdi, %rax
	vmload %rax			/* guest hidden state (the host's was saved by svm_host_save) */

	GUEST_LOAD_GPRS %rsi
	mov GPR_OFF_RDI(%rsi), %rdi
	mov GPR_OFF_RSI(%rsi), %rsi

	.global svm_vmrun_insn, svm_vmexit
svm_vmrun_insn:			/* where make profile stops counting */
	vmrun %rax
	/* #VMEXIT: RAX = VMCB address again, RSP = ours; the other GPRs are the guest's. */
	.global svm_vmrun_exit
svm_vmrun_exit:
svm_vmexit:			/* where make profile starts counting */
	vmsave %rax			/* guest hidden state */

	push %rsi
	mov 16(%rsp), %rsi		/* gprs */
	GUEST_STORE_GPRS %rsi
	mov %rdi, GPR_OFF_RDI(%rsi)
	pop %rcx
	mov %rcx, GPR_OFF_RSI(%rsi)

	pop %rax			/* host save area */
	vmload %rax
	lidt idt_host_dtr(%rip)
	stgi
	pop %rsi
	ret

/* svm_host_save(host_save_pa): VMSAVE of the host's hidden state (unchanged since boot). */
	.global svm_host_save
svm_host_save:
	mov %rdi, %rax
	vmsave %rax
	ret

/* svm_host_recover(host_save_pa): the host's TR, FS, GS..., IDT and GIF back after an
 * exception anywhere in svm_vmrun ended the VM-exit window (core/hw/trap.h). */
	.global svm_host_recover
svm_host_recover:
	mov %rdi, %rax
	vmload %rax
	lidt idt_host_dtr(%rip)
	stgi
	ret
