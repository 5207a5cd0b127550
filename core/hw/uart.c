/* uart.c - polled 16550 UART: init with scratch-register presence test, put/get, drain. */
#include "uart.h"

#include "x86.h"

#define UART_SCRATCH_PATTERN 0x5a
/* Bound busy-waits so a wedged or absent UART cannot hang the hypervisor. */
#define UART_SPIN_LIMIT 1000000

bool uart_init(struct uart *u, uint16_t port, uint32_t baud)
{
	uint16_t div;

	u->port = port;
	u->present = false;
	if (port == 0 || baud == 0)
		return false;
	x86_outb(port + UART_SCR, UART_SCRATCH_PATTERN);
	if (x86_inb(port + UART_SCR) != UART_SCRATCH_PATTERN)
		return false;
	div = (uint16_t)(UART_CLOCK_DIVISOR_BASE / baud);
	x86_outb(port + UART_IER, 0); /* polled: no interrupts */
	x86_outb(port + UART_LCR, UART_LCR_DLAB);
	x86_outb(port + UART_DLL, div & 0xff);
	x86_outb(port + UART_DLM, div >> 8);
	x86_outb(port + UART_LCR, UART_LCR_8N1);
	x86_outb(port + UART_FCR, UART_FCR_ENABLE_CLEAR);
	x86_outb(port + UART_MCR, UART_MCR_DTR_RTS);
	u->present = true;
	return true;
}

void uart_putc(struct uart *u, char c)
{
	unsigned spins = 0;

	if (!u->present)
		return;
	while (!(x86_inb(u->port + UART_LSR) & UART_LSR_THRE) && spins++ < UART_SPIN_LIMIT)
		x86_pause();
	x86_outb(u->port + UART_DATA, (uint8_t)c);
}

int uart_getc(struct uart *u)
{
	if (!u->present || !(x86_inb(u->port + UART_LSR) & UART_LSR_DR))
		return -1;
	return x86_inb(u->port + UART_DATA);
}

void uart_drain(struct uart *u)
{
	unsigned spins = 0;

	if (!u->present)
		return;
	while (!(x86_inb(u->port + UART_LSR) & UART_LSR_TEMT) && spins++ < UART_SPIN_LIMIT)
		x86_pause();
}
