/* uart.c - polled 16550 UART: init with scratch-register presence test, FIFOs, put/get, drain. */
#include "uart.h"

#include "x86.h"

#define UART_SCRATCH_PATTERN 0x5a
/* Bound busy-waits so a wedged or absent UART cannot hang the hypervisor. */
#define UART_SPIN_LIMIT 1000000
/*
 * Between two empty polls of a line, let this many TSC ticks pass (about 1.5 us at 2.6 GHz; a
 * byte takes 87 us at 115200 baud, so nothing is lost on hardware). Under an emulator every
 * UART register access goes through its device model under a global lock (QEMU's BQL), which
 * the thread that delivers received bytes to the UART needs too: back-to-back LSR reads
 * (measured: 3,668 per gdb request, 140 ns apart) kept it waiting. The wait reads the TSC,
 * not PAUSE: QEMU's TCG leaves its CPU loop, and takes that lock, on every PAUSE.
 */
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
	/* The RX trigger level only paces interrupts, which stay off, and LSR.DR is set from the
	 * first byte on (PC16550D, FCR bits 7:6). It matters to emulators that hand the UART what
	 * the FIFO's trigger level leaves room for: at level 1 QEMU delivers one byte per main-loop
	 * round trip, at 14 a packet's worth at once. */
	x86_outb(port + UART_FCR,
		 UART_FCR_ENABLE | UART_FCR_CLR_RX | UART_FCR_CLR_TX | UART_FCR_TRIG_14);
	u->tx_depth = (x86_inb(port + UART_IIR) & UART_IIR_FIFO_MASK) == UART_IIR_FIFO_ON
			  ? UART_FIFO_DEPTH
			  : 1;
	x86_outb(port + UART_MCR, UART_MCR_DTR_RTS);
	u->present = true;
	return true;
}

/* In FIFO mode THRE means the whole transmit FIFO is empty (PC16550D, LSR bit 5). */
static void wait_thre(struct uart *u)
{
	unsigned spins = 0;

	while (!(x86_inb(u->port + UART_LSR) & UART_LSR_THRE) && spins++ < UART_SPIN_LIMIT)
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
			wait_thre(u);
		x86_outb(u->port + UART_DATA, (uint8_t)buf[i]);
		u->tx_room--;
	}
}

void uart_putc(struct uart *u, char c)
{
	uart_write(u, &c, 1);
}

int uart_getc(struct uart *u)
{
	if (!u->present || !(x86_inb(u->port + UART_LSR) & UART_LSR_DR))
		return -1;
	return x86_inb(u->port + UART_DATA);
}

int uart_poll_getc(struct uart *u)
{
	int c = uart_getc(u);

	if (c < 0) {
		uint64_t start = x86_rdtsc();

		while (x86_rdtsc() - start < UART_IDLE_POLL_TICKS)
			continue; /* x86_rdtsc is volatile: read again each time */
	}
	return c;
}

void uart_drain(struct uart *u)
{
	unsigned spins = 0;

	if (!u->present)
		return;
	while (!(x86_inb(u->port + UART_LSR) & UART_LSR_TEMT) && spins++ < UART_SPIN_LIMIT)
		x86_pause();
	u->tx_room = u->exclusive ? u->tx_depth : 1;
}
