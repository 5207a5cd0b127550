/* gdb_irq.h - route the GDB UART's IRQ as an NMI to the guest's CPU through its I/O APIC entry. */
#ifndef DBGVISOR_GDB_IRQ_H
#define DBGVISOR_GDB_IRQ_H

#include "core/hw/bootinfo.h"
#include "core/vcpu.h"

/* Program the I/O APIC entry of the UART at @port's ISA IRQ (MADT overrides applied) as an
 * edge-triggered NMI to this CPU, keep the guest's view in v->ioapic and unmap the I/O APIC
 * page so guest accesses are emulated. Before the vcpu's init. NULL, or why not. */
const char *gdb_irq_route(struct vcpu *v, const struct boot_info *bi, uint16_t port);

#endif
