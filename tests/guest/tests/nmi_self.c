/* nmi_self.c - NMIs the guest sends itself (xAPIC and x2APIC ICR): each taken once, blocked
 * until the handler's IRET. */
#include <stdbool.h>
#include <stdint.h>

#include "tests/guest/lib/guest.h"
#include "tests/guest/lib/x86g.h"

/* Local APIC (SDM vol. 3A, 11.4, 11.6.1 and 11.12 for x2APIC). */
#define MSR_APIC_BASE	  0x1b
#define APIC_BASE_ADDR	  0xfffff000u
#define APIC_BASE_EXTD	  (1u << 10) /* x2APIC mode */
#define LAPIC_ID	  0x020
#define LAPIC_SVR	  0x0f0
#define LAPIC_ICR_LOW	  0x300
#define LAPIC_ICR_HIGH	  0x310
#define LAPIC_ID_SHIFT	  24
#define SVR_ENABLE	  (1u << 8)
#define SVR_SPURIOUS	  0xff
#define ICR_NMI		  (4u << 8) /* delivery mode 100b; the vector field is ignored */
#define ICR_ASSERT	  (1u << 14)
#define ICR_SELF	  (1u << 18) /* destination shorthand 01b */
#define ICR_PENDING	  (1u << 12)
#define MSR_X2APIC_ID	  0x802
#define MSR_X2APIC_ICR	  0x830
#define X2APIC_DEST_SHIFT 32
#define CPUID1_ECX_X2APIC (1u << 21)
/* Long enough for an IPI to land everywhere we run (a few hundred instructions at most). */
#define DELIVERY_SPINS 200000
#define HANDLER_SPINS  100000

static volatile uint32_t *lapic;
static volatile unsigned nmis, nested_sent, seen_in_handler;
static bool x2apic;
static volatile bool send_again; /* read by the NMI handler */

static void apic_write(unsigned reg, uint32_t val)
{
	lapic[reg / sizeof(uint32_t)] = val;
}

static uint32_t apic_read(unsigned reg)
{
	return lapic[reg / sizeof(uint32_t)];
}

/* Send one NMI to ourselves: by shorthand, or physically addressed to our own APIC ID. */
static void send_self_nmi(bool shorthand)
{
	uint32_t low = ICR_NMI | ICR_ASSERT | (shorthand ? ICR_SELF : 0);

	if (x2apic) {
		uint64_t dest = shorthand ? 0 : x86g_rdmsr(MSR_X2APIC_ID);

		x86g_wrmsr(MSR_X2APIC_ICR, dest << X2APIC_DEST_SHIFT | low);
		return;
	}
	apic_write(LAPIC_ICR_HIGH, shorthand ? 0 : apic_read(LAPIC_ID));
	apic_write(LAPIC_ICR_LOW, low);
	for (unsigned i = 0; i < DELIVERY_SPINS && (apic_read(LAPIC_ICR_LOW) & ICR_PENDING); i++)
		x86g_pause();
}

static void spin_until(unsigned want)
{
	for (unsigned i = 0; i < DELIVERY_SPINS && nmis < want; i++)
		x86g_pause();
	/* And a while longer: a second delivery of the same NMI would show up here. */
	for (unsigned i = 0; i < DELIVERY_SPINS; i++)
		x86g_pause();
}

/* The handler: counts; once asked, sends a second NMI that must wait for this IRET. */
static void nmi_hook(struct gframe *f)
{
	(void)f;
	nmis++;
	if (send_again) {
		send_again = false;
		nested_sent = 1;
		send_self_nmi(false);
		for (unsigned i = 0; i < HANDLER_SPINS; i++)
			x86g_pause();
		seen_in_handler = nmis;
	}
}

static void run_sends(const char *mode)
{
	/* NMI with the self shorthand is an invalid ICR combination (SDM vol. 3A, table 11-3 and
	 * 11.12.9): Bochs drops it, QEMU delivers it. Printed, compared with the bare run. */
	nmis = 0;
	send_self_nmi(true);
	spin_until(1);
	gprintf("guest: %s: self-shorthand NMI taken %u time(s)\n", mode, nmis);
	nmis = 0;
	send_self_nmi(false);
	spin_until(1);
	EXPECT_EQ(guest_name("%s: NMI to our own APIC ID taken exactly once", mode), nmis, 1);
	nmis = 0;
	nested_sent = 0;
	seen_in_handler = 0;
	send_again = true;
	send_self_nmi(false);
	spin_until(2);
	send_again = false;
	EXPECT_EQ(guest_name("%s: NMI sent in the handler", mode), nested_sent, 1);
	EXPECT_EQ(guest_name("%s: ... held while the handler runs (NMI blocking)", mode),
		  seen_in_handler, 1);
	EXPECT_EQ(guest_name("%s: ... taken once after its IRET", mode), nmis, 2);
	nmis = 0;
	for (int i = 0; i < 10; i++) {
		send_self_nmi(false);
		spin_until((unsigned)i + 1);
	}
	EXPECT_EQ(guest_name("%s: ten NMIs, one at a time, ten taken", mode), nmis, 10);
}

int test_main(void)
{
	uint64_t base = x86g_rdmsr(MSR_APIC_BASE);

	guest_set_hook(GUEST_VEC_NMI, nmi_hook);
	lapic = (volatile uint32_t *)(uintptr_t)(base & APIC_BASE_ADDR);
	apic_write(LAPIC_SVR, SVR_ENABLE | SVR_SPURIOUS);
	run_sends("xAPIC");
	if (x86g_cpuid(1, 0).ecx & CPUID1_ECX_X2APIC) {
		x86g_wrmsr(MSR_APIC_BASE, base | APIC_BASE_EXTD);
		x2apic = true;
		run_sends("x2APIC");
	} else {
		gprintf("guest: no x2APIC on this CPU\n");
	}
	guest_finish();
}
