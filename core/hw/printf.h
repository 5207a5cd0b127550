/* printf.h - freestanding formatted output: d i u x X p s c %, l ll z, width, precision, - 0. */
#ifndef DBGVISOR_PRINTF_H
#define DBGVISOR_PRINTF_H

#include <stdarg.h>
#include <stddef.h>

typedef void (*fmt_putc_fn)(char c, void *ctx);

/* Format to a character sink; returns the number of characters produced. */
int fmt_vformat(fmt_putc_fn out, void *ctx, const char *fmt, va_list ap);

/* snprintf semantics: always NUL-terminates when size > 0, returns the untruncated length. */
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
/* A refusal: format the reason into @err (when given) and return @code. */
int fmt_fail(int code, char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Text appended to a caller's buffer of @max bytes, truncated (never overflowing) when full. */
struct fmt_out {
	char *buf;
	size_t len, max;
};

void fmt_append(struct fmt_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
