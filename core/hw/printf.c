/* printf.c - freestanding printf subset for register dumps and log lines (no floating point). */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "printf.h"

#define FMT_DIGITS_MAX 24 /* UINT64_MAX in decimal has 20 digits */
#define FMT_PTR_DIGITS 16 /* "%p" shows all 64 bits so columns in dumps line up */
/* Cap on widths and precisions: a typo like "%99999999d" must not stall the log UART. */
#define FMT_MAX_WIDTH 4096
#define FMT_NULL_STR  "(null)"

struct fmt_sink {
	fmt_putc_fn out;
	void *ctx;
	size_t count;
};

struct fmt_spec {
	bool left;	 /* '-': pad on the right */
	bool zero;	 /* '0': pad numbers with zeros instead of spaces */
	unsigned width;	 /* minimum field width */
	int prec;	 /* precision, or -1 when absent */
	unsigned lenmod; /* how many 'l' (0..2), or LEN_SIZE */
	bool upper;	 /* 'X' */
};

enum { LEN_INT = 0, LEN_LONG = 1, LEN_LLONG = 2, LEN_SIZE };

static void put(struct fmt_sink *s, char c)
{
	s->out(c, s->ctx);
	s->count++;
}

static void put_n(struct fmt_sink *s, char c, unsigned n)
{
	while (n--)
		put(s, c);
}

static void put_str(struct fmt_sink *s, const char *str, size_t n)
{
	while (n--)
		put(s, *str++);
}

/* A width or precision: '*' takes the next int argument, digits saturate at FMT_MAX_WIDTH. */
static int parse_field(const char **pp, va_list *ap)
{
	int v = 0;
	if (**pp == '*') {
		(*pp)++;
		return va_arg(*ap, int);
	}
	for (; **pp >= '0' && **pp <= '9'; (*pp)++) {
		v = v * 10 + (**pp - '0');
		if (v > FMT_MAX_WIDTH)
			v = FMT_MAX_WIDTH;
	}
	return v;
}

/* |v|, capped; a negative '*' width (left-justify, C11 7.21.6.1p5) is the caller's to handle. */
static unsigned clamp_width(int v)
{
	unsigned u = v < 0 ? 0u - (unsigned)v : (unsigned)v;
	return u > FMT_MAX_WIDTH ? FMT_MAX_WIDTH : u;
}

/* Emit [spaces][prefix][zeros][body][spaces], space-padded to the field width. */
static void emit_field(struct fmt_sink *s, const struct fmt_spec *sp, const char *prefix,
		       size_t plen, unsigned zeros, const char *body, size_t n)
{
	size_t len = plen + zeros + n;
	unsigned pad = sp->width > len ? sp->width - (unsigned)len : 0;
	if (!sp->left)
		put_n(s, ' ', pad);
	put_str(s, prefix, plen);
	put_n(s, '0', zeros);
	put_str(s, body, n);
	if (sp->left)
		put_n(s, ' ', pad);
}

/* Emit @mag in @base after @prefix ("-", "0x" or ""), which always precedes zero padding. */
static void emit_int(struct fmt_sink *s, const struct fmt_spec *sp, uint64_t mag, unsigned base,
		     const char *prefix, size_t plen)
{
	const char *set = sp->upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char buf[FMT_DIGITS_MAX], *dig = buf + sizeof(buf);
	unsigned ndig, zeros = 0;
	/* C: an explicit precision of 0 prints no digits for the value 0. */
	if (!(sp->prec == 0 && mag == 0)) {
		do {
			*--dig = set[mag % base];
			mag /= base;
		} while (mag);
	}
	ndig = (unsigned)(buf + sizeof(buf) - dig);
	if (sp->prec >= 0 && (unsigned)sp->prec > ndig)
		zeros = (unsigned)sp->prec - ndig;
	/* '0' is ignored with '-' or an explicit precision (C11 7.21.6.1p6). */
	if (sp->zero && !sp->left && sp->prec < 0 && sp->width > plen + ndig)
		zeros = sp->width - (unsigned)plen - ndig;
	emit_field(s, sp, prefix, plen, zeros, dig, ndig);
}

/* The next integer argument of length @lenmod, sign-extended for the signed conversions. */
static uint64_t arg_int(va_list *ap, unsigned lenmod, bool sign)
{
	switch (lenmod) {
	case LEN_LONG:
		return sign ? (uint64_t)va_arg(*ap, long) : va_arg(*ap, unsigned long);
	case LEN_LLONG:
		return sign ? (uint64_t)va_arg(*ap, long long) : va_arg(*ap, unsigned long long);
	case LEN_SIZE:
		return va_arg(*ap, size_t); /* %zd: size_t's width, modular conversion on gcc */
	default:
		return sign ? (uint64_t)va_arg(*ap, int) : va_arg(*ap, unsigned int);
	}
}

