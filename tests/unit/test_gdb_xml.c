/* test_gdb_xml.c - cmocka tests for the GDB target descriptions and their qXfer transfer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "debug/gdb/gdb_internal.h"
#include "tests/fuzz/gdb_fake.h"

#define XML_MAX	  0x4000
#define NAMES_MAX 64
#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))

static const char *const core64[] = {
    "rax", "rbx", "rcx",   "rdx",   "rsi",  "rdi",   "rbp",   "rsp",	"r8",	 "r9",
    "r10", "r11", "r12",   "r13",   "r14",  "r15",   "rip",   "eflags", "cs",	 "ss",
    "ds",  "es",  "fs",	   "gs",    "st0",  "st1",   "st2",   "st3",	"st4",	 "st5",
    "st6", "st7", "fctrl", "fstat", "ftag", "fiseg", "fioff", "foseg",	"fooff", "fop"};
static const char *const core32[] = {
    "eax", "ecx", "edx",   "ebx",   "esp",  "ebp",   "esi",   "edi",   "eip",	"eflags", "cs",
    "ss",  "ds",  "es",	   "fs",    "gs",   "st0",   "st1",   "st2",   "st3",	"st4",	  "st5",
    "st6", "st7", "fctrl", "fstat", "ftag", "fiseg", "fioff", "foseg", "fooff", "fop"};
static const char *const sys64[] = {"fs_base", "gs_base", "cr0", "cr2", "cr3", "cr4", "efer",
				    "dr0",     "dr1",	  "dr2", "dr3", "dr6", "dr7"};
static const char *const sys32[] = {"cr0", "cr2", "cr3", "cr4", "efer", "dr0",
				    "dr1", "dr2", "dr3", "dr6", "dr7"};
static const char *const eflags[] = {"CF", "PF", "AF", "ZF", "SF", "TF",  "IF",	 "DF",
				     "OF", "NT", "RF", "VM", "AC", "VIF", "VIP", "ID"};

static struct fake F;
static struct gdb_stub S;
static char xml[XML_MAX];
static char R[FAKE_OUT_MAX + 1];

static size_t whole(bool is64)
{
	size_t n = gdb_target_xml(is64, 0, xml, sizeof(xml) - 1);

	assert_true(n < sizeof(xml) - 1);
	xml[n] = '\0';
	return n;
}

/* The names of the <reg> elements in [from, to), in order; returns their total bitsize. */
static unsigned reg_names(const char *from, const char *to, char names[][16], size_t *count)
{
	unsigned bits = 0, b;

	*count = 0;
	for (const char *p = strstr(from, "<reg "); p && p < to; p = strstr(p + 1, "<reg ")) {
		assert_int_equal(
		    sscanf(p, "<reg name=\"%15[^\"]\" bitsize=\"%u\"", names[*count], &b), 2);
		assert_non_null(strstr(p, "/>"));
		bits += b;
		++*count;
	}
	return bits;
}

