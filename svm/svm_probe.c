/* svm_probe.c - at the first VMRUN: does this CPU keep the status of an intercepted #DB? */
#include "svm.h"

#include "core/hw/console.h"
#include "core/hw/x86.h"

/* Slot 0 as a one-byte execute breakpoint: R/W0 = 00, LEN0 = 00, L0 (SDM vol. 3B, 18.2.4). */
#define PROBE_DR7 (DR7_INIT | DR7_L(0))

/*
 * On an intercepted #DB the CPU has already written the exception's status to DR6, and the
 * VMCB's DR6 field holds it (APM vol. 2, 15.12; what KVM's #DB intercept reads). Bochs 2.7
 * does not: its exception() raises the SVM intercept before it commits debug_trap to DR6,
 * and SvmInterceptException() clears debug_trap, so neither the VMCB nor the CPU's own DR6
 * keeps a bit of it (bochs/cpu/exception.cc, svm.cc). The first entry finds out which kind
 * of CPU this is: an execute breakpoint on the guest's first instruction is a fault, taken
 * before anything runs, so the run loop just enters again, with the intercepts set for
 * what the probe found. Returns true when the guest has not run yet; false when it ran
 * anyway and the VMCB holds its first real exit.
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
		v->db_status_lost = true;
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
