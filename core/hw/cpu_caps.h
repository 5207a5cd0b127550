/* cpu_caps.h - from raw CPUID/MSR values: is VT-x or SVM usable, and what does it offer. */
#ifndef DBGVISOR_CPU_CAPS_H
#define DBGVISOR_CPU_CAPS_H

#include <stdbool.h>
#include <stdint.h>

/* CPUID leaves and bits (SDM vol. 2A CPUID; AMD APM vol. 3, appendix E). */
#define CPUID_LEAF_VENDOR	     0u
#define CPUID_LEAF_FEATURES	     1u
#define CPUID_LEAF_STRUCT_EXT	     7u
#define CPUID_LEAF_EXT_MAX	     0x80000000u
#define CPUID_LEAF_EXT_FEATURES	     0x80000001u
#define CPUID_LEAF_SVM		     0x8000000au
#define CPUID1_ECX_VMX		     (1u << 5)
#define CPUID1_ECX_HYPERVISOR	     (1u << 31)
#define CPUID_EXT1_ECX_SVM	     (1u << 2)
#define CPUID_EXT1_EDX_LM	     (1u << 29)
#define CPUID_SVM_EDX_NP	     (1u << 0)
#define CPUID_SVM_EDX_LBRV	     (1u << 1)
#define CPUID_SVM_EDX_NRIPS	     (1u << 3)
#define CPUID_SVM_EDX_DECODE_ASSISTS (1u << 7)

/* IA32_FEATURE_CONTROL (SDM vol. 3C, 23.7). */
#define FEATURE_CONTROL_LOCK		(1ull << 0)
#define FEATURE_CONTROL_VMX_IN_SMX	(1ull << 1)
#define FEATURE_CONTROL_VMX_OUTSIDE_SMX (1ull << 2)

/* VM_CR (AMD APM vol. 2, 15.30.1). */
#define VM_CR_LOCK   (1ull << 3)
#define VM_CR_SVMDIS (1ull << 4)

/* VMX capability MSRs (SDM vol. 3D, appendix A). */
#define MSR_IA32_VMX_BASIC		 0x480
#define MSR_IA32_VMX_PINBASED_CTLS	 0x481
#define MSR_IA32_VMX_PROCBASED_CTLS	 0x482
#define MSR_IA32_VMX_EXIT_CTLS		 0x483
#define MSR_IA32_VMX_ENTRY_CTLS		 0x484
#define MSR_IA32_VMX_MISC		 0x485
#define MSR_IA32_VMX_CR0_FIXED0		 0x486
#define MSR_IA32_VMX_CR0_FIXED1		 0x487
#define MSR_IA32_VMX_CR4_FIXED0		 0x488
#define MSR_IA32_VMX_CR4_FIXED1		 0x489
#define MSR_IA32_VMX_PROCBASED_CTLS2	 0x48b
#define MSR_IA32_VMX_EPT_VPID_CAP	 0x48c
#define MSR_IA32_VMX_TRUE_PINBASED_CTLS	 0x48d
#define MSR_IA32_VMX_TRUE_PROCBASED_CTLS 0x48e
#define MSR_IA32_VMX_TRUE_EXIT_CTLS	 0x48f
#define MSR_IA32_VMX_TRUE_ENTRY_CTLS	 0x490

#define VMX_BASIC_TRUE_CTLS	      (1ull << 55)
#define PROCBASED_ACTIVATE_SECONDARY  (1u << 31)
#define PINBASED_PREEMPTION_TIMER     (1u << 6)
#define PROCBASED2_ENABLE_EPT	      (1u << 1)
#define PROCBASED2_ENABLE_VPID	      (1u << 5)
#define PROCBASED2_UNRESTRICTED_GUEST (1u << 7)

enum virt_kind { VIRT_NONE, VIRT_VMX, VIRT_SVM };

/* Everything read from the CPU, before any decision. Zero where not readable. */
struct cpu_raw {
	char vendor[13];
	uint32_t max_leaf;
	uint32_t max_ext_leaf;
	uint32_t leaf1_ecx, leaf1_edx;
	uint32_t ext1_ecx, ext1_edx;
	uint32_t svm_eax, svm_ebx, svm_edx; /* CPUID 0x8000000A */
	bool has_feature_control;
	uint64_t feature_control;
	uint64_t vm_cr;
	uint64_t vmx_basic;
	uint64_t vmx_pinbased, vmx_procbased, vmx_procbased2; /* TRUE_ variants when available */
	uint64_t vmx_misc;
	uint64_t vmx_ept_vpid_cap;
};

struct cpu_caps {
	enum virt_kind kind; /* the extension found (may still be unusable) */
	bool usable;
	const char *reason; /* one line, set when !usable */
	bool long_mode;
	/* VT-x */
	uint32_t vmcs_revision;
	bool ept, unrestricted_guest, vpid, preemption_timer;
	unsigned preemption_timer_shift;
	/* SVM */
	uint32_t svm_revision;
	uint32_t nasid;
	bool npt, nrip_save, decode_assists, lbr_virt;
};

/* IA32_FEATURE_CONTROL to write: @fc if locked, else @fc plus lock and VMX outside SMX. */
uint64_t cpu_caps_feature_control_fixup(uint64_t fc);
/* Pure decision: which extension, is it usable, what does it offer. */
void cpu_caps_decode(const struct cpu_raw *raw, struct cpu_caps *caps);
/* Hardware side (cpu_detect.c): read CPUID/MSRs, apply the FEATURE_CONTROL fixup. */
void cpu_caps_read(struct cpu_raw *raw);

#endif
