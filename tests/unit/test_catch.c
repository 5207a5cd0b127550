/* test_catch.c - monitor catch: parsing, intercepts, matching, the stop, resuming. */
#include "catch_session.h"

static void expect_error(const char *cmd, const char *text)
{
	mon(cmd);
	if (!strstr(out, text))
		fail_msg("'%s' answered '%s', not '%s'", cmd, out, text);
	assert_int_equal(g.catches.count, 0);
}

static void test_bad_arguments(void **state)
{
	(void)state;
	expect_error("catch io", "bad port");
	expect_error("catch io 0x10000", "bad port");
	expect_error("catch io 0x3ff-0x3f8", "bad port or range '0x3ff-0x3f8'");
	expect_error("catch io 0x3f8 sideways", "neither in nor out");
	expect_error("catch io 0x3f8 in out", "unexpected 'out'");
	expect_error("catch msr", "bad MSR number");
	expect_error("catch msr 0x10 write", "holds guest state");
	expect_error("catch msr 0xc0000082", "holds guest state");
	expect_error("catch msr 0xc0000080 both", "neither read nor write");
	expect_error("catch cpuid 0xq", "bad leaf");
	expect_error("catch cpuid 1 2", "unexpected '2'");
	expect_error("catch exception", "bad vector");
	expect_error("catch exception 32", "bad vector");
	expect_error("catch exception 1", "cannot be caught");
	expect_error("catch exception NMI", "cannot be caught");
	expect_error("catch triple-fault now", "unexpected 'now'");
	expect_error("catch frobnicate", "unknown kind 'frobnicate'");
	expect_error("catch io 0x3f8 in-or-out-spelled-past-the-word-limit", "too long");
	expect_error("catch delete", "give one catchpoint number");
	expect_error("catch delete 7", "no catchpoint 7");
	expect_error("catch list", "no catchpoints");
	assert_int_equal(vcpu_gdb_monitor(&g, "catchx", out, sizeof(out)), -1);
}

static void test_table_full(void **state)
{
	(void)state;
	for (unsigned i = 0; i < CATCH_MAX; i++)
		assert_non_null(strstr(mon("catch cpuid"), "cpuid (every leaf)"));
	assert_non_null(strstr(mon("catch cpuid"), "all 16 catchpoints in use"));
	assert_non_null(strstr(mon("catch list"), "catch 16: cpuid (every leaf), 0 hits"));
}

static enum exit_result io_exit(uint16_t port, uint8_t size, bool in)
{
	struct vcpu_exit e = {.kind = EXIT_IO, .raw_name = "test", .insn_len = 1};

	e.io.port = port;
	e.io.size = size;
	e.io.in = in;
	return exit_dispatch(v, &e);
}

static void test_io_catch(void **state)
{
	(void)state;
	assert_false(fv.b.io_intercept[COM1]);
	assert_string_equal(mon("catch io 0x3f8-0x3ff out"), "catch 1: io 0x3f8-0x3ff out\n");
	for (unsigned p = COM1; p <= COM1_LAST; p++)
		assert_true(fv.b.io_intercept[p]);
	assert_string_equal(mon("catch io 0xf4"), "catch 2: io 0xf4\n");
	/* IN is not caught by an "out" catchpoint: it happens. */
	fv.b.regs[REG_RIP] = FAKE_DEFAULT_RIP;
	assert_int_equal(io_exit(COM1 + 5, 1, true), EXIT_RESUME);
	assert_int_equal(fake_host.nins, 1);
	assert_int_equal(fv.b.regs[REG_RIP], FAKE_DEFAULT_RIP + 1);
	/* OUT stops before it happens: nothing written, RIP at the instruction. */
	v->gpr[GPR_RAX] = 0x12341241;
	assert_int_equal(io_exit(COM1, 1, false), EXIT_RESUME);
	assert_int_equal(fake_host.nouts, 0);
	assert_int_equal(fv.b.regs[REG_RIP], FAKE_DEFAULT_RIP + 1);
	assert_true(g.stop_pending);
	assert_int_equal(g.stop.kind, GDB_STOP_CATCH);
	assert_string_equal(g.stop.why, "catch 1: out 0x3f8 <- 0x41 (1 byte)\n");
	/* gdb is told (console text, then T05) and continues: the OUT happens once. */
	send_pkt("c");
	assert_true(vcpu_gdb_service(v));
	assert_non_null(strstr(link.out, "$O")); /* the text, hex-encoded */
	assert_non_null(strstr(link.out, "$T05thread"));
	assert_int_equal(io_exit(COM1, 1, false), EXIT_RESUME);
	assert_int_equal(fake_host.nouts, 1);
	assert_int_equal(fake_host.outs[0].val, 0x41);
	assert_false(g.stop_pending);
	/* The next one is caught again; a word at 0x3f7 touches 0x3f8. */
	assert_int_equal(io_exit(COM1 - 1, 2, false), EXIT_RESUME);
	assert_string_equal(g.stop.why, "catch 1: out 0x3f7 <- 0x1241 (2 bytes)\n");
	assert_non_null(strstr(mon("catch list"), "catch 1: io 0x3f8-0x3ff out, 2 hits"));
	/* Deleting restores: COM1 no longer exits, the exit port keeps its rule. */
	assert_string_equal(mon("catch delete 1"), "catch 1 deleted\n");
	assert_false(fv.b.io_intercept[COM1]);
	assert_string_equal(mon("catch delete 2"), "catch 2 deleted\n");
	assert_true(fv.b.io_intercept[EXIT_PORT]);
	assert_int_equal(g.catches.count, 0);
}

