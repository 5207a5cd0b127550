/* diff_insns.c - random privileged instructions: the same output bare and under dbgvisor. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/hw/printf.h"
#include "tests/guest/lib/guest.h"
#include "tests/guest/lib/seeded.h"
#include "tests/guest/lib/x86g.h"
#include "tests/guest/tests/diff_insns.h"

/*
 * Each trial draws one instruction and its operands from a PRNG with a fixed seed (seed=N and
 * n=N on the command line change them), runs it under guest_try and describes the outcome in
 * one line: the value read back, or the exception, its error code and where it hit. Lines
 * with an exception are printed, every line goes into a running hash printed every
 * HASH_EVERY trials ("verbose" prints every line). Nothing that changes from run to run
 * (the TSC, random numbers, counters) is printed.
 */
#define DEFAULT_SEED   0x5eed2024d1ff1ull
#define DEFAULT_TRIALS 2000
#define HASH_EVERY     100
#define LINE_MAX       160
#define FNV_OFFSET     0xcbf29ce484222325ull
#define FNV_PRIME      0x100000001b3ull

#define CR0_MP	     (1ul << 1)
#define CR0_EM	     (1ul << 2)
#define CR0_TS	     (1ul << 3)
#define CR0_ET	     (1ul << 4)
#define CR0_NE	     (1ul << 5)
#define CR0_WP	     (1ul << 16)
#define CR0_AM	     (1ul << 18)
#define CR0_NW	     (1ul << 29)
#define CR0_CD	     (1ul << 30)
#define CR4_SMEP_BIT 20
#define CR4_OSXSAVE  (1ul << 18)
#define CR4_PAE	     (1ul << 5)
/* CR4 bits kept as toggled: they change nothing this program relies on. */
#define CR4_STICKY                                                                                 \
	0x00050fdful /* VME PVI TSD DE PSE MCE PGE PCE OSFXSR OSXMMEXCPT UMIP FSGSBASE OSXSAVE */
#define FLAGS_TF	   0x100ul
#define FLAGS_IF	   0x200ul
#define FLAGS_DF	   0x400ul
#define FLAGS_IOPL	   0x3000ul
#define FLAGS_NT	   0x4000ul
#define FLAGS_AC	   0x40000ul
#define FLAGS_ID	   0x200000ul
#define DR7_ENABLES_GD	   0x20ffull /* L0-G3 and GD stay clear: no breakpoint may fire */
#define CPUID_HV_FIRST	   0x40000000u
#define CPUID_HV_LAST	   0x400000ffu
#define CPUID_EXT	   0x80000000u
#define CPUID1_ECX_VMX	   (1u << 5)
#define CPUID_EXT1_ECX_SVM (1u << 2)
#define CPUID_LEAF_SVM	   0x8000000au

static uint64_t hash = FNV_OFFSET;
static bool verbose, trace;
static char line[LINE_MAX];
static struct fmt_out out;
static bool has_xsave;
static uint64_t xcr0_supported;
static uint32_t max_basic, max_ext;

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	size_t at = out.len;
	va_list ap;

	va_start(ap, fmt);
	out.len += (size_t)fmt_vsnprintf(out.buf + out.len, out.max - out.len, fmt, ap);
	if (out.len >= out.max)
		out.len = out.max - 1;
	va_end(ap);
	if (trace) /* each piece as it is known, before what it describes runs */
		gprintf("%s%s", at ? "" : "\n", out.buf + at);
}

/* " -> #GP(0x0) at fn+N" for an exception; false (nothing said) if none happened. */
static bool fault(bool faulted, const struct gfault *f, void (*fn)(void *))
{
	if (!faulted)
		return false;
	say(" -> vector %d error 0x%llx at fn+0x%lx", f->vector, (unsigned long long)f->error,
	    (unsigned long)(f->ip - (uintptr_t)fn));
	return true;
}

/* Operands in, results out, for the routines guest_try runs. */
struct op {
	uintptr_t a, b, c, d;
	uint64_t v;
};

