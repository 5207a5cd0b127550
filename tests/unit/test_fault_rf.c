/* test_fault_rf.c - cmocka tests: the RF each exception dbgvisor injects or reflects pushes. */
#include "fake_vcpu.h"

#include "core/exit.h"
#include "debug/vcpu_debug.h"

/*
 * Architectural values written out from the manuals, independently of the code under test.
 * SDM vol. 3B, 18.3.1.1: a fault pushes RF = 1, except a #DB; traps, aborts and #DB push RF
 * as it was. The event is delivered at the next entry with the guest RFLAGS the exit handler
 * leaves, so that is what these tests look at.
 */
#define ARCH_RF		   (1ull << 16)
#define ARCH_VEC_DB	   1
#define ARCH_VEC_BP	   3
#define ARCH_VEC_OF	   4
#define ARCH_VEC_UD	   6
#define ARCH_VEC_DF	   8
#define ARCH_VEC_GP	   13
#define ARCH_VEC_MC	   18
#define ARCH_DR6_BS	   (1ull << 14)
#define ARCH_DR7_RESET	   0x400ull
#define ARCH_DR7_GD	   (1ull << 13)
#define ARCH_CR0_NW	   (1ull << 29)
#define ARCH_CR4_DE	   (1ull << 3)
#define ARCH_MSR_EFER	   0xc0000080u
#define ARCH_EFER_RESERVED (1ull << 31)
#define NO_SUCH_MSR	   0x4000ffffu
#define GATE32_SIZE	   8
#define GATE_ATTR_BYTE	   5
#define GATE_P_TYPE_INT32  0x8e
#define IDT_ADDR	   0x3000ull
#define IDT32_LIMIT	   (256 * GATE32_SIZE - 1)
#define TSS_SELECTOR	   0x28 /* past the (empty) fake GDT: the task switch fails */
#define INSN_LEN	   3
#define INT3_LEN	   1
#define MOV_DR_LEN	   3
#define DR4		   4
#define DR7		   7
#define CPL_USER	   3
#define NELEMS(a)	   (sizeof(a) / sizeof((a)[0]))

static struct fake_vcpu fv;
static struct vcpu *const v = &fv.v;
static const struct dr_features feat_none = {0};

static int setup(void **state)
{
	(void)state;
	fake_vcpu_init(&fv, false, 0);
	vcpu_debug_setup(v, &feat_none);
	return 0;
}

static int setup_amd(void **state)
{
	(void)state;
	fake_vcpu_init(&fv, true, 0);
	vcpu_debug_setup(v, &feat_none);
	return 0;
}

static bool rf(void)
{
	return fv.b.regs[REG_RFLAGS] & ARCH_RF;
}

/* Exactly one event of @vector was queued and the guest resumes without having moved on. */
static void assert_event(uint8_t vector)
{
	assert_int_equal(fv.b.nevents, 1);
	assert_int_equal(fv.b.events[0].vector, vector);
	assert_int_equal(fv.b.regs[REG_RIP], FAKE_DEFAULT_RIP);
}

static enum exit_result run(struct vcpu_exit *e)
{
	fv.b.nevents = 0;
	e->raw_name = "test";
	return exit_dispatch(v, e);
}

static enum exit_result reflect(uint8_t vector)
{
	struct vcpu_exit e = {.kind = EXIT_EXCEPTION, .insn_len = INT3_LEN};

	e.exc.vector = vector;
	return run(&e);
}

/* An intercepted fault goes back to the guest with RF set, whatever RF was at the exit. */
static void test_reflected_faults_set_rf(void **state)
{
	static const uint8_t faults[] = {0, 5, 6, 7, 10, 11, 12, 13, 14, 16, 17, 19, 20, 21};

	(void)state;
	for (size_t i = 0; i < NELEMS(faults); i++) {
		fv.b.regs[REG_RFLAGS] = RFLAGS_FIXED1;
		assert_int_equal(reflect(faults[i]), EXIT_RESUME);
		assert_event(faults[i]);
		assert_true(rf());
	}
}

/* Aborts and traps delivered as hardware exceptions keep RF as it is, 0 or 1. */
static void test_reflected_aborts_and_traps_keep_rf(void **state)
{
	static const uint8_t keep[] = {ARCH_VEC_OF, ARCH_VEC_DF, ARCH_VEC_MC};
	uint8_t gate[GATE32_SIZE] = {0};

	(void)state;
	gate[GATE_ATTR_BYTE] = GATE_P_TYPE_INT32;
	fake_mem_put(IDT_ADDR + ARCH_VEC_DF * GATE32_SIZE, gate, sizeof(gate));
	fv.b.dtables[DTABLE_IDT] = (struct vcpu_dtable){.base = IDT_ADDR, .limit = IDT32_LIMIT};
	for (size_t i = 0; i < NELEMS(keep); i++) {
		fv.b.regs[REG_RFLAGS] = RFLAGS_FIXED1;
		assert_int_equal(reflect(keep[i]), EXIT_RESUME);
		assert_event(keep[i]);
		assert_false(rf());
		fv.b.regs[REG_RFLAGS] = RFLAGS_FIXED1 | ARCH_RF;
		reflect(keep[i]);
		assert_true(rf());
	}
}

/* INT3 goes back as a software exception and a single step as a #DB trap: RF untouched. */
static void test_bp_and_db_keep_rf(void **state)
{
	struct vcpu_exit e = {.kind = EXIT_EXCEPTION};

	(void)state;
	fv.b.regs[REG_RFLAGS] = RFLAGS_FIXED1;
	reflect(ARCH_VEC_BP);
	assert_event(ARCH_VEC_BP);
	assert_int_equal(fv.b.events[0].type, EVENT_SW_EXC);
	assert_false(rf());

	e.exc.vector = ARCH_VEC_DB;
	e.exc.dr6_pending = ARCH_DR6_BS;
	assert_int_equal(run(&e), EXIT_RESUME);
	assert_event(ARCH_VEC_DB);
	assert_false(rf());
}

