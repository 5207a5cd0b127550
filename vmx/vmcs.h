/* vmcs.h - checked VMCS field access: a failing VMREAD/VMWRITE names the field and the error. */
#ifndef DBGVISOR_VMCS_H
#define DBGVISOR_VMCS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/vcpu.h"
#include "vmx_insn.h"

/* A failing VMREAD/VMWRITE means the hypervisor itself is wrong: panic naming field and caller. */
#define vmcs_read64(f)	   vmcs_read_checked((f), __func__)
#define vmcs_read32(f)	   ((uint32_t)vmcs_read_checked((f), __func__))
#define vmcs_read16(f)	   ((uint16_t)vmcs_read_checked((f), __func__))
#define vmcs_write64(f, v) vmcs_write_checked((f), (uint64_t)(v), __func__)
#define vmcs_write32(f, v) vmcs_write_checked((f), (uint64_t)(uint32_t)(v), __func__)
#define vmcs_write16(f, v) vmcs_write_checked((f), (uint64_t)(uint16_t)(v), __func__)

/* The report (field, VM-instruction error and its meaning) and panic, out of line: the
 * accessors stay two instructions each. */
void vmcs_fail(const char *op, uint32_t field, const char *caller) __attribute__((noreturn, cold));

static inline uint64_t vmcs_read_checked(uint32_t field, const char *caller)
{
	uint64_t v;

	if (__builtin_expect(!vmx_vmread_ok(field, &v), 0))
		vmcs_fail("VMREAD", field, caller);
	return v;
}

static inline void vmcs_write_checked(uint32_t field, uint64_t val, const char *caller)
{
	if (__builtin_expect(!vmx_vmwrite_ok(field, val), 0))
		vmcs_fail("VMWRITE", field, caller);
}

static inline void vmcs_set_bits32(uint32_t field, uint32_t bits, bool on)
{
	uint32_t val = vmcs_read32(field);

	vmcs_write32(field, on ? val | bits : val & ~bits);
}

/* The guest-state fields of one segment register, by enum vcpu_seg (x86 encoding order). */
struct vmcs_seg_fields {
	const char *name;
	uint32_t sel, base, limit, ar;
};
extern const struct vmcs_seg_fields vmcs_guest_seg[SEG_COUNT];

/* Print the guest-state area, to find which VM-entry check failed (SDM 3C, 28.3.1). */
void vmcs_dump_guest_state(void);

#endif
