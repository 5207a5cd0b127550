/* test_cmdline.c - cmocka tests for the hypervisor command-line parser in core/cmdline.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "boot/cmdline.h"

#define ERR_SIZE 128

static void assert_defaults(const struct hv_config *c)
{
	assert_int_equal(c->log_port, COM1_PORT);
	assert_int_equal(c->gdb_port, COM2_PORT);
	assert_int_equal(c->baud, UART_DEFAULT_BAUD);
	assert_false(c->gdb_wait);
	assert_false(c->host_dr_test);
	assert_true(c->dr_lazy);
}

/* Parse @s on top of the defaults, returning the problem count; @err gets the message. */
static int parse(const char *s, struct hv_config *c, char *err)
{
	cmdline_defaults(c);
	return cmdline_parse(s, c, err, ERR_SIZE);
}

static void test_defaults(void **state)
{
	struct hv_config c;

	(void)state;
	memset(&c, 0xa5, sizeof(c));
	cmdline_defaults(&c);
	assert_defaults(&c);
}

static void test_empty_and_blank(void **state)
{
	struct hv_config c;
	char err[ERR_SIZE] = "stale";

	(void)state;
	assert_int_equal(parse("", &c, err), 0);
	assert_defaults(&c);
	assert_string_equal(err, ""); /* cleared even when nothing is wrong */
	assert_int_equal(parse("  \t  ", &c, err), 0);
	assert_defaults(&c);
	assert_int_equal(parse(NULL, &c, err), 0);
	assert_defaults(&c);
}

static void test_log_values(void **state)
{
	struct hv_config c;
	char err[ERR_SIZE];

	(void)state;
	assert_int_equal(parse("log=com2", &c, err), 0);
	assert_int_equal(c.log_port, COM2_PORT);
	assert_int_equal(parse("log=com3", &c, err), 0);
	assert_int_equal(c.log_port, COM3_PORT);
	assert_int_equal(parse("log=com4", &c, err), 0);
	assert_int_equal(c.log_port, COM4_PORT);
	assert_int_equal(parse("log=0x3F8", &c, err), 0);
	assert_int_equal(c.log_port, COM1_PORT);
	assert_int_equal(parse("log=0xe9", &c, err), 0);
	assert_int_equal(c.log_port, 0xe9);
	assert_int_equal(parse("log=0xffff", &c, err), 0);
	assert_int_equal(c.log_port, 0xffff);
	assert_int_equal(parse("log=none", &c, err), 0);
	assert_int_equal(c.log_port, 0);
	/* Everything else untouched. */
	assert_int_equal(c.gdb_port, COM2_PORT);
	assert_int_equal(c.baud, UART_DEFAULT_BAUD);
}

static void test_bad_log_keeps_previous(void **state)
{
	static const char *const bad[] = {
	    "log=com5",	 "log=",     "log=0x",	"log=0x10000", "log=1016",
	    "log=0x3g8", "log=COM1", "log=0x0", "log=com1x",   "log=com",
	};
	struct hv_config c;
	char err[ERR_SIZE];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cmdline_defaults(&c);
		c.log_port = COM3_PORT;
		assert_int_equal(cmdline_parse(bad[i], &c, err, sizeof(err)), 1);
		assert_int_equal(c.log_port, COM3_PORT);
		assert_non_null(strstr(err, bad[i]));
	}
}

static void test_gdb_values(void **state)
{
	struct hv_config c;
	char err[ERR_SIZE];

	(void)state;
	assert_int_equal(parse("gdb=com1", &c, err), 0);
	assert_int_equal(c.gdb_port, COM1_PORT);
	assert_false(c.gdb_wait);

	assert_int_equal(parse("gdb=com2,wait", &c, err), 0);
	assert_int_equal(c.gdb_port, COM2_PORT);
	assert_true(c.gdb_wait);

	assert_int_equal(parse("gdb=wait,com4", &c, err), 0);
	assert_int_equal(c.gdb_port, COM4_PORT);
	assert_true(c.gdb_wait);

	assert_int_equal(parse("gdb=wait", &c, err), 0); /* keeps the default port */
	assert_int_equal(c.gdb_port, COM2_PORT);
	assert_true(c.gdb_wait);

	assert_int_equal(parse("gdb=0x2f8", &c, err), 0);
	assert_int_equal(c.gdb_port, COM2_PORT);

	assert_int_equal(parse("gdb=wait gdb=none", &c, err), 0); /* none also drops wait */
	assert_int_equal(c.gdb_port, 0);
	assert_false(c.gdb_wait);
}

