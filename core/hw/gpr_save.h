/* gpr_save.h - assembler macros for VM entry and exit: the guest's GPRs to and from its gpr[]. */
#ifndef DBGVISOR_GPR_SAVE_H
#define DBGVISOR_GPR_SAVE_H

/* Byte offset of gpr[n] in struct vcpu (enum vcpu_gpr in core/vcpu.h, x86 encoding order). */
#define GPR_OFF(n)  ((n)*8)
#define GPR_OFF_RAX GPR_OFF(0)
#define GPR_OFF_RCX GPR_OFF(1)
#define GPR_OFF_RDX GPR_OFF(2)
#define GPR_OFF_RBX GPR_OFF(3)
#define GPR_OFF_RBP GPR_OFF(5)
#define GPR_OFF_RSI GPR_OFF(6)
#define GPR_OFF_RDI GPR_OFF(7)

#ifdef __ASSEMBLY__
/* clang-format off */
/* Guest GPRs from/to gpr[] at \base. RAX, RSP, RSI and RDI are left to the caller: RSP (and
 * RAX on SVM) travel in the VMCS/VMCB, and one of RSI/RDI holds \base itself. */
.macro GUEST_LOAD_GPRS base
	mov GPR_OFF_RCX(\base), %rcx
	mov GPR_OFF_RDX(\base), %rdx
	mov GPR_OFF_RBX(\base), %rbx
	mov GPR_OFF_RBP(\base), %rbp
	.irp n, 8, 9, 10, 11, 12, 13, 14, 15
	mov GPR_OFF(\n)(\base), %r\n
	.endr
.endm

.macro GUEST_STORE_GPRS base
	mov %rcx, GPR_OFF_RCX(\base)
	mov %rdx, GPR_OFF_RDX(\base)
	mov %rbx, GPR_OFF_RBX(\base)
	mov %rbp, GPR_OFF_RBP(\base)
	.irp n, 8, 9, 10, 11, 12, 13, 14, 15
	mov %r\n, GPR_OFF(\n)(\base)
	.endr
.endm
/* clang-format on */
#endif

#endif
