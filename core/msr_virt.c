/* msr_virt.c - virtualize EFER and hide the SVM/VMX MSRs, so the guest can never reach them. */
#include "core/hw/cpu_caps.h"
#include "core/hw/string.h"
#include "core/hw/x86.h"
#include "apic_guard.h"
#include "exit.h"

/* AMD SVM MSRs (APM vol. 2, 15.30); Intel's VMX capability MSRs (SDM vol. 4, table 2-2). */
#define MSR_VM_IGNNE  0xc0010115
#define MSR_SMM_CTL   0xc0010116
#define MSR_SVM_KEY   0xc0010118
#define MSR_VMX_FIRST 0x480
#define MSR_VMX_LAST  0x491

/* EFER bits a guest may write (SDM vol. 4 table 2-2; APM vol. 2, 3.1.7). LMA is read-only. */
#define EFER_LMSLE	    (1ull << 13)
#define EFER_FFXSR	    (1ull << 14)
#define EFER_TCE	    (1ull << 15)
#define EFER_WRITABLE_INTEL (EFER_SCE | EFER_LME | EFER_NXE)
#define EFER_WRITABLE_AMD   (EFER_WRITABLE_INTEL | EFER_LMSLE | EFER_FFXSR | EFER_TCE)
#define HSAVE_ALIGN_MASK    0xfffull
/* The MSR ranges a bitmap covers: VT-x the low and high ones (SDM 3C 25.6.9), SVM also
 * 0xc0010000-0xc0011fff (APM vol. 2, 15.11); any other MSR always exits. */
#define MSR_BITMAP_SPAN	     0x2000u
#define MSR_BITMAP_HIGH	     0xc0000000u
#define MSR_BITMAP_AMD_EXTRA 0xc0010000u
/* MSRs whose guest value is in the VMCS/VMCB, switched by VMLOAD/VMSAVE (SDM 3C 25.4.1, APM
 * 15.5) or offset (TSC): the hypervisor's RDMSR/WRMSR would reach the host's. */
#define MSR_TSC		 0x10
#define MSR_SYSENTER_CS	 0x174
#define MSR_SYSENTER_EIP 0x176
#define MSR_DEBUGCTL	 0x1d9
#define MSR_PAT		 0x277

void msr_virt_protect(struct vcpu *v)
{
	static const uint32_t svm_msrs[] = {MSR_VM_CR, MSR_VM_IGNNE, MSR_SMM_CTL, MSR_VM_HSAVE_PA,
					    MSR_SVM_KEY};

	v->ops->set_msr_intercept(v, MSR_EFER, true, true);
	if (v->lapic_base) {
		v->ops->set_msr_intercept(v, MSR_X2APIC_ICR, false, true);
		v->ops->set_msr_intercept(v, MSR_IA32_APIC_BASE, false, true);
	}
	if (v->is_amd) {
		for (unsigned i = 0; i < NELEMS(svm_msrs); i++)
			v->ops->set_msr_intercept(v, svm_msrs[i], true, true);
	} else {
		v->ops->set_msr_intercept(v, MSR_IA32_FEATURE_CONTROL, true, true);
		for (uint32_t m = MSR_VMX_FIRST; m <= MSR_VMX_LAST; m++)
			v->ops->set_msr_intercept(v, m, true, true);
	}
}

static bool in_bitmap(const struct vcpu *v, uint32_t index)
{
	return index < MSR_BITMAP_SPAN ||
	       (index >= MSR_BITMAP_HIGH && index - MSR_BITMAP_HIGH < MSR_BITMAP_SPAN) ||
	       (v->is_amd && index >= MSR_BITMAP_AMD_EXTRA &&
		index - MSR_BITMAP_AMD_EXTRA < MSR_BITMAP_SPAN);
}

bool msr_virt_guest_state(uint32_t index)
{
	return index == MSR_TSC || (index >= MSR_SYSENTER_CS && index <= MSR_SYSENTER_EIP) ||
	       index == MSR_DEBUGCTL || index == MSR_PAT || index == MSR_EFER ||
	       (index >= MSR_STAR && index <= MSR_KERNEL_GS_BASE);
}

/* The MSRs dbgvisor keeps for itself: their accesses are answered here, never by the CPU. */
static bool kept(const struct vcpu *v, uint32_t index, bool write)
{
	if (index == MSR_EFER)
		return true;
	if (v->lapic_base && write && (index == MSR_X2APIC_ICR || index == MSR_IA32_APIC_BASE))
		return true;
	if (v->is_amd)
		return index == MSR_VM_CR || index == MSR_VM_IGNNE || index == MSR_SMM_CTL ||
		       index == MSR_VM_HSAVE_PA || index == MSR_SVM_KEY;
	return index == MSR_IA32_FEATURE_CONTROL ||
	       (index >= MSR_VMX_FIRST && index <= MSR_VMX_LAST);
}