static void test_bad_gdb_keeps_previous(void **state)
{
	static const char *const bad[] = {
	    "gdb=",	     "gdb=com2,",     "gdb=,wait",     "gdb=com2,,wait", "gdb=com2,bogus",
	    "gdb=com1,com2", "gdb=wait,wait", "gdb=none,wait", "gdb=stop",	 "gdb=0x",
	};
	struct hv_config c;
	char err[ERR_SIZE];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cmdline_defaults(&c);
		c.gdb_port = COM4_PORT;
		assert_int_equal(cmdline_parse(bad[i], &c, err, sizeof(err)), 1);
		/* All or nothing: not even the valid items of a bad word are applied. */
		assert_int_equal(c.gdb_port, COM4_PORT);
		assert_false(c.gdb_wait);
		assert_non_null(strstr(err, bad[i]));
	}
}

static void test_gdb_wait_needs_a_port(void **state)
{
	struct hv_config c;
	char err[ERR_SIZE];

	(void)state;
	/* Waiting for a debugger that has no UART would hang the machine forever. */
	assert_int_equal(parse("gdb=none gdb=wait", &c, err), 1);
	assert_int_equal(c.gdb_port, 0);
	assert_false(c.gdb_wait);
	assert_non_null(strstr(err, "'gdb=wait'"));
}

static void test_baud(void **state)
{
	static const uint32_t good[] = {50, 75, 300, 1200, 9600, 19200, 38400, 57600, 115200};
	static const char *const bad[] = {
	    "baud=",	   "baud=0",	 "baud=49",    "baud=7",      "baud=115201",
	    "baud=230400", "baud=9600x", "baud=-9600", "baud=0x2580", "baud=99999999999999999999",
	    "baud=1000",
	};
	struct hv_config c;
	char err[ERR_SIZE], word[32];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(word, sizeof(word), "baud=%u", good[i]);
		assert_int_equal(parse(word, &c, err), 0);
		assert_int_equal(c.baud, good[i]);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cmdline_defaults(&c);
		c.baud = 9600;
		assert_int_equal(cmdline_parse(bad[i], &c, err, sizeof(err)), 1);
		assert_int_equal(c.baud, 9600);
	}
}

static void test_on_off_switches(void **state)
{
	struct hv_config c;
	char err[ERR_SIZE];

	(void)state;
	assert_int_equal(parse("drlazy=off hostdr=on", &c, err), 0);
	assert_false(c.dr_lazy);
	assert_true(c.host_dr_test);
	assert_int_equal(parse("drlazy=maybe", &c, err), 1);
	assert_true(c.dr_lazy); /* a bad value keeps the default */
	assert_non_null(strstr(err, "drlazy=maybe"));
	assert_int_equal(parse("drlazy=off hostdr=on drlazy=on hostdr=off", &c, err), 0);
	assert_true(c.dr_lazy); /* the later word wins */
	assert_false(c.host_dr_test);
}

static void test_unknown_option(void **state)
{
	struct hv_config c;
	char err[ERR_SIZE];

	(void)state;
	assert_int_equal(parse("foo=bar", &c, err), 1);
	assert_string_equal(err, "unknown option 'foo=bar'");
	assert_defaults(&c);
	assert_int_equal(parse("=com1", &c, err), 1);
	assert_string_equal(err, "unknown option '=com1'");
	assert_int_equal(parse("LOG=com2", &c, err), 1); /* keys are case-sensitive */
	assert_int_equal(c.log_port, COM1_PORT);
}

