/* apic_guard.c - emulate guest writes to the write-protected local APIC, dropping foreign IPIs. */
#include "apic_guard.h"

#include "vcpu_util.h"

#define OPCODE_MOV_RM_R	  0x89 /* MOV r/m32, r32 */
#define OPCODE_MOV_RM_IMM 0xc7 /* MOV r/m32, imm32 (/0) */
#define REX_R		  0x4
#define REX_W		  0x8
#define REX_R_SHIFT	  1 /* REX.R extends ModRM.reg to 4 bits */

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
	if (insn_is(&i, INSN_MAP_1BYTE, OPCODE_MOV_RM_R)) {
		unsigned reg = insn_modrm_reg(&i) | ((i.rex & REX_R) << REX_R_SHIFT);

		val = (uint32_t)v->gpr[reg];
	} else if (insn_is(&i, INSN_MAP_1BYTE, OPCODE_MOV_RM_IMM) && insn_modrm_reg(&i) == 0) {
		val = (uint32_t)i.imm;
	} else {
		return vcpu_stop_guest(v, STOP_INTERNAL,
				       "unsupported instruction writing the local APIC");
	}
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
