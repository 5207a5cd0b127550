/* exit.c - vendor-free exit dispatch: CPUID, MSRs, forbidden instructions, faults, stops. */
#include "exit.h"

#include "core/hw/printf.h"
#include "core/hw/trap.h"
#include "core/hw/x86.h"
#include "core/paging/nested_pt.h"
#include "apic_guard.h"
#include "cpuid_view.h"
#include "vcpu_hooks.h"
#include "vcpu_util.h"

#define LOW32	       0xffffffffull
#define IVT_ENTRY_SIZE 4
#define GATE32_SIZE    8
#define GATE64_SIZE    16
#define GATE_ATTR_BYTE 5
#define GATE_PRESENT   0x80
#define LMSW_BITS      0xfull /* PE, MP, EM, TS */
/* CR4 bits a guest may set: VME..LA57 (0-12) and FSGSBASE..PKS (16-24); not VMXE/SMXE. */
#define CR4_GUEST_ALLOWED 0x1ff1fffull
#define CR_HIGH_MASK	  0xffffffff00000000ull
#define OPCODE_INT3	  0xcc
#define OPCODE_INTO	  0xce
#define UNHANDLED_MAX	  64
#define HV_FAULT_MAX	  256

/* The architectural #GP conditions of MOV to CR0/CR4 (SDM vol. 2B, MOV--Move to CR). */
static bool cr_write_valid(struct vcpu *v, enum vcpu_reg reg, uint64_t cur, uint64_t val)
{
	if (reg == REG_CR0) {
		bool paging_on = (val & CR0_PG) && !(cur & CR0_PG);

		if ((val & CR_HIGH_MASK) || ((val & CR0_PG) && !(val & CR0_PE)) ||
		    ((val & CR0_NW) && !(val & CR0_CD)))
			return false;
		/* Long mode needs PAE before paging is turned on (SDM vol. 3A, 10.8.5). */
		return !(paging_on && (vcpu_get(v, REG_EFER) & EFER_LME) &&
			 !(vcpu_get(v, REG_CR4) & CR4_PAE));
	}
	/* VMXE stays reserved: VT-x is hidden from the guest (CPUID.1:ECX.VMX = 0). */
	return !(val & ~CR4_GUEST_ALLOWED) &&
	       !((vcpu_get(v, REG_EFER) & EFER_LMA) && !(val & CR4_PAE));
}

void exit_setup_intercepts(struct vcpu *v)
{
	for (uint16_t p = 0; v->gdb_port && p < UART_PORT_SPAN; p++)
		v->ops->set_io_intercept(v, v->gdb_port + p, true);
	v->ops->set_io_intercept(v, QEMU_DEBUG_EXIT_PORT, true);
	v->ops->set_io_intercept(v, BOCHS_SHUTDOWN_PORT, true);
	if (v->pm1a_cnt_port)
		v->ops->set_io_intercept(v, v->pm1a_cnt_port, true);
	/* #DF is watched so a triple fault is recognised even where no shutdown exit comes. */
	v->ops->set_exception_intercept(v, VEC_DF, true);
	msr_virt_protect(v);
}

/* An exit no rule covers: stop, naming it as the vendor's manual does. */
static enum exit_result unhandled(struct vcpu *v, const struct vcpu_exit *e)
{
	static char detail[UNHANDLED_MAX];
	fmt_snprintf(detail, sizeof(detail), v->ops->exit_format, e->raw_reason, e->raw_name);
	return vcpu_stop_guest(v, STOP_UNHANDLED_EXIT, detail);
}

/* The hypervisor took an exception between a VM entry and decoding the exit (an emulator's
 * quirk, a bug the guest triggered): the state is still the guest's, so a guest stop. */
static enum exit_result hv_fault(struct vcpu *v, const struct vcpu_exit *e)
{
	static char detail[HV_FAULT_MAX];
	char last[UNHANDLED_MAX];
	fmt_snprintf(last, sizeof(last), v->ops->exit_format, e->raw_reason, e->raw_name);
	fmt_snprintf(detail, sizeof(detail),
		     "exception %u (%s), error code 0x%lx, CR2 0x%lx, at host RIP 0x%lx; last "
		     "exit %s, guest RIP 0x%lx",
		     e->hv.vector, e->hv.name, e->hv.error, e->hv.cr2, e->hv.host_rip, last,
		     vcpu_get(v, REG_RIP));
	return vcpu_stop_guest(v, STOP_HV_FAULT, detail);
}

