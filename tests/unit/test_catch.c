/* test_catch.c - monitor catch: parsing, intercepts, matching, the stop, resuming. */
#include "fake_vcpu.h"

#include <stdio.h>

#include "core/exit.h"
#include "core/vcpu_util.h"
#include "debug/vcpu_debug.h"
#include "debug/vcpu_gdb.h"

#define LINK_MAX    8192
#define COM1	    0x3f8
#define COM1_LAST   0x3ff
#define EXIT_PORT   0xf4
#define ARCH_EFER   0xc0000080u
#define ARCH_TSC    0x10u
#define ARCH_VEC_DB 1
#define ARCH_VEC_BP 3
#define ARCH_VEC_DF 8
#define ARCH_VEC_PF 14
#define INSN_LEN    2
#define PF_ADDR	    0xdead000
#define PF_WRITE    2
#define IDE_DATA    0x1f0
#define POST_PORT   0x80
#define STR_DST	    0x3000
#define STR_SRC	    0x3100

static struct fake_vcpu fv;
static struct vcpu *const v = &fv.v;
static struct vcpu_gdb g;
static char out[GDB_MONITOR_MAX];

static struct {
	char in[LINK_MAX];
	size_t in_len, in_pos;
	char out[LINK_MAX];
	size_t out_len;
} link;

static int link_getc(void *ctx)
{
	(void)ctx;
	return link.in_pos < link.in_len ? (unsigned char)link.in[link.in_pos++] : GDB_IO_NONE;
}

static void link_putc(void *ctx, char c)
{
	(void)ctx;
	if (link.out_len + 1 < LINK_MAX)
		link.out[link.out_len++] = c;
	link.out[link.out_len] = '\0';
}

static void send_pkt(const char *p)
{
	unsigned sum = 0;

	for (const char *c = p; *c; c++)
		sum += (unsigned char)*c;
	link.in_len += (size_t)snprintf(link.in + link.in_len, LINK_MAX - link.in_len, "+$%s#%02x",
					p, sum & 0xff);
}

/* A vcpu with gdb attached (stopped at the first instruction, then continued). */
static int setup(void **state)
{
	(void)state;
	fake_vcpu_init(&fv, true, 0);
	memset(&link, 0, sizeof(link));
	exit_setup_intercepts(v);
	vcpu_debug_setup(v, &(struct dr_features){.amd = true});
	vcpu_gdb_init(&g, v, &(struct gdb_io){link_getc, link_putc, NULL}, true);
	send_pkt("qSupported:swbreak+;hwbreak+");
	send_pkt("c");
	assert_true(vcpu_gdb_service(v));
	return 0;
}

static const char *mon(const char *cmd)
{
	assert_int_equal(vcpu_gdb_monitor(&g, cmd, out, sizeof(out)), 0);
	return out;
}

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
	expect_error("catch msr 0x10 write", "runs natively");
	expect_error("catch msr 0xc0000080 both", "neither read nor write");
	expect_error("catch cpuid 0xq", "bad leaf");
	expect_error("catch cpuid 1 2", "unexpected '2'");
	expect_error("catch exception", "bad vector");
	expect_error("catch exception 32", "bad vector");
	expect_error("catch exception 1", "cannot be caught");
	expect_error("catch exception NMI", "cannot be caught");
	expect_error("catch triple-fault now", "unexpected 'now'");
	expect_error("catch frobnicate", "unknown kind 'frobnicate'");
	expect_error("catch io 0x3f8 inxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "too long");
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

static void test_gdb_int3_not_caught(void **state)
{
	struct vcpu_exit e = {.kind = EXIT_EXCEPTION, .raw_name = "test", .insn_len = 1};

	(void)state;
	mon("catch exception 3");
	send_pkt("Z0,1000,1"); /* gdb's breakpoint at RIP (FAKE_DEFAULT_RIP) */
	send_pkt("c");
	g.stop_pending = true;
	assert_true(vcpu_gdb_service(v));
	e.exc.vector = ARCH_VEC_BP;
	assert_int_equal(exit_dispatch(v, &e), EXIT_RESUME);
	assert_int_equal(g.stop.kind, GDB_STOP_SIGTRAP_SW);
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
	    cmocka_unit_test_setup(test_string_io_caught, setup),
	    cmocka_unit_test_setup(test_msr_catch, setup),
	    cmocka_unit_test_setup(test_cpuid_catch, setup),
	    cmocka_unit_test_setup(test_exception_catch, setup),
	    cmocka_unit_test_setup(test_gdb_int3_not_caught, setup),
	    cmocka_unit_test_setup(test_guest_int3_caught, setup),
	    cmocka_unit_test_setup(test_triple_fault_and_detach, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
