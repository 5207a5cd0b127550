/* test_gdb_mem.c - cmocka tests for the GDB stub's memory packets and breakpoints
 * (debug/gdb_mem.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "debug/gdb/gdb_stub.h"
#include "tests/fuzz/gdb_fake.h"

#define INT3   0xcc
#define MEM(a) F.mem[(a)-FAKE_MEM_BASE]

static struct fake F;
static struct gdb_stub S;
static char R[FAKE_OUT_MAX + 1];
static char E[2 * FAKE_MEM_SIZE + 1];

static int setup(void **state)
{
	struct gdb_io io;
	struct gdb_target t;

	(void)state;
	fake_init(&F, &io, &t, true);
	gdb_init(&S, &io, &t);
	return 0;
}

/* Send pkt (len bytes), then "c" so gdb_stopped returns; the first reply to pkt. */
static const char *ask_n(const char *pkt, size_t len)
{
	struct gdb_stop st = {.kind = GDB_STOP_INITIAL};
	unsigned before = fake_npackets(&F);
	int sig;

	S.resumed = false;
	fake_pkt_n(&F, pkt, len);
	fake_pkt(&F, "c");
	assert_int_equal(gdb_stopped(&S, &st, &sig), GDB_ACT_CONTINUE);
	return fake_reply(&F, before, R, sizeof(R)) ? R : "<none>";
}

static const char *ask(const char *pkt)
{
	return ask_n(pkt, strlen(pkt));
}

static const char *askf(const char *fmt, unsigned long long a)
{
	char pkt[128];

	snprintf(pkt, sizeof(pkt), fmt, a);
	return ask(pkt);
}

/* The fake memory at gva as hex, for comparing with m replies. */
static const char *hex_at(uint64_t gva, size_t len)
{
	for (size_t i = 0; i < len; i++)
		sprintf(E + 2 * i, "%02x", MEM(gva + i));
	return E;
}

static void test_read(void **state)
{
	(void)state;
	assert_string_equal(ask("m400000,10"), hex_at(0x400000, 16));
	assert_string_equal(ask("m40fff0,10"), hex_at(0x40fff0, 16));	 /* the last bytes */
	assert_int_equal(strlen(ask("m400000,10000")), 2 * GDB_MEM_MAX); /* capped */
	assert_string_equal(askf("m%llx,10", FAKE_HOLE - 8), hex_at(FAKE_HOLE - 8, 8)); /* short */
	assert_string_equal(askf("m%llx,1", FAKE_HOLE), "E14");
	assert_string_equal(ask("m410000,1"), "E14");
	assert_string_equal(ask("mffffffffffffffff,2"), "E14");
	assert_string_equal(ask("m400000"), "E22");
	assert_string_equal(ask("m400000,0"), "E22");
	assert_string_equal(ask("m400000,1x"), "E22");
}

static void test_write_hex(void **state)
{
	(void)state;
	assert_string_equal(ask("M400010,4:deadBEEF"), "OK");
	assert_memory_equal(&MEM(0x400010), "\xde\xad\xbe\xef", 4);
	assert_string_equal(askf("M%llx,2:0102", FAKE_HOLE - 1), "E14");
	assert_string_equal(ask("M400010,4:dead"), "E22");
	assert_string_equal(ask("M400010,2:zz00"), "E22");
	assert_string_equal(ask("M400010,2"), "E22");
	assert_string_equal(ask("M400010,0:"), "OK");
}

static void test_write_binary_escapes(void **state)
{
	const char pkt[] = "X400020,6:}\x03}\x04}]}\x0a\x00\x03";

	(void)state;
	assert_string_equal(ask_n(pkt, sizeof(pkt) - 1), "OK");
	assert_memory_equal(&MEM(0x400020), "#$}*\x00\x03", 6);
	assert_string_equal(ask("X400020,0:"), "OK"); /* gdb's probe for X */
	assert_string_equal(ask("X400020,2:a"), "E22");
	assert_string_equal(ask("X400020,1:ab"), "E22");
	assert_string_equal(ask("X400020,1:}"), "E22");
	assert_string_equal(askf("X%llx,1:a", FAKE_HOLE), "E14");
}

