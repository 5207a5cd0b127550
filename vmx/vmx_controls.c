/* vmx_controls.c - VMCS controls from the capability MSRs, and VMX names for logs (pure). */
#include "vmx_controls.h"

#include "core/hw/cpu_caps.h"
#include "core/hw/printf.h"
#include "core/hw/string.h"
#include "vmcs_fields.h"

/* A control we cannot run without, and its name in the SDM for the refusal message. */
struct vmx_req {
	uint32_t bit;
	const char *name;
};

static const struct vmx_req req_proc[] = {
    {CPU_BASED_USE_IO_BITMAPS, "use I/O bitmaps (primary processor-based control bit 25)"},
    {CPU_BASED_USE_MSR_BITMAPS, "use MSR bitmaps (primary processor-based control bit 28)"},
    {CPU_BASED_MOV_DR_EXITING, "MOV-DR exiting (primary processor-based control bit 23)"},
    {CPU_BASED_ACTIVATE_SECONDARY,
     "activate secondary controls (primary processor-based control bit 31)"},
};

static const struct vmx_req req_proc2[] = {
    {SECONDARY_EXEC_EPT, "enable EPT (secondary processor-based control bit 1)"},
    {SECONDARY_EXEC_UNRESTRICTED_GUEST,
     "unrestricted guest (secondary processor-based control bit 7)"},
};

static const struct vmx_req req_exit[] = {
    {VM_EXIT_HOST_ADDR_SPACE_SIZE, "host address-space size (VM-exit control bit 9)"},
    {VM_EXIT_SAVE_DEBUG_CONTROLS, "save debug controls (VM-exit control bit 2)"},
    {VM_EXIT_SAVE_EFER, "save IA32_EFER (VM-exit control bit 20)"},
    {VM_EXIT_LOAD_EFER, "load IA32_EFER (VM-exit control bit 21)"},
};

static const struct vmx_req req_entry[] = {
    {VM_ENTRY_LOAD_DEBUG_CONTROLS, "load debug controls (VM-entry control bit 2)"},
    {VM_ENTRY_LOAD_EFER, "load IA32_EFER (VM-entry control bit 15)"},
};

/* Exiting controls no exit rule covers must end up 0; only CR3-load/store exiting are default-1
 * (forced on without the TRUE MSRs), the others never asked for (SDM vol. 3D, A.3.2, A.3.3). */
static const struct vmx_req forbidden_proc[] = {
    {CPU_BASED_CR3_LOAD_EXITING, "CR3-load exiting off (primary processor-based control bit 15)"},
    {CPU_BASED_CR3_STORE_EXITING, "CR3-store exiting off (primary processor-based control bit 16)"},
};

/* SDM vol. 3D A.3-A.5: a 1 in bits 31:0 (allowed 0-settings) means the control must be 1, a 0
 * in bits 63:32 (allowed 1-settings) means it must be 0. */
static uint32_t must_be_1(uint64_t msr)
{
	return (uint32_t)msr;
}

static uint32_t may_be_1(uint64_t msr)
{
	return (uint32_t)(msr >> 32);
}

/* Start @ctl from the MSR's minimum and add every @req bit; NULL, or the first one refused. */
static const char *require(uint32_t *ctl, uint64_t msr, const struct vmx_req *req, size_t n)
{
	*ctl = must_be_1(msr);
	for (size_t i = 0; i < n; i++) {
		if (!(may_be_1(msr) & req[i].bit))
			return req[i].name;
		*ctl |= req[i].bit;
	}
	return NULL;
}

/* Set @bit in @ctl if the capability MSR allows it; report whether it did. */
static bool offer(uint32_t *ctl, uint64_t msr, uint32_t bit)
{
	if (!(may_be_1(msr) & bit))
		return false;
	*ctl |= bit;
	return true;
}

