/* console.c - mb2kernel's COM1 output (polled 16550, 115200 8N1) and exit through the ports. */
#include "mb2kernel.h"

#define COM1	       0x3f8
#define REG_DATA       0
#define REG_IER	       1
#define REG_DLL	       0
#define REG_DLM	       1
#define REG_FCR	       2
#define REG_LCR	       3
#define REG_MCR	       4
#define REG_LSR	       5
#define LCR_DLAB       0x80
#define LCR_8N1	       0x03
#define FCR_FIFO_ON    0x07
#define MCR_DTR_RTS    0x03
#define LSR_THRE       0x20
#define LSR_TEMT       0x40
#define DIVISOR_115200 1
#define SPIN_LIMIT     1000000 /* a missing UART must not hang the kernel */

/* QEMU -device isa-debug-exit,iobase=0xf4 and Bochs' "Shutdown" port. */
#define QEMU_EXIT_PORT	    0xf4
#define BOCHS_SHUTDOWN_PORT 0x8900
#define BOCHS_SHUTDOWN_STR  "Shutdown"

#define DEC_DIGITS_MAX	10
#define DEC_BASE	10
#define HEX_DIGITS32	8
#define HEX_DIGITS64	16
#define NIBBLE_BITS	4
#define NIBBLE_MASK	0xf
#define FIRST_PRINTABLE ' '
#define LAST_PRINTABLE	'~'

static void wait_lsr(uint8_t bit)
{
	for (unsigned spins = 0; !(inb(COM1 + REG_LSR) & bit) && spins < SPIN_LIMIT; spins++)
		;
}

void con_init(void)
{
	outb(COM1 + REG_IER, 0);
	outb(COM1 + REG_LCR, LCR_DLAB);
	outb(COM1 + REG_DLL, DIVISOR_115200);
	outb(COM1 + REG_DLM, 0);
	outb(COM1 + REG_LCR, LCR_8N1);
	outb(COM1 + REG_FCR, FCR_FIFO_ON);
	outb(COM1 + REG_MCR, MCR_DTR_RTS);
}

static void con_putc(char c)
{
	wait_lsr(LSR_THRE);
	outb(COM1 + REG_DATA, (uint8_t)c);
}

void con_puts(const char *s)
{
	while (*s)
		con_putc(*s++);
}

/* Loader-supplied strings: bounded, and nothing that could upset a terminal or a grep. */
void con_putsn(const char *s, size_t max)
{
	for (size_t i = 0; i < max && s[i]; i++)
		con_putc(s[i] >= FIRST_PRINTABLE && s[i] <= LAST_PRINTABLE ? s[i] : '?');
}

void con_putu(uint32_t v)
{
	char buf[DEC_DIGITS_MAX];
	int n = 0;

	do {
		buf[n++] = (char)('0' + v % DEC_BASE);
		v /= DEC_BASE;
	} while (v);
	while (n)
		con_putc(buf[--n]);
}

static void con_puthex(uint64_t v, int digits)
{
	con_puts("0x");
	for (int i = digits - 1; i >= 0; i--)
		con_putc("0123456789abcdef"[(v >> (i * NIBBLE_BITS)) & NIBBLE_MASK]);
}

void con_putx(uint32_t v)
{
	con_puthex(v, HEX_DIGITS32);
}

void con_putx64(uint64_t v)
{
	con_puthex(v, HEX_DIGITS64);
}

void con_yesno(bool v)
{
	con_puts(v ? "yes" : "no");
}

/* QEMU leaves with status (code << 1) | 1; Bochs powers off; anything else halts for good. */
void kexit(int code)
{
	const char *p;

	cli();
	con_puts("mb2kernel: exit code ");
	con_putu((uint32_t)code);
	con_puts("\n");
	wait_lsr(LSR_TEMT);
	outb(QEMU_EXIT_PORT, (uint8_t)code);
	for (p = BOCHS_SHUTDOWN_STR; *p; p++)
		outb(BOCHS_SHUTDOWN_PORT, (uint8_t)*p);
	for (;;)
		__asm__ volatile("cli; hlt");
}