/* gdb fills an X packet up to PacketSize (0x1000): 0xfb0 bytes at a 6-digit address. */
static void test_write_binary_full_packet(void **state)
{
	static char pkt[GDB_PKT_MAX];
	const size_t n = 0xfb0;
	int len = snprintf(pkt, sizeof(pkt), "X400100,%zx:", n);

	(void)state;
	for (size_t i = 0; i < n; i++)
		pkt[len + i] = (char)('a' + i % 26);
	assert_string_equal(ask_n(pkt, len + n), "OK");
	assert_memory_equal(&MEM(0x400100), pkt + len, n);
}

static void test_sw_breakpoint_hidden(void **state)
{
	uint8_t orig = MEM(0x400040);
	char want[8];

	(void)state;
	assert_true(orig != INT3);
	snprintf(want, sizeof(want), "%02x%02x%02x", MEM(0x40003f), orig, MEM(0x400041));
	assert_string_equal(ask("Z0,400040,1"), "OK");
	assert_int_equal(MEM(0x400040), INT3);
	assert_true(gdb_owns_sw_bp(&S, 0x400040));
	assert_false(gdb_owns_sw_bp(&S, 0x400041));
	assert_string_equal(ask("m40003f,3"), want);   /* gdb sees the guest's byte */
	assert_string_equal(ask("Z0,400040,1"), "OK"); /* idempotent: still the guest's byte */
	assert_string_equal(ask("m40003f,3"), want);
	assert_string_equal(ask("z0,400040,1"), "OK");
	assert_int_equal(MEM(0x400040), orig);
	assert_false(gdb_owns_sw_bp(&S, 0x400040));
	assert_string_equal(ask("z0,400040,1"), "OK"); /* not there: nothing to do */
}

static void test_write_over_breakpoint(void **state)
{
	(void)state;
	assert_string_equal(ask("Z0,400050,1"), "OK");
	assert_string_equal(ask("M40004e,4:01020304"), "OK");
	assert_int_equal(MEM(0x40004e), 1);
	assert_int_equal(MEM(0x400050), INT3); /* still armed */
	assert_string_equal(ask("m40004e,4"), "01020304");
	assert_string_equal(ask("X400050,1:\x7f"), "OK");
	assert_int_equal(MEM(0x400050), INT3);
	assert_string_equal(ask("z0,400050,1"), "OK");
	assert_int_equal(MEM(0x400050), 0x7f); /* the byte gdb wrote last */
}

static void test_sw_breakpoint_errors(void **state)
{
	(void)state;
	assert_string_equal(askf("Z0,%llx,1", FAKE_HOLE + 4), "E14");
	assert_false(gdb_owns_sw_bp(&S, FAKE_HOLE + 4));
	for (unsigned i = 0; i < GDB_SW_BP_MAX; i++)
		assert_string_equal(askf("Z0,%llx,1", FAKE_MEM_BASE + 0x1000 + i), "OK");
	assert_string_equal(ask("Z0,400f00,1"), "E28");
	assert_string_equal(ask("Z0,401000,1"), "OK"); /* present already */
	assert_string_equal(ask("Z0,401000"), "E22");
	assert_string_equal(ask("Z0;401000,1"), "E22");
	assert_string_equal(ask("Z5,401000,1"), ""); /* a type we do not know */
}

