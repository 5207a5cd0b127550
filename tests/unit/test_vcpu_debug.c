/* test_vcpu_debug.c - cmocka tests for core/vcpu_debug.c: lazy DR switching, #DB and MOV DR. */
#include "fake_vcpu.h"

#include "debug/vcpu_debug.h"

/* Architectural values written out from the manuals, independently of the code under test. */
#define ARCH_VEC_DB	1
#define ARCH_VEC_UD	6
#define ARCH_VEC_GP	13
#define ARCH_VEC_AC	17
#define ARCH_DR6_RESET	0xffff0ff0ull
#define ARCH_DR7_RESET	0x400ull
#define ARCH_B0		(1ull << 0)
#define ARCH_B1		(1ull << 1)
#define ARCH_BD		(1ull << 13)
#define ARCH_BS		(1ull << 14)
#define ARCH_L0		(1ull << 0)
#define ARCH_G0		(1ull << 1)
#define ARCH_L1		(1ull << 2)
#define ARCH_GD		(1ull << 13)
#define ARCH_ENABLES	0xffull
#define ARCH_LBR	(1ull << 0)
#define ARCH_BTF	(1ull << 1)
#define ARCH_RFLAGS_VM	(1ull << 17)
#define DR6_AFTER_B1_BS 0xffff4ff2ull /* SDM 18.2.3: reset value with B1 and BS */
#define DR0		0
#define DR1		1
#define DR6		6
#define DR7		7
#define GPR_UNDECODED	0xff
#define MOV_DR_LEN	3 /* 0F 21/23 ModRM */
#define ICEBP_LEN	1
#define CPL_USER	3
#define ADDR_A		0x401000ull
#define ADDR_B		0x402000ull
#define ADDR_DBG	0xc0de00ull
#define ADDR_64		0xffff800012345678ull
#define JUNK_HIGH	0xdeadbeef00000000ull
#define JUNK		0x5a5a5a5a5a5a5a5aull
#define PAGE_TABLES	0x10000ull
#define ENTRIES		3
#define DR_COUNT	4

static struct fake_vcpu fv;
static struct vcpu *const v = &fv.v;
static const struct dr_features feat_none = {0};
static const struct dr_features feat_amd = {.amd = true};

static int setup_intel(void **state)
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
	vcpu_debug_setup(v, &feat_amd);
	return 0;
}

static uint64_t rip(void)
{
	return fv.b.regs[REG_RIP];
}

/* A MOV DR exit the backend decoded (decode assists / exit qualification). */
static enum exit_result mov_dr(unsigned dr, bool write, enum vcpu_gpr gpr)
{
	struct vcpu_exit e = {.kind = EXIT_DR_ACCESS, .insn_len = MOV_DR_LEN, .raw_name = "test"};

	e.dr.dr = (uint8_t)dr;
	e.dr.write = write;
	e.dr.gpr = (uint8_t)gpr;
	return vcpu_debug_mov_dr(v, &e);
}

/* A MOV DR exit without decode assists: the handler reads the instruction bytes. */
static enum exit_result mov_dr_undecoded(const uint8_t *bytes, size_t len)
{
	/* Misleading fields: the decoded instruction must win. */
	struct vcpu_exit e = {.kind = EXIT_DR_ACCESS, .raw_name = "test"};

	e.dr.dr = DR6;
	e.dr.write = true;
	e.dr.gpr = GPR_UNDECODED;
	fake_mem_put(rip(), bytes, len);
	return vcpu_debug_mov_dr(v, &e);
}

static enum exit_result db_exit(uint64_t pending, bool software, uint8_t insn_len)
{
	struct vcpu_exit e = {.kind = EXIT_EXCEPTION, .insn_len = insn_len, .raw_name = "test"};

	e.exc.vector = ARCH_VEC_DB;
	e.exc.dr6_pending = pending;
	e.exc.software = software;
	return vcpu_debug_db(v, &e);
}

