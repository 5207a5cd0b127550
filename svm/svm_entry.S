/* svm_entry.S - VMRUN with every guest GPR loaded, and the guest's GPRs saved back on #VMEXIT. */
#include "core/hw/gpr_save.h"

	.text
/*
 * svm_vmrun_gprs: RDI = VMCB physical address, RSI = gprs, RDX = host save area; returns with
 * every GPR but RSP clobbered (svm_vmrun in svm.h tells the compiler). RAX and RSP travel in
 * the VMCB. VMRUN saves only part of the host state (APM vol. 2, 15.5.1): VMSAVE/VMLOAD swap
 * the state VMRUN leaves alone (FS, GS, TR, LDTR, KernelGSBase, STAR, SYSENTER_*), so the
 * host's TSS with its IST stacks is back before GIF is set again. Until then the guest's TR
 * is the CPU's, so the IST-free IDT is loaded around VMRUN (#VMEXIT restores the IDTR VMRUN
 * saved): an exception there runs on our own stack (core/hw/cpu_tables.c).
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

/*
 * void svm_host_save(uint64_t host_save_pa): VMSAVE of the host's hidden state, which it never
 * changes after boot, once per svm_run rather than before every VMRUN.
 */
	.global svm_host_save
svm_host_save:
	mov %rdi, %rax
	vmsave %rax
	ret

/*
 * void svm_host_recover(uint64_t host_save_pa): the host's state back after an exception
 * ended the VM-exit window (core/hw/trap.h), wherever in svm_vmrun it came: the host's TR,
 * FS, GS and the rest, its IDT, and GIF.
 */
	.global svm_host_recover
svm_host_recover:
	mov %rdi, %rax
	vmload %rax
	lidt idt_host_dtr(%rip)
	stgi
	ret
