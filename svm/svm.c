/* svm.c - AMD SVM backend: enable SVM, build the VMCB, run the guest, access its state. */
#include "svm.h"

#include <stddef.h>

#include "core/exit_fast.h"
#include "core/hw/console.h"
#include "core/hw/layout.h"
#include "core/hw/mem.h"
#include "core/hw/string.h"
#include "core/hw/trap.h"
#include "core/hw/x86.h"
#include "core/paging/guest_mem.h"

/* NPT walks are user accesses, so U/S must be set (APM 15.25.5); NX as in APM vol. 2, 5.6.1. */
#define NPT_RW_USER  (PTE_P | PTE_W | PTE_US)
#define NPT_NX	     (1ull << 63)
#define PAT_POWER_ON 0x0007040600070406ull /* the guest's PAT (SDM vol. 3A, 13.12.4) */
/* MSR permission map layout (APM 15.11): three 2 KiB blocks, two bits per MSR. */
#define MSRPM_BLOCK_BYTES 0x800
#define MSRPM_RANGE_SIZE  0x2000
#define MSR_RANGE0_BASE	  0x00000000u
#define MSR_RANGE1_BASE	  0xc0000000u
#define MSR_RANGE2_BASE	  0xc0010000u

static struct svm_vcpu svm_state;
static uint64_t host_save_pa;

void svm_set_caps(const struct cpu_caps *caps)
{
	svm_state.nrip_save = caps->nrip_save;
	svm_state.decode_assists = caps->decode_assists;
}

static int svm_hw_enable(void)
{
	/* The nested walk takes NX from the host's EFER.NXE (APM vol. 2, 15.25.5): the
	 * debugger's execute protection needs it (every SVM CPU has NX; the host sets no XD). */
	x86_wrmsr(MSR_EFER, x86_rdmsr(MSR_EFER) | EFER_SVME | EFER_NXE);
	/* The host save area for VMRUN (APM 15.30.4) and our own VMSAVE area. */
	x86_wrmsr(MSR_VM_HSAVE_PA, mem_alloc_pages(1, PAGE_SIZE));
	host_save_pa = mem_alloc_pages(1, PAGE_SIZE);
	return 0;
}

static void set_bits(uint32_t *word, uint32_t bits, bool on)
{
	*word = on ? *word | bits : *word & ~bits;
}

static void svm_set_io_intercept(struct vcpu *v, uint16_t port, bool on)
{
	uint8_t bit = (uint8_t)(1u << (port & 7)), *byte = &svm_of(v)->iopm[port >> 3];
	*byte = on ? *byte | bit : *byte & (uint8_t)~bit;
}

static void svm_set_msr_intercept(struct vcpu *v, uint32_t msr, bool rd, bool wr)
{
	static const uint32_t bases[] = {MSR_RANGE0_BASE, MSR_RANGE1_BASE, MSR_RANGE2_BASE};

	for (unsigned b = 0; b < NELEMS(bases); b++) {
		if (msr >= bases[b] && msr < bases[b] + MSRPM_RANGE_SIZE) {
			uint32_t bitpos = (msr - bases[b]) * 2;
			uint8_t *byte = &svm_of(v)->msrpm[b * MSRPM_BLOCK_BYTES + bitpos / 8];
			uint8_t rbit = (uint8_t)(1u << (bitpos % 8)), wbit = (uint8_t)(rbit << 1);
			*byte =
			    (uint8_t)((*byte & ~(rbit | wbit)) | (rd ? rbit : 0) | (wr ? wbit : 0));
			return;
		}
	}
	/* MSRs outside the three ranges always exit (APM 15.11): nothing to set. */
}

static void svm_set_exception_intercept(struct vcpu *v, uint8_t vector, bool on)
{
	struct vmcb_control *c = &svm_of(v)->vmcb->control;
	set_bits(&c->intercept_exc, 1u << vector, on);
	/* QEMU's SVM checks the INTn intercept, not #BP, for INT3: intercept INT n too (the core
	 * reflects the others). */
	if (vector == VEC_BP)
		set_bits(&c->intercept_misc1, SVM_INTERCEPT_INTN, on);
}

