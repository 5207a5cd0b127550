/* uart.h - polled 16550 UART driver (log console and GDB serial line). */
#ifndef DBGVISOR_UART_H
#define DBGVISOR_UART_H

#include <stdbool.h>
#include <stdint.h>

/* Register offsets from the base port (PC16550D datasheet, table 2). */
#define UART_DATA      0
#define UART_IER       1
#define UART_FCR       2
#define UART_LCR       3
#define UART_MCR       4
#define UART_LSR       5
#define UART_SCR       7
#define UART_DLL       0 /* with LCR.DLAB */
#define UART_DLM       1
#define UART_PORT_SPAN 8 /* ports from the base */

#define UART_LCR_8N1		0x03
#define UART_LCR_DLAB		0x80
#define UART_FCR_ENABLE_CLEAR	0x07
#define UART_MCR_DTR_RTS	0x03
#define UART_MCR_OUT2		0x08 /* gates INTR to the interrupt controller on PCs */
#define UART_IER_RX_DATA	0x01 /* received data available */
#define UART_LSR_DR		0x01 /* data ready */
#define UART_LSR_THRE		0x20 /* transmit holding register empty */
#define UART_LSR_TEMT		0x40 /* transmitter completely idle */
#define UART_CLOCK_DIVISOR_BASE 115200

struct uart {
	uint16_t port;
	bool present;
};

/* Program @port for @baud 8N1, polled; returns false (and marks absent) if no UART answers. */
bool uart_init(struct uart *u, uint16_t port, uint32_t baud);
void uart_putc(struct uart *u, char c);
/* Returns the received byte, or -1 when nothing is waiting. */
int uart_getc(struct uart *u);
/* Wait until every queued byte has left the shift register (LSR.TEMT). */
void uart_drain(struct uart *u);

#endif