static void test_cpuid_catch(void **state)
{
	struct vcpu_exit e = {.kind = EXIT_CPUID, .raw_name = "test", .insn_len = INSN_LEN};

	(void)state;
	assert_string_equal(mon("catch cpuid 1"), "catch 1: cpuid leaf 0x1\n");
	v->gpr[GPR_RAX] = 0;
	assert_int_equal(exit_dispatch(v, &e), EXIT_RESUME);
	assert_false(g.stop_pending);
	v->gpr[GPR_RAX] = 1;
	v->gpr[GPR_RCX] = 3;
	assert_int_equal(exit_dispatch(v, &e), EXIT_RESUME);
	assert_string_equal(g.stop.why, "catch 1: cpuid leaf 0x1 subleaf 0x3\n");
	assert_int_equal(v->gpr[GPR_RAX], 1); /* not executed yet */
}

static void test_exception_catch(void **state)
{
	struct vcpu_exit e = {.kind = EXIT_EXCEPTION, .raw_name = "test"};
	uint64_t rip = fv.b.regs[REG_RIP];

	(void)state;
	assert_false(fv.b.exc_intercepts & (1u << ARCH_VEC_PF));
	assert_string_equal(mon("catch exception #pf"), "catch 1: exception 14 (#PF)\n");
	assert_true(fv.b.exc_intercepts & (1u << ARCH_VEC_PF));
	e.exc.vector = ARCH_VEC_PF;
	e.exc.has_error = true;
	e.exc.error = PF_WRITE;
	e.exc.cr2 = PF_ADDR;
	assert_int_equal(exit_dispatch(v, &e), EXIT_RESUME);
	assert_string_equal(g.stop.why,
			    "catch 1: exception 14 (#PF) error code 0x2 cr2 0xdead000\n");
	assert_int_equal(fv.b.nevents, 0); /* not delivered yet */
	assert_int_equal(fv.b.regs[REG_RIP], rip);
	/* Resumed, the fault happens again and goes to the guest this time. */
	g.stop_pending = false;
	assert_int_equal(exit_dispatch(v, &e), EXIT_RESUME);
	assert_int_equal(fv.b.nevents, 1);
	assert_int_equal(fv.b.events[0].vector, ARCH_VEC_PF);
	assert_false(g.stop_pending);
	/* #DF and #BP (gdb is attached) stay intercepted when their catchpoints go. */
	mon("catch exception 8");
	mon("catch exception BP");
	mon("catch exception 14");
	mon("catch delete 1");
	assert_true(fv.b.exc_intercepts & (1u << ARCH_VEC_PF)); /* catch 4 still wants it */
	mon("catch delete 4");
	assert_false(fv.b.exc_intercepts & (1u << ARCH_VEC_PF));
	mon("catch delete 2");
	mon("catch delete 3");
	assert_true(fv.b.exc_intercepts & (1u << ARCH_VEC_DF));
	assert_true(fv.b.exc_intercepts & (1u << ARCH_VEC_BP));
}

