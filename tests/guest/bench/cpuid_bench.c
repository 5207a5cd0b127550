/* cpuid_bench.c - guest-measured TSC ticks per CPUID round trip (one exit each under dbgvisor). */
#include <stdint.h>

#include "tests/guest/lib/guest.h"
#include "tests/guest/lib/x86g.h"

#define ITERATIONS	  100000u
#define CPUID_LEAF_VENDOR 0
#define HUNDREDTHS	  100u

/* The same loop without CPUID, so the figure below is the CPUID alone. */
static uint64_t loop_ticks(int with_cpuid)
{
	uint64_t start = x86g_rdtsc();

	for (uint32_t i = 0; i < ITERATIONS; i++) {
		if (with_cpuid)
			(void)x86g_cpuid(CPUID_LEAF_VENDOR, 0);
		__asm__ volatile("" ::: "memory");
	}
	return x86g_rdtsc() - start;
}

int test_main(void)
{
	uint64_t empty = loop_ticks(0);
	uint64_t full = loop_ticks(1);
	uint64_t net = full > empty ? full - empty : 0;
	uint64_t per100 = net * HUNDREDTHS / ITERATIONS;

	gprintf("bench: %u CPUIDs in %s: %lu ticks (loop alone %lu)\n", ITERATIONS,
		guest_mode_name(), (unsigned long)full, (unsigned long)empty);
	gprintf("bench: cpuid round trip: %lu.%02lu ticks\n", (unsigned long)(per100 / HUNDREDTHS),
		(unsigned long)(per100 % HUNDREDTHS));
	EXPECT_TRUE("the CPUID loop took measurable time", full > 0);
	guest_finish();
}
