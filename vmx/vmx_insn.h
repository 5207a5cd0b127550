/* vmx_insn.h - the VMX instructions as inline functions returning the VMsucceed/VMfail outcome. */
#ifndef DBGVISOR_VMX_INSN_H
#define DBGVISOR_VMX_INSN_H

#include <stdbool.h>
#include <stdint.h>

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
	struct {
		uint64_t eptp, reserved;
	} desc = {0, 0};
	uint8_t cf, zf;
	__asm__ volatile("invept %[d], %[t]; " VMX_STATUS_ASM
			 : [cf] "=q"(cf), [zf] "=q"(zf)
			 : [d] "m"(desc), [t] "r"(VMX_INVEPT_ALL_CONTEXT)
			 : "cc", "memory");
	return vmx_status_of(cf, zf);
}

#endif
