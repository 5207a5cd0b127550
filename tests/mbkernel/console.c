/* console.c - mbkernel's COM1 output (polled 16550) and exit through the emulators' ports. */
#include "mbkernel.h"

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
#define SPIN_LIMIT     1000000

/* QEMU -device isa-debug-exit,iobase=0xf4 and Bochs' "Shutdown" port. */
#define QEMU_EXIT_PORT	    0xf4
#define BOCHS_SHUTDOWN_PORT 0x8900
#define BOCHS_SHUTDOWN_STR  "Shutdown"

#define DEC_DIGITS_MAX 10
#define DEC_BASE       10
#define HEX_DIGITS     8
#define NIBBLE_BITS    4
#define NIBBLE_MASK    0xf

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

void con_putx(uint32_t v)
{
	con_puts("0x");
	for (int i = HEX_DIGITS - 1; i >= 0; i--)
		con_putc("0123456789abcdef"[(v >> (i * NIBBLE_BITS)) & NIBBLE_MASK]);
}

void con_yesno(bool v)
{
	con_puts(v ? "yes" : "no");
}

void kexit(int code)
{
	const char *p;

	cli();
	con_puts("mbkernel: exit code ");
	con_putu((uint32_t)code);
	con_puts("\n");
	wait_lsr(LSR_TEMT);
	outb(QEMU_EXIT_PORT, (uint8_t)code);
	for (p = BOCHS_SHUTDOWN_STR; *p; p++)
		outb(BOCHS_SHUTDOWN_PORT, (uint8_t)*p);
	for (;;)
		__asm__ volatile("cli; hlt");
}
