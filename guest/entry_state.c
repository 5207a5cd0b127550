/* entry_state.c - the CPU state a boot protocol promises the guest at its first instruction. */
#include "entry_state.h"

#include "core/hw/string.h"
#include "core/hw/x86.h"

#define FLAT_LIMIT	    0xffffffffu
#define RESET_SEG_LIMIT	    0xffffu
#define REAL_MODE_IVT_LIMIT 0x3ffu
/* Descriptor types (SDM vol. 3A, 3.4.5.1): code exec/read accessed, data r/w accessed. */
#define TYPE_CODE	0xb
#define TYPE_DATA	0x3
#define ATTR_CODE32	(TYPE_CODE | SEG_ATTR_S | SEG_ATTR_P | SEG_ATTR_DB | SEG_ATTR_G)
#define ATTR_DATA32	(TYPE_DATA | SEG_ATTR_S | SEG_ATTR_P | SEG_ATTR_DB | SEG_ATTR_G)
#define ATTR_CODE16	(TYPE_CODE | SEG_ATTR_S | SEG_ATTR_P)
#define ATTR_DATA16	(TYPE_DATA | SEG_ATTR_S | SEG_ATTR_P)
#define ATTR_LDT	(0x2 | SEG_ATTR_P) /* system type 2: LDT */
#define ATTR_TSS32_BUSY (0xb | SEG_ATTR_P) /* system type 11: busy 32-bit TSS */

static void set_state(struct vcpu *v, const struct vcpu_segment *code,
		      const struct vcpu_segment *data, const struct vcpu_dtable *gdt,
		      const struct vcpu_dtable *idt, uint64_t cr0, uint64_t rip)
{
	/* What INIT leaves in LDTR and TR (SDM vol. 3A, table 10-1): usable, never loaded. */
	const struct vcpu_segment ldt = {0, ATTR_LDT, RESET_SEG_LIMIT, 0};
	const struct vcpu_segment tr = {0, ATTR_TSS32_BUSY, RESET_SEG_LIMIT, 0};
	static const enum vcpu_seg data_segs[] = {SEG_DS, SEG_ES, SEG_FS, SEG_GS, SEG_SS};

	v->ops->set_seg(v, SEG_CS, code);
	for (unsigned i = 0; i < sizeof(data_segs) / sizeof(data_segs[0]); i++)
		v->ops->set_seg(v, data_segs[i], data);
	v->ops->set_seg(v, SEG_LDTR, &ldt);
	v->ops->set_seg(v, SEG_TR, &tr);
	v->ops->set_dtable(v, DTABLE_GDT, gdt);
	v->ops->set_dtable(v, DTABLE_IDT, idt);
	v->ops->set_reg(v, REG_CR0, cr0);
	v->ops->set_reg(v, REG_CR3, 0);
	v->ops->set_reg(v, REG_CR4, 0);
	v->ops->set_reg(v, REG_EFER, 0);
	v->ops->set_reg(v, REG_RFLAGS, RFLAGS_FIXED1); /* IF = 0, VM = 0 */
	v->ops->set_reg(v, REG_RIP, rip);
	memset(v->gpr, 0, sizeof(v->gpr));
}

void entry_flat32(struct vcpu *v, uint32_t rip, uint16_t cs, uint16_t ds, uint32_t gdt_base,
		  uint16_t gdt_limit)
{
	const struct vcpu_segment code = {cs, ATTR_CODE32, FLAT_LIMIT, 0};
	const struct vcpu_segment data = {ds, ATTR_DATA32, FLAT_LIMIT, 0};
	const struct vcpu_dtable gdt = {gdt_base, gdt_limit}, idt = {0, 0};

	set_state(v, &code, &data, &gdt, &idt, CR0_PE | CR0_ET, rip);
}

void entry_real_mode(struct vcpu *v, uint16_t ip)
{
	const struct vcpu_segment code = {0, ATTR_CODE16, RESET_SEG_LIMIT, 0};
	const struct vcpu_segment data = {0, ATTR_DATA16, RESET_SEG_LIMIT, 0};
	const struct vcpu_dtable gdt = {0, 0}, ivt = {0, REAL_MODE_IVT_LIMIT};

	set_state(v, &code, &data, &gdt, &ivt, CR0_ET, ip);
}