/* Instructions dbgvisor answers with #GP or #UD: the exit saved RF = 0, the fault sets it. */
static void test_emulated_faults_set_rf(void **state)
{
	struct vcpu_exit e;

	(void)state;
	e = (struct vcpu_exit){.kind = EXIT_MSR_READ, .insn_len = INSN_LEN};
	v->gpr[GPR_RCX] = NO_SUCH_MSR;
	run(&e);
	assert_event(ARCH_VEC_GP);
	assert_true(rf());

	fv.b.regs[REG_RFLAGS] = RFLAGS_FIXED1;
	e = (struct vcpu_exit){.kind = EXIT_MSR_WRITE, .insn_len = INSN_LEN};
	v->gpr[GPR_RCX] = ARCH_MSR_EFER;
	v->gpr[GPR_RAX] = ARCH_EFER_RESERVED;
	v->gpr[GPR_RDX] = 0;
	run(&e);
	assert_event(ARCH_VEC_GP);
	assert_true(rf());

	fv.b.regs[REG_RFLAGS] = RFLAGS_FIXED1;
	e = (struct vcpu_exit){.kind = EXIT_VIRT_INSN, .insn_len = INSN_LEN};
	run(&e);
	assert_event(ARCH_VEC_UD);
	assert_true(rf());

	fv.b.regs[REG_RFLAGS] = RFLAGS_FIXED1;
	fake_host.xsetbv_ok = false;
	e = (struct vcpu_exit){.kind = EXIT_XSETBV, .insn_len = INSN_LEN};
	run(&e);
	assert_event(ARCH_VEC_GP);
	assert_true(rf());

	fv.b.regs[REG_RFLAGS] = RFLAGS_FIXED1;
	e = (struct vcpu_exit){.kind = EXIT_CR_ACCESS, .insn_len = INSN_LEN};
	e.cr.cr = 0;
	e.cr.type = CR_MOV_TO;
	e.cr.gpr = GPR_RAX;
	v->gpr[GPR_RAX] = fv.b.regs[REG_CR0] | ARCH_CR0_NW; /* NW without CD */
	run(&e);
	assert_event(ARCH_VEC_GP);
	assert_true(rf());

	fv.b.regs[REG_RFLAGS] = RFLAGS_FIXED1;
	e = (struct vcpu_exit){.kind = EXIT_TASK_SWITCH, .insn_len = INSN_LEN};
	e.task.selector = TSS_SELECTOR;
	e.task.source = TS_JMP;
	run(&e);
	assert_event(ARCH_VEC_GP);
	assert_true(rf());
}

static enum exit_result mov_dr(unsigned dr, bool write)
{
	struct vcpu_exit e = {.kind = EXIT_DR_ACCESS, .insn_len = MOV_DR_LEN};

	e.dr.dr = (uint8_t)dr;
	e.dr.write = write;
	e.dr.gpr = GPR_RAX;
	return run(&e);
}

/* MOV DR: #UD and #GP are faults that set RF; general detect is a #DB and leaves it. */
static void test_mov_dr_faults(void **state)
{
	(void)state;
	fv.b.regs[REG_CR4] = ARCH_CR4_DE;
	fv.b.regs[REG_RFLAGS] = RFLAGS_FIXED1;
	mov_dr(DR4, false);
	assert_event(ARCH_VEC_UD);
	assert_true(rf());

	fv.b.regs[REG_RFLAGS] = RFLAGS_FIXED1;
	fv.b.cpl = CPL_USER;
	mov_dr(DR7, false);
	assert_event(ARCH_VEC_GP);
	assert_true(rf());

	fv.b.cpl = 0;
	v->gpr[GPR_RAX] = ARCH_DR7_RESET | ARCH_DR7_GD;
	assert_int_equal(mov_dr(DR7, true), EXIT_RESUME);
	assert_int_equal(fv.b.nevents, 0);
	fv.b.regs[REG_RIP] = FAKE_DEFAULT_RIP;
	fv.b.regs[REG_RFLAGS] = RFLAGS_FIXED1;
	mov_dr(DR7, false);
	assert_event(ARCH_VEC_DB);
	assert_false(rf());
}

/* A successful emulation queues nothing and leaves RF clear (the instruction completed). */
static void test_completed_insn_no_rf(void **state)
{
	struct vcpu_exit e = {.kind = EXIT_MSR_READ, .insn_len = INSN_LEN};

	(void)state;
	fv.b.regs[REG_RFLAGS] = RFLAGS_FIXED1 | ARCH_RF;
	v->gpr[GPR_RCX] = ARCH_MSR_EFER;
	assert_int_equal(run(&e), EXIT_RESUME);
	assert_int_equal(fv.b.nevents, 0);
	assert_false(rf());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_reflected_faults_set_rf, setup),
	    cmocka_unit_test_setup(test_reflected_aborts_and_traps_keep_rf, setup_amd),
	    cmocka_unit_test_setup(test_bp_and_db_keep_rf, setup),
	    cmocka_unit_test_setup(test_emulated_faults_set_rf, setup_amd),
	    cmocka_unit_test_setup(test_emulated_faults_set_rf, setup),
	    cmocka_unit_test_setup(test_mov_dr_faults, setup),
	    cmocka_unit_test_setup(test_completed_insn_no_rf, setup),
	};

	return cmocka_run_group_tests_name("fault_rf", tests, NULL, NULL);
}
