/* test_gdb_proto.c - cmocka tests for GDB packet framing, acks, escapes and hex in
 * debug/gdb_proto.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "debug/gdb/gdb_proto.h"
#include "tests/fuzz/gdb_fake.h"

#define OVERSIZE (GDB_PKT_MAX + 100)
#define RAW(s)	 fake_raw(&F, s, sizeof(s) - 1)

static struct fake F;
static struct gdb_proto P;
static char buf[FAKE_OUT_MAX + 1];

static int setup(void **state)
{
	struct gdb_io io;
	struct gdb_target t;

	(void)state;
	fake_init(&F, &io, &t, true);
	gdb_proto_init(&P, &io);
	return 0;
}

/* Feed all scripted input; returns the packets seen, their payloads joined by '|'. */
static const char *run(unsigned *npkts, unsigned *nints)
{
	static char seen[FAKE_OUT_MAX];
	enum gdb_event ev;

	seen[0] = '\0';
	*npkts = *nints = 0;
	while ((ev = gdb_proto_poll(&P)) != GDB_EV_CLOSED) {
		if (ev == GDB_EV_PACKET) {
			if (*npkts)
				strcat(seen, "|");
			strncat(seen, P.rx, sizeof(seen) - strlen(seen) - 1);
			++*npkts;
		} else if (ev == GDB_EV_INTERRUPT) {
			++*nints;
		}
	}
	return seen;
}

static void test_good_packet_acked(void **state)
{
	unsigned n, ints;

	(void)state;
	RAW("$qC#b4");
	assert_string_equal(run(&n, &ints), "qC");
	assert_int_equal(n, 1);
	assert_string_equal(F.out, "+");
}

static void test_uppercase_checksum(void **state)
{
	unsigned n, ints;

	(void)state;
	RAW("$qC#B4");
	assert_string_equal(run(&n, &ints), "qC");
}

static void test_bad_checksum_naked(void **state)
{
	unsigned n, ints;

	(void)state;
	RAW("$qC#00$qC#zz$qC#b4");
	assert_string_equal(run(&n, &ints), "qC");
	assert_int_equal(n, 1);
	assert_string_equal(F.out, "--+");
}

static void test_send_frames(void **state)
{
	(void)state;
	gdb_proto_send(&P, "OK");
	assert_string_equal(F.out, "$OK#9a");
	assert_true(P.ack_pending);
	gdb_proto_send(&P, ""); /* no input: the ack wait ends at the closed link */
	assert_string_equal(F.out, "$OK#9a$#00");
}

/* A packet leaves in bursts of up to 64 bytes, not a call per byte; without io.write the same
 * bytes go through putc. */
static void test_send_bursts(void **state)
{
	char big[301];

	(void)state;
	P.no_ack = true;
	gdb_proto_send(&P, "T05thread:1;");
	assert_int_equal(F.sends, 1);
	assert_string_equal(F.out, "$T05thread:1;#d7");
	for (size_t i = 0; i < sizeof(big) - 1; i++)
		big[i] = (char)('a' + i % 2); /* no runs */
	big[sizeof(big) - 1] = '\0';
	gdb_proto_send(&P, big);
	assert_int_equal(F.sends, 1 + 5); /* '$', 300 bytes, '#', two digits: 304 bytes */
	P.io.write = NULL;
	F.out_len = 0;
	gdb_proto_send(&P, "OK");
	assert_int_equal(F.sends, 6);
	assert_string_equal(F.out, "$OK#9a");
}

/* Runs are run-length encoded as the gdb manual says: "0000" is "0* " (3 more), 6 and 7
 * repeats would be '#' and '$' so 5 ('"') is used, a count says at most 97 ('~'). */
static void test_send_rle(void **state)
{
	char r[256];

	(void)state;
	P.no_ack = true;
	gdb_proto_send(&P, "0000");
	assert_string_equal(F.out, "$0* #7a");
	F.out_len = 0;
	gdb_proto_send(&P, "00000000");
	assert_string_equal(F.out, "$0*\"00#dc");
	F.out_len = 0;
	memset(r, 'a', 200);
	r[200] = '\0';
	gdb_proto_send(&P, r);
	assert_string_equal(F.out, "$a*~a*~a* #bd");
	assert_true(fake_reply(&F, 0, r, sizeof(r)));
	assert_int_equal(strlen(r), 200);
	assert_int_equal(strspn(r, "a"), 200);
	F.out_len = 0;
	gdb_proto_send(&P, "000}]]]]x"); /* three is not worth it; after an escape as anywhere */
	assert_string_equal(F.out, "$000}]* x#2c");
}

