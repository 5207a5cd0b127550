/* vcpu_debug.c - lazy debug-register switching and the vendor-free #DB and MOV DR handlers. */
#include "vcpu_debug.h"

#include "core/hw/trap.h"
#include "core/hw/x86.h"
#include "core/vcpu_util.h"
#include "vcpu_gdb.h"
#include "vcpu_npt.h"

#define OPCODE_MOV_FROM_DR 0x21
#define OPCODE_MOV_TO_DR   0x23
#define MODRM_REG(m)	   (((m) >> 3) & 7u)
#define MODRM_RM(m)	   ((m)&7u)
#define REX_R		   0x4
#define REX_B		   0x1
#define EXT_REG		   8
#define GPR_UNKNOWN	   0xff
#define DR_ENABLE_BITS	   0xffull /* L0-G3 */

void vcpu_debug_setup(struct vcpu *v, const struct dr_features *f)
{
	dr_init(v->dr, f);
	/* A guest can make #DB or #AC recur forever in its own delivery and hang the CPU in
	 * microcode (CVE-2015-8104, CVE-2015-5307); the one exception is in load_for_entry. */
	v->ops->set_exception_intercept(v, VEC_DB, true);
	v->db_intercept = true;
	v->ops->set_exception_intercept(v, VEC_AC, true);
	v->ops->set_dr_intercept(v, true);
	v->dr_intercept = true;
}

/* Out of line, so the checks in vcpu_debug_before_entry cost no stack frame. */
static __attribute__((noinline)) void load_for_entry(struct vcpu *v)
{
	struct dr_state *d = v->dr;
	bool active, db_exits;

	/* A CPU that loses an intercepted #DB's status (below) gives the guest its DRs from the
	 * start: its first #DB (a step, a T-bit task switch) may come before it touches one. */
	if (v->db_status_lost && !d->guest_touched) {
		d->guest_touched = true;
		dr_recompute(d);
	}
	active = d->native || (d->eff_dr7 & DR_ENABLE_BITS);
	db_exits = !(v->db_status_lost && d->native);
	if (v->dr_intercept == d->native) {
		v->dr_intercept = !d->native;
		v->ops->set_dr_intercept(v, v->dr_intercept);
	}
	/* A CPU that keeps no status for an intercepted #DB (Bochs 2.7's SVM, no silicon) leaves
	 * guesses only: while the guest alone uses its DRs and TF, the CPU delivers its #DBs. */
	if (v->db_intercept != db_exits) {
		v->db_intercept = db_exits;
		v->ops->set_exception_intercept(v, VEC_DB, db_exits);
	}
	/* Nothing in use and nothing left loaded: the entry costs no debug-register work. */
	if (!active && !v->dr_loaded && !v->dr_reload)
		return;
	v->dr_reload = false;
	if (d->native)
		v->ops->load_debug(v, d->guest.db, d->guest.dr6, d->guest.dr7);
	else
		v->ops->load_debug(v, d->eff_db, DR6_INIT, d->eff_dr7);
	v->dr_loaded = active;
}

/* Emulated, nothing enabled, nothing loaded, nothing to reset: the common case. */
static bool emulated_idle(const struct vcpu *v)
{
	const struct dr_state *d = v->dr;
	return !d->native && v->dr_intercept && !(d->eff_dr7 & DR_ENABLE_BITS) && !v->dr_loaded &&
	       !v->dr_reload && (d->guest_touched || !v->db_status_lost);
}

bool vcpu_debug_quiet(const struct vcpu *v)
{
	return !v->host_drs && (v->dr_live || emulated_idle(v));
}

void vcpu_debug_before_entry(struct vcpu *v)
{
	/* dr_live: the guest's own values are still in the CPU, unchanged. */
	if (v->dr_live || emulated_idle(v))
		return;
	load_for_entry(v);
}

/* The exit reset DR7 (SDM 3C 28.3.3 and 27.5.1, APM 15.5.2): the guest's breakpoints cannot
 * fire here, and native DRs stay in the CPU until an exit that needs them syncs. */
void vcpu_debug_after_exit(struct vcpu *v)
{
	if (v->dr->native && v->dr_loaded)
		v->dr_live = true;
	/* Only the host-DR self-test uses the registers here; it takes the guest's back first. */
	if (v->host_drs) {
		vcpu_debug_sync(v);
		if (v->host->restore_host_dr)
			v->host->restore_host_dr();
	}
}