/* Parse flags, width, precision and length of one spec; *pp is just past the '%'. */
static void parse_spec(const char **pp, struct fmt_spec *sp, va_list *ap)
{
	const char *p = *pp;
	int w;

	*sp = (struct fmt_spec){.prec = -1};
	for (; *p == '-' || *p == '0'; p++) {
		if (*p == '-')
			sp->left = true;
		else
			sp->zero = true;
	}
	w = parse_field(&p, ap);
	sp->left |= w < 0;
	sp->width = clamp_width(w);
	if (*p == '.') {
		p++;
		w = parse_field(&p, ap);
		/* A negative precision argument counts as absent (C11 7.21.6.1p5). */
		sp->prec = w < 0 ? -1 : (int)clamp_width(w);
	}
	if (*p == 'z') {
		sp->lenmod = LEN_SIZE;
		p++;
	}
	for (; *p == 'l' && sp->lenmod < LEN_LLONG; p++)
		sp->lenmod++;
	*pp = p;
}

/* Format one conversion character @conv; false if it is not one we know. */
static bool convert(struct fmt_sink *s, const struct fmt_spec *sp, char conv, va_list *ap)
{
	switch (conv) {
	case 'd':
	case 'i': {
		int64_t v = (int64_t)arg_int(ap, sp->lenmod, true);
		/* Negate in unsigned arithmetic so INT64_MIN has a magnitude too. */
		uint64_t mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

		emit_int(s, sp, mag, 10, "-", v < 0 ? 1 : 0);
		return true;
	}
	case 'u':
	case 'x':
	case 'X':
		emit_int(s, sp, arg_int(ap, sp->lenmod, false), conv == 'u' ? 10 : 16, "", 0);
		return true;
	case 'p': {
		struct fmt_spec ps = *sp;

		ps.prec = FMT_PTR_DIGITS;
		ps.upper = false;
		emit_int(s, &ps, (uintptr_t)va_arg(*ap, void *), 16, "0x", 2);
		return true;
	}
	case 's': {
		const char *str = va_arg(*ap, const char *);
		size_t max = sp->prec >= 0 ? (size_t)sp->prec : SIZE_MAX;
		size_t n = 0;

		if (!str)
			str = FMT_NULL_STR;
		while (n < max && str[n]) /* the precision may bound a non-string */
			n++;
		emit_field(s, sp, "", 0, 0, str, n);
		return true;
	}
	case 'c': {
		char c = (char)va_arg(*ap, int);

		emit_field(s, sp, "", 0, 0, &c, 1);
		return true;
	}
	case '%':
		put(s, '%');
		return true;
	default:
		return false;
	}
}

int fmt_vformat(fmt_putc_fn out, void *ctx, const char *fmt, va_list ap)
{
	struct fmt_sink s = {.out = out, .ctx = ctx, .count = 0};
	va_list args;

	/* A va_list parameter may be an array in disguise; take a real copy we can point to. */
	va_copy(args, ap);
	while (*fmt) {
		const char *start = fmt;
		struct fmt_spec sp;

		if (*fmt != '%') {
			put(&s, *fmt++);
			continue;
		}
		fmt++;
		parse_spec(&fmt, &sp, &args);
		sp.upper = *fmt == 'X';
		if (*fmt && convert(&s, &sp, *fmt, &args)) {
			fmt++;
			continue;
		}
		/* Unknown or truncated conversion: show it as written so the bug is visible. */
		if (*fmt)
			fmt++;
		put_str(&s, start, (size_t)(fmt - start));
	}
	va_end(args);
	return s.count > INT32_MAX ? INT32_MAX : (int)s.count;
}

struct fmt_buf {
	char *buf;
	size_t size;
	size_t pos;
};

static void buf_putc(char c, void *ctx)
{
	struct fmt_buf *b = ctx;
	if (b->pos + 1 < b->size) /* the last byte is kept for the NUL */
		b->buf[b->pos] = c;
	b->pos++;
}

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct fmt_buf b = {.buf = buf, .size = buf ? size : 0, .pos = 0};
	int n = fmt_vformat(buf_putc, &b, fmt, ap);
	if (b.size)
		b.buf[b.pos < b.size ? b.pos : b.size - 1] = '\0';
	return n;
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;
	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

void fmt_append(struct fmt_out *o, const char *fmt, ...)
{
	va_list ap;
	int n;
	if (o->len + 1 >= o->max)
		return;
	va_start(ap, fmt);
	n = fmt_vsnprintf(o->buf + o->len, o->max - o->len, fmt, ap);
	va_end(ap);
	o->len += (size_t)n < o->max - o->len ? (size_t)n : o->max - o->len - 1;
}

int fmt_fail(int code, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		fmt_vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return code;
}
