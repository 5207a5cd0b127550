/* test_svm_check.c - cmocka tests for the APM's exit names and the VMRUN check a VMCB fails. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "svm/svm.h"

/* Architectural values written out from the APM (vol. 2: 3.1, 4.8.1, 15.20, table B-1). */
#define A_EFER_LME     (1ull << 8)
#define A_EFER_LMA     (1ull << 10)
#define A_EFER_SVME    (1ull << 12)
#define A_CR0_PE       (1ull << 0)
#define A_CR0_NW       (1ull << 29)
#define A_CR0_CD       (1ull << 30)
#define A_CR0_PG       (1ull << 31)
#define A_CR4_PAE      (1ull << 5)
#define A_CS_L	       (1u << 9) /* VMCB attribute bits: descriptor bits 52-55 at 8-11 */
#define A_CS_D	       (1u << 10)
#define A_VMRUN	       (1u << 0) /* intercept vector 4 */
#define A_EVT_VALID    (1ull << 31)
#define A_EVT_TYPE(t)  ((uint64_t)(t) << 8)
#define A_TYPE_INTR    0
#define A_TYPE_EXC     3
#define A_TYPE_SOFT    4
#define A_TYPE_RSVD    5
#define A_DR7_HIGH_BIT (1ull << 32)

static struct vmcb vm;

/* What dbgvisor runs a 64-bit guest with: long mode, paging, a 64-bit CS. */
static int setup(void **state)
{
	(void)state;
	memset(&vm, 0, sizeof(vm));
	vm.control.intercept_misc2 = A_VMRUN;
	vm.control.asid = 1;
	vm.save.efer = A_EFER_SVME | A_EFER_LME | A_EFER_LMA;
	vm.save.cr0 = A_CR0_PE | A_CR0_PG;
	vm.save.cr4 = A_CR4_PAE;
	vm.save.cs.attrib = A_CS_L;
	return 0;
}

static void test_valid_vmcb(void **state)
{
	(void)state;
	assert_null(svm_vmrun_refusal(&vm));
	vm.save.cs.attrib = A_CS_D; /* compatibility mode: D alone is fine */
	assert_null(svm_vmrun_refusal(&vm));
	vm.save.efer = A_EFER_SVME; /* 32-bit: L and D together are not checked */
	vm.save.cr4 = 0;
	vm.save.cs.attrib = A_CS_L | A_CS_D;
	assert_null(svm_vmrun_refusal(&vm));
}

/* QEMU 7.2 lets IRETQ load such a CS; the next VMRUN refuses it. */
static void test_cs_l_and_d(void **state)
{
	(void)state;
	vm.save.cs.attrib = A_CS_L | A_CS_D;
	assert_string_equal(svm_vmrun_refusal(&vm),
			    "EFER.LME, CR0.PG, CR4.PAE, CS.L and CS.D all set");
}

static void test_state_checks(void **state)
{
	(void)state;
	vm.save.efer &= ~A_EFER_SVME;
	assert_string_equal(svm_vmrun_refusal(&vm), "EFER.SVME clear");
	setup(NULL);
	vm.save.cr0 |= A_CR0_NW;
	assert_string_equal(svm_vmrun_refusal(&vm), "CR0.NW set and CR0.CD clear");
	vm.save.cr0 |= A_CR0_CD;
	assert_null(svm_vmrun_refusal(&vm));
	setup(NULL);
	vm.save.dr7 = A_DR7_HIGH_BIT;
	assert_string_equal(svm_vmrun_refusal(&vm), "DR6 or DR7 bits 63:32 not zero");
	setup(NULL);
	vm.save.cr4 = 0;
	assert_string_equal(svm_vmrun_refusal(&vm), "EFER.LME and CR0.PG set, CR4.PAE clear");
	setup(NULL);
	vm.control.intercept_misc2 = 0;
	assert_string_equal(svm_vmrun_refusal(&vm), "VMRUN intercept clear");
	setup(NULL);
	vm.control.asid = 0;
	assert_string_equal(svm_vmrun_refusal(&vm), "ASID zero");
}

