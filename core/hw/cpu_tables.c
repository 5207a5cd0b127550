/* cpu_tables.c - the hypervisor's GDT, TSS (IST stacks for #DB, NMI, #DF, #MC) and IDTs. */
#include "cpu_tables.h"

#include "layout.h"
#include "trap.h"
#include "x86.h"

/* Descriptor fields (SDM vol. 3A, 3.4.5 and 8.2.3). */
#define DESC_CODE64	   0x00209a0000000000ull /* P, DPL0, code exec/read, L */
#define DESC_DATA	   0x0000920000000000ull /* P, DPL0, data read/write */
#define DESC_TSS_AVAILABLE 0x9ull		 /* type: available 64-bit TSS */
#define DESC_PRESENT	   (1ull << 47)
#define GDT_ENTRIES	   5 /* null, code, data, TSS (two slots) */
/* 64-bit interrupt gate (SDM vol. 3A, 7.14.1). */
#define GATE_INTERRUPT 0xe
#define GATE_PRESENT   0x80
#define IDT_ENTRIES    256

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
static uint64_t gdt[GDT_ENTRIES] __attribute__((aligned(16)));
static struct tss64 tss __attribute__((aligned(16)));
static struct idt_gate idt[IDT_ENTRIES] __attribute__((aligned(16)));
/* The same gates without IST, for SVM's VM-exit window: the guest's TR (VMLOAD) stays loaded
 * until the host's VMLOAD, and an IST gate would take its stack from the guest's TSS (APM
 * vol. 2, 15.5-15.6; SDM vol. 3A, 7.14.5). The host RSP #VMEXIT reloaded is good there. */
static struct idt_gate idt_window[IDT_ENTRIES] __attribute__((aligned(16)));
const struct x86_dtr idt_host_dtr = {sizeof(idt) - 1, (uint64_t)idt};
const struct x86_dtr idt_window_dtr = {sizeof(idt_window) - 1, (uint64_t)idt_window};
const struct x86_dtr gdt_host_dtr = {sizeof(gdt) - 1, (uint64_t)gdt};
static trap_handler_fn handlers[NUM_EXCEPTIONS];
/* #DB/NMI right after a guest's MOV SS (CVE-2018-8897), faults on a corrupted stack: each
 * such vector gets its own known-good stack. */
static uint8_t ist_stacks[IST_COUNT][IST_STACK_SIZE] __attribute__((aligned(16)));
static const uint8_t vector_ist[NUM_EXCEPTIONS] = {
    [VEC_DB] = IST_DB, [VEC_NMI] = IST_NMI, [VEC_DF] = IST_DF, [VEC_MC] = IST_MC};

void gdt_init(void)
{
	uint64_t base = (uint64_t)&tss;
	uint64_t limit = sizeof(tss) - 1;
	for (int i = 0; i < IST_COUNT; i++)
		tss.ist[i] = (uint64_t)&ist_stacks[i][IST_STACK_SIZE];
	tss.iomap_base = sizeof(tss); /* no I/O permission bitmap */
	gdt[0] = 0;
	gdt[SEL_CODE64 / 8] = DESC_CODE64;
	gdt[SEL_DATA / 8] = DESC_DATA;
	gdt[SEL_TSS / 8] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
			   (DESC_TSS_AVAILABLE << 40) | DESC_PRESENT |
			   (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	gdt[SEL_TSS / 8 + 1] = base >> 32;
	x86_lgdt(&gdt_host_dtr);
	x86_ltr(SEL_TSS);
}

void idt_init(void)
{
	for (unsigned v = 0; v < NUM_EXCEPTIONS; v++) {
		uint64_t off = isr_table[v];
		idt[v].offset_lo = off & 0xffff;
		idt[v].selector = SEL_CODE64;
		idt[v].ist = vector_ist[v];
		idt[v].type_attr = GATE_PRESENT | GATE_INTERRUPT;
		idt[v].offset_mid = (off >> 16) & 0xffff;
		idt[v].offset_hi = off >> 32;
		idt_window[v] = idt[v];
		idt_window[v].ist = 0;
	}
	x86_lidt(&idt_host_dtr);
}

uint64_t tss_base(void)
{
	return (uint64_t)&tss;
}

void trap_set_handler(uint8_t vector, trap_handler_fn fn)
{
	if (vector < NUM_EXCEPTIONS)
		handlers[vector] = fn;
}

/* From isr_common, the frame on the current (maybe IST) stack: what the backend expects after
 * a VM exit, then the registered handlers (the host-DR self-test's #DB, the watcher's NMI). */
void idt_dispatch(struct trap_frame *f);
void idt_dispatch(struct trap_frame *f)
{
	if (trap_window_absorbs(f))
		return;
	if (f->vector < NUM_EXCEPTIONS && handlers[f->vector] && handlers[f->vector](f))
		return;
	trap_unexpected(f);
}
