/* cpu_caps.c - decide from raw CPUID/MSR values which extension is usable and what it offers. */
#include "cpu_caps.h"

#include "string.h"

/* CPUID.0:EBX,EDX,ECX vendor strings; 12 characters, not NUL-terminated in the registers. */
#define CPU_VENDOR_AMD	 "AuthenticAMD"
#define CPU_VENDOR_HYGON "HygonGenuine"
#define CPU_VENDOR_LEN	 12

/* IA32_VMX_BASIC bits 30:0: VMCS revision identifier (SDM vol. 3D, A.1). */
#define VMX_BASIC_REVISION_MASK 0x7fffffffull
/* Control capability MSRs: allowed-1 settings in bits 63:32 (SDM vol. 3D, A.3). */
#define VMX_CTLS_ALLOWED1_SHIFT 32
/* IA32_VMX_MISC bits 4:0: TSC to preemption-timer rate shift (SDM vol. 3D, A.6). */
#define VMX_MISC_PREEMPTION_SHIFT_MASK 0x1full
/* CPUID 8000000Ah:EAX bits 7:0: SVM revision (AMD APM vol. 3, CPUID Fn8000_000A). */
#define SVM_REVISION_MASK 0xffu

#define REASON_NO_LONG_MODE "CPU has no 64-bit long mode (CPUID.80000001h:EDX.LM)"
#define REASON_NO_EXTENSION                                                                        \
	"CPU has neither VT-x (CPUID.1:ECX.VMX) nor SVM (CPUID.80000001h:ECX.SVM)"
/* Same, with CPUID.1:ECX.hypervisor set: the host may not offer nested virtualization. */
#define REASON_NO_EXTENSION_NESTED                                                                 \
	REASON_NO_EXTENSION "; running under a hypervisor whose nested virtualization may be "     \
			    "disabled"

/* SDM vol. 3C, "Enabling and Entering VMX Operation": VMXON outside SMX needs the lock bit and
 * "enable VMX outside SMX"; once locked the MSR cannot change until reset. */
uint64_t cpu_caps_feature_control_fixup(uint64_t fc)
{
	if (fc & FEATURE_CONTROL_LOCK)
		return fc;
	return fc | FEATURE_CONTROL_LOCK | FEATURE_CONTROL_VMX_OUTSIDE_SMX;
}

/* A VMX control is available when its allowed-1 bit is set (SDM vol. 3D, A.3). */
static bool allowed1(uint64_t msr, uint32_t bit)
{
	return (msr >> VMX_CTLS_ALLOWED1_SHIFT) & bit;
}

/* Why VT-x is unusable, or NULL. EPT is needed for guest memory, unrestricted guest for entry
 * with paging off. */
static const char *vmx_problem(const struct cpu_raw *raw, const struct cpu_caps *c, bool secondary)
{
	if (!raw->has_feature_control)
		return "VT-x present but IA32_FEATURE_CONTROL was not read";
	if (!(raw->feature_control & FEATURE_CONTROL_LOCK))
		return "VT-x not enabled: IA32_FEATURE_CONTROL is still unlocked";
	if (!(raw->feature_control & FEATURE_CONTROL_VMX_OUTSIDE_SMX))
		return "VT-x disabled by firmware (IA32_FEATURE_CONTROL locked without VMX outside "
		       "SMX)";
	if (!secondary)
		return "VT-x without secondary controls, so without EPT and unrestricted guest: "
		       "dbgvisor needs both";
	if (!c->ept && !c->unrestricted_guest)
		return "VT-x without EPT and unrestricted guest (secondary controls): dbgvisor "
		       "needs both";
	if (!c->ept)
		return "VT-x without EPT (secondary control \"enable EPT\"): dbgvisor needs it";
	if (!c->unrestricted_guest)
		return "VT-x without unrestricted guest: dbgvisor needs it to run a guest that "
		       "starts with paging off";
	return NULL;
}

