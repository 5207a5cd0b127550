/* acpi_irq.c - where an ISA IRQ arrives: the MADT's I/O APICs and interrupt source overrides. */
#include <stdbool.h>

#include "acpi.h"

/* ACPI 6.5, 5.2.12: Interrupt Controller Structures after the 44-byte MADT header. */
#define MADT_ENTRIES	 44
#define ICS_TYPE	 0
#define ICS_LENGTH	 1
#define ICS_HEADER_SIZE	 2
#define MADT_IOAPIC	 1 /* 5.2.12.3 "I/O APIC Structure" */
#define IOAPIC_LEN	 12
#define IOAPIC_ADDRESS	 4
#define IOAPIC_GSI_BASE	 8
#define MADT_OVERRIDE	 2 /* 5.2.12.5 "Interrupt Source Override Structure" */
#define OVERRIDE_LEN	 10
#define OVERRIDE_BUS	 2
#define OVERRIDE_SOURCE	 3
#define OVERRIDE_GSI	 4
#define OVERRIDE_FLAGS	 8
#define OVERRIDE_BUS_ISA 0

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int acpi_isa_irq_route(acpi_map_fn map, void *ctx, uint64_t rsdp_gpa, uint8_t irq,
		       struct acpi_isa_route *out)
{
	uint8_t *t;
	uint32_t len, off, elen;
	bool found = false;
	int rc = acpi_madt_map(map, ctx, rsdp_gpa, &t, &len);

	if (rc)
		return rc;
	*out = (struct acpi_isa_route){.gsi = irq};
	/* The override first: it names the GSI the I/O APIC is then chosen for. */
	for (off = MADT_ENTRIES; off + ICS_HEADER_SIZE <= len; off += elen) {
		elen = t[off + ICS_LENGTH];
		if (elen < ICS_HEADER_SIZE || off + elen > len)
			return ACPI_E_MALFORMED;
		if (t[off + ICS_TYPE] == MADT_OVERRIDE && elen >= OVERRIDE_LEN &&
		    t[off + OVERRIDE_BUS] == OVERRIDE_BUS_ISA && t[off + OVERRIDE_SOURCE] == irq) {
			out->gsi = le32(t + off + OVERRIDE_GSI);
			out->flags =
			    (uint16_t)(t[off + OVERRIDE_FLAGS] | t[off + OVERRIDE_FLAGS + 1] << 8);
		}
	}
	/* The I/O APIC whose range starts closest below the GSI serves it. */
	for (off = MADT_ENTRIES; off + ICS_HEADER_SIZE <= len; off += elen) {
		elen = t[off + ICS_LENGTH];
		if (t[off + ICS_TYPE] != MADT_IOAPIC || elen < IOAPIC_LEN)
			continue;
		uint32_t base = le32(t + off + IOAPIC_GSI_BASE);

		if (base <= out->gsi && (!found || base > out->gsi_base)) {
			out->gsi_base = base;
			out->ioapic = le32(t + off + IOAPIC_ADDRESS);
			found = true;
		}
	}
	return found ? ACPI_OK : ACPI_E_NOT_FOUND;
}
