/* cpu_detect.c - read CPUID and the virtualization MSRs; enable VT-x in IA32_FEATURE_CONTROL. */
#include "cpu_caps.h"

#include "string.h"
#include "x86.h"

static void read_vmx(struct cpu_raw *raw)
{
	bool true_ctls;

	raw->has_feature_control = true;
	raw->feature_control = x86_rdmsr(MSR_IA32_FEATURE_CONTROL);
	uint64_t want = cpu_caps_feature_control_fixup(raw->feature_control);
	if (want != raw->feature_control) {
		x86_wrmsr(MSR_IA32_FEATURE_CONTROL, want);
		raw->feature_control = x86_rdmsr(MSR_IA32_FEATURE_CONTROL);
	}
	raw->vmx_basic = x86_rdmsr(MSR_IA32_VMX_BASIC);
	true_ctls = raw->vmx_basic & VMX_BASIC_TRUE_CTLS;
	/* SDM vol. 3D, A.2: the TRUE_ MSRs report what can really be cleared. */
	raw->vmx_pinbased =
	    x86_rdmsr(true_ctls ? MSR_IA32_VMX_TRUE_PINBASED_CTLS : MSR_IA32_VMX_PINBASED_CTLS);
	raw->vmx_procbased =
	    x86_rdmsr(true_ctls ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS : MSR_IA32_VMX_PROCBASED_CTLS);
	raw->vmx_misc = x86_rdmsr(MSR_IA32_VMX_MISC);
	if ((raw->vmx_procbased >> 32) & PROCBASED_ACTIVATE_SECONDARY) {
		raw->vmx_procbased2 = x86_rdmsr(MSR_IA32_VMX_PROCBASED_CTLS2);
		if ((raw->vmx_procbased2 >> 32) & (PROCBASED2_ENABLE_EPT | PROCBASED2_ENABLE_VPID))
			raw->vmx_ept_vpid_cap = x86_rdmsr(MSR_IA32_VMX_EPT_VPID_CAP);
	}
}

void cpu_caps_read(struct cpu_raw *raw)
{
	struct cpuid_regs r;

	memset(raw, 0, sizeof(*raw));
	x86_cpuid(CPUID_LEAF_VENDOR, 0, &r);
	raw->max_leaf = r.eax;
	memcpy(&raw->vendor[0], &r.ebx, 4);
	memcpy(&raw->vendor[4], &r.edx, 4);
	memcpy(&raw->vendor[8], &r.ecx, 4);
	if (raw->max_leaf >= CPUID_LEAF_FEATURES) {
		x86_cpuid(CPUID_LEAF_FEATURES, 0, &r);
		raw->leaf1_ecx = r.ecx;
		raw->leaf1_edx = r.edx;
	}
	x86_cpuid(CPUID_LEAF_EXT_MAX, 0, &r);
	raw->max_ext_leaf = r.eax;
	if (raw->max_ext_leaf >= CPUID_LEAF_EXT_FEATURES) {
		x86_cpuid(CPUID_LEAF_EXT_FEATURES, 0, &r);
		raw->ext1_ecx = r.ecx;
		raw->ext1_edx = r.edx;
	}
	if (raw->leaf1_ecx & CPUID1_ECX_VMX)
		read_vmx(raw);
	if (raw->ext1_ecx & CPUID_EXT1_ECX_SVM) {
		raw->vm_cr = x86_rdmsr(MSR_VM_CR);
		if (raw->max_ext_leaf >= CPUID_LEAF_SVM) {
			x86_cpuid(CPUID_LEAF_SVM, 0, &r);
			raw->svm_eax = r.eax;
			raw->svm_ebx = r.ebx;
			raw->svm_edx = r.edx;
		}
	}
}
