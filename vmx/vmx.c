/* vmx.c - Intel VT-x backend operations: run the guest, and read or change its VMCS state. */
#include "vmx.h"

#include "core/hw/cpu_tables.h"
#include "core/hw/printf.h"
#include "core/hw/x86.h"
#include "core/paging/guest_mem.h"
#include "vmcs.h"
#include "vmcs_fields.h"
#include "vmx_fast.h"

#define MSR_BITMAP_LOW_END	0x2000u
#define MSR_BITMAP_HIGH_BASE	0xc0000000u
#define MSR_BITMAP_HIGH_OFFSET	0x400u
#define MSR_BITMAP_WRITE_OFFSET 0x800u
#define ERROR_DETAIL_MAX	112
#define EPTP_FLAGS_MASK		0xfffull /* memory type, walk length, flags; the rest is the PML4 */

static struct vmx_vcpu *X(struct vcpu *v)
{
	return v->backend;
}

/* VM exits leave GDTR/IDTR limits at 0xffff (SDM vol. 3C, 28.5.2): restore the real ones. */
static void restore_host_tables(void)
{
	x86_lgdt(&gdt_host_dtr);
	x86_lidt(&idt_host_dtr);
}

/* With STI/MOV-SS blocking and RFLAGS.TF set (BTF clear), VM entry fails without BS pending
 * (SDM vol. 3C, 27.3.1.5); a guest gets there with MOV SS; POPF (XSA-308). */
static void fix_pending_single_step(void)
{
	uint32_t blocking = vmcs_read32(GUEST_INTERRUPTIBILITY_INFO);
	uint64_t pending;
	if (!(blocking & GUEST_INTR_STATE_SHADOW) || !(vmcs_read64(GUEST_RFLAGS) & RFLAGS_TF) ||
	    (vmcs_read64(GUEST_IA32_DEBUGCTL) & DEBUGCTL_BTF))
		return;
	pending = vmcs_read64(GUEST_PENDING_DBG_EXCEPTIONS);
	if (!(pending & PENDING_DBG_BS))
		vmcs_write64(GUEST_PENDING_DBG_EXCEPTIONS, pending | PENDING_DBG_BS);
}

static void vmx_run(struct vcpu *v, struct vcpu_exit *e)
{
	static char detail[ERROR_DETAIL_MAX];
	struct vmx_vcpu *x = X(v);
	int rc;

	if (trap_window_enter(&x->window)) {
		/* An exception in the hypervisor between VM entry and decode (core/hw/trap.h). */
		restore_host_tables();
		vmx_decode_hv_fault(&x->window, e);
		return;
	}
	vmcs_write64(GUEST_RSP, v->gpr[GPR_RSP]);
	fix_pending_single_step();
	do {
		/* Where exits save the timer's count (SDM 3C 26.5.1, 28.3) it is reloaded only once
		 * it fired, so gdb's line is polled even for a guest that exits often. */
		if (x->preemption_value &&
		    (!x->timer_saved || !vmcs_read32(VMX_PREEMPTION_TIMER_VALUE)))
			vmcs_write32(VMX_PREEMPTION_TIMER_VALUE, x->preemption_value);
		rc = vmx_enter(v->gpr, x->launched);
		if (rc == VMX_OK)
			x->launched = true;
		/* A null CPUID goes straight back in; the 0xffff GDTR/IDTR limits are harmless
		 * until the loop ends (nothing there loads a selector or takes a vector). */
	} while (rc == VMX_OK && vmx_fast_exit(v, x));
	restore_host_tables();
	if (rc != VMX_OK) {
		uint32_t err = rc == VMX_FAIL_VALID ? vmcs_read32(VM_INSTRUCTION_ERROR) : 0;

		*e = (struct vcpu_exit){.kind = EXIT_ENTRY_FAILED, .raw_reason = err};
		e->raw_name = x->launched ? "VMRESUME" : "VMLAUNCH";
		fmt_snprintf(detail, sizeof(detail), "%s failed: %s (VM-instruction error %u: %s)",
			     e->raw_name, rc == VMX_FAIL_VALID ? "VMfailValid" : "VMfailInvalid",
			     err, err ? vmx_instruction_error_str(err) : "no current VMCS");
		e->fail.detail = detail;
		vmcs_dump_guest_state();
		trap_window_close();
		return;
	}
	v->gpr[GPR_RSP] = vmcs_read64(GUEST_RSP);
	vmx_decode_exit(e);
	trap_window_close();
}

