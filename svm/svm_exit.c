/* svm_exit.c - turn a VMCB exit code and its EXITINFO fields into a vendor-neutral exit record. */
#include "svm.h"

#include "core/hw/printf.h"
#include "core/hw/trap.h"
#include "core/hw/x86.h"
#include "core/hw/string.h"

#define DR_COUNT    16 /* DR0-DR15 each have a read and a write exit code */
#define REFUSAL_MAX 96

/* Exceptions that push an error code (SDM vol. 3A, table 7-1). */
static bool has_error_code(uint8_t v)
{
	return v == VEC_DF || v == VEC_TS || v == VEC_NP || v == VEC_SS || v == VEC_GP ||
	       v == VEC_PF || v == VEC_AC || v == VEC_CP;
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

/* Bochs 2.7 keeps no status for an intercepted #DB (svm_probe_db_status); with the guest's
 * DRs emulated, rebuild the likely one: GD, else an execute breakpoint at RIP, else a trap from
 * TF or the enabled data breakpoints (which slot hit, or TF before a POPF, is unknown). */
static uint64_t reconstruct_db_status(const struct svm_vcpu *s)
{
	const struct vmcb_save *st = &s->vmcb->save;
	uint64_t addr[DR_SLOTS] = {x86_read_dr0(), x86_read_dr1(), x86_read_dr2(), x86_read_dr3()};
	uint64_t rip = st->cs.base + st->rip, exec = 0, data = 0;

	if (st->dr7 & DR7_GD)
		return DR6_BD;
	for (unsigned n = 0; n < DR_SLOTS; n++) {
		unsigned rw = (unsigned)(st->dr7 >> DR7_RW_SHIFT(n)) & DR7_FIELD_MASK;

		if (!(st->dr7 & DR7_ENABLE(n)))
			continue;
		if (rw != DR7_RW_EXEC)
			data |= DR6_B(n);
		else if (addr[n] == rip)
			exec |= DR6_B(n);
	}
	if (exec)
		return exec;
	return (st->rflags & RFLAGS_TF) ? DR6_BS : data;
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
		e->exc.dr6_pending =
		    svm_db_status(s->vmcb->save.dr6, s->loaded_dr6, s->db_status_lost);
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

/* Exits that need no decoding beyond their kind; the rest of table C-1 is never intercepted. */
static const struct {
	uint16_t code;
	uint8_t kind;
} simple_exits[] = {
    {SVM_EXIT_CPUID, EXIT_CPUID},	{SVM_EXIT_VMRUN, EXIT_VIRT_INSN},
    {SVM_EXIT_VMMCALL, EXIT_VIRT_INSN}, {SVM_EXIT_VMLOAD, EXIT_VIRT_INSN},
    {SVM_EXIT_VMSAVE, EXIT_VIRT_INSN},	{SVM_EXIT_STGI, EXIT_VIRT_INSN},
    {SVM_EXIT_CLGI, EXIT_VIRT_INSN},	{SVM_EXIT_SKINIT, EXIT_VIRT_INSN},
    {SVM_EXIT_INVLPGA, EXIT_VIRT_INSN}, {SVM_EXIT_SHUTDOWN, EXIT_TRIPLE_FAULT},
    {SVM_EXIT_INTR, EXIT_EXT_INTR},	{SVM_EXIT_NMI, EXIT_NMI},
    {SVM_EXIT_INIT, EXIT_INIT},		{SVM_EXIT_XSETBV, EXIT_XSETBV},
    {SVM_EXIT_INVD, EXIT_INVD},		{SVM_EXIT_ICEBP, EXIT_ICEBP},
    {SVM_EXIT_SWINT, EXIT_SW_INT},	{SVM_EXIT_IRET, EXIT_IRET},
};

static enum exit_kind simple_kind(uint64_t code)
{
	for (unsigned i = 0; i < NELEMS(simple_exits); i++) {
		if (simple_exits[i].code == code)
			return simple_exits[i].kind;
	}
	return EXIT_UNHANDLED;
}

void svm_decode_hv_fault(const struct svm_vcpu *s, struct vcpu_exit *e)
{
	uint64_t code = s->vmcb->control.exitcode; /* the exit that just happened, or the last */
	*e = (struct vcpu_exit){.kind = EXIT_HV_FAULT};
	e->raw_reason = code;
	e->raw_name = svm_exit_name(code);
	e->hv.vector = (uint8_t)s->window.vector;
	e->hv.name = trap_vector_name(s->window.vector);
	e->hv.error = s->window.error;
	e->hv.cr2 = s->window.cr2;
	e->hv.host_rip = s->window.rip;
}

void svm_decode_exit(struct svm_vcpu *s, struct vcpu_exit *e)
{
	static char refusal[REFUSAL_MAX];
	uint64_t code = s->vmcb->control.exitcode;

	/* The most frequent exit needs its kind and length only: no record to clear. */
	if (code == SVM_EXIT_CPUID) {
		e->kind = EXIT_CPUID;
		e->raw_reason = code;
		e->raw_name = "CPUID";
		e->insn_len = svm_nrip_len(s);
		return;
	}
	*e = (struct vcpu_exit){0};
	e->raw_reason = code;
	e->raw_name = svm_exit_name(code);
	e->insn_len = svm_nrip_len(s);
	/* QEMU 7.2 stores SVM_EXIT_ERR as a 32-bit -1; no code is 0xffffffff (APM table C-1). */
	if ((uint32_t)code == (uint32_t)SVM_EXIT_INVALID) {
		const char *why = svm_vmrun_refusal(s->vmcb);

		e->kind = EXIT_ENTRY_FAILED;
		fmt_snprintf(refusal, sizeof(refusal), "VMRUN refused the VMCB: %s (APM 15.5.1)",
			     why ? why : "a check on bits this CPU reserves");
		e->fail.detail = refusal;
	} else if (code == SVM_EXIT_IOIO) {
		decode_io(s, e);
	} else if (code == SVM_EXIT_MSR) {
		e->kind = s->vmcb->control.exitinfo1 ? EXIT_MSR_WRITE : EXIT_MSR_READ;
	} else if (code == SVM_EXIT_NPF) {
		decode_npf(s, e);
	} else if (code >= SVM_EXIT_EXCP_BASE && code < SVM_EXIT_EXCP_BASE + NUM_EXCEPTIONS) {
		decode_exception(s, e, (uint8_t)(code - SVM_EXIT_EXCP_BASE));
	} else if (code >= SVM_EXIT_READ_DR0 && code < SVM_EXIT_WRITE_DR0 + DR_COUNT) {
		decode_dr(s, e, code);
	} else {
		e->kind = simple_kind(code);
		/* Only decode assists put the vector in EXITINFO1 (APM 15.33.2). */
		if (e->kind == EXIT_SW_INT && s->decode_assists) {
			e->swint.vector = (uint8_t)s->vmcb->control.exitinfo1;
			e->swint.vector_valid = true;
		}
	}
}
