/* vmcs.c - VMREAD/VMWRITE with full error reports, and the guest-state dump for failed entries. */
#include "vmcs.h"

#include "core/hw/console.h"
#include "core/hw/string.h"
#include "core/hw/trap.h"
#include "vmcs_fields.h"
#include "vmx_controls.h"

/* One entry per VMCS_FIELDS entry: its encoding and its name. */
static const struct {
	uint32_t enc;
	const char *name;
} fields[] = {
#define VMCS_FIELD_ENTRY(name, enc) {name, #name},
    VMCS_FIELDS(VMCS_FIELD_ENTRY)
#undef VMCS_FIELD_ENTRY
};

static const char *vmcs_field_name(uint32_t enc)
{
	for (unsigned i = 0; i < NELEMS(fields); i++) {
		if (fields[i].enc == enc)
			return fields[i].name;
	}
	return "unknown VMCS field";
}

/* VMfailInvalid exactly when there is no current VMCS; otherwise VMfailValid, with the reason
 * in VM_INSTRUCTION_ERROR (SDM 3C, 31.2). */
void vmcs_fail(const char *op, uint32_t field, const char *caller)
{
	uint64_t err = 0;
	if (vmx_vmptrst() != VMX_NO_CURRENT_VMCS && vmx_vmread_ok(VM_INSTRUCTION_ERROR, &err))
		panic("%s of %s (0x%x) from %s failed: VM-instruction error %lu (%s)", op,
		      vmcs_field_name(field), field, caller, err,
		      vmx_instruction_error_str((uint32_t)err));
	panic("%s of %s (0x%x) from %s failed: VMfailInvalid (no current VMCS)", op,
	      vmcs_field_name(field), field, caller);
}

const struct vmcs_seg_fields vmcs_guest_seg[SEG_COUNT] = {
    [SEG_ES] = {"ES", GUEST_ES_SELECTOR, GUEST_ES_BASE, GUEST_ES_LIMIT, GUEST_ES_AR_BYTES},
    [SEG_CS] = {"CS", GUEST_CS_SELECTOR, GUEST_CS_BASE, GUEST_CS_LIMIT, GUEST_CS_AR_BYTES},
    [SEG_SS] = {"SS", GUEST_SS_SELECTOR, GUEST_SS_BASE, GUEST_SS_LIMIT, GUEST_SS_AR_BYTES},
    [SEG_DS] = {"DS", GUEST_DS_SELECTOR, GUEST_DS_BASE, GUEST_DS_LIMIT, GUEST_DS_AR_BYTES},
    [SEG_FS] = {"FS", GUEST_FS_SELECTOR, GUEST_FS_BASE, GUEST_FS_LIMIT, GUEST_FS_AR_BYTES},
    [SEG_GS] = {"GS", GUEST_GS_SELECTOR, GUEST_GS_BASE, GUEST_GS_LIMIT, GUEST_GS_AR_BYTES},
    [SEG_LDTR] = {"LDTR", GUEST_LDTR_SELECTOR, GUEST_LDTR_BASE, GUEST_LDTR_LIMIT,
		  GUEST_LDTR_AR_BYTES},
    [SEG_TR] = {"TR", GUEST_TR_SELECTOR, GUEST_TR_BASE, GUEST_TR_LIMIT, GUEST_TR_AR_BYTES},
};

void vmcs_dump_guest_state(void)
{
	printk("  CR0=%016lx CR3=%016lx CR4=%016lx EFER=%016lx\n", vmcs_read64(GUEST_CR0),
	       vmcs_read64(GUEST_CR3), vmcs_read64(GUEST_CR4), vmcs_read64(GUEST_IA32_EFER));
	printk("  RIP=%016lx RSP=%016lx RFLAGS=%016lx DR7=%016lx\n", vmcs_read64(GUEST_RIP),
	       vmcs_read64(GUEST_RSP), vmcs_read64(GUEST_RFLAGS), vmcs_read64(GUEST_DR7));
	for (const struct vmcs_seg_fields *f = vmcs_guest_seg; f < vmcs_guest_seg + SEG_COUNT; f++)
		printk("  %-4s sel=%04lx base=%016lx limit=%08lx ar=%05lx\n", f->name,
		       vmcs_read64(f->sel), vmcs_read64(f->base), vmcs_read64(f->limit),
		       vmcs_read64(f->ar));
	printk("  GDTR base=%016lx limit=%lx IDTR base=%016lx limit=%lx\n",
	       vmcs_read64(GUEST_GDTR_BASE), vmcs_read64(GUEST_GDTR_LIMIT),
	       vmcs_read64(GUEST_IDTR_BASE), vmcs_read64(GUEST_IDTR_LIMIT));
	printk("  interruptibility=%lx activity=%lx pending-dbg=%lx link=%016lx\n",
	       vmcs_read64(GUEST_INTERRUPTIBILITY_INFO), vmcs_read64(GUEST_ACTIVITY_STATE),
	       vmcs_read64(GUEST_PENDING_DBG_EXCEPTIONS), vmcs_read64(VMCS_LINK_POINTER));
	printk("  controls: pin=%lx proc=%lx proc2=%lx exit=%lx entry=%lx entry-intr=%lx\n",
	       vmcs_read64(PIN_BASED_VM_EXEC_CONTROL), vmcs_read64(CPU_BASED_VM_EXEC_CONTROL),
	       vmcs_read64(SECONDARY_VM_EXEC_CONTROL), vmcs_read64(VM_EXIT_CONTROLS),
	       vmcs_read64(VM_ENTRY_CONTROLS), vmcs_read64(VM_ENTRY_INTR_INFO_FIELD));
}