static void test_hw_breakpoints(void **state)
{
	(void)state;
	assert_string_equal(ask("Z1,400100,1"), "OK");
	assert_string_equal(ask("Z2,400200,4"), "OK");
	assert_string_equal(ask("Z3,400208,8"), "OK");
	assert_string_equal(ask("Z4,400210,2"), "OK");
	assert_string_equal(ask("Z4,400210,2"), "OK"); /* idempotent: no second call */
	assert_int_equal(F.ncalls, 4);
	assert_true(F.calls[1].set && F.calls[1].type == GDB_WP_WRITE &&
		    F.calls[1].addr == 0x400200);
	assert_int_equal(F.calls[2].len, 8);
	assert_int_equal(F.calls[2].type, GDB_WP_READ);
	assert_int_equal(F.calls[3].type, GDB_WP_ACCESS);
	assert_string_equal(ask("Z2,400300,4"), "E28"); /* the fake has 4 slots */
	assert_string_equal(ask("Z2,400300,3"), "E22");
	assert_string_equal(ask("Z2,400300,10"), "E22");
	assert_string_equal(ask("z2,400200,4"), "OK");
	assert_false(F.calls[F.ncalls - 1].set);
	assert_int_equal(F.calls[F.ncalls - 1].len, 4);
	assert_string_equal(ask("z2,400200,4"), "OK"); /* gone already: no call */
	assert_false(F.calls[F.ncalls - 1].set);
	assert_int_equal(F.hw_used, 3);
	S.tgt.set_hw_bp = NULL;
	assert_string_equal(ask("Z1,400100,1"), ""); /* unsupported */
}

static void test_remove_all(void **state)
{
	uint8_t a = MEM(0x400060), b = MEM(0x400070);

	(void)state;
	ask("Z0,400060,1");
	ask("Z0,400070,1");
	ask("Z1,400080,1");
	ask("Z2,400090,8");
	gdb_remove_all(&S);
	assert_int_equal(MEM(0x400060), a);
	assert_int_equal(MEM(0x400070), b);
	assert_false(gdb_owns_sw_bp(&S, 0x400060));
	assert_int_equal(F.hw_used, 0);
	assert_int_equal(F.ncalls, 4);
	assert_string_equal(ask("Z1,400080,1"), "OK"); /* forgotten: set again */
	assert_int_equal(F.ncalls, 5);
}

static void test_detach_and_close_restore(void **state)
{
	struct gdb_stop st = {.kind = GDB_STOP_INITIAL};
	uint8_t a = MEM(0x400060);
	int sig;

	(void)state;
	ask("Z0,400060,1");
	fake_pkt(&F, "D");
	assert_int_equal(gdb_stopped(&S, &st, &sig), GDB_ACT_DETACH);
	assert_int_equal(MEM(0x400060), a);
	ask("Z0,400060,1");
	ask("Z3,400000,4");
	assert_int_equal(gdb_stopped(&S, &st, &sig), GDB_ACT_DETACH); /* the link closes */
	assert_int_equal(MEM(0x400060), a);
	assert_int_equal(F.hw_used, 0);
}

/* A gdb that went away without D (killed, or the line dropped while the guest ran) left its
 * breakpoints in; the next one opens with qSupported and knows none of them. */
static void test_new_connection_drops_stale(void **state)
{
	uint8_t a = MEM(0x400060);

	(void)state;
	ask("Z0,400060,1");
	ask("Z2,400090,8");
	ask("qSupported:swbreak+;hwbreak+");
	assert_int_equal(MEM(0x400060), a);
	assert_false(gdb_owns_sw_bp(&S, 0x400060));
	assert_int_equal(F.hw_used, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_read, setup),
	    cmocka_unit_test_setup(test_write_hex, setup),
	    cmocka_unit_test_setup(test_write_binary_escapes, setup),
	    cmocka_unit_test_setup(test_write_binary_full_packet, setup),
	    cmocka_unit_test_setup(test_sw_breakpoint_hidden, setup),
	    cmocka_unit_test_setup(test_write_over_breakpoint, setup),
	    cmocka_unit_test_setup(test_sw_breakpoint_errors, setup),
	    cmocka_unit_test_setup(test_hw_breakpoints, setup),
	    cmocka_unit_test_setup(test_remove_all, setup),
	    cmocka_unit_test_setup(test_detach_and_close_restore, setup),
	    cmocka_unit_test_setup(test_new_connection_drops_stale, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
