/* svm_fast.h - a null CPUID #VMEXIT handed to the core's fast path, inline in the VMRUN loop. */
#ifndef DBGVISOR_SVM_FAST_H
#define DBGVISOR_SVM_FAST_H

#include "core/exit_fast.h"
#include "svm.h"

/* A CPUID exit with nothing else to do completed from the VMCB: true to VMRUN again at once
 * (RIP, RFLAGS and the interrupt shadow written back); false for the full path, nothing
 * changed. */
static inline bool svm_fast_exit(struct vcpu *v, struct svm_vcpu *s)
{
	struct vmcb *vm = s->vmcb;
	struct vcpu_fast_exit f;

	/* An event to deliver again (exitintinfo, svm_run) needs the full path. */
	if (vm->control.exitcode != SVM_EXIT_CPUID || vm->control.eventinj)
		return false;
	/* Without NRIP the core looks the length up by the code's place and size: inline, only
	 * what it uses is read. */
	f = (struct vcpu_fast_exit){
	    .rip = vm->save.rip,
	    .rflags = vm->save.rflags,
	    .cr4 = vm->save.cr4,
	    .insn_len = svm_nrip_len(s),
	    .shadow = vm->control.int_state & SVM_INTERRUPT_SHADOW,
	    .cr0 = vm->save.cr0,
	    .cr3 = vm->save.cr3,
	    .efer = vm->save.efer,
	    .cs_base = vm->save.cs.base,
	    .cs_attr = vm->save.cs.attrib,
	};
	if (!vcpu_fast_cpuid(v, &f))
		return false;
	vm->save.rip = f.rip;
	vm->save.rflags = f.rflags;
	vm->control.int_state &= ~SVM_INTERRUPT_SHADOW;
	return true;
}

#endif
