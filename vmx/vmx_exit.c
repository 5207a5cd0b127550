/* vmx_exit.c - turn the VMCS exit-information fields into a vendor-neutral exit record. */
#include "vmx.h"

#include "core/exit.h"
#include "core/hw/string.h"
#include "core/hw/trap.h"
#include "vmcs.h"
#include "vmcs_fields.h"

#define TASK_SWITCH_SELECTOR_MASK 0xffffu
#define TASK_SWITCH_SOURCE_SHIFT  30
#define TASK_SWITCH_SOURCE_MASK	  0x3u

static void decode_exception(struct vcpu_exit *e, uint64_t q)
{
	uint32_t info = vmcs_read32(VM_EXIT_INTR_INFO);
	uint32_t type = INTR_INFO_TYPE(info);

	if (type == INTR_TYPE_NMI) {
		e->kind = EXIT_NMI;
		return;
	}
	e->kind = EXIT_EXCEPTION;
	e->exc.vector = (uint8_t)(info & INTR_INFO_VECTOR_MASK);
	e->exc.has_error = info & INTR_INFO_DELIVER_CODE;
	if (e->exc.has_error)
		e->exc.error = vmcs_read32(VM_EXIT_INTR_ERROR_CODE);
	if (e->exc.vector == VEC_PF)
		e->exc.cr2 = q;
	if (e->exc.vector == VEC_DB) {
		/* A #DB exit leaves DR6 alone; the qualification holds its news (SDM 3C 28.2.1). */
		e->exc.dr6_pending = q;
		e->exc.software = type == INTR_TYPE_PRIV_SW_EXC;
	}
}

static void decode_io(struct vcpu_exit *e, uint64_t q)
{
	e->kind = EXIT_IO;
	e->io.size = (uint8_t)((q & EXITQ_IO_SIZE_MASK) + 1);
	e->io.in = q & EXITQ_IO_IN;
	e->io.string = q & EXITQ_IO_STRING;
	e->io.rep = q & EXITQ_IO_REP;
	e->io.port = (uint16_t)EXITQ_IO_PORT(q);
}

static void decode_cr(struct vcpu_exit *e, uint64_t q)
{
	uint32_t type = (uint32_t)((q & EXITQ_CR_TYPE_MASK) >> EXITQ_CR_TYPE_SHIFT);
	e->kind = EXIT_CR_ACCESS;
	e->cr.cr = (uint8_t)(q & EXITQ_CR_NUM_MASK);
	e->cr.gpr = (uint8_t)((q & EXITQ_CR_GPR_MASK) >> EXITQ_CR_GPR_SHIFT);
	e->cr.type = type == EXITQ_CR_TYPE_MOV_TO_CR	 ? CR_MOV_TO
		     : type == EXITQ_CR_TYPE_MOV_FROM_CR ? CR_MOV_FROM
		     : type == EXITQ_CR_TYPE_CLTS	 ? CR_CLTS
							 : CR_LMSW;
	e->cr.lmsw_data = (uint16_t)(q >> EXITQ_CR_LMSW_DATA_SHIFT);
}

static void decode_dr(struct vcpu_exit *e, uint64_t q)
{
	e->kind = EXIT_DR_ACCESS;
	e->dr.dr = (uint8_t)(q & EXITQ_DR_NUM_MASK);
	e->dr.write = !(q & EXITQ_DR_FROM_DR);
	e->dr.gpr = (uint8_t)((q >> EXITQ_DR_GPR_SHIFT) & EXITQ_DR_GPR_MASK);
}

static void decode_ept(struct vcpu_exit *e, uint64_t q)
{
	e->kind = e->raw_reason == EXIT_REASON_EPT_VIOLATION ? EXIT_NPF : EXIT_NPT_MISCONFIG;
	e->npf.gpa = vmcs_read64(GUEST_PHYSICAL_ADDRESS);
	e->npf.write = q & EXITQ_EPT_WRITE;
	e->npf.fetch = q & EXITQ_EPT_FETCH;
	e->npf.gla_valid = q & EXITQ_EPT_GLA_VALID;
	if (e->npf.gla_valid)
		e->npf.gla = vmcs_read64(GUEST_LINEAR_ADDRESS);
}

/* Exits that need no decoding beyond their kind; VMX instructions stay hidden from the guest.
 * HLT, descriptor-table and the other optional exits are never enabled (vmx_controls.c). */
static const uint8_t simple_kinds[] = {
    [EXIT_REASON_EXTERNAL_INTERRUPT] = EXIT_EXT_INTR,
    [EXIT_REASON_TRIPLE_FAULT] = EXIT_TRIPLE_FAULT,
    [EXIT_REASON_INIT] = EXIT_INIT,
    [EXIT_REASON_SIPI] = EXIT_SIPI,
    [EXIT_REASON_CPUID] = EXIT_CPUID,
    [EXIT_REASON_INVD] = EXIT_INVD,
    [EXIT_REASON_MSR_READ] = EXIT_MSR_READ,
    [EXIT_REASON_MSR_WRITE] = EXIT_MSR_WRITE,
    [EXIT_REASON_PREEMPTION_TIMER] = EXIT_TIMER,
    [EXIT_REASON_XSETBV] = EXIT_XSETBV,
    [EXIT_REASON_GETSEC] = EXIT_VIRT_INSN,
    [EXIT_REASON_VMCALL... EXIT_REASON_VMXON] = EXIT_VIRT_INSN, /* VMCALL, VMCLEAR ... VMXON */
    [EXIT_REASON_INVEPT] = EXIT_VIRT_INSN,
    [EXIT_REASON_INVVPID] = EXIT_VIRT_INSN,
    [EXIT_REASON_VMFUNC] = EXIT_VIRT_INSN,
};

