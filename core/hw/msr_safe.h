/* msr_safe.h - MSR and XCR writes for the guest's sake, where the CPU may refuse (#GP caught). */
#ifndef DBGVISOR_MSR_SAFE_H
#define DBGVISOR_MSR_SAFE_H

#include <stdbool.h>
#include <stdint.h>

#include "trap.h"

/* RDMSR/WRMSR of @index (msr_safe.S): false when the CPU raised #GP (msr_safe_fixup's doing). */
bool msr_read_safe(uint32_t index, uint64_t *val);
bool msr_write_safe(uint32_t index, uint64_t val);
bool msr_xsetbv_safe(uint32_t index, uint64_t val); /* XSETBV, false on #GP */
bool msr_safe_fixup(struct trap_frame *f);	    /* the #GP handler: true for those three only */

#endif
