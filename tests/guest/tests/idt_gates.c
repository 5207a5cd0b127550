/* idt_gates.c - an IDT test: interrupt and trap gates, limits, bad gates, #DF, table registers,
 * IST, self-IPIs through good and bad gates. */
#include <stdbool.h>
#include <stdint.h>

#include "tests/guest/lib/guest.h"
#include "tests/guest/lib/idt_lab.h"
#include "tests/guest/lib/x86g.h"

#define CR0_NE (1ul << 5)
#define CR0_NW (1ul << 29)
#define CR0_CD (1ul << 30)
/* Local APIC (SDM vol. 3A, 11.4 and 11.6): self-IPIs with a fixed vector. */
#define MSR_APIC_BASE  0x1b
#define APIC_ADDR_MASK 0xfffff000u
#define APIC_EOI       0xb0
#define APIC_SVR       0xf0
#define APIC_ICR_LOW   0x300
#define APIC_ICR_HIGH  0x310
#define SVR_ENABLE     0x100
#define ICR_SELF       0x40000

static uint8_t idt_shifted[sizeof(lab_idt) + 1] __attribute__((aligned(16)));

/* Interrupt and trap gates: IF cleared or kept, the frame, the stack it lands on. */
static void check_gates(void)
{
	for (int v = V_INTR; v <= V_TRAP; v++) {
		reset_rec(0);
		load_idt(sizeof(lab_idt) - 1);
		int_site(v, true);
		x86g_lidt(&runtime_idtr);
		EXPECT_EQ(
		    guest_name("%s gate: handler ran once", v == V_INTR ? "interrupt" : "trap"),
		    idt_rec_count, 1);
		EXPECT_EQ("... IF in the handler", idt_rec_flags & X86G_FLAGS_IF,
			  v == V_TRAP ? X86G_FLAGS_IF : 0);
		EXPECT_EQ("... pushed IP after the INT", idt_rec_frame[0], site_ret(v));
		EXPECT_EQ("... pushed CS", idt_rec_frame[1], GUEST_CODE_SEL);
		EXPECT_EQ("... pushed IF set", idt_rec_frame[2] & X86G_FLAGS_IF, X86G_FLAGS_IF);
#ifdef GUEST_64BIT
		/* Long mode aligns RSP to 16 and always pushes SS:RSP (SDM vol. 3A, 7.14.2). */
		EXPECT_EQ("... pushed RSP", idt_rec_frame[3], idt_site_sp);
		EXPECT_EQ("... pushed SS", idt_rec_frame[4], GUEST_DATA_SEL);
		EXPECT_EQ("... handler RSP", idt_rec_sp, (idt_site_sp & ~15ul) - 8 * FRAME);
#else
		EXPECT_EQ("... handler ESP", idt_rec_sp, idt_site_sp - 4 * FRAME);
#endif
	}
	memcpy(idt_shifted + 1, lab_idt, sizeof(lab_idt));
	reset_rec(0);
	x86g_lidt(
	    &(struct x86g_dtr){.limit = sizeof(lab_idt) - 1, .base = (uintptr_t)idt_shifted + 1});
	int_site(V_INTR, false);
	x86g_lidt(&runtime_idtr);
	EXPECT_EQ("IDT at an odd base: handler ran once", idt_rec_count, 1);
}

static void raise_ud(void *arg)
{
	(void)arg;
	__asm__ volatile("ud2");
}

static void raise_de(void *arg)
{
	(void)arg;
	__asm__ volatile("xor %%edx, %%edx; div %%ecx" ::"a"(1), "c"(0) : "edx");
}

static void raise_gp(void *arg)
{
	(void)arg;
	__asm__ volatile("mov %0, %%ds" ::"r"((uint16_t)BAD_SEL));
}

/* NW without CD is #GP(0) (SDM vol. 2B, MOV to CR0). NE flips too, so that a VT-x guest/host
 * mask on NE makes the write exit and the #GP come from the hypervisor. Where no #GP comes
 * (QEMU 7.2), the old value goes straight back. */
static void raise_gp_cr0(void *arg)
{
	uintptr_t cr0, bad;

	(void)arg;
	__asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
	bad = ((cr0 ^ CR0_NE) | CR0_NW) & ~CR0_CD;
	__asm__ volatile("mov %0, %%cr0; mov %1, %%cr0" ::"r"(bad), "r"(cr0) : "memory");
}

