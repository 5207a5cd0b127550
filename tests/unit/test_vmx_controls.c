/* test_vmx_controls.c - cmocka tests for VT-x control selection, CR fixed bits and VMX strings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/hw/cpu_caps.h"
#include "vmx/vmcs_fields.h"
#include "vmx/vmx_controls.h"

#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))
/* A control capability MSR from the file's "must1=... may1=..." pair (SDM vol. 3D A.3). */
#define CAP(must1, may1) (((uint64_t)(may1) << 32) | (uint32_t)(must1))
#define BIT(n)		 (1u << (n))

/*
 * Raw values read by a probe kernel on Bochs 2.7, copied from
 * /work/shared/reference/emulator-virtualization-capabilities.txt, in the file's order.
 * PROCBASED2 and EPT_VPID_CAP stay 0 where the file has no line (no such MSR on that model).
 */
/* clang-format off */
static const struct vmx_cap_msrs haswell_4770 = {
	.basic = 0x00d810000000002bull,
	.pinbased = CAP(0x00000016, 0x0000007f), .procbased = CAP(0x0401e172, 0xf7f9fffe),
	.procbased2 = CAP(0x00000000, 0x00047fff),
	.exit = CAP(0x00036dff, 0x007fffff), .entry = CAP(0x000011ff, 0x0000ffff),
	.true_pinbased = CAP(0x00000016, 0x0000007f), .true_procbased = CAP(0x04006172, 0xf7f9fffe),
	.true_exit = CAP(0x00036dfb, 0x007fffff), .true_entry = CAP(0x000011fb, 0x0000ffff),
	.misc = 0x00000000200401e0ull, .cr0_fixed0 = 0x80000021ull, .cr0_fixed1 = 0xffffffffull,
	.cr4_fixed0 = 0x00002000ull, .cr4_fixed1 = 0x001727ffull,
	.ept_vpid_cap = 0x00000f0106334141ull,
};

static const struct vmx_cap_msrs skylake_x = {
	.basic = 0x00d810000000002bull,
	.pinbased = CAP(0x00000016, 0x0000007f), .procbased = CAP(0x0401e172, 0xf7f9fffe),
	.procbased2 = CAP(0x00000000, 0x02177fff),
	.exit = CAP(0x00036dff, 0x007fffff), .entry = CAP(0x000011ff, 0x0000ffff),
	.true_pinbased = CAP(0x00000016, 0x0000007f), .true_procbased = CAP(0x04006172, 0xf7f9fffe),
	.true_exit = CAP(0x00036dfb, 0x007fffff), .true_entry = CAP(0x000011fb, 0x0000ffff),
	.misc = 0x00000000600401e0ull, .cr0_fixed0 = 0x80000021ull, .cr0_fixed1 = 0xffffffffull,
	.cr4_fixed0 = 0x00002000ull, .cr4_fixed1 = 0x003727ffull,
	.ept_vpid_cap = 0x00000f0106334141ull,
};

static const struct vmx_cap_msrs lynnfield_750 = {
	.basic = 0x00d810000000002bull,
	.pinbased = CAP(0x00000016, 0x0000007f), .procbased = CAP(0x0401e172, 0xf7f9fffe),
	.procbased2 = CAP(0x00000000, 0x0000007f),
	.exit = CAP(0x00036dff, 0x007fffff), .entry = CAP(0x000011ff, 0x0000ffff),
	.true_pinbased = CAP(0x00000016, 0x0000007f), .true_procbased = CAP(0x04006172, 0xf7f9fffe),
	.true_exit = CAP(0x00036dfb, 0x007fffff), .true_entry = CAP(0x000011fb, 0x0000ffff),
	.misc = 0x00000000000401e0ull, .cr0_fixed0 = 0x80000021ull, .cr0_fixed1 = 0xffffffffull,
	.cr4_fixed0 = 0x00002000ull, .cr4_fixed1 = 0x000067ffull,
	.ept_vpid_cap = 0x00000f0106114141ull,
};

