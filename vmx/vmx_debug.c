/* vmx_debug.c - the VT-x backend's debug-register switching and nested-page protection ops. */
#include "vmx.h"

#include "core/hw/x86.h"
#include "core/paging/guest_mem.h"
#include "vmcs.h"
#include "vmcs_fields.h"
#include "vmx_insn.h"

void vmx_load_debug(struct vcpu *v, const uint64_t db[DR_SLOTS], uint64_t dr6, uint64_t dr7)
{
	(void)v;
	x86_write_dr0(db[0]);
	x86_write_dr1(db[1]);
	x86_write_dr2(db[2]);
	x86_write_dr3(db[3]);
	/*
	 * DR6 is not in the VMCS: it goes into the CPU by hand. A single-step trap taken
	 * while it is loaded would corrupt it, so the host must not be stepping (bhyve).
	 */
	if (x86_read_rflags() & RFLAGS_TF)
		x86_clear_tf();
	x86_write_dr6(dr6);
	vmcs_write64(GUEST_DR7, dr7); /* loaded by the "load debug controls" entry control */
}

void vmx_save_debug(struct vcpu *v, uint64_t db[DR_SLOTS], uint64_t *dr6, uint64_t *dr7)
{
	(void)v;
	db[0] = x86_read_dr0();
	db[1] = x86_read_dr1();
	db[2] = x86_read_dr2();
	db[3] = x86_read_dr3();
	*dr6 = x86_read_dr6();
	*dr7 = vmcs_read64(GUEST_DR7);
}

/* EPTP bits 11:0 are memory type, walk length and flags; the rest is the PML4's address. */
#define EPTP_FLAGS_MASK 0xfffull

int vmx_nested_protect(struct vcpu *v, uint64_t gpa, unsigned deny)
{
	uint64_t root = ((struct vmx_vcpu *)v->backend)->eptp & ~EPTP_FLAGS_MASK;

	if (guest_mem_nested_protect(root, &vmx_ept_format, gpa, deny))
		return -1;
	/* Guest-physical mappings cached from the old entry must go (SDM vol. 3C, 30.4.3.4). */
	return vmx_invept_all() == VMX_OK ? 0 : -1;
}

void vmx_set_dr_intercept(struct vcpu *v, bool all)
{
	/* VMX has one switch for all of MOV DR; general detect works in hardware here. */
	(void)v;
	vmcs_set_bits32(CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_MOV_DR_EXITING, all);
}