static uint64_t edx_eax(const struct vcpu *v)
{
	return (v->gpr[GPR_RDX] << 32) | (v->gpr[GPR_RAX] & LOW32);
}

/* Complete an emulated instruction, or stop if we cannot even tell its length. */
static enum exit_result complete(struct vcpu *v, const struct vcpu_exit *e)
{
	unsigned len = vcpu_exit_insn_len(v, e);

	if (!len)
		return vcpu_stop_guest(v, STOP_INTERNAL,
				       "cannot decode the guest instruction to skip it");
	vcpu_complete_insn(v, len);
	return EXIT_RESUME;
}

static enum exit_result handle_cpuid(struct vcpu *v, const struct vcpu_exit *e)
{
	struct cpuid_regs r;
	uint32_t leaf = (uint32_t)v->gpr[GPR_RAX], sub = (uint32_t)v->gpr[GPR_RCX];
	v->host->cpuid(leaf, sub, &r);
	cpuid_guest_view(leaf, sub, vcpu_get(v, REG_CR4), &r);
	cpuid_guest_mode_view(leaf, !v->is_amd, vcpu_code_mode(v) == INSN_MODE_64, &r);
	vcpu_set_cpuid_gprs(v, &r);
	return complete(v, e);
}

static enum exit_result handle_msr(struct vcpu *v, const struct vcpu_exit *e)
{
	uint32_t index = (uint32_t)v->gpr[GPR_RCX];
	enum msr_result r;

	if (e->kind == EXIT_MSR_READ) {
		uint64_t val = 0;

		r = msr_virt_read(v, index, &val);
		if (r == MSR_DONE) {
			v->gpr[GPR_RAX] = val & LOW32;
			v->gpr[GPR_RDX] = val >> 32;
		}
	} else {
		r = msr_virt_write(v, index, edx_eax(v));
	}
	if (r == MSR_RAISE_GP) {
		vcpu_inject_gp0(v);
		return EXIT_RESUME;
	}
	return complete(v, e);
}

/* XSETBV at CPL 0 with a value the CPU takes; anything else raises #GP (SDM vol. 2D, XSETBV). */
static enum exit_result handle_xsetbv(struct vcpu *v, const struct vcpu_exit *e)
{
	if (v->ops->get_cpl(v) != 0 || !v->host->xsetbv((uint32_t)v->gpr[GPR_RCX], edx_eax(v))) {
		vcpu_inject_gp0(v);
		return EXIT_RESUME;
	}
	return complete(v, e);
}

static enum exit_result handle_npf(struct vcpu *v, const struct vcpu_exit *e)
{
	if (v->ioapic.base && e->npf.gpa >= v->ioapic.base &&
	    e->npf.gpa < v->ioapic.base + IOAPIC_MMIO_SIZE)
		return ioapic_guard_npf(v, e);
	if (v->debug->nested_fault(v, e))
		return EXIT_RESUME;
	if (v->lapic_base && e->npf.write && e->npf.gpa >= v->lapic_base &&
	    e->npf.gpa < v->lapic_base + LAPIC_MMIO_SIZE)
		return apic_guard_write(v, e);
	/* Device memory above the tables built at boot (a 64-bit BAR firmware put above RAM) is
	 * the guest's as bare: mapped now, the access runs again. */
	if (!v->host->hv_owns(e->npf.gpa) &&
	    v->ops->nested_protect(v, e->npf.gpa, NESTED_MAP_DEVICE) == 0)
		return EXIT_RESUME;
	v->stop.addr = e->npf.gpa;
	if (v->host->hv_owns(e->npf.gpa))
		return vcpu_stop_guest(v, STOP_HV_MEMORY,
				       "the guest touched the hypervisor's reserved memory");
	return vcpu_stop_guest(v, STOP_BAD_ACCESS, "guest access outside memory it may use");
}

