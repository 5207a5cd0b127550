/* msr_safe.c - the #GP fixup behind msr_read_safe, msr_write_safe and msr_xsetbv_safe. */
#include "msr_safe.h"

/* Labels in msr_safe.S: the three instructions that may fault, and the return of false. */
extern const char msr_safe_rdmsr_insn[], msr_safe_wrmsr_insn[], msr_safe_xsetbv_insn[],
    msr_safe_failed[];

/* RDMSR/WRMSR of an MSR the CPU does not have or of reserved bits, and XSETBV of an XCR0 it
 * refuses, raise a general-protection fault with error code 0: the frame's RIP is the
 * instruction itself (SDM vol. 2B, RDMSR and WRMSR; vol. 2D, XSETBV). */
bool msr_safe_fixup(struct trap_frame *f)
{
	if (f->rip != (uintptr_t)msr_safe_rdmsr_insn && f->rip != (uintptr_t)msr_safe_wrmsr_insn &&
	    f->rip != (uintptr_t)msr_safe_xsetbv_insn)
		return false;
	f->rip = (uintptr_t)msr_safe_failed;
	return true;
}
