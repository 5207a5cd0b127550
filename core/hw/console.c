/* console.c - printk to the log UART and machine exit. */
#include "console.h"

#include "printf.h"
#include "x86.h"

#define MAX_DRAIN_UARTS 2

static struct uart *log_uart;
static struct uart *drain_uarts[MAX_DRAIN_UARTS];

void console_init(struct uart *log)
{
	log_uart = log;
}

void console_add_drain(struct uart *u)
{
	for (int i = 0; i < MAX_DRAIN_UARTS; i++) {
		if (!drain_uarts[i]) {
			drain_uarts[i] = u;
			return;
		}
	}
}

static void uart_sink(char c, void *ctx)
{
	struct uart *u = ctx;
	if (!u)
		return;
	if (c == '\n')
		uart_putc(u, '\r');
	uart_putc(u, c);
}

void uart_printf(struct uart *u, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fmt_vformat(uart_sink, u, fmt, ap);
	va_end(ap);
}

void vprintk(const char *fmt, va_list ap)
{
	fmt_vformat(uart_sink, log_uart, fmt, ap);
}

void printk(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
}

void console_drain(void)
{
	if (log_uart)
		uart_drain(log_uart);
	for (int i = 0; i < MAX_DRAIN_UARTS; i++) {
		if (drain_uarts[i])
			uart_drain(drain_uarts[i]);
	}
}

void hv_exit(int code)
{
	static const char shutdown[] = "Shutdown";
	x86_cli();
	console_drain();
	x86_outb(QEMU_DEBUG_EXIT_PORT, (uint8_t)code);
	for (const char *p = shutdown; *p; p++)
		x86_outb(BOCHS_SHUTDOWN_PORT, (uint8_t)*p);
	for (;;)
		x86_hlt();
}
