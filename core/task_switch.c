/* task_switch.c - the SDM's task-switch steps over a 32-bit TSS, with the DR7 and T-bit rules. */
#include "core/hw/trap.h"
#include "core/hw/x86.h"
#include "exit.h"
#include "vcpu_hooks.h"
#include "vcpu_util.h"

/* 32-bit TSS layout (SDM vol. 3A, figure 8-2). */
#define TSS32_LINK	0x00
#define TSS32_CR3	0x1c
#define TSS32_EIP	0x20
#define TSS32_EFLAGS	0x24
#define TSS32_EAX	0x28
#define TSS32_ES	0x48
#define TSS32_LDT	0x60
#define TSS32_T_BYTE	0x64
#define TSS32_T_BIT	0x1
#define TSS32_SIZE	0x68
#define TSS32_MIN_LIMIT (TSS32_SIZE - 1)

#define SEL_INDEX_MASK	      0xfff8u
#define SEL_TI		      0x4u
#define DESC_SIZE	      8
#define DESC_TYPE_SHIFT	      40
#define DESC_TYPE_MASK	      0xfu
#define DESC_TYPE_BUSY_BIT    0x2u /* 9 = available 32-bit TSS, 11 = busy */
#define DESC_TYPE_TSS32_AVAIL 0x9u
#define DESC_TYPE_TSS32_BUSY  0xbu
#define DESC_P		      (1ull << 47)
#define DESC_G		      (1ull << 55)
#define GPR32_COUNT	      (GPR_RDI + 1) /* EAX..EDI: TSS order is enum vcpu_gpr's */
#define SEG_COUNT_TSS	      (SEG_GS + 1)  /* ES CS SS DS FS GS: TSS order is enum vcpu_seg's */
#define LIMIT_PAGE_SHIFT      12
#define LIMIT_PAGE_LOW	      0xfffu
#define LOW32		      0xffffffffull

struct desc {
	uint64_t raw;
	uint64_t addr; /* linear address of the descriptor in the GDT */
};

static uint32_t desc_base(uint64_t d)
{
	return (uint32_t)(((d >> 16) & 0xffffff) | ((d >> 32) & 0xff000000));
}

static uint32_t desc_limit(uint64_t d)
{
	uint32_t limit = (uint32_t)((d & 0xffff) | ((d >> 32) & 0xf0000));
	/* G scales the limit to 4 KiB units (SDM vol. 3A, 3.4.5). */
	return (d & DESC_G) ? (limit << LIMIT_PAGE_SHIFT) | LIMIT_PAGE_LOW : limit;
}

/* The segment @sel selects, its descriptor bits 40-47 and 52-55 packed as the attributes. */
static struct vcpu_segment desc_segment(uint16_t sel, uint64_t d)
{
	uint16_t attr = (uint16_t)(((d >> 40) & 0xff) | ((d >> 44) & 0xf00));
	return (struct vcpu_segment){sel, attr, desc_limit(d), desc_base(d)};
}

static bool read_gdt_desc(struct vcpu *v, uint16_t sel, struct desc *out)
{
	struct vcpu_dtable gdt;
	v->ops->get_dtable(v, DTABLE_GDT, &gdt);
	if ((sel & SEL_TI) || (sel | 7u) > gdt.limit || !(sel & SEL_INDEX_MASK))
		return false;
	out->addr = gdt.base + (sel & SEL_INDEX_MASK);
	return vcpu_read_virt(v, out->addr, &out->raw, DESC_SIZE);
}

static void write_busy(struct vcpu *v, struct desc *d, bool busy)
{
	uint64_t bit = (uint64_t)DESC_TYPE_BUSY_BIT << DESC_TYPE_SHIFT;
	d->raw = busy ? d->raw | bit : d->raw & ~bit;
	vcpu_write_virt(v, d->addr, &d->raw, DESC_SIZE);
}

/* Load a data/code segment from the new task's selector (GDT only; LDT selectors unusable). */
static void load_seg(struct vcpu *v, enum vcpu_seg seg, uint16_t sel)
{
	struct vcpu_segment s = {sel, 0, 0, 0};
	struct desc d;
	if (read_gdt_desc(v, sel, &d))
		s = desc_segment(sel, d.raw);
	v->ops->set_seg(v, seg, &s);
}

static enum exit_result fail(struct vcpu *v, uint16_t sel)
{
	/* A bad TSS selector or descriptor: #GP with the selector (SDM 3A, 8.3 step 2-4). */
	vcpu_inject_exception(v, VEC_GP, true, sel & SEL_INDEX_MASK);
	return EXIT_RESUME;
}

