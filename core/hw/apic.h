/* apic.h - local APIC registers, ICR fields, and an IPI to every other CPU. */
#ifndef DBGVISOR_APIC_H
#define DBGVISOR_APIC_H

#include <stdint.h>

#include "mem.h"
#include "x86.h"

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
#define ICR_SHORTHAND_NONE	    0u
#define ICR_SHORTHAND_SELF	    1u
#define ICR_SHORTHAND_ALL_EXCL_SELF 3u
#define ICR_LEVEL_ASSERT	    (1u << 14)
#define ICR_DEST_LOGICAL	    (1u << 11)
#define ICR_XAPIC_DEST_SHIFT	    24 /* ICR high: bits 63:56 of the ICR */
#define XAPIC_ID_MASK		    0xffu
#define X2APIC_ICR_DEST_SHIFT	    32
#define MSR_IA32_APIC_BASE	    0x1b
#define MSR_X2APIC_ICR		    0x830
#define APIC_BASE_ADDR_MASK	    0x000ffffffffff000ull
#define APIC_BASE_X2APIC_ENABLE	    (1ull << 10)

/* An IPI to every CPU but this one, through the x2APIC ICR MSR or the xAPIC MMIO page. */
static inline void apic_ipi_others(uint64_t apic_base_msr, uint32_t delivery, uint8_t vector)
{
	uint32_t icr = delivery << ICR_DELIVERY_SHIFT | vector | ICR_LEVEL_ASSERT |
		       ICR_SHORTHAND_ALL_EXCL_SELF << ICR_SHORTHAND_SHIFT;
	if (apic_base_msr & APIC_BASE_X2APIC_ENABLE) {
		x86_wrmsr(MSR_X2APIC_ICR, icr);
		return;
	}
	*(volatile uint32_t *)phys_to_virt((apic_base_msr & APIC_BASE_ADDR_MASK) + LAPIC_ICR_LOW) =
	    icr;
}

#endif