static void set_ia32e(uint64_t efer)
{
	vmcs_set_bits32(VM_ENTRY_CONTROLS, VM_ENTRY_IA32E_MODE, efer & EFER_LMA);
	vmcs_write64(GUEST_IA32_EFER, efer);
}

/* A CR0 write the CPU did not do itself: long-mode activation follows PG (SDM 3A, 10.8.5). */
static void write_cr0(struct vmx_vcpu *x, uint64_t val)
{
	uint64_t efer = vmcs_read64(GUEST_IA32_EFER);
	vmcs_write64(CR0_READ_SHADOW, val);
	vmcs_write64(GUEST_CR0, val | x->cr0_shadow_mask);
	if ((val & CR0_PG) && (efer & EFER_LME))
		efer |= EFER_LMA;
	else if (!(val & CR0_PG))
		efer &= ~EFER_LMA;
	set_ia32e(efer);
}

/* Registers the VMCS holds as they are; CR0/CR4 are shadowed, and CR2 and DR6 stay in the CPU
 * across VM entry and exit (SDM 3C, 27.3). */
static const uint32_t reg_field[REG_COUNT] = {
    [REG_RIP] = GUEST_RIP,
    [REG_RFLAGS] = GUEST_RFLAGS,
    [REG_CR3] = GUEST_CR3,
    [REG_EFER] = GUEST_IA32_EFER,
    [REG_DR7] = GUEST_DR7,
    [REG_DEBUGCTL] = GUEST_IA32_DEBUGCTL,
    [REG_PENDING_DBG] = GUEST_PENDING_DBG_EXCEPTIONS,
};

static uint64_t vmx_get_reg(struct vcpu *v, enum vcpu_reg r)
{
	switch (r) {
	case REG_CR0:
		return vmcs_shadowed(GUEST_CR0, CR0_READ_SHADOW, X(v)->cr0_shadow_mask);
	case REG_CR2:
		return x86_read_cr2();
	case REG_CR4:
		return vmcs_shadowed(GUEST_CR4, CR4_READ_SHADOW, X(v)->cr4_shadow_mask);
	case REG_DR6:
		return x86_read_dr6();
	default:
		return r < REG_COUNT && reg_field[r] ? vmcs_read64(reg_field[r]) : 0;
	}
}

static void vmx_set_reg(struct vcpu *v, enum vcpu_reg r, uint64_t val)
{
	switch (r) {
	case REG_CR0:
		write_cr0(X(v), val);
		break;
	case REG_CR2:
		x86_write_cr2(val);
		break;
	case REG_CR4:
		vmcs_write64(CR4_READ_SHADOW, val);
		vmcs_write64(GUEST_CR4, val | X(v)->cr4_shadow_mask);
		break;
	case REG_EFER:
		set_ia32e(val);
		break;
	case REG_DR6:
		x86_write_dr6(val);
		break;
	default:
		if (r < REG_COUNT && reg_field[r])
			vmcs_write64(reg_field[r], val);
		break;
	}
}

static void vmx_get_seg(struct vcpu *v, enum vcpu_seg s, struct vcpu_segment *out)
{
	const struct vmcs_seg_fields *f = &vmcs_guest_seg[s];
	uint32_t ar = vmcs_read32(f->ar);
	(void)v;
	out->sel = vmcs_read16(f->sel);
	out->base = vmcs_read64(f->base);
	out->limit = vmcs_read32(f->limit);
	out->attr = (ar & VMX_AR_UNUSABLE) ? 0 : (uint16_t)VMX_AR_TO_ATTR(ar);
}

static void vmx_set_seg(struct vcpu *v, enum vcpu_seg s, const struct vcpu_segment *in)
{
	const struct vmcs_seg_fields *f = &vmcs_guest_seg[s];
	(void)v;
	vmcs_write16(f->sel, in->sel);
	vmcs_write64(f->base, in->base);
	vmcs_write32(f->limit, in->limit);
	/* A segment without P is "unusable" in VMX terms (SDM vol. 3C, 25.4.1). */
	vmcs_write32(f->ar, (in->attr & SEG_ATTR_P) ? VMX_AR_FROM_ATTR(in->attr) : VMX_AR_UNUSABLE);
}

static void vmx_get_dtable(struct vcpu *v, enum vcpu_dtable_id d, struct vcpu_dtable *out)
{
	(void)v;
	out->base = vmcs_read64(d == DTABLE_GDT ? GUEST_GDTR_BASE : GUEST_IDTR_BASE);
	out->limit = (uint16_t)vmcs_read32(d == DTABLE_GDT ? GUEST_GDTR_LIMIT : GUEST_IDTR_LIMIT);
}

