/* vcpu_names.c - printable names of exit kinds and stop reasons, for reports and gdb. */
#include "vcpu.h"

#include "core/hw/string.h"

static const char *const exit_names[EXIT_KIND_COUNT] = {
    [EXIT_NONE] = "none",
    [EXIT_CPUID] = "CPUID",
    [EXIT_IO] = "I/O",
    [EXIT_MSR_READ] = "RDMSR",
    [EXIT_MSR_WRITE] = "WRMSR",
    [EXIT_VIRT_INSN] = "VMX/SVM instruction",
    [EXIT_TRIPLE_FAULT] = "triple fault",
    [EXIT_NPF] = "nested page fault",
    [EXIT_NPT_MISCONFIG] = "nested paging misconfiguration",
    [EXIT_EXCEPTION] = "exception",
    [EXIT_DR_ACCESS] = "MOV DR",
    [EXIT_INIT] = "INIT",
    [EXIT_SIPI] = "SIPI",
    [EXIT_XSETBV] = "XSETBV",
    [EXIT_INVD] = "INVD",
    [EXIT_TIMER] = "timer",
    [EXIT_EXT_INTR] = "external interrupt",
    [EXIT_NMI] = "NMI",
    [EXIT_IRET] = "IRET",
    [EXIT_TASK_SWITCH] = "task switch",
    [EXIT_SW_INT] = "INT n",
    [EXIT_ICEBP] = "ICEBP",
    [EXIT_ENTRY_FAILED] = "entry failure",
    [EXIT_CR_ACCESS] = "CR access",
    [EXIT_HV_FAULT] = "hypervisor fault",
    [EXIT_PROBED] = "probe",
    [EXIT_UNHANDLED] = "unhandled",
};

static const char *const stop_names[] = {
    [STOP_NONE] = "running",
    [STOP_GUEST_EXIT] = "guest exit",
    [STOP_TRIPLE_FAULT] = "triple fault",
    [STOP_HV_MEMORY] = "hypervisor memory access",
    [STOP_BAD_ACCESS] = "bad memory access",
    [STOP_ENTRY_FAILED] = "VM entry failure",
    [STOP_UNHANDLED_EXIT] = "unhandled exit",
    [STOP_INTERNAL] = "internal error",
    [STOP_KILLED] = "killed by the debugger",
    [STOP_POWER_OFF] = "ACPI power-off",
    [STOP_HV_FAULT] = "exception in the hypervisor after a VM exit",
};

const char *exit_kind_name(enum exit_kind k)
{
	return (k < EXIT_KIND_COUNT && exit_names[k]) ? exit_names[k] : "?";
}

const char *vcpu_stop_reason_name(enum vcpu_stop_reason r)
{
	return (r < NELEMS(stop_names) && stop_names[r]) ? stop_names[r] : "?";
}
