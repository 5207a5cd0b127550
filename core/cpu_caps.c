/* cpu_caps.c - decide from raw CPUID/MSR values which extension is usable and what it offers. */
#include "cpu_caps.h"

#include "string.h"

#define CPUID_EXT_FEATURES 0x80000001u
#define CPUID_SVM_FEATURES 0x8000000au
#define VMCS_REVISION_MASK 0x7fffffffull
#define SVM_REVISION_MASK 0xffu
#define PREEMPTION_SHIFT_MASK 0x1full
#define ALLOWED1_SHIFT 32

uint64_t cpu_caps_feature_control_fixup(uint64_t fc)
{
	/* SDM vol. 3C, 24.7: VMXON needs the lock bit and "enable VMX outside SMX". */
	if (fc & FEATURE_CONTROL_LOCK)
		return fc;
	return fc | FEATURE_CONTROL_LOCK | FEATURE_CONTROL_VMX_OUTSIDE_SMX;
}

/* A VMX control is available when its allowed-1 bit is set (SDM vol. 3D, A.3). */
static bool allowed1(uint64_t msr, uint32_t bit)
{
	return (msr >> ALLOWED1_SHIFT) & bit;
}

static void decode_vmx(const struct cpu_raw *raw, struct cpu_caps *c)
{
	bool secondary = allowed1(raw->vmx_procbased, PROCBASED_ACTIVATE_SECONDARY);

	c->vmcs_revision = (uint32_t)(raw->vmx_basic & VMCS_REVISION_MASK);
	c->ept = secondary && allowed1(raw->vmx_procbased2, PROCBASED2_ENABLE_EPT);
	c->vpid = secondary && allowed1(raw->vmx_procbased2, PROCBASED2_ENABLE_VPID);
	c->unrestricted_guest =
		secondary && allowed1(raw->vmx_procbased2, PROCBASED2_UNRESTRICTED_GUEST);
	c->preemption_timer = allowed1(raw->vmx_pinbased, PINBASED_PREEMPTION_TIMER);
	c->preemption_timer_shift = (unsigned)(raw->vmx_misc & PREEMPTION_SHIFT_MASK);
	if (!raw->has_feature_control || !(raw->feature_control & FEATURE_CONTROL_LOCK) ||
	    !(raw->feature_control & FEATURE_CONTROL_VMX_OUTSIDE_SMX))
		c->reason = "VT-x disabled by firmware (IA32_FEATURE_CONTROL locked without VMX "
			    "outside SMX)";
	else if (!c->ept)
		c->reason = "VT-x without EPT (secondary control \"enable EPT\"): dbgvisor needs it";
	else if (!c->unrestricted_guest)
		c->reason = "VT-x without unrestricted guest: dbgvisor needs it to run a guest "
			    "that starts with paging off";
	c->usable = !c->reason;
}

static void decode_svm(const struct cpu_raw *raw, struct cpu_caps *c)
{
	if (raw->max_ext_leaf >= CPUID_SVM_FEATURES) {
		c->svm_revision = raw->svm_eax & SVM_REVISION_MASK;
		c->nasid = raw->svm_ebx;
		c->npt = raw->svm_edx & CPUID_SVM_EDX_NP;
		c->nrip_save = raw->svm_edx & CPUID_SVM_EDX_NRIPS;
		c->decode_assists = raw->svm_edx & CPUID_SVM_EDX_DECODE_ASSISTS;
		c->lbr_virt = raw->svm_edx & CPUID_SVM_EDX_LBRV;
	}
	/* APM vol. 2, 15.30.1: SVMDIS set means EFER.SVME cannot be set. */
	if (raw->vm_cr & VM_CR_SVMDIS)
		c->reason = (raw->vm_cr & VM_CR_LOCK) ? "SVM disabled by firmware (VM_CR.SVMDIS) and locked"
						      : "SVM disabled by firmware (VM_CR.SVMDIS)";
	else if (!c->npt)
		c->reason = "SVM without nested paging (CPUID 8000000Ah:EDX.NP): dbgvisor needs it";
	c->usable = !c->reason;
}

static bool vendor_is(const struct cpu_raw *raw, const char *v)
{
	return memcmp(raw->vendor, v, sizeof(raw->vendor) - 1) == 0;
}

void cpu_caps_decode(const struct cpu_raw *raw, struct cpu_caps *c)
{
	bool vmx = raw->max_leaf >= 1 && (raw->leaf1_ecx & CPUID1_ECX_VMX);
	bool svm = raw->max_ext_leaf >= CPUID_EXT_FEATURES && (raw->ext1_ecx & CPUID_EXT1_ECX_SVM);

	memset(c, 0, sizeof(*c));
	c->long_mode = raw->max_ext_leaf >= CPUID_EXT_FEATURES && (raw->ext1_edx & CPUID_EXT1_EDX_LM);
	if (vmx && svm)
		svm = vendor_is(raw, "AuthenticAMD") || vendor_is(raw, "HygonGenuine");
	if (svm) {
		c->kind = VIRT_SVM;
		decode_svm(raw, c);
	} else if (vmx) {
		c->kind = VIRT_VMX;
		decode_vmx(raw, c);
	} else {
		c->kind = VIRT_NONE;
		c->reason = (raw->leaf1_ecx & CPUID1_ECX_HYPERVISOR)
				    ? "CPU has neither VT-x (CPUID.1:ECX.VMX) nor SVM "
				      "(CPUID.80000001h:ECX.SVM); it runs under another hypervisor: "
				      "enable nested virtualization there"
				    : "CPU has neither VT-x (CPUID.1:ECX.VMX) nor SVM "
				      "(CPUID.80000001h:ECX.SVM)";
	}
	if (!c->long_mode) {
		c->usable = false;
		c->reason = "CPU has no 64-bit long mode";
	}
}
