/* vcpu_gdb.c - the GDB stub attached to the vcpu: stops, resumes, single-step, Ctrl-C polling. */
#include "vcpu_gdb.h"

#include "core/hw/string.h"
#include "core/hw/trap.h"
#include "core/hw/x86.h"
#include "core/vcpu_util.h"

#define OPCODE_POPF 0x9d
#define OPCODE_IRET 0xcf

void vcpu_gdb_init(struct vcpu_gdb *g, struct vcpu *v, const struct gdb_io *io, bool wait)
{
	struct gdb_target t;
	memset(g, 0, sizeof(*g));
	g->v = v;
	g->wait = wait;
	vcpu_gdb_target(g, &t);
	gdb_init(&g->stub, io, &t);
	v->gdb = g;
	if (wait)
		vcpu_gdb_request_stop(v, GDB_STOP_INITIAL, 0, 0);
}

void vcpu_gdb_request_stop(struct vcpu *v, enum gdb_stop_kind kind, uint64_t addr, const char *why)
{
	struct vcpu_gdb *g = v->gdb;
	if (!g)
		return;
	/* A breakpoint or watchpoint hit during a step (or a Ctrl-C) is the better answer. */
	if (g->stop_pending && (kind == GDB_STOP_STEP || kind == GDB_STOP_INTERRUPT))
		return;
	g->stop = (struct gdb_stop){.kind = kind, .addr = addr, .why = why};
	g->stop_pending = true;
}

/* Follow the session: an attached debugger keeps the DRs emulated and intercepts INT3. */
static void sync_session(struct vcpu *v)
{
	struct vcpu_gdb *g = v->gdb;
	bool attached = g->stub.attached;
	if (v->dr->debugger_attached != attached) {
		v->dr->debugger_attached = attached;
		dr_recompute(v->dr);
	}
	if (g->bp_intercept != attached) {
		g->bp_intercept = attached;
		v->ops->set_exception_intercept(v, VEC_BP, attached);
	}
}

bool vcpu_gdb_insn_loads_tf(struct vcpu *v)
{
	struct insn i;
	return vcpu_fetch_insn(v, &i) == 0 && (insn_is(&i, INSN_MAP_1BYTE, OPCODE_POPF) ||
					       insn_is(&i, INSN_MAP_1BYTE, OPCODE_IRET));
}

static void begin_step(struct vcpu *v)
{
	struct vcpu_gdb *g = v->gdb;
	uint64_t rflags = vcpu_get(v, REG_RFLAGS);
	/* A TF the nested-page step set is not the guest's either. */
	bool guest_tf = (rflags & RFLAGS_TF) && !v->npt_tf;
	g->stepping = true;
	g->step_set_tf = !guest_tf && !vcpu_gdb_insn_loads_tf(v);
	vcpu_set(v, REG_RFLAGS, rflags | RFLAGS_TF);
	/* Without step-irq an interrupt pending now must not make the step land in its handler. */
	if (!g->step_irq)
		v->ops->set_step_shadow(v);
}

static void end_step(struct vcpu *v)
{
	struct vcpu_gdb *g = v->gdb;
	if (g->stepping && g->step_set_tf)
		vcpu_set(v, REG_RFLAGS, vcpu_get(v, REG_RFLAGS) & ~RFLAGS_TF);
	g->stepping = false;
}

static bool serve(struct vcpu *v)
{
	struct vcpu_gdb *g = v->gdb;
	int signal;

	g->stop_pending = false;
	end_step(v);
	for (;;) {
		enum gdb_action act = gdb_stopped(&g->stub, &g->stop, &signal);
		/* Signals have no meaning for a bare machine: C/S act as c/s. */
		sync_session(v);
		switch (act) {
		case GDB_ACT_KILL:
			catch_clear(v, &g->catches, g->bp_intercept);
			v->stop.reason = STOP_KILLED;
			v->stop.detail = "gdb sent k";
			return false;
		case GDB_ACT_DETACH:
			/* Nobody would be told of a catch: the guest runs as without them. */
			catch_clear(v, &g->catches, g->bp_intercept);
			return !g->dead; /* a dead guest ends the run with its own report */
		case GDB_ACT_CONTINUE:
		case GDB_ACT_STEP:
			if (g->dead)
				continue; /* it cannot run: report the same stop again */
			/* No RF (SDM 18.3.1.1) past an hbreak at RIP: gdb removes its breakpoints
			 * at the stop before it steps past them; one left in where the guest
			 * resumes (jump, call) must stop it at once, as with QEMU's stub. */
			if (act == GDB_ACT_STEP)
				begin_step(v);
			return true;
		default:
			break;
		}
	}
}

bool vcpu_gdb_service(struct vcpu *v)
{
	bool run;
	if (!v->gdb || !v->gdb->stop_pending)
		return true;
	/* The stub reads the line itself now: no NMI per byte gdb sends. */
	if (v->host->gdb_line_irq)
		v->host->gdb_line_irq(false);
	run = serve(v);
	if (v->host->gdb_line_irq)
		v->host->gdb_line_irq(true);
	return run;
}

