/* irq.c - mbkernel's IDT, 8259 PIC and 8254 PIT: count timer ticks, sleeping with HLT. */
#include "mbkernel.h"

#define KERNEL_CS	  0x08
#define IDT_ENTRIES	  48 /* 32 exceptions + 16 PIC lines */
#define NUM_EXCEPTIONS	  32
#define GATE_INTR32	  0x8e /* present, DPL 0, 32-bit interrupt gate */
#define OFFSET_MASK	  0xffff
#define OFFSET_HIGH_SHIFT 16

/* 8259A: remap IRQ 0-7 to vectors 0x20-0x27 and 8-15 to 0x28-0x2f. */
#define PIC1_CMD	    0x20
#define PIC1_DATA	    0x21
#define PIC2_CMD	    0xa0
#define PIC2_DATA	    0xa1
#define PIC_ICW1_INIT_ICW4  0x11
#define PIC1_VECTOR_BASE    0x20
#define PIC2_VECTOR_BASE    0x28
#define PIC_ICW3_SLAVE_ON_2 0x04 /* master: slave on IRQ 2 */
#define PIC_ICW3_SLAVE_ID   0x02 /* slave: cascade identity 2 */
#define PIC_ICW4_8086	    0x01
#define PIC_EOI		    0x20
#define PIC_MASK_ALL	    0xff
#define PIC_MASK_ALL_BUT_0  0xfe
#define POST_PORT	    0x80 /* a write here is the customary short I/O delay */

/* 8254: channel 0, lobyte/hibyte, mode 2 (rate generator), binary; ~1 kHz. */
#define PIT_CH0		  0x40
#define PIT_CMD		  0x43
#define PIT_CMD_CH0_MODE2 0x34
#define PIT_INPUT_HZ	  1193182
#define PIT_TICK_HZ	  1000
#define PIT_DIVISOR	  (PIT_INPUT_HZ / PIT_TICK_HZ)
#define BYTE_MASK	  0xff
#define BYTE_SHIFT	  8

struct idt_gate {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t zero;
	uint8_t attr;
	uint16_t offset_hi;
} __attribute__((packed));

struct idt_ptr {
	uint16_t limit;
	uint32_t base;
} __attribute__((packed));

/* Entry points in entry.S. */
extern const uint32_t exception_entries[NUM_EXCEPTIONS];
void irq_timer_entry(void);
void irq_ignore_entry(void);

static struct idt_gate idt[IDT_ENTRIES] __attribute__((aligned(8)));
static volatile uint32_t ticks;
static volatile uint32_t ticks_wanted;

static void set_gate(unsigned vec, uint32_t handler)
{
	idt[vec] = (struct idt_gate){
	    .offset_lo = (uint16_t)(handler & OFFSET_MASK),
	    .selector = KERNEL_CS,
	    .attr = GATE_INTR32,
	    .offset_hi = (uint16_t)(handler >> OFFSET_HIGH_SHIFT),
	};
}

static void io_delay(void)
{
	outb(POST_PORT, 0);
}

static void pic_write(uint16_t port, uint8_t v)
{
	outb(port, v);
	io_delay();
}

void irq_init(void)
{
	struct idt_ptr p = {.limit = sizeof(idt) - 1, .base = (uint32_t)idt};

	for (unsigned v = 0; v < NUM_EXCEPTIONS; v++)
		set_gate(v, exception_entries[v]);
	for (unsigned v = NUM_EXCEPTIONS; v < IDT_ENTRIES; v++)
		set_gate(v, (uint32_t)irq_ignore_entry);
	set_gate(PIC1_VECTOR_BASE, (uint32_t)irq_timer_entry);
	__asm__ volatile("lidt %0" ::"m"(p));

	pic_write(PIC1_CMD, PIC_ICW1_INIT_ICW4);
	pic_write(PIC2_CMD, PIC_ICW1_INIT_ICW4);
	pic_write(PIC1_DATA, PIC1_VECTOR_BASE);
	pic_write(PIC2_DATA, PIC2_VECTOR_BASE);
	pic_write(PIC1_DATA, PIC_ICW3_SLAVE_ON_2);
	pic_write(PIC2_DATA, PIC_ICW3_SLAVE_ID);
	pic_write(PIC1_DATA, PIC_ICW4_8086);
	pic_write(PIC2_DATA, PIC_ICW4_8086);
	pic_write(PIC1_DATA, PIC_MASK_ALL);
	pic_write(PIC2_DATA, PIC_MASK_ALL);
}

/* Called from irq_timer_entry with interrupts off. */
void timer_tick(void)
{
	if (ticks < ticks_wanted && ++ticks == ticks_wanted)
		outb(PIC1_DATA, PIC_MASK_ALL); /* enough: no more timer interrupts */
	outb(PIC1_CMD, PIC_EOI);
}

/* Run the PIT at ~1 kHz and sleep until @want ticks arrived; returns how many were counted. */
uint32_t pit_count_ticks(uint32_t want)
{
	ticks = 0;
	ticks_wanted = want;
	outb(PIT_CMD, PIT_CMD_CH0_MODE2);
	outb(PIT_CH0, PIT_DIVISOR & BYTE_MASK);
	outb(PIT_CH0, (PIT_DIVISOR >> BYTE_SHIFT) & BYTE_MASK);
	outb(PIC1_DATA, PIC_MASK_ALL_BUT_0);
	for (;;) {
		cli();
		if (ticks >= want)
			break;
		sti_hlt();
	}
	return ticks;
}