int vmx_compute_controls(const struct vmx_cap_msrs *c, struct vmx_controls *out, char *missing,
			 size_t len)
{
	/* SDM vol. 3D A.2: with IA32_VMX_BASIC[55] the TRUE MSRs give the real allowed-0 bits. */
	bool true_ctls = (c->basic & VMX_BASIC_TRUE_CTLS) != 0;
	uint64_t pin_msr = true_ctls ? c->true_pinbased : c->pinbased;
	uint64_t proc_msr = true_ctls ? c->true_procbased : c->procbased;
	uint64_t exit_msr = true_ctls ? c->true_exit : c->exit;
	uint64_t entry_msr = true_ctls ? c->true_entry : c->entry;
	const uint32_t exit_pat = VM_EXIT_SAVE_PAT | VM_EXIT_LOAD_PAT;
	struct vmx_controls r = {0};
	const char *why;

	/* Required controls, in order; EPT with unrestricted guest needs no CR3 exits, and
	 * interrupts and NMIs pass straight to the guest (no external-interrupt/NMI exiting). */
	r.pin = must_be_1(pin_msr);
	why = require(&r.proc, proc_msr, req_proc, NELEMS(req_proc));
	for (size_t i = 0; !why && i < NELEMS(forbidden_proc); i++)
		why = (r.proc & forbidden_proc[i].bit) ? forbidden_proc[i].name : NULL;
	if (!why)
		why = require(&r.proc2, c->procbased2, req_proc2, NELEMS(req_proc2));
	/* Our EPT tables are 4-level and write-back (SDM vol. 3D A.10). */
	if (!why && !(c->ept_vpid_cap & VMX_EPT_PAGE_WALK_4))
		why = "EPT page-walk length 4 (IA32_VMX_EPT_VPID_CAP bit 6)";
	if (!why && !(c->ept_vpid_cap & VMX_EPT_MEMTYPE_WB))
		why = "EPT write-back memory type (IA32_VMX_EPT_VPID_CAP bit 14)";
	if (!why)
		why = require(&r.exit, exit_msr, req_exit, NELEMS(req_exit));
	if (!why)
		why = require(&r.entry, entry_msr, req_entry, NELEMS(req_entry));
	if (why) {
		*out = (struct vmx_controls){0};
		fmt_snprintf(missing, len, "%s", why);
		return -1;
	}
	/* Optional: the preemption timer, and saving its value on exit where offered. */
	r.preemption_timer = offer(&r.pin, pin_msr, PIN_BASED_PREEMPTION_TIMER);
	if (r.preemption_timer) {
		r.preemption_timer_shift = (unsigned)(c->misc & VMX_MISC_PREEMPTION_SHIFT_MASK);
		offer(&r.exit, exit_msr, VM_EXIT_SAVE_PREEMPTION_TIMER);
	}
	/* VPID is only useful if INVVPID can flush a single VPID or all of them (A.10). */
	if (c->ept_vpid_cap & VMX_VPID_INVVPID &&
	    c->ept_vpid_cap & (VMX_VPID_INVVPID_SINGLE_CONTEXT | VMX_VPID_INVVPID_ALL_CONTEXT))
		r.vpid = offer(&r.proc2, c->procbased2, SECONDARY_EXEC_VPID);
	/* Without these, RDTSCP / INVPCID / XSAVES would #UD in the guest. */
	r.rdtscp = offer(&r.proc2, c->procbased2, SECONDARY_EXEC_RDTSCP);
	r.invpcid = offer(&r.proc2, c->procbased2, SECONDARY_EXEC_INVPCID);
	r.xsaves = offer(&r.proc2, c->procbased2, SECONDARY_EXEC_XSAVES);
	/* IA32_PAT switched on both edges, or not at all. */
	if ((may_be_1(exit_msr) & exit_pat) == exit_pat &&
	    (may_be_1(entry_msr) & VM_ENTRY_LOAD_PAT)) {
		r.exit |= exit_pat;
		r.entry |= VM_ENTRY_LOAD_PAT;
		r.pat = true;
	}
	*out = r;
	fmt_snprintf(missing, len, "%s", "");
	return 0;
}

uint64_t vmx_fixed_cr(uint64_t val, uint64_t fixed0, uint64_t fixed1)
{
	return (val | fixed0) & fixed1;
}

/* SDM vol. 3C 31.4 "VM Instruction Error Numbers", table 31-1; 14, 21 and 27 are unused. */
static const char *const insn_errors[] = {
    [0] = "no error recorded",
    [1] = "VMCALL executed in VMX root operation",
    [2] = "VMCLEAR with invalid physical address",
    [3] = "VMCLEAR with VMXON pointer",
    [4] = "VMLAUNCH with non-clear VMCS",
    [5] = "VMRESUME with non-launched VMCS",
    [6] = "VMRESUME after VMXOFF (VMXOFF and VMXON between VMLAUNCH and VMRESUME)",
    [7] = "VM entry with invalid control field(s)",
    [8] = "VM entry with invalid host-state field(s)",
    [9] = "VMPTRLD with invalid physical address",
    [10] = "VMPTRLD with VMXON pointer",
    [11] = "VMPTRLD with incorrect VMCS revision identifier",
    [12] = "VMREAD/VMWRITE from/to unsupported VMCS component",
    [13] = "VMWRITE to read-only VMCS component",
    [15] = "VMXON executed in VMX root operation",
    [16] = "VM entry with invalid executive-VMCS pointer",
    [17] = "VM entry with non-launched executive VMCS",
    [18] = "VM entry with executive-VMCS pointer not VMXON pointer",
    [19] = "VMCALL with non-clear VMCS",
    [20] = "VMCALL with invalid VM-exit control fields",
    [22] = "VMCALL with incorrect MSEG revision identifier",
    [23] = "VMXOFF under dual-monitor treatment of SMIs and SMM",
    [24] = "VMCALL with invalid SMM-monitor features",
    [25] = "VM entry with invalid VM-execution control fields in executive VMCS",
    [26] = "VM entry with events blocked by MOV SS",
    [28] = "Invalid operand to INVEPT/INVVPID",
};

static const char *const exit_reasons[] = {
#define VMX_EXIT_REASON_NAME(name, nr, text) [name] = text,
    VMX_EXIT_REASONS(VMX_EXIT_REASON_NAME)
#undef VMX_EXIT_REASON_NAME
};

const char *vmx_instruction_error_str(uint32_t n)
{
	if (n < NELEMS(insn_errors) && insn_errors[n])
		return insn_errors[n];
	return "unknown VM-instruction error";
}

const char *vmx_exit_reason_str(uint32_t basic_reason)
{
	if (basic_reason < NELEMS(exit_reasons) && exit_reasons[basic_reason])
		return exit_reasons[basic_reason];
	return "unknown exit reason";
}