/* The wire counters see every byte: packets, acks, naks, Ctrl-C and garbage in; replies,
 * acks and retransmits out. */
static void test_wire_counters(void **state)
{
	unsigned n, ints;

	(void)state;
	RAW("x$qC#b4\x03$qC#00");
	run(&n, &ints);
	assert_int_equal(P.rx_bytes, 1 + 6 + 1 + 6);
	assert_int_equal(P.tx_bytes, 2);   /* '+' and '-' */
	assert_int_equal(P.idle_polls, 0); /* the scripted link never said "nothing yet" */
	gdb_proto_feed(&P, GDB_IO_NONE);
	assert_int_equal(P.idle_polls, 0); /* closed: sticky, not a poll */
	P.closed = false;		   /* the scripted input ran out; the link goes on */
	gdb_proto_send(&P, "OK");
	gdb_proto_feed(&P, '-'); /* resent */
	gdb_proto_feed(&P, '+');
	assert_int_equal(P.tx_bytes, 2 + 6 + 6);
	assert_int_equal(P.rx_bytes, 14 + 2);
	gdb_proto_reset(&P); /* a new session keeps counting */
	assert_int_equal(P.tx_bytes, 14);
}

static void test_retransmit_on_nak(void **state)
{
	unsigned n, ints;

	(void)state;
	gdb_proto_send(&P, "OK");
	RAW("-+-"); /* resent once; after the '+' a '-' is stray */
	run(&n, &ints);
	assert_string_equal(F.out, "$OK#9a$OK#9a");
}

static void test_wait_ack_between_packets(void **state)
{
	(void)state;
	RAW("-+");
	gdb_proto_send(&P, "A");
	gdb_proto_send(&P, "B"); /* waits: the '-' resends A, the '+' lets B go */
	assert_string_equal(F.out, "$A#41$A#41$B#42");
}

static void test_stray_acks_ignored(void **state)
{
	unsigned n, ints;

	(void)state;
	RAW("++--+$?#3f-");
	assert_string_equal(run(&n, &ints), "?");
	assert_string_equal(F.out, "+");
}

static void test_garbage_between_packets(void **state)
{
	unsigned n, ints;

	(void)state;
	RAW("junk\r\n#12$qC#b4 noise #00 $?#3f\xff");
	assert_string_equal(run(&n, &ints), "qC|?");
	assert_string_equal(F.out, "++");
}

static void test_truncated_packet_resyncs(void **state)
{
	unsigned n, ints;

	(void)state;
	RAW("$qC$?#3f");
	assert_string_equal(run(&n, &ints), "?");
}

static void test_oversize_nak_and_resync(void **state)
{
	static char big[OVERSIZE];
	unsigned n, ints;

	(void)state;
	memset(big, 'a', sizeof(big));
	big[10] = GDB_CTRL_C; /* inside the dropped packet: neither data nor an interrupt */
	big[11] = '-';
	fake_pkt_n(&F, big, sizeof(big));
	fake_pkt(&F, "qC");
	RAW("$");
	fake_raw(&F, big, sizeof(big)); /* cut short by the next '$' */
	fake_pkt(&F, "?");
	assert_string_equal(run(&n, &ints), "qC|?");
	assert_int_equal(ints, 0);
	assert_string_equal(F.out, "-+-+");
}

static void test_max_size_accepted(void **state)
{
	static char big[GDB_PKT_MAX];
	unsigned n, ints;

	(void)state;
	memset(big, 'b', sizeof(big));
	fake_pkt_n(&F, big, sizeof(big));
	run(&n, &ints);
	assert_int_equal(n, 1);
	assert_int_equal(P.rx_len, GDB_PKT_MAX);
	assert_string_equal(F.out, "+");
}

static void test_interrupt_only_outside_packets(void **state)
{
	unsigned n, ints;

	(void)state;
	RAW("\x03");
	fake_pkt_n(&F, "X0,1:\x03", 6);
	RAW("\x03");
	run(&n, &ints);
	assert_int_equal(n, 1);
	assert_int_equal(ints, 2);
	assert_int_equal(P.rx_len, 6);
	assert_int_equal(P.rx[5], GDB_CTRL_C);
}

static void test_no_ack_mode(void **state)
{
	unsigned n, ints;

	(void)state;
	P.no_ack = true;
	gdb_proto_send(&P, "OK");
	assert_false(P.ack_pending);
	RAW("-$qC#00$qC#b4"); /* bad checksum dropped silently, no retransmit */
	assert_string_equal(run(&n, &ints), "qC");
	assert_string_equal(F.out, "$OK#9a");
}

