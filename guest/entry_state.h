/* entry_state.h - the CPU state a boot protocol promises the guest at its first instruction. */
#ifndef DBGVISOR_ENTRY_STATE_H
#define DBGVISOR_ENTRY_STATE_H

#include <stdint.h>

#include "core/vcpu.h"

/*
 * 32-bit protected mode, paging off, IF = 0, flat 4 GiB code and data segments with the
 * given selectors (DS, ES, FS, GS and SS all @ds), GDTR as given, IDTR empty, all GPRs 0;
 * the caller sets the registers its protocol passes arguments in.
 */
void entry_flat32(struct vcpu *v, uint32_t rip, uint16_t cs, uint16_t ds, uint32_t gdt_base,
		  uint16_t gdt_limit);
/* Real mode at 0000:@ip with the IVT at 0, as a PC BIOS hands over to a boot sector. */
void entry_real_mode(struct vcpu *v, uint16_t ip);

#endif
