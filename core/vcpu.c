/* vcpu.c - the run loop: enter the guest, count and dispatch each exit, report why it stopped. */
#include "vcpu_run.h"

#include "console.h"
#include "exit.h"
#include "host_dr.h"
#include "vcpu_debug.h"

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
    [EXIT_HLT] = "HLT",
    [EXIT_TIMER] = "timer",
    [EXIT_EXT_INTR] = "external interrupt",
    [EXIT_NMI] = "NMI",
    [EXIT_TASK_SWITCH] = "task switch",
    [EXIT_SW_INT] = "INT n",
    [EXIT_ICEBP] = "ICEBP",
    [EXIT_ENTRY_FAILED] = "entry failure",
    [EXIT_CR_ACCESS] = "CR access",
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
};

const char *exit_kind_name(enum exit_kind k)
{
	return (k < EXIT_KIND_COUNT && exit_names[k]) ? exit_names[k] : "?";
}

const char *vcpu_stop_reason_name(enum vcpu_stop_reason r)
{
	return (r < sizeof(stop_names) / sizeof(stop_names[0]) && stop_names[r]) ? stop_names[r]
										 : "?";
}

void vcpu_report(struct vcpu *v)
{
	printk("dbgvisor: guest stopped: %s", vcpu_stop_reason_name(v->stop.reason));
	if (v->stop.reason == STOP_GUEST_EXIT)
		printk(", exit code %d", v->stop.exit_code);
	if (v->stop.detail)
		printk(" (%s)", v->stop.detail);
	if (v->stop.reason == STOP_HV_MEMORY || v->stop.reason == STOP_BAD_ACCESS)
		printk(" at guest-physical address 0x%lx", v->stop.addr);
	if (v->ipis_refused)
		printk("\ndbgvisor: refused %lu INIT/SIPI/NMI/SMI IPI(s) aimed at CPUs the guest "
		       "does not own",
		       v->ipis_refused);
	printk("\ndbgvisor: guest RIP 0x%lx, %lu exits:", v->ops->get_reg(v, REG_RIP),
	       v->exits_total);
	for (int k = 0; k < EXIT_KIND_COUNT; k++) {
		if (v->exits[k])
			printk(" %s=%lu", exit_kind_name(k), v->exits[k]);
	}
	printk("\n");
}

void vcpu_run(struct vcpu *v)
{
	struct vcpu_exit e;

	for (;;) {
		vcpu_debug_before_entry(v);
		v->ops->run(v, &e);
		vcpu_debug_after_exit(v);
		host_dr_restore();
		v->exits_total++;
		v->exits[e.kind < EXIT_KIND_COUNT ? e.kind : EXIT_UNHANDLED]++;
		if (exit_dispatch(v, &e) == EXIT_STOP)
			return;
	}
}