static void assert_one_event(enum vcpu_event_type type, uint8_t vector, bool has_error)
{
	assert_int_equal(fv.b.nevents, 1);
	assert_int_equal(fv.b.events[0].type, type);
	assert_int_equal(fv.b.events[0].vector, vector);
	assert_int_equal(fv.b.events[0].has_error, has_error);
	if (has_error)
		assert_int_equal(fv.b.events[0].error, 0);
}

/* Guest write through the exit handler; the exit must complete without an event. */
static void guest_write(unsigned dr, uint64_t val)
{
	v->gpr[GPR_RBX] = val;
	assert_int_equal(mov_dr(dr, true, GPR_RBX), EXIT_RESUME);
	assert_int_equal(fv.b.nevents, 0);
}

static void run_once(void)
{
	vcpu_debug_before_entry(v);
	vcpu_debug_after_exit(v);
}

/* --- setup and lazy switching --- */

static void test_setup_intercepts(void **state)
{
	(void)state;
	assert_true(fv.b.exc_intercepts & (1u << ARCH_VEC_DB));
	assert_true(fv.b.exc_intercepts & (1u << ARCH_VEC_AC));
	assert_true(fv.b.dr_intercept);
	assert_true(v->dr_intercept);
	assert_int_equal(v->dr->guest.dr6, ARCH_DR6_RESET);
	assert_int_equal(v->dr->guest.dr7, ARCH_DR7_RESET);
}

static void test_lazy_nothing_loaded(void **state)
{
	(void)state;
	unsigned calls = fv.b.dr_intercept_calls;

	for (unsigned i = 0; i < ENTRIES; i++)
		run_once();
	assert_int_equal(fv.b.debug_loads, 0);
	assert_int_equal(fv.b.debug_saves, 0);
	assert_int_equal(fv.b.dr_intercept_calls, calls);
	assert_true(fv.b.dr_intercept);

	/* A debugger breakpoint needs the registers; removing it unloads them once. */
	assert_int_equal(dr_debugger_set(v->dr, ADDR_DBG, DR7_RW_EXEC, 0), 0);
	vcpu_debug_before_entry(v);
	assert_int_equal(fv.b.debug_loads, 1);
	assert_int_equal(fv.b.hw_db[0], ADDR_DBG);
	assert_true(fv.b.hw_dr7 & ARCH_G0);
	dr_debugger_clear_all(v->dr);
	vcpu_debug_before_entry(v);
	assert_int_equal(fv.b.debug_loads, 2);
	assert_int_equal(fv.b.hw_dr7 & ARCH_ENABLES, 0);
	for (unsigned i = 0; i < ENTRIES; i++)
		run_once();
	assert_int_equal(fv.b.debug_loads, 2);
	assert_int_equal(fv.b.debug_saves, 0);
}

