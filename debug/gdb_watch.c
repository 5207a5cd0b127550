/* gdb_watch.c - start a spare CPU that watches the GDB line and NMIs the guest's CPU (SVM). */
#include "gdb_watch.h"

#include <stddef.h>

#include "core/hw/apic.h"
#include "core/hw/mem.h"
#include "core/hw/string.h"
#include "core/hw/uart.h"
#include "core/hw/x86.h"

#define CPUID1_EBX_APIC_ID_SHIFT 24
#define WATCH_IDT_VECTORS	 48	   /* timer 0x20 and spurious 0x2f are the highest used */
#define GATE_INTR32		 0x8e00ull /* present, DPL 0, 32-bit interrupt gate */
#define SEL_CODE32		 0x08
/* LAPIC timer count at divide-by-1: 1 ms at QEMU's 1 GHz, a few on real buses (Ctrl-C: 100 ms). */
#define WATCH_TIMER_COUNT 1000000u
#define SIPI_TRIES	  2
#define DELAY_PORT	  0x80 /* an unused port: each read takes about a microsecond */
#define SIPI_DELAY_READS  200
#define START_WAIT_READS  200000
#define GDT_CODE32	  0x00cf9a000000ffffull
#define GDT_DATA32	  0x00cf92000000ffffull

struct gdb_watch_params {
	uint16_t pad0, gdt_limit;
	uint32_t gdt_base;
	uint16_t pad1, idt_limit;
	uint32_t idt_base;
	uint32_t stack_top, lsr_port, lapic, bsp_id;
	volatile uint32_t state, kicks, owner, ticks;
	uint32_t count;
	volatile uint32_t taken;
	uint64_t gdt[3];
	uint64_t idt[WATCH_IDT_VECTORS];
	uint32_t isr;
};
_Static_assert(offsetof(struct gdb_watch_params, gdt_limit) == WP_GDTR + 2, "gdtr");
_Static_assert(offsetof(struct gdb_watch_params, idt_limit) == WP_IDTR + 2, "idtr");
_Static_assert(offsetof(struct gdb_watch_params, stack_top) == WP_STACK, "stack");
_Static_assert(offsetof(struct gdb_watch_params, lsr_port) == WP_LSR_PORT, "lsr");
_Static_assert(offsetof(struct gdb_watch_params, lapic) == WP_LAPIC, "lapic");
_Static_assert(offsetof(struct gdb_watch_params, bsp_id) == WP_BSP_ID, "bsp");
_Static_assert(offsetof(struct gdb_watch_params, state) == WP_STATE, "state");
_Static_assert(offsetof(struct gdb_watch_params, kicks) == WP_KICKS, "kicks");
_Static_assert(offsetof(struct gdb_watch_params, owner) == WP_OWNER, "owner");
_Static_assert(offsetof(struct gdb_watch_params, taken) == WP_TAKEN, "taken");
_Static_assert(offsetof(struct gdb_watch_params, ticks) == WP_TICKS, "ticks");
_Static_assert(offsetof(struct gdb_watch_params, count) == WP_COUNT, "count");

extern const uint8_t gdb_watch_tramp[], gdb_watch_tramp_end[], gdb_watch_tramp_params[];
extern const uint8_t gdb_watch_main[], gdb_watch_isr[];

static struct gdb_watch_params *params;
static volatile bool host_kick;
static volatile unsigned host_nmis; /* NMIs in the host IDT that were not kicks */
static volatile bool *fast_flag;    /* cleared by each of them (gdb_watch_fast_flag) */
static uint16_t irq_port; /* the GDB UART, when its IRQ arrives as an NMI (0: it does not) */

static void delay(unsigned reads)
{
	while (reads--)
		(void)x86_inb(DELAY_PORT);
}

static uint64_t intr_gate(uint32_t handler)
{
	return (handler & 0xffffull) | ((uint64_t)SEL_CODE32 << 16) | (GATE_INTR32 << 32) |
	       ((uint64_t)(handler >> 16) << 48);
}

