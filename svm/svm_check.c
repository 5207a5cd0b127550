/* svm_check.c - name the VMRUN consistency check a VMCB fails (APM vol. 2, 15.5.1), for reports. */
#include "svm.h"

#include "core/hw/trap.h"
#include "core/hw/x86.h"

#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* EVENTINJ: TYPE 1 and 5-7 are reserved, and an exception cannot be vector 2 or above 31
 * (APM vol. 2, 15.20). */
static bool illegal_injection(uint64_t inj)
{
	unsigned type = (unsigned)(inj >> SVM_EVTINJ_TYPE_SHIFT) & SVM_EVTINJ_TYPE_MASK;
	unsigned vector = (unsigned)(inj & SVM_EVTINJ_VECTOR_MASK);

	if (!(inj & SVM_EVTINJ_VALID))
		return false;
	if (type == SVM_EVTINJ_TYPE_EXCEPTION)
		return vector == VEC_NMI || vector >= NUM_EXCEPTIONS;
	return type != SVM_EVTINJ_TYPE_INTR && type != SVM_EVTINJ_TYPE_NMI &&
	       type != SVM_EVTINJ_TYPE_SOFT_INT;
}

const char *svm_vmrun_refusal(const struct vmcb *vm)
{
	const struct vmcb_save *s = &vm->save;
	bool lme_pg = (s->efer & EFER_LME) && (s->cr0 & CR0_PG);
	bool cs_l_d = (s->cs.attrib & SEG_ATTR_L) && (s->cs.attrib & SEG_ATTR_DB);
	/* The checks a guest or dbgvisor can fail; those on CPU-specific MBZ bits are left out. */
	const struct {
		bool failed;
		const char *check;
	} checks[] = {
	    {!(s->efer & EFER_SVME), "EFER.SVME clear"},
	    {(s->cr0 & CR0_NW) && !(s->cr0 & CR0_CD), "CR0.NW set and CR0.CD clear"},
	    {s->cr0 >> 32, "CR0 bits 63:32 not zero"},
	    {(s->dr6 | s->dr7) >> 32, "DR6 or DR7 bits 63:32 not zero"},
	    {lme_pg && !(s->cr4 & CR4_PAE), "EFER.LME and CR0.PG set, CR4.PAE clear"},
	    {lme_pg && !(s->cr0 & CR0_PE), "EFER.LME and CR0.PG set, CR0.PE clear"},
	    {lme_pg && (s->cr4 & CR4_PAE) && cs_l_d,
	     "EFER.LME, CR0.PG, CR4.PAE, CS.L and CS.D all set"},
	    {!(vm->control.intercept_misc2 & SVM_INTERCEPT_VMRUN), "VMRUN intercept clear"},
	    {!vm->control.asid, "ASID zero"},
	    {illegal_injection(vm->control.eventinj), "illegal event in EVENTINJ"},
	};

	for (unsigned i = 0; i < NELEMS(checks); i++) {
		if (checks[i].failed)
			return checks[i].check;
	}
	return NULL;
}