static void decode_vmx(const struct cpu_raw *raw, struct cpu_caps *c)
{
	/* Secondary controls exist only if the primary "activate secondary controls" may be 1. */
	bool secondary = allowed1(raw->vmx_procbased, PROCBASED_ACTIVATE_SECONDARY);

	c->vmcs_revision = (uint32_t)(raw->vmx_basic & VMX_BASIC_REVISION_MASK);
	c->ept = secondary && allowed1(raw->vmx_procbased2, PROCBASED2_ENABLE_EPT);
	c->vpid = secondary && allowed1(raw->vmx_procbased2, PROCBASED2_ENABLE_VPID);
	c->unrestricted_guest =
	    secondary && allowed1(raw->vmx_procbased2, PROCBASED2_UNRESTRICTED_GUEST);
	c->preemption_timer = allowed1(raw->vmx_pinbased, PINBASED_PREEMPTION_TIMER);
	c->preemption_timer_shift = (unsigned)(raw->vmx_misc & VMX_MISC_PREEMPTION_SHIFT_MASK);
	c->reason = vmx_problem(raw, c, secondary);
}

static void decode_svm(const struct cpu_raw *raw, struct cpu_caps *c)
{
	/* CPUID Fn8000_000A (AMD APM vol. 3, appendix E): only valid if the leaf exists. */
	if (raw->max_ext_leaf >= CPUID_LEAF_SVM) {
		c->svm_revision = raw->svm_eax & SVM_REVISION_MASK;
		c->nasid = raw->svm_ebx;
		c->npt = raw->svm_edx & CPUID_SVM_EDX_NP;
		c->nrip_save = raw->svm_edx & CPUID_SVM_EDX_NRIPS;
		c->decode_assists = raw->svm_edx & CPUID_SVM_EDX_DECODE_ASSISTS;
		c->lbr_virt = raw->svm_edx & CPUID_SVM_EDX_LBRV;
	}
	/* AMD APM vol. 2, 15.30.1: with VM_CR.SVMDIS set, EFER.SVME cannot be set. */
	if (raw->vm_cr & VM_CR_SVMDIS)
		c->reason = (raw->vm_cr & VM_CR_LOCK)
				? "SVM disabled by firmware (VM_CR.SVMDIS) and locked"
				: "SVM disabled by firmware (VM_CR.SVMDIS)";
	else if (raw->max_ext_leaf < CPUID_LEAF_SVM)
		c->reason = "SVM without CPUID leaf 8000000Ah, so without nested paging: dbgvisor "
			    "needs it";
	else if (!c->npt)
		c->reason = "SVM without nested paging (CPUID 8000000Ah:EDX.NP): dbgvisor needs it";
}

static bool vendor_is(const struct cpu_raw *raw, const char *v)
{
	return memcmp(raw->vendor, v, CPU_VENDOR_LEN) == 0;
}

void cpu_caps_decode(const struct cpu_raw *raw, struct cpu_caps *c)
{
	bool has_leaf1 = raw->max_leaf >= CPUID_LEAF_FEATURES;
	bool has_ext1 = raw->max_ext_leaf >= CPUID_LEAF_EXT_FEATURES;
	bool vmx = has_leaf1 && (raw->leaf1_ecx & CPUID1_ECX_VMX);
	bool svm = has_ext1 && (raw->ext1_ecx & CPUID_EXT1_ECX_SVM);
	/* CPUID.1:ECX bit 31 is reserved for hypervisors to say they are there. */
	bool under_hypervisor = has_leaf1 && (raw->leaf1_ecx & CPUID1_ECX_HYPERVISOR);

	memset(c, 0, sizeof(*c));
	c->long_mode = has_ext1 && (raw->ext1_edx & CPUID_EXT1_EDX_LM);
	/* Both advertised (possible under emulators): SVM on AMD/Hygon, else VT-x. */
	if (vmx && svm)
		svm = vendor_is(raw, CPU_VENDOR_AMD) || vendor_is(raw, CPU_VENDOR_HYGON);
	if (svm) {
		c->kind = VIRT_SVM;
		decode_svm(raw, c);
	} else if (vmx) {
		c->kind = VIRT_VMX;
		decode_vmx(raw, c);
	} else {
		c->kind = VIRT_NONE;
		c->reason = under_hypervisor ? REASON_NO_EXTENSION_NESTED : REASON_NO_EXTENSION;
	}
	/* A 64-bit hypervisor and its 64-bit guests need long mode before anything else. */
	if (!c->long_mode)
		c->reason = REASON_NO_LONG_MODE;
	c->usable = c->reason == NULL;
}