/* The parameter block, in the hypervisor's memory (under 4 GiB: the watcher runs unpaged). */
static void fill_params(struct gdb_watch_params *p, uint16_t port, uint64_t lapic)
{
	struct cpuid_regs r;
	x86_cpuid(1, 0, &r);
	p->gdt[1] = GDT_CODE32;
	p->gdt[2] = GDT_DATA32;
	p->gdt_limit = sizeof(p->gdt) - 1;
	p->gdt_base = (uint32_t)virt_to_phys(p->gdt);
	p->isr = (uint32_t)virt_to_phys(gdb_watch_isr);
	for (unsigned v = 0; v < WATCH_IDT_VECTORS; v++)
		p->idt[v] = intr_gate(p->isr);
	p->idt_limit = sizeof(p->idt) - 1;
	p->idt_base = (uint32_t)virt_to_phys(p->idt);
	p->stack_top = (uint32_t)(mem_alloc_pages(1, PAGE_SIZE) + PAGE_SIZE);
	p->lsr_port = port + UART_LSR;
	p->lapic = (uint32_t)lapic;
	p->bsp_id = r.ebx >> CPUID1_EBX_APIC_ID_SHIFT;
	p->count = WATCH_TIMER_COUNT;
}

bool gdb_watch_start(uint16_t port)
{
	uint64_t apic_base = x86_rdmsr(MSR_IA32_APIC_BASE);
	uint8_t *tramp = phys_to_virt(WATCH_TRAMP_PHYS);
	size_t len = (size_t)(gdb_watch_tramp_end - gdb_watch_tramp);
	size_t off = (size_t)(gdb_watch_tramp_params - gdb_watch_tramp);
	uint32_t pa, entry = (uint32_t)virt_to_phys(gdb_watch_main);

	/* The watcher speaks xAPIC MMIO; an x2APIC-mode BSP would need ICR through MSRs. */
	if (apic_base & APIC_BASE_X2APIC_ENABLE)
		return false;
	params = mem_alloc_zeroed(1);
	pa = (uint32_t)virt_to_phys(params);
	fill_params(params, port, apic_base & APIC_BASE_ADDR_MASK);
	memcpy(tramp, gdb_watch_tramp, len);
	memcpy(tramp + off, &pa, sizeof(pa));
	memcpy(tramp + off + sizeof(pa), &entry, sizeof(entry));
	/* INIT (already sent by smp_guard at boot, again for a clean start), then STARTUP twice. */
	apic_ipi_others(apic_base, ICR_DELIVERY_INIT, 0);
	delay(SIPI_DELAY_READS);
	for (int i = 0; i < SIPI_TRIES && !params->state; i++) {
		apic_ipi_others(apic_base, ICR_DELIVERY_STARTUP, WATCH_SIPI_VECTOR);
		delay(SIPI_DELAY_READS);
	}
	for (unsigned i = 0; i < START_WAIT_READS && !params->state; i++)
		delay(1);
	/* The guest gets the trampoline page back as ordinary RAM. */
	memset(tramp, 0, len);
	return params->state != 0;
}

bool gdb_watch_take(void)
{
	/* Taken on arrival, never earlier, or an NMI in flight would pass for the guest's. Under
	 * SVM one NMI shows twice (exit, then host IDT after STGI): the count makes it foreign. */
	if (!params || params->kicks == params->taken)
		return false;
	params->taken++;
	return true;
}

void gdb_watch_line_irq(bool on)
{
	/* 16550: IER bit 0 raises the line while received data waits (cleared by reading it). */
	if (irq_port)
		x86_outb(irq_port + UART_IER, on ? UART_IER_RX_DATA : 0);
}

void gdb_watch_irq_mode(uint16_t port)
{
	irq_port = port;
	/* On PCs OUT2 gates the UART's interrupt line to the interrupt controllers. */
	x86_outb(port + UART_MCR, x86_inb(port + UART_MCR) | UART_MCR_OUT2);
	gdb_watch_line_irq(true);
}

/* The line's NMI: data waits (a byte is consumed only by a poll the kick itself starts). */
static bool line_kick(void)
{
	return irq_port && (x86_inb(irq_port + UART_LSR) & UART_LSR_DR);
}

bool gdb_watch_host_nmi(struct trap_frame *f)
{
	(void)f;
	if (gdb_watch_take() || line_kick())
		host_kick = true;
	else
		host_nmis++;
	if (fast_flag)
		*fast_flag = false;
	return true;
}

void gdb_watch_fast_flag(volatile bool *flag)
{
	fast_flag = flag;
}

bool gdb_watch_host_kicked(void)
{
	bool k = host_kick;
	host_kick = false;
	return k;
}

bool gdb_watch_host_events(void)
{
	return host_kick || __atomic_load_n(&host_nmis, __ATOMIC_RELAXED);
}

unsigned gdb_watch_host_nmis(void)
{
	/* One exchange: an NMI landing in between is never lost. */
	return __atomic_exchange_n(&host_nmis, 0, __ATOMIC_SEQ_CST);
}

uint32_t gdb_watch_ticks(void)
{
	return params ? params->ticks : 0;
}
