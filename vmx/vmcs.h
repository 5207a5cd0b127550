/* vmcs.h - the VMX instructions as inline functions, and checked VMCS field access on them. */
#ifndef DBGVISOR_VMCS_H
#define DBGVISOR_VMCS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/vcpu.h"

/* SDM vol. 3C, 31.2: CF = 1 is VMfailInvalid, ZF = 1 is VMfailValid (error in the VMCS). */
enum vmx_status { VMX_OK = 0, VMX_FAIL_INVALID = 1, VMX_FAIL_VALID = 2 };

#define VMX_STATUS_ASM "setc %b[cf]; setz %b[zf]"

static inline enum vmx_status vmx_status_of(uint8_t cf, uint8_t zf)
{
	return cf ? VMX_FAIL_INVALID : zf ? VMX_FAIL_VALID : VMX_OK;
}

/* vmx_vmxon, vmx_vmclear, vmx_vmptrld: the operand is a region's physical address in memory. */
#define VMX_PA_INSN(insn)                                                                          \
	static inline enum vmx_status vmx_##insn(uint64_t pa)                                      \
	{                                                                                          \
		uint8_t cf, zf;                                                                    \
		__asm__ volatile(#insn " %[pa]; " VMX_STATUS_ASM                                   \
				 : [cf] "=q"(cf), [zf] "=q"(zf)                                    \
				 : [pa] "m"(pa)                                                    \
				 : "cc", "memory");                                                \
		return vmx_status_of(cf, zf);                                                      \
	}
VMX_PA_INSN(vmxon)
VMX_PA_INSN(vmclear)
VMX_PA_INSN(vmptrld)
#undef VMX_PA_INSN

/* Success alone, the condition "above" (CF = ZF = 0) branched on right after the instruction,
 * no flag bytes to test; which failure it was is found afterwards with VMPTRST (vmcs_fail). */
static inline bool vmx_vmread_ok(uint64_t field, uint64_t *val)
{
	bool ok;
	__asm__ volatile("vmread %[f], %[v]" : [v] "=rm"(*val), "=@cca"(ok) : [f] "r"(field));
	return ok;
}

static inline bool vmx_vmwrite_ok(uint64_t field, uint64_t val)
{
	bool ok;
	__asm__ volatile("vmwrite %[v], %[f]" : "=@cca"(ok) : [f] "r"(field), [v] "rm"(val));
	return ok;
}

/* VMPTRST (SDM 3C, 31.3): the current-VMCS pointer, all ones when there is none. */
#define VMX_NO_CURRENT_VMCS (~0ull)

static inline uint64_t vmx_vmptrst(void)
{
	uint64_t pa;
	__asm__ volatile("vmptrst %[pa]" : [pa] "=m"(pa));
	return pa;
}

/* INVEPT type 2, all-context (SDM vol. 3C, 30.3 INVEPT): the descriptor may stay zero. */
#define VMX_INVEPT_ALL_CONTEXT 2ull

static inline enum vmx_status vmx_invept_all(void)
{
	uint64_t desc[2] = {0, 0}; /* EPTP, reserved */
	uint8_t cf, zf;
	__asm__ volatile("invept %[d], %[t]; " VMX_STATUS_ASM
			 : [cf] "=q"(cf), [zf] "=q"(zf)
			 : [d] "m"(desc), [t] "r"(VMX_INVEPT_ALL_CONTEXT)
			 : "cc", "memory");
	return vmx_status_of(cf, zf);
}

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

/* What the guest sees of a shadowed control register: its own bits where the host owns them. */
static inline uint64_t vmcs_shadowed(uint32_t field, uint32_t shadow, uint64_t mask)
{
	return (vmcs_read64(field) & ~mask) | (vmcs_read64(shadow) & mask);
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