/* QEMU 7.2 records an interrupted interrupt or NMI as an exception in EXITINTINFO. */
static void test_event_injection(void **state)
{
	static const struct {
		uint64_t event;
		bool legal;
	} cases[] = {
	    {A_EVT_TYPE(A_TYPE_EXC) | 13, true},    {A_EVT_TYPE(A_TYPE_EXC) | 2, false},
	    {A_EVT_TYPE(A_TYPE_EXC) | 0x20, false}, {A_EVT_TYPE(A_TYPE_INTR) | 0x20, true},
	    {A_EVT_TYPE(A_TYPE_SOFT) | 0x80, true}, {A_EVT_TYPE(A_TYPE_RSVD) | 3, false},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		vm.control.eventinj = cases[i].event;
		assert_null(svm_vmrun_refusal(&vm)); /* not valid: not checked */
		vm.control.eventinj |= A_EVT_VALID;
		if (cases[i].legal)
			assert_null(svm_vmrun_refusal(&vm));
		else
			assert_string_equal(svm_vmrun_refusal(&vm), "illegal event in EVENTINJ");
	}
}

/* Names from APM table C-1, one per stretch of the table. */
static void test_exit_names(void **state)
{
	static const struct {
		uint64_t code;
		const char *name;
	} names[] = {
	    {0x03, "CR_READ"},
	    {0x14, "CR_WRITE"},
	    {0x27, "DR_READ"},
	    {0x3f, "DR_WRITE"},
	    {0x4d, "EXCP"},
	    {0x5f, "EXCP"},
	    {0x60, "INTR"},
	    {0x66, "IDTR_READ"},
	    {0x6d, "TR_WRITE"},
	    {0x78, "HLT"},
	    {0x7b, "IOIO"},
	    {0x7d, "TASK_SWITCH"},
	    {0x88, "ICEBP"},
	    {0x8d, "XSETBV"},
	    {0x8f, "EFER_WRITE_TRAP"},
	    {0x9f, "CR_WRITE_TRAP"},
	    {0xa0, "INVLPGB"},
	    {0xa6, "IDLE_HLT"},
	    {0xa7, "not in APM table C-1"},
	    {0x400, "NPF"},
	    {0x403, "VMGEXIT"},
	    {0xffffffffull, "INVALID"},
	    {~0ull, "INVALID"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		assert_string_equal(svm_exit_name(names[i].code), names[i].name);
}

/* A #DB's status in VMCB.DR6 (APM vol. 2, 13.1.1.3): what changed since VMRUN, or, where DR6
 * already held every bit of it (a second step, BS still set), its status bits; 0 (rebuild)
 * only on a CPU that keeps no status. */
static void test_db_status(void **state)
{
	const uint64_t init = 0xffff0ff0, bs = 1ull << 14, b0 = 1ull << 0, b2 = 1ull << 2;

	(void)state;
	assert_int_equal(svm_db_status(init | bs, init, false), bs);
	assert_int_equal(svm_db_status(init | bs | b0, init | bs, false), b0);
	/* diff_debug: a step after POPF cleared TF, BS set before: not the enabled data slots */
	assert_int_equal(svm_db_status(init | bs, init | bs, false), bs);
	assert_int_equal(svm_db_status(init | bs | b2, init | bs | b2, false), bs | b2);
	assert_int_equal(svm_db_status(init, init, true), 0);
	assert_int_equal(svm_db_status(init | bs, init, true), bs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_valid_vmcb, setup),
	    cmocka_unit_test_setup(test_cs_l_and_d, setup),
	    cmocka_unit_test_setup(test_state_checks, setup),
	    cmocka_unit_test_setup(test_event_injection, setup),
	    cmocka_unit_test(test_exit_names),
	    cmocka_unit_test(test_db_status),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