const struct nested_pt_format svm_npt_format = {
    .table = NPT_RW_USER,
    .leaf_ram = NPT_RW_USER,
    .leaf_mmio = NPT_RW_USER | PTE_PCD | PTE_PWT,
    .large = PTE_PS,
    .write = PTE_W,
    .access = PTE_P,
    .nx = NPT_NX,
};

/* Bochs 2.7 delivers an intercepted instruction's single-step trap to the host right after
 * VMRUN (its Svm_Vmexit keeps debug_trap); a CPU exits before the instruction runs (APM vol. 2,
 * 15.7). The core emulates it and steps the guest itself: drop the echo, undo its DR6. */
static bool absorb_leaked_step(struct trap_frame *f)
{
	if (f->vector != VEC_DB || f->rip != (uint64_t)svm_vmrun_exit || !(x86_read_dr6() & DR6_BS))
		return false;
	x86_write_dr6(svm_state.vmcb->save.dr6);
	return true;
}

static int svm_init(struct vcpu *v)
{
	struct svm_vcpu *s = &svm_state;
	struct vmcb_control *c;

	v->backend = s;
	s->window.absorb = absorb_leaked_step;
	s->vmcb_pa = mem_alloc_pages(1, PAGE_SIZE);
	s->vmcb = phys_to_virt(s->vmcb_pa);
	s->iopm = phys_to_virt(mem_alloc_pages(SVM_IOPM_PAGES, PAGE_SIZE));
	s->msrpm = phys_to_virt(mem_alloc_pages(SVM_MSRPM_PAGES, PAGE_SIZE));

	c = &s->vmcb->control;
	/* VMRUN must be intercepted or VMRUN fails (APM 15.5.1); the rest hide SVM. */
	c->intercept_misc1 =
	    SVM_INTERCEPT_CPUID | SVM_INTERCEPT_IOIO_PROT | SVM_INTERCEPT_MSR_PROT |
	    SVM_INTERCEPT_SHUTDOWN | SVM_INTERCEPT_INVLPGA | SVM_INTERCEPT_INVD |
	    SVM_INTERCEPT_INIT |
	    SVM_INTERCEPT_NMI; /* the GDB watcher's kick; the guest's NMIs re-injected */
	c->intercept_misc2 = SVM_INTERCEPT_VMRUN | SVM_INTERCEPT_VMMCALL | SVM_INTERCEPT_VMLOAD |
			     SVM_INTERCEPT_VMSAVE | SVM_INTERCEPT_STGI | SVM_INTERCEPT_CLGI |
			     SVM_INTERCEPT_SKINIT | SVM_INTERCEPT_ICEBP;
	c->iopm_base_pa = virt_to_phys(s->iopm);
	c->msrpm_base_pa = virt_to_phys(s->msrpm);
	c->asid = SVM_GUEST_ASID;
	c->tlb_control = SVM_TLB_CONTROL_FLUSH_ALL;
	c->np_enable = SVM_NP_ENABLE;
	c->n_cr3 = guest_mem_build_nested(&svm_npt_format);
	s->vmcb->save.g_pat = PAT_POWER_ON;
	s->vmcb->save.dr6 = DR6_INIT;
	s->loaded_dr6 = DR6_INIT;
	s->vmcb->save.dr7 = DR7_INIT;
	s->vmcb->save.efer = EFER_SVME;
	/* The SYSCALL MSRs as the loader left them: VMRUN loads the VMCB's (APM vol. 2, 15.5.1),
	 * while on VT-x the guest has the CPU's own (VM entry does not switch them). */
	s->vmcb->save.star = x86_rdmsr(MSR_STAR);
	s->vmcb->save.lstar = x86_rdmsr(MSR_LSTAR);
	s->vmcb->save.cstar = x86_rdmsr(MSR_CSTAR);
	s->vmcb->save.sfmask = x86_rdmsr(MSR_SFMASK);
	s->vmcb->save.kernel_gs_base = x86_rdmsr(MSR_KERNEL_GS_BASE);
	return 0;
}

