/*
 * gdb_catch.c - the guest of the catchpoint tests: one OUT, WRMSR, CPUID and faulting
 * instruction each at a labelled address gdb checks, then a triple fault.
 */
#include <stdbool.h>
#include <stdint.h>

#include "tests/guest/lib/guest.h"
#include "tests/guest/lib/x86g.h"

#define COM1_SCR	0x3ff /* COM1's scratch register: a port whose write reads back */
#define COM1_LSR	0x3fd
#define LSR_TEMT	0x40
#define DRAIN_SPINS	1000000
#define SCRATCH_VALUE	0x41
#define MSR_EFER	0xc0000080u
#define LEAF_FEATURES	1
#define MSR_TSC_AUX	0xc0000103u /* RDTSCP's signature: an MSR the guest uses natively */
#define TSC_AUX_VALUE	0x1234
#define MSR_ABSENT	0x1fff /* in the MSR bitmap's low range, implemented by no CPU here */
#define NO_FAULT	(-1)
#define EMPTY_IDT_LIMIT 0 /* no gate fits: every delivery faults, up to the triple fault */
#ifdef GUEST_64BIT
#define FAULT_VECTOR 14 /* #PF: above the 4 GiB the runtime maps */
#define FAULT_ADDR   0x100000000ull
#else
#define FAULT_VECTOR 13	    /* #GP: a selector beyond the GDT's limit */
#define FAULT_SEL    0x1230 /* the error code is the selector */
#endif

/* gdb stops here (hbreak) to set its catchpoints once the runtime is up. */
__attribute__((noinline)) void catch_begin(void)
{
	__asm__ volatile("" ::: "memory");
}

__attribute__((noinline)) static void do_out(void)
{
	__asm__ volatile(".globl catch_out_insn\ncatch_out_insn: outb %%al, %%dx"
			 :
			 : "a"(SCRATCH_VALUE), "d"(COM1_SCR));
}

__attribute__((noinline)) static void do_wrmsr(uint64_t val)
{
	__asm__ volatile(".globl catch_wrmsr_insn\ncatch_wrmsr_insn: wrmsr"
			 :
			 : "c"(MSR_EFER), "a"((uint32_t)val), "d"((uint32_t)(val >> 32)));
}

__attribute__((noinline)) static uint32_t do_cpuid(void)
{
	uint32_t a = LEAF_FEATURES, b, c = 0, d;

	__asm__ volatile(".globl catch_cpuid_insn\ncatch_cpuid_insn: cpuid"
			 : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	return a;
}

/* Write and read back TSC_AUX, which dbgvisor passes through unless a catchpoint asks. */
__attribute__((noinline)) static uint32_t do_tsc_aux(void)
{
	uint32_t lo, hi;

	__asm__ volatile(".globl catch_aux_wrmsr_insn\ncatch_aux_wrmsr_insn: wrmsr"
			 :
			 : "c"(MSR_TSC_AUX), "a"(TSC_AUX_VALUE), "d"(0));
	__asm__ volatile(".globl catch_aux_rdmsr_insn\ncatch_aux_rdmsr_insn: rdmsr"
			 : "=a"(lo), "=d"(hi)
			 : "c"(MSR_TSC_AUX));
	return lo | hi;
}

static void read_absent_msr(void *arg)
{
	*(uint64_t *)arg = x86g_rdmsr(MSR_ABSENT);
}

/* The vector RDMSR of the absent MSR raises (#GP on Bochs), or NO_FAULT (QEMU 7.2's TCG
 * reads 0), and what it read. */
static int absent_msr_outcome(uint64_t *val)
{
	struct gfault f = {0};

	*val = 0;
	return guest_try(read_absent_msr, val, &f) ? f.vector : NO_FAULT;
}

__attribute__((noinline)) static void do_fault(void *arg)
{
	(void)arg;
#ifdef GUEST_64BIT
	__asm__ volatile(".globl catch_fault_insn\ncatch_fault_insn: movq (%0), %%rax"
			 :
			 : "r"(FAULT_ADDR)
			 : "rax", "memory");
#else
	__asm__ volatile("movw %0, %%ax\n.globl catch_fault_insn\ncatch_fault_insn: movw %%ax, %%ds"
			 :
			 : "i"(FAULT_SEL)
			 : "eax", "memory");
#endif
}

static void drain_com1(void)
{
	for (unsigned i = 0; i < DRAIN_SPINS && !(x86g_inb(COM1_LSR) & LSR_TEMT); i++)
		x86g_pause();
}

int test_main(void)
{
	static const struct x86g_dtr empty_idt = {.limit = EMPTY_IDT_LIMIT, .base = 0};
	struct gfault f = {0};
	uint64_t efer = x86g_rdmsr(MSR_EFER);
	/* Before the catchpoints: CPUID leaf 1 is caught later, the absent MSR too. */
	uint32_t features = x86g_cpuid(LEAF_FEATURES, 0).eax;
	uint64_t absent_native, absent_caught;
	int absent_vec = absent_msr_outcome(&absent_native);

	gprintf("gdb_catch (%s), under dbgvisor: %s\n", guest_mode_name(),
		guest_under_dbgvisor() ? "yes" : "no");
	catch_begin();
	do_out();
	EXPECT_EQ("the caught OUT happened", x86g_inb(COM1_SCR), SCRATCH_VALUE);
	do_wrmsr(efer);
	EXPECT_EQ("the caught WRMSR happened, EFER kept", x86g_rdmsr(MSR_EFER), efer);
	(void)x86g_cpuid(0, 0); /* not the caught leaf */
	EXPECT_EQ("the caught CPUID answered leaf 1", do_cpuid(), features);
	guest_try(do_fault, 0, &f);
	EXPECT_EQ("the caught fault reached the guest's handler", f.vector, FAULT_VECTOR);
#ifndef GUEST_64BIT
	EXPECT_EQ("with its error code", f.error, FAULT_SEL);
#endif
	EXPECT_EQ("the caught TSC_AUX write and read happened", do_tsc_aux(), TSC_AUX_VALUE);
	gprintf("absent MSR natively: vector %d\n", absent_vec);
	EXPECT_EQ("a caught RDMSR of an absent MSR faults as natively",
		  absent_msr_outcome(&absent_caught), absent_vec);
	EXPECT_EQ("and reads the same", absent_caught, absent_native);
	gprintf("gdb_catch: %u checks, %u failed; triple fault now\n", guest_checks_run(),
		guest_checks_failed());
	drain_com1();
	x86g_lidt(&empty_idt);
	__asm__ volatile(".globl catch_triple_insn\ncatch_triple_insn: ud2");
	gprintf("still running after the triple fault\n");
	guest_finish();
}
