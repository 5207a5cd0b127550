/* test_gdb_stub.c - cmocka tests for the GDB stub's session, stop replies, registers, resumes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "gdb_session.h"

#define RIP_HEX	   "0001400000000000"
#define RSP_HEX	   "8f88888888888888"
#define RBP_HEX	   "7d77777777777777"
#define EXPEDITE64 "10:" RIP_HEX ";07:" RSP_HEX ";06:" RBP_HEX ";"
#define EXPEDITE32 "08:00014000;04:8f888888;05:7d777777;"
#define REGS64_HEX (2 * 380)
#define REGS32_HEX (2 * 264)
#define CR3_OFF64  (2 * 308)
#define ST0_OFF64  (2 * 164)
#define RAW(s)	   fake_raw(&F, s, sizeof(s) - 1)

static int setup32(void **state)
{
	setup64(state);
	F.is64 = false;
	return 0;
}

/* Resume from gdb, then stop for kind: the stop reply sent unasked. */
static const char *stop_reply(enum gdb_stop_kind kind, uint64_t addr)
{
	unsigned before;
	int sig;

	assert_int_equal(act("c", &sig), GDB_ACT_CONTINUE);
	before = fake_npackets(&F);
	fake_pkt(&F, "c");
	assert_int_equal(stop_at(kind, addr, NULL, &sig), GDB_ACT_CONTINUE);
	return fake_reply(&F, before, R, sizeof(R)) ? R : "<none>";
}

static void test_initial_stop_waits_for_query(void **state)
{
	(void)state;
	assert_string_equal(ask("?"), "T05thread:1;" EXPEDITE64);
	assert_int_equal(fake_npackets(&F), 1); /* nothing before the '?' */
}

static void test_stop_reasons(void **state)
{
	(void)state;
	ask("qSupported:swbreak+;hwbreak+");
	assert_string_equal(stop_reply(GDB_STOP_SIGTRAP_SW, 0), "T05swbreak:;thread:1;" EXPEDITE64);
	assert_string_equal(stop_reply(GDB_STOP_SIGTRAP_HW, 0), "T05hwbreak:;thread:1;" EXPEDITE64);
	assert_string_equal(stop_reply(GDB_STOP_WATCH, 0x400010),
			    "T05watch:400010;thread:1;" EXPEDITE64);
	assert_string_equal(stop_reply(GDB_STOP_RWATCH, 0xffff800000001000ull),
			    "T05rwatch:ffff800000001000;thread:1;" EXPEDITE64);
	assert_string_equal(stop_reply(GDB_STOP_AWATCH, 8), "T05awatch:8;thread:1;" EXPEDITE64);
	assert_string_equal(stop_reply(GDB_STOP_STEP, 0), "T05thread:1;" EXPEDITE64);
	assert_string_equal(ask("?"), "T05thread:1;" EXPEDITE64); /* the last stop again */
}

static void test_reasons_need_qsupported(void **state)
{
	(void)state;
	ask("qSupported:hwbreak+");
	assert_string_equal(stop_reply(GDB_STOP_SIGTRAP_SW, 0), "T05thread:1;" EXPEDITE64);
	assert_string_equal(stop_reply(GDB_STOP_SIGTRAP_HW, 0), "T05hwbreak:;thread:1;" EXPEDITE64);
}

static void test_i386_stop_reply(void **state)
{
	(void)state;
	assert_string_equal(ask("?"), "T05thread:1;" EXPEDITE32);
}

static void test_ctrl_c(void **state)
{
	int sig;

	(void)state;
	assert_int_equal(act("c", &sig), GDB_ACT_CONTINUE);
	F.none_at_end = true;
	assert_false(gdb_poll_interrupt(&S));
	RAW("++-junk");
	assert_false(gdb_poll_interrupt(&S)); /* swallowed */
	RAW("\x03");
	assert_true(gdb_poll_interrupt(&S));
	F.none_at_end = false;
	fake_pkt(&F, "c");
	assert_int_equal(stop_at(GDB_STOP_INTERRUPT, 0, NULL, &sig), GDB_ACT_CONTINUE);
	assert_true(fake_reply(&F, 0, R, sizeof(R)));
	assert_string_equal(R, "T02thread:1;" EXPEDITE64);
	assert_string_equal(F.out + F.out_len - 1, "+"); /* the "c" was acked; no stray output */
}