bool msr_virt_intercepted(const struct vcpu *v, uint32_t index, bool write)
{
	return !in_bitmap(v, index) || kept(v, index, write);
}

enum msr_result msr_virt_read(struct vcpu *v, uint32_t index, uint64_t *val)
{
	if (index == MSR_EFER) {
		*val = v->ops->get_reg(v, REG_EFER) & ~EFER_SVME;
		return MSR_DONE;
	}
	/*
	 * A native MSR exits for a catchpoint, or because no bitmap covers it (SDM 3C 25.1.3,
	 * APM vol. 2, 15.11: e.g. a hypervisor's 0x40000000 range): do its read, #GP only where
	 * the CPU raises it.
	 */
	if (!kept(v, index, false) && !msr_virt_guest_state(index))
		return v->host->rdmsr_safe && v->host->rdmsr_safe(index, val) ? MSR_DONE
									      : MSR_RAISE_GP;
	if (v->is_amd) {
		switch (index) {
		case MSR_VM_CR:
			/* As SVM disabled and locked by firmware. */
			*val = VM_CR_SVMDIS | VM_CR_LOCK;
			return MSR_DONE;
		case MSR_VM_HSAVE_PA:
			*val = v->virt_hsave_pa;
			return MSR_DONE;
		case MSR_VM_IGNNE:
		case MSR_SMM_CTL:
		case MSR_SVM_KEY:
			*val = 0;
			return MSR_DONE;
		default:
			return MSR_RAISE_GP;
		}
	}
	if (index == MSR_IA32_FEATURE_CONTROL) {
		*val = FEATURE_CONTROL_LOCK; /* locked with VMX off, as CPUID.1:ECX.VMX = 0 says */
		return MSR_DONE;
	}
	/* The VMX capability MSRs do not exist on a CPU without VMX: #GP (SDM vol. 4, 2.1). */
	return MSR_RAISE_GP;
}

enum msr_result msr_virt_write(struct vcpu *v, uint32_t index, uint64_t val)
{
	if (!kept(v, index, true) && !msr_virt_guest_state(index))
		return v->host->wrmsr_safe && v->host->wrmsr_safe(index, val) ? MSR_DONE
									      : MSR_RAISE_GP;
	if (index == MSR_X2APIC_ICR) {
		if (apic_icr_allowed((uint32_t)val, (uint32_t)(val >> X2APIC_ICR_DEST_SHIFT),
				     v->apic_id))
			v->host->wrmsr(index, val);
		else
			v->ipis_refused++;
		return MSR_DONE;
	}
	if (index == MSR_IA32_APIC_BASE) {
		/* Moving the APIC would escape the write-protected page: keep its address. */
		v->host->wrmsr(index, (val & ~APIC_BASE_ADDR_MASK) | v->lapic_base);
		return MSR_DONE;
	}
	if (index == MSR_EFER) {
		uint64_t writable = v->is_amd ? EFER_WRITABLE_AMD : EFER_WRITABLE_INTEL;
		uint64_t cur = v->ops->get_reg(v, REG_EFER);

		/* SVME (no SVM here) and unknown bits are reserved; toggling LME with paging on is
		 * #GP too (SDM vol. 3A, 10.8.5). */
		if ((val & ~(writable | EFER_LMA)) ||
		    ((v->ops->get_reg(v, REG_CR0) & CR0_PG) && ((val ^ cur) & EFER_LME)))
			return MSR_RAISE_GP;
		v->ops->set_reg(v, REG_EFER, (val & writable) | (cur & EFER_LMA));
		return MSR_DONE;
	}
	if (v->is_amd) {
		switch (index) {
		case MSR_VM_HSAVE_PA:
			if (val & HSAVE_ALIGN_MASK)
				return MSR_RAISE_GP;
			v->virt_hsave_pa = val; /* remembered for reads, never used */
			return MSR_DONE;
		case MSR_VM_CR:
		case MSR_VM_IGNNE:
		case MSR_SMM_CTL:
		case MSR_SVM_KEY:
			return MSR_DONE; /* locked: writes are dropped */
		default:
			return MSR_RAISE_GP;
		}
	}
	/* IA32_FEATURE_CONTROL is locked; the VMX MSRs are read-only or absent. */
	return MSR_RAISE_GP;
}
