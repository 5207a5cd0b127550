/* gdb_irq.c - route the GDB UART's IRQ as an NMI to the guest's CPU through its I/O APIC entry. */
#include "gdb_irq.h"

#include "acpi.h"
#include "core/hw/apic.h"
#include "core/hw/mem.h"
#include "core/apic_guard.h"
#include "core/paging/guest_mem.h"
#include "smp_guard.h"

/* The PC's serial ports and their ISA IRQs: COM1/COM3 on IRQ4, COM2/COM4 on IRQ3. */
#define COM1_PORT 0x3f8
#define COM2_PORT 0x2f8
#define COM3_PORT 0x3e8
#define COM4_PORT 0x2e8
#define COM13_IRQ 4
#define COM24_IRQ 3

static int isa_irq_of(uint16_t port)
{
	if (port == COM1_PORT || port == COM3_PORT)
		return COM13_IRQ;
	if (port == COM2_PORT || port == COM4_PORT)
		return COM24_IRQ;
	return -1;
}

static uint32_t ioapic_read(uint64_t base, uint32_t reg)
{
	volatile uint32_t *p = phys_to_virt(base);
	p[IOAPIC_REGSEL / sizeof(uint32_t)] = reg;
	return p[IOAPIC_WINDOW / sizeof(uint32_t)];
}

static void ioapic_write(uint64_t base, uint32_t reg, uint32_t val)
{
	volatile uint32_t *p = phys_to_virt(base);
	p[IOAPIC_REGSEL / sizeof(uint32_t)] = reg;
	p[IOAPIC_WINDOW / sizeof(uint32_t)] = val;
}

const char *gdb_irq_route(struct vcpu *v, const struct boot_info *bi, uint16_t port)
{
	int irq = isa_irq_of(port);
	struct acpi_isa_route r;
	uint64_t rsdp = bi->acpi_rsdp_phys;
	uint32_t pin, low;

	if (irq < 0)
		return "the GDB port is not a standard COM port (no known IRQ)";
	if (!rsdp && acpi_find_rsdp(smp_guard_acpi_map, 0, &rsdp))
		return "no ACPI tables";
	if (acpi_isa_irq_route(smp_guard_acpi_map, 0, rsdp, (uint8_t)irq, &r))
		return "no I/O APIC for the GDB port's IRQ in the ACPI MADT";
	if (r.ioapic + IOAPIC_MMIO_SIZE > mem_region()->direct_map_end ||
	    guest_mem_hv_owns(r.ioapic))
		return "the I/O APIC lies outside the direct map";
	pin = r.gsi - r.gsi_base;
	if (pin > ((ioapic_read(r.ioapic, IOAPIC_REG_VERSION) >> IOAPIC_MAX_PIN_SHIFT) &
		   IOAPIC_MAX_PIN_MASK))
		return "the GDB port's GSI is beyond its I/O APIC's entries";
	v->ioapic = (struct vcpu_ioapic){
	    .base = r.ioapic,
	    .pin = pin,
	    .shadow = {ioapic_read(r.ioapic, IOAPIC_REDTBL(pin)),
		       ioapic_read(r.ioapic, IOAPIC_REDTBL(pin) + 1)},
	};
	/* NMI delivery takes an edge-triggered entry (82093AA datasheet, 3.2.4); ISA IRQs are
	 * active high unless an override says otherwise (ACPI 6.5, 5.2.12.5). */
	low = IOREDTBL_DELIVERY_NMI;
	if ((r.flags & ACPI_INTI_POLARITY_MASK) == ACPI_INTI_ACTIVE_LOW)
		low |= IOREDTBL_ACTIVE_LOW;
	ioapic_write(r.ioapic, IOAPIC_REDTBL(pin), IOREDTBL_MASKED);
	ioapic_write(r.ioapic, IOAPIC_REDTBL(pin) + 1,
		     (v->apic_id & XAPIC_ID_MASK) << IOREDTBL_DEST_SHIFT);
	ioapic_write(r.ioapic, IOAPIC_REDTBL(pin), low);
	guest_mem_set_unmapped(r.ioapic, IOAPIC_MMIO_SIZE);
	return 0;
}
