/* dr_bench.c - exit path length with guest breakpoints off and on, and MOV DR cost when lazy. */
#include <stdint.h>

#include "tests/guest/lib/guest.h"
#include "tests/guest/lib/x86g.h"

#define ITERATIONS	  100000u
#define DR_ACCESSES	  1000u
#define CPUID_LEAF_VENDOR 0
#define HUNDREDTHS	  100u
/* DR7: L0, execute, 1 byte, on an address nothing executes. */
#define DR7_L0	    0x1u
#define DR7_INIT    0x400u
#define UNUSED_ADDR 0x5000u

static uint64_t cpuid_ticks(void)
{
	uint64_t start = x86g_rdtsc();

	for (uint32_t i = 0; i < ITERATIONS; i++)
		(void)x86g_cpuid(CPUID_LEAF_VENDOR, 0);
	return x86g_rdtsc() - start;
}

static void report(const char *what, uint64_t ticks)
{
	uint64_t per100 = ticks * HUNDREDTHS / ITERATIONS;

	gprintf("bench: %s: %lu.%02lu ticks per CPUID\n", what,
		(unsigned long)(per100 / HUNDREDTHS), (unsigned long)(per100 % HUNDREDTHS));
}

int test_main(void)
{
	uintptr_t v = 0;

	report("cpuid round trip, breakpoints inactive", cpuid_ticks());
	__asm__ volatile("mov %0, %%db0" ::"r"((uintptr_t)UNUSED_ADDR));
	__asm__ volatile("mov %0, %%db7" ::"r"((uintptr_t)(DR7_INIT | DR7_L0)));
	report("cpuid round trip, one guest breakpoint active", cpuid_ticks());
	gprintf("bench: mov-dr phase start\n");
	for (uint32_t i = 0; i < DR_ACCESSES / 2; i++) {
		__asm__ volatile("mov %%db0, %0" : "=r"(v));
		__asm__ volatile("mov %0, %%db0" ::"r"(v));
	}
	__asm__ volatile("mov %0, %%db7" ::"r"((uintptr_t)DR7_INIT));
	gprintf("bench: %u guest DR accesses done\n", DR_ACCESSES);
	EXPECT_EQ("DR0 kept its value", v, UNUSED_ADDR);
	guest_finish();
}
