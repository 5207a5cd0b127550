/* vcpu_hooks.h - the one door from the vcpu engine up to the debug layer, which fills it. */
#ifndef DBGVISOR_VCPU_HOOKS_H
#define DBGVISOR_VCPU_HOOKS_H

#include "vcpu.h"

/* Filled by debug/debug_hooks.c (core/ never includes debug/). Every entry is required. */
struct vcpu_debug_hooks {
	/* Top of the run loop: serve gdb, load the debug registers; false stops the machine. */
	bool (*before_entry)(struct vcpu *v);
	/* Right after each exit: take back the DRs the guest changed while running natively. */
	void (*after_exit)(struct vcpu *v);
	/* Top of exit_dispatch: true when a catchpoint stopped the guest before @e took effect
	 * (it is handled when resumed). */
	bool (*catch_exit)(struct vcpu *v, const struct vcpu_exit *e);
	/* #DB (intercepted, or ICEBP with exc.software) and MOV DR exits. */
	enum exit_result (*db)(struct vcpu *v, const struct vcpu_exit *e);
	enum exit_result (*mov_dr)(struct vcpu *v, const struct vcpu_exit *e);
	/* An emulated instruction ended with TF set or with v->access recorded (its trap). */
	void (*step_trap)(struct vcpu *v);
	void (*task_switch)(struct vcpu *v, bool t_bit); /* @t_bit: the new TSS's T flag (#DB) */
	/* INT3 at @rip: true when it is the debugger's breakpoint (a stop is requested). */
	bool (*breakpoint)(struct vcpu *v, uint64_t rip);
	/* A nested page fault: true when the debugger's page protection caused it (handled). */
	bool (*nested_fault)(struct vcpu *v, const struct vcpu_exit *e);
	void (*timer)(struct vcpu *v); /* a timer exit: the debugger may look at its line */
	bool (*nmi)(struct vcpu *v);   /* an NMI exit: true for the debugger's kick */
	/* Before an entry: true when before_entry and after_exit have nothing to do for null
	 * exits (core/exit_fast.c). */
	bool (*quiet)(struct vcpu *v);
	/* exit_dispatch said stop: true when the debugger keeps the guest for inspection. */
	bool (*keep_stopped_guest)(struct vcpu *v);
};

#endif