static const struct vmx_cap_msrs penryn_t9600 = {
	.basic = 0x00d810000000002bull,
	.pinbased = CAP(0x00000016, 0x0000003f), .procbased = CAP(0x0401e172, 0xf7f9fffe),
	.procbased2 = CAP(0x00000000, 0x00000041),
	.exit = CAP(0x00036dff, 0x0003ffff), .entry = CAP(0x000011ff, 0x00003fff),
	.true_pinbased = CAP(0x00000016, 0x0000003f), .true_procbased = CAP(0x04006172, 0xf7f9fffe),
	.true_exit = CAP(0x00036dfb, 0x0003ffff), .true_entry = CAP(0x000011fb, 0x00003fff),
	.misc = 0x00000000000401e0ull, .cr0_fixed0 = 0x80000021ull, .cr0_fixed1 = 0xffffffffull,
	.cr4_fixed0 = 0x00002000ull, .cr4_fixed1 = 0x000467ffull,
};

static const struct vmx_cap_msrs yonah_t2400 = {
	.basic = 0x00d910000000002bull,
	.pinbased = CAP(0x00000016, 0x0000001f), .procbased = CAP(0x0401e172, 0x7781fffe),
	.exit = CAP(0x00036dff, 0x0003edff), .entry = CAP(0x000011ff, 0x00001dff),
	.true_pinbased = CAP(0x00000016, 0x0000001f), .true_procbased = CAP(0x04006172, 0x7781fffe),
	.true_exit = CAP(0x00036dfb, 0x0003edff), .true_entry = CAP(0x000011fb, 0x00001dff),
	.misc = 0x00000000000401e0ull, .cr0_fixed0 = 0x80000021ull, .cr0_fixed1 = 0xffffffffull,
	.cr4_fixed0 = 0x00002000ull, .cr4_fixed1 = 0x000027ffull,
};
/* clang-format on */

/* Reserved default-1 bits left at 1 by the TRUE MSRs (SDM vol. 3D A.3.1, A.3.2, A.4, A.5). */
#define PIN_DEFAULT1 (BIT(1) | BIT(2) | BIT(4))
#define PROC_TRUE_DEFAULT1                                                                         \
	(BIT(1) | BIT(4) | BIT(5) | BIT(6) | BIT(8) | BIT(13) | BIT(14) | BIT(26))
#define EXIT_TRUE_DEFAULT1                                                                         \
	(BIT(0) | BIT(1) | BIT(3) | BIT(4) | BIT(5) | BIT(6) | BIT(7) | BIT(8) | BIT(10) |         \
	 BIT(11) | BIT(13) | BIT(14) | BIT(16) | BIT(17))
#define ENTRY_TRUE_DEFAULT1                                                                        \
	(BIT(0) | BIT(1) | BIT(3) | BIT(4) | BIT(5) | BIT(6) | BIT(7) | BIT(8) | BIT(12))

static int compute(const struct vmx_cap_msrs *c, struct vmx_controls *out, char *missing)
{
	memset(out, 0xa5, sizeof(*out));
	return vmx_compute_controls(c, out, missing, 128);
}

static void assert_refused(const struct vmx_cap_msrs *c, const char *want)
{
	struct vmx_controls out;
	const struct vmx_controls zero = {0};
	char missing[128] = "";

	assert_int_equal(compute(c, &out, missing), -1);
	assert_string_equal(missing, want);
	assert_memory_equal(&out, &zero, sizeof(out));
}

