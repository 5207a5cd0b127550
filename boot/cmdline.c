/* cmdline.c - parse the hypervisor's own command line (log=, gdb=, baud=) into struct hv_config. */
#include "cmdline.h"

#include "core/hw/printf.h"
#include "core/hw/string.h"

#define HEX_RADIX	16
#define DEC_RADIX	10
#define HEX_A_VALUE	10	/* hex digit 'a' / 'A' */
#define PORT_MAX	0xffffu /* x86 I/O port space is 16 bits */
#define BAUD_MIN	50u	/* slowest standard serial rate; anything lower is surely a typo */
#define GDB_ITEM_WAIT	"wait"
#define GDB_ITEM_ARCH64 "arch=x86-64"
#define GDB_ITEM_ARCH32 "arch=i386"
#define PORT_NONE_WORD	"none"

/* A slice of the command line; never NUL-terminated, so always carry the length. */
struct span {
	const char *p;
	size_t n;
};

struct errbuf {
	char *buf;
	size_t size;
	int problems; /* counted; the first one is described in buf */
};

static const struct {
	const char *name;
	uint16_t port;
} port_names[] = {{PORT_NONE_WORD, 0},
		  {"com1", COM1_PORT},
		  {"com2", COM2_PORT},
		  {"com3", COM3_PORT},
		  {"com4", COM4_PORT}};

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

static bool span_eq(struct span s, const char *lit)
{
	size_t i;
	for (i = 0; i < s.n; i++)
		if (lit[i] != s.p[i]) /* also stops at lit's NUL, which no span byte equals */
			return false;
	return lit[i] == '\0';
}

/* Count a problem and, if it is the first, describe it as "<what> '<word>'<hint>". */
static void problem(struct errbuf *e, const char *what, struct span word, const char *hint)
{
	if (e->problems++ == 0 && e->size)
		fmt_snprintf(e->buf, e->size, "%s '%.*s'%s", what, (int)word.n, word.p, hint);
}

/* A non-empty number in @radix (10 or 16) of at most @max; false on any other character. */
static bool parse_num(struct span s, unsigned radix, uint32_t max, uint32_t *out)
{
	uint32_t v = 0;
	if (s.n == 0)
		return false;
	for (size_t i = 0; i < s.n; i++) {
		char c = s.p[i];
		unsigned d = c >= '0' && c <= '9'   ? (unsigned)(c - '0')
			     : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a') + HEX_A_VALUE
			     : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A') + HEX_A_VALUE
						    : radix;
		if (d >= radix)
			return false;
		v = v * radix + d;
		if (v > max) /* checked per digit, so v never overflows */
			return false;
	}
	*out = v;
	return true;
}

/* none (-> 0) | com1..com4 | 0xHHHH, not 0: that is how hv_config spells "disabled". */
static bool parse_port(struct span s, uint16_t *port)
{
	uint32_t v;
	for (size_t i = 0; i < NELEMS(port_names); i++) {
		if (span_eq(s, port_names[i].name)) {
			*port = port_names[i].port;
			return true;
		}
	}
	if (s.n < 2 || s.p[0] != '0' || (s.p[1] != 'x' && s.p[1] != 'X') ||
	    !parse_num((struct span){s.p + 2, s.n - 2}, HEX_RADIX, PORT_MAX, &v) || v == 0)
		return false;
	*port = (uint16_t)v;
	return true;
}

/* Decimal baud rate that the UART can produce exactly: 115200 / divisor. */
static bool parse_baud(struct span s, uint32_t *baud)
{
	uint32_t v;
	if (!parse_num(s, DEC_RADIX, UART_DEFAULT_BAUD, &v) || v < BAUD_MIN ||
	    UART_DEFAULT_BAUD % v != 0)
		return false;
	*baud = v;
	return true;
}

/* gdb=ITEM[,ITEM...], each a port (as for log=), "wait" or an arch. The word is applied only if
 * every item is valid, so a typo never half-changes the configuration. */
static bool parse_gdb(struct span val, struct hv_config *cfg)
{
	uint16_t port = cfg->gdb_port;
	bool wait = cfg->gdb_wait, have_port = false, have_wait = false;
	enum hv_gdb_arch arch = cfg->gdb_arch;

	/* i++ skips the comma; a trailing one yields an empty, invalid item. */
	for (size_t i = 0;; i++) {
		struct span item = {val.p + i, 0};
		while (i + item.n < val.n && val.p[i + item.n] != ',')
			item.n++;
		if (span_eq(item, GDB_ITEM_WAIT) && !have_wait)
			have_wait = wait = true;
		else if (span_eq(item, GDB_ITEM_ARCH64))
			arch = HV_GDB_ARCH_X86_64;
		else if (span_eq(item, GDB_ITEM_ARCH32))
			arch = HV_GDB_ARCH_I386;
		else if (!have_port && parse_port(item, &port))
			have_port = true;
		else
			return false; /* unknown or empty item, or a second port / second "wait" */
		i += item.n;
		if (i == val.n)
			break;
	}
	/* Disabling the stub also drops "wait", which could otherwise never be satisfied. */
	if (have_port && port == 0) {
		if (have_wait)
			return false;
		wait = false;
	}
	if (wait && port == 0)
		return false;
	cfg->gdb_port = port;
	cfg->gdb_wait = wait;
	cfg->gdb_arch = arch;
	return true;
}

static void parse_word(struct span word, struct hv_config *cfg, struct errbuf *e)
{
	struct span key = {word.p, 0}, val;

	while (key.n < word.n && word.p[key.n] != '=')
		key.n++;
	if (key.n == word.n)
		return; /* no '=': the image path some loaders prepend, or a stray word */
	val.p = word.p + key.n + 1;
	val.n = word.n - key.n - 1;
	if (span_eq(key, "log")) {
		if (!parse_port(val, &cfg->log_port))
			problem(e, "bad value in", word, " (want com1..com4, 0xPORT or none)");
	} else if (span_eq(key, "gdb")) {
		if (!parse_gdb(val, cfg))
			problem(e, "bad value in", word,
				" (want com1..com4, 0xPORT or none, optionally ,wait and "
				"arch=x86-64|i386)");
	} else if (span_eq(key, "baud")) {
		if (!parse_baud(val, &cfg->baud))
			problem(e, "bad value in", word, " (want 50..115200, dividing 115200)");
	} else if (span_eq(key, "hostdr") || span_eq(key, "drlazy")) {
		bool *flag = span_eq(key, "hostdr") ? &cfg->host_dr_test : &cfg->dr_lazy;
		if (span_eq(val, "on") || span_eq(val, "off"))
			*flag = span_eq(val, "on");
		else
			problem(e, "bad value in", word, " (want on or off)");
	} else {
		problem(e, "unknown option", word, "");
	}
}

void cmdline_defaults(struct hv_config *cfg)
{
	*cfg = (struct hv_config){.log_port = COM1_PORT,
				  .gdb_port = COM2_PORT,
				  .baud = UART_DEFAULT_BAUD,
				  .dr_lazy = true};
}

int cmdline_parse(const char *s, struct hv_config *cfg, char *err, size_t errlen)
{
	struct errbuf e = {.buf = err, .size = err ? errlen : 0, .problems = 0};
	if (e.size)
		err[0] = '\0';
	if (!s)
		return 0;
	while (*s) {
		struct span word = {s, 0};
		while (s[word.n] && !is_space(s[word.n]))
			word.n++;
		if (word.n == 0)
			s++; /* a space between words */
		else
			parse_word(word, cfg, &e);
		s += word.n;
	}
	return e.problems;
}