static bool save_old(struct vcpu *v, uint64_t tss, uint64_t eip, uint64_t eflags)
{
	uint32_t regs[GPR32_COUNT], sels[SEG_COUNT_TSS];
	uint32_t e32[2] = {(uint32_t)eip, (uint32_t)eflags};

	for (int i = 0; i < GPR32_COUNT; i++)
		regs[i] = (uint32_t)v->gpr[i];
	for (int i = 0; i < SEG_COUNT_TSS; i++) {
		struct vcpu_segment s;

		v->ops->get_seg(v, (enum vcpu_seg)i, &s);
		sels[i] = s.sel;
	}
	return vcpu_write_virt(v, tss + TSS32_EIP, e32, sizeof(e32)) &&
	       vcpu_write_virt(v, tss + TSS32_EAX, regs, sizeof(regs)) &&
	       vcpu_write_virt(v, tss + TSS32_ES, sels, sizeof(sels));
}

static void load_new(struct vcpu *v, const uint32_t *t, uint64_t eflags_or)
{
	if (vcpu_get(v, REG_CR0) & CR0_PG)
		vcpu_set(v, REG_CR3, t[TSS32_CR3 / 4]);
	vcpu_set(v, REG_RIP, t[TSS32_EIP / 4]);
	vcpu_set(v, REG_RFLAGS, t[TSS32_EFLAGS / 4] | RFLAGS_FIXED1 | eflags_or);
	for (int i = 0; i < GPR32_COUNT; i++)
		v->gpr[i] = t[TSS32_EAX / 4 + i];
	load_seg(v, SEG_LDTR, (uint16_t)t[TSS32_LDT / 4]);
	for (int i = 0; i < SEG_COUNT_TSS; i++)
		load_seg(v, (enum vcpu_seg)i, (uint16_t)t[TSS32_ES / 4 + i]);
}

enum exit_result task_switch_emulate(struct vcpu *v, const struct vcpu_exit *e)
{
	uint16_t new_sel = e->task.selector;
	enum task_switch_source src = e->task.source;
	struct vcpu_segment tr;
	struct desc old_d, new_d;
	uint32_t t[TSS32_SIZE / 4];
	uint64_t eflags = vcpu_get(v, REG_RFLAGS);
	uint64_t eip = vcpu_get(v, REG_RIP);
	unsigned type;

	v->ops->get_seg(v, SEG_TR, &tr);
	if (!read_gdt_desc(v, new_sel, &new_d) || !read_gdt_desc(v, tr.sel, &old_d))
		return fail(v, new_sel);
	type = (unsigned)(new_d.raw >> DESC_TYPE_SHIFT) & DESC_TYPE_MASK;
	if (!(new_d.raw & DESC_P) || desc_limit(new_d.raw) < TSS32_MIN_LIMIT ||
	    type != (src == TS_IRET ? DESC_TYPE_TSS32_BUSY : DESC_TYPE_TSS32_AVAIL))
		return fail(v, new_sel);
	if (!vcpu_read_virt(v, desc_base(new_d.raw), t, sizeof(t)))
		return fail(v, new_sel);
	/* CALL/JMP resume after the instruction; a gate or IRET resumes at RIP as it is. */
	if (src == TS_CALL || src == TS_JMP || (src == TS_GATE && e->insn_len))
		eip = (eip + e->insn_len) & LOW32;
	if (src == TS_IRET)
		eflags &= ~RFLAGS_NT;
	if (!save_old(v, tr.base, eip, eflags))
		return fail(v, new_sel);
	if (src == TS_JMP || src == TS_IRET)
		write_busy(v, &old_d, false);
	if (src == TS_CALL || src == TS_GATE) {
		uint32_t link = tr.sel;

		vcpu_write_virt(v, desc_base(new_d.raw) + TSS32_LINK, &link, sizeof(link));
	}
	write_busy(v, &new_d, true);
	tr = desc_segment(new_sel, new_d.raw);
	v->ops->set_seg(v, SEG_TR, &tr);
	load_new(v, t, (src == TS_CALL || src == TS_GATE) ? RFLAGS_NT : 0);
	if (e->task.has_error) {
		/* The error code goes on the new task's stack (SDM 3A 7.12.2). */
		struct vcpu_segment ss;
		uint32_t esp = (uint32_t)v->gpr[GPR_RSP] - sizeof(e->task.error);

		v->ops->get_seg(v, SEG_SS, &ss);
		vcpu_write_virt(v, (ss.base + esp) & LOW32, &e->task.error, sizeof(e->task.error));
		v->gpr[GPR_RSP] = esp;
	}
	vcpu_set(v, REG_CR0, vcpu_get(v, REG_CR0) | CR0_TS);
	/* DR7's local enables belong to the old task (SDM vol. 3B, 18.2.4); the new TSS's T flag
	 * asks for a #DB with BT before its first instruction (SDM vol. 3A, 8.2.1). */
	v->debug->task_switch(v, ((const uint8_t *)t)[TSS32_T_BYTE] & TSS32_T_BIT);
	return EXIT_RESUME;
}
