/* uart.c - polled 16550 UART: init with scratch-register presence test, FIFOs, put/get, drain. */
#include "uart.h"

#include "x86.h"

#define UART_SCRATCH_PATTERN 0x5a
/* Bound busy-waits so a wedged or absent UART cannot hang the hypervisor. */
#define UART_SPIN_LIMIT 1000000
/* TSC ticks between two empty polls (about 1.5 us; a byte takes 87 us at 115200 baud). Under an
 * emulator each UART access takes a global lock (QEMU's BQL) that the thread delivering received
 * bytes needs too, so back-to-back LSR reads starved it; TCG takes that lock on every PAUSE. */
#define UART_IDLE_POLL_TICKS 4096

bool uart_init(struct uart *u, uint16_t port, uint32_t baud)
{
	uint16_t div;

	u->port = port;
	u->present = false;
	u->tx_room = 0;
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
	/* The RX trigger level only paces the (disabled) interrupts (PC16550D, FCR bits 7:6), but
	 * QEMU hands the UART one byte per main-loop round trip at level 1, a packet's worth at 14.
	 */
	x86_outb(port + UART_FCR,
		 UART_FCR_ENABLE | UART_FCR_CLR_RX | UART_FCR_CLR_TX | UART_FCR_TRIG_14);
	u->tx_depth = (x86_inb(port + UART_IIR) & UART_IIR_FIFO_MASK) == UART_IIR_FIFO_ON
			  ? UART_FIFO_DEPTH
			  : 1;
	x86_outb(port + UART_MCR, UART_MCR_DTR_RTS);
	u->present = true;
	return true;
}

/* Spin (bounded) until LSR shows @bit (THRE, or TEMT, which implies it); then the transmitter
 * takes a FIFO's worth on an exclusive line (in FIFO mode THRE means the whole FIFO is empty:
 * PC16550D, LSR bit 5), else one byte. */
static void wait_lsr(struct uart *u, uint8_t bit)
{
	unsigned spins = 0;
	while (!(x86_inb(u->port + UART_LSR) & bit) && spins++ < UART_SPIN_LIMIT)
		x86_pause();
	u->tx_room = u->exclusive ? u->tx_depth : 1;
}

void uart_write(struct uart *u, const char *buf, size_t len)
{
	if (!u->present)
		return;
	if (!u->exclusive)
		u->tx_room = 0; /* the guest may have filled the FIFO since */
	for (size_t i = 0; i < len; i++) {
		if (!u->tx_room)
			wait_lsr(u, UART_LSR_THRE);
		x86_outb(u->port + UART_DATA, (uint8_t)buf[i]);
		u->tx_room--;
	}
}

void uart_putc(struct uart *u, char c)
{
	uart_write(u, &c, 1);
}

int uart_poll_getc(struct uart *u)
{
	uint64_t start;
	if (u->present && (x86_inb(u->port + UART_LSR) & UART_LSR_DR))
		return x86_inb(u->port + UART_DATA);
	start = x86_rdtsc();
	while (x86_rdtsc() - start < UART_IDLE_POLL_TICKS)
		continue; /* x86_rdtsc is volatile: read again each time */
	return -1;
}

void uart_drain(struct uart *u)
{
	if (u->present)
		wait_lsr(u, UART_LSR_TEMT);
}