static void vmx_set_dtable(struct vcpu *v, enum vcpu_dtable_id d, const struct vcpu_dtable *in)
{
	(void)v;
	vmcs_write64(d == DTABLE_GDT ? GUEST_GDTR_BASE : GUEST_IDTR_BASE, in->base);
	vmcs_write32(d == DTABLE_GDT ? GUEST_GDTR_LIMIT : GUEST_IDTR_LIMIT, in->limit);
}

static void vmx_inject_event(struct vcpu *v, const struct vcpu_event *e)
{
	static const uint32_t types[] = {
	    [EVENT_EXT_INTR] = INTR_TYPE_EXT_INTR,	   [EVENT_NMI] = INTR_TYPE_NMI,
	    [EVENT_HW_EXCEPTION] = INTR_TYPE_HW_EXCEPTION, [EVENT_SW_INT] = INTR_TYPE_SW_INT,
	    [EVENT_PRIV_SW_EXC] = INTR_TYPE_PRIV_SW_EXC,   [EVENT_SW_EXC] = INTR_TYPE_SW_EXC,
	};
	uint32_t info = e->vector | (types[e->type] << INTR_INFO_TYPE_SHIFT) | INTR_INFO_VALID;
	(void)v;
	if (e->has_error) {
		info |= INTR_INFO_DELIVER_CODE;
		vmcs_write32(VM_ENTRY_EXCEPTION_ERROR_CODE, e->error);
	}
	/* Software kinds push RIP + length as the return address (SDM vol. 3C, 27.6.1.1). */
	if (e->type == EVENT_SW_INT || e->type == EVENT_SW_EXC || e->type == EVENT_PRIV_SW_EXC)
		vmcs_write32(VM_ENTRY_INSTRUCTION_LEN, e->insn_len);
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, info);
}

static void bitmap_set(uint8_t *map, uint32_t n, bool on)
{
	if (on)
		map[n / 8] |= (uint8_t)(1u << (n % 8));
	else
		map[n / 8] &= (uint8_t) ~(1u << (n % 8));
}

/* Bitmaps A and B are adjacent pages: one bit per port across both. */
static void vmx_set_io_intercept(struct vcpu *v, uint16_t port, bool on)
{
	bitmap_set(X(v)->io_bitmap, port, on);
}

static void vmx_set_msr_intercept(struct vcpu *v, uint32_t msr, bool rd, bool wr)
{
	uint32_t base;
	/* MSRs outside both ranges always exit (SDM vol. 3C, 25.6.9). */
	if (msr < MSR_BITMAP_LOW_END)
		base = 0;
	else if (msr >= MSR_BITMAP_HIGH_BASE && msr < MSR_BITMAP_HIGH_BASE + MSR_BITMAP_LOW_END)
		base = MSR_BITMAP_HIGH_OFFSET;
	else
		return;
	msr &= MSR_BITMAP_LOW_END - 1;
	bitmap_set(X(v)->msr_bitmap + base, msr, rd);
	bitmap_set(X(v)->msr_bitmap + base + MSR_BITMAP_WRITE_OFFSET, msr, wr);
}

static void vmx_set_exception_intercept(struct vcpu *v, uint8_t vector, bool on)
{
	(void)v;
	vmcs_set_bits32(EXCEPTION_BITMAP, 1u << vector, on);
}

static bool vmx_get_interrupt_shadow(struct vcpu *v)
{
	(void)v;
	return vmcs_read32(GUEST_INTERRUPTIBILITY_INFO) & GUEST_INTR_STATE_SHADOW;
}

static void vmx_set_interrupt_shadow(struct vcpu *v, bool on)
{
	uint32_t st = vmcs_read32(GUEST_INTERRUPTIBILITY_INFO);
	(void)v;
	st &= ~GUEST_INTR_STATE_SHADOW;
	if (on)
		st |= GUEST_INTR_STATE_STI;
	vmcs_write32(GUEST_INTERRUPTIBILITY_INFO, st);
	/* A single-step held back by the shadow is the emulated instruction's, whose #DB the core
	 * raises itself (vcpu_complete_insn): drop the copy. */
	if (!on)
		vmcs_write64(GUEST_PENDING_DBG_EXCEPTIONS,
			     vmcs_read64(GUEST_PENDING_DBG_EXCEPTIONS) & ~PENDING_DBG_BS);
}

/* MOV-SS blocking defers the pending single-step #DB (BS) until the next instruction has run
 * (SDM vol. 3C, 27.7.3); STI blocking would deliver it first, and needs RFLAGS.IF = 1. */