void vcpu_debug_sync(struct vcpu *v)
{
	struct dr_state *d = v->dr;
	if (!v->dr_live)
		return;
	v->dr_live = false;
	v->ops->save_debug(v, d->guest.db, &d->guest.dr6, &d->guest.dr7);
	dr_recompute(d);
}

/* A #DB for the guest: book-keeping in one place, then delivery (Xen 2023's argument). @hw_dr6:
 * the guest's DR6 the CPU already merged this #DB into (SVM, native DRs), as bare metal shows. */
static void deliver_db(struct vcpu *v, uint64_t pending, const uint64_t *hw_dr6,
		       const struct vcpu_exit *e)
{
	struct vcpu_event ev = {.type = EVENT_HW_EXCEPTION, .vector = VEC_DB};
	v->dr->guest.debugctl = vcpu_get(v, REG_DEBUGCTL);
	if (hw_dr6) {
		v->dr->guest.dr6 = *hw_dr6;
		dr_db_delivered(v->dr);
	} else {
		dr_deliver_db(v->dr, pending);
	}
	vcpu_set(v, REG_DEBUGCTL, v->dr->guest.debugctl);
	/* The next entry must present the new DR6 (and a clean one to the hardware). */
	v->dr_reload = true;
	if (e && e->exc.software) {
		/* ICEBP: re-inject with its length, or RIP points back at it (CVE-2018-1087). */
		ev.type = EVENT_PRIV_SW_EXC;
		ev.insn_len = e->insn_len ? e->insn_len : 1;
	}
	v->ops->inject_event(v, &ev);
}

enum exit_result vcpu_debug_db(struct vcpu *v, const struct vcpu_exit *e)
{
	unsigned debugger_hits;
	uint64_t guest_bits;
	bool npt_step;
	vcpu_debug_sync(v);
	guest_bits = dr_route_hits(v->dr, e->exc.software ? 0 : e->exc.dr6_pending, &debugger_hits);
	/* The end of a nested-page step: its BS is gdb's if gdb steps too, else nobody's. */
	npt_step = !e->exc.software && (guest_bits & DR6_BS) && vcpu_npt_step_done(v);
	if (npt_step && !(v->gdb && v->gdb->stepping))
		guest_bits &= ~DR6_BS;
	/* Breakpoints and steps the debugger owns are its business; the guest sees its own. */
	if ((vcpu_gdb_db(v, &guest_bits, debugger_hits) ||
	     (npt_step && !debugger_hits && !(guest_bits & DB_STATUS_BITS))) &&
	    !e->exc.software) {
		v->dr_reload = true; /* the hardware DR6 holds the debugger's news: reset it */
		return EXIT_RESUME;
	}
	deliver_db(v, guest_bits,
		   v->dr->native && e->exc.dr6_hw_valid && !e->exc.software ? &e->exc.dr6_hw : NULL,
		   e);
	return EXIT_RESUME;
}

/* Without decode assists, read DR and GPR numbers from the instruction itself. */
static bool decode_mov_dr(struct vcpu *v, struct vcpu_exit *e)
{
	struct insn i;
	if (vcpu_fetch_insn(v, &i) != 0 || !i.has_modrm ||
	    !(insn_is(&i, INSN_MAP_0F, OPCODE_MOV_FROM_DR) ||
	      insn_is(&i, INSN_MAP_0F, OPCODE_MOV_TO_DR)))
		return false;
	e->dr.write = insn_is(&i, INSN_MAP_0F, OPCODE_MOV_TO_DR);
	e->dr.dr = (uint8_t)(MODRM_REG(i.modrm) + ((i.rex & REX_R) ? EXT_REG : 0));
	e->dr.gpr = (uint8_t)(MODRM_RM(i.modrm) + ((i.rex & REX_B) ? EXT_REG : 0));
	e->insn_len = i.len;
	return true;
}

enum exit_result vcpu_debug_mov_dr(struct vcpu *v, const struct vcpu_exit *exit)
{
	struct vcpu_exit e = *exit;
	struct dr_access a;
	uint64_t val = 0;

