/* svm_debug.c - the SVM backend's debug-register switching and nested-page protection ops. */
#include "svm.h"

#include "core/hw/x86.h"
#include "core/paging/guest_mem.h"

void svm_load_debug(struct vcpu *v, const uint64_t db[DR_SLOTS], uint64_t dr6, uint64_t dr7)
{
	struct svm_vcpu *s = svm_of(v);

	/* DR0-3 are not switched by VMRUN/#VMEXIT; DR6/DR7 live in the VMCB (APM 15.5.1). */
	x86_write_dr0(db[0]);
	x86_write_dr1(db[1]);
	x86_write_dr2(db[2]);
	x86_write_dr3(db[3]);
	s->vmcb->save.dr6 = dr6;
	s->vmcb->save.dr7 = dr7;
	s->loaded_dr6 = dr6;
	/* VMRUN loads DR6 from the VMCB; the CPU's own gets the same, so that a #DB Bochs 2.7
	 * delivers to the host right after VMRUN (absorb_leaked_step) finds it consistent. */
	x86_write_dr6(dr6);
	/*
	 * QEMU 7.2 copies VMCB.DR7 at VMRUN without arming its breakpoints; they follow
	 * the last MOV to DR7. A guest running its DRs natively arms its own; effective
	 * values the guest never wrote (the debugger's slots) are armed here. Real CPUs
	 * load DR7 from the VMCB anyway; svm_run disarms right after the exit.
	 */
	if (s->dr_intercept_all && dr7 != DR7_INIT) {
		x86_write_dr7(dr7);
		s->dr7_armed = true;
	}
}

void svm_save_debug(struct vcpu *v, uint64_t db[DR_SLOTS], uint64_t *dr6, uint64_t *dr7)
{
	db[0] = x86_read_dr0();
	db[1] = x86_read_dr1();
	db[2] = x86_read_dr2();
	db[3] = x86_read_dr3();
	*dr6 = svm_of(v)->vmcb->save.dr6;
	*dr7 = svm_of(v)->vmcb->save.dr7;
}

int svm_nested_protect(struct vcpu *v, uint64_t gpa, unsigned deny)
{
	struct vmcb_control *c = &svm_of(v)->vmcb->control;

	if (guest_mem_nested_protect(c->n_cr3, &svm_npt_format, gpa, deny))
		return -1;
	/* One ASID only: flushing everything is flushing the guest's (APM 15.16.1). */
	c->tlb_control = SVM_TLB_CONTROL_FLUSH_ALL;
	return 0;
}

void svm_set_dr_intercept(struct vcpu *v, bool all)
{
	svm_of(v)->vmcb->control.intercept_dr = all ? SVM_INTERCEPT_DR_ALL : 0;
	svm_of(v)->dr_intercept_all = all;
}
