/* test_vcpu_npt.c - gdb breakpoints and watchpoints through the nested page tables. */
#include "vcpu_gdb_link.h"

/* A nested page fault on @gpa: a fetch, a write or a read. */
static enum exit_result npf_exit(uint64_t gpa, bool fetch, bool write)
{
	struct vcpu_exit e = {.kind = EXIT_NPF, .raw_name = "test"};

	e.npf.gpa = gpa;
	e.npf.fetch = fetch;
	e.npf.write = write;
	return exit_dispatch(v, &e);
}

/* gdb's break never writes guest memory: the page loses execute permission, a fetch at the
 * address is the stop, other code on the page runs one stepped instruction at a time. */
static void test_invisible_breakpoint(void **state)
{
	const uint8_t nop = 0x90;
	struct vcpu_exit e = {.kind = EXIT_EXCEPTION, .raw_name = "test", .insn_len = 1};

	(void)state;
	fake_mem_put(BP_ADDR, &nop, 1);
	attach_and("c");
	send_pkt("Z0,1010,1");
	send_pkt("m1010,1");
	send_pkt("c");
	vcpu_gdb_request_stop(v, GDB_STOP_INTERRUPT, 0, 0);
	assert_true(vcpu_gdb_service(v));
	assert_int_equal(fake_host.mem[BP_ADDR], nop);
	assert_non_null(strstr(link.out, "$90#"));
	assert_int_equal(fake_prot_of(v, BP_ADDR), NESTED_DENY_EXEC);
	/* Another instruction of the page: opened, stepped with a TF the guest never sees. */
	fv.b.regs[REG_RIP] = BP_ADDR - 1;
	assert_int_equal(npf_exit(BP_ADDR - 1, true, false), EXIT_RESUME);
	assert_false(g.stop_pending);
	assert_int_equal(fake_prot_of(v, BP_ADDR), 0);
	assert_true(rflags() & RFLAGS_TF);
	fv.b.regs[REG_RIP] = BP_ADDR;
	assert_int_equal(db_exit(DR6_BS), EXIT_RESUME);
	assert_int_equal(fv.b.nevents, 0);
	assert_false(rflags() & RFLAGS_TF);
	assert_int_equal(fake_prot_of(v, BP_ADDR), NESTED_DENY_EXEC);
	/* The breakpoint's own fetch is the stop, the guest before its instruction. */
	assert_int_equal(npf_exit(BP_ADDR, true, false), EXIT_RESUME);
	assert_true(g.stop_pending);
	assert_int_equal(g.stop.kind, GDB_STOP_SIGTRAP_SW);
	assert_int_equal(fv.b.regs[REG_RIP], BP_ADDR);
	/* A write to the page is none of the breakpoint's business: the old rule stops. */
	assert_int_equal(npf_exit(BP_ADDR, false, true), EXIT_STOP);
	/* The guest's own INT3 there is the guest's: gdb planted none. */
	e.exc.vector = ARCH_VEC_BP;
	g.stop_pending = false;
	assert_int_equal(exit_dispatch(v, &e), EXIT_RESUME);
	assert_int_equal(fv.b.nevents, 1);
	assert_int_equal(fv.b.events[0].type, EVENT_SW_EXC);
	/* Detach removes it: the page is as built again. */
	send_pkt("D");
	vcpu_gdb_request_stop(v, GDB_STOP_INTERRUPT, 0, 0);
	assert_true(vcpu_gdb_service(v));
	assert_int_equal(fake_prot_of(v, BP_ADDR), 0);
}

/* Resuming where a breakpoint still is (gdb's jump or call to its address) stops again at
 * once, nothing run, as at an INT3; gdb leaves one by removing it (z0) and stepping. */
static void test_invisible_breakpoint_resume(void **state)
{
	(void)state;
	attach_and("c");
	send_pkt("Z0,1010,1");
	send_pkt("c");
	vcpu_gdb_request_stop(v, GDB_STOP_INTERRUPT, 0, 0);
	assert_true(vcpu_gdb_service(v));
	fv.b.regs[REG_RIP] = BP_ADDR;
	assert_int_equal(npf_exit(BP_ADDR, true, false), EXIT_RESUME);
	send_pkt("c");
	assert_true(v->debug->before_entry(v));
	assert_int_equal(fake_prot_of(v, BP_ADDR), NESTED_DENY_EXEC);
	assert_false(rflags() & RFLAGS_TF);
	assert_int_equal(npf_exit(BP_ADDR, true, false), EXIT_RESUME);
	assert_true(g.stop_pending);
	assert_int_equal(g.stop.kind, GDB_STOP_SIGTRAP_SW);
}

