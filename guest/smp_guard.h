/* smp_guard.h - keep every CPU but the boot CPU out of the guest's reach. */
#ifndef DBGVISOR_SMP_GUARD_H
#define DBGVISOR_SMP_GUARD_H

#include "core/hw/bootinfo.h"
#include "core/vcpu.h"

/*
 * Put the other CPUs in wait-for-SIPI (an INIT IPI to all but us), hide them in the ACPI
 * MADT the guest will read, and if there are any, write-protect the local APIC page so
 * the guest's IPIs can be filtered (sets v->lapic_base). Call before the vcpu's init.
 */
void smp_guard(struct vcpu *v, const struct boot_info *bi);

/* ACPI tables through the direct map (an acpi_map_fn), never the hypervisor's memory. */
void *smp_guard_acpi_map(uint64_t gpa, size_t len, void *ctx);

#endif
