/* debug_hooks.c - the debug layer's entries in the vcpu engine's hook table (core/vcpu_hooks.h). */
#include "debug_hooks.h"

#include "core/vcpu_util.h"
#include "catch.h"
#include "vcpu_debug.h"
#include "vcpu_gdb.h"
#include "vcpu_npt.h"

/* gdb first (it may change breakpoints and TF), then the DRs the next run needs. */
static bool hook_before_entry(struct vcpu *v)
{
	if (v->gdb) {
		vcpu_gdb_before_entry(v, vcpu_npt_stepping(v));
		/* The stub reads and sets debug registers: from the guest's current values. */
		if (v->gdb->stop_pending) {
			vcpu_debug_sync(v);
			if (!vcpu_gdb_service(v))
				return false;
			/* gdb resumed: place pending breakpoints whose page is there now. */
			vcpu_npt_resume(v);
		}
	}
	/* Guest DRs live in the CPU: nothing to load (the common case once Linux touched them). */
	if (!v->dr_live)
		vcpu_debug_before_entry(v);
	return true;
}

static void hook_after_exit(struct vcpu *v)
{
	vcpu_debug_after_exit(v);
	vcpu_npt_after_exit(v);
}

/* Nothing for the hooks above to do on null exits (core/exit_fast.c): no gdb work, no
 * nested-page step, no debug-register load or save. */
static bool hook_quiet(struct vcpu *v)
{
	const struct vcpu_gdb *g = v->gdb;
	if (g && (g->stop_pending || g->stepping || g->catches.count || g->poll_every))
		return false;
	return !vcpu_npt_stepping(v) && vcpu_debug_quiet(v);
}

static bool hook_catch_exit(struct vcpu *v, const struct vcpu_exit *e)
{
	struct vcpu_gdb *g = v->gdb;
	const char *caught;
	if (!g || !g->catches.count)
		return false;
	caught = catch_event(v, &g->catches, e, gdb_owns_sw_bp(&g->stub, vcpu_get(v, REG_RIP)));
	if (!caught)
		return false;
	vcpu_gdb_request_stop(v, GDB_STOP_CATCH, 0, caught);
	return true;
}

const struct vcpu_debug_hooks debug_hooks = {
    .before_entry = hook_before_entry,
    .after_exit = hook_after_exit,
    .catch_exit = hook_catch_exit,
    .db = vcpu_debug_db,
    .mov_dr = vcpu_debug_mov_dr,
    .step_trap = vcpu_debug_step_trap,
    .task_switch = vcpu_debug_task_switch,
    .breakpoint = vcpu_gdb_breakpoint,
    .nested_fault = vcpu_npt_fault,
    .timer = vcpu_gdb_poll,
    .nmi = vcpu_gdb_nmi,
    .quiet = hook_quiet,
    .keep_stopped_guest = vcpu_gdb_guest_stopped,
};