/* gdb's break writes no INT3 (nested-page execute protection, debug/vcpu_npt.c): an INT3 at
 * a gdb breakpoint's address is the guest's own byte, so a #BP catchpoint takes it. */
static void test_int3_at_hidden_break_caught(void **state)
{
	struct vcpu_exit e = {.kind = EXIT_EXCEPTION, .raw_name = "test", .insn_len = 1};

	(void)state;
	mon("catch exception 3");
	send_pkt("Z0,1000,1"); /* gdb's breakpoint at RIP (FAKE_DEFAULT_RIP) */
	send_pkt("c");
	g.stop_pending = true;
	assert_true(vcpu_gdb_service(v));
	assert_false(gdb_owns_sw_bp(&g.stub, FAKE_DEFAULT_RIP));
	e.exc.vector = ARCH_VEC_BP;
	assert_int_equal(exit_dispatch(v, &e), EXIT_RESUME);
	assert_int_equal(g.stop.kind, GDB_STOP_CATCH);
}

/* The guest's own INT3 is caught, as a #BP exit or as SVM's INTn exit (QEMU's way). */
static void test_guest_int3_caught(void **state)
{
	static const uint8_t int3 = 0xcc;
	struct vcpu_exit e = {.kind = EXIT_SW_INT, .raw_name = "test", .insn_len = 1};

	(void)state;
	mon("catch exception 3");
	fake_mem_put(FAKE_DEFAULT_RIP, &int3, sizeof(int3));
	assert_int_equal(exit_dispatch(v, &e), EXIT_RESUME);
	assert_true(g.stop_pending);
	assert_string_equal(g.stop.why, "catch 1: exception 3 (#BP)\n");
	assert_int_equal(fv.b.nevents, 0);
	g.stop_pending = false;
	assert_int_equal(exit_dispatch(v, &e), EXIT_RESUME); /* resumed: delivered */
	assert_int_equal(fv.b.nevents, 1);
	assert_int_equal(fv.b.events[0].vector, ARCH_VEC_BP);
	e.kind = EXIT_EXCEPTION;
	e.exc.vector = ARCH_VEC_BP;
	assert_int_equal(exit_dispatch(v, &e), EXIT_RESUME);
	assert_true(g.stop_pending);
	assert_int_equal(fv.b.nevents, 1);
}

static void test_triple_fault_and_detach(void **state)
{
	struct vcpu_exit e = {.kind = EXIT_TRIPLE_FAULT, .raw_name = "test"};

	(void)state;
	mon("catch triple-fault");
	mon("catch io 0x80");
	assert_true(fv.b.io_intercept[0x80]);
	assert_int_equal(exit_dispatch(v, &e), EXIT_STOP);
	assert_true(vcpu_gdb_guest_stopped(v));
	assert_int_equal(g.stop.kind, GDB_STOP_CATCH);
	assert_string_equal(g.stop.why,
			    "catch 1: triple fault (shutdown); the guest cannot run on\n");
	send_pkt("c"); /* it cannot run: the same stop again */
	send_pkt("D");
	assert_false(vcpu_gdb_service(v));
	assert_non_null(strstr(strstr(link.out, "$T05") + 1, "$T05"));
	/* Detached: no catchpoint is left to stop a guest nobody debugs. */
	assert_int_equal(g.catches.count, 0);
	assert_false(fv.b.io_intercept[0x80]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_bad_arguments, setup),
	    cmocka_unit_test_setup(test_table_full, setup),
	    cmocka_unit_test_setup(test_io_catch, setup),
	    cmocka_unit_test_setup(test_cpuid_catch, setup),
	    cmocka_unit_test_setup(test_exception_catch, setup),
	    cmocka_unit_test_setup(test_int3_at_hidden_break_caught, setup),
	    cmocka_unit_test_setup(test_guest_int3_caught, setup),
	    cmocka_unit_test_setup(test_triple_fault_and_detach, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