void vcpu_gdb_poll(struct vcpu *v)
{
	struct vcpu_gdb *g = v->gdb;
	if (!g)
		return;
	g->polls++;
	if (gdb_poll_interrupt(&g->stub)) {
		g->interrupts++;
		vcpu_gdb_request_stop(v, GDB_STOP_INTERRUPT, 0, 0);
	}
}

void vcpu_gdb_before_entry(struct vcpu *v, bool npt_stepping)
{
	struct vcpu_gdb *g = v->gdb;
	if (!g)
		return;
	/* Stepped through the pages of gdb's breakpoints and watchpoints, the guest runs next to
	 * no guest time, all the VMX-preemption timer counts (SDM vol. 3C, 26.5.1): poll by step
	 * count too, or a Ctrl-C waits for millions of exits. */
	if ((g->poll_every && v->exits_total % g->poll_every == 0) ||
	    (npt_stepping && ++g->npt_steps % VCPU_GDB_NPT_STEPS_PER_POLL == 0) ||
	    (v->host->gdb_kicked_in_host && v->host->gdb_kicked_in_host()))
		vcpu_gdb_poll(v);
}

bool vcpu_gdb_nmi(struct vcpu *v)
{
	/* SVM holds an intercepted NMI pending until STGI, so the host IDT usually takes the kick
	 * before this exit is even decoded: either way of taking it makes it ours. */
	bool exit_kick = v->host->gdb_kick && v->host->gdb_kick();
	bool host_kick = v->host->gdb_kicked_in_host && v->host->gdb_kicked_in_host();
	if (!exit_kick && !host_kick)
		return false;
	vcpu_gdb_poll(v);
	return true;
}

bool vcpu_gdb_db(struct vcpu *v, uint64_t *guest_bits, unsigned debugger_hits)
{
	struct vcpu_gdb *g = v->gdb;
	bool took = false;
	if (!g)
		return false;
	for (unsigned i = 0; i < DR_SLOTS; i++) {
		const struct dr_debugger_bp *b = &v->dr->dbg[i];
		enum gdb_stop_kind kind = b->rw == DR7_RW_EXEC	  ? GDB_STOP_SIGTRAP_HW
					  : b->rw == DR7_RW_WRITE ? GDB_STOP_WATCH
								  : GDB_STOP_AWATCH;
		if ((debugger_hits & (1u << i)) && b->used) {
			vcpu_gdb_request_stop(v, kind, b->addr, 0);
			took = true;
		}
	}
	if (g->stepping && (*guest_bits & DR6_BS)) {
		vcpu_gdb_request_stop(v, GDB_STOP_STEP, 0, 0);
		took = true;
		/* Our TF, not the guest's: its DR6 never shows it. */
		if (g->step_set_tf)
			*guest_bits &= ~DR6_BS;
	}
	/* Nothing left for the guest once the debugger took its part. */
	return took && !(*guest_bits & DB_STATUS_BITS);
}

bool vcpu_gdb_step_trap(struct vcpu *v)
{
	struct vcpu_gdb *g = v->gdb;
	if (!g || !g->stepping)
		return false;
	vcpu_gdb_request_stop(v, GDB_STOP_STEP, 0, 0);
	return g->step_set_tf;
}

bool vcpu_gdb_breakpoint(struct vcpu *v, uint64_t addr)
{
	struct vcpu_gdb *g = v->gdb;
	if (!g || !gdb_owns_sw_bp(&g->stub, addr))
		return false;
	vcpu_gdb_request_stop(v, GDB_STOP_SIGTRAP_SW, addr, 0);
	return true;
}

bool vcpu_gdb_guest_stopped(struct vcpu *v)
{
	struct vcpu_gdb *g = v->gdb;
	const char *why, *caught;
	if (!g)
		return false;
	if (v->stop.reason == STOP_GUEST_EXIT || v->stop.reason == STOP_POWER_OFF) {
		gdb_exited(&g->stub, v->stop.reason == STOP_GUEST_EXIT ? v->stop.exit_code : 0);
		return false;
	}
	/* Hold a dead guest for inspection only when someone is there to inspect it. */
	if (g->dead || !(g->stub.attached || g->wait))
		return false;
	g->dead = true;
	g->stop_pending = false;
	why = v->stop.detail ? v->stop.detail : vcpu_stop_reason_name(v->stop.reason);
	/* A triple-fault catchpoint makes it a catch stop (SIGTRAP), not a SIGSEGV. */
	caught = v->stop.reason == STOP_TRIPLE_FAULT ? catch_triple_fault(&g->catches, why) : 0;
	vcpu_gdb_request_stop(v, caught ? GDB_STOP_CATCH : GDB_STOP_FAULT, v->stop.addr,
			      caught ? caught : why);
	return true;
}
