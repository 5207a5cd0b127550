/* test_printf.c - cmocka tests for the freestanding printf subset in core/printf.c. */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/hw/printf.h"

#define BUF_SIZE 128

/* Format into a scratch buffer, check both the text and the returned length. */
#define CHECK(expect, ...)                                                                         \
	do {                                                                                       \
		char b_[BUF_SIZE];                                                                 \
		int n_ = fmt_snprintf(b_, sizeof(b_), __VA_ARGS__);                                \
		assert_string_equal(b_, expect);                                                   \
		assert_int_equal(n_, (int)strlen(expect));                                         \
	} while (0)

static void test_plain_and_percent(void **state)
{
	(void)state;
	CHECK("", "%s", "");
	CHECK("hello", "hello");
	CHECK("100%", "100%%");
	CHECK("a%b", "a%%b");
}

static void test_signed(void **state)
{
	(void)state;
	CHECK("0", "%d", 0);
	CHECK("-1", "%d", -1);
	CHECK("42", "%i", 42);
	CHECK("2147483647", "%d", INT_MAX);
	CHECK("-2147483648", "%d", INT_MIN);
	CHECK("-9223372036854775808", "%lld", LLONG_MIN);
	CHECK("-9223372036854775808", "%ld", (long)INT64_MIN);
	CHECK("9223372036854775807", "%lld", LLONG_MAX);
	CHECK("-5", "%zd", (size_t)-5);
}

static void test_unsigned(void **state)
{
	(void)state;
	CHECK("0", "%u", 0u);
	CHECK("4294967295", "%u", UINT_MAX);
	CHECK("18446744073709551615", "%llu", ULLONG_MAX);
	CHECK("18446744073709551615", "%lu", ULONG_MAX);
	CHECK("18446744073709551615", "%zu", SIZE_MAX);
	CHECK("12345", "%zu", (size_t)12345);
}

static void test_hex(void **state)
{
	(void)state;
	CHECK("0", "%x", 0u);
	CHECK("deadbeef", "%x", 0xdeadbeefu);
	CHECK("DEADBEEF", "%X", 0xdeadbeefu);
	CHECK("ffffffffffffffff", "%llx", ULLONG_MAX);
	CHECK("fffffffe", "%x", -2); /* int reinterpreted as unsigned, as in C */
	CHECK("00000000deadbeef", "%016lx", 0xdeadbeefUL);
	CHECK("FFFFFFFF81000000", "%016lX", 0xffffffff81000000UL);
	CHECK("0000000000000000", "%016llx", 0ULL);
}

static void test_width_and_flags(void **state)
{
	(void)state;
	CHECK("   42", "%5d", 42);
	CHECK("42   |", "%-5d|", 42);
	CHECK("00042", "%05d", 42);
	CHECK("-0042", "%05d", -42);
	CHECK("  -42", "%5d", -42);
	CHECK("-42  |", "%-5d|", -42);
	CHECK("123456", "%3d", 123456); /* width never truncates */
	CHECK("rax     |", "%-8s|", "rax");
	CHECK("     rax|", "%8s|", "rax");
	CHECK("   rax|", "%*s|", 6, "rax");
	CHECK("rax   |", "%*s|", -6, "rax"); /* negative '*' width means '-' */
	CHECK("000000ff", "%0*x", 8, 0xffu);
	CHECK("    x|", "%5c|", 'x');
	CHECK("x    |", "%-5c|", 'x');
}

static void test_precision(void **state)
{
	(void)state;
	CHECK("hello", "%.5s", "hello, world");
	CHECK("hel", "%.*s", 3, "hello");
	CHECK("hello", "%.*s", -1, "hello"); /* negative precision = none */
	CHECK("  hel|", "%5.3s|", "hello");
	CHECK("00042", "%.5d", 42);
	CHECK("-00042", "%.5d", -42);
	CHECK("", "%.0d", 0);
	CHECK("   00ff", "%7.4x", 0xffu);
}

static void test_precision_does_not_overread(void **state)
{
	/* Not NUL-terminated: a bounded %.*s must not look past the given length (ASan checks). */
	char raw[3] = {'a', 'b', 'c'};

	(void)state;
	CHECK("abc", "%.*s", 3, raw);
	CHECK("ab", "%.2s", raw);
}

static void test_string_char_pointer(void **state)
{
	(void)state;
	CHECK("A", "%c", 'A');
	CHECK("[ ]", "[%c]", ' ');
	CHECK("0x0000000000000000", "%p", (void *)0);
	CHECK("0xffffffff81000000", "%p", (void *)0xffffffff81000000UL);
	CHECK("0x00000000deadbeef", "%p", (void *)0xdeadbeefUL);
	CHECK("0x000000000000abcd  |", "%-20p|", (void *)0xabcdUL);
}

static void test_register_dump_line(void **state)
{
	(void)state;
	CHECK("RIP=ffffffff81000010 RFLAGS=0000000000000202 CS=0010 CPL=0 exit 48 (EPT violation)",
	      "RIP=%016lx RFLAGS=%016lx CS=%04x CPL=%u exit %d (%s)", 0xffffffff81000010UL, 0x202UL,
	      0x10u, 0u, 48, "EPT violation");
}

/* Formats gcc rightly warns about, which the kernel must still survive. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-extra-args"
#pragma GCC diagnostic ignored "-Wformat-overflow"
static void test_null_string(void **state)
{
	(void)state;
	CHECK("(null)", "%s", (char *)NULL);
	CHECK("  (null)", "%8s", (char *)NULL);
	CHECK("(nu", "%.3s", (char *)NULL);
}

static void test_minus_beats_zero(void **state)
{
	(void)state;
	CHECK("-42  |", "%-05d|", -42);
}

/* Unknown conversions must be visible in the output, not silently eaten. */
static void test_unknown_conversion(void **state)
{
	(void)state;
	CHECK("%q", "%q");
	CHECK("a%5qb", "a%5qb");
	CHECK("x%", "x%");
	CHECK("%o then 7", "%o then %d", 7);
}
#pragma GCC diagnostic pop