static void test_native_after_mov_dr(void **state)
{
	(void)state;
	guest_write(DR0, ADDR_A);
	assert_int_equal(rip(), FAKE_DEFAULT_RIP + MOV_DR_LEN);
	assert_int_equal(v->dr->guest.db[0], ADDR_A);

	/* The intercept is lifted and the guest's own values go to the CPU. */
	vcpu_debug_before_entry(v);
	assert_false(fv.b.dr_intercept);
	assert_int_equal(fv.b.debug_loads, 1);
	assert_int_equal(fv.b.hw_db[0], ADDR_A);
	assert_int_equal(fv.b.hw_dr6, ARCH_DR6_RESET);
	assert_int_equal(fv.b.hw_dr7, ARCH_DR7_RESET);

	/* The guest runs natively: MOV DR without exits, straight into the CPU. */
	fv.b.hw_db[1] = ADDR_B;
	fv.b.hw_dr7 = ARCH_DR7_RESET | ARCH_L1;
	fv.b.hw_dr6 = ARCH_DR6_RESET | ARCH_B1;
	/* An exit leaves them in the CPU: nothing saved until something needs them. */
	vcpu_debug_after_exit(v);
	assert_true(v->dr_live);
	assert_int_equal(fv.b.debug_saves, 0);
	vcpu_debug_sync(v);
	assert_false(v->dr_live);
	assert_int_equal(fv.b.debug_saves, 1);
	assert_int_equal(v->dr->guest.db[0], ADDR_A);
	assert_int_equal(v->dr->guest.db[1], ADDR_B);
	assert_int_equal(v->dr->guest.dr7, ARCH_DR7_RESET | ARCH_L1);
	assert_int_equal(v->dr->guest.dr6, ARCH_DR6_RESET | ARCH_B1);

	/* After a sync the next entry loads them once; then exits and entries cost nothing. */
	unsigned calls = fv.b.dr_intercept_calls;

	vcpu_debug_before_entry(v);
	assert_int_equal(fv.b.debug_loads, 2);
	for (unsigned i = 0; i < ENTRIES; i++) {
		fv.b.hw_db[3] = ADDR_64 + i; /* the guest's own MOV to DR3, natively */
		vcpu_debug_after_exit(v);
		vcpu_debug_before_entry(v);
		assert_int_equal(fv.b.hw_db[3], ADDR_64 + i);
		assert_int_equal(fv.b.hw_db[1], ADDR_B);
	}
	assert_int_equal(fv.b.debug_loads, 2);
	assert_int_equal(fv.b.debug_saves, 1);
	/* A #DB, a task switch or gdb syncs first: they see the guest's latest values. */
	vcpu_debug_sync(v);
	assert_int_equal(v->dr->guest.db[3], ADDR_64 + ENTRIES - 1);
	assert_int_equal(fv.b.debug_saves, 2);
	assert_int_equal(fv.b.dr_intercept_calls, calls);
	assert_false(fv.b.dr_intercept);
}

/* A guest #DB while the DRs are live: its handler runs on the values the guest last wrote. */
static void test_db_syncs_live_drs(void **state)
{
	(void)state;
	guest_write(DR0, ADDR_A);
	vcpu_debug_before_entry(v);
	fv.b.hw_db[2] = ADDR_B;
	fv.b.hw_dr7 = ARCH_DR7_RESET | ARCH_L1;
	vcpu_debug_after_exit(v);
	assert_true(v->dr_live);
	vcpu_debug_task_switch(v, false);
	assert_false(v->dr_live);
	assert_int_equal(v->dr->guest.db[2], ADDR_B);
	/* The task switch cleared the local enable; the next entry must load that. */
	assert_int_equal(v->dr->guest.dr7 & ARCH_L1, 0);
	vcpu_debug_before_entry(v);
	assert_int_equal(fv.b.hw_dr7 & ARCH_L1, 0);
}

/* A CPU that keeps no status for intercepted #DBs (Bochs 2.7 SVM, the backend's probe): the
 * guest's #DBs go to it directly while it alone runs its DRs natively, never otherwise. */
static void test_db_status_lost_native_only(void **state)
{
	(void)state;
	v->db_status_lost = true;
	vcpu_debug_before_entry(v); /* native from the start: no first MOV DR needed */
	assert_false(fv.b.dr_intercept);
	assert_false(fv.b.exc_intercepts & (1u << ARCH_VEC_DB));
	assert_true(fv.b.exc_intercepts & (1u << ARCH_VEC_AC));
	assert_int_equal(fv.b.hw_dr6, ARCH_DR6_RESET);
	assert_int_equal(fv.b.hw_dr7, ARCH_DR7_RESET);

	/* The guest sets GD natively: emulated again, #DB intercepted again. */
	fv.b.hw_dr7 = ARCH_DR7_RESET | ARCH_GD;
	vcpu_debug_after_exit(v);
	vcpu_debug_sync(
	    v); /* the next exit that reads them (GD itself works natively until then) */
	vcpu_debug_before_entry(v);
	assert_true(fv.b.dr_intercept);
	assert_true(fv.b.exc_intercepts & (1u << ARCH_VEC_DB));

	/* drlazy=off: always emulated, so intercepted. */
	v->dr->emulate_only = true;
	dr_recompute(v->dr);
	vcpu_debug_before_entry(v);
	assert_true(fv.b.exc_intercepts & (1u << ARCH_VEC_DB));
	v->dr->emulate_only = false;

	/* A debugger's slot: the hypervisor needs to see every #DB. */
	v->dr->guest.dr7 = ARCH_DR7_RESET;
	dr_recompute(v->dr);
	vcpu_debug_before_entry(v);
	assert_false(fv.b.exc_intercepts & (1u << ARCH_VEC_DB));
	assert_int_equal(dr_debugger_set(v->dr, ADDR_DBG, DR7_RW_EXEC, 0), 0);
	vcpu_debug_before_entry(v);
	assert_true(fv.b.exc_intercepts & (1u << ARCH_VEC_DB));
}