/* A notice (Ctrl-C that cannot work here) goes to gdb's console once per session, when it
 * first resumes: an O packet of hex while gdb waits for the stop. */
static void test_notice_on_first_resume(void **state)
{
	int sig;
	unsigned before;

	(void)state;
	S.notice = "hi\n";
	before = fake_npackets(&F);
	assert_int_equal(act("c", &sig), GDB_ACT_CONTINUE);
	assert_true(fake_reply(&F, before, R, sizeof(R)));
	assert_string_equal(R, "O68690a");
	before = fake_npackets(&F);
	fake_pkt(&F, "c");
	assert_int_equal(stop_at(GDB_STOP_INTERRUPT, 0, NULL, &sig), GDB_ACT_CONTINUE);
	assert_true(fake_reply(&F, before, R, sizeof(R)));
	assert_string_equal(R, "T02thread:1;" EXPEDITE64); /* no second notice */
	assert_int_equal(fake_npackets(&F), before + 1);
	/* A new session (after a detach) is told again. */
	assert_int_equal(act("D", &sig), GDB_ACT_DETACH);
	before = fake_npackets(&F);
	assert_int_equal(act("c", &sig), GDB_ACT_CONTINUE);
	assert_true(fake_reply(&F, before, R, sizeof(R)));
	assert_string_equal(R, "O68690a");
}

static void test_attach_to_running_guest(void **state)
{
	int sig;

	(void)state;
	F.none_at_end = true;
	RAW("+$");
	assert_true(gdb_poll_interrupt(&S)); /* a packet starts: stop the guest for gdb */
	fake_raw(&F, "?#3f", 4);
	fake_pkt(&F, "c");
	F.none_at_end = false;
	assert_int_equal(stop_at(GDB_STOP_INTERRUPT, 0, NULL, &sig), GDB_ACT_CONTINUE);
	assert_int_equal(fake_npackets(&F), 1);
	assert_true(fake_reply(&F, 0, R, sizeof(R)));
	assert_string_equal(R, "T02thread:1;" EXPEDITE64);
}

static void test_fault_sends_console_then_t0b(void **state)
{
	static char why[3000];
	int sig;

	(void)state;
	assert_int_equal(act("c", &sig), GDB_ACT_CONTINUE);
	fake_pkt(&F, "c");
	assert_int_equal(stop_at(GDB_STOP_FAULT, 0, "triple fault\n", &sig), GDB_ACT_CONTINUE);
	assert_true(fake_reply(&F, 0, R, sizeof(R)));
	assert_string_equal(R, "O747269706c65206661756c740a");
	assert_true(fake_reply(&F, 1, R, sizeof(R)));
	assert_string_equal(R, "T0bthread:1;" EXPEDITE64);

	memset(why, 'w', sizeof(why) - 1); /* too long for one O packet */
	fake_pkt(&F, "c");
	assert_int_equal(stop_at(GDB_STOP_FAULT, 0, why, &sig), GDB_ACT_CONTINUE);
	assert_int_equal(fake_npackets(&F), 5);
	assert_true(fake_reply(&F, 2, R, sizeof(R)));
	assert_int_equal(strlen(R), 1 + 2 * 2047);
	assert_true(fake_reply(&F, 3, R, sizeof(R)));
	assert_int_equal(strlen(R), 1 + 2 * (sizeof(why) - 1 - 2047));
}

