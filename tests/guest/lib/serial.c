/* serial.c - COM1 at 115200 8N1, polled, and gprintf on top of core/printf's formatter. */
#include <stdarg.h>
#include <stdint.h>

#include "core/hw/printf.h"
#include "runtime.h"
#include "x86g.h"

#define COM1_PORT 0x3f8
/* 16550 registers (offsets from the base port). */
#define UART_DATA 0 /* THR/RBR; divisor low byte when DLAB=1 */
#define UART_IER  1 /* interrupt enable; divisor high byte when DLAB=1 */
#define UART_DLL  0
#define UART_DLM  1
#define UART_FCR  2
#define UART_LCR  3
#define UART_MCR  4
#define UART_LSR  5

#define UART_BASE_CLOCK	      115200 /* divisor latch clock (1.8432 MHz / 16) */
#define UART_BAUD	      115200
#define UART_LCR_DLAB	      0x80
#define UART_LCR_8N1	      0x03
#define UART_FCR_ENABLE_CLEAR 0x07 /* FIFOs on, both cleared */
#define UART_MCR_DTR_RTS      0x03
#define UART_LSR_THRE	      0x20 /* room in the transmit holding register */
#define UART_LSR_TEMT	      0x40 /* transmitter completely empty */
#define DIVISOR_HIGH_SHIFT    8
#define BYTE_MASK	      0xff

/* Bound busy-waits so a missing or wedged UART cannot hang the program. */
#define UART_SPIN_LIMIT 1000000

static void wait_lsr(uint8_t bit)
{
	unsigned spins = 0;

	while (!(x86g_inb(COM1_PORT + UART_LSR) & bit) && spins++ < UART_SPIN_LIMIT)
		x86g_pause();
}

void guest_serial_init(void)
{
	uint16_t div = UART_BASE_CLOCK / UART_BAUD;

	x86g_outb(COM1_PORT + UART_IER, 0); /* polled: no UART interrupts */
	x86g_outb(COM1_PORT + UART_LCR, UART_LCR_DLAB);
	x86g_outb(COM1_PORT + UART_DLL, div & BYTE_MASK);
	x86g_outb(COM1_PORT + UART_DLM, (uint8_t)(div >> DIVISOR_HIGH_SHIFT));
	x86g_outb(COM1_PORT + UART_LCR, UART_LCR_8N1);
	x86g_outb(COM1_PORT + UART_FCR, UART_FCR_ENABLE_CLEAR);
	x86g_outb(COM1_PORT + UART_MCR, UART_MCR_DTR_RTS);
}

void guest_serial_putc(char c)
{
	wait_lsr(UART_LSR_THRE);
	x86g_outb(COM1_PORT + UART_DATA, (uint8_t)c);
}

void guest_serial_drain(void)
{
	wait_lsr(UART_LSR_TEMT);
}

static void sink(char c, void *ctx)
{
	(void)ctx;
	guest_serial_putc(c);
}

int gprintf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vformat(sink, NULL, fmt, ap);
	va_end(ap);
	return n;
}