static void do_cpuid(void *p)
{
	struct op *o = p;
	struct x86g_cpuid r = x86g_cpuid((uint32_t)o->a, (uint32_t)o->b);

	if ((uint32_t)o->a == 1)
		r.ecx &= ~CPUID1_ECX_VMX; /* README, "What is supported": VMX/SVM hidden */
	if ((uint32_t)o->a == CPUID_EXT + 1)
		r.ecx &= ~CPUID_EXT1_ECX_SVM;
	if ((uint32_t)o->a == CPUID_LEAF_SVM)
		r.eax = r.ebx = r.ecx = r.edx = 0; /* ... with SVM's feature leaf */
	o->v = ((uint64_t)r.eax * FNV_PRIME ^ r.ebx) * FNV_PRIME ^ ((uint64_t)r.ecx << 32 | r.edx);
}

static bool trial_cpuid(void)
{
	struct op o = {0};
	struct gfault f;
	uint32_t k = below(8);

	o.a = k < 3   ? below(max_basic + 3)
	      : k < 6 ? CPUID_EXT + below(max_ext - CPUID_EXT + 3)
	      : k < 7 ? CPUID_HV_FIRST + below(0x20)
		      : (uint32_t)rnd();
	o.b = below(2) ? below(8) : (uint32_t)rnd();
	say("cpuid 0x%x.0x%x", (unsigned)o.a, (unsigned)o.b);
	if (o.a >= CPUID_HV_FIRST && o.a <= CPUID_HV_LAST) {
		/* README, "What is supported": leaf 0x40000000 answers "dbgvisor" for whoever asks.
		 */
		say(" -> hypervisor range, not compared");
		return false;
	}
	if (fault(guest_try(do_cpuid, &o, &f), &f, do_cpuid))
		return true;
	say(" -> hash 0x%llx", (unsigned long long)o.v);
	return false;
}

static void do_rdmsr(void *p)
{
	struct op *o = p;

	o->v = x86g_rdmsr((uint32_t)o->a);
}

static void do_wrmsr(void *p)
{
	struct op *o = p;

	x86g_wrmsr((uint32_t)o->a, o->v);
}

/* MSRs that count time or events: their values differ between any two runs. */
static bool msr_varies(uint32_t m)
{
	return m == 0x10 || m == 0xe7 || m == 0xe8 || m == 0x3b || m == 0x6e0 ||
	       (m >= 0xc00000e7 && m <= 0xc00000e9);
}

/*
 * README, "What is supported": VM_CR, VM_HSAVE_PA, IA32_FEATURE_CONTROL and the VMX capability
 * MSRs read as "virtualization off" under dbgvisor (the VMX ones #GP: CPUID.1:ECX.VMX = 0),
 * and EFER.SVME reads clear.
 */
static bool msr_hidden(uint32_t m)
{
	return m == 0x3a || (m >= 0x480 && m <= 0x491) || (m >= 0xc0010114 && m <= 0xc0010118);
}

static bool trial_msr(void)
{
	struct op o = {0};
	struct gfault f;

	if (below(2)) {
		o.a = di_msr_known[below(sizeof(di_msr_known) / sizeof(di_msr_known[0]))];
	} else {
		const struct di_range *r =
		    &di_msr_ranges[below(sizeof(di_msr_ranges) / sizeof(di_msr_ranges[0]))];
		o.a = r->first + below(r->span);
	}
	say("rdmsr 0x%x", (unsigned)o.a);
	if (msr_hidden((uint32_t)o.a)) { /* run, but neither its value nor its #GP compared */
		guest_try(do_rdmsr, &o, &f);
		say(" -> (hidden by design)");
		return false;
	}
	if (fault(guest_try(do_rdmsr, &o, &f), &f, do_rdmsr))
		return true;
	if (msr_varies((uint32_t)o.a))
		say(" -> (varies)");
	else if (o.a == 0xc0000080)
		say(" -> 0x%llx", (unsigned long long)(o.v & ~(1ull << 12)));
	else
		say(" -> 0x%llx", (unsigned long long)o.v);
	if (o.a == 0x10)
		return false; /* writing the TSC back would move it (and TSC_ADJUST) */
	say(", wrmsr same");
	return fault(guest_try(do_wrmsr, &o, &f), &f, do_wrmsr);
}

