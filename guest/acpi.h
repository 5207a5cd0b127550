/* acpi.h - find the ACPI and MP tables and hide every CPU but the boot CPU in them. */
#ifndef DBGVISOR_ACPI_H
#define DBGVISOR_ACPI_H

#include <stddef.h>
#include <stdint.h>

/* A writable host pointer to guest-physical [gpa, gpa + len), or NULL when not backed. Each
 * pointer is used only until the next call, except the MADT's, which is patched in place. */
typedef void *(*acpi_map_fn)(uint64_t gpa, size_t len, void *ctx);

enum acpi_err {
	ACPI_OK = 0,
	ACPI_E_NOT_FOUND = -1, /* no RSDP, root table or MADT */
	ACPI_E_CHECKSUM = -2,  /* a structure we use has a bad checksum */
	ACPI_E_TRUNCATED = -3, /* a length reaches past mapped memory or past its table */
	ACPI_E_MALFORMED = -4, /* impossible length or signature */
	ACPI_E_NO_BSP = -5,    /* the MADT does not list the boot CPU: left unchanged */
};

/* ACPI 6.5, 5.2.5.1: search the EBDA's first KiB, then 0xE0000-0xFFFFF, 16-byte aligned, for a
 * valid RSDP. ACPI_E_CHECKSUM when only corrupt candidates were seen. */
int acpi_find_rsdp(acpi_map_fn map, void *ctx, uint64_t *rsdp_gpa);
/* Clear Enabled and Online Capable in every MADT Local APIC / x2APIC entry but @bsp_apic_id's
 * and fix the checksum, only if the whole MADT checks out and lists the boot CPU. @disabled
 * counts entries changed, @kept the boot CPU's (either may be NULL). */
int acpi_madt_disable_aps(acpi_map_fn map, void *ctx, uint64_t rsdp_gpa, uint32_t bsp_apic_id,
			  unsigned *disabled, unsigned *kept);

/* Where an ISA IRQ arrives (5.2.12.3 I/O APIC, 5.2.12.5 Interrupt Source Override). */
struct acpi_isa_route {
	uint64_t ioapic;   /* the I/O APIC's MMIO base */
	uint32_t gsi_base; /* its first GSI */
	uint32_t gsi;	   /* the IRQ's GSI: the override's, else the IRQ number */
	uint16_t flags;	   /* MPS INTI flags of the override (0: the bus's defaults) */
};
#define ACPI_INTI_POLARITY_MASK 0x3u
#define ACPI_INTI_ACTIVE_LOW	0x3u
#define ACPI_INTI_TRIGGER_MASK	0xcu
#define ACPI_INTI_LEVEL		0xcu
/* The route of ISA @irq; ACPI_E_NOT_FOUND when no I/O APIC serves its GSI. */
int acpi_isa_irq_route(acpi_map_fn map, void *ctx, uint64_t rsdp_gpa, uint8_t irq,
		       struct acpi_isa_route *out);
/* The FADT's PM1a control block port (5.2.9, 4.8.3.2.1): SLP_EN with S5 powers off.
 * ACPI_E_NOT_FOUND without one. */
int acpi_pm1a_cnt_port(acpi_map_fn map, void *ctx, uint64_t rsdp_gpa, uint16_t *port);

const char *acpi_strerror(int err);
/* 5.2.5.3, 5.2.6: the byte sum of a valid structure is 0 (mod 256). */
uint8_t acpi_sum8(const uint8_t *p, size_t len);
/* An RSDP's bytes (5.2.5.3): the 20 of ACPI 1.0, or 36 for revision 2+ when its length is 36. */
#define ACPI_RSDP_MAX 36
size_t acpi_rsdp_copy(const uint8_t *rsdp, uint8_t out[ACPI_RSDP_MAX]);

/* mptable.c. MP spec 1.4, 4: the "_MP_" floating pointer in the EBDA's first KiB, base memory's
 * last KiB or the BIOS ROM 0xF0000-0xFFFFF points at the "PCMP" table: its address and base length,
 * ACPI_E_NOT_FOUND (also for a default configuration: no table), or another ACPI_E_*. */
int mptable_find(acpi_map_fn map, void *ctx, uint64_t *cfg_gpa, uint32_t *cfg_len);
/* In @cfg (the whole base table): clear EN in every processor entry (4.1) but @bsp_apic_id's
 * and fix the checksum; nothing is written unless the table checks out and lists the boot CPU. */
int mptable_disable_aps(uint8_t *cfg, uint32_t len, uint8_t bsp_apic_id, unsigned *disabled);

#endif