/* Where the status is kept (every CPU but that one), #DB stays intercepted, native or not. */
static void test_db_intercepted_when_status_kept(void **state)
{
	(void)state;
	guest_write(DR0, ADDR_A);
	vcpu_debug_before_entry(v);
	assert_false(fv.b.dr_intercept);
	assert_true(fv.b.exc_intercepts & (1u << ARCH_VEC_DB));
}

/* --- MOV DR decoding without decode assists --- */

static void test_decode_mov_from_dr0(void **state)
{
	(void)state;
	const uint8_t mov_eax_dr0[] = {0x0f, 0x21, 0xc0};

	v->dr->guest.db[0] = ADDR_A;
	v->gpr[GPR_RAX] = JUNK;
	assert_int_equal(mov_dr_undecoded(mov_eax_dr0, sizeof(mov_eax_dr0)), EXIT_RESUME);
	assert_int_equal(fv.b.nevents, 0);
	assert_int_equal(v->gpr[GPR_RAX], ADDR_A);
	assert_int_equal(v->dr->guest.dr6, ARCH_DR6_RESET);
	assert_int_equal(rip(), FAKE_DEFAULT_RIP + sizeof(mov_eax_dr0));
}

static void test_decode_mov_to_dr7(void **state)
{
	(void)state;
	const uint8_t mov_dr7_eax[] = {0x0f, 0x23, 0xf8};

	v->gpr[GPR_RAX] = ARCH_DR7_RESET | ARCH_L0 | ARCH_G0;
	assert_int_equal(mov_dr_undecoded(mov_dr7_eax, sizeof(mov_dr7_eax)), EXIT_RESUME);
	assert_int_equal(fv.b.nevents, 0);
	assert_int_equal(v->dr->guest.dr7, ARCH_DR7_RESET | ARCH_L0 | ARCH_G0);
	assert_int_equal(v->dr->guest.dr6, ARCH_DR6_RESET);
	assert_int_equal(rip(), FAKE_DEFAULT_RIP + sizeof(mov_dr7_eax));
}

static void test_decode_rex_r_is_ud(void **state)
{
	(void)state;
	const uint8_t mov_rax_dr8[] = {0x44, 0x0f, 0x21, 0xc0}; /* REX.R: DR8 */

	fake_mode_long64(&fv);
	fake_map_identity64(&fv, PAGE_TABLES);
	v->gpr[GPR_RAX] = JUNK;
	assert_int_equal(mov_dr_undecoded(mov_rax_dr8, sizeof(mov_rax_dr8)), EXIT_RESUME);
	assert_one_event(EVENT_HW_EXCEPTION, ARCH_VEC_UD, false);
	assert_int_equal(v->gpr[GPR_RAX], JUNK);
	assert_int_equal(rip(), FAKE_DEFAULT_RIP);
}

static void test_undecodable_stops(void **state)
{
	(void)state;
	const uint8_t nop[] = {0x90};

	assert_int_equal(mov_dr_undecoded(nop, sizeof(nop)), EXIT_STOP);
	assert_int_equal(v->stop.reason, STOP_INTERNAL);
	assert_int_equal(rip(), FAKE_DEFAULT_RIP);
}

