/* vcpu_gdb.h - the GDB stub attached to the vcpu: stops, resumes, single-step, Ctrl-C polling. */
#ifndef DBGVISOR_VCPU_GDB_H
#define DBGVISOR_VCPU_GDB_H

#include <stdbool.h>
#include <stdint.h>

#include "core/vcpu.h"
#include "debug/gdb/gdb_stub.h"
#include "catch.h"
#include "dr.h"

struct vcpu_gdb {
	struct gdb_stub stub;
	struct vcpu *v;
	bool wait;	   /* gdb=wait: hold the guest at its first instruction */
	bool step_irq;	   /* monitor step-irq on: let interrupts in while stepping */
	bool stepping;	   /* the debugger single-steps the guest now */
	bool step_set_tf;  /* ... and set RFLAGS.TF for it (the guest's own TF was clear) */
	bool stop_pending; /* report @stop before the next entry */
	bool dead;	   /* the guest cannot run on (triple fault, forbidden memory) */
	bool bp_intercept; /* #BP (and INTn on SVM) intercepted for our INT3s */
	/* gdb's description: fixed x86-64 or i386, or (AUTO) the mode at connect time */
	enum vcpu_gdb_arch { VCPU_GDB_ARCH_AUTO, VCPU_GDB_ARCH_I386, VCPU_GDB_ARCH_X86_64 } arch;
	struct gdb_stop stop;
	struct catch_table catches; /* monitor catch: the events that stop the guest */
	unsigned poll_every;	    /* no timer and no watcher CPU: poll every this many exits */
	uint64_t npt_steps;	    /* nested-page steps seen at entry (polled every so many) */
	uint64_t polls;		    /* UART polls while the guest ran */
	uint64_t interrupts;	    /* Ctrl-C (or attach) stops */
};

/* Attach the stub to @v over @io; with @wait the guest stops at its first instruction. */
void vcpu_gdb_init(struct vcpu_gdb *g, struct vcpu *v, const struct gdb_io *io, bool wait);
/* Report a pending stop, serve gdb until it resumes; false: gdb killed or left a dead guest. */
bool vcpu_gdb_service(struct vcpu *v);
/* A timer tick while the guest runs: look for a Ctrl-C on the line. */
void vcpu_gdb_poll(struct vcpu *v);
/* An NMI exit: true (and the line polled) if it is the watcher CPU's kick, not the guest's. */
bool vcpu_gdb_nmi(struct vcpu *v);
/* Top of the run loop: poll after a kick the hypervisor took itself, every poll_every exits, or
 * every VCPU_GDB_NPT_STEPS_PER_POLL entries while @npt_stepping (a nested-page step runs). */
#define VCPU_GDB_NPT_STEPS_PER_POLL 256 /* a UART read per 256 steps of two exits each */
void vcpu_gdb_before_entry(struct vcpu *v, bool npt_stepping);
void vcpu_gdb_request_stop(struct vcpu *v, enum gdb_stop_kind kind, uint64_t addr, const char *why);
/* A #DB split by dr_route_hits: report the debugger's part, drop its single-step from
 * *guest_bits; true when nothing is left for the guest. */
bool vcpu_gdb_db(struct vcpu *v, uint64_t *guest_bits, unsigned debugger_hits);
/* An instruction the hypervisor emulated finished with TF set: true if the step was gdb's. */
bool vcpu_gdb_step_trap(struct vcpu *v);
/* INT3 at @addr (#BP or INTn 3): true when it is one of gdb's breakpoints (stop requested). */
bool vcpu_gdb_breakpoint(struct vcpu *v, uint64_t addr);
/* The instruction at RIP is POPF or IRET: after stepping them, TF is the guest's. */
bool vcpu_gdb_insn_loads_tf(struct vcpu *v);
/* The guest stopped: a clean exit is told to gdb (W packet); true: a dead guest is kept as a
 * stop gdb can inspect. */
bool vcpu_gdb_guest_stopped(struct vcpu *v);

/* vcpu_gdb_target.c: the stub's view of the guest (registers, memory, breakpoints). */
void vcpu_gdb_target(struct vcpu_gdb *g, struct gdb_target *t);
/* vcpu_gdb_monitor.c: qRcmd. */
int vcpu_gdb_monitor(void *ctx, const char *cmd, char *out, size_t outlen);
/* "monitor mode": the guest's mode, paging level, CPL (CS:IP if segmented), into @out. */
void guest_mode_describe(struct vcpu *v, char *out, size_t outlen);

#endif
