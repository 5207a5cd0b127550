/* svm_debug.c - SVM debug registers, nested-page protection, and the first VMRUN's #DB probe. */
#include "svm.h"

#include "core/hw/console.h"
#include "core/hw/x86.h"
#include "core/paging/guest_mem.h"

/* Slot 0 as a one-byte execute breakpoint: R/W0 = 00, LEN0 = 00, L0 (SDM vol. 3B, 18.2.4). */
#define PROBE_DR7 (DR7_INIT | DR7_L(0))

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
	/* The CPU's DR6 too, for the #DB Bochs 2.7 leaks after VMRUN (absorb_leaked_step). */
	x86_write_dr6(dr6);
	/* QEMU 7.2 arms breakpoints from the last MOV to DR7, not VMCB.DR7: arm those the guest
	 * never wrote (the debugger's) here; svm_run disarms right after the exit. */
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

/*
 * An intercepted #DB leaves its status in DR6 and the VMCB (APM vol. 2, 15.12); Bochs 2.7's
 * SvmInterceptException() drops it (bochs/cpu/exception.cc, svm.cc). An execute breakpoint on
 * the guest's first instruction, a fault taken before anything runs, tells which CPU this is.
 */
bool svm_probe_db_status(struct svm_vcpu *s, struct vcpu *v, uint64_t host_save_pa)
{
	struct vmcb_save *st = &s->vmcb->save;
	uint64_t dr0 = x86_read_dr0(), dr7 = x86_read_dr7();
	uint64_t vm_dr6 = st->dr6, vm_dr7 = st->dr7, entry = st->cs.base + st->rip;
	bool hit;

	s->db_probed = true;
	if (st->rflags & RFLAGS_RF) /* RF suppresses the breakpoint: no answer, no probe */
		return true;
	x86_write_dr0(entry);
	x86_write_dr6(DR6_INIT);
	st->dr6 = DR6_INIT;
	st->dr7 = PROBE_DR7;
	x86_write_dr7(PROBE_DR7); /* QEMU 7.2 arms breakpoints from MOV DR7 (svm_load_debug) */
	svm_vmrun(s->vmcb_pa, v->gpr, host_save_pa);
	x86_write_dr7(dr7);
	x86_write_dr0(dr0);
	hit = s->vmcb->control.exitcode == SVM_EXIT_EXCP_BASE + VEC_DB &&
	      st->cs.base + st->rip == entry;
	if (hit && !(st->dr6 & DR6_B(0))) {
		v->db_status_lost = s->db_status_lost = true;
		printk("dbgvisor: SVM: an intercepted #DB leaves DR6 without its status on this "
		       "CPU (Bochs 2.7): the guest's #DBs go to it directly while it alone uses "
		       "its debug registers\n");
		/* Said after the hand-over's drain (boot/main.c): out before the guest runs. */
		console_drain();
	}
	/* MOV DR exits until the guest's first access: the guest changed neither register. */
	st->dr6 = vm_dr6;
	st->dr7 = vm_dr7;
	x86_write_dr6(vm_dr6);
	return hit;
}
