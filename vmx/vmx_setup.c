/* vmx_setup.c - VMXON, the VMCS controls, host state and EPT: everything before the first entry. */
#include "vmx.h"

#include "core/hw/console.h"
#include "core/hw/cpu_caps.h"
#include "core/hw/cpu_tables.h"
#include "core/hw/layout.h"
#include "core/hw/mem.h"
#include "core/hw/x86.h"
#include "core/paging/guest_mem.h"
#include "vmcs.h"
#include "vmcs_fields.h"

#define MSR_IA32_PAT	0x277
#define PAT_POWER_ON	0x0007040600070406ull
#define VMCS_LINK_NONE	0xffffffffffffffffull
#define CONTROL_MSG_MAX 96

static struct vmx_cap_msrs caps;
static struct vmx_controls ctl;
static struct vmx_vcpu vmx_state;

static void read_caps(void)
{
	caps.basic = x86_rdmsr(MSR_IA32_VMX_BASIC);
	caps.pinbased = x86_rdmsr(MSR_IA32_VMX_PINBASED_CTLS);
	caps.procbased = x86_rdmsr(MSR_IA32_VMX_PROCBASED_CTLS);
	caps.exit = x86_rdmsr(MSR_IA32_VMX_EXIT_CTLS);
	caps.entry = x86_rdmsr(MSR_IA32_VMX_ENTRY_CTLS);
	if (caps.basic & VMX_BASIC_TRUE_CTLS) {
		caps.true_pinbased = x86_rdmsr(MSR_IA32_VMX_TRUE_PINBASED_CTLS);
		caps.true_procbased = x86_rdmsr(MSR_IA32_VMX_TRUE_PROCBASED_CTLS);
		caps.true_exit = x86_rdmsr(MSR_IA32_VMX_TRUE_EXIT_CTLS);
		caps.true_entry = x86_rdmsr(MSR_IA32_VMX_TRUE_ENTRY_CTLS);
	}
	caps.misc = x86_rdmsr(MSR_IA32_VMX_MISC);
	caps.cr0_fixed0 = x86_rdmsr(MSR_IA32_VMX_CR0_FIXED0);
	caps.cr0_fixed1 = x86_rdmsr(MSR_IA32_VMX_CR0_FIXED1);
	caps.cr4_fixed0 = x86_rdmsr(MSR_IA32_VMX_CR4_FIXED0);
	caps.cr4_fixed1 = x86_rdmsr(MSR_IA32_VMX_CR4_FIXED1);
	if ((caps.procbased >> 32) & PROCBASED_ACTIVATE_SECONDARY) {
		caps.procbased2 = x86_rdmsr(MSR_IA32_VMX_PROCBASED_CTLS2);
		if ((caps.procbased2 >> 32) & (PROCBASED2_ENABLE_EPT | PROCBASED2_ENABLE_VPID))
			caps.ept_vpid_cap = x86_rdmsr(MSR_IA32_VMX_EPT_VPID_CAP);
	}
}

static uint64_t new_region(void)
{
	uint64_t pa = mem_alloc_pages(1, PAGE_SIZE);
	/* Revision identifier first (SDM vol. 3C, 25.2 and 26.11.5). */
	*(uint32_t *)phys_to_virt(pa) = (uint32_t)(caps.basic & VMX_BASIC_REVISION_MASK);
	return pa;
}

int vmx_hw_enable(void)
{
	char missing[CONTROL_MSG_MAX];
	enum vmx_status st;

	read_caps();
	if (vmx_compute_controls(&caps, &ctl, missing, sizeof(missing))) {
		printk("dbgvisor: this VT-x implementation lacks a control the design needs: %s\n",
		       missing);
		return -1;
	}
	/* CR0/CR4 must respect the fixed bits in VMX operation (SDM vol. 3C, 24.8). */
	x86_write_cr0(vmx_fixed_cr(x86_read_cr0(), caps.cr0_fixed0, caps.cr0_fixed1));
	x86_write_cr4(vmx_fixed_cr(x86_read_cr4() | CR4_VMXE, caps.cr4_fixed0, caps.cr4_fixed1));
	st = vmx_vmxon(new_region());
	if (st != VMX_OK) {
		printk("dbgvisor: VMXON failed (%s)\n",
		       st == VMX_FAIL_INVALID
			   ? "VMfailInvalid: bad VMXON region or CR0/CR4 fixed bits"
			   : "VMfailValid");
		return -1;
	}
	return 0;
}

static void setup_host_state(void)
{
	struct x86_dtr gdtr, idtr;

	x86_sgdt(&gdtr);
	x86_sidt(&idtr);
	vmcs_write64(HOST_CR0, x86_read_cr0());
	vmcs_write64(HOST_CR3, x86_read_cr3());
	vmcs_write64(HOST_CR4, x86_read_cr4());
	vmcs_write16(HOST_CS_SELECTOR, SEL_CODE64);
	vmcs_write16(HOST_SS_SELECTOR, SEL_DATA);
	vmcs_write16(HOST_DS_SELECTOR, SEL_DATA);
	vmcs_write16(HOST_ES_SELECTOR, SEL_DATA);
	vmcs_write16(HOST_FS_SELECTOR, 0);
	vmcs_write16(HOST_GS_SELECTOR, 0);
	vmcs_write16(HOST_TR_SELECTOR, SEL_TSS);
	vmcs_write64(HOST_FS_BASE, 0);
	vmcs_write64(HOST_GS_BASE, 0);
	vmcs_write64(HOST_TR_BASE, tss_base());
	vmcs_write64(HOST_GDTR_BASE, gdtr.base);
	vmcs_write64(HOST_IDTR_BASE, idtr.base);
	vmcs_write32(HOST_IA32_SYSENTER_CS, 0);
	vmcs_write64(HOST_IA32_SYSENTER_ESP, 0);
	vmcs_write64(HOST_IA32_SYSENTER_EIP, 0);
	vmcs_write64(HOST_IA32_EFER, x86_rdmsr(MSR_EFER));
	if (ctl.pat)
		vmcs_write64(HOST_IA32_PAT, x86_rdmsr(MSR_IA32_PAT));
	vmcs_write64(HOST_RIP, (uint64_t)vmx_exit_landing);
}

