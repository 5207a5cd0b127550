/* test_vcpu_gdb.c - the stub attached to a (fake) vcpu: stops, steps, breakpoints, monitor. */
#include "vcpu_gdb_link.h"
#include "core/exit.h"

static void test_attach_keeps_drs_emulated(void **state)
{
	(void)state;
	assert_true(g.stop_pending);
	assert_int_equal(g.stop.kind, GDB_STOP_INITIAL);
	attach_and("c");
	assert_false(g.stop_pending);
	assert_true(v->dr->debugger_attached);
	assert_true(fv.b.exc_intercepts & (1u << ARCH_VEC_BP));
	/* A guest touching its DRs now stays emulated: gdb's steps never reach its DR6. */
	v->dr->guest_touched = true;
	dr_recompute(v->dr);
	assert_false(v->dr->native);
	/* Nothing pending: service is free and lets the guest run. */
	assert_true(vcpu_gdb_service(v));
	/* A #DB gdb has no part in goes to the guest even when its status came back empty. */
	assert_int_equal(db_exit(0), EXIT_RESUME);
	assert_int_equal(fv.b.nevents, 1);
	assert_false(g.stop_pending);
}

static void test_step_is_the_debuggers(void **state)
{
	(void)state;
	attach_and("s");
	assert_true(rflags() & RFLAGS_TF);
	assert_int_equal(fv.b.step_shadows, 1); /* interrupts held off for the step */
	assert_int_equal(db_exit(DR6_BS), EXIT_RESUME);
	assert_int_equal(fv.b.nevents, 0); /* the guest never sees our single-step */
	assert_int_equal(v->dr->guest.dr6, DR6_INIT);
	assert_true(g.stop_pending);
	assert_int_equal(g.stop.kind, GDB_STOP_STEP);
	send_pkt("c");
	assert_true(vcpu_gdb_service(v));
	assert_non_null(strstr(link.out, "$T05thread:1;"));
	assert_false(rflags() & RFLAGS_TF); /* our TF is gone again */
}

static void test_step_irq_on_lets_interrupts_in(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(vcpu_gdb_monitor(&g, "step-irq on", out, sizeof(out)), 0);
	attach_and("s");
	assert_int_equal(fv.b.step_shadows, 0);
	assert_true(rflags() & RFLAGS_TF);
}

static void test_step_over_emulated_instruction(void **state)
{
	(void)state;
	attach_and("s");
	vcpu_complete_insn(v, 2); /* e.g. a CPUID the hypervisor emulated */
	assert_int_equal(fv.b.nevents, 0);
	assert_int_equal(g.stop.kind, GDB_STOP_STEP);
	assert_int_equal(fv.b.regs[REG_RIP], FAKE_DEFAULT_RIP + 2);
}

static void test_guest_own_tf_still_delivered(void **state)
{
	(void)state;
	fv.b.regs[REG_RFLAGS] |= RFLAGS_TF;
	attach_and("s");
	assert_int_equal(db_exit(DR6_BS), EXIT_RESUME);
	assert_int_equal(fv.b.nevents, 1);
	assert_int_equal(fv.b.events[0].vector, ARCH_VEC_DB);
	assert_true(v->dr->guest.dr6 & DR6_BS);
	assert_int_equal(g.stop.kind, GDB_STOP_STEP);
	send_pkt("c");
	assert_true(vcpu_gdb_service(v));
	assert_true(rflags() & RFLAGS_TF); /* the guest's own TF stays */
}

/* No RF on resume: gdb takes its hbreak out before stepping past it, and one left in where
 * the guest resumes (gdb's jump or call to that address) must stop it at once, as QEMU's. */