static void test_haswell_exact(void **state)
{
	struct vmx_controls out;
	char missing[128] = "x";

	(void)state;
	assert_int_equal(compute(&haswell_4770, &out, missing), 0);
	assert_string_equal(missing, "");

	assert_int_equal(out.pin, PIN_DEFAULT1 | PIN_BASED_PREEMPTION_TIMER);
	assert_int_equal(out.proc, PROC_TRUE_DEFAULT1 | CPU_BASED_MOV_DR_EXITING |
				       CPU_BASED_USE_IO_BITMAPS | CPU_BASED_USE_MSR_BITMAPS |
				       CPU_BASED_ACTIVATE_SECONDARY);
	assert_int_equal(out.proc2, SECONDARY_EXEC_EPT | SECONDARY_EXEC_RDTSCP |
					SECONDARY_EXEC_VPID | SECONDARY_EXEC_UNRESTRICTED_GUEST |
					SECONDARY_EXEC_INVPCID);
	assert_int_equal(out.exit, EXIT_TRUE_DEFAULT1 | VM_EXIT_SAVE_DEBUG_CONTROLS |
				       VM_EXIT_HOST_ADDR_SPACE_SIZE | VM_EXIT_SAVE_PAT |
				       VM_EXIT_LOAD_PAT | VM_EXIT_SAVE_EFER | VM_EXIT_LOAD_EFER |
				       VM_EXIT_SAVE_PREEMPTION_TIMER);
	assert_int_equal(out.entry, ENTRY_TRUE_DEFAULT1 | VM_ENTRY_LOAD_DEBUG_CONTROLS |
					VM_ENTRY_LOAD_PAT | VM_ENTRY_LOAD_EFER);
	/* The same, as the raw numbers the VMCS will hold. */
	assert_int_equal(out.pin, 0x00000056);
	assert_int_equal(out.proc, 0x96806172);
	assert_int_equal(out.proc2, 0x000010aa);
	assert_int_equal(out.exit, 0x007f6fff);
	assert_int_equal(out.entry, 0x0000d1ff);

	assert_true(out.preemption_timer);
	assert_int_equal(out.preemption_timer_shift, 0);
	assert_true(out.vpid);
	assert_true(out.rdtscp);
	assert_true(out.invpcid);
	assert_false(out.xsaves); /* PROCBASED2 may1=00047fff: bit 20 clear */
	assert_true(out.pat);

	/* What must stay clear: CR3 exits, interrupt/NMI exiting, ack-on-exit, IA-32e guest. */
	assert_int_equal(out.proc & (CPU_BASED_CR3_LOAD_EXITING | CPU_BASED_CR3_STORE_EXITING), 0);
	assert_int_equal(out.pin & (PIN_BASED_EXT_INTR_EXITING | PIN_BASED_NMI_EXITING), 0);
	assert_int_equal(out.exit & VM_EXIT_ACK_INTR_ON_EXIT, 0);
	assert_int_equal(out.entry & VM_ENTRY_IA32E_MODE, 0);
	assert_int_equal(out.proc & (CPU_BASED_HLT_EXITING | CPU_BASED_MONITOR_TRAP_FLAG), 0);
}

static void test_haswell_without_true_msrs(void **state)
{
	struct vmx_cap_msrs c = haswell_4770;

	(void)state;
	/* Without IA32_VMX_BASIC[55] the plain MSRs apply: CR3 exiting is then forced on, and
	 * no exit rule covers CR3 loads and stores (PDPTEs, PCIDs): refused up front. */
	c.basic &= ~VMX_BASIC_TRUE_CTLS;
	c.true_pinbased = c.true_procbased = c.true_exit = c.true_entry = 0;
	assert_refused(&c, "CR3-load exiting off (primary processor-based control bit 15)");
	c.procbased &= ~(uint64_t)CPU_BASED_CR3_LOAD_EXITING;
	assert_refused(&c, "CR3-store exiting off (primary processor-based control bit 16)");
}

static void test_skylake_x(void **state)
{
	struct vmx_controls out;

	(void)state;
	assert_int_equal(compute(&skylake_x, &out, NULL), 0);
	assert_int_equal(out.pin, 0x00000056);
	assert_int_equal(out.proc, 0x96806172);
	assert_int_equal(out.proc2, 0x000010aa | SECONDARY_EXEC_XSAVES);
	assert_int_equal(out.exit, 0x007f6fff);
	assert_int_equal(out.entry, 0x0000d1ff);
	assert_true(out.xsaves && out.vpid && out.rdtscp && out.invpcid && out.pat);
	assert_true(out.preemption_timer);
}

static void test_lynnfield_refused(void **state)
{
	(void)state;
	/* PROCBASED2 may1=0000007f: EPT (bit 1) is offered, unrestricted guest (bit 7) is not. */
	assert_true((lynnfield_750.procbased2 >> 32) & SECONDARY_EXEC_EPT);
	assert_false((lynnfield_750.procbased2 >> 32) & SECONDARY_EXEC_UNRESTRICTED_GUEST);
	assert_refused(&lynnfield_750,
		       "unrestricted guest (secondary processor-based control bit 7)");
}

