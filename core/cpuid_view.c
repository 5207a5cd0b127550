/* cpuid_view.c - hide VT-x/SVM from the guest, answer leaf 0x40000000, mirror guest CR4 bits. */
#include "cpuid_view.h"

#include "core/hw/string.h"

void cpuid_guest_view(uint32_t leaf, uint32_t subleaf, uint64_t guest_cr4, struct cpuid_regs *r)
{
	if (leaf >= CPUID_HV_BASE && leaf <= CPUID_HV_LAST) {
		r->eax = r->ebx = r->ecx = r->edx = 0;
		if (leaf == CPUID_HV_BASE) {
			const char *sig = CPUID_HV_SIGNATURE;

			r->eax = CPUID_HV_BASE; /* highest hypervisor leaf */
			memcpy(&r->ebx, sig, 4);
			memcpy(&r->ecx, sig + 4, 4);
			memcpy(&r->edx, sig + 8, 4);
		}
		return;
	}
	switch (leaf) {
	case CPUID_LEAF_FEATURES:
		/* The hypervisor bit (ECX 31) stays the CPU's: a guest seeing it changes course
		 * (Linux skips its TSC deadline errata check), unlike on the bare machine. */
		r->ecx &= ~(CPUID1_ECX_VMX | CPUID1_ECX_OSXSAVE);
		if (guest_cr4 & CR4_OSXSAVE_BIT)
			r->ecx |= CPUID1_ECX_OSXSAVE;
		break;
	case CPUID_LEAF_STRUCT_EXT:
		if (subleaf == 0) {
			r->ecx &= ~CPUID7_ECX_OSPKE;
			if (guest_cr4 & CR4_PKE_BIT)
				r->ecx |= CPUID7_ECX_OSPKE;
		}
		break;
	case CPUID_LEAF_EXT_FEATURES:
		r->ecx &= ~CPUID_EXT1_ECX_SVM;
		break;
	case CPUID_LEAF_SVM:
		/* APM vol. 3: leaf 8000_000Ah is reserved when SVM is not reported. */
		r->eax = r->ebx = r->ecx = r->edx = 0;
		break;
	}
}

void cpuid_guest_mode_view(uint32_t leaf, bool intel, bool guest_64, struct cpuid_regs *r)
{
	if (cpuid_view_uses_mode(intel, leaf) && !guest_64)
		r->edx &= ~CPUID_EXT1_EDX_SYSCALL;
}
