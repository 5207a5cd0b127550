/* traps.c - mb2kernel's IDT: any CPU exception is reported on COM1 and ends the run. */
#include "mb2kernel.h"

/*
 * Spec 3.3 hands over with interrupts disabled and says nothing of the IDTR; the kernel never
 * enables interrupts, so only the 32 exception vectors get gates. Without them an exception
 * would triple-fault and look like a silent reboot.
 */
#define KERNEL_CS	  0x08
#define NUM_EXCEPTIONS	  32
#define GATE_INTR32	  0x8e /* present, DPL 0, 32-bit interrupt gate */
#define OFFSET_MASK	  0xffff
#define OFFSET_HIGH_SHIFT 16

/* exception_report's frame, as exc_common in entry.S pushes it. */
#define FRAME_VECTOR 0
#define FRAME_ERROR  1
#define FRAME_EIP    2
#define FRAME_CS     3
#define FRAME_EFLAGS 4

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

static struct idt_gate idt[NUM_EXCEPTIONS] __attribute__((aligned(8)));

void traps_init(void)
{
	struct idt_ptr p = {.limit = sizeof(idt) - 1, .base = (uint32_t)idt};

	for (unsigned v = 0; v < NUM_EXCEPTIONS; v++) {
		uint32_t handler = exception_entries[v];

		idt[v] = (struct idt_gate){
		    .offset_lo = (uint16_t)(handler & OFFSET_MASK),
		    .selector = KERNEL_CS,
		    .attr = GATE_INTR32,
		    .offset_hi = (uint16_t)(handler >> OFFSET_HIGH_SHIFT),
		};
	}
	__asm__ volatile("lidt %0" ::"m"(p));
}

/* From the exception stubs: vector, error code, then the CPU's EIP, CS, EFLAGS. */
void exception_report(const uint32_t *frame)
{
	con_puts("\nmb2kernel: exception ");
	con_putu(frame[FRAME_VECTOR]);
	con_puts(" error ");
	con_putx(frame[FRAME_ERROR]);
	con_puts(" at eip ");
	con_putx(frame[FRAME_EIP]);
	con_puts(" cs ");
	con_putx(frame[FRAME_CS]);
	con_puts(" eflags ");
	con_putx(frame[FRAME_EFLAGS]);
	con_puts("\n");
	kexit(EXIT_CRASH);
}
