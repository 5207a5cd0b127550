/* vmx_errors.c - names for VM-instruction error numbers and VM-exit reasons, for logs. */
#include "vmx_errors.h"

#include "vmx_defs.h"

#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* SDM vol. 3C 31.4 "VM Instruction Error Numbers", table 31-1; 14, 21 and 27 are unused. */
static const char *const insn_errors[] = {
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

/* SDM vol. 3D appendix C "VMX Basic Exit Reasons", table C-1. */
static const char *const exit_reasons[] = {
    [EXIT_REASON_EXCEPTION_NMI] = "exception or NMI",
    [EXIT_REASON_EXTERNAL_INTERRUPT] = "external interrupt",
    [EXIT_REASON_TRIPLE_FAULT] = "triple fault",
    [EXIT_REASON_INIT] = "INIT signal",
    [EXIT_REASON_SIPI] = "start-up IPI (SIPI)",
    [EXIT_REASON_IO_SMI] = "I/O system-management interrupt (SMI)",
    [EXIT_REASON_OTHER_SMI] = "other SMI",
    [EXIT_REASON_INTERRUPT_WINDOW] = "interrupt window",
    [EXIT_REASON_NMI_WINDOW] = "NMI window",
    [EXIT_REASON_TASK_SWITCH] = "task switch",
    [EXIT_REASON_CPUID] = "CPUID",
    [EXIT_REASON_GETSEC] = "GETSEC",
    [EXIT_REASON_HLT] = "HLT",
    [EXIT_REASON_INVD] = "INVD",
    [EXIT_REASON_INVLPG] = "INVLPG",
    [EXIT_REASON_RDPMC] = "RDPMC",
    [EXIT_REASON_RDTSC] = "RDTSC",
    [EXIT_REASON_RSM] = "RSM",
    [EXIT_REASON_VMCALL] = "VMCALL",
    [EXIT_REASON_VMCLEAR] = "VMCLEAR",
    [EXIT_REASON_VMLAUNCH] = "VMLAUNCH",
    [EXIT_REASON_VMPTRLD] = "VMPTRLD",
    [EXIT_REASON_VMPTRST] = "VMPTRST",
    [EXIT_REASON_VMREAD] = "VMREAD",
    [EXIT_REASON_VMRESUME] = "VMRESUME",
    [EXIT_REASON_VMWRITE] = "VMWRITE",
    [EXIT_REASON_VMXOFF] = "VMXOFF",
    [EXIT_REASON_VMXON] = "VMXON",
    [EXIT_REASON_CR_ACCESS] = "control-register access",
    [EXIT_REASON_DR_ACCESS] = "MOV DR",
    [EXIT_REASON_IO_INSTRUCTION] = "I/O instruction",
    [EXIT_REASON_MSR_READ] = "RDMSR",
    [EXIT_REASON_MSR_WRITE] = "WRMSR",
    [EXIT_REASON_INVALID_GUEST_STATE] = "VM-entry failure due to invalid guest state",
    [EXIT_REASON_MSR_LOAD_FAIL] = "VM-entry failure due to MSR loading",
    [EXIT_REASON_MWAIT] = "MWAIT",
    [EXIT_REASON_MTF] = "monitor trap flag",
    [EXIT_REASON_MONITOR] = "MONITOR",
    [EXIT_REASON_PAUSE] = "PAUSE",
    [EXIT_REASON_MCE_DURING_ENTRY] = "VM-entry failure due to machine-check event",
    [EXIT_REASON_TPR_BELOW] = "TPR below threshold",
    [EXIT_REASON_APIC_ACCESS] = "APIC access",
    [EXIT_REASON_VIRTUALIZED_EOI] = "virtualized EOI",
    [EXIT_REASON_GDTR_IDTR] = "access to GDTR or IDTR",
    [EXIT_REASON_LDTR_TR] = "access to LDTR or TR",
    [EXIT_REASON_EPT_VIOLATION] = "EPT violation",
    [EXIT_REASON_EPT_MISCONFIG] = "EPT misconfiguration",
    [EXIT_REASON_INVEPT] = "INVEPT",
    [EXIT_REASON_RDTSCP] = "RDTSCP",
    [EXIT_REASON_PREEMPTION_TIMER] = "VMX-preemption timer expired",
    [EXIT_REASON_INVVPID] = "INVVPID",
    [EXIT_REASON_WBINVD] = "WBINVD or WBNOINVD",
    [EXIT_REASON_XSETBV] = "XSETBV",
    [EXIT_REASON_APIC_WRITE] = "APIC write",
    [EXIT_REASON_RDRAND] = "RDRAND",
    [EXIT_REASON_INVPCID] = "INVPCID",
    [EXIT_REASON_VMFUNC] = "VMFUNC",
    [EXIT_REASON_ENCLS] = "ENCLS",
    [EXIT_REASON_RDSEED] = "RDSEED",
    [EXIT_REASON_PML_FULL] = "page-modification log full",
    [EXIT_REASON_XSAVES] = "XSAVES",
    [EXIT_REASON_XRSTORS] = "XRSTORS",
    [EXIT_REASON_PCONFIG] = "PCONFIG",
    [EXIT_REASON_SPP] = "SPP-related event",
    [EXIT_REASON_UMWAIT] = "UMWAIT",
    [EXIT_REASON_TPAUSE] = "TPAUSE",
    [EXIT_REASON_LOADIWKEY] = "LOADIWKEY",
    [EXIT_REASON_ENCLV] = "ENCLV",
    [EXIT_REASON_ENQCMD_PASID] = "ENQCMD PASID translation failure",
    [EXIT_REASON_ENQCMDS_PASID] = "ENQCMDS PASID translation failure",
    [EXIT_REASON_BUS_LOCK] = "bus lock",
    [EXIT_REASON_INSTRUCTION_TIMEOUT] = "instruction timeout",
};

const char *vmx_instruction_error_str(uint32_t n)
{
	if (n == 0)
		return "no error recorded";
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
