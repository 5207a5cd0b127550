/* guest_mode.c - "monitor mode": the guest's operating mode, paging level and CPL, as text. */
#include "catch.h"

#include "core/hw/printf.h"
#include "core/hw/x86.h"
#include "core/vcpu_util.h"

/* EFLAGS.VM: virtual-8086 mode (SDM vol. 1, 3.4.3.3). */
#define RFLAGS_VM   (1ull << 17)
#define IP_MASK	    0xfffful
#define SEG_CODE_16 "16-bit"
#define SEG_CODE_32 "32-bit"

/* The paging structure in use (SDM vol. 3A, 5.1.1 table 5-1). */
static const char *paging_level(uint64_t cr0, uint64_t cr4, uint64_t efer)
{
	if (!(cr0 & CR0_PG))
		return "none";
	if (!(cr4 & CR4_PAE))
		return (cr4 & CR4_PSE) ? "2-level (32-bit paging, 4 MiB pages allowed)"
				       : "2-level (32-bit paging)";
	if (!(efer & EFER_LMA))
		return "PAE (3-level)";
	return (cr4 & CR4_LA57) ? "5-level" : "4-level";
}

void guest_mode_describe(struct vcpu *v, char *out, size_t outlen)
{
	uint64_t cr0 = vcpu_get(v, REG_CR0), cr4 = vcpu_get(v, REG_CR4);
	uint64_t efer = vcpu_get(v, REG_EFER), rflags = vcpu_get(v, REG_RFLAGS);
	uint64_t rip = vcpu_get(v, REG_RIP);
	struct fmt_out o = {out, 0, outlen};
	const char *mode, *code = SEG_CODE_16;
	struct vcpu_segment cs;
	bool segmented = false;

	v->ops->get_seg(v, SEG_CS, &cs);
	/* The mode from CR0.PE, EFER.LMA, EFLAGS.VM and CS.L/D (SDM vol. 3A, 2.2 and 10.8.5). */
	if (!(cr0 & CR0_PE)) {
		mode = "real mode";
		segmented = true;
	} else if (efer & EFER_LMA) {
		mode = "long mode";
		code = (cs.attr & SEG_ATTR_L)	 ? "64-bit"
		       : (cs.attr & SEG_ATTR_DB) ? "compatibility mode, " SEG_CODE_32
						 : "compatibility mode, " SEG_CODE_16;
	} else if (rflags & RFLAGS_VM) {
		mode = "virtual-8086 mode";
		segmented = true;
	} else {
		mode = "protected mode";
		code = (cs.attr & SEG_ATTR_DB) ? SEG_CODE_32 : SEG_CODE_16;
	}
	if (outlen)
		out[0] = '\0';
	/* Real mode runs at CPL 0, virtual-8086 mode at CPL 3 (SDM vol. 3A, 21.2.1). */
	fmt_append(&o, "%s, %s code, CPL %u\npaging: %s, cr3 0x%lx\n", mode, code,
		   !(cr0 & CR0_PE) ? 0 : v->ops->get_cpl(v), paging_level(cr0, cr4, efer),
		   vcpu_get(v, REG_CR3));
	/* The linear address is CS.base + IP; the base is what the CPU uses (unreal mode too). */
	if (segmented)
		fmt_append(&o, "cs:ip %04x:%04lx = linear 0x%lx\n", cs.sel, rip & IP_MASK,
			   cs.base + (rip & IP_MASK));
	else
		fmt_append(&o, "rip 0x%lx (cs %04x)\n", rip, cs.sel);
}
