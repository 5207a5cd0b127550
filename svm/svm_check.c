/* svm_check.c - for reports: the APM's name of an exit code, the VMRUN check a VMCB fails. */
#include "svm.h"

#include "core/hw/trap.h"
#include "core/hw/x86.h"
#include "core/hw/string.h"

/* Exit codes named as the APM does, without "VMEXIT_" (table C-1): from VMEXIT_INTR (0x60) to
 * EFER_WRITE_TRAP, then CR0-CR15 write traps, then from VMEXIT_INVLPGB (0xa0). */
static const char *const names_from_intr[] = {"INTR",	     "NMI",	   "SMI",
					      "INIT",	     "VINTR",	   "CR0_SEL_WRITE",
					      "IDTR_READ",   "GDTR_READ",  "LDTR_READ",
					      "TR_READ",     "IDTR_WRITE", "GDTR_WRITE",
					      "LDTR_WRITE",  "TR_WRITE",   "RDTSC",
					      "RDPMC",	     "PUSHF",	   "POPF",
					      "CPUID",	     "RSM",	   "IRET",
					      "SWINT",	     "INVD",	   "PAUSE",
					      "HLT",	     "INVLPG",	   "INVLPGA",
					      "IOIO",	     "MSR",	   "TASK_SWITCH",
					      "FERR_FREEZE", "SHUTDOWN",   "VMRUN",
					      "VMMCALL",     "VMLOAD",	   "VMSAVE",
					      "STGI",	     "CLGI",	   "SKINIT",
					      "RDTSCP",	     "ICEBP",	   "WBINVD",
					      "MONITOR",     "MWAIT",	   "MWAIT_CONDITIONAL",
					      "XSETBV",	     "RDPRU",	   "EFER_WRITE_TRAP"};
static const char *const names_from_invlpgb[] = {"INVLPGB", "INVLPGB_ILLEGAL", "INVPCID", "MCOMMIT",
						 "TLBSYNC", "BUSLOCK",	       "IDLE_HLT"};
/* Below 0x60 blocks of 16: CR reads, CR writes, DR reads, DR writes, then 32 exceptions. */
static const char *const names_low[] = {"CR_READ",  "CR_WRITE", "DR_READ",
					"DR_WRITE", "EXCP",	"EXCP"};
static const char *const names_npf[] = {"NPF", "AVIC_INCOMPLETE_IPI", "AVIC_NOACCEL", "VMGEXIT"};

const char *svm_exit_name(uint64_t code)
{
	if ((uint32_t)code == (uint32_t)SVM_EXIT_INVALID)
		return "INVALID";
	if (code < SVM_EXIT_INTR)
		return names_low[code / SVM_EXIT_BLOCK];
	if (code - SVM_EXIT_INTR < NELEMS(names_from_intr))
		return names_from_intr[code - SVM_EXIT_INTR];
	if (code - SVM_EXIT_CR0_WRITE_TRAP < SVM_EXIT_BLOCK)
		return "CR_WRITE_TRAP";
	if (code - SVM_EXIT_INVLPGB < NELEMS(names_from_invlpgb))
		return names_from_invlpgb[code - SVM_EXIT_INVLPGB];
	if (code - SVM_EXIT_NPF < NELEMS(names_npf))
		return names_npf[code - SVM_EXIT_NPF];
	return "not in APM table C-1";
}

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