static bool is_software_type(uint32_t type)
{
	return type == INTR_TYPE_SW_INT || type == INTR_TYPE_SW_EXC ||
	       type == INTR_TYPE_PRIV_SW_EXC;
}

static void decode_task_switch(struct vcpu_exit *e, uint64_t q)
{
	uint32_t idt = vmcs_read32(IDT_VECTORING_INFO_FIELD);
	uint8_t source = (uint8_t)((q >> TASK_SWITCH_SOURCE_SHIFT) & TASK_SWITCH_SOURCE_MASK);
	bool via_event = (idt & INTR_INFO_VALID) && source == TS_GATE;
	e->kind = EXIT_TASK_SWITCH;
	e->task.selector = (uint16_t)(q & TASK_SWITCH_SELECTOR_MASK);
	e->task.source = source;
	/* The gate's event is consumed by the switch; never deliver it again. */
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, 0);
	/* An exception's error code goes on the new task's stack (SDM vol. 3A, 7.12.2); the
	 * instruction length is defined only for software interrupts (SDM vol. 3C, 28.2.5). */
	e->task.has_error = via_event && (idt & INTR_INFO_DELIVER_CODE);
	if (e->task.has_error)
		e->task.error = vmcs_read32(IDT_VECTORING_ERROR_CODE);
	if (source == TS_GATE && !(via_event && is_software_type(INTR_INFO_TYPE(idt))))
		e->insn_len = 0;
}

static void reinject_vectoring(void)
{
	uint32_t idt = vmcs_read32(IDT_VECTORING_INFO_FIELD);
	uint32_t type = INTR_INFO_TYPE(idt);
	/* An event whose delivery caused the exit must be delivered again (SDM 3C, 28.2.4). */
	if (!(idt & INTR_INFO_VALID))
		return;
	if (idt & INTR_INFO_DELIVER_CODE)
		vmcs_write32(VM_ENTRY_EXCEPTION_ERROR_CODE, vmcs_read32(IDT_VECTORING_ERROR_CODE));
	if (is_software_type(type))
		vmcs_write32(VM_ENTRY_INSTRUCTION_LEN, vmcs_read32(VM_EXIT_INSTRUCTION_LEN));
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, idt & ~INTR_INFO_NMI_UNBLOCKING);
}

void vmx_decode_hv_fault(const struct trap_window *w, struct vcpu_exit *e)
{
	uint32_t reason = vmcs_read32(VM_EXIT_REASON) & VM_EXIT_REASON_BASIC_MASK;
	*e = (struct vcpu_exit){.kind = EXIT_HV_FAULT};
	e->raw_reason = reason; /* the exit that just happened, or the last one */
	e->raw_name = vmx_exit_reason_str(reason);
	e->hv.vector = (uint8_t)w->vector;
	e->hv.name = trap_vector_name(w->vector);
	e->hv.error = w->error;
	e->hv.cr2 = w->cr2;
	e->hv.host_rip = w->rip;
}

/* The exits that need their qualification decoded, by basic exit reason; each runs after
 * vmx_decode_exit() has set raw_reason (decode_ept tells its two reasons apart by it). */
static void (*const decoders[])(struct vcpu_exit *e, uint64_t q) = {
    [EXIT_REASON_EXCEPTION_NMI] = decode_exception,
    [EXIT_REASON_IO_INSTRUCTION] = decode_io,
    [EXIT_REASON_CR_ACCESS] = decode_cr,
    [EXIT_REASON_DR_ACCESS] = decode_dr,
    [EXIT_REASON_EPT_VIOLATION] = decode_ept,
    [EXIT_REASON_EPT_MISCONFIG] = decode_ept,
    [EXIT_REASON_TASK_SWITCH] = decode_task_switch,
};

void vmx_decode_exit(struct vcpu_exit *e)
{
	uint32_t full = vmcs_read32(VM_EXIT_REASON);
	uint32_t reason = full & VM_EXIT_REASON_BASIC_MASK;
	uint64_t q;

	/* The most frequent exit needs its kind and length only: CPUID never exits during event
	 * delivery (no IDT-vectoring information, SDM 3C 28.2.4) and has no qualification. */
	if (reason == EXIT_REASON_CPUID) {
		e->kind = EXIT_CPUID;
		e->raw_reason = reason;
		e->raw_name = "CPUID";
		e->insn_len = (uint8_t)vmcs_read32(VM_EXIT_INSTRUCTION_LEN);
		return;
	}
	q = vmcs_read64(EXIT_QUALIFICATION);
	*e = (struct vcpu_exit){0};
	e->raw_reason = reason;
	e->raw_name = vmx_exit_reason_str(reason);
	if (full & VM_EXIT_REASON_FAILED_ENTRY) {
		e->kind = EXIT_ENTRY_FAILED;
		e->fail.qualification = q;
		e->fail.detail = reason == EXIT_REASON_INVALID_GUEST_STATE
				     ? "VM entry failed: invalid guest state (SDM 3C, 27.3.1)"
				     : "VM entry failed while loading guest state";
		vmcs_dump_guest_state();
		return;
	}
	reinject_vectoring();
	e->insn_len = (uint8_t)vmcs_read32(VM_EXIT_INSTRUCTION_LEN);
	if (reason < NELEMS(decoders) && decoders[reason])
		decoders[reason](e, q);
	else if (reason < sizeof(simple_kinds) && simple_kinds[reason])
		e->kind = simple_kinds[reason];
	else
		e->kind = EXIT_UNHANDLED;
}
