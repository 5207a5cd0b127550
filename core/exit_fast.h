/* exit_fast.h - the null-exit fast path the backends offer their CPUID exits to. */
#ifndef DBGVISOR_EXIT_FAST_H
#define DBGVISOR_EXIT_FAST_H

#include <stdbool.h>

#include "vcpu.h"

/* Right before an entry, after the full path's work: may this run's null exits skip it? */
void vcpu_fast_prepare(struct vcpu *v);

/* A CPUID exit described by @f: true when it was completed here (@f holds the new RIP, RFLAGS
 * and shadow for the backend to write back, the exit is counted) and the guest may be entered
 * again at once; false: take the full path (nothing was changed). */
bool vcpu_fast_cpuid(struct vcpu *v, struct vcpu_fast_exit *f);

#endif
