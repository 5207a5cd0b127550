/* apic_guard.c - emulate guest writes to the local APIC (minus foreign IPIs) and the I/O APIC. */
#include "apic_guard.h"

#include "vcpu_util.h"

#define OPCODE_MOV_RM_R	  0x89 /* MOV r/m32, r32 */
#define OPCODE_MOV_R_RM	  0x8b /* MOV r32, r/m32 */
#define OPCODE_MOV_RM_IMM 0xc7 /* MOV r/m32, imm32 (/0) */
#define REX_R		  0x4
#define REX_W		  0x8
#define REX_R_SHIFT	  1	/* REX.R extends ModRM.reg to 4 bits */
#define REGSEL_MASK	  0xffu /* IOREGSEL bits 7:0 select the register */
#define LOW32		  0xffffffffull

bool apic_icr_allowed(uint32_t icr_low, uint32_t dest, uint32_t self_id)
{
	uint32_t mode = (icr_low >> ICR_DELIVERY_SHIFT) & ICR_DELIVERY_MASK;
	uint32_t shorthand = (icr_low >> ICR_SHORTHAND_SHIFT) & ICR_SHORTHAND_MASK;
	if (mode != ICR_DELIVERY_INIT && mode != ICR_DELIVERY_STARTUP && mode != ICR_DELIVERY_NMI &&
	    mode != ICR_DELIVERY_SMI)
		return true;
	if (shorthand == ICR_SHORTHAND_SELF)
		return true;
	/* No shorthand, physical destination mode: the sender's own APIC ID is itself too
	 * (SDM vol. 3A, 11.6.2.1). A logical destination may name others: refused. */
	return shorthand == ICR_SHORTHAND_NONE && !(icr_low & ICR_DEST_LOGICAL) && dest == self_id;
}

/* The value a MOV r/m32, r32 or MOV r/m32, imm32 stores; false for any other instruction. */
static bool mov32_store_value(const struct vcpu *v, const struct insn *i, uint32_t *val)
{
	if (insn_is(i, INSN_MAP_1BYTE, OPCODE_MOV_RM_R))
		*val = (uint32_t)v->gpr[insn_modrm_reg(i) | ((i->rex & REX_R) << REX_R_SHIFT)];
	else if (insn_is(i, INSN_MAP_1BYTE, OPCODE_MOV_RM_IMM) && insn_modrm_reg(i) == 0)
		*val = (uint32_t)i->imm;
	else
		return false;
	return true;
}

enum exit_result apic_guard_write(struct vcpu *v, const struct vcpu_exit *e)
{
	uint64_t offset = e->npf.gpa - v->lapic_base;
	struct insn i;
	uint32_t val;

	if (vcpu_fetch_insn(v, &i) != 0)
		return vcpu_stop_guest(v, STOP_INTERNAL,
				       "cannot decode the guest's local APIC write");
	/* Local APIC registers take 32-bit writes only (SDM vol. 3A, 11.4.1). */
	if (i.opsize || (i.rex & REX_W) || !i.has_modrm)
		return vcpu_stop_guest(v, STOP_INTERNAL,
				       "unsupported operand size writing the local APIC");
	if (!mov32_store_value(v, &i, &val))
		return vcpu_stop_guest(v, STOP_INTERNAL,
				       "unsupported instruction writing the local APIC");
	if (offset == LAPIC_ICR_HIGH)
		v->icr_high = val;
	if (offset == LAPIC_ICR_LOW &&
	    !apic_icr_allowed(val, v->icr_high >> ICR_XAPIC_DEST_SHIFT, v->apic_id & XAPIC_ID_MASK))
		v->ipis_refused++;
	else
		v->host->mmio_write32(e->npf.gpa, val);
	vcpu_complete_insn(v, i.len);
	return EXIT_RESUME;
}

uint32_t ioapic_guard_access(struct vcpu_ioapic *g, const struct ioapic_hw *hw, uint32_t offset,
			     bool write, uint32_t val)
{
	uint32_t idx = g->sel & REGSEL_MASK;

	if (offset == IOAPIC_REGSEL) {
		if (write)
			g->sel = val;
		return write ? 0 : g->sel;
	}
	if (offset != IOAPIC_WINDOW) {
		/* The EOI register (version 0x20 and later) and whatever else: pass through. */
		if (write)
			hw->write32(g->base + offset, val);
		return write ? 0 : hw->read32(g->base + offset);
	}
	if (idx == IOAPIC_REDTBL(g->pin) || idx == IOAPIC_REDTBL(g->pin) + 1) {
		if (write)
			g->shadow[idx & 1] = val;
		return write ? 0 : g->shadow[idx & 1];
	}
	/* The real index register is ours between exits: select, then reach the window. */
	hw->write32(g->base + IOAPIC_REGSEL, idx);
	if (write)
		hw->write32(g->base + IOAPIC_WINDOW, val);
	return write ? 0 : hw->read32(g->base + IOAPIC_WINDOW);
}

enum exit_result ioapic_guard_npf(struct vcpu *v, const struct vcpu_exit *e)
{
	const struct ioapic_hw hw = {v->host->mmio_read32, v->host->mmio_write32};
	uint32_t offset = (uint32_t)(e->npf.gpa - v->ioapic.base), val;
	unsigned reg;
	struct insn i;

	if (vcpu_fetch_insn(v, &i) != 0)
		return vcpu_stop_guest(v, STOP_INTERNAL,
				       "cannot decode the guest's I/O APIC access");
	/* I/O APIC registers take 32-bit accesses only (82093AA datasheet, 3.0). */
	if (i.opsize || (i.rex & REX_W) || !i.has_modrm)
		return vcpu_stop_guest(v, STOP_INTERNAL,
				       "unsupported operand size accessing the I/O APIC");
	reg = insn_modrm_reg(&i) | ((i.rex & REX_R) << REX_R_SHIFT);
	if (mov32_store_value(v, &i, &val))
		ioapic_guard_access(&v->ioapic, &hw, offset, true, val);
	else if (insn_is(&i, INSN_MAP_1BYTE, OPCODE_MOV_R_RM))
		/* A 32-bit destination is zero-extended in 64-bit mode, and nothing reads bits
		 * 63:32 of a GPR outside it. */
		v->gpr[reg] = ioapic_guard_access(&v->ioapic, &hw, offset, false, 0) & LOW32;
	else
		return vcpu_stop_guest(v, STOP_INTERNAL,
				       "unsupported instruction accessing the I/O APIC");
	vcpu_complete_insn(v, i.len);
	return EXIT_RESUME;
}
