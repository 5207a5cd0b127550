/* gpr_save.h - assembler macros for VM entry and exit: the guest's GPRs to and from its gpr[]. */
#ifndef DBGVISOR_GPR_SAVE_H
#define DBGVISOR_GPR_SAVE_H

/* Byte offsets into struct vcpu's gpr[] (enum vcpu_gpr in core/vcpu.h, x86 encoding order). */
#define GPR_OFF_RAX (0 * 8)
#define GPR_OFF_RCX (1 * 8)
#define GPR_OFF_RDX (2 * 8)
#define GPR_OFF_RBX (3 * 8)
#define GPR_OFF_RBP (5 * 8)
#define GPR_OFF_RSI (6 * 8)
#define GPR_OFF_RDI (7 * 8)
#define GPR_OFF_R8  (8 * 8)
#define GPR_OFF_R9  (9 * 8)
#define GPR_OFF_R10 (10 * 8)
#define GPR_OFF_R11 (11 * 8)
#define GPR_OFF_R12 (12 * 8)
#define GPR_OFF_R13 (13 * 8)
#define GPR_OFF_R14 (14 * 8)
#define GPR_OFF_R15 (15 * 8)

#ifdef __ASSEMBLY__
/* clang-format off */
/*
 * Guest GPRs from/to gpr[] at \base. RAX, RSP, RSI and RDI are left to the caller: RSP (and
 * RAX on SVM) travel in the VMCS/VMCB, and one of RSI/RDI holds \base itself.
 */
.macro GUEST_LOAD_GPRS base
	mov GPR_OFF_RCX(\base), %rcx
	mov GPR_OFF_RDX(\base), %rdx
	mov GPR_OFF_RBX(\base), %rbx
	mov GPR_OFF_RBP(\base), %rbp
	mov GPR_OFF_R8(\base), %r8
	mov GPR_OFF_R9(\base), %r9
	mov GPR_OFF_R10(\base), %r10
	mov GPR_OFF_R11(\base), %r11
	mov GPR_OFF_R12(\base), %r12
	mov GPR_OFF_R13(\base), %r13
	mov GPR_OFF_R14(\base), %r14
	mov GPR_OFF_R15(\base), %r15
.endm

.macro GUEST_STORE_GPRS base
	mov %rcx, GPR_OFF_RCX(\base)
	mov %rdx, GPR_OFF_RDX(\base)
	mov %rbx, GPR_OFF_RBX(\base)
	mov %rbp, GPR_OFF_RBP(\base)
	mov %r8, GPR_OFF_R8(\base)
	mov %r9, GPR_OFF_R9(\base)
	mov %r10, GPR_OFF_R10(\base)
	mov %r11, GPR_OFF_R11(\base)
	mov %r12, GPR_OFF_R12(\base)
	mov %r13, GPR_OFF_R13(\base)
	mov %r14, GPR_OFF_R14(\base)
	mov %r15, GPR_OFF_R15(\base)
.endm
/* clang-format on */
#endif

#endif
