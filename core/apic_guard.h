/* apic_guard.h - keep the guest from starting, resetting or NMI-ing the CPUs it does not own. */
#ifndef DBGVISOR_APIC_GUARD_H
#define DBGVISOR_APIC_GUARD_H

#include <stdbool.h>
#include <stdint.h>

#include "exit.h"
#include "vcpu.h"

/* Local APIC registers and ICR fields (SDM vol. 3A, 11.6.1 and 11.12.9 for x2APIC). */
#define LAPIC_MMIO_SIZE		    0x1000
#define LAPIC_ICR_LOW		    0x300
#define LAPIC_ICR_HIGH		    0x310
#define ICR_DELIVERY_SHIFT	    8
#define ICR_DELIVERY_MASK	    0x7u
#define ICR_DELIVERY_SMI	    2u
#define ICR_DELIVERY_NMI	    4u
#define ICR_DELIVERY_INIT	    5u
#define ICR_DELIVERY_STARTUP	    6u
#define ICR_SHORTHAND_SHIFT	    18
#define ICR_SHORTHAND_MASK	    0x3u
#define ICR_SHORTHAND_SELF	    1u
#define ICR_SHORTHAND_ALL_EXCL_SELF 3u
#define ICR_LEVEL_ASSERT	    (1u << 14)
#define MSR_IA32_APIC_BASE	    0x1b
#define MSR_X2APIC_ICR		    0x830
#define APIC_BASE_ADDR_MASK	    0x000ffffffffff000ull

/*
 * True when an IPI with this ICR low word may be sent: INIT, STARTUP, NMI and SMI are
 * only allowed to the sender itself, since every other CPU belongs to the hypervisor.
 */
bool apic_icr_allowed(uint32_t icr_low);

/* A guest write hit the write-protected local APIC page: emulate it, minus refused IPIs. */
enum exit_result apic_guard_write(struct vcpu *v, const struct vcpu_exit *e);

#endif
