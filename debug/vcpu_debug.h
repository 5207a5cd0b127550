/* vcpu_debug.h - debug registers around each guest run, and the #DB, #AC and MOV DR exits. */
#ifndef DBGVISOR_VCPU_DEBUG_H
#define DBGVISOR_VCPU_DEBUG_H

#include <stdbool.h>

#include "core/vcpu.h"
#include "dr.h"

/* Reset the guest's debug state and install the intercepts that are never lifted. */
void vcpu_debug_setup(struct vcpu *v, const struct dr_features *f);
/* Load what the next run needs (lazily: nothing while no breakpoint is in use). */
void vcpu_debug_before_entry(struct vcpu *v);
/* Neither vcpu_debug_before_entry nor vcpu_debug_after_exit would change anything now. */
bool vcpu_debug_quiet(const struct vcpu *v);
/* After an exit: a guest running its DRs natively keeps them in the CPU (v->dr_live). */
void vcpu_debug_after_exit(struct vcpu *v);
/* Take back what the guest changed natively, before anything reads or changes v->dr. */
void vcpu_debug_sync(struct vcpu *v);
enum exit_result vcpu_debug_db(struct vcpu *v, const struct vcpu_exit *e);
enum exit_result vcpu_debug_mov_dr(struct vcpu *v, const struct vcpu_exit *e);
/* An emulated instruction ended with TF set: gdb's step, or BS merged and #DB to the guest. */
void vcpu_debug_step_trap(struct vcpu *v);
/* The local enables belong to the old task (SDM 3B 18.2.4); T flag: #DB with BT (SDM 3A 8.2.1). */
void vcpu_debug_task_switch(struct vcpu *v, bool t_bit);

#endif