/* The limit must cover the whole gate; absent gates, wrong types and bad selectors fault. */
static void check_bad_gates(void)
{
	const uint16_t full = sizeof(lab_idt) - 1, at = V_INTR * GATE_SIZE;
	struct gate saved = lab_idt[GUEST_VEC_UD];
	struct gfault f;

	expect_idt_fault("INT beyond the limit", fault_of(NULL, V_INTR, at - 1), GUEST_VEC_GP,
			 V_INTR, false);
	expect_idt_fault("INT, the gate's last byte beyond the limit",
			 fault_of(NULL, V_INTR, at + GATE_SIZE - 2), GUEST_VEC_GP, V_INTR, false);
	reset_rec(0);
	fault_of(NULL, V_INTR, at + GATE_SIZE - 1);
	EXPECT_EQ("INT, the limit ending on the gate: handler ran", idt_rec_count, 1);
	expect_idt_fault("absent gate", fault_of(NULL, V_ABSENT, full), VEC_NP, V_ABSENT, false);
	expect_idt_fault("call gate in the IDT", fault_of(NULL, V_CALLGATE, full), GUEST_VEC_GP,
			 V_CALLGATE, false);
	expect_fault("null code selector", fault_of(NULL, V_NULLSEL, full), GUEST_VEC_GP, 0);
	expect_fault("selector beyond the GDT", fault_of(NULL, V_FARSEL, full), GUEST_VEC_GP,
		     BAD_SEL);
	expect_fault("data-segment selector", fault_of(NULL, V_DATASEL, full), GUEST_VEC_GP,
		     GUEST_DATA_SEL);
	expect_fault("absent code segment", fault_of(NULL, V_CSABSENT, full), VEC_NP, CS_ABSENT);
	/* An exception through an absent gate: #NP with EXT; #UD is benign, no double fault. */
	lab_idt[GUEST_VEC_UD].attr &= (uint8_t)~GATE_P;
	expect_idt_fault("#UD through an absent gate", fault_of(raise_ud, 0, full), VEC_NP,
			 GUEST_VEC_UD, true);
	lab_idt[GUEST_VEC_UD] = make_gate((uintptr_t)idt_rec, GUEST_CODE_SEL, GATE_TRAP);
	reset_rec(UD2_LEN);
	load_idt(full);
	__asm__ volatile("sti; ud2; cli" ::: "memory");
	x86g_lidt(&runtime_idtr);
	lab_idt[GUEST_VEC_UD] = saved;
	EXPECT_EQ("#UD through a trap gate: handler ran once", idt_rec_count, 1);
	EXPECT_EQ("... IF kept", idt_rec_flags & X86G_FLAGS_IF, X86G_FLAGS_IF);
	expect_rf("#UD", fault_of(raise_ud, 0, full));
	f = fault_of(raise_gp_cr0, 0, full);
	if (!f.happened) {
		gprintf("deviation: MOV to CR0 with NW but not CD: no #GP\n");
		return;
	}
	expect_fault("MOV to CR0 with NW but not CD", f, GUEST_VEC_GP, 0);
	expect_rf("MOV to CR0 with NW but not CD", f);
}

/* Contributory faults while delivering contributory faults become #DF(0) (SDM 3A, table 7-5). */
static void check_double_faults(void)
{
	struct gate saved = lab_idt[GUEST_VEC_DE];
	struct gfault f;

	lab_idt[GUEST_VEC_DE].attr &= (uint8_t)~GATE_P;
	f = fault_of(raise_de, 0, sizeof(lab_idt) - 1);
	lab_idt[GUEST_VEC_DE] = saved;
	expect_fault("#DE through an absent gate (#NP): double fault", f, GUEST_VEC_DF, 0);
	gprintf("info: #DF after #DE, #NP: cs 0x%x flags 0x%lx\n", f.cs, (unsigned long)f.flags);
	f = fault_of(raise_gp, 0, GUEST_VEC_GP * GATE_SIZE - 1);
	expect_fault("#GP beyond the IDT limit (#GP): double fault", f, GUEST_VEC_DF, 0);
	gprintf("info: #DF after #GP, #GP: cs 0x%x flags 0x%lx\n", f.cs, (unsigned long)f.flags);
}

/* SIDT/SGDT/SLDT/STR read back what LIDT/LGDT/LLDT/LTR loaded: nothing intercepts them. */
static void check_table_registers(void)
{
	struct x86g_dtr d = {.limit = 0x123, .base = (uintptr_t)lab_idt + 8}, got;
	uint16_t ldtr, tr;

	x86g_lidt(&d);
	got = x86g_sidt();
	x86g_lidt(&runtime_idtr);
	EXPECT_EQ("SIDT: the limit LIDT loaded", got.limit, 0x123);
	EXPECT_EQ("SIDT: the base LIDT loaded", got.base, (uintptr_t)lab_idt + 8);
	got = x86g_sgdt();
	EXPECT_EQ("SGDT: the lab GDT's limit", got.limit, sizeof(lab_gdt) - 1);
	EXPECT_EQ("SGDT: the lab GDT's base", got.base, (uintptr_t)lab_gdt);
	__asm__ volatile("lldt %w1; sldt %w0; lldt %w2" : "=&r"(ldtr) : "r"(LDT_SEL), "r"(0));
	EXPECT_EQ("SLDT after LLDT", ldtr, LDT_SEL);
	__asm__ volatile("str %w0" : "=r"(tr));
	EXPECT_EQ("STR after LTR", tr, TSS_SEL);
}

