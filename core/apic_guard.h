/* apic_guard.h - keep the guest from starting, resetting or NMI-ing the CPUs it does not own. */
#ifndef DBGVISOR_APIC_GUARD_H
#define DBGVISOR_APIC_GUARD_H

#include "core/hw/apic.h"
#include "vcpu.h"

/* May an IPI with this ICR low word go? INIT, STARTUP, NMI, SMI only to the sender itself. */
bool apic_icr_allowed(uint32_t icr_low);

/* A guest write hit the write-protected local APIC page: emulate it, minus refused IPIs. */
enum exit_result apic_guard_write(struct vcpu *v, const struct vcpu_exit *e);

#endif
