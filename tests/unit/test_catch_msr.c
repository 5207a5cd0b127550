/* test_catch_msr.c - MSR catchpoints (intercepted or passed-through MSRs) and caught string I/O. */
#include "catch_session.h"

static enum exit_result string_exit(uint16_t port, bool in)
{
	struct vcpu_exit e = {.kind = EXIT_IO, .raw_name = "test", .insn_len = INSN_LEN};

	e.io.port = port;
	e.io.size = in ? 2 : 1;
	e.io.in = in;
	e.io.string = e.io.rep = true;
	v->gpr[GPR_RCX] = 2;
	return exit_dispatch(v, &e);
}

/* REP INSW / OUTSB on a port only a catchpoint made exit reach the device when resumed. */
static void test_string_io_caught(void **state)
{
	static const uint8_t src[] = {0x11, 0x22};
	uint8_t got[4];

	(void)state;
	mon("catch io 0x1f0 in");
	mon("catch io 0x80");
	fake_host.port_in_value = 0xbeef;
	v->gpr[GPR_RDI] = STR_DST;
	assert_int_equal(string_exit(IDE_DATA, true), EXIT_RESUME);
	assert_string_equal(g.stop.why, "catch 1: ins 0x1f0 (2 bytes per element, rep)\n");
	assert_int_equal(fake_host.nins, 0);
	g.stop_pending = false;
	assert_int_equal(string_exit(IDE_DATA, true), EXIT_RESUME);
	assert_int_equal(fake_host.nins, 2);
	memcpy(got, &fake_host.mem[STR_DST], sizeof(got));
	assert_memory_equal(got, ((uint8_t[]){0xef, 0xbe, 0xef, 0xbe}), sizeof(got));
	assert_int_equal(v->gpr[GPR_RDI], STR_DST + sizeof(got));
	assert_int_equal(v->gpr[GPR_RCX], 0);
	fake_mem_put(STR_SRC, src, sizeof(src));
	v->gpr[GPR_RSI] = STR_SRC;
	assert_int_equal(string_exit(POST_PORT, false), EXIT_RESUME);
	assert_string_equal(g.stop.why, "catch 2: outs 0x80 (1 byte per element, rep)\n");
	g.stop_pending = false;
	assert_int_equal(string_exit(POST_PORT, false), EXIT_RESUME);
	assert_int_equal(fake_host.nouts, 2);
	assert_int_equal(fake_host.outs[0].val, 0x11);
	assert_int_equal(fake_host.outs[1].val, 0x22);
	assert_int_equal(v->gpr[GPR_RSI], STR_SRC + sizeof(src));
}

static enum exit_result msr_exit(enum exit_kind kind, uint32_t index, uint64_t val)
{
	struct vcpu_exit e = {.kind = kind, .raw_name = "test", .insn_len = INSN_LEN};

	v->gpr[GPR_RCX] = index;
	v->gpr[GPR_RAX] = val & 0xffffffffu;
	v->gpr[GPR_RDX] = val >> 32;
	return exit_dispatch(v, &e);
}

static void test_msr_catch(void **state)
{
	uint64_t rip = fv.b.regs[REG_RIP];

	(void)state;
	assert_string_equal(mon("catch msr 0xc0000080 write"), "catch 1: msr 0xc0000080 write\n");
	assert_int_equal(msr_exit(EXIT_MSR_READ, ARCH_EFER, 0), EXIT_RESUME);
	assert_false(g.stop_pending);
	assert_int_equal(fv.b.regs[REG_RIP], rip + INSN_LEN);
	assert_int_equal(msr_exit(EXIT_MSR_WRITE, ARCH_EFER, 0x100000d01ull), EXIT_RESUME);
	assert_string_equal(g.stop.why, "catch 1: wrmsr 0xc0000080 <- 0x100000d01\n");
	assert_int_equal(fv.b.regs[REG_RIP], rip + INSN_LEN);
	/* An MSR outside the bitmaps always exits, so it can be caught. */
	assert_string_equal(mon("catch msr 0x40000000"), "catch 2: msr 0x40000000\n");
}

/* An MSR the guest uses natively: intercepted for the catchpoint, executed on the guest's
 * behalf when resumed (a #GP if the CPU lacks it), back to native on delete. */
static void test_msr_passthrough_catch(void **state)
{
	(void)state;
	fake_host.safe_msr = ARCH_TSC_AUX;
	assert_false(fake_msr_intercepted(&fv, ARCH_TSC_AUX));
	assert_string_equal(mon("catch msr 0xc0000103"), "catch 1: msr 0xc0000103\n");
	assert_true(fake_msr_intercepted(&fv, ARCH_TSC_AUX));
	assert_int_equal(msr_exit(EXIT_MSR_WRITE, ARCH_TSC_AUX, TSC_AUX_VAL), EXIT_RESUME);
	assert_string_equal(g.stop.why, "catch 1: wrmsr 0xc0000103 <- 0x1234\n");
	assert_int_equal(fake_host.safe_msr_calls, 0);
	g.stop_pending = false;
	assert_int_equal(msr_exit(EXIT_MSR_WRITE, ARCH_TSC_AUX, TSC_AUX_VAL), EXIT_RESUME);
	assert_int_equal(fake_host.safe_msr_val, TSC_AUX_VAL);
	assert_int_equal(msr_exit(EXIT_MSR_READ, ARCH_TSC_AUX, 0), EXIT_RESUME);
	assert_string_equal(g.stop.why, "catch 1: rdmsr 0xc0000103\n");
	g.stop_pending = false;
	assert_int_equal(msr_exit(EXIT_MSR_READ, ARCH_TSC_AUX, 0), EXIT_RESUME);
	assert_int_equal(v->gpr[GPR_RAX], TSC_AUX_VAL);
	assert_int_equal(v->gpr[GPR_RDX], 0);
	assert_int_equal(fv.b.nevents, 0);
	/* An MSR the CPU lacks: the resumed RDMSR raises #GP, as natively. */
	mon("catch msr 0x1a0 read");
	assert_int_equal(msr_exit(EXIT_MSR_READ, ARCH_MISC_ENABLE, 0), EXIT_RESUME);
	assert_int_equal(fv.b.nevents, 0);
	g.stop_pending = false;
	assert_int_equal(msr_exit(EXIT_MSR_READ, ARCH_MISC_ENABLE, 0), EXIT_RESUME);
	assert_int_equal(fv.b.nevents, 1);
	assert_int_equal(fv.b.events[0].vector, ARCH_VEC_GP);
	mon("catch delete 1");
	assert_false(fake_msr_intercepted(&fv, ARCH_TSC_AUX));
	for (unsigned i = 0; i < fv.b.nmsrs; i++)
		if (fv.b.msrs[i].msr == ARCH_TSC_AUX)
			assert_false(fv.b.msrs[i].read || fv.b.msrs[i].write);
	/* A write-only catch on EFER leaves EFER's own rule (both) when deleted. */
	mon("catch msr 0xc0000080 write");
	mon("catch delete 3");
	assert_true(fake_msr_intercepted(&fv, ARCH_EFER));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_string_io_caught, setup),
	    cmocka_unit_test_setup(test_msr_catch, setup),
	    cmocka_unit_test_setup(test_msr_passthrough_catch, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
