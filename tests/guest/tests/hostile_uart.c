/* hostile_uart.c - scribble over COM2 (the GDB port); under dbgvisor it must look absent. */
#include <stdbool.h>
#include <stdint.h>

#include "tests/guest/lib/guest.h"
#include "tests/guest/lib/x86g.h"

/* 16550 registers at COM2 (offsets from the base; DLAB selects the divisor latch at 0/1). */
#define COM2_BASE    0x2f8
#define UART_PORTS   8
#define UART_THR     0 /* write, DLAB=0 */
#define UART_DLL     0 /* DLAB=1 */
#define UART_IER     1 /* DLAB=0 */
#define UART_DLM     1 /* DLAB=1 */
#define UART_LCR     3
#define UART_MCR     4
#define LCR_DLAB     0x80
#define MCR_LOOPBACK 0x10
#define IER_ALL	     0xff
#define GARBAGE	     0xa5
#define DIVISOR_MIN  0x0001
#define DIVISOR_MAX  0xffff
#define THR_BYTES    32
#define NO_DEVICE    0xff /* an ISA port with nothing behind it reads all ones */
#define STRING_BYTES 16
#define STRING_FILL  0x5a

static uint8_t out_buf[STRING_BYTES] = "hostile rep outs";
static uint8_t in_buf[STRING_BYTES];

static void write_divisor(uint16_t divisor)
{
	x86g_outb(COM2_BASE + UART_DLL, (uint8_t)divisor);
	x86g_outb(COM2_BASE + UART_DLM, (uint8_t)(divisor >> 8));
}

static void scribble(void)
{
	for (int i = 0; i < UART_PORTS; i++)
		x86g_outb(COM2_BASE + i, GARBAGE);
	x86g_outb(COM2_BASE + UART_LCR, LCR_DLAB);
	write_divisor(DIVISOR_MIN);
	write_divisor(DIVISOR_MAX);
	x86g_outb(COM2_BASE + UART_LCR, (uint8_t)~LCR_DLAB & GARBAGE); /* DLAB off, odd format */
	x86g_outb(COM2_BASE + UART_MCR, MCR_LOOPBACK);
	x86g_outb(COM2_BASE + UART_IER, IER_ALL);
	for (int i = 0; i < THR_BYTES; i++)
		x86g_outb(COM2_BASE + UART_THR, (uint8_t)(GARBAGE + i));
}

/* Read every port; returns how many read as "no device". */
static int read_all(void)
{
	int absent = 0;

	gprintf("COM2 reads:");
	for (int i = 0; i < UART_PORTS; i++) {
		uint8_t v = x86g_inb(COM2_BASE + i);

		gprintf(" 0x%x=0x%02x", COM2_BASE + i, v);
		absent += v == NO_DEVICE;
	}
	gprintf("\n");
	return absent;
}

static void check_string_io(bool hv)
{
	uintptr_t si = (uintptr_t)out_buf, di = (uintptr_t)in_buf, cx = STRING_BYTES;
	int all_ones = 0;

	__asm__ volatile("cld; rep outsb"
			 : "+S"(si), "+c"(cx)
			 : "d"((uint16_t)COM2_BASE), "m"(out_buf)
			 : "memory");
	gprintf("rep outsb: si advanced by %ld, cx left %lu\n", (long)(si - (uintptr_t)out_buf),
		(unsigned long)cx);
	EXPECT_EQ("rep outsb to COM2 advanced SI by 16", si - (uintptr_t)out_buf, STRING_BYTES);
	EXPECT_EQ("rep outsb to COM2 left CX zero", cx, 0);

	memset(in_buf, STRING_FILL, sizeof(in_buf));
	cx = STRING_BYTES;
	__asm__ volatile("cld; rep insb"
			 : "+D"(di), "+c"(cx)
			 : "d"((uint16_t)COM2_BASE)
			 : "memory");
	for (int i = 0; i < STRING_BYTES; i++)
		all_ones += in_buf[i] == NO_DEVICE;
	gprintf(
	    "rep insb: di advanced by %ld, cx left %lu, %d of %d bytes read 0xff, first 0x%02x\n",
	    (long)(di - (uintptr_t)in_buf), (unsigned long)cx, all_ones, STRING_BYTES, in_buf[0]);
	EXPECT_EQ("rep insb from COM2 advanced DI by 16", di - (uintptr_t)in_buf, STRING_BYTES);
	EXPECT_EQ("rep insb from COM2 left CX zero", cx, 0);
	(void)hv;
}

int test_main(void)
{
	bool hv = guest_under_dbgvisor();
	int absent;

	gprintf("hostile UART (%s), under dbgvisor: %s\n", guest_mode_name(), hv ? "yes" : "no");
	scribble();
	absent = read_all();
	gprintf("COM2 ports reading 0xff: %d of %d\n", absent, UART_PORTS);
	if (hv)
		EXPECT_EQ("every COM2 port reads 0xff under dbgvisor", absent, UART_PORTS);
	check_string_io(hv);
	guest_finish();
}