/* A CPUID exit with nothing else to do, completed inline from the VMCB: true to VMRUN again
 * at once; false, nothing changed, for the full path. */
static inline bool svm_fast_exit(struct vcpu *v, struct svm_vcpu *s)
{
	struct vmcb *vm = s->vmcb;
	struct vcpu_fast_exit f;

	/* An event to deliver again (exitintinfo, svm_run) needs the full path. */
	if (vm->control.exitcode != SVM_EXIT_CPUID || vm->control.eventinj)
		return false;
	/* CR0/CR3/EFER/CS: without NRIP the core looks the length up by the code's address. */
	f = (struct vcpu_fast_exit){
	    .rip = vm->save.rip,
	    .rflags = vm->save.rflags,
	    .cr4 = vm->save.cr4,
	    .insn_len = svm_nrip_len(s),
	    .shadow = vm->control.int_state & SVM_INTERRUPT_SHADOW,
	    .cr0 = vm->save.cr0,
	    .cr3 = vm->save.cr3,
	    .efer = vm->save.efer,
	    .cs_base = vm->save.cs.base,
	    .cs_attr = vm->save.cs.attrib,
	};
	if (!vcpu_fast_cpuid(v, &f))
		return false;
	vm->save.rip = f.rip;
	vm->save.rflags = f.rflags;
	vm->control.int_state &= ~SVM_INTERRUPT_SHADOW;
	return true;
}

/* VMRUN until an exit the core's fast path does not complete. */
static void enter(struct vcpu *v, struct svm_vcpu *s, bool probed)
{
	struct vmcb *vm = s->vmcb;

	for (;; probed = false) {
		if (!probed) /* else the probe's entry ran the guest to its first exit */
			svm_vmrun(s->vmcb_pa, v->gpr, host_save_pa);
		if (s->dr7_armed) {
			/* Guest breakpoints must not fire in the hypervisor. */
			x86_write_dr7(DR7_INIT);
			s->dr7_armed = false;
		}
		v->gpr[GPR_RAX] = vm->save.rax;
		vm->control.tlb_control = 0;
		/* An event whose delivery the exit interrupted is delivered again (APM 15.7.2). */
		vm->control.eventinj =
		    (vm->control.exitintinfo & SVM_EVTINJ_VALID) ? vm->control.exitintinfo : 0;
		/* A null CPUID: completed by the core, straight back into the guest. */
		if (!svm_fast_exit(v, s))
			break;
		vm->save.rax = v->gpr[GPR_RAX];
	}
	v->gpr[GPR_RSP] = vm->save.rsp; /* the fast path leaves it in the VMCB */
}

static void svm_run(struct vcpu *v, struct vcpu_exit *e)
{
	struct svm_vcpu *s = svm_of(v);
	struct vmcb *vm = s->vmcb;
	bool probing = !s->db_probed;

	if (trap_window_enter(&s->window)) {
		/* An exception in the hypervisor between VMRUN and the decode (core/hw/trap.h). */
		svm_host_recover(host_save_pa);
		svm_decode_hv_fault(s, e);
		return;
	}
	svm_host_save(host_save_pa);
	vm->save.rax = v->gpr[GPR_RAX];
	vm->save.rsp = v->gpr[GPR_RSP];
	if (probing && svm_probe_db_status(s, v, host_save_pa)) {
		/* Nothing ran: the core sets the intercepts for what the probe found first. */
		trap_window_close();
		*e = (struct vcpu_exit){.kind = EXIT_PROBED, .raw_name = "probe"};
		return;
	}
	enter(v, s, probing);
	svm_decode_exit(s, e);
	trap_window_close();
}