static void setup_controls(struct vmx_vcpu *x)
{
	/* MOV-DR exiting is the debug layer's decision, made per run; start without it. */
	vmcs_write32(PIN_BASED_VM_EXEC_CONTROL, ctl.pin);
	vmcs_write32(CPU_BASED_VM_EXEC_CONTROL, ctl.proc & ~CPU_BASED_MOV_DR_EXITING);
	vmcs_write32(SECONDARY_VM_EXEC_CONTROL, ctl.proc2);
	vmcs_write32(VM_EXIT_CONTROLS, ctl.exit);
	vmcs_write32(VM_ENTRY_CONTROLS, ctl.entry);
	vmcs_write32(EXCEPTION_BITMAP, 0);
	vmcs_write32(PAGE_FAULT_ERROR_CODE_MASK, 0);
	vmcs_write32(PAGE_FAULT_ERROR_CODE_MATCH, 0);
	vmcs_write32(CR3_TARGET_COUNT, 0);
	vmcs_write32(VM_EXIT_MSR_STORE_COUNT, 0);
	vmcs_write32(VM_EXIT_MSR_LOAD_COUNT, 0);
	vmcs_write32(VM_ENTRY_MSR_LOAD_COUNT, 0);
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, 0);
	vmcs_write64(IO_BITMAP_A, virt_to_phys(x->io_bitmap));
	vmcs_write64(IO_BITMAP_B, virt_to_phys(x->io_bitmap + PAGE_SIZE));
	vmcs_write64(MSR_BITMAP, virt_to_phys(x->msr_bitmap));
	vmcs_write64(EPT_POINTER, x->eptp);
	if (ctl.vpid)
		vmcs_write16(VIRTUAL_PROCESSOR_ID, VMX_GUEST_VPID);
	vmcs_write64(VMCS_LINK_POINTER, VMCS_LINK_NONE);
	/* VMX operation forces CR0.NE and CR4.VMXE to 1, the guest may run with 0: those bits are
	 * host-owned, the guest reads its own from the read shadow (SDM vol. 3C, 26.3, 27.3.1). */
	x->cr0_shadow_mask = caps.cr0_fixed0 & ~(VMX_CR0_PE | VMX_CR0_PG);
	x->cr4_shadow_mask = caps.cr4_fixed0;
	vmcs_write64(CR0_GUEST_HOST_MASK, x->cr0_shadow_mask);
	vmcs_write64(CR4_GUEST_HOST_MASK, x->cr4_shadow_mask);
	vmcs_write64(CR0_READ_SHADOW, 0);
	vmcs_write64(CR4_READ_SHADOW, 0);
	if (ctl.preemption_timer) {
		x->preemption_value =
		    (uint32_t)(VMX_PREEMPTION_PERIOD_TSC >> ctl.preemption_timer_shift);
		vmcs_write32(VMX_PREEMPTION_TIMER_VALUE, x->preemption_value);
		x->timer_saved = ctl.exit & VM_EXIT_SAVE_PREEMPTION_TIMER;
	}
}

static void setup_guest_defaults(void)
{
	vmcs_write64(GUEST_IA32_DEBUGCTL, 0);
	if (ctl.pat)
		vmcs_write64(GUEST_IA32_PAT, PAT_POWER_ON);
	vmcs_write64(GUEST_DR7, DR7_INIT);
	vmcs_write32(GUEST_INTERRUPTIBILITY_INFO, 0);
	vmcs_write32(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_ACTIVE);
	vmcs_write64(GUEST_PENDING_DBG_EXCEPTIONS, 0);
	vmcs_write32(GUEST_SYSENTER_CS, 0);
	vmcs_write64(GUEST_SYSENTER_ESP, 0);
	vmcs_write64(GUEST_SYSENTER_EIP, 0);
}

const struct nested_pt_format vmx_ept_format = {
    .table = EPT_RWX,
    .leaf_ram = EPT_RWX | (EPT_MEMTYPE_WB << EPT_MEMTYPE_SHIFT),
    .leaf_mmio = EPT_RWX | (EPT_MEMTYPE_UC << EPT_MEMTYPE_SHIFT),
    .large = EPT_LARGE,
    .write = EPT_WRITE,
    .access = EPT_RWX, /* no R, W, X: not present (SDM vol. 3C, 29.3.2) */
    .exec = EPT_EXEC,
};

int vmx_init_vcpu(struct vcpu *v)
{
	struct vmx_vcpu *x = &vmx_state;
	enum vmx_status st;

	v->backend = x;
	x->vmcs_pa = new_region();
	st = vmx_vmclear(x->vmcs_pa);
	if (st == VMX_OK)
		st = vmx_vmptrld(x->vmcs_pa);
	if (st != VMX_OK) {
		printk("dbgvisor: VMCLEAR/VMPTRLD of the guest VMCS failed (%d)\n", st);
		return -1;
	}
	x->io_bitmap = mem_alloc_zeroed(VMX_IO_BITMAP_PAGES);
	x->msr_bitmap = mem_alloc_zeroed(1);
	x->eptp = guest_mem_build_nested(&vmx_ept_format) | EPTP_MEMTYPE_WB | EPTP_WALK_LENGTH_4;
	setup_controls(x);
	setup_host_state();
	setup_guest_defaults();
	return 0;
}
