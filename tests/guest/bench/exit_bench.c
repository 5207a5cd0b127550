/* exit_bench.c - guest-measured ticks per round trip of one chosen exit (make profile, make bench).
 */
#include <stdint.h>

#include "tests/guest/lib/guest.h"
#include "tests/guest/lib/x86g.h"

#define ITERATIONS  20000u
#define WARMUP	    16u
#define HUNDREDTHS  100u
#define MSR_EFER    0xc0000080u
#define COM2_LSR    0x2fdu /* line status of the GDB UART, hidden from the guest */
#define FLAGS_TF    0x100u
#define DR7_INIT    0x400u
#define DR7_L0	    0x1u
#define UNUSED_ADDR 0x5000u /* an execute breakpoint on an address nothing executes */

#ifdef GUEST_64BIT
#define SP "%rsp"
#define AX "%rax"
#else
#define SP "%esp"
#define AX "%eax"
#endif

/*
 * Each exit is one small function with a global label on the instruction that exits (for
 * #DB: the instruction the single-step trap reports), so tests/bench/profile.sh can pick
 * that exit out of all the others by the guest's RIP.
 */
__asm__(".text\n"
	".global bench_cpuid, bench_site_cpuid\n"
	"bench_cpuid: xor %eax, %eax\n"
	"xor %ecx, %ecx\n"
	"bench_site_cpuid: cpuid\n"
	"ret\n"
	".global bench_wrmsr, bench_site_wrmsr\n"
	"bench_wrmsr:\n"
	"bench_site_wrmsr: wrmsr\n"
	"ret\n"
	".global bench_io, bench_site_io\n"
	"bench_io: mov $0x2fd, %edx\n"
	"bench_site_io: inb %dx, %al\n"
	"ret\n"
	".global bench_db, bench_site_db\n"
	"bench_db: pushf\n"
	"orl $0x100, (" SP ")\n"
	"popf\n"
	"nop\n"
	"bench_site_db: ret\n"
	".global bench_movdr, bench_site_movdr\n"
	"bench_movdr: mov $0x5000, %eax\n"
	"bench_site_movdr: mov " AX ", %db0\n"
	"ret\n");

void bench_cpuid(void);
void bench_wrmsr(void);
void bench_io(void);
void bench_db(void);
void bench_movdr(void);

enum bench_kind { KIND_NONE = -1, KIND_CPUID, KIND_WRMSR, KIND_IO, KIND_DB, KIND_MOVDR, KINDS };

static uint32_t efer_lo, efer_hi;

static void run_one(enum bench_kind kind)
{
	switch (kind) {
	case KIND_CPUID:
		__asm__ volatile("call bench_cpuid" ::: "eax", "ebx", "ecx", "edx", "memory");
		break;
	case KIND_WRMSR:
		__asm__ volatile("call bench_wrmsr" ::"a"(efer_lo), "d"(efer_hi), "c"(MSR_EFER)
				 : "memory");
		break;
	case KIND_IO:
		__asm__ volatile("call bench_io" ::: "eax", "edx", "memory");
		break;
	case KIND_DB:
		__asm__ volatile("call bench_db" ::: "memory", "cc");
		break;
	case KIND_MOVDR:
		__asm__ volatile("call bench_movdr" ::: "eax", "memory");
		break;
	default:
		break;
	}
}

/* The same loop without the exit (KIND_NONE), so the difference is the exit alone. */
static uint64_t loop_ticks(enum bench_kind kind)
{
	uint64_t start = x86g_rdtsc();

	for (uint32_t i = 0; i < ITERATIONS; i++) {
		run_one(kind);
		__asm__ volatile("" ::: "memory");
	}
	return x86g_rdtsc() - start;
}

static void db_hook(struct gframe *f)
{
	f->flags &= ~(uintptr_t)FLAGS_TF;
}

static const char *const names[KINDS] = {"cpuid", "wrmsr", "io", "db", "movdr"};

/* The words after the program's name pick the exit and the debug-register state. */
static bool has_word(const char *cmdline, const char *w)
{
	for (const char *p = cmdline; *p; p++) {
		unsigned n = 0;

		if (p != cmdline && p[-1] != ' ')
			continue;
		while (w[n] && p[n] == w[n])
			n++;
		if (!w[n] && (p[n] == ' ' || !p[n]))
			return true;
	}
	return false;
}

int test_main(void)
{
	const struct mb1_info *mbi = guest_mbi();
	const char *cmdline =
	    mbi && (mbi->flags & MB1_INFO_CMDLINE) ? guest_phys(mbi->cmdline) : "";
	enum bench_kind kind = KIND_CPUID;
	uint64_t empty, full, net, per100;
	const char *drs = "untouched";

	for (int k = 0; k < KINDS; k++) {
		if (has_word(cmdline, names[k]))
			kind = (enum bench_kind)k;
	}
	/* "touched": the guest read a DR (Linux does at boot); "armed": one breakpoint enabled. */
	if (has_word(cmdline, "touched") || has_word(cmdline, "armed")) {
		uintptr_t v;

		__asm__ volatile("mov %%db7, %0" : "=r"(v));
		drs = "touched";
	}
	if (has_word(cmdline, "armed")) {
		__asm__ volatile("mov %0, %%db0" ::"r"((uintptr_t)UNUSED_ADDR));
		__asm__ volatile("mov %0, %%db7" ::"r"((uintptr_t)(DR7_INIT | DR7_L0)));
		drs = "armed";
	}
	efer_lo = (uint32_t)x86g_rdmsr(MSR_EFER);
	efer_hi = (uint32_t)(x86g_rdmsr(MSR_EFER) >> 32);
	guest_set_hook(GUEST_VEC_DB, db_hook);
	for (uint32_t i = 0; i < WARMUP; i++)
		run_one(kind);
	empty = loop_ticks(KIND_NONE);
	full = loop_ticks(kind);
	net = full > empty ? full - empty : 0;
	per100 = net * HUNDREDTHS / ITERATIONS;
	gprintf("bench: %u %s exits in %s, guest DRs %s: %lu ticks (loop alone %lu)\n", ITERATIONS,
		names[kind], guest_mode_name(), drs, (unsigned long)full, (unsigned long)empty);
	gprintf("bench: %s round trip: %lu.%02lu ticks\n", names[kind],
		(unsigned long)(per100 / HUNDREDTHS), (unsigned long)(per100 % HUNDREDTHS));
	EXPECT_TRUE("the exit loop took measurable time", full > 0);
	guest_finish();
}