static void test_read_registers_64(void **state)
{
	(void)state;
	ask("g");
	assert_int_equal(strlen(R), REGS64_HEX);
	assert_memory_equal(R, "1111111111111111", 16);		       /* rax */
	assert_memory_equal(R + 16 * 16, RIP_HEX "46020000", 24);      /* rip, eflags (32-bit) */
	assert_memory_equal(R + 16 * 16 + 24, "1000000018000000", 16); /* cs, ss */
	assert_memory_equal(R + ST0_OFF64, "00000000000000000000", 20);
	assert_memory_equal(R + CR3_OFF64, "0010000000000000", 16);
	assert_memory_equal(R + REGS64_HEX - 16, "0004000000000000", 16); /* dr7 */
}

static void test_read_registers_32(void **state)
{
	(void)state;
	ask("g");
	assert_int_equal(strlen(R), REGS32_HEX);
	/* eax ecx edx ebx esp ebp esi edi: the i386 order */
	assert_memory_equal(R,
			    "11111111"
			    "35333333"
			    "47444444"
			    "23222222"
			    "8f888888"
			    "7d777777"
			    "59555555"
			    "6b666666"
			    "00014000",
			    72);
}

static void test_write_registers(void **state)
{
	char g[REGS64_HEX + 2];

	(void)state;
	g[0] = 'G';
	strcpy(g + 1, ask("g"));
	memcpy(g + 1, "efbeadde00000000", 16);	     /* rax */
	memcpy(g + 1 + ST0_OFF64, "ffffffffff", 10); /* x87: ignored */
	assert_string_equal(ask(g), "OK");
	assert_true(F.regs.gpr[0] == 0xdeadbeef);
	assert_true(F.regs.rip == FAKE_MEM_BASE + 0x100);
	g[REGS64_HEX] = '\0';
	assert_string_equal(ask(g), "E22"); /* short */
	g[REGS64_HEX] = '0';
	g[5] = 'x';
	assert_string_equal(ask(g), "E22");
}

static void test_write_registers_32_keeps_upper(void **state)
{
	char g[REGS32_HEX + 2];

	(void)state;
	g[0] = 'G';
	strcpy(g + 1, ask("g"));
	memcpy(g + 1, "efbeadde", 8);
	assert_string_equal(ask(g), "OK");
	assert_true(F.regs.gpr[0] == 0x11111111deadbeefull);
}

static void test_single_registers(void **state)
{
	(void)state;
	assert_string_equal(ask("p10"), RIP_HEX);
	assert_string_equal(ask("p11"), "46020000");
	assert_string_equal(ask("p18"), "00000000000000000000"); /* st0 */
	assert_string_equal(ask("p34"), "0004000000000000");	 /* dr7, the last */
	assert_string_equal(ask("p35"), "E22");
	assert_string_equal(ask("p"), "E22");
	assert_string_equal(ask("P10=0002400000000000"), "OK");
	assert_true(F.regs.rip == 0x400200);
	assert_string_equal(ask("P18=11223344556677889900"), "OK"); /* x87 write ignored */
	assert_string_equal(ask("p18"), "00000000000000000000");
	assert_string_equal(ask("P2c=0030000000000000"), "OK"); /* cr3 */
	assert_true(F.regs.cr3 == 0x3000);
	assert_string_equal(ask("P10=12"), "E22");
	assert_string_equal(ask("P10"), "E22");
}

static void test_register_failure(void **state)
{
	(void)state;
	F.fail_regs = true;
	assert_string_equal(ask("g"), "E05");
	assert_string_equal(ask("p0"), "E05");
	assert_string_equal(ask("?"), "T05thread:1;");
	assert_string_equal(ask("c400000"), "E05"); /* cannot set the pc: not resumed */
}

