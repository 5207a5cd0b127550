/* cpuid_view.h - what CPUID shows the guest: the host's answer minus VMX/SVM, plus our leaf. */
#ifndef DBGVISOR_CPUID_VIEW_H
#define DBGVISOR_CPUID_VIEW_H

#include <stdbool.h>

#include "core/hw/cpu_caps.h"
#include "core/hw/x86.h"

/* Hypervisor CPUID range (the de facto convention shared by KVM, Xen, Hyper-V, VMware). */
#define CPUID_HV_BASE	   0x40000000u
#define CPUID_HV_LAST	   0x400000ffu
#define CPUID_HV_SIGNATURE "dbgvisor\0\0\0\0"

#define CPUID1_ECX_OSXSAVE (1u << 27)
#define CPUID7_ECX_OSPKE   (1u << 4)
#define CR4_OSXSAVE_BIT	   (1ull << 18)
#define CR4_PKE_BIT	   (1ull << 22)

/* Rewrite @r, the host's answer to (@leaf, @subleaf), into the guest's view; OSXSAVE and
 * OSPKE come from @guest_cr4 (the CPU's answer mirrors the host's CR4). */
void cpuid_guest_view(uint32_t leaf, uint32_t subleaf, uint64_t guest_cr4, struct cpuid_regs *r);

/*
 * Intel reports SYSCALL/SYSRET (CPUID.80000001h:EDX[11]) only to code in 64-bit mode (SDM
 * vol. 2A, CPUID, table 3-8 note); the host asks in 64-bit mode, so for a guest outside it
 * the bit is cleared. AMD reports it in every mode. The fast path leaves this leaf to the
 * full one, which knows the guest's mode.
 */
#define CPUID_EXT1_EDX_SYSCALL (1u << 11)
void cpuid_guest_mode_view(uint32_t leaf, bool intel, bool guest_64, struct cpuid_regs *r);
static inline bool cpuid_view_uses_mode(bool intel, uint32_t leaf)
{
	return intel && leaf == CPUID_LEAF_EXT_FEATURES;
}

/* Whether cpuid_guest_view changes anything for @leaf (most leaves pass unchanged). */
static inline bool cpuid_view_rewrites(uint32_t leaf)
{
	return leaf == CPUID_LEAF_FEATURES || leaf == CPUID_LEAF_STRUCT_EXT ||
	       leaf == CPUID_LEAF_EXT_FEATURES || leaf == CPUID_LEAF_SVM ||
	       (leaf >= CPUID_HV_BASE && leaf <= CPUID_HV_LAST);
}

/* Whether @guest_cr4 matters to cpuid_guest_view for @leaf (so a caller may leave it 0). */
static inline bool cpuid_view_uses_cr4(uint32_t leaf)
{
	return leaf == CPUID_LEAF_FEATURES || leaf == CPUID_LEAF_STRUCT_EXT;
}

#endif
