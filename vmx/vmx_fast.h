/* vmx_fast.h - a null CPUID VM exit handed to the core's fast path, inline in the entry loop. */
#ifndef DBGVISOR_VMX_FAST_H
#define DBGVISOR_VMX_FAST_H

#include "core/exit_fast.h"
#include "vmcs.h"
#include "vmcs_fields.h"
#include "vmx.h"

/* A CPUID exit with nothing else to do completed from the VMCS: true to VM-enter again at once
 * (RIP, RFLAGS and the interrupt shadow written back); false, nothing changed, otherwise. */
static inline bool vmx_fast_exit(struct vcpu *v, const struct vmx_vcpu *x)
{
	struct vcpu_fast_exit f;
	uint32_t intr;
	uint64_t rflags;

	/* CPUID never exits during event delivery: nothing to deliver again (SDM 3C 28.2.4). */
	if (vmcs_read32(VM_EXIT_REASON) != EXIT_REASON_CPUID)
		return false;
	intr = vmcs_read32(GUEST_INTERRUPTIBILITY_INFO);
	rflags = vmcs_read64(GUEST_RFLAGS);
	f = (struct vcpu_fast_exit){
	    .rip = vmcs_read64(GUEST_RIP),
	    .rflags = rflags,
	    .insn_len = (uint8_t)vmcs_read32(VM_EXIT_INSTRUCTION_LEN),
	    .shadow = intr & GUEST_INTR_STATE_SHADOW,
	};
	/* The guest's CR4 (its own bits from the read shadow), for the leaves that show it. */
	if (cpuid_view_uses_cr4((uint32_t)v->gpr[GPR_RAX]))
		f.cr4 = vmcs_shadowed(GUEST_CR4, CR4_READ_SHADOW, x->cr4_shadow_mask);
	if (!f.insn_len || !vcpu_fast_cpuid(v, &f))
		return false;
	vmcs_write64(GUEST_RIP, f.rip);
	if (f.rflags != rflags)
		vmcs_write64(GUEST_RFLAGS, f.rflags);
	if (intr & GUEST_INTR_STATE_SHADOW)
		vmcs_write32(GUEST_INTERRUPTIBILITY_INFO, intr & ~GUEST_INTR_STATE_SHADOW);
	return true;
}

#endif