static void test_resume_variants(void **state)
{
	int sig = -1;

	(void)state;
	assert_int_equal(act("c", &sig), GDB_ACT_CONTINUE);
	assert_int_equal(sig, 0);
	assert_int_equal(act("s", &sig), GDB_ACT_STEP);
	assert_int_equal(act("c400200", &sig), GDB_ACT_CONTINUE);
	assert_true(F.regs.rip == 0x400200);
	assert_int_equal(act("C0b", &sig), GDB_ACT_CONTINUE);
	assert_int_equal(sig, 11);
	assert_int_equal(act("S05;400300", &sig), GDB_ACT_STEP);
	assert_int_equal(sig, 5);
	assert_true(F.regs.rip == 0x400300);
	assert_string_equal(ask("Cxx"), "E22");
	assert_string_equal(ask("C05;"), "E22");
	assert_string_equal(ask("c12z"), "E22");
}

static void test_vcont(void **state)
{
	int sig = -1;

	(void)state;
	assert_string_equal(ask("vCont?"), "vCont;c;C;s;S");
	assert_int_equal(act("vCont;c", &sig), GDB_ACT_CONTINUE);
	assert_int_equal(act("vCont;s:1;c", &sig), GDB_ACT_STEP);
	assert_int_equal(act("vCont;C0b:-1", &sig), GDB_ACT_CONTINUE);
	assert_int_equal(sig, 11);
	assert_int_equal(act("vCont;S02:2;c", &sig), GDB_ACT_CONTINUE); /* s:2 is not ours */
	assert_int_equal(sig, 0);
	assert_string_equal(ask("vCont;t"), "E22");
	assert_string_equal(ask("vCont;s:2"), "E22");
	assert_string_equal(ask("vCont;Cxx"), "E22");
}

static void test_detach_and_kill(void **state)
{
	int sig;

	(void)state;
	assert_int_equal(act("D", &sig), GDB_ACT_DETACH);
	assert_true(fake_reply(&F, 0, R, sizeof(R)));
	assert_string_equal(R, "OK");
	assert_false(S.attached);
	assert_int_equal(act("k", &sig), GDB_ACT_KILL);
	assert_int_equal(fake_npackets(&F), 1); /* no reply to k */
	assert_int_equal(stop_at(GDB_STOP_INITIAL, 0, NULL, &sig), GDB_ACT_DETACH); /* closed */
}

static void test_arch_fixed_per_session(void **state)
{
	int sig;

	(void)state;
	ask("qSupported");
	F.is64 = false; /* the guest left long mode while gdb is attached */
	assert_string_equal(stop_reply(GDB_STOP_STEP, 0), "T05thread:1;" EXPEDITE64);
	assert_int_equal(act("D", &sig), GDB_ACT_DETACH);
	assert_string_equal(ask("?"), "T05thread:1;" EXPEDITE32); /* a new session */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_notice_on_first_resume, setup64),
	    cmocka_unit_test_setup(test_initial_stop_waits_for_query, setup64),
	    cmocka_unit_test_setup(test_stop_reasons, setup64),
	    cmocka_unit_test_setup(test_reasons_need_qsupported, setup64),
	    cmocka_unit_test_setup(test_i386_stop_reply, setup32),
	    cmocka_unit_test_setup(test_ctrl_c, setup64),
	    cmocka_unit_test_setup(test_attach_to_running_guest, setup64),
	    cmocka_unit_test_setup(test_fault_sends_console_then_t0b, setup64),
	    cmocka_unit_test_setup(test_read_registers_64, setup64),
	    cmocka_unit_test_setup(test_read_registers_32, setup32),
	    cmocka_unit_test_setup(test_write_registers, setup64),
	    cmocka_unit_test_setup(test_write_registers_32_keeps_upper, setup32),
	    cmocka_unit_test_setup(test_single_registers, setup64),
	    cmocka_unit_test_setup(test_register_failure, setup64),
	    cmocka_unit_test_setup(test_resume_variants, setup64),
	    cmocka_unit_test_setup(test_vcont, setup64),
	    cmocka_unit_test_setup(test_detach_and_kill, setup64),
	    cmocka_unit_test_setup(test_arch_fixed_per_session, setup64),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