/* Where the VMCB's state-save area keeps each register (APM vol. 2, table B-2). */
static const uint16_t reg_offset[REG_COUNT] = {
    [REG_RIP] = offsetof(struct vmcb_save, rip),
    [REG_RFLAGS] = offsetof(struct vmcb_save, rflags),
    [REG_CR0] = offsetof(struct vmcb_save, cr0),
    [REG_CR2] = offsetof(struct vmcb_save, cr2),
    [REG_CR3] = offsetof(struct vmcb_save, cr3),
    [REG_CR4] = offsetof(struct vmcb_save, cr4),
    [REG_EFER] = offsetof(struct vmcb_save, efer),
    [REG_DR6] = offsetof(struct vmcb_save, dr6),
    [REG_DR7] = offsetof(struct vmcb_save, dr7),
    [REG_DEBUGCTL] = offsetof(struct vmcb_save, dbgctl),
};

static uint64_t *reg_of(struct vcpu *v, enum vcpu_reg r)
{
	/* Offset 0 is ES: a register without a slot (REG_PENDING_DBG) has none. */
	return r < REG_COUNT && reg_offset[r]
		   ? (uint64_t *)((char *)&svm_of(v)->vmcb->save + reg_offset[r])
		   : NULL;
}

static uint64_t svm_get_reg(struct vcpu *v, enum vcpu_reg r)
{
	uint64_t *p = reg_of(v, r);
	return p ? *p : 0;
}

static void svm_set_reg(struct vcpu *v, enum vcpu_reg r, uint64_t val)
{
	uint64_t *p = reg_of(v, r);
	if (r == REG_EFER)
		val |= EFER_SVME; /* the guest runs with SVME on, unseen */
	if (p)
		*p = val;
}

static const uint16_t seg_offset[SEG_COUNT] = {
    [SEG_ES] = offsetof(struct vmcb_save, es),	   [SEG_CS] = offsetof(struct vmcb_save, cs),
    [SEG_SS] = offsetof(struct vmcb_save, ss),	   [SEG_DS] = offsetof(struct vmcb_save, ds),
    [SEG_FS] = offsetof(struct vmcb_save, fs),	   [SEG_GS] = offsetof(struct vmcb_save, gs),
    [SEG_LDTR] = offsetof(struct vmcb_save, ldtr), [SEG_TR] = offsetof(struct vmcb_save, tr),
};

static struct vmcb_seg *seg_of(struct vcpu *v, enum vcpu_seg sg)
{
	return (struct vmcb_seg *)((char *)&svm_of(v)->vmcb->save + seg_offset[sg]);
}

static void svm_get_seg(struct vcpu *v, enum vcpu_seg sg, struct vcpu_segment *out)
{
	struct vmcb_seg *s = seg_of(v, sg);
	*out = (struct vcpu_segment){s->sel, s->attrib, s->limit, s->base};
}

static void svm_set_seg(struct vcpu *v, enum vcpu_seg sg, const struct vcpu_segment *in)
{
	struct vmcb_seg *s = seg_of(v, sg);
	*s = (struct vmcb_seg){in->sel, in->attr, in->limit, in->base};
	if (sg == SEG_SS) /* CPL is SS.DPL (APM 15.5.1) */
		svm_of(v)->vmcb->save.cpl = (in->attr & SEG_ATTR_DPL_MASK) >> SEG_ATTR_DPL_SHIFT;
}

static void svm_get_dtable(struct vcpu *v, enum vcpu_dtable_id d, struct vcpu_dtable *out)
{
	struct vmcb_seg *s =
	    d == DTABLE_GDT ? &svm_of(v)->vmcb->save.gdtr : &svm_of(v)->vmcb->save.idtr;
	out->base = s->base;
	out->limit = (uint16_t)s->limit;
}

static void svm_set_dtable(struct vcpu *v, enum vcpu_dtable_id d, const struct vcpu_dtable *in)
{
	struct vmcb_seg *s =
	    d == DTABLE_GDT ? &svm_of(v)->vmcb->save.gdtr : &svm_of(v)->vmcb->save.idtr;
	s->base = in->base;
	s->limit = in->limit;
}

