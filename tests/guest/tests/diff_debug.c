/* diff_debug.c - random debug-register events: the same output bare and under dbgvisor. */
#include <stdbool.h>
#include <stdint.h>

#include "core/hw/printf.h"
#include "tests/guest/lib/dbgregs.h"
#include "tests/guest/lib/guest.h"
#include "tests/guest/lib/seeded.h"
#include "tests/guest/lib/x86g.h"
#include "tests/guest/tests/diff_debug.h"

/*
 * Each trial draws, from a PRNG with a fixed seed (seed=N and n=N on the command line change
 * them): CR4.DE, DR0-DR3 (execute breakpoints on the snippets' instructions, data breakpoints
 * of 1/2/4/8 bytes on the data window, I/O breakpoints on ports 0x80 and COM2), DR7 (L/G,
 * LE/GE, sometimes GD), a DR6 value written first (status and reserved bits), EFLAGS.TF, and
 * a short sequence of snippets (diff_debug.h). The #DB, #BP, #OF, #UD and #GP handlers
 * record each event (vector, where, DR6, DR7, TF/RF) and let the sequence go on. The trial's
 * line says what was set, run and seen; DR values read by the sequence, the final DRs and a
 * hash of the data window end it. Every line is printed ("quiet" prints only a running hash
 * every HASH_EVERY trials). What an emulator gets wrong bare, or where it and dbgvisor both
 * follow the manuals differently, stays out of the trials: QEMU is told by its brand string,
 * Bochs by "bochs" on the command line, SVM by the vendor (README, "Debug-register
 * virtualization", and the comment at each).
 */
#define DEFAULT_SEED   0xdb6dbeef2026ull
#define DEFAULT_TRIALS 1000
#define HASH_EVERY     50
#define LINE_MAX       3072
#define FNV_OFFSET     0xcbf29ce484222325ull
#define FNV_PRIME      0x100000001b3ull
#define MAX_STEPS      6
#define MAX_SHOWN      40  /* events described in the line; the rest only counted */
#define MAX_EVENTS     120 /* a trial that raises more is abandoned (a #DB loop) */
#define STEP_EVENTS    48  /* after that many, the handler stops single-stepping */
#define DATA_SIZE      256
#define HOT_FIRST      64 /* the window loads, stores and copies touch */
#define HOT_SIZE       64
#define PTR_FIRST      160 /* SS selectors and the far pointer: only read */
#define SS_SLOTS       4
#define FAR_SLOT       (PTR_FIRST + 2 * SS_SLOTS)
#define SS_SPARE       (PTR_FIRST + 32) /* an SS selector no breakpoint watches */
#define N_RESULTS      MAX_STEPS
#define VEC_OF	       4
#define DR6_HIGH_RSVD  0xffff0000ul /* with bit 12 and 4-11: reserved, written as drawn */
#define PORT_POST      0x80
#define PORT_COM2      0x2f8
#define DR6_STATUS     (DR6_BMASK | DR6_BD | DR6_BS | DR6_BT)

static uint64_t hash = FNV_OFFSET;
static bool quiet, qemu, bochs, amd, dump;
static char line[LINE_MAX];
static struct fmt_out out;
static uint8_t dd_data[DATA_SIZE] __attribute__((aligned(64)));
static uintptr_t results[N_RESULTS];
static struct dd_step steps[MAX_STEPS];

/* What the handlers saw in this trial. */
static unsigned n_events;
static bool gd_armed;
static uintptr_t last_dr6, last_dr7;

/* A piece of the trial's line (core/hw/printf.c appends, cut at the buffer's end). */
#define say(...) fmt_append(&out, __VA_ARGS__)

/* "snippet+off", "drv+off" or the address: where an event happened. */
static void say_where(uintptr_t ip)
{
	const char *best = NULL, *name = NULL;

	if (ip >= (uintptr_t)dd_drv && ip <= (uintptr_t)dd_drv_end) {
		say("drv+%lu", (unsigned long)(ip - (uintptr_t)dd_drv));
		return;
	}
	if (ip >= (uintptr_t)dds__first && ip < (uintptr_t)dds__end)
		for (unsigned i = 0; i < DD_NSNIPS; i++)
			if ((uintptr_t)dd_snips[i].at <= ip && (!best || dd_snips[i].at > best)) {
				best = dd_snips[i].at;
				name = dd_snips[i].name;
			}
	if (name)
		say("%s+%lu", name, (unsigned long)(ip - (uintptr_t)best));
	else
		say("0x%lx", (unsigned long)ip);
}

static const struct dd_mark *mark_at(uintptr_t ip)
{
	for (const struct dd_mark *m = dd_marks; m < dd_marks_end; m++)
		if (m->start == ip)
			return m;
	return NULL;
}

static bool exec_bp_at(uintptr_t ip)
{
	uintptr_t dr7 = dr_read(7);

	for (int n = 0; n < DR_NUM_BP; n++)
		if ((dr7 & (DR7_L(n) | DR7_G(n))) &&
		    ((dr7 >> DR7_RW_SHIFT(n)) & 3) == DR7_RW_EXEC && dr_read(n) == ip)
			return true;
	return false;
}