static void test_hw_breakpoint_no_rf(void **state)
{
	(void)state;
	attach_and("c");
	send_pkt("Z1,1010,1");
	send_pkt("c");
	vcpu_gdb_request_stop(v, GDB_STOP_INTERRUPT, 0, 0);
	assert_true(vcpu_gdb_service(v));
	assert_true(v->dr->dbg[0].used);
	assert_int_equal(v->dr->dbg[0].rw, DR7_RW_EXEC);
	assert_int_equal(v->dr->slot_owner[0], DR_SLOT_DEBUGGER);
	/* Hardware slot 0 fires: gdb's, not the guest's. */
	assert_int_equal(db_exit(DR6_B(0)), EXIT_RESUME);
	assert_int_equal(fv.b.nevents, 0);
	assert_int_equal(g.stop.kind, GDB_STOP_SIGTRAP_HW);
	send_pkt("c");
	assert_true(vcpu_gdb_service(v));
	assert_non_null(strstr(link.out, "T05hwbreak:;"));
	assert_false(rflags() & RFLAGS_RF); /* still inserted: it fires again at once */
}

static void test_watchpoints(void **state)
{
	struct gdb_target t;

	(void)state;
	vcpu_gdb_target(&g, &t);
	assert_int_equal(t.set_hw_bp(t.ctx, GDB_WP_WRITE, DATA_ADDR, 4), 0);
	assert_int_equal(t.set_hw_bp(t.ctx, GDB_WP_ACCESS, DATA_ADDR + 8, 8), 0);
	/* What no debug register can do goes to the nested page tables: misaligned, read. */
	assert_int_equal(t.set_hw_bp(t.ctx, GDB_WP_WRITE, OTHER_PAGE + 2, 4), 0);
	assert_int_equal(t.set_hw_bp(t.ctx, GDB_WP_READ, OTHER_PAGE, 4), 0);
	assert_int_equal(fake_prot_of(v, OTHER_PAGE), NESTED_DENY_WRITE | NESTED_DENY_ACCESS);
	assert_int_equal(v->dr->dbg[0].len_code, DR7_LEN_4);
	assert_int_equal(v->dr->dbg[1].len_code, DR7_LEN_8);
	/* A guest breakpoint shares the CPU: hardware slot 2 is its DR0. */
	v->dr->guest.db[0] = BP_ADDR;
	v->dr->guest.dr7 = DR7_INIT | DR7_L(0);
	dr_recompute(v->dr);
	assert_int_equal(db_exit(DR6_B(1) | DR6_B(2)), EXIT_RESUME);
	assert_int_equal(g.stop.kind, GDB_STOP_AWATCH);
	assert_int_equal(g.stop.addr, DATA_ADDR + 8);
	assert_int_equal(fv.b.nevents, 1); /* the guest's own hit, renumbered to B0 */
	assert_int_equal(v->dr->guest.dr6 & DR6_B_MASK, DR6_B(0));
	assert_int_equal(t.clear_hw_bp(t.ctx, GDB_WP_WRITE, DATA_ADDR, 4), 0);
	assert_false(v->dr->dbg[0].used);
	assert_int_equal(t.clear_hw_bp(t.ctx, GDB_WP_READ, OTHER_PAGE, 4), 0);
	assert_int_equal(fake_prot_of(v, OTHER_PAGE), NESTED_DENY_WRITE);
	assert_int_equal(t.clear_hw_bp(t.ctx, GDB_WP_WRITE, OTHER_PAGE + 2, 4), 0);
	assert_int_equal(fake_prot_of(v, OTHER_PAGE), 0);
}

static void test_dead_guest_held_for_gdb(void **state)
{
	struct vcpu_exit e = {.kind = EXIT_TRIPLE_FAULT, .raw_name = "test"};

	(void)state;
	attach_and("c");
	assert_int_equal(exit_dispatch(v, &e), EXIT_STOP);
	assert_true(vcpu_gdb_guest_stopped(v));
	assert_int_equal(g.stop.kind, GDB_STOP_FAULT);
	send_pkt("c"); /* it cannot run: the same stop again */
	send_pkt("D");
	assert_false(vcpu_gdb_service(v));
	assert_non_null(strstr(link.out, "T0b"));
	assert_non_null(strstr(strstr(link.out, "T0b") + 1, "T0b"));
	assert_int_equal(v->stop.reason, STOP_TRIPLE_FAULT);
}

