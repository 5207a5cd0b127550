/* apic_guard.h - keep the guest from starting, resetting or NMI-ing the CPUs it does not own. */
#ifndef DBGVISOR_APIC_GUARD_H
#define DBGVISOR_APIC_GUARD_H

#include "core/hw/apic.h"
#include "vcpu.h"

/* May an IPI with this ICR low word and destination go? INIT, STARTUP, NMI, SMI only to the
 * sender itself (by shorthand, or physically to @self_id). */
bool apic_icr_allowed(uint32_t icr_low, uint32_t dest, uint32_t self_id);

/* A guest write hit the write-protected local APIC page: emulate it, minus refused IPIs. */
enum exit_result apic_guard_write(struct vcpu *v, const struct vcpu_exit *e);

#endif