/* gdb's step past its breakpoint: z0 opens the page, the step runs the instruction. */
static void test_step_past_removed_breakpoint(void **state)
{
	(void)state;
	attach_and("c");
	send_pkt("Z0,1010,1");
	send_pkt("c");
	vcpu_gdb_request_stop(v, GDB_STOP_INTERRUPT, 0, 0);
	assert_true(vcpu_gdb_service(v));
	fv.b.regs[REG_RIP] = BP_ADDR;
	assert_int_equal(npf_exit(BP_ADDR, true, false), EXIT_RESUME);
	send_pkt("z0,1010,1");
	send_pkt("s");
	assert_true(v->debug->before_entry(v));
	assert_int_equal(fake_prot_of(v, BP_ADDR), 0);
	assert_true(rflags() & RFLAGS_TF);
	assert_int_equal(db_exit(DR6_BS), EXIT_RESUME);
	assert_true(g.stop_pending);
	assert_int_equal(g.stop.kind, GDB_STOP_STEP);
	assert_int_equal(fv.b.nevents, 0);
}

/* Nested-page watchpoints: a write to other bytes of the page runs on; a write to the bytes
 * is reported after it completed, a read of a read-watched variable too. */
static void test_nested_watchpoints(void **state)
{
	/* MOV [disp32], EAX (89 05 disp32) and MOV EAX, [disp32] (8B 05 disp32). */
	const uint8_t store[] = {0x89, 0x05, 0, 0x20, 0, 0}, load[] = {0x8b, 0x05, 0, 0x20, 0, 0};
	const uint32_t val = 7;
	struct gdb_target t;

	(void)state;
	attach_and("c");
	vcpu_gdb_target(&g, &t);
	for (unsigned i = 0; i < DR_SLOTS; i++) /* the debug registers are all gdb's */
		assert_int_equal(t.set_hw_bp(t.ctx, GDB_WP_WRITE, DATA_ADDR + 0x100 + 8 * i, 8), 0);
	assert_int_equal(t.set_hw_bp(t.ctx, GDB_WP_WRITE, DATA_ADDR + 8, 4), 0);
	assert_int_equal(fake_prot_of(v, DATA_ADDR), NESTED_DENY_WRITE);
	/* The four DR watchpoints on that page followed it into the nested tables. */
	assert_false(v->dr->dbg[0].used);
	fake_mem_put(BP_ADDR, store, sizeof(store));
	fv.b.regs[REG_RIP] = BP_ADDR;
	assert_int_equal(npf_exit(DATA_ADDR + 4, false, true), EXIT_RESUME);
	fake_mem_put(DATA_ADDR + 4, &val, sizeof(val)); /* the stepped store */
	assert_int_equal(db_exit(DR6_BS), EXIT_RESUME);
	assert_false(g.stop_pending);
	assert_int_equal(fake_prot_of(v, DATA_ADDR), NESTED_DENY_WRITE);
	assert_int_equal(npf_exit(DATA_ADDR + 8, false, true), EXIT_RESUME);
	fake_mem_put(DATA_ADDR + 8, &val, sizeof(val));
	assert_int_equal(db_exit(DR6_BS), EXIT_RESUME);
	assert_true(g.stop_pending);
	assert_int_equal(g.stop.kind, GDB_STOP_WATCH);
	assert_int_equal(g.stop.addr, DATA_ADDR + 8);
	assert_int_equal(fv.b.nevents, 0);
	/* rwatch: the page becomes inaccessible; a read of the bytes is the stop. */
	g.stop_pending = false;
	assert_int_equal(t.set_hw_bp(t.ctx, GDB_WP_READ, DATA_ADDR, 4), 0);
	assert_int_equal(fake_prot_of(v, DATA_ADDR), NESTED_DENY_WRITE | NESTED_DENY_ACCESS);
	fake_mem_put(BP_ADDR, load, sizeof(load));
	assert_int_equal(npf_exit(DATA_ADDR + 4, false, false), EXIT_RESUME);
	assert_int_equal(db_exit(DR6_BS), EXIT_RESUME);
	assert_false(g.stop_pending); /* four bytes on: not the watched ones */
	assert_int_equal(npf_exit(DATA_ADDR, false, false), EXIT_RESUME);
	assert_int_equal(db_exit(DR6_BS), EXIT_RESUME);
	assert_true(g.stop_pending);
	assert_int_equal(g.stop.kind, GDB_STOP_RWATCH);
	assert_int_equal(g.stop.addr, DATA_ADDR);
}

