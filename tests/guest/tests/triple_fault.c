/* triple_fault.c - #UD with an empty IDT escalates to #DF and then to shutdown (triple fault). */
#include <stdint.h>

#include "tests/guest/lib/guest.h"
#include "tests/guest/lib/x86g.h"

#define EMPTY_IDT_LIMIT 0 /* not even vector 0's gate fits: every delivery faults */
#define COM1_LSR	0x3fd
#define LSR_TEMT	0x40 /* transmitter (holding and shift register) empty */
#define DRAIN_SPINS	1000000

/* Let the last line leave COM1 before the machine stops. */
static void drain_com1(void)
{
	for (unsigned i = 0; i < DRAIN_SPINS && !(x86g_inb(COM1_LSR) & LSR_TEMT); i++)
		x86g_pause();
}

int test_main(void)
{
	static const struct x86g_dtr empty_idt = {.limit = EMPTY_IDT_LIMIT, .base = 0};

	gprintf("triple fault test (%s), under dbgvisor: %s\n", guest_mode_name(),
		guest_under_dbgvisor() ? "yes" : "no");
	gprintf("triple fault now\n");
	drain_com1();
	x86g_lidt(&empty_idt);
	__asm__ volatile("ud2");
	/* Not reached: the machine shut down (bare) or the hypervisor stopped the guest. */
	gprintf("still running after the triple fault\n");
	guest_finish();
}
