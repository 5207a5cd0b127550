/*
 * npt_bench.c - what gdb's nested-page watchpoints and breakpoints cost the guest: ticks per
 * write to an unwatched variable that shares its page with a watched one, and per instruction
 * run on a page that holds a breakpoint elsewhere. gdb stops at the markers (tests/bench).
 */
#include <stdint.h>

#include "tests/guest/lib/guest.h"
#include "tests/guest/lib/x86g.h"

#define WRITES	   1000u
#define LOOPS	   1000 /* the loop runs two instructions (DEC, JNZ) per iteration */
#define STR(x)	   #x
#define XSTR(x)	   STR(x)
#define LOOP_INSNS (2 * LOOPS)
#define HUNDREDTHS 100u

/* One page: gdb watches bench_watched, the guest writes bench_other. */
volatile uint32_t bench_watched, bench_other;

/* clang-format off */
/* A page of its own for the loop; gdb's break goes on bench_code_unused, never run. The
 * bench_unused labels are addresses for gdb's hbreaks that fill the debug registers. */
__asm__(".text\n"
	".globl bench_code_loop, bench_code_unused, bench_unused1, bench_unused2\n"
	".p2align 12\n"
	"bench_code_loop: mov $" XSTR(LOOPS) ", %ecx\n"
	"1: dec %ecx\n jnz 1b\n ret\n"
	"bench_code_unused: ret\n"
	"bench_unused1: ret\n"
	"bench_unused2: ret\n"
	".p2align 12\n");
/* clang-format on */
void bench_code_loop(void);

/* gdb's markers: where it sets its watch and break, and where it reads the exit counts. */
__attribute__((noinline)) void bench_ready(void)
{
	__asm__ volatile("" ::: "memory");
}

__attribute__((noinline)) void bench_mid(void)
{
	__asm__ volatile("" ::: "memory");
}

__attribute__((noinline)) void bench_done(void)
{
	__asm__ volatile("" ::: "memory");
}

static void report(const char *what, uint64_t ticks, unsigned count)
{
	uint64_t per100 = ticks * HUNDREDTHS / count;

	gprintf("bench: %s: %lu.%02lu ticks\n", what, (unsigned long)(per100 / HUNDREDTHS),
		(unsigned long)(per100 % HUNDREDTHS));
}

int test_main(void)
{
	uint64_t start;

	bench_ready();
	start = x86g_rdtsc();
	for (uint32_t i = 0; i < WRITES; i++)
		bench_other = i;
	report("per unwatched write on the watched page", x86g_rdtsc() - start, WRITES);
	bench_mid();
	start = x86g_rdtsc();
	bench_code_loop();
	report("per instruction on the breakpoint's page", x86g_rdtsc() - start, LOOP_INSNS);
	bench_done();
	EXPECT_EQ("watched variable untouched", bench_watched, 0);
	guest_finish();
}