	vcpu_debug_sync(v);
	if (e.dr.gpr == GPR_UNKNOWN && !decode_mov_dr(v, &e)) {
		v->stop.reason = STOP_INTERNAL;
		v->stop.detail = "cannot decode the guest's MOV DR";
		return EXIT_STOP;
	}
	v->dr->mov_dr_exits++;
	a.dr = e.dr.dr;
	a.write = e.dr.write;
	a.cpl = (vcpu_get(v, REG_RFLAGS) & RFLAGS_VM) ? 3 : v->ops->get_cpl(v);
	a.cr4_de = vcpu_get(v, REG_CR4) & CR4_DE;
	a.long_mode = vcpu_code_mode(v) == INSN_MODE_64;
	if (a.write)
		val = v->gpr[e.dr.gpr];
	/* General detect delivers a #DB inside dr_mov, which clears DEBUGCTL.LBR (and BTF). */
	v->dr->guest.debugctl = vcpu_get(v, REG_DEBUGCTL);
	switch (dr_mov(v->dr, &a, &val)) {
	case DR_RAISE_UD:
		vcpu_inject_ud(v);
		return EXIT_RESUME;
	case DR_RAISE_GP:
		vcpu_inject_gp0(v);
		return EXIT_RESUME;
	case DR_RAISE_DB:
		/* General detect: a fault, the MOV does not execute; DR6.BD is already merged. */
		vcpu_set(v, REG_DEBUGCTL, v->dr->guest.debugctl);
		vcpu_inject_exception(v, VEC_DB, false, 0);
		return EXIT_RESUME;
	case DR_DONE:
		break;
	}
	if (!a.write)
		v->gpr[e.dr.gpr] = val; /* dr_mov cut it to 32 bits outside 64-bit mode */
	vcpu_complete_insn(v, vcpu_exit_insn_len(v, &e));
	return EXIT_RESUME;
}

/* An emulated instruction's trap: its I/O and data breakpoint hits (the CPU never saw its
 * accesses) and the single step, in one #DB as bare metal raises them (SDM 3B, 18.3.1.2). */
void vcpu_debug_step_trap(struct vcpu *v)
{
	struct vcpu_insn_access a = v->access;
	struct vcpu_segment cs;
	uint64_t pending;
	bool tf = vcpu_get(v, REG_RFLAGS) & RFLAGS_TF;
	uint64_t bits;

	v->access = (struct vcpu_insn_access){0};
	vcpu_debug_sync(v);
	bits = a.port_size
		   ? dr_io_hits(&v->dr->guest, vcpu_get(v, REG_CR4) & CR4_DE, a.port, a.port_size) |
			 dr_mem_hits(&v->dr->guest, a.mem_addr, a.mem_len, a.mem_write)
		   : 0;
	/* A step that ended a nested-page step or that gdb takes is not the guest's. */
	if (tf && !(vcpu_npt_step_done(v) && !(v->gdb && v->gdb->stepping)) &&
	    !vcpu_gdb_step_trap(v))
		bits |= DR6_BS;
	if (!bits)
		return;
	/* The step's boundary shows its execute breakpoints too, as QEMU 7.2 and Bochs 2.7
	 * report them with their own steps (the fault still follows without RF). */
	if (bits & DR6_BS) {
		v->ops->get_seg(v, SEG_CS, &cs);
		bits |= dr_exec_hits(&v->dr->guest, cs.base + vcpu_get(v, REG_RIP));
	}
	/* A data breakpoint MOV SS held back is due now too: VM entry injecting this #DB would
	 * drop VT-x's pending debug exceptions (SDM 3C, 27.7.3). */
	pending = vcpu_get(v, REG_PENDING_DBG);
	if (pending) {
		bits |= pending & DR6_B_MASK;
		vcpu_set(v, REG_PENDING_DBG, 0);
	}
	deliver_db(v, bits, NULL, NULL);
}

void vcpu_debug_task_switch(struct vcpu *v, bool t_bit)
{
	vcpu_debug_sync(v);
	dr_task_switch(v->dr);
	if (t_bit) {
		dr_deliver_db(v->dr, DR6_BT);
		vcpu_inject_exception(v, VEC_DB, false, 0);
	}
}
