/* msr_safe.h - MSR accesses for the guest's sake, where the MSR may not exist (#GP caught). */
#ifndef DBGVISOR_MSR_SAFE_H
#define DBGVISOR_MSR_SAFE_H

#include <stdbool.h>
#include <stdint.h>

#include "trap.h"

/* RDMSR/WRMSR of @index (msr_safe.S): false when the CPU raised #GP, which msr_safe_fixup
 * (registered for #GP) turned into this return. */
bool msr_read_safe(uint32_t index, uint64_t *val);
bool msr_write_safe(uint32_t index, uint64_t val);
/* The #GP handler: true (and the frame sent to the failure return) for those two only. */
bool msr_safe_fixup(struct trap_frame *f);

#endif
