/* test_gdb_query.c - cmocka tests for the GDB stub's queries, monitor, acks and no-ack mode. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "gdb_session.h"

#define RAW(s) fake_raw(&F, s, sizeof(s) - 1)
#define SUPPORTED                                                                                  \
	"PacketSize=1000;qXfer:features:read+;swbreak+;hwbreak+;QStartNoAckMode+;vContSupported+"

static int fake_monitor_silent(void *ctx, const char *cmd, char *out, size_t outlen)
{
	(void)ctx;
	(void)cmd;
	(void)out;
	(void)outlen;
	return -1;
}

static void test_qsupported(void **state)
{
	(void)state;
	assert_string_equal(ask("qSupported:multiprocess+;swbreak+;hwbreak+;xmlRegisters=i386"),
			    SUPPORTED);
	assert_true(S.gdb_swbreak);
	assert_true(S.gdb_hwbreak);
	assert_string_equal(ask("qSupported"), SUPPORTED);
	assert_false(S.gdb_swbreak);
}

static void test_queries(void **state)
{
	(void)state;
	assert_string_equal(ask("qAttached"), "1");
	assert_string_equal(ask("qAttached:1"), "1");
	assert_string_equal(ask("qC"), "QC1");
	assert_string_equal(ask("qfThreadInfo"), "m1");
	assert_string_equal(ask("qsThreadInfo"), "l");
	assert_string_equal(ask("Hg0"), "OK");
	assert_string_equal(ask("Hc-1"), "OK");
	assert_string_equal(ask("T1"), "OK");
	assert_string_equal(ask("T2"), "E22");
	assert_string_equal(ask("qOffsets"), "");
	assert_string_equal(ask("vMustReplyEmpty"), "");
	assert_string_equal(ask("QNonStop:1"), "");
	assert_string_equal(ask("!"), "");
	assert_string_equal(ask(""), "");
}

static void test_monitor(void **state)
{
	unsigned n;

	(void)state;
	n = fake_npackets(&F);
	assert_string_equal(ask("qRcmd,72656773"), "O7269703d3430303130300a"); /* "regs" */
	assert_string_equal(F.monitor_cmd, "regs");
	assert_true(fake_reply(&F, n + 1, R, sizeof(R)));
	assert_string_equal(R, "OK");
	n = fake_npackets(&F);
	assert_string_equal(ask("qRcmd,6e6f7065"),
			    "O756e6b6e6f776e20636f6d6d616e640a"); /* "nope" */
	assert_true(fake_reply(&F, n + 1, R, sizeof(R)));
	assert_string_equal(R, "E01");
	S.tgt.monitor = fake_monitor_silent;
	assert_string_equal(ask("qRcmd,6e6f7065"), "E01");
	S.tgt.monitor = fake_monitor;
	assert_string_equal(ask("qRcmd,6e6"), "E22");
	n = fake_npackets(&F);
	ask("qRcmd,6c6f6e67"); /* "long": the whole buffer */
	assert_int_equal(strlen(R), 1 + 2 * (GDB_MONITOR_MAX - 1));
	S.tgt.monitor = NULL;
	assert_string_equal(ask("qRcmd,72656773"), "");
}

static void test_no_ack_mode(void **state)
{
	(void)state;
	assert_string_equal(ask("QStartNoAckMode"), "OK");
	RAW("+"); /* gdb's ack of that OK */
	assert_string_equal(ask("qC"), "QC1");
	assert_string_equal(fake_acks(&F), "+");	   /* for QStartNoAckMode only */
	assert_string_equal(ask("qSupported"), SUPPORTED); /* a new gdb: acks again */
	assert_false(S.proto.no_ack);
}

static void test_retransmit_and_bad_checksum(void **state)
{
	int sig;

	(void)state;
	fake_pkt(&F, "qC");
	RAW("-$D#00"); /* resend QC1; a corrupted D does nothing */
	assert_int_equal(act("c", &sig), GDB_ACT_CONTINUE);
	assert_string_equal(F.out, "+$QC1#c5$QC1#c5-+");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_qsupported, setup64),
	    cmocka_unit_test_setup(test_queries, setup64),
	    cmocka_unit_test_setup(test_monitor, setup64),
	    cmocka_unit_test_setup(test_no_ack_mode, setup64),
	    cmocka_unit_test_setup(test_retransmit_and_bad_checksum, setup64),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