static void test_exit_and_kill(void **state)
{
	(void)state;
	attach_and("c");
	v->stop.reason = STOP_GUEST_EXIT;
	v->stop.exit_code = 3;
	assert_false(vcpu_gdb_guest_stopped(v));
	assert_non_null(strstr(link.out, "$W03#"));
	setup(true);
	send_pkt("k");
	assert_false(vcpu_gdb_service(v));
	assert_int_equal(v->stop.reason, STOP_KILLED);
}

static void test_ctrl_c_polling(void **state)
{
	(void)state;
	attach_and("c");
	vcpu_gdb_poll(v); /* nothing on the line */
	assert_false(g.stop_pending);
	link.in[link.in_len++] = CTRL_C;
	vcpu_gdb_before_entry(v, false); /* no kick: the line is not read */
	assert_false(g.stop_pending);
	link.kicked_in_host = true; /* the kick NMI landed in the hypervisor */
	vcpu_gdb_before_entry(v, false);
	assert_int_equal(g.stop.kind, GDB_STOP_INTERRUPT);
	/* An NMI exit that is the watcher's kick: polled, not given to the guest. */
	g.stop_pending = false;
	link.in[link.in_len++] = CTRL_C;
	link.kicked = true;
	assert_int_equal(exit_dispatch(v, &(struct vcpu_exit){.kind = EXIT_NMI}), EXIT_RESUME);
	nmi_before_entry(v);
	assert_int_equal(fv.b.nevents, 0);
	assert_true(g.stop_pending);
	/* A watcher kick that is not ours is the guest's NMI. */
	g.stop_pending = false;
	assert_int_equal(exit_dispatch(v, &(struct vcpu_exit){.kind = EXIT_NMI}), EXIT_RESUME);
	assert_int_equal(fv.b.nevents, 0);
	nmi_before_entry(v); /* the latched NMI goes in before the next entry */
	assert_int_equal(fv.b.nevents, 1);
	assert_int_equal(fv.b.events[0].type, EVENT_NMI);
	/* Without a timer or watcher: every poll_every-th exit. */
	g.poll_every = 4;
	link.in[link.in_len++] = CTRL_C;
	v->exits_total = 3;
	vcpu_gdb_before_entry(v, false);
	assert_false(g.stop_pending);
	v->exits_total = 4;
	vcpu_gdb_before_entry(v, false);
	assert_true(g.stop_pending);
}

static void test_registers(void **state)
{
	struct gdb_target t;
	struct gdb_regs r;

	(void)state;
	vcpu_gdb_target(&g, &t);
	v->gpr[GPR_RBX] = 0x1234;
	v->dr->guest.dr7 = DR7_INIT | DR7_G(1);
	/* SVM's VMRUN wants SVME in the guest's EFER; the guest never sees it */
	fv.b.regs[REG_EFER] = EFER_SVME | EFER_NXE;
	assert_int_equal(t.get_regs(t.ctx, &r), 0);
	assert_int_equal(r.efer, EFER_NXE);
	assert_int_equal(r.gpr[1], 0x1234); /* gdb's order: rax rbx rcx ... */
	assert_int_equal(r.rip, FAKE_DEFAULT_RIP);
	assert_int_equal(r.dr[7], DR7_INIT | DR7_G(1));
	assert_false(t.is_64bit(t.ctx));
	r.gpr[0] = 42;
	r.rip = BP_ADDR;
	assert_int_equal(t.set_regs(t.ctx, &r), 0);
	assert_int_equal(v->gpr[GPR_RAX], 42);
	assert_int_equal(fv.b.regs[REG_RIP], BP_ADDR);
	r.cs = 0x33; /* a segment load needs a descriptor: refused, nothing applied */
	r.gpr[0] = 7;
	assert_int_equal(t.set_regs(t.ctx, &r), -1);
	assert_int_equal(v->gpr[GPR_RAX], 42);
	/* What VM entry would refuse, losing the guest: RFLAGS as a load leaves it (bit 1 set,
	 * reserved bits clear), VM never, no RIP beyond what the code size can hold. */
	r.cs = 0x8;
	r.eflags = 0xffc08000;
	assert_int_equal(t.set_regs(t.ctx, &r), 0);
	assert_int_equal(fv.b.regs[REG_RFLAGS], RFLAGS_FIXED1);
	r.eflags = RFLAGS_FIXED1 | RFLAGS_VM;
	assert_int_equal(t.set_regs(t.ctx, &r), -1);
	r.eflags = RFLAGS_FIXED1;
	r.rip = 1ull << 32;
	assert_int_equal(t.set_regs(t.ctx, &r), -1);
	fake_mode_long64(&fv);
	assert_int_equal(t.get_regs(t.ctx, &r), 0);
	r.rip = 1ull << 32;
	assert_int_equal(t.set_regs(t.ctx, &r), 0);
	r.rip = 1ull << 47;
	assert_int_equal(t.set_regs(t.ctx, &r), -1);
	r.rip = ~0ull << 47;
	assert_int_equal(t.set_regs(t.ctx, &r), 0);
	fv.b.regs[REG_CR4] |= CR4_LA57;
	assert_int_equal(t.get_regs(t.ctx, &r), 0);
	r.rip = 1ull << 47;
	assert_int_equal(t.set_regs(t.ctx, &r), 0);
	assert_int_equal(fv.b.regs[REG_RIP], 1ull << 47);
}

