/* mptable.h - find the Intel MP table and hide every CPU but the boot CPU in it (MP spec 1.4). */
#ifndef DBGVISOR_MPTABLE_H
#define DBGVISOR_MPTABLE_H

#include <stdbool.h>

#include "acpi.h"

/* MP spec 1.4, 4: the "_MP_" floating pointer in the EBDA's first KiB, base memory's last KiB
 * or the BIOS ROM points at the "PCMP" table: its address and base length, ACPI_E_NOT_FOUND
 * (also for a default configuration: no table), or another ACPI_E_*. */
int mptable_find(acpi_map_fn map, void *ctx, uint64_t *cfg_gpa, uint32_t *cfg_len);
/* In @cfg (the whole base table): clear EN in every processor entry (4.1) but @bsp_apic_id's
 * and fix the checksum; nothing is written unless the table checks out and lists the boot CPU. */
int mptable_disable_aps(uint8_t *cfg, uint32_t len, uint8_t bsp_apic_id, unsigned *disabled);

#endif