#ifdef GUEST_64BIT
static struct __attribute__((packed)) {
	uint32_t r0;
	uint64_t rsp[3], r1, ist[7], r2;
	uint16_t r3, iomap;
} tss;
static uint8_t ist_stack[4096] __attribute__((aligned(16)));

static void setup_mode(void)
{
	tss.ist[0] = (uintptr_t)(ist_stack + sizeof(ist_stack));
	tss.iomap = sizeof(tss);
	sys_desc(TSS_SEL, (uintptr_t)&tss, sizeof(tss) - 1, ACC_TSS);
	lab_idt[V_TASK] = make_gate(0, TSS_SEL, GATE_TASK);
	lab_idt[V_IST].ist = 1;
}

/* Long mode: an IST gate switches stacks; 16-bit and task gates do not exist (#GP). */
static void check_mode_specific(void)
{
	reset_rec(0);
	fault_of(NULL, V_IST, sizeof(lab_idt) - 1);
	EXPECT_EQ("IST gate: handler ran once", idt_rec_count, 1);
	EXPECT_EQ("... on the IST1 stack", idt_rec_sp, tss.ist[0] - 8 * FRAME);
	EXPECT_EQ("... pushed RSP is the old stack", idt_rec_frame[3], idt_site_sp);
	expect_idt_fault("16-bit gate type in long mode",
			 fault_of(NULL, V_GATE16, sizeof(lab_idt) - 1), GUEST_VEC_GP, V_GATE16,
			 false);
	expect_idt_fault("task gate in long mode", fault_of(NULL, V_TASK, sizeof(lab_idt) - 1),
			 GUEST_VEC_GP, V_TASK, false);
}
#else
static uint8_t tss[104] __attribute__((aligned(128)));

static void setup_mode(void)
{
	sys_desc(TSS_SEL, (uintptr_t)tss, sizeof(tss) - 1, ACC_TSS);
}

/* 32-bit: 16-bit and task gates are idt_tasks.c's. */
static void check_mode_specific(void) {}
#endif

static volatile uint32_t *apic(uint32_t reg)
{
	return (volatile uint32_t *)(uintptr_t)((x86g_rdmsr(MSR_APIC_BASE) & APIC_ADDR_MASK) + reg);
}

/* One MOV per register write (SDM vol. 3A, 11.4.1), as dbgvisor's local-APIC guard decodes. */
static void apic_write(uint32_t reg, uint32_t val)
{
	__asm__ volatile("movl %1, %0" : "=m"(*apic(reg)) : "r"(val) : "memory");
}

static void self_ipi(void *arg)
{
	apic_write(APIC_ICR_HIGH, 0);
	apic_write(APIC_ICR_LOW, ICR_SELF | (uint32_t)(uintptr_t)arg);
	__asm__ volatile("sti; nop; cli" ::: "memory");
}

/* External interrupts (self-IPIs): a good gate, an absent one, one beyond the limit (EXT). */
static void check_interrupts(void)
{
	apic_write(APIC_SVR, *apic(APIC_SVR) | SVR_ENABLE);
	reset_rec(0);
	fault_of(self_ipi, V_IPI, sizeof(lab_idt) - 1);
	apic_write(APIC_EOI, 0);
	EXPECT_EQ("self-IPI: handler ran once", idt_rec_count, 1);
	EXPECT_EQ("... IF clear in the handler", idt_rec_flags & X86G_FLAGS_IF, 0);
	expect_idt_fault("self-IPI through an absent gate",
			 fault_of(self_ipi, V_IPI_ABSENT, sizeof(lab_idt) - 1), VEC_NP,
			 V_IPI_ABSENT, true);
	apic_write(APIC_EOI, 0);
	expect_idt_fault("self-IPI beyond the IDT limit",
			 fault_of(self_ipi, V_IPI_FAR, V_IPI_FAR * GATE_SIZE - 1), GUEST_VEC_GP,
			 V_IPI_FAR, true);
	apic_write(APIC_EOI, 0);
}

int test_main(void)
{
	gprintf("idt: gates, limits, bad gates, double faults, interrupts (%s)\n",
		guest_mode_name());
	lab_setup(setup_mode);
	check_gates();
	check_bad_gates();
	check_double_faults();
	check_table_registers();
	check_mode_specific();
	check_interrupts();
	lab_finish();
	guest_finish();
}
