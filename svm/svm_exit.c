/* svm_exit.c - turn a VMCB exit code and its EXITINFO fields into a vendor-neutral exit record. */
#include "svm.h"

#include "core/hw/trap.h"
#include "core/hw/x86.h"

#define VECTOR_COUNT 32
#define DR_COUNT     16

/* Exceptions that push an error code (SDM vol. 3A, table 7-1). */
static bool has_error_code(uint8_t v)
{
	return v == VEC_DF || v == VEC_TS || v == VEC_NP || v == VEC_SS || v == VEC_GP ||
	       v == VEC_PF || v == VEC_AC || v == VEC_CP;
}

static uint8_t nrip_len(const struct svm_vcpu *s)
{
	const struct vmcb *vm = s->vmcb;

	if (!s->nrip_save || vm->control.next_rip <= vm->save.rip)
		return 0;
	return (uint8_t)(vm->control.next_rip - vm->save.rip);
}

static void decode_io(const struct svm_vcpu *s, struct vcpu_exit *e)
{
	uint64_t info = s->vmcb->control.exitinfo1;

	e->kind = EXIT_IO;
	e->io.port = (uint16_t)(info >> SVM_IOIO_PORT_SHIFT);
	e->io.in = info & SVM_IOIO_TYPE_IN;
	e->io.string = info & SVM_IOIO_STR;
	e->io.rep = info & SVM_IOIO_REP;
	e->io.size = (info & SVM_IOIO_SZ32) ? 4 : (info & SVM_IOIO_SZ16) ? 2 : 1;
	/* EXITINFO2 always holds the next RIP for IOIO, with or without NRIP save. */
	e->insn_len = (uint8_t)(s->vmcb->control.exitinfo2 - s->vmcb->save.rip);
}

static void decode_npf(const struct svm_vcpu *s, struct vcpu_exit *e)
{
	uint64_t err = s->vmcb->control.exitinfo1;

	e->kind = EXIT_NPF;
	e->npf.gpa = s->vmcb->control.exitinfo2;
	e->npf.write = err & SVM_NPF_WRITE;
	e->npf.fetch = err & SVM_NPF_FETCH;
}

/*
 * Bochs 2.7's SVM leaves VMCB.DR6 untouched on a #DB intercept. Rebuild the status from
 * what is certain: GD set means general detect; an execute breakpoint at RIP is a fault
 * there; otherwise it is a trap, from TF or from the enabled data breakpoints.
 */
static uint64_t reconstruct_db_status(const struct svm_vcpu *s)
{
	const struct vmcb_save *st = &s->vmcb->save;
	uint64_t addr[DR_SLOTS] = {x86_read_dr0(), x86_read_dr1(), x86_read_dr2(), x86_read_dr3()};
	uint64_t rip = st->cs.base + st->rip, pending = 0;

	if (st->dr7 & DR7_GD)
		return DR6_BD;
	for (unsigned n = 0; n < DR_SLOTS; n++) {
		unsigned rw = (unsigned)(st->dr7 >> DR7_RW_SHIFT(n)) & DR7_FIELD_MASK;

		if (rw == DR7_RW_EXEC && addr[n] == rip && (st->dr7 & DR7_ENABLE(n)))
			pending |= DR6_B(n);
	}
	if (pending)
		return pending;
	if (st->rflags & RFLAGS_TF)
		return DR6_BS;
	for (unsigned n = 0; n < DR_SLOTS; n++) {
		unsigned rw = (unsigned)(st->dr7 >> DR7_RW_SHIFT(n)) & DR7_FIELD_MASK;

		if (rw != DR7_RW_EXEC && (st->dr7 & DR7_ENABLE(n)))
			pending |= DR6_B(n);
	}
	return pending;
}

static void decode_exception(const struct svm_vcpu *s, struct vcpu_exit *e, uint8_t vec)
{
	e->kind = EXIT_EXCEPTION;
	e->exc.vector = vec;
	e->exc.has_error = has_error_code(vec);
	e->exc.error = (uint32_t)s->vmcb->control.exitinfo1;
	if (vec == VEC_PF)
		e->exc.cr2 = s->vmcb->control.exitinfo2;
	if (vec == VEC_DB) {
		/* The CPU merged the status into VMCB.DR6: what flipped is this #DB's news. */
		e->exc.dr6_pending = s->vmcb->save.dr6 ^ s->loaded_dr6;
		e->exc.dr6_hw = s->vmcb->save.dr6;
		e->exc.dr6_hw_valid = e->exc.dr6_pending != 0;
		if (!e->exc.dr6_pending)
			e->exc.dr6_pending = reconstruct_db_status(s);
	}
}

