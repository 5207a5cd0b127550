/* vcpu_run.c - the run loop: enter the guest, count and dispatch exits, report the stop. */
#include "vcpu_run.h"

#include "core/hw/console.h"
#include "exit.h"
#include "exit_fast.h"
#include "vcpu_hooks.h"

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
	for (int k = 0; k < EXIT_KIND_COUNT; k++)
		if (v->exits[k])
			printk(" %s=%lu", exit_kind_name(k), v->exits[k]);
	printk("\n");
}

void vcpu_run(struct vcpu *v)
{
	struct vcpu_exit e;

	vcpu_fast_attach(v);
	for (;;) {
		if (!v->debug->before_entry(v))
			return;
		nmi_before_entry(v);
		vcpu_fast_prepare(v);
		v->ops->run(v, &e);
		v->debug->after_exit(v);
		/* Not an exit: the next entry sets up the guest for what the backend found. */
		if (e.kind == EXIT_PROBED)
			continue;
		v->exits_total++;
		v->exits[e.kind < EXIT_KIND_COUNT ? e.kind : EXIT_UNHANDLED]++;
		if (exit_dispatch(v, &e) == EXIT_STOP && !v->debug->keep_stopped_guest(v))
			return;
	}
}