/* MOV to DRn then from DRn: a = n, v = value in and out. */
#define MOVDR(n)                                                                                   \
	case n:                                                                                    \
		__asm__ volatile("mov %0, %%dr" #n "\n mov %%dr" #n ", %0" : "+r"(x));             \
		break
static void do_dr(void *p)
{
	struct op *o = p;
	uintptr_t x = (uintptr_t)o->v;

	switch (o->a) {
		MOVDR(0);
		MOVDR(1);
		MOVDR(2);
		MOVDR(3);
		MOVDR(4);
		MOVDR(5);
		MOVDR(6);
		MOVDR(7);
	}
	o->v = x;
}

static bool trial_dr(void)
{
	struct op o = {.a = below(8)};
	struct gfault f;
	uint64_t v = rnd();

	if (sizeof(uintptr_t) == 4 || below(4))
		v = (uint32_t)v;
	if (o.a == 7 || o.a == 5)
		v &= ~DR7_ENABLES_GD; /* QEMU ignores DR7.GD bare (README, dbg_gd) */
	o.v = v;
	say("mov dr%u <- 0x%llx", (unsigned)o.a, (unsigned long long)o.v);
	if (fault(guest_try(do_dr, &o, &f), &f, do_dr))
		return true;
	say(" -> 0x%llx", (unsigned long long)o.v);
	return false;
}

static void do_cr(void *p)
{
	struct op *o = p;
	uintptr_t old = o->a, nv = o->b, rd;

	if (o->d == 0)
		__asm__ volatile("mov %1, %%cr0\n mov %%cr0, %0\n" : "=&r"(rd) : "r"(nv));
	else if (o->c) /* not kept: write, read back and restore without touching memory */
		__asm__ volatile("mov %1, %%cr4\n mov %%cr4, %0\n mov %2, %%cr4"
				 : "=&r"(rd)
				 : "r"(nv), "r"(old));
	else
		__asm__ volatile("mov %1, %%cr4\n mov %%cr4, %0\n" : "=&r"(rd) : "r"(nv));
	o->v = rd;
}

static uintptr_t read_cr(int n)
{
	uintptr_t v;

	if (n == 0)
		__asm__ volatile("mov %%cr0, %0" : "=r"(v));
	else
		__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

static bool trial_cr(void)
{
	static const uintptr_t cr0_bits[] = {CR0_MP, CR0_EM, CR0_TS, CR0_ET,
					     CR0_NE, CR0_WP, CR0_AM, CR0_CD};
	struct op o = {.d = below(2) ? 0 : 4};
	struct gfault f;
	uintptr_t flip;

	o.a = read_cr((int)o.d);
	if (o.d == 0) {
		flip = cr0_bits[below(sizeof(cr0_bits) / sizeof(cr0_bits[0]))];
		if (!below(8))
			flip |= 1ul << (6 + below(10)); /* a reserved bit: ignored (SDM 3A, 2.5) */
	} else {
		/* Defined bits only: QEMU 7.2 hangs on a reserved one bare (it takes SVM's
		 * VMEXIT_INVALID path outside a guest). Not VMXE: VT-x is hidden (README). */
		static const uint8_t cr4_bits[] = {0,  1,  2,  3,  4,  5,  6,  7,  8, 9,
						   10, 11, 12, 16, 17, 18, 20, 21, 22};
		flip = 1ul << cr4_bits[below(sizeof(cr4_bits))];
		/* 64-bit: not SMEP, the runtime's code page is a user page (ring3.c); not PAE,
		 * QEMU 7.2 clears it in long mode (SDM 2B, MOV CR: #GP) and then triple-faults. */
		if (sizeof(uintptr_t) == 8 && (flip & ((1ul << CR4_SMEP_BIT) | CR4_PAE)))
			flip = 0;
		o.c = !(flip & CR4_STICKY);
	}
	/* Not NW: QEMU 7.2 takes NW without CD bare, then its VMRUN refuses that CR0 (README,
	 * "Exits"). Not CR4's high half: a reserved CR4 bit hangs QEMU 7.2, see above. */
	if (sizeof(uintptr_t) == 8 && o.d == 0 && !below(16))
		flip = (uintptr_t)((uint64_t)1 << (32 + below(32)));
	o.b = o.a ^ flip;
	say("mov cr%u 0x%lx ^ 0x%lx", (unsigned)o.d, (unsigned long)o.a, (unsigned long)flip);
	if (fault(guest_try(do_cr, &o, &f), &f, do_cr))
		return true;
	say(" -> 0x%lx, now 0x%lx", (unsigned long)o.v, (unsigned long)read_cr((int)o.d));
	return false;
}

static void do_xsetbv(void *p)
{
	struct op *o = p;

	__asm__ volatile("xsetbv" ::"c"((uint32_t)o->a), "a"((uint32_t)o->v),
			 "d"((uint32_t)(o->v >> 32)));
}

static void do_xgetbv(void *p)
{
	struct op *o = p;
	uint32_t lo, hi;

	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"((uint32_t)o->a));
	o->v = (uint64_t)hi << 32 | lo;
}

static bool trial_xcr(void)
{
	struct op o = {.a = below(4) ? 0 : below(2) ? 1 : (uint32_t)rnd()};
	struct gfault f;
	bool any;

	o.v = (rnd() & xcr0_supported) | (below(8) ? 1 : 0);
	if (!below(8))
		o.v |= 1ull << below(64);
	say("xsetbv %u 0x%llx", (unsigned)o.a, (unsigned long long)o.v);
	any = fault(guest_try(do_xsetbv, &o, &f), &f, do_xsetbv);
	o.a = 0;
	say(", xgetbv 0");
	if (fault(guest_try(do_xgetbv, &o, &f), &f, do_xgetbv))
		return true;
	say(" -> 0x%llx", (unsigned long long)o.v);
	return any;
}

#include "tests/guest/tests/diff_insns_io.h"
#include "tests/guest/tests/diff_insns_more.h"

int test_main(void)
{
	const struct mb1_info *mbi = guest_mbi();
	const char *cmd = "";
	uint32_t trials = DEFAULT_TRIALS, faulted = 0;
	struct x86g_cpuid c;

	rng = DEFAULT_SEED;
	if (mbi && (mbi->flags & MB1_INFO_CMDLINE))
		cmd = guest_phys(mbi->cmdline);
	seeded_cmdline(cmd, &trials, di_flags);
	c = x86g_cpuid(0, 0);
	max_basic = c.eax;
	max_ext = x86g_cpuid(CPUID_EXT, 0).eax;
	has_xsave = x86g_cpuid(1, 0).ecx & (1u << 26);
	if (has_xsave) {
		c = x86g_cpuid(0xd, 0);
		xcr0_supported = (uint64_t)c.edx << 32 | c.eax;
	}
	gprintf("diff_insns (%s): %u trials, seed 0x%llx, xcr0 mask 0x%llx\n", guest_mode_name(),
		(unsigned)trials, (unsigned long long)rng, (unsigned long long)xcr0_supported);
	initial_state();
	for (uint32_t t = 0; t < trials; t++) {
		bool shown;

		out = (struct fmt_out){.buf = line, .max = sizeof(line)};
		line[0] = '\0';
		shown = run_trial(t) || verbose;
		for (const char *s = line; *s; s++)
			hash = (hash ^ (uint8_t)*s) * FNV_PRIME;
		faulted += shown;
		if (shown)
			gprintf("trial %u: %s\n", (unsigned)t, line);
		if ((t + 1) % HASH_EVERY == 0 || t + 1 == trials)
			gprintf("trials to %u: hash 0x%llx\n", (unsigned)t,
				(unsigned long long)hash);
	}
	final_state();
	gprintf("diff_insns: done, %u lines shown\n", (unsigned)faulted);
	return GUEST_EXIT_OK;
}