static void check_regs(const char *from, const char *to, const char *const *want, size_t n)
{
	static char names[NAMES_MAX][16];
	size_t count;

	reg_names(from, to, names, &count);
	assert_int_equal(count, n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(names[i], want[i]);
}

static void check_description(bool is64, const char *const *core, size_t ncore,
			      const char *const *sys, size_t nsys)
{
	const char *c, *s;

	whole(is64);
	assert_non_null(strstr(xml, is64 ? "<architecture>i386:x86-64</architecture>"
					 : "<architecture>i386</architecture>"));
	assert_non_null(strstr(xml, "<osabi>none</osabi>"));
	c = strstr(xml, "<feature name=\"org.gnu.gdb.i386.core\">");
	s = strstr(xml, "<feature name=\"org.dbgvisor.sys\">");
	assert_non_null(c);
	assert_non_null(s);
	assert_true(c < s);
	check_regs(c, s, core, ncore);
	check_regs(s, xml + strlen(xml), sys, nsys);
	assert_non_null(strstr(c, "<flags id=\"i386_eflags\" size=\"4\">"));
	for (size_t i = 0; i < NELEMS(eflags); i++) {
		char field[32];

		snprintf(field, sizeof(field), "<field name=\"%s\" ", eflags[i]);
		assert_non_null(strstr(xml, field));
	}
	assert_non_null(strstr(xml, "type=\"i386_eflags\""));
	assert_non_null(
	    strstr(s, "<reg name=\"cr3\" bitsize=\"64\" type=\"uint64\" group=\"system\"/>"));
	assert_true((strstr(xml, "fs_base") != NULL) == is64);
	assert_string_equal(xml + strlen(xml) - 21, "</feature>\n</target>\n");
	assert_null(strpbrk(xml, "#$}*")); /* nothing to escape, but the transfer would */
}

static void test_amd64_description(void **state)
{
	(void)state;
	check_description(true, core64, NELEMS(core64), sys64, NELEMS(sys64));
}

static void test_i386_description(void **state)
{
	(void)state;
	check_description(false, core32, NELEMS(core32), sys32, NELEMS(sys32));
}

static void test_register_numbers(void **state)
{
	size_t n;
	const struct gdb_reg_desc *r = gdb_reg_table(true, &n);

	(void)state;
	assert_string_equal(r[GDB_AMD64_RIP].name, "rip");
	assert_string_equal(r[GDB_AMD64_RSP].name, "rsp");
	assert_string_equal(r[GDB_AMD64_RBP].name, "rbp");
	r = gdb_reg_table(false, &n);
	assert_string_equal(r[GDB_I386_EIP].name, "eip");
	assert_string_equal(r[GDB_I386_ESP].name, "esp");
	assert_string_equal(r[GDB_I386_EBP].name, "ebp");
	for (size_t i = 0; i < n; i++)
		assert_true(r[i].bits / 8 <= GDB_REG_BYTES_MAX);
}

static void test_window(void **state)
{
	static char part[XML_MAX];
	size_t len = whole(true), got = 0;

	(void)state;
	while (got < len) {
		size_t n = gdb_target_xml(true, got, part, 97);

		assert_true(n == 97 || got + n == len);
		assert_true(n > 0);
		assert_memory_equal(part, xml + got, n);
		got += n;
	}
	assert_int_equal(gdb_target_xml(true, len, part, 10), 0);
	assert_int_equal(gdb_target_xml(true, len + 5, part, 10), 0);
	assert_int_equal(gdb_target_xml(true, 0, part, 0), 0);
}

static void setup_session(bool is64)
{
	struct gdb_io io;
	struct gdb_target t;

	fake_init(&F, &io, &t, is64);
	gdb_init(&S, &io, &t);
}

static const char *ask(const char *pkt)
{
	struct gdb_stop st = {.kind = GDB_STOP_INITIAL};
	unsigned before = fake_npackets(&F);
	int sig;

	S.resumed = false;
	fake_pkt(&F, pkt);
	fake_pkt(&F, "c");
	assert_int_equal(gdb_stopped(&S, &st, &sig), GDB_ACT_CONTINUE);
	return fake_reply(&F, before, R, sizeof(R)) ? R : "<none>";
}

/* Read target.xml as gdb does, chunk by chunk; returns the number of chunks. */
static unsigned transfer(unsigned chunk, char *out, size_t *len)
{
	unsigned chunks = 0;

	*len = 0;
	for (;;) {
		char pkt[64];
		size_t n;

		snprintf(pkt, sizeof(pkt), "qXfer:features:read:target.xml:%zx,%x", *len, chunk);
		ask(pkt);
		assert_true(R[0] == 'm' || R[0] == 'l');
		assert_true(
		    gdb_unescape(R + 1, strlen(R + 1), (uint8_t *)out + *len, XML_MAX - *len, &n));
		assert_true(n <= chunk);
		*len += n;
		chunks++;
		if (R[0] == 'l')
			return chunks;
		assert_true(n > 0);
	}
}

static void test_qxfer_chunks(void **state)
{
	static char got[XML_MAX];
	size_t len, full;

	(void)state;
	for (int is64 = 0; is64 <= 1; is64++) {
		setup_session(is64);
		ask("qSupported:xmlRegisters=i386");
		full = whole(is64);
		assert_int_equal(transfer(0x100, got, &len), (full + 0xff) / 0x100);
		assert_int_equal(len, full);
		assert_memory_equal(got, xml, full);
		assert_int_equal(transfer(0xffff, got, &len), (full + 2046) / 2047);
		assert_memory_equal(got, xml, full);
	}
}

static void test_qxfer_errors(void **state)
{
	(void)state;
	setup_session(true);
	assert_string_equal(ask("qXfer:features:read:target.xml:10000,100"), "l");
	assert_string_equal(ask("qXfer:features:read:other.xml:0,100"), "E00");
	assert_string_equal(ask("qXfer:features:read:target.xml:0"), "E00");
	assert_string_equal(ask("qXfer:features:read:target.xml:0,10,"), "E00");
	assert_string_equal(ask("qXfer:memory-map:read::0,100"), "");
}

/* The g packet and the description must agree on every register's width. */
static void test_g_matches_description(void **state)
{
	static char names[NAMES_MAX][16];
	size_t count;

	(void)state;
	for (int is64 = 0; is64 <= 1; is64++) {
		setup_session(is64);
		whole(is64);
		ask("g");
		assert_int_equal(strlen(R) * 4, reg_names(xml, xml + strlen(xml), names, &count));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_amd64_description),	  cmocka_unit_test(test_i386_description),
	    cmocka_unit_test(test_register_numbers),	  cmocka_unit_test(test_window),
	    cmocka_unit_test(test_qxfer_chunks),	  cmocka_unit_test(test_qxfer_errors),
	    cmocka_unit_test(test_g_matches_description),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
