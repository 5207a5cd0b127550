/* vcpu_gdb_target.c - the guest as the GDB stub sees it: registers, memory, debugger slots. */
#include "vcpu_gdb.h"
#include "vcpu_npt.h"

#include "core/hw/string.h"
#include "core/hw/x86.h"
#include "core/vcpu_util.h"

/* RFLAGS bits 3, 5, 15 and 63:22 (SDM vol. 1, 3.4.3) */
#define RFLAGS_RESERVED (~0x3fffffull | 1ull << 3 | 1ull << 5 | 1ull << 15)

/* GDB's amd64 order (rax rbx rcx rdx rsi rdi rbp rsp r8-r15) in x86 encoding numbers. */
static const uint8_t gdb_gpr_order[GPR_COUNT] = {
    GPR_RAX, GPR_RBX, GPR_RCX, GPR_RDX, GPR_RSI, GPR_RDI, GPR_RBP, GPR_RSP,
    GPR_R8,  GPR_R9,  GPR_R10, GPR_R11, GPR_R12, GPR_R13, GPR_R14, GPR_R15,
};

static struct vcpu *vcpu_of(void *ctx)
{
	return ((struct vcpu_gdb *)ctx)->v;
}

/* amd64 serves every mode (zero-extended, as QEMU's stub does): a 64-bit kernel caught at its
 * 32-bit entry keeps one description into long mode. */
static bool target_is_64bit(void *ctx)
{
	const struct vcpu_gdb *g = ctx;
	if (g->arch != VCPU_GDB_ARCH_AUTO)
		return g->arch == VCPU_GDB_ARCH_X86_64;
	return vcpu_code_mode(vcpu_of(ctx)) == INSN_MODE_64;
}

static int get_regs(void *ctx, struct gdb_regs *r)
{
	struct vcpu *v = vcpu_of(ctx);
	static const enum vcpu_seg segs[] = {SEG_CS, SEG_SS, SEG_DS, SEG_ES, SEG_FS, SEG_GS};
	uint32_t *sels[] = {&r->cs, &r->ss, &r->ds, &r->es, &r->fs, &r->gs};
	uint64_t *bases[] = {0, 0, 0, 0, &r->fs_base, &r->gs_base};
	struct vcpu_segment s;

	memset(r, 0, sizeof(*r));
	for (unsigned i = 0; i < GPR_COUNT; i++)
		r->gpr[i] = v->gpr[gdb_gpr_order[i]];
	r->rip = vcpu_get(v, REG_RIP);
	/* A stop (Ctrl-C, a catch) can come inside a nested-page step: its TF is not the
	 * guest's, and set_regs() keeps it for the step to end (vcpu_npt.c). */
	r->eflags = vcpu_get(v, REG_RFLAGS) & ~(v->npt_tf ? RFLAGS_TF : 0);
	for (unsigned i = 0; i < NELEMS(segs); i++) {
		v->ops->get_seg(v, segs[i], &s);
		*sels[i] = s.sel;
		if (bases[i])
			*bases[i] = s.base;
	}
	r->cr0 = vcpu_get(v, REG_CR0);
	r->cr2 = vcpu_get(v, REG_CR2);
	r->cr3 = vcpu_get(v, REG_CR3);
	r->cr4 = vcpu_get(v, REG_CR4);
	/* As the guest's RDMSR reads it (msr_virt_read): VMRUN's SVME is not the guest's. */
	r->efer = vcpu_get(v, REG_EFER) & ~EFER_SVME;
	/* The guest's own view of its debug registers, never the effective hardware values. */
	memcpy(r->dr, v->dr->guest.db, sizeof(v->dr->guest.db));
	r->dr[6] = v->dr->guest.dr6;
	r->dr[7] = v->dr->guest.dr7;
	return 0;
}

/* A RIP the CPU can hold: canonical in 64-bit code (SDM vol. 1, 3.3.7.1), 32 bits otherwise.
 * VM entry checks it (SDM vol. 3C, 27.3.1.4); a jump would have raised #GP instead. */
static bool rip_loadable(struct vcpu *v, uint64_t rip)
{
	if (vcpu_code_mode(v) != INSN_MODE_64)
		return rip <= UINT32_MAX;
	return x86_is_canonical(rip, vcpu_get(v, REG_CR4) & CR4_LA57);
}

/* GPRs, RIP and RFLAGS only: the others need a real load's checks (descriptors, #GP), so a
 * G/P packet changing them is refused as a whole rather than half applied. RFLAGS is taken
 * as POPF would leave it (bit 1 set, reserved bits clear) and VM, which needs a mode switch,
 * never changes: VM entry fails on either (27.3.1.4), and the guest could not run again. */
