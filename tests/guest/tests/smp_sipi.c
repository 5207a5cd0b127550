/* smp_sipi.c - count CPUs in the MADT, then try to wake another CPU with INIT-SIPI-SIPI. */
#include <stdbool.h>
#include <stdint.h>

#include "tests/guest/lib/guest.h"
#include "tests/guest/lib/x86g.h"

/* ACPI 6.5, 5.2.5.1: the RSDP lies in the EBDA's first KiB or in 0E0000h-0FFFFFh, 16-aligned. */
#define BDA_EBDA_SEGMENT   0x40e
#define EBDA_SEARCH_LEN	   1024
#define EBDA_MIN	   0x400
#define EBDA_MAX	   0xa0000
#define BIOS_ROM_START	   0xe0000
#define BIOS_ROM_END	   0x100000
#define RSDP_ALIGN	   16
#define RSDP_SIGNATURE	   "RSD PTR "
#define SIGNATURE8_LEN	   8
#define RSDP_CHECKSUM_LEN  20
#define RSDP_REVISION	   15
#define RSDP_RSDT	   16
#define RSDP_XSDT	   24
#define RSDP_REVISION_XSDT 2
#define FOUR_GIB	   0x100000000ull
/* 5.2.6 table header, 5.2.7/5.2.8 RSDT/XSDT entries, 5.2.12 MADT. */
#define SDT_LENGTH	4
#define SDT_HEADER_SIZE 36
#define SIGNATURE4_LEN	4
#define RSDT_ENTRY_SIZE 4
#define XSDT_ENTRY_SIZE 8
#define MADT_SIGNATURE	"APIC"
#define MADT_ENTRIES	44
#define ICS_TYPE	0
#define ICS_LENGTH	1
#define ICS_HEADER_SIZE 2
#define MADT_LOCAL_APIC 0
#define LAPIC_APIC_ID	3
#define LAPIC_FLAGS	4
#define LAPIC_SIZE	8
#define LAPIC_ENABLED	(1u << 0)

/* Local APIC (SDM vol. 3A, chapter 11). */
#define MSR_IA32_APIC_BASE   0x1b
#define APIC_BASE_ADDR_MASK  0xfffff000u /* below 4 GiB on every machine we run on */
#define APIC_BASE_X2APIC     (1u << 10)
#define LAPIC_ID	     0x020
#define LAPIC_SVR	     0x0f0
#define LAPIC_ICR_LOW	     0x300
#define LAPIC_ICR_HIGH	     0x310
#define LAPIC_ID_SHIFT	     24
#define SVR_APIC_ENABLE	     (1u << 8)
#define SVR_SPURIOUS_VECTOR  0xff
#define ICR_INIT_ASSERT	     0x00004500 /* INIT, level assert, edge */
#define ICR_STARTUP	     0x00004600 /* STARTUP, level assert, edge; | the vector */
#define ICR_DELIVERY_PENDING (1u << 12)
#define ICR_POLL_SPINS	     1000000
#define MSR_X2APIC_ID	     0x802
#define MSR_X2APIC_ICR	     0x830
#define X2APIC_DEST_SHIFT    32
#define FALLBACK_TARGET_ID   1

/* Real-mode trampoline: the STARTUP vector is its page number, it counts at COUNTER_ADDR. */
#define TRAMPOLINE_ADDR 0x8000
#define TRAMPOLINE_PAGE (TRAMPOLINE_ADDR >> 12)
#define COUNTER_ADDR	0x8f00
static const uint8_t trampoline[] = {
    0x31,
    0xc0, /* xor ax, ax */
    0x8e,
    0xd8, /* mov ds, ax */
    0xf0,
    0xff,
    0x06, /* lock inc word [COUNTER_ADDR] */
    (uint8_t)COUNTER_ADDR,
    (uint8_t)(COUNTER_ADDR >> 8),
    0xfa, /* cli */
    0xf4, /* 1: hlt */
    0xeb,
    0xfd, /* jmp 1b */
};
_Static_assert(TRAMPOLINE_ADDR + sizeof(trampoline) <= COUNTER_ADDR, "trampoline overlaps counter");

/* Timing (Intel MP spec B.4): 10 ms after INIT, 200 us between STARTUPs, then wait for the AP. */
#define INIT_DELAY_US 10000
#define SIPI_DELAY_US 200
#define AP_WAIT_US    200000
#define STARTUP_IPIS  2

/* PIT channel 2 as a one-shot timer, gated and observed through port 61h. */
#define PIT_CH2		  0x42
#define PIT_CMD		  0x43
#define PIT_CMD_CH2_MODE0 0xb0 /* channel 2, lobyte/hibyte, mode 0, binary */
#define PORT_B		  0x61
#define PORTB_GATE2	  0x01
#define PORTB_SPEAKER	  0x02
#define PORTB_OUT2	  0x20
#define PIT_TICKS_PER_MS  1193 /* 1.193182 MHz */
#define US_PER_MS	  1000
#define PIT_CHUNK_US	  50000 /* < 65535 ticks */
#define PIT_POLL_SPINS	  100000000u

