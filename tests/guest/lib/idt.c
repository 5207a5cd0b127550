/* idt.c - build and load the guest's IDT: interrupt gates for the 32 exception vectors. */
#include <stdint.h>

#include "runtime.h"
#include "x86g.h"

/* Gate type/attributes byte: present, DPL 0, interrupt gate (IF cleared on entry). */
#define GATE_PRESENT	  0x80
#define GATE_TYPE_INTR32  0x0e /* 32-bit interrupt gate; in long mode it means 64-bit */
#define GATE_ATTR	  (GATE_PRESENT | GATE_TYPE_INTR32)
#define GATE_OFFSET_MASK  0xffff
#define GATE_OFFSET_SHIFT 16

#ifdef GUEST_64BIT
/* 16-byte long-mode gate. */
struct idt_gate {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t ist;
	uint8_t attr;
	uint16_t offset_mid;
	uint32_t offset_hi;
	uint32_t reserved;
};
_Static_assert(sizeof(struct idt_gate) == 16, "long-mode IDT gates are 16 bytes");
#define GATE_OFFSET_HI_SHIFT 32
#else
/* 8-byte protected-mode gate. */
struct idt_gate {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t zero;
	uint8_t attr;
	uint16_t offset_mid;
};
_Static_assert(sizeof(struct idt_gate) == 8, "protected-mode IDT gates are 8 bytes");
#endif

static struct idt_gate guest_idt[GUEST_NUM_VECTORS] __attribute__((aligned(16)));

static struct idt_gate make_gate(uintptr_t handler)
{
	struct idt_gate g = {
	    .offset_lo = (uint16_t)(handler & GATE_OFFSET_MASK),
	    .selector = GUEST_CODE_SEL,
	    .attr = GATE_ATTR,
	    .offset_mid = (uint16_t)((handler >> GATE_OFFSET_SHIFT) & GATE_OFFSET_MASK),
	};

#ifdef GUEST_64BIT
	g.offset_hi = (uint32_t)(handler >> GATE_OFFSET_HI_SHIFT);
#endif
	return g;
}

void guest_idt_init(void)
{
	struct x86g_dtr idtr = {
	    .limit = sizeof(guest_idt) - 1,
	    .base = (uintptr_t)guest_idt,
	};

	for (int v = 0; v < GUEST_NUM_VECTORS; v++)
		guest_idt[v] = make_gate(guest_trap_stubs[v]);
	/*
	 * Vectors above 31 have no gate: an external interrupt the test did not expect raises
	 * #GP (error code = vector * 8 + 2) and is reported instead of running garbage.
	 */
	x86g_lidt(&idtr);
}