static void test_qsupported_restores_acks(void **state)
{
	unsigned n, ints;

	(void)state;
	P.no_ack = true;
	fake_pkt(&F, "qSupported:swbreak+");
	run(&n, &ints);
	assert_false(P.no_ack);
	assert_string_equal(F.out, "+");
}

static void test_binary_escapes(void **state)
{
	const uint8_t raw[] = {'#', '$', '}', '*', 'a', 0x03, 0};
	uint8_t back[sizeof(raw)];
	size_t n = 0;

	(void)state;
	gdb_proto_begin(&P);
	gdb_proto_put_bin(&P, raw, sizeof(raw));
	assert_int_equal(P.tx_len, 11);
	assert_memory_equal(P.tx,
			    "}\x03}\x04}]}\x0a"
			    "a\x03",
			    10);
	assert_true(gdb_unescape(P.tx, P.tx_len, back, sizeof(back), &n));
	assert_int_equal(n, sizeof(raw));
	assert_memory_equal(back, raw, sizeof(raw));
	assert_false(gdb_unescape("ab}", 3, back, sizeof(back), &n)); /* ends inside one */
	assert_false(gdb_unescape("abcdefgh", 8, back, 4, &n));	      /* too long */
}

static void test_put_overflow_sends_error(void **state)
{
	static char big[GDB_PKT_MAX + 2];

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	gdb_proto_begin(&P);
	gdb_proto_puts(&P, big);
	gdb_proto_end(&P);
	assert_true(fake_reply(&F, 0, buf, sizeof(buf)));
	assert_string_equal(buf, GDB_REPLY_OVERFLOW);
	gdb_proto_begin(&P);
	gdb_proto_puts(&P, big + 10);
	gdb_proto_putf(&P, "%s", "0123456789ab");
	gdb_proto_end(&P);
	assert_true(fake_reply(&F, 1, buf, sizeof(buf)));
	assert_string_equal(buf, GDB_REPLY_OVERFLOW);
}

static void test_hex_helpers(void **state)
{
	const char *s = "1aF,";
	uint64_t v = 0;
	uint8_t out[3];

	(void)state;
	assert_true(gdb_parse_hex(&s, &v));
	assert_int_equal(v, 0x1af);
	assert_string_equal(s, ",");
	s = ",";
	assert_false(gdb_parse_hex(&s, &v));
	s = "ffffffffffffffff";
	assert_true(gdb_parse_hex(&s, &v));
	assert_true(v == UINT64_MAX);
	s = "10000000000000000"; /* 17 digits */
	assert_false(gdb_parse_hex(&s, &v));
	assert_true(gdb_hex_decode("00ff7E", out, 3));
	assert_int_equal(out[2], 0x7e);
	assert_false(gdb_hex_decode("0g", out, 1));
	assert_int_equal(gdb_hex_val('G'), -1);
}

static void test_closed_is_sticky(void **state)
{
	(void)state;
	assert_int_equal(gdb_proto_poll(&P), GDB_EV_CLOSED);
	RAW("$qC#b4");
	assert_int_equal(gdb_proto_poll(&P), GDB_EV_CLOSED);
	gdb_proto_reset(&P);
	assert_false(P.closed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_good_packet_acked, setup),
	    cmocka_unit_test_setup(test_uppercase_checksum, setup),
	    cmocka_unit_test_setup(test_bad_checksum_naked, setup),
	    cmocka_unit_test_setup(test_send_frames, setup),
	    cmocka_unit_test_setup(test_send_bursts, setup),
	    cmocka_unit_test_setup(test_send_rle, setup),
	    cmocka_unit_test_setup(test_wire_counters, setup),
	    cmocka_unit_test_setup(test_retransmit_on_nak, setup),
	    cmocka_unit_test_setup(test_wait_ack_between_packets, setup),
	    cmocka_unit_test_setup(test_stray_acks_ignored, setup),
	    cmocka_unit_test_setup(test_garbage_between_packets, setup),
	    cmocka_unit_test_setup(test_truncated_packet_resyncs, setup),
	    cmocka_unit_test_setup(test_oversize_nak_and_resync, setup),
	    cmocka_unit_test_setup(test_max_size_accepted, setup),
	    cmocka_unit_test_setup(test_interrupt_only_outside_packets, setup),
	    cmocka_unit_test_setup(test_no_ack_mode, setup),
	    cmocka_unit_test_setup(test_qsupported_restores_acks, setup),
	    cmocka_unit_test_setup(test_binary_escapes, setup),
	    cmocka_unit_test_setup(test_put_overflow_sends_error, setup),
	    cmocka_unit_test_setup(test_hex_helpers, setup),
	    cmocka_unit_test_setup(test_closed_is_sticky, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