static bool pit_broken;

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
	return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

/* Physical address as a pointer, hidden from gcc (which flags small constants as NULL + n). */
static const uint8_t *phys(uint64_t addr)
{
	uintptr_t a = (uintptr_t)addr;

	__asm__("" : "+r"(a));
	return (const uint8_t *)a;
}

static bool checksum_ok(const uint8_t *p, uint32_t len)
{
	uint8_t sum = 0;

	for (uint32_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + p[i]);
	return sum == 0;
}

static const uint8_t *scan_rsdp(uint32_t start, uint32_t end)
{
	for (uint32_t a = start; a + RSDP_CHECKSUM_LEN <= end; a += RSDP_ALIGN) {
		const uint8_t *p = phys(a);

		if (memcmp(p, RSDP_SIGNATURE, SIGNATURE8_LEN) == 0 &&
		    checksum_ok(p, RSDP_CHECKSUM_LEN))
			return p;
	}
	return NULL;
}

static const uint8_t *find_rsdp(void)
{
	uint32_t ebda = (uint32_t)rd16(phys(BDA_EBDA_SEGMENT)) << 4;
	const uint8_t *r = NULL;

	if (ebda >= EBDA_MIN && ebda < EBDA_MAX)
		r = scan_rsdp(ebda, ebda + EBDA_SEARCH_LEN);
	return r ? r : scan_rsdp(BIOS_ROM_START, BIOS_ROM_END);
}

/* The MADT through the XSDT (ACPI 2.0+, if reachable) or the RSDT; NULL if absent. */
static const uint8_t *find_madt(const uint8_t *rsdp)
{
	uint64_t xsdt = rsdp[RSDP_REVISION] >= RSDP_REVISION_XSDT ? rd64(rsdp + RSDP_XSDT) : 0;
	bool use_xsdt = xsdt && xsdt < FOUR_GIB;
	const uint8_t *root = use_xsdt ? phys(xsdt) : phys(rd32(rsdp + RSDP_RSDT));
	unsigned esize = use_xsdt ? XSDT_ENTRY_SIZE : RSDT_ENTRY_SIZE;
	uint32_t len = rd32(root + SDT_LENGTH);

	gprintf("acpi: RSDP at 0x%lx revision %u, %s at 0x%lx\n", (unsigned long)(uintptr_t)rsdp,
		rsdp[RSDP_REVISION], use_xsdt ? "XSDT" : "RSDT", (unsigned long)(uintptr_t)root);
	for (uint32_t off = SDT_HEADER_SIZE; off + esize <= len; off += esize) {
		uint64_t a = use_xsdt ? rd64(root + off) : rd32(root + off);

		if (a && a < FOUR_GIB && memcmp(phys(a), MADT_SIGNATURE, SIGNATURE4_LEN) == 0)
			return phys(a);
	}
	return NULL;
}

/* Count enabled Processor Local APIC entries; pick the first one that is not the BSP. */
static unsigned madt_cpus(const uint8_t *madt, uint32_t bsp_id, int *target)
{
	uint32_t len = rd32(madt + SDT_LENGTH);
	unsigned enabled = 0;

	*target = -1;
	for (uint32_t off = MADT_ENTRIES; off + ICS_HEADER_SIZE <= len;) {
		const uint8_t *e = madt + off;
		uint8_t elen = e[ICS_LENGTH];

		if (elen < ICS_HEADER_SIZE || off + elen > len)
			break;
		if (e[ICS_TYPE] == MADT_LOCAL_APIC && elen >= LAPIC_SIZE) {
			uint8_t id = e[LAPIC_APIC_ID];
			bool on = rd32(e + LAPIC_FLAGS) & LAPIC_ENABLED;

			gprintf("madt: local APIC id %u %s\n", id, on ? "enabled" : "disabled");
			enabled += on;
			if (*target < 0 && id != bsp_id)
				*target = id;
		}
		off += elen;
	}
	return enabled;
}

/* Start PIT channel 2 counting down @us (at most PIT_CHUNK_US) in mode 0. */
static void pit_start(uint32_t us)
{
	uint32_t ticks = us * PIT_TICKS_PER_MS / US_PER_MS;
	uint8_t b = x86g_inb(PORT_B) & (uint8_t) ~(PORTB_SPEAKER | PORTB_GATE2);

	if (!ticks)
		ticks = 1;
	x86g_outb(PORT_B, b); /* gate off while loading */
	x86g_outb(PIT_CMD, PIT_CMD_CH2_MODE0);
	x86g_outb(PIT_CH2, (uint8_t)ticks);
	x86g_outb(PIT_CH2, (uint8_t)(ticks >> 8));
	x86g_outb(PORT_B, b | PORTB_GATE2);
}

/* Channel 2's output rises when the count runs out; a PIT that never gets there is reported. */
static bool pit_expired(uint32_t *spins)
{
	if (x86g_inb(PORT_B) & PORTB_OUT2)
		return true;
	if (++*spins == PIT_POLL_SPINS) {
		gprintf("pit: channel 2 never expired, delays cut short\n");
		pit_broken = true;
	}
	return pit_broken;
}