static void test_monitor(void **state)
{
	char out[GDB_MONITOR_MAX];

	(void)state;
	assert_int_equal(vcpu_gdb_monitor(&g, "help", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "step-irq on|off"));
	dr_debugger_set(v->dr, DATA_ADDR, DR7_RW_WRITE, DR7_LEN_4);
	assert_int_equal(vcpu_gdb_monitor(&g, "dr", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "slot 0: 0000000000002000 gdb breakpoint 0"));
	v->exits[EXIT_CPUID] = 5;
	v->exits_total = 5;
	assert_int_equal(vcpu_gdb_monitor(&g, "exits", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "CPUID"));
	assert_int_equal(vcpu_gdb_monitor(&g, "regs", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "efer"));
	g.stub.proto.rx_bytes = 123;
	g.stub.proto.tx_bytes = 4567;
	g.stub.proto.idle_polls = 89;
	assert_int_equal(vcpu_gdb_monitor(&g, "wire", out, sizeof(out)), 0);
	assert_string_equal(out, "gdb line: 123 bytes in, 4567 bytes out, 89 polls found none\n");
	assert_int_equal(vcpu_gdb_monitor(&g, "step-irq on", out, sizeof(out)), 0);
	assert_true(g.step_irq);
	assert_int_equal(vcpu_gdb_monitor(&g, "step-irq off", out, sizeof(out)), 0);
	assert_false(g.step_irq);
	assert_int_equal(vcpu_gdb_monitor(&g, "frobnicate", out, sizeof(out)), -1);
	assert_non_null(strstr(out, "Unknown monitor command 'frobnicate'"));
	/* A small buffer truncates, never overflows. */
	assert_int_equal(vcpu_gdb_monitor(&g, "regs", out, 16), 0);
	assert_int_equal(strlen(out), 15);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_attach_keeps_drs_emulated, setup_wait),
	    cmocka_unit_test_setup(test_step_is_the_debuggers, setup_wait),
	    cmocka_unit_test_setup(test_step_irq_on_lets_interrupts_in, setup_wait),
	    cmocka_unit_test_setup(test_step_over_emulated_instruction, setup_wait),
	    cmocka_unit_test_setup(test_guest_own_tf_still_delivered, setup_wait),
	    cmocka_unit_test_setup(test_hw_breakpoint_no_rf, setup_wait),
	    cmocka_unit_test_setup(test_watchpoints, setup_wait),
	    cmocka_unit_test_setup(test_dead_guest_held_for_gdb, setup_wait),
	    cmocka_unit_test_setup(test_exit_and_kill, setup_wait),
	    cmocka_unit_test_setup(test_ctrl_c_polling, setup_wait),
	    cmocka_unit_test_setup(test_registers, setup_wait),
	    cmocka_unit_test_setup(test_monitor, setup_wait),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
