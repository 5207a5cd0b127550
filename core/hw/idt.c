/* idt.c - IDT for the 32 exception vectors; every unexpected exception is a full dump and a stop.
 */
#include "cpu_tables.h"

#include "console.h"
#include "layout.h"
#include "trap.h"
#include "x86.h"

/* 64-bit interrupt gate (SDM vol. 3A, 7.14.1). */
#define GATE_INTERRUPT 0xe
#define GATE_PRESENT   0x80
#define IDT_ENTRIES    256

static trap_handler_fn handlers[NUM_EXCEPTIONS];

struct __attribute__((packed)) idt_gate {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_hi;
	uint32_t reserved;
};

_Static_assert(sizeof(struct idt_gate) == 16, "IDT gate is 16 bytes");

extern const uint64_t isr_table[NUM_EXCEPTIONS];
static struct idt_gate idt[IDT_ENTRIES] __attribute__((aligned(16)));

static uint8_t vector_ist(unsigned v)
{
	switch (v) {
	case VEC_DB:
		return IST_DB;
	case VEC_NMI:
		return IST_NMI;
	case VEC_DF:
		return IST_DF;
	case VEC_MC:
		return IST_MC;
	default:
		return 0;
	}
}

void idt_init(void)
{
	struct x86_dtr d;

	for (unsigned v = 0; v < NUM_EXCEPTIONS; v++) {
		uint64_t off = isr_table[v];

		idt[v].offset_lo = off & 0xffff;
		idt[v].selector = SEL_CODE64;
		idt[v].ist = vector_ist(v);
		idt[v].type_attr = GATE_PRESENT | GATE_INTERRUPT;
		idt[v].offset_mid = (off >> 16) & 0xffff;
		idt[v].offset_hi = off >> 32;
	}
	d.limit = sizeof(idt) - 1;
	d.base = (uint64_t)idt;
	x86_lidt(&d);
}

uint64_t idt_base(void)
{
	return (uint64_t)idt;
}

uint16_t idt_limit(void)
{
	return sizeof(idt) - 1;
}

void trap_set_handler(uint8_t vector, trap_handler_fn fn)
{
	if (vector < NUM_EXCEPTIONS)
		handlers[vector] = fn;
}

/* Called from isr_common with the frame on the current (possibly IST) stack. */
void idt_dispatch(struct trap_frame *f);
void idt_dispatch(struct trap_frame *f)
{
	/* Handlers the upper layers registered: the host-DR self-test's #DB, the watcher's NMI. */
	if (f->vector < NUM_EXCEPTIONS && handlers[f->vector] && handlers[f->vector](f))
		return;
	printk("\ndbgvisor: unexpected exception %lu (%s) in the hypervisor, error code 0x%lx\n",
	       f->vector, trap_vector_name(f->vector), f->error);
	trap_dump(f);
	hv_exit(HV_EXIT_PANIC);
}