static void test_truncation(void **state)
{
	char buf[8];
	int n;

	(void)state;
	memset(buf, 'Z', sizeof(buf));
	n = fmt_snprintf(buf, 4, "%d", 123456);
	assert_int_equal(n, 6); /* untruncated length */
	assert_string_equal(buf, "123");
	assert_int_equal(buf[4], 'Z'); /* nothing written past size */

	memset(buf, 'Z', sizeof(buf));
	n = fmt_snprintf(buf, 1, "abc");
	assert_int_equal(n, 3);
	assert_int_equal(buf[0], '\0');
	assert_int_equal(buf[1], 'Z');

	memset(buf, 'Z', sizeof(buf));
	n = fmt_snprintf(buf, 0, "abc");
	assert_int_equal(n, 3);
	assert_int_equal(buf[0], 'Z'); /* size 0: the buffer is untouched */

	n = fmt_snprintf(NULL, 0, "%016lx", 1UL);
	assert_int_equal(n, 16);

	memset(buf, 'Z', sizeof(buf));
	n = fmt_snprintf(buf, sizeof(buf), "1234567");
	assert_int_equal(n, 7);
	assert_string_equal(buf, "1234567"); /* exactly fits with its NUL */

	n = fmt_snprintf(buf, sizeof(buf), "12345678");
	assert_int_equal(n, 8);
	assert_string_equal(buf, "1234567");
}

/* fmt_append: pieces accumulate, the last one is cut to what fits, later ones add nothing. */
/* fmt_fail: the reason formatted (and cut) into err, the code returned, no write without room. */
static void test_fail(void **state)
{
	char err[8] = "initial"; /* overwritten by the first call */

	(void)state;
	assert_int_equal(fmt_fail(-3, err, sizeof(err), "bad %u", 42u), -3);
	assert_string_equal(err, "bad 42");
	assert_int_equal(fmt_fail(7, err, 4, "%s", "truncated"), 7);
	assert_string_equal(err, "tru");
	assert_int_equal(fmt_fail(1, err, 0, "ignored"), 1);
	assert_string_equal(err, "tru");
	assert_int_equal(fmt_fail(2, NULL, 16, "ignored"), 2);
}

static void test_append(void **state)
{
	char buf[8];
	struct fmt_out o = {buf, 0, sizeof(buf)};

	(void)state;
	memset(buf, 'Z', sizeof(buf));
	fmt_append(&o, "%d-", 12);
	fmt_append(&o, "%s", "ab");
	assert_string_equal(buf, "12-ab");
	assert_int_equal(o.len, 5);
	fmt_append(&o, "%s", "cdef"); /* room for two more and the NUL */
	assert_string_equal(buf, "12-abcd");
	assert_int_equal(o.len, sizeof(buf) - 1);
	fmt_append(&o, "x");
	assert_string_equal(buf, "12-abcd");
	assert_int_equal(o.len, sizeof(buf) - 1);

	memset(buf, 'Z', sizeof(buf));
	o = (struct fmt_out){buf, 0, 0}; /* no room at all: untouched */
	fmt_append(&o, "abc");
	assert_int_equal(buf[0], 'Z');
	assert_int_equal(o.len, 0);
}

static void count_putc(char c, void *ctx)
{
	struct {
		char text[BUF_SIZE];
		size_t n;
	} *sink = ctx;

	if (sink->n + 1 < sizeof(sink->text))
		sink->text[sink->n] = c;
	sink->n++;
}

static int call_vformat(fmt_putc_fn out, void *ctx, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vformat(out, ctx, fmt, ap);
	va_end(ap);
	return n;
}

static void test_vformat_sink(void **state)
{
	struct {
		char text[BUF_SIZE];
		size_t n;
	} sink = {{0}, 0};
	int n;

	(void)state;
	n = call_vformat(count_putc, &sink, "[%-4s|%4x|%c]", "ab", 0x1fu, '!');
	assert_int_equal(n, 13);
	assert_int_equal(sink.n, 13);
	sink.text[sink.n] = '\0';
	assert_string_equal(sink.text, "[ab  |  1f|!]");
}

static void test_huge_width_is_capped(void **state)
{
	int n;

	(void)state;
	/* A runaway width must terminate and report a bounded length. */
	n = fmt_snprintf(NULL, 0, "%999999999d", 1);
	assert_true(n > 0);
	assert_true(n <= 4096);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_plain_and_percent),
	    cmocka_unit_test(test_signed),
	    cmocka_unit_test(test_unsigned),
	    cmocka_unit_test(test_hex),
	    cmocka_unit_test(test_width_and_flags),
	    cmocka_unit_test(test_precision),
	    cmocka_unit_test(test_precision_does_not_overread),
	    cmocka_unit_test(test_string_char_pointer),
	    cmocka_unit_test(test_register_dump_line),
	    cmocka_unit_test(test_null_string),
	    cmocka_unit_test(test_minus_beats_zero),
	    cmocka_unit_test(test_unknown_conversion),
	    cmocka_unit_test(test_truncation),
	    cmocka_unit_test(test_append),
	    cmocka_unit_test(test_fail),
	    cmocka_unit_test(test_vformat_sink),
	    cmocka_unit_test(test_huge_width_is_capped),
	};

	return cmocka_run_group_tests_name("printf", tests, NULL, NULL);
}