static void svm_inject_event(struct vcpu *v, const struct vcpu_event *e)
{
	static const uint64_t types[] = {
	    [EVENT_EXT_INTR] = SVM_EVTINJ_TYPE_INTR,
	    [EVENT_NMI] = SVM_EVTINJ_TYPE_NMI,
	    [EVENT_HW_EXCEPTION] = SVM_EVTINJ_TYPE_EXCEPTION,
	    [EVENT_SW_INT] = SVM_EVTINJ_TYPE_SOFT_INT,
	    /* ICEBP/INT3/INTO: SVM has no "software exception" type; EXCEPTION it is. */
	    [EVENT_PRIV_SW_EXC] = SVM_EVTINJ_TYPE_EXCEPTION,
	    [EVENT_SW_EXC] = SVM_EVTINJ_TYPE_EXCEPTION,
	};
	struct vmcb *vm = svm_of(v)->vmcb;
	uint64_t inj = (e->vector & SVM_EVTINJ_VECTOR_MASK) |
		       (types[e->type] << SVM_EVTINJ_TYPE_SHIFT) | SVM_EVTINJ_VALID;

	if (e->has_error)
		inj |= SVM_EVTINJ_EV | ((uint64_t)e->error << SVM_EVTINJ_ERROR_SHIFT);
	/* Software interrupts and trap-like exceptions return after the instruction: RIP for
	 * CPUs without NRIP save, next_rip for those with it (APM 15.20). */
	if (e->type == EVENT_SW_INT || e->type == EVENT_SW_EXC || e->type == EVENT_PRIV_SW_EXC) {
		vm->save.rip += e->insn_len;
		vm->control.next_rip = vm->save.rip;
	}
	vm->control.eventinj = inj;
}

static bool svm_get_interrupt_shadow(struct vcpu *v)
{
	return svm_of(v)->vmcb->control.int_state & SVM_INTERRUPT_SHADOW;
}

static void svm_set_interrupt_shadow(struct vcpu *v, bool on)
{
	uint64_t *st = &svm_of(v)->vmcb->control.int_state;
	*st = on ? *st | SVM_INTERRUPT_SHADOW : *st & ~SVM_INTERRUPT_SHADOW;
}

/* The interrupt shadow holds interrupts off for one instruction; TF traps after it as usual. */
static void svm_set_step_shadow(struct vcpu *v)
{
	svm_of(v)->vmcb->control.int_state |= SVM_INTERRUPT_SHADOW;
}

static bool svm_event_queued(struct vcpu *v)
{
	return svm_of(v)->vmcb->control.eventinj & SVM_EVTINJ_VALID;
}

/* An injected NMI does not block NMIs on every implementation (QEMU 7.2 TCG does not): the
 * core tracks the blocking and needs to see the handler's IRET (APM vol. 2, 15.9). */
static void svm_set_iret_intercept(struct vcpu *v, bool on)
{
	set_bits(&svm_of(v)->vmcb->control.intercept_misc1, SVM_INTERCEPT_IRET, on);
}

static unsigned svm_get_cpl(struct vcpu *v)
{
	return svm_of(v)->vmcb->save.cpl;
}

const struct vcpu_ops svm_ops = {
    .name = "SVM",
    .exit_format = "SVM exit code 0x%lx: %s", /* APM vol. 2, table C-1: hexadecimal codes */
    .hw_enable = svm_hw_enable,
    .init = svm_init,
    .run = svm_run,
    .get_reg = svm_get_reg,
    .set_reg = svm_set_reg,
    .get_seg = svm_get_seg,
    .set_seg = svm_set_seg,
    .get_dtable = svm_get_dtable,
    .set_dtable = svm_set_dtable,
    .inject_event = svm_inject_event,
    .set_io_intercept = svm_set_io_intercept,
    .set_msr_intercept = svm_set_msr_intercept,
    .set_exception_intercept = svm_set_exception_intercept,
    .get_interrupt_shadow = svm_get_interrupt_shadow,
    .set_interrupt_shadow = svm_set_interrupt_shadow,
    .get_cpl = svm_get_cpl,
    .load_debug = svm_load_debug,
    .save_debug = svm_save_debug,
    .set_dr_intercept = svm_set_dr_intercept,
    .nested_protect = svm_nested_protect,
    .set_step_shadow = svm_set_step_shadow,
    .event_queued = svm_event_queued,
    .set_iret_intercept = svm_set_iret_intercept,
};
