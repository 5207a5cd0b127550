/* uart.h - polled 16550 UART driver (log console and GDB serial line). */
#ifndef DBGVISOR_UART_H
#define DBGVISOR_UART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Register offsets from the base port (PC16550D datasheet, table 2). */
#define UART_DATA      0
#define UART_IER       1
#define UART_FCR       2 /* write */
#define UART_IIR       2 /* read */
#define UART_LCR       3
#define UART_MCR       4
#define UART_LSR       5
#define UART_SCR       7
#define UART_DLL       0 /* with LCR.DLAB */
#define UART_DLM       1
#define UART_PORT_SPAN 8 /* ports from the base */

#define UART_LCR_8N1	 0x03
#define UART_LCR_DLAB	 0x80
#define UART_FCR_ENABLE	 0x01 /* FIFO mode */
#define UART_FCR_CLR_RX	 0x02
#define UART_FCR_CLR_TX	 0x04
#define UART_FCR_TRIG_14 0xc0 /* RX trigger level 14 bytes (FCR bits 7:6 = 11) */
/* IIR bits 7:6 read 11 with working FIFOs (a 16450 reads 00, a 16550 without the A 10). */
#define UART_IIR_FIFO_MASK	0xc0
#define UART_IIR_FIFO_ON	0xc0
#define UART_FIFO_DEPTH		16 /* the 16550A's transmit and receive FIFOs */
#define UART_MCR_DTR_RTS	0x03
#define UART_MCR_OUT2		0x08 /* gates INTR to the interrupt controller on PCs */
#define UART_IER_RX_DATA	0x01 /* received data available */
#define UART_LSR_DR		0x01 /* data ready */
#define UART_LSR_THRE		0x20 /* transmit holding register (FIFO mode: transmit FIFO) empty */
#define UART_LSR_TEMT		0x40 /* transmitter completely idle */
#define UART_CLOCK_DIVISOR_BASE 115200

struct uart {
	uint16_t port;
	bool present;
	/* Only the hypervisor writes to it (the GDB line): a THRE makes room for a FIFO's worth,
	 * still valid at the next write; a line the guest may share sends a byte per THRE. */
	bool exclusive;
	uint8_t tx_depth; /* bytes the transmitter takes once THRE is set: 16 with FIFOs, else 1 */
	uint8_t tx_room;  /* bytes that fit now without reading LSR */
};

/* Program @port for @baud 8N1, polled, FIFOs on if present; false (marked absent) if no UART. */
bool uart_init(struct uart *u, uint16_t port, uint32_t baud);
void uart_putc(struct uart *u, char c);
/* Send @len bytes: one LSR read per THRE, then up to a FIFO's worth of writes. */
void uart_write(struct uart *u, const char *buf, size_t len);
/* The received byte; or, when nothing waits, -1 after a short pause without device access. */
int uart_poll_getc(struct uart *u);
/* Wait until every queued byte has left the shift register (LSR.TEMT). */
void uart_drain(struct uart *u);

#endif