static void test_penryn_refused(void **state)
{
	(void)state;
	/* PROCBASED2 may1=00000041: only APIC-access virtualization and WBINVD exiting. */
	assert_false((penryn_t9600.procbased2 >> 32) & SECONDARY_EXEC_EPT);
	assert_refused(&penryn_t9600, "enable EPT (secondary processor-based control bit 1)");
}

static void test_yonah_refused(void **state)
{
	(void)state;
	/* PROCBASED may1=7781fffe: no secondary controls; also a 32-bit-address-only VMX. */
	assert_false((yonah_t2400.true_procbased >> 32) & CPU_BASED_ACTIVATE_SECONDARY);
	assert_true(yonah_t2400.basic & VMX_BASIC_PA32);
	assert_refused(&yonah_t2400,
		       "activate secondary controls (primary processor-based control bit 31)");
}

static void test_ept_without_unrestricted_guest(void **state)
{
	struct vmx_cap_msrs c = skylake_x;
	struct vmx_controls out;
	char missing[128];

	(void)state;
	c.procbased2 &= ~((uint64_t)SECONDARY_EXEC_UNRESTRICTED_GUEST << 32);
	assert_int_equal(compute(&c, &out, missing), -1);
	assert_non_null(strstr(missing, "unrestricted guest"));
}

static void test_ept_capabilities_required(void **state)
{
	struct vmx_cap_msrs c = haswell_4770;

	(void)state;
	c.ept_vpid_cap &= ~VMX_EPT_PAGE_WALK_4;
	assert_refused(&c, "EPT page-walk length 4 (IA32_VMX_EPT_VPID_CAP bit 6)");
	c = haswell_4770;
	c.ept_vpid_cap &= ~VMX_EPT_MEMTYPE_WB;
	assert_refused(&c, "EPT write-back memory type (IA32_VMX_EPT_VPID_CAP bit 14)");
}

