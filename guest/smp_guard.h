/* smp_guard.h - keep every CPU but the boot CPU out of the guest's reach. */
#ifndef DBGVISOR_SMP_GUARD_H
#define DBGVISOR_SMP_GUARD_H

#include "core/hw/bootinfo.h"
#include "core/vcpu.h"

/* Park the other CPUs in wait-for-SIPI (INIT IPI), hide them in the MADT, and if any, write-
 * protect the local APIC page to filter the guest's IPIs (v->lapic_base). Before vcpu init. */
void smp_guard(struct vcpu *v, const struct boot_info *bi);
/* ACPI tables through the direct map (an acpi_map_fn), never the hypervisor's memory. */
void *smp_guard_acpi_map(uint64_t gpa, size_t len, void *ctx);

#endif
