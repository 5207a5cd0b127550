/* mptable.h - find the Intel MP table and hide every CPU but the boot CPU in it (MP spec 1.4). */
#ifndef DBGVISOR_MPTABLE_H
#define DBGVISOR_MPTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "acpi.h"

/*
 * MP spec 1.4, 4: the floating pointer ("_MP_", 16 bytes, checksummed) lies in the first KiB
 * of the EBDA, else the last KiB of base memory, else the BIOS ROM 0xF0000-0xFFFFF; it points
 * at the configuration table ("PCMP"). Returns ACPI_OK with the table's address and base
 * length, ACPI_E_NOT_FOUND (also for a default configuration: no table), or another ACPI_E_*.
 */
int mptable_find(acpi_map_fn map, void *ctx, uint64_t *cfg_gpa, uint32_t *cfg_len);

/*
 * In @cfg (the whole base table, @len bytes): clear the enable flag of every processor entry
 * (4.1) whose local APIC ID is not @bsp_apic_id, and fix the checksum. Nothing is written
 * unless the table checks out and lists the boot CPU. ACPI_OK or ACPI_E_*; @disabled counts.
 */
int mptable_disable_aps(uint8_t *cfg, uint32_t len, uint8_t bsp_apic_id, unsigned *disabled);

#endif
