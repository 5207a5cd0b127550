/* debug_hooks.c - the debug layer's entries in the vcpu engine's hook table (core/vcpu_hooks.h). */
#include "debug_hooks.h"

#include "vcpu_debug.h"
#include "vcpu_gdb.h"

/* gdb first (it may change breakpoints and TF), then the DRs the next run needs. */
static bool hook_before_entry(struct vcpu *v)
{
	if (v->gdb)
		vcpu_gdb_before_entry(v);
	/* The stub reads and sets debug registers: from the guest's current values. */
	if (v->gdb && v->gdb->stop_pending) {
		vcpu_debug_sync(v);
		if (!vcpu_gdb_service(v))
			return false;
	}
	/* Guest DRs live in the CPU: nothing to load (the common case once Linux touched them). */
	if (!v->dr_live)
		vcpu_debug_before_entry(v);
	return true;
}

const struct vcpu_debug_hooks debug_hooks = {
    .before_entry = hook_before_entry,
    .after_exit = vcpu_debug_after_exit,
    .db = vcpu_debug_db,
    .mov_dr = vcpu_debug_mov_dr,
    .step_trap = vcpu_debug_step_trap,
    .task_switch = vcpu_debug_task_switch,
    .breakpoint = vcpu_gdb_breakpoint,
    .timer = vcpu_gdb_poll,
    .nmi = vcpu_gdb_nmi,
    .keep_stopped_guest = vcpu_gdb_guest_stopped,
};