/* Delivering #DF through a missing or absent IDT entry is the triple fault (SDM vol. 3A,
 * 7.15, interrupt 8), which Bochs' SVM turns into a reset instead of a shutdown exit. */
static bool df_gate_usable(struct vcpu *v)
{
	struct vcpu_dtable idt;
	uint64_t cr0 = vcpu_get(v, REG_CR0);
	unsigned size = !(cr0 & CR0_PE)			     ? IVT_ENTRY_SIZE
			: (vcpu_get(v, REG_EFER) & EFER_LMA) ? GATE64_SIZE
							     : GATE32_SIZE;
	uint8_t gate[GATE64_SIZE];

	v->ops->get_dtable(v, DTABLE_IDT, &idt);
	if ((uint64_t)VEC_DF * size + size - 1 > idt.limit)
		return false;
	if (!(cr0 & CR0_PE))
		return true;
	if (!vcpu_read_virt(v, idt.base + (uint64_t)VEC_DF * size, gate, size))
		return false;
	return gate[GATE_ATTR_BYTE] & GATE_PRESENT;
}

/* Give an intercepted exception back to the guest unchanged. */
static enum exit_result reflect_exception(struct vcpu *v, const struct vcpu_exit *e)
{
	if (e->exc.vector == VEC_DF && !df_gate_usable(v))
		return vcpu_stop_guest(v, STOP_TRIPLE_FAULT,
				       "triple fault (#DF with no usable IDT entry)");
	if (e->exc.vector == VEC_PF)
		vcpu_set(v, REG_CR2, e->exc.cr2);
	vcpu_inject_exception(v, e->exc.vector, e->exc.has_error, e->exc.error);
	return EXIT_RESUME;
}

/* INT3 (CC), INT imm8 (CD ib) and INTO (CE): the vector a CPU without decode assists hides. */
static bool decode_swint(struct vcpu *v, uint8_t *vector, uint8_t *len)
{
	struct insn i;
	if (vcpu_fetch_insn(v, &i) != 0 || i.map != INSN_MAP_1BYTE || i.opcode < OPCODE_INT3 ||
	    i.opcode > OPCODE_INTO)
		return false;
	*len = i.len;
	*vector = i.opcode == OPCODE_INT3   ? VEC_BP
		  : i.opcode == OPCODE_INTO ? VEC_OF
					    : (uint8_t)i.imm;
	return true;
}

/* INT3 (#BP intercept) and INT n (SVM INTn; QEMU reports INT3 so too): gdb's breakpoints stop
 * the guest on the INT3; the rest go back to the guest as @type, returning after it. */
static enum exit_result reflect_soft_int(struct vcpu *v, const struct vcpu_exit *e,
					 enum vcpu_event_type type, uint8_t vector,
					 bool vector_valid)
{
	struct vcpu_event ev = {type, vector, .insn_len = (uint8_t)vcpu_exit_insn_len(v, e)};
	if (!vector_valid && !decode_swint(v, &ev.vector, &ev.insn_len))
		return vcpu_stop_guest(v, STOP_INTERNAL, "cannot decode the guest's INT n");
	/* gdb plants the one-byte INT3 (0xCC): a #BP exception, or an INT n exit of length 1. */
	if (ev.vector == VEC_BP && (ev.type == EVENT_SW_EXC || ev.insn_len == 1) &&
	    v->debug->breakpoint(v, vcpu_get(v, REG_RIP)))
		return EXIT_RESUME;
	if (!ev.insn_len)
		return vcpu_stop_guest(v, STOP_INTERNAL, "cannot decode the guest's INT3 or INT n");
	v->ops->inject_event(v, &ev);
	return EXIT_RESUME;
}

/* MOV to CR0/CR4, CLTS and LMSW that the backend had to see (VMX guest/host masks); the
 * CPU's own checks (reserved bits, PG without PE) become #GP as on bare metal. */
static enum exit_result handle_cr(struct vcpu *v, const struct vcpu_exit *e)
{
	enum vcpu_reg reg = e->cr.cr == 0 ? REG_CR0 : REG_CR4;
	uint64_t cur = vcpu_get(v, reg), val;