/*
 * The handler of #DB, #BP, #OF, #UD and #GP. A #DB clears DR7.GD (SDM 3B, 18.2.4), so its
 * DRs can be read; the others read them only when GD is known clear. Resumes after a faulting
 * instruction (the dd_marks fixup, RF cleared as a kernel skipping it would), with RF set on
 * an execute breakpoint (SDM 3B, 18.3.1.1), or gives up on the trial at dd_abort.
 */
static void on_event(struct gframe *fr)
{
	const struct dd_mark *m;
	bool shown = n_events < MAX_SHOWN;

	if (fr->vector == GUEST_VEC_DB)
		gd_armed = false;
	n_events++;
	if (shown) {
		say(" %u@", (unsigned)fr->vector);
		say_where(fr->ip);
		if (fr->vector == GUEST_VEC_GP)
			say("/e%lx", (unsigned long)fr->error);
		if (fr->flags & X86G_FLAGS_TF)
			say("T");
		/* QEMU 7.2 pushes RF=0 for every fault bare (README) and keeps RF=1 in a trap
		 * after an instruction that ran with it: RF is not shown there. */
		if ((fr->flags & X86G_FLAGS_RF) && !qemu)
			say("R");
	}
	if (!gd_armed) {
		uintptr_t dr6 = dr_read(6), dr7 = dr_read(7);

		if (shown && dr6 != last_dr6)
			say(" d6=%lx", (unsigned long)dr6);
		if (shown && dr7 != last_dr7)
			say(" d7=%lx", (unsigned long)dr7);
		/* The status bits go, as a kernel's handler clears them (SDM 3B, 18.2.3): QEMU
		 * 7.2's steps clear B0-B3 and every Bochs 2.7 #DB all of them (README), where
		 * dbgvisor keeps them as APM 13.1.1.3 and the SDM say. */
		if (dr6 & DR6_STATUS)
			dr_write(6, dr6 & ~(uintptr_t)DR6_STATUS);
		last_dr6 = dr6;
		last_dr7 = dr7;
	}
	if (n_events >= MAX_EVENTS) {
		say(" (abandoned)");
		fr->ip = (uintptr_t)dd_abort;
		fr->flags &= ~(uintptr_t)(X86G_FLAGS_TF | X86G_FLAGS_RF);
		return;
	}
	if (n_events >= STEP_EVENTS)
		fr->flags &= ~(uintptr_t)X86G_FLAGS_TF;
	if (fr->vector == GUEST_VEC_UD || fr->vector == GUEST_VEC_GP) {
		m = mark_at(fr->ip);
		fr->ip = m ? m->end : (uintptr_t)dd_abort;
		fr->flags &= ~(uintptr_t)X86G_FLAGS_RF;
		if (!m)
			fr->flags &= ~(uintptr_t)X86G_FLAGS_TF;
	} else if (fr->vector == GUEST_VEC_DB && exec_bp_at(fr->ip)) {
		fr->flags |= X86G_FLAGS_RF;
	}
}

static const int hooked[] = {GUEST_VEC_DB, GUEST_VEC_BP, VEC_OF, GUEST_VEC_UD, GUEST_VEC_GP};

static void hooks(bool on)
{
	for (unsigned i = 0; i < sizeof(hooked) / sizeof(hooked[0]); i++)
		guest_set_hook(hooked[i], on ? on_event : NULL);
}

#include "tests/guest/tests/diff_debug_gen.h"

int test_main(void)
{
	const struct mb1_info *mbi = guest_mbi();
	const char *cmd = "";
	uint32_t trials = DEFAULT_TRIALS;
	char brand[49] = {0};

	rng = DEFAULT_SEED;
	if (mbi && (mbi->flags & MB1_INFO_CMDLINE))
		cmd = guest_phys(mbi->cmdline);
	seeded_cmdline(cmd, &trials, dd_flags);
	for (uint32_t i = 0; i < 3; i++) {
		struct x86g_cpuid c = x86g_cpuid(0x80000002u + i, 0);

		memcpy(brand + 16 * i, &c, 16);
	}
	amd = x86g_cpuid(0, 0).ebx == 0x68747541u; /* "Auth"enticAMD */
	/* QEMU 7.2 ignores DR7.GD bare (README, dbg_gd): no GD there; dbgvisor honours it. */
	for (const char *s = brand; *s; s++)
		qemu |= !memcmp(s, "QEMU", 4);
	gprintf("diff_debug (%s): %u trials, seed 0x%llx%s%s\n", guest_mode_name(),
		(unsigned)trials, (unsigned long long)rng, qemu ? ", QEMU: no DR7.GD" : "",
		bochs ? ", Bochs: no DR6 status written" : "");
	for (uint32_t t = 0; t < trials; t++) {
		out = (struct fmt_out){.buf = line, .max = sizeof(line)};
		line[0] = '\0';
		run_trial();
		for (const char *s = line; *s; s++)
			hash = (hash ^ (uint8_t)*s) * FNV_PRIME;
		if (!quiet)
			gprintf("trial %u:%s\n", (unsigned)t, line);
		if ((t + 1) % HASH_EVERY == 0 || t + 1 == trials)
			gprintf("trials to %u: hash 0x%llx\n", (unsigned)t,
				(unsigned long long)hash);
	}
	gprintf("diff_debug: done\n");
	return GUEST_EXIT_OK;
}