static void decode_dr(const struct svm_vcpu *s, struct vcpu_exit *e, uint64_t code)
{
	uint64_t info = s->vmcb->control.exitinfo1;

	e->kind = EXIT_DR_ACCESS;
	e->dr.write = code >= SVM_EXIT_WRITE_DR0;
	e->dr.dr = (uint8_t)(code - (e->dr.write ? SVM_EXIT_WRITE_DR0 : SVM_EXIT_READ_DR0));
	/* Only CPUs with decode assists name the GPR (APM 15.33.3). */
	e->dr.gpr =
	    (info & SVM_DR_EXITINFO_VALID) ? (uint8_t)(info & SVM_DR_EXITINFO_GPR_MASK) : 0xff;
}

static const char *simple_kind(uint64_t code, enum exit_kind *k)
{
	switch (code) {
	case SVM_EXIT_CPUID:
		*k = EXIT_CPUID;
		return "CPUID";
	case SVM_EXIT_VMRUN:
		*k = EXIT_VIRT_INSN;
		return "VMRUN";
	case SVM_EXIT_VMMCALL:
		*k = EXIT_VIRT_INSN;
		return "VMMCALL";
	case SVM_EXIT_VMLOAD:
		*k = EXIT_VIRT_INSN;
		return "VMLOAD";
	case SVM_EXIT_VMSAVE:
		*k = EXIT_VIRT_INSN;
		return "VMSAVE";
	case SVM_EXIT_STGI:
		*k = EXIT_VIRT_INSN;
		return "STGI";
	case SVM_EXIT_CLGI:
		*k = EXIT_VIRT_INSN;
		return "CLGI";
	case SVM_EXIT_SKINIT:
		*k = EXIT_VIRT_INSN;
		return "SKINIT";
	case SVM_EXIT_INVLPGA:
		*k = EXIT_VIRT_INSN;
		return "INVLPGA";
	case SVM_EXIT_SHUTDOWN:
		*k = EXIT_TRIPLE_FAULT;
		return "SHUTDOWN";
	case SVM_EXIT_INTR:
		*k = EXIT_EXT_INTR;
		return "INTR";
	case SVM_EXIT_NMI:
		*k = EXIT_NMI;
		return "NMI";
	case SVM_EXIT_INIT:
		*k = EXIT_INIT;
		return "INIT";
	case SVM_EXIT_XSETBV:
		*k = EXIT_XSETBV;
		return "XSETBV";
	case SVM_EXIT_INVD:
		*k = EXIT_INVD;
		return "INVD";
	case SVM_EXIT_HLT:
		*k = EXIT_HLT;
		return "HLT";
	case SVM_EXIT_TASK_SWITCH:
		*k = EXIT_TASK_SWITCH;
		return "TASK_SWITCH";
	case SVM_EXIT_ICEBP:
		*k = EXIT_ICEBP;
		return "ICEBP";
	case SVM_EXIT_SWINT:
		*k = EXIT_SW_INT;
		return "SWINT";
	default:
		*k = EXIT_UNHANDLED;
		return "unknown SVM exit code";
	}
}

void svm_decode_exit(struct svm_vcpu *s, struct vcpu_exit *e)
{
	uint64_t code = s->vmcb->control.exitcode;

	*e = (struct vcpu_exit){0};
	e->raw_reason = code;
	e->insn_len = nrip_len(s);
	if (code == SVM_EXIT_INVALID) {
		e->kind = EXIT_ENTRY_FAILED;
		e->raw_name = "VMEXIT_INVALID";
		e->fail.detail = "VMRUN rejected the VMCB (VMEXIT_INVALID, APM 15.5.1 checks)";
	} else if (code == SVM_EXIT_IOIO) {
		e->raw_name = "IOIO";
		decode_io(s, e);
	} else if (code == SVM_EXIT_MSR) {
		e->raw_name = "MSR";
		e->kind = s->vmcb->control.exitinfo1 ? EXIT_MSR_WRITE : EXIT_MSR_READ;
	} else if (code == SVM_EXIT_NPF) {
		e->raw_name = "NPF";
		decode_npf(s, e);
	} else if (code >= SVM_EXIT_EXCP_BASE && code < SVM_EXIT_EXCP_BASE + VECTOR_COUNT) {
		e->raw_name = "EXCP";
		decode_exception(s, e, (uint8_t)(code - SVM_EXIT_EXCP_BASE));
	} else if (code >= SVM_EXIT_READ_DR0 && code < SVM_EXIT_WRITE_DR0 + DR_COUNT) {
		e->raw_name = "DR";
		decode_dr(s, e, code);
	} else {
		e->raw_name = simple_kind(code, &e->kind);
		/* Only decode assists put the vector in EXITINFO1 (APM 15.33.2). */
		if (e->kind == EXIT_SW_INT && s->decode_assists) {
			e->swint.vector = (uint8_t)s->vmcb->control.exitinfo1;
			e->swint.vector_valid = true;
		}
	}
}