static void test_path_and_spacing(void **state)
{
	struct hv_config c;
	char err[ERR_SIZE];

	(void)state;
	assert_int_equal(
	    parse("  /boot/dbgvisor.elf \t log=com3   gdb=com4,wait\tbaud=9600  ", &c, err), 0);
	assert_int_equal(c.log_port, COM3_PORT);
	assert_int_equal(c.gdb_port, COM4_PORT);
	assert_true(c.gdb_wait);
	assert_int_equal(c.baud, 9600);
	assert_string_equal(err, "");

	assert_int_equal(parse("quiet verbose", &c, err), 0); /* words without '=' ignored */
	assert_defaults(&c);
}

static void test_later_words_win(void **state)
{
	struct hv_config c;
	char err[ERR_SIZE];

	(void)state;
	assert_int_equal(parse("log=com2 log=com4 baud=9600 baud=57600", &c, err), 0);
	assert_int_equal(c.log_port, COM4_PORT);
	assert_int_equal(c.baud, 57600);
}

static void test_first_problem_reported(void **state)
{
	struct hv_config c;
	char err[ERR_SIZE];

	(void)state;
	assert_int_equal(parse("x.elf log=com9 gdb=com3 foo=1 baud=7 log=com2", &c, err), 3);
	assert_non_null(strstr(err, "'log=com9'"));
	assert_null(strstr(err, "foo"));
	assert_null(strstr(err, "baud"));
	/* Good words around the bad ones still apply; the bad one left log alone until log=com2. */
	assert_int_equal(c.gdb_port, COM3_PORT);
	assert_int_equal(c.log_port, COM2_PORT);
	assert_int_equal(c.baud, UART_DEFAULT_BAUD);
}

static void test_err_buffer_limits(void **state)
{
	struct hv_config c;
	char err[8];

	(void)state;
	memset(err, 'Z', sizeof(err));
	cmdline_defaults(&c);
	assert_int_equal(cmdline_parse("foo=bar", &c, err, 5), 1);
	assert_string_equal(err, "unkn"); /* truncated and terminated */
	assert_int_equal(err[5], 'Z');	  /* nothing past errlen */

	memset(err, 'Z', sizeof(err));
	assert_int_equal(cmdline_parse("foo=bar baz=1", &c, err, 0), 2);
	assert_int_equal(err[0], 'Z'); /* errlen 0: untouched */

	assert_int_equal(cmdline_parse("foo=bar log=com4", &c, NULL, 0), 1);
	assert_int_equal(c.log_port, COM4_PORT);
	assert_int_equal(cmdline_parse("foo=bar", &c, NULL, 64), 1); /* NULL err, nonzero len */
}

static void test_no_read_past_nul(void **state)
{
	struct hv_config c;
	char err[ERR_SIZE];
	/* Heap copies so ASan catches any look beyond the terminator. */
	static const char *const lines[] = {"log=com1", "gdb=com2,wait", "baud=9", "x",
					    "a=",	"log=0x3f8"};

	(void)state;
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		size_t n = strlen(lines[i]) + 1;
		char *s = malloc(n);

		assert_non_null(s);
		memcpy(s, lines[i], n);
		cmdline_defaults(&c);
		(void)cmdline_parse(s, &c, err, sizeof(err));
		free(s);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_empty_and_blank),
	    cmocka_unit_test(test_log_values),
	    cmocka_unit_test(test_bad_log_keeps_previous),
	    cmocka_unit_test(test_gdb_values),
	    cmocka_unit_test(test_bad_gdb_keeps_previous),
	    cmocka_unit_test(test_gdb_wait_needs_a_port),
	    cmocka_unit_test(test_baud),
	    cmocka_unit_test(test_on_off_switches),
	    cmocka_unit_test(test_unknown_option),
	    cmocka_unit_test(test_path_and_spacing),
	    cmocka_unit_test(test_later_words_win),
	    cmocka_unit_test(test_first_problem_reported),
	    cmocka_unit_test(test_err_buffer_limits),
	    cmocka_unit_test(test_no_read_past_nul),
	};

	return cmocka_run_group_tests_name("cmdline", tests, NULL, NULL);
}