static void vmx_set_step_shadow(struct vcpu *v)
{
	uint32_t st = vmcs_read32(GUEST_INTERRUPTIBILITY_INFO) & ~GUEST_INTR_STATE_STI;
	(void)v;
	vmcs_write32(GUEST_INTERRUPTIBILITY_INFO, st | GUEST_INTR_STATE_MOV_SS);
}

static bool vmx_event_queued(struct vcpu *v)
{
	(void)v;
	return vmcs_read32(VM_ENTRY_INTR_INFO_FIELD) & INTR_INFO_VALID;
}

/* Without virtual NMIs the CPU blocks NMIs after an injected one until IRET (SDM vol. 3C,
 * 27.6.1.2); an NMI may not be injected under MOV-SS blocking (27.3.1.5), nor STI here. */
static bool vmx_nmi_window_open(struct vcpu *v)
{
	(void)v;
	return !(vmcs_read32(GUEST_INTERRUPTIBILITY_INFO) &
		 (GUEST_INTR_STATE_SHADOW | GUEST_INTR_STATE_NMI));
}

static unsigned vmx_get_cpl(struct vcpu *v)
{
	(void)v;
	return (vmcs_read32(GUEST_SS_AR_BYTES) & VMX_AR_DPL_MASK) >> VMX_AR_DPL_SHIFT;
}

static void vmx_load_debug(struct vcpu *v, const uint64_t db[DR_SLOTS], uint64_t dr6, uint64_t dr7)
{
	(void)v;
	x86_write_dr0(db[0]);
	x86_write_dr1(db[1]);
	x86_write_dr2(db[2]);
	x86_write_dr3(db[3]);
	/* DR6 is not in the VMCS: a single-step trap taken while it is loaded by hand would corrupt
	 * it, so the host must not be stepping (bhyve). */
	if (x86_read_rflags() & RFLAGS_TF)
		x86_clear_tf();
	x86_write_dr6(dr6);
	vmcs_write64(GUEST_DR7, dr7); /* loaded by the "load debug controls" entry control */
}

static void vmx_save_debug(struct vcpu *v, uint64_t db[DR_SLOTS], uint64_t *dr6, uint64_t *dr7)
{
	(void)v;
	db[0] = x86_read_dr0();
	db[1] = x86_read_dr1();
	db[2] = x86_read_dr2();
	db[3] = x86_read_dr3();
	*dr6 = x86_read_dr6();
	*dr7 = vmcs_read64(GUEST_DR7);
}

/* VMX has one switch for all of MOV DR; general detect works in hardware here. */
static void vmx_set_dr_intercept(struct vcpu *v, bool all)
{
	(void)v;
	vmcs_set_bits32(CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_MOV_DR_EXITING, all);
}

static int vmx_nested_protect(struct vcpu *v, uint64_t gpa, unsigned deny)
{
	uint64_t root = X(v)->eptp & ~EPTP_FLAGS_MASK;
	if (guest_mem_nested_protect(root, &vmx_ept_format, gpa, deny))
		return -1;
	/* Guest-physical mappings cached from the old entry must go (SDM vol. 3C, 30.4.3.4). */
	return vmx_invept_all() == VMX_OK ? 0 : -1;
}

const struct vcpu_ops vmx_ops = {
    .name = "VT-x",
    .exit_format = "VM exit reason %lu: %s", /* SDM vol. 3D, appendix C: basic reasons, decimal */
    .hw_enable = vmx_hw_enable,
    .init = vmx_init_vcpu,
    .run = vmx_run,
    .get_reg = vmx_get_reg,
    .set_reg = vmx_set_reg,
    .get_seg = vmx_get_seg,
    .set_seg = vmx_set_seg,
    .get_dtable = vmx_get_dtable,
    .set_dtable = vmx_set_dtable,
    .inject_event = vmx_inject_event,
    .set_io_intercept = vmx_set_io_intercept,
    .set_msr_intercept = vmx_set_msr_intercept,
    .set_exception_intercept = vmx_set_exception_intercept,
    .get_interrupt_shadow = vmx_get_interrupt_shadow,
    .set_interrupt_shadow = vmx_set_interrupt_shadow,
    .set_step_shadow = vmx_set_step_shadow,
    .event_queued = vmx_event_queued,
    .nmi_window_open = vmx_nmi_window_open,
    .nested_protect = vmx_nested_protect,
    .get_cpl = vmx_get_cpl,
    .load_debug = vmx_load_debug,
    .save_debug = vmx_save_debug,
    .set_dr_intercept = vmx_set_dr_intercept,
};