	switch (e->cr.type) {
	case CR_MOV_TO:
		if (e->cr.cr != 0 && e->cr.cr != 4)
			return unhandled(v, e); /* CR3/CR8 exiting stays off (vmx_controls.c) */
		val = v->gpr[e->cr.gpr];
		break;
	case CR_CLTS:
		reg = REG_CR0;
		val = vcpu_get(v, REG_CR0) & ~CR0_TS;
		break;
	case CR_LMSW:
		/* LMSW loads MP/EM/TS and can set but never clear PE (SDM vol. 2A, LMSW). */
		reg = REG_CR0;
		cur = vcpu_get(v, REG_CR0);
		val = (cur & ~LMSW_BITS) | (e->cr.lmsw_data & LMSW_BITS) | (cur & CR0_PE);
		break;
	default:
		return unhandled(v, e); /* reads of CR0/CR4 come from the read shadows */
	}
	if (!cr_write_valid(v, reg, cur, val)) {
		vcpu_inject_gp0(v);
		return EXIT_RESUME;
	}
	vcpu_set(v, reg, val);
	return complete(v, e);
}

enum exit_result exit_dispatch(struct vcpu *v, const struct vcpu_exit *e)
{
	if (v->debug->catch_exit(v, e))
		return EXIT_RESUME;
	switch (e->kind) {
	case EXIT_CPUID:
		return handle_cpuid(v, e);
	case EXIT_IO:
		return exit_handle_io(v, e);
	case EXIT_MSR_READ:
	case EXIT_MSR_WRITE:
		return handle_msr(v, e);
	case EXIT_VIRT_INSN:
		vcpu_inject_ud(v); /* virtualization is hidden: these opcodes are undefined */
		return EXIT_RESUME;
	case EXIT_XSETBV:
		return handle_xsetbv(v, e);
	case EXIT_INVD:
		/* INVD would drop the hypervisor's dirty lines too; with coherent caches skipping
		 * it looks like WBINVD to the guest. */
		return complete(v, e);
	case EXIT_TRIPLE_FAULT:
		return vcpu_stop_guest(v, STOP_TRIPLE_FAULT, "triple fault (shutdown)");
	case EXIT_NPF:
		return handle_npf(v, e);
	case EXIT_NPT_MISCONFIG:
		v->stop.addr = e->npf.gpa;
		return vcpu_stop_guest(v, STOP_INTERNAL, "nested page table misconfiguration");
	case EXIT_EXCEPTION:
		if (e->exc.vector == VEC_DB)
			return nmi_db(v, e) ? EXIT_RESUME : v->debug->db(v, e);
		if (e->exc.vector == VEC_BP)
			return reflect_soft_int(v, e, EVENT_SW_EXC, VEC_BP, true);
		return reflect_exception(v, e);
	case EXIT_ICEBP: {
		struct vcpu_exit icebp = *e;

		icebp.exc.software = true;
		icebp.insn_len = (uint8_t)vcpu_exit_insn_len(v, e);
		return v->debug->db(v, &icebp);
	}
	case EXIT_DR_ACCESS:
		return v->debug->mov_dr(v, e);
	case EXIT_TASK_SWITCH:
		return task_switch_emulate(v, e);
	case EXIT_SW_INT:
		return reflect_soft_int(v, e, EVENT_SW_INT, e->swint.vector, e->swint.vector_valid);
	case EXIT_TIMER:
		v->debug->timer(v); /* the line is polled only here: a port read costs ~1 us */
		return EXIT_RESUME;
	case EXIT_NMI:
		if (!v->debug->nmi(v)) /* not the GDB watcher's kick: the guest's NMI */
			nmi_exit(v);
		return EXIT_RESUME;
	case EXIT_IRET:
		return nmi_iret_exit(v);
	case EXIT_INIT:
	case EXIT_SIPI:
	case EXIT_EXT_INTR:
		return EXIT_RESUME;
	case EXIT_ENTRY_FAILED:
		return vcpu_stop_guest(v, STOP_ENTRY_FAILED, e->fail.detail);
	case EXIT_CR_ACCESS:
		return handle_cr(v, e);
	case EXIT_HV_FAULT:
		return hv_fault(v, e);
	default:
		return unhandled(v, e);
	}
}