/* Withdraw each required control from Haswell's allowed-1 bits in turn: it must be named. */
static void test_each_requirement_named(void **state)
{
	static const struct {
		size_t msr; /* offset in struct vmx_cap_msrs */
		uint32_t bit;
		const char *name;
	} reqs[] = {
	    {offsetof(struct vmx_cap_msrs, true_procbased), CPU_BASED_USE_IO_BITMAPS,
	     "use I/O bitmaps (primary processor-based control bit 25)"},
	    {offsetof(struct vmx_cap_msrs, true_procbased), CPU_BASED_USE_MSR_BITMAPS,
	     "use MSR bitmaps (primary processor-based control bit 28)"},
	    {offsetof(struct vmx_cap_msrs, true_procbased), CPU_BASED_MOV_DR_EXITING,
	     "MOV-DR exiting (primary processor-based control bit 23)"},
	    {offsetof(struct vmx_cap_msrs, procbased2), SECONDARY_EXEC_EPT,
	     "enable EPT (secondary processor-based control bit 1)"},
	    {offsetof(struct vmx_cap_msrs, true_exit), VM_EXIT_HOST_ADDR_SPACE_SIZE,
	     "host address-space size (VM-exit control bit 9)"},
	    {offsetof(struct vmx_cap_msrs, true_exit), VM_EXIT_SAVE_DEBUG_CONTROLS,
	     "save debug controls (VM-exit control bit 2)"},
	    {offsetof(struct vmx_cap_msrs, true_exit), VM_EXIT_SAVE_EFER,
	     "save IA32_EFER (VM-exit control bit 20)"},
	    {offsetof(struct vmx_cap_msrs, true_exit), VM_EXIT_LOAD_EFER,
	     "load IA32_EFER (VM-exit control bit 21)"},
	    {offsetof(struct vmx_cap_msrs, true_entry), VM_ENTRY_LOAD_DEBUG_CONTROLS,
	     "load debug controls (VM-entry control bit 2)"},
	    {offsetof(struct vmx_cap_msrs, true_entry), VM_ENTRY_LOAD_EFER,
	     "load IA32_EFER (VM-entry control bit 15)"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < NELEMS(reqs); i++) {
		struct vmx_cap_msrs c = haswell_4770;
		uint64_t *msr = (uint64_t *)((char *)&c + reqs[i].msr);

		*msr &= ~((uint64_t)reqs[i].bit << 32);
		assert_refused(&c, reqs[i].name);
	}
}

static void test_optional_features_follow_availability(void **state)
{
	struct vmx_cap_msrs c;
	struct vmx_controls out;

	(void)state;
	/* No preemption timer: neither the pin control nor saving its value. */
	c = haswell_4770;
	c.true_pinbased &= ~((uint64_t)PIN_BASED_PREEMPTION_TIMER << 32);
	assert_int_equal(compute(&c, &out, NULL), 0);
	assert_false(out.preemption_timer);
	assert_int_equal(out.pin, PIN_DEFAULT1);
	assert_int_equal(out.exit & VM_EXIT_SAVE_PREEMPTION_TIMER, 0);

	/* The rate comes from IA32_VMX_MISC[4:0]. */
	c = haswell_4770;
	c.misc |= 5;
	assert_int_equal(compute(&c, &out, NULL), 0);
	assert_true(out.preemption_timer);
	assert_int_equal(out.preemption_timer_shift, 5);

	/* No VPID control, or no INVVPID to flush with: VPID stays off. */
	c = haswell_4770;
	c.procbased2 &= ~((uint64_t)SECONDARY_EXEC_VPID << 32);
	assert_int_equal(compute(&c, &out, NULL), 0);
	assert_false(out.vpid);
	assert_int_equal(out.proc2, 0x000010aa & ~SECONDARY_EXEC_VPID);
	c = haswell_4770;
	c.ept_vpid_cap &= ~VMX_VPID_INVVPID;
	assert_int_equal(compute(&c, &out, NULL), 0);
	assert_false(out.vpid);
	assert_int_equal(out.proc2 & SECONDARY_EXEC_VPID, 0);

	/* PAT needs all three of save/load on exit and load on entry. */
	c = haswell_4770;
	c.true_exit &= ~((uint64_t)VM_EXIT_LOAD_PAT << 32);
	assert_int_equal(compute(&c, &out, NULL), 0);
	assert_false(out.pat);
	assert_int_equal(out.exit & (VM_EXIT_SAVE_PAT | VM_EXIT_LOAD_PAT), 0);
	assert_int_equal(out.entry & VM_ENTRY_LOAD_PAT, 0);
	c = haswell_4770;
	c.true_entry &= ~((uint64_t)VM_ENTRY_LOAD_PAT << 32);
	assert_int_equal(compute(&c, &out, NULL), 0);
	assert_false(out.pat);
	assert_int_equal(out.exit & (VM_EXIT_SAVE_PAT | VM_EXIT_LOAD_PAT), 0);
}

static void test_missing_buffer_handling(void **state)
{
	struct vmx_controls out;
	char small[8];

	(void)state;
	memset(small, 'x', sizeof(small));
	assert_int_equal(vmx_compute_controls(&yonah_t2400, &out, small, sizeof(small)), -1);
	assert_string_equal(small, "activat");
	assert_int_equal(vmx_compute_controls(&yonah_t2400, &out, NULL, 0), -1);
	small[0] = 'x';
	assert_int_equal(vmx_compute_controls(&yonah_t2400, &out, small, 0), -1);
	assert_int_equal(small[0], 'x');
}

static void test_fixed_cr(void **state)
{
	const struct vmx_cap_msrs *h = &haswell_4770;
	const uint64_t et = 1u << 4, ne = 1u << 5, pae = 1u << 5, vmxe = 1u << 13;

	(void)state;
	/* CR0: PE, NE, PG forced on; CR4: VMXE forced on, bits beyond FIXED1 dropped. */
	assert_int_equal(vmx_fixed_cr(et, h->cr0_fixed0, h->cr0_fixed1),
			 VMX_CR0_PG | ne | et | VMX_CR0_PE);
	assert_int_equal(vmx_fixed_cr(pae | (1ull << 23), h->cr4_fixed0, h->cr4_fixed1),
			 pae | vmxe);
	assert_int_equal(vmx_fixed_cr(~0ull, h->cr4_fixed0, h->cr4_fixed1), 0x001727ff);
}

static void test_strings(void **state)
{
	(void)state;
	assert_string_equal(vmx_instruction_error_str(7), "VM entry with invalid control field(s)");
	assert_string_equal(vmx_instruction_error_str(8),
			    "VM entry with invalid host-state field(s)");
	assert_string_equal(vmx_instruction_error_str(12),
			    "VMREAD/VMWRITE from/to unsupported VMCS component");
	assert_string_equal(vmx_instruction_error_str(26),
			    "VM entry with events blocked by MOV SS");
	assert_string_equal(vmx_instruction_error_str(28), "Invalid operand to INVEPT/INVVPID");
	assert_string_equal(vmx_instruction_error_str(14), "unknown VM-instruction error");
	assert_string_equal(vmx_instruction_error_str(29), "unknown VM-instruction error");
	assert_string_equal(vmx_instruction_error_str(0), "no error recorded");

	assert_string_equal(vmx_exit_reason_str(EXIT_REASON_EXCEPTION_NMI), "exception or NMI");
	assert_string_equal(vmx_exit_reason_str(30), "I/O instruction");
	assert_string_equal(vmx_exit_reason_str(33), "VM-entry failure due to invalid guest state");
	assert_string_equal(vmx_exit_reason_str(48), "EPT violation");
	assert_string_equal(vmx_exit_reason_str(64), "XRSTORS");
	assert_string_equal(vmx_exit_reason_str(35), "unknown exit reason");
	assert_string_equal(vmx_exit_reason_str(0xffffffffu), "unknown exit reason");
}

/* A few encodings and formats spot-checked against SDM vol. 3D appendix B and vol. 3C. */
static void test_encodings(void **state)
{
	(void)state;
	assert_int_equal(VMCS_ENC_WIDTH(GUEST_IA32_EFER), VMCS_ENC_WIDTH_64);
	assert_int_equal(VMCS_ENC_WIDTH(GUEST_ES_AR_BYTES), VMCS_ENC_WIDTH_32);
	assert_int_equal(VMCS_ENC_WIDTH(HOST_RIP), VMCS_ENC_WIDTH_NATURAL);
	assert_int_equal(VMCS_ENC_TYPE(HOST_TR_SELECTOR), VMCS_ENC_TYPE_HOST);
	assert_int_equal(VMCS_ENC_TYPE(VM_EXIT_REASON), VMCS_ENC_TYPE_EXIT_INFO);
	assert_int_equal(VMX_AR_TO_ATTR(0xa09bu), 0xa9b);   /* 64-bit code, P, DPL 0 */
	assert_int_equal(VMX_AR_FROM_ATTR(0xc93u), 0xc093); /* 32-bit data, G, D/B */
	assert_int_equal(INTR_INFO_MAKE(14, INTR_TYPE_HW_EXCEPTION) | INTR_INFO_DELIVER_CODE,
			 0x80000b0e);
	assert_int_equal(EPTP_MEMTYPE_WB | EPTP_WALK_LENGTH_4, 0x1e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_haswell_exact),
	    cmocka_unit_test(test_haswell_without_true_msrs),
	    cmocka_unit_test(test_skylake_x),
	    cmocka_unit_test(test_lynnfield_refused),
	    cmocka_unit_test(test_penryn_refused),
	    cmocka_unit_test(test_yonah_refused),
	    cmocka_unit_test(test_ept_without_unrestricted_guest),
	    cmocka_unit_test(test_ept_capabilities_required),
	    cmocka_unit_test(test_each_requirement_named),
	    cmocka_unit_test(test_optional_features_follow_availability),
	    cmocka_unit_test(test_missing_buffer_handling),
	    cmocka_unit_test(test_fixed_cr),
	    cmocka_unit_test(test_strings),
	    cmocka_unit_test(test_encodings),
	};

	return cmocka_run_group_tests_name("vmx_controls", tests, NULL, NULL);
}
