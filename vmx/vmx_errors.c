/* vmx_errors.c - names for VM-instruction error numbers and VM-exit reasons, for logs. */
#include "vmx_errors.h"

#include "vmx_defs.h"

#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))

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