/* --- MOV DR faults and operand size --- */

static void test_mov_from_dr6_32bit_zero_extends(void **state)
{
	(void)state;
	v->gpr[GPR_RCX] = JUNK_HIGH | JUNK;
	assert_int_equal(mov_dr(DR6, false, GPR_RCX), EXIT_RESUME);
	assert_int_equal(fv.b.nevents, 0);
	assert_int_equal(v->gpr[GPR_RCX], ARCH_DR6_RESET);

	/* A 64-bit DR0 written in long mode reads back truncated in 32-bit code. */
	fake_mode_long64(&fv);
	guest_write(DR0, ADDR_64);
	fake_mode_flat32(&fv);
	v->gpr[GPR_RCX] = JUNK;
	assert_int_equal(mov_dr(DR0, false, GPR_RCX), EXIT_RESUME);
	assert_int_equal(v->gpr[GPR_RCX], ADDR_64 & 0xffffffffull);
}

static void test_cpl3_gp(void **state)
{
	(void)state;
	fv.b.cpl = CPL_USER;
	v->gpr[GPR_RAX] = ADDR_A;
	assert_int_equal(mov_dr(DR0, true, GPR_RAX), EXIT_RESUME);
	assert_one_event(EVENT_HW_EXCEPTION, ARCH_VEC_GP, true);
	assert_int_equal(rip(), FAKE_DEFAULT_RIP);
	assert_int_equal(v->dr->guest.db[0], 0);
	assert_false(v->dr->guest_touched);

	/* Virtual-8086 mode runs at CPL 3 whatever the backend says. */
	fv.b.cpl = 0;
	fv.b.nevents = 0;
	fv.b.regs[REG_RFLAGS] |= ARCH_RFLAGS_VM;
	assert_int_equal(mov_dr(DR7, false, GPR_RAX), EXIT_RESUME);
	assert_one_event(EVENT_HW_EXCEPTION, ARCH_VEC_GP, true);
	assert_int_equal(v->gpr[GPR_RAX], ADDR_A);
	assert_int_equal(rip(), FAKE_DEFAULT_RIP);
}

static void test_gd_db_fault(void **state)
{
	(void)state;
	guest_write(DR7, ARCH_DR7_RESET | ARCH_GD | ARCH_L0);
	uint64_t at = rip();

	fv.b.regs[REG_DEBUGCTL] = ARCH_LBR | ARCH_BTF;
	v->gpr[GPR_RAX] = ADDR_A;
	assert_int_equal(mov_dr(DR0, true, GPR_RAX), EXIT_RESUME);
	/* A fault: #DB injected as a hardware exception, the MOV not executed. */
	assert_one_event(EVENT_HW_EXCEPTION, ARCH_VEC_DB, false);
	assert_int_equal(rip(), at);
	assert_int_equal(v->dr->guest.db[0], 0);
	assert_int_equal(v->dr->guest.dr6, ARCH_DR6_RESET | ARCH_BD);
	assert_int_equal(v->dr->guest.dr7, ARCH_DR7_RESET | ARCH_L0);
	/* Like any #DB delivery, it clears DEBUGCTL.LBR (SDM 18.4.2), and BTF on AMD. */
	assert_int_equal(fv.b.regs[REG_DEBUGCTL], v->is_amd ? 0 : ARCH_BTF);
}

/* --- #DB exits --- */

static void test_db_pending_b1_bs(void **state)
{
	(void)state;
	fv.b.regs[REG_DEBUGCTL] = ARCH_LBR | ARCH_BTF;
	assert_int_equal(db_exit(ARCH_B1 | ARCH_BS, false, 0), EXIT_RESUME);
	assert_one_event(EVENT_HW_EXCEPTION, ARCH_VEC_DB, false);
	assert_int_equal(v->dr->guest.dr6, DR6_AFTER_B1_BS);
	assert_int_equal(fv.b.regs[REG_DEBUGCTL], ARCH_BTF); /* BTF survives on Intel */
	assert_int_equal(rip(), FAKE_DEFAULT_RIP);

	/* The guest reads it back through MOV. */
	assert_int_equal(mov_dr(DR6, false, GPR_RDX), EXIT_RESUME);
	assert_int_equal(v->gpr[GPR_RDX], DR6_AFTER_B1_BS);
}

