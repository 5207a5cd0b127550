/* smp.h - keep every CPU but the boot CPU out of the guest's reach. */
#ifndef DBGVISOR_SMP_H
#define DBGVISOR_SMP_H

#include "bootinfo.h"
#include "vcpu.h"

/*
 * Put the other CPUs in wait-for-SIPI (an INIT IPI to all but us), hide them in the ACPI
 * MADT the guest will read, and if there are any, write-protect the local APIC page so
 * the guest's IPIs can be filtered (sets v->lapic_base). Call before the vcpu's init.
 */
void smp_guard(struct vcpu *v, const struct boot_info *bi);
/* An IPI to every CPU but this one (xAPIC MMIO or x2APIC ICR, as the APIC is set up). */
void smp_ipi_others(uint64_t apic_base_msr, uint32_t delivery, uint8_t vector);

#endif