/* A Ctrl-C inside a nested-page step: gdb sees the guest's RFLAGS (no TF), and writing
 * them back keeps the step's TF, so the step still ends and closes the page. */
static void test_stop_inside_step_hides_tf(void **state)
{
	struct gdb_target t;
	struct gdb_regs r;

	(void)state;
	attach_and("c");
	send_pkt("Z0,1010,1");
	send_pkt("c");
	vcpu_gdb_request_stop(v, GDB_STOP_INTERRUPT, 0, 0);
	assert_true(vcpu_gdb_service(v));
	fv.b.regs[REG_RIP] = BP_ADDR - 1;
	assert_int_equal(npf_exit(BP_ADDR - 1, true, false), EXIT_RESUME);
	assert_true(rflags() & RFLAGS_TF);
	vcpu_gdb_target(&g, &t);
	assert_int_equal(t.get_regs(t.ctx, &r), 0);
	assert_false(r.eflags & RFLAGS_TF);
	assert_int_equal(t.set_regs(t.ctx, &r), 0);
	assert_true(rflags() & RFLAGS_TF);
	fv.b.regs[REG_RIP] = BP_ADDR;
	assert_int_equal(db_exit(DR6_BS), EXIT_RESUME);
	assert_false(rflags() & RFLAGS_TF);
	assert_int_equal(fake_prot_of(v, BP_ADDR), NESTED_DENY_EXEC);
}

/* VT-x polls the line on preemption-timer exits, which count guest time only: a guest
 * stepped through a breakpoint's page is polled by step count, every 256th step. */
static void test_ctrl_c_while_npt_stepping(void **state)
{
	unsigned steps;
	size_t seen;

	(void)state;
	attach_and("c");
	send_pkt("Z0,1010,1");
	send_pkt("c");
	vcpu_gdb_request_stop(v, GDB_STOP_INTERRUPT, 0, 0);
	assert_true(vcpu_gdb_service(v));
	seen = link.out_len;
	link.in[link.in_len++] = CTRL_C;
	send_pkt("c");
	for (steps = 0; steps < 1000 && !strstr(link.out + seen, "$T02"); steps++) {
		fv.b.regs[REG_RIP] = BP_ADDR - 1;
		assert_int_equal(npf_exit(BP_ADDR - 1, true, false), EXIT_RESUME);
		assert_true(v->debug->before_entry(v));
		assert_int_equal(db_exit(DR6_BS), EXIT_RESUME);
	}
	assert_int_equal(steps, VCPU_GDB_NPT_STEPS_PER_POLL);
}

/* An instruction that exits anyway (CPUID) runs without TF: its exit ends the step. */
static void test_step_by_exit(void **state)
{
	const uint8_t cpuid[] = {0x0f, 0xa2};

	(void)state;
	attach_and("c");
	send_pkt("Z0,1010,1");
	send_pkt("c");
	vcpu_gdb_request_stop(v, GDB_STOP_INTERRUPT, 0, 0);
	assert_true(vcpu_gdb_service(v));
	fake_mem_put(BP_ADDR + 2, cpuid, sizeof(cpuid));
	fv.b.regs[REG_RIP] = BP_ADDR + 2;
	assert_int_equal(npf_exit(BP_ADDR + 2, true, false), EXIT_RESUME);
	assert_int_equal(fake_prot_of(v, BP_ADDR), 0);
	assert_false(rflags() & RFLAGS_TF);
	v->debug->after_exit(v); /* the CPUID exit */
	assert_int_equal(fake_prot_of(v, BP_ADDR), NESTED_DENY_EXEC);
	assert_false(g.stop_pending);
	assert_int_equal(fv.b.nevents, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_invisible_breakpoint, setup_wait),
	    cmocka_unit_test_setup(test_invisible_breakpoint_resume, setup_wait),
	    cmocka_unit_test_setup(test_step_past_removed_breakpoint, setup_wait),
	    cmocka_unit_test_setup(test_stop_inside_step_hides_tf, setup_wait),
	    cmocka_unit_test_setup(test_ctrl_c_while_npt_stepping, setup_wait),
	    cmocka_unit_test_setup(test_nested_watchpoints, setup_wait),
	    cmocka_unit_test_setup(test_step_by_exit, setup_wait),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