static void test_db_amd_clears_btf(void **state)
{
	(void)state;
	fv.b.regs[REG_DEBUGCTL] = ARCH_LBR | ARCH_BTF;
	assert_int_equal(db_exit(ARCH_BS, false, 0), EXIT_RESUME);
	assert_one_event(EVENT_HW_EXCEPTION, ARCH_VEC_DB, false);
	assert_int_equal(fv.b.regs[REG_DEBUGCTL], 0);
}

static void test_icebp_reinjected_as_priv_sw_exc(void **state)
{
	(void)state;
	/* Whatever the exit record says about breakpoints, INT1 reports none of them. */
	assert_int_equal(db_exit(ARCH_B0 | ARCH_B1, true, ICEBP_LEN), EXIT_RESUME);
	assert_one_event(EVENT_PRIV_SW_EXC, ARCH_VEC_DB, false);
	assert_int_equal(fv.b.events[0].insn_len, ICEBP_LEN);
	assert_int_equal(rip(), FAKE_DEFAULT_RIP);
	assert_int_equal(v->dr->guest.dr6, ARCH_DR6_RESET);
}

static void test_debugger_slot_hit_routed_to_guest_b0(void **state)
{
	(void)state;
	assert_int_equal(dr_debugger_set(v->dr, ADDR_DBG, DR7_RW_EXEC, 0), 0);
	guest_write(DR0, ADDR_A);
	guest_write(DR7, ARCH_DR7_RESET | ARCH_L0);

	/* The debugger keeps the intercept on and takes hardware slot 0; the guest's DR0 is 1. */
	vcpu_debug_before_entry(v);
	assert_true(fv.b.dr_intercept);
	assert_int_equal(fv.b.hw_db[0], ADDR_DBG);
	assert_int_equal(fv.b.hw_db[1], ADDR_A);
	assert_true(fv.b.hw_dr7 & ARCH_L1);
	assert_int_equal(fv.b.hw_dr6, ARCH_DR6_RESET);
	vcpu_debug_after_exit(v);
	assert_int_equal(fv.b.debug_saves, 0);

	assert_int_equal(db_exit(ARCH_B1, false, 0), EXIT_RESUME);
	assert_one_event(EVENT_HW_EXCEPTION, ARCH_VEC_DB, false);
	assert_int_equal(v->dr->guest.dr6, ARCH_DR6_RESET | ARCH_B0);
}

#define INTEL(t) cmocka_unit_test_setup(t, setup_intel)
#define AMD(t)	 cmocka_unit_test_setup(t, setup_amd)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    INTEL(test_setup_intercepts),
	    AMD(test_setup_intercepts),
	    INTEL(test_lazy_nothing_loaded),
	    INTEL(test_native_after_mov_dr),
	    AMD(test_db_status_lost_native_only),
	    AMD(test_db_intercepted_when_status_kept),
	    INTEL(test_db_syncs_live_drs),
	    INTEL(test_decode_mov_from_dr0),
	    INTEL(test_decode_mov_to_dr7),
	    INTEL(test_decode_rex_r_is_ud),
	    INTEL(test_undecodable_stops),
	    INTEL(test_mov_from_dr6_32bit_zero_extends),
	    INTEL(test_cpl3_gp),
	    INTEL(test_gd_db_fault),
	    AMD(test_gd_db_fault),
	    INTEL(test_db_pending_b1_bs),
	    AMD(test_db_amd_clears_btf),
	    INTEL(test_icebp_reinjected_as_priv_sw_exc),
	    INTEL(test_debugger_slot_hit_routed_to_guest_b0),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