static int set_regs(void *ctx, const struct gdb_regs *r)
{
	struct vcpu *v = vcpu_of(ctx);
	uint64_t rflags = (r->eflags & ~RFLAGS_RESERVED) | RFLAGS_FIXED1;
	struct gdb_regs cur;
	get_regs(ctx, &cur);
	if (((rflags ^ cur.eflags) & RFLAGS_VM) || !rip_loadable(v, r->rip))
		return -1;
	memcpy(cur.gpr, r->gpr, sizeof(cur.gpr));
	cur.rip = r->rip;
	cur.eflags = r->eflags;
	if (memcmp(&cur, r, sizeof(cur)) != 0)
		return -1;
	for (unsigned i = 0; i < GPR_COUNT; i++)
		v->gpr[gdb_gpr_order[i]] = r->gpr[i];
	vcpu_set(v, REG_RIP, r->rip);
	vcpu_set(v, REG_RFLAGS, rflags | (v->npt_tf ? RFLAGS_TF : 0));
	return 0;
}

static int read_mem(void *ctx, uint64_t gva, void *buf, size_t len)
{
	return vcpu_read_virt(vcpu_of(ctx), gva, buf, len) ? 0 : -1;
}

static int write_mem(void *ctx, uint64_t gva, const void *buf, size_t len)
{
	return vcpu_write_virt(vcpu_of(ctx), gva, buf, len) ? 0 : -1;
}

/* gdb's breakpoint kinds as DR7 R/W and LEN fields; false if x86 has no such breakpoint. */
static bool dr_fields(enum gdb_bp_type t, uint64_t addr, unsigned len, uint8_t *rw, uint8_t *code)
{
	static const uint8_t len_code[] = {
	    [1] = DR7_LEN_1, [2] = DR7_LEN_2, [4] = DR7_LEN_4, [8] = DR7_LEN_8};
	if (t == GDB_BP_HW) {
		*rw = DR7_RW_EXEC;
		*code = DR7_LEN_1; /* execute breakpoints must use LEN 1 (SDM 18.2.5) */
		return true;
	}
	/* No read-only data breakpoints on x86; lengths 1, 2, 4 and 8 only. */
	if ((t != GDB_WP_WRITE && t != GDB_WP_ACCESS) || len == 0 || len >= sizeof(len_code) ||
	    (len & (len - 1)))
		return false;
	*rw = t == GDB_WP_WRITE ? DR7_RW_WRITE : DR7_RW_ACCESS;
	*code = len_code[len];
	/* The CPU ignores the low address bits of a longer breakpoint (SDM 18.2.5). */
	return (addr & (len - 1)) == 0;
}

static enum npt_kind npt_kind_of(enum gdb_bp_type t)
{
	return t == GDB_WP_WRITE ? NPT_WRITE : t == GDB_WP_READ ? NPT_READ : NPT_ACCESS;
}

/* Debug registers while slots are free; then, and for rwatch (no DR can), the nested page
 * tables. hbreak stays a debug register. */
static int set_hw_bp(void *ctx, enum gdb_bp_type t, uint64_t addr, unsigned len)
{
	struct vcpu *v = vcpu_of(ctx);
	uint8_t rw, code;
	bool fields = dr_fields(t, addr, len, &rw, &code);

	if (fields && (t == GDB_BP_HW || (dr_free_slots(v->dr) && !vcpu_npt_covers(v, addr))) &&
	    dr_debugger_set(v->dr, addr, rw, code) >= 0)
		return 0;
	if (t != GDB_BP_HW)
		return vcpu_npt_insert(v, npt_kind_of(t), addr, len);
	/* Only a debug register can be an hbreak: a watchpoint makes room. */
	return fields && vcpu_npt_free_dr(v) == 0 && dr_debugger_set(v->dr, addr, rw, code) >= 0
		   ? 0
		   : -1;
}

static int clear_hw_bp(void *ctx, enum gdb_bp_type t, uint64_t addr, unsigned len)
{
	uint8_t rw, code;
	if (t != GDB_BP_HW && vcpu_npt_has(vcpu_of(ctx), npt_kind_of(t), addr, len))
		return vcpu_npt_remove(vcpu_of(ctx), npt_kind_of(t), addr, len);
	if (!dr_fields(t, addr, len, &rw, &code))
		return -1;
	return dr_debugger_clear(vcpu_of(ctx)->dr, addr, rw, code) < 0 ? -1 : 0;
}

/* gdb's break: execute protection of its page, no INT3 in guest memory (vcpu_npt.c). */
static int set_sw_bp(void *ctx, uint64_t addr)
{
	return vcpu_npt_insert(vcpu_of(ctx), NPT_EXEC, addr, 1);
}

static int clear_sw_bp(void *ctx, uint64_t addr)
{
	return vcpu_npt_remove(vcpu_of(ctx), NPT_EXEC, addr, 1);
}

void vcpu_gdb_target(struct vcpu_gdb *g, struct gdb_target *t)
{
	*t = (struct gdb_target){
	    .ctx = g,
	    .is_64bit = target_is_64bit,
	    .get_regs = get_regs,
	    .set_regs = set_regs,
	    .read_mem = read_mem,
	    .write_mem = write_mem,
	    .set_hw_bp = set_hw_bp,
	    .clear_hw_bp = clear_hw_bp,
	    .set_sw_bp = set_sw_bp,
	    .clear_sw_bp = clear_sw_bp,
	    .monitor = vcpu_gdb_monitor,
	};
}