/*
 * Wait about @us, or until *@watch (if given) becomes non-zero; returns its last value. The
 * PIT is independent of CPU speed, so this holds on TCG and Bochs alike.
 */
static uint16_t pit_wait_us(uint32_t us, volatile uint16_t *watch)
{
	while (us) {
		uint32_t chunk = us < PIT_CHUNK_US ? us : PIT_CHUNK_US, spins = 0;

		pit_start(chunk);
		while (!pit_expired(&spins))
			if (watch && *watch)
				return *watch;
		us -= chunk;
	}
	return watch ? *watch : 0;
}

struct lapic {
	uintptr_t base;
	bool x2apic;
};

static volatile uint32_t *lapic_reg(const struct lapic *l, uint32_t off)
{
	return (volatile uint32_t *)(l->base + off);
}

static uint32_t lapic_id(const struct lapic *l)
{
	if (l->x2apic)
		return (uint32_t)x86g_rdmsr(MSR_X2APIC_ID);
	return *lapic_reg(l, LAPIC_ID) >> LAPIC_ID_SHIFT;
}

static void send_ipi(const struct lapic *l, uint32_t dest, uint32_t icr_low)
{
	if (l->x2apic) {
		x86g_wrmsr(MSR_X2APIC_ICR, (uint64_t)dest << X2APIC_DEST_SHIFT | icr_low);
		return;
	}
	*lapic_reg(l, LAPIC_ICR_HIGH) = dest << LAPIC_ID_SHIFT;
	*lapic_reg(l, LAPIC_ICR_LOW) = icr_low;
	for (unsigned i = 0; i < ICR_POLL_SPINS; i++) {
		if (!(*lapic_reg(l, LAPIC_ICR_LOW) & ICR_DELIVERY_PENDING))
			break;
		x86g_pause();
	}
}

static struct lapic lapic_setup(void)
{
	uint64_t msr = x86g_rdmsr(MSR_IA32_APIC_BASE);
	struct lapic l = {
	    .base = (uintptr_t)(msr & APIC_BASE_ADDR_MASK),
	    .x2apic = msr & APIC_BASE_X2APIC,
	};

	gprintf("lapic: base 0x%lx, %s mode\n", (unsigned long)l.base,
		l.x2apic ? "x2APIC" : "xAPIC");
	/* Software-enable the local APIC if the firmware left it off. */
	if (!l.x2apic && !(*lapic_reg(&l, LAPIC_SVR) & SVR_APIC_ENABLE))
		*lapic_reg(&l, LAPIC_SVR) = SVR_APIC_ENABLE | SVR_SPURIOUS_VECTOR;
	return l;
}

/* INIT, 10 ms, STARTUP, 200 us, STARTUP; then up to 200 ms for the counter to move. */
static uint16_t wake_ap(const struct lapic *l, uint32_t target)
{
	volatile uint16_t *counter = (volatile uint16_t *)(uintptr_t)COUNTER_ADDR;

	memcpy((void *)(uintptr_t)TRAMPOLINE_ADDR, trampoline, sizeof(trampoline));
	*counter = 0;
	gprintf("sending INIT to APIC id %u\n", target);
	send_ipi(l, target, ICR_INIT_ASSERT);
	pit_wait_us(INIT_DELAY_US, NULL);
	for (int i = 0; i < STARTUP_IPIS; i++) {
		gprintf("sending STARTUP (vector 0x%x) to APIC id %u\n", TRAMPOLINE_PAGE, target);
		send_ipi(l, target, ICR_STARTUP | TRAMPOLINE_PAGE);
		pit_wait_us(SIPI_DELAY_US, NULL);
	}
	return pit_wait_us(AP_WAIT_US, counter);
}

int test_main(void)
{
	bool hv = guest_under_dbgvisor();
	const uint8_t *rsdp, *madt = NULL;
	unsigned enabled = 0;
	int target = -1;
	struct lapic l;
	uint32_t bsp;
	uint16_t count;

	gprintf("SMP wake-up (%s), under dbgvisor: %s\n", guest_mode_name(), hv ? "yes" : "no");
	l = lapic_setup();
	bsp = lapic_id(&l);
	gprintf("bsp APIC id: %u\n", bsp);
	rsdp = find_rsdp();
	if (rsdp)
		madt = find_madt(rsdp);
	if (madt) {
		enabled = madt_cpus(madt, bsp, &target);
		gprintf("madt enabled cpus: %u\n", enabled);
	} else {
		gprintf("no MADT found\n");
	}
	if (hv) {
		EXPECT_TRUE("the MADT is visible under dbgvisor", madt);
		EXPECT_EQ("MADT shows only the boot CPU enabled under dbgvisor", enabled, 1);
	}
	if (target < 0)
		target = FALLBACK_TARGET_ID;
	count = wake_ap(&l, (uint32_t)target);
	gprintf("ap counter: %u\n", count);
	gprintf("ap started: %s\n", count ? "yes" : "no");
	if (hv)
		EXPECT_EQ("no other CPU ran the trampoline under dbgvisor", count, 0);
	guest_finish();
}
