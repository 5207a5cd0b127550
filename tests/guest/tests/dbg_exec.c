/* dbg_exec.c - instruction breakpoints on DR0-DR3: fault at the target, exact DR6, RF resume. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/hw/printf.h"
#include "tests/guest/lib/dbgregs.h"
#include "tests/guest/lib/guest.h"
#include "tests/guest/lib/x86g.h"

#define CALLS_PER_CASE 2 /* the breakpoint must hit again after an RF resume */

/*
 * Targets: each counts its runs in exec_runs[] and returns. exec_mid's breakpoint goes on its
 * second instruction (exec_mid_b); exec_runs[4] counts that one.
 */
#define NUM_TARGETS 5
#define MID_SLOT    4
volatile uint32_t exec_runs[NUM_TARGETS];

/* clang-format off */
__asm__(".text\n"
	".globl exec_tgt0, exec_tgt1, exec_tgt2, exec_tgt3, exec_mid, exec_mid_b\n"
	".p2align 4\n"
	"exec_tgt0: incl exec_runs + 0\n ret\n"
	".p2align 4\n"
	"exec_tgt1: incl exec_runs + 4\n ret\n"
	".p2align 4\n"
	"exec_tgt2: incl exec_runs + 8\n ret\n"
	".p2align 4\n"
	"exec_tgt3: incl exec_runs + 12\n ret\n"
	".p2align 4\n"
	"exec_mid: nop\n"
	"exec_mid_b: incl exec_runs + 16\n ret\n");
/* clang-format on */

void exec_tgt0(void);
void exec_tgt1(void);
void exec_tgt2(void);
void exec_tgt3(void);
void exec_mid(void);
extern const char exec_mid_b[];

static void (*const targets[DR_NUM_BP])(void) = {exec_tgt0, exec_tgt1, exec_tgt2, exec_tgt3};

/* What the #DB hook saw last, and how often it ran. */
static volatile unsigned db_count;
static volatile uintptr_t db_ip, db_dr6, db_dr7, db_flags;
static uintptr_t dr6_idle; /* DR6 after writing DR6_INIT: the expected value minus Bn */

/* Instruction breakpoints are faults: record, clear DR6, resume with RF so the target runs. */
static void db_hook(struct gframe *f)
{
	db_count++;
	db_ip = f->ip;
	db_flags = f->flags;
	db_dr6 = dr_read(6);
	db_dr7 = dr_read(7);
	dr_write(6, DR6_INIT);
	f->flags |= X86G_FLAGS_RF;
}

static void arm(int n, uintptr_t addr, uintptr_t enable)
{
	dr_write(n, addr);
	dr_write(7, dr_read(7) | enable | dr7_rwlen(n, DR7_RW_EXEC, DR7_LEN_1));
}

static void probe_fixed_bits(void)
{
	uintptr_t zero_read;

	dr_write(6, 0);
	zero_read = dr_read(6);
	dr_write(6, DR6_INIT);
	dr6_idle = dr_read(6);
	gprintf("dr6 after writing 0: 0x%lx; after writing 0x%x (expected base): 0x%lx\n",
		(unsigned long)zero_read, DR6_INIT, (unsigned long)dr6_idle);
}

/* One DR, L or G: two calls, each faults once at the target, then runs it once. */
static void check_single(int n, bool global)
{
	const char *kind = global ? "G" : "L";
	uintptr_t tgt = (uintptr_t)targets[n];
	uintptr_t dr7;
	uint32_t runs0 = exec_runs[n];

	dr_reset_all();
	arm(n, tgt, global ? DR7_G(n) : DR7_L(n));
	dr7 = dr_read(7);
	db_count = 0;
	targets[n]();
	EXPECT_EQ(guest_name("DR%d %s: one #DB on the first call", n, kind), db_count, 1);
	EXPECT_EQ(guest_name("DR%d %s: fault ip is the target", n, kind), db_ip, tgt);
	EXPECT_EQ(guest_name("DR%d %s: DR6 = base | B%d", n, kind, n), db_dr6, dr6_idle | DR6_B(n));
	EXPECT_EQ(guest_name("DR%d %s: DR7 unchanged in the handler", n, kind), db_dr7, dr7);
	EXPECT_EQ(guest_name("DR%d %s: pushed RF clear", n, kind), db_flags & X86G_FLAGS_RF, 0);
	EXPECT_EQ(guest_name("DR%d %s: target ran once after RF resume", n, kind), exec_runs[n],
		  runs0 + 1);
	/* A second hit also shows RF was cleared after the resumed instruction. */
	targets[n]();
	EXPECT_EQ(guest_name("DR%d %s: hits again on the next call", n, kind), db_count,
		  CALLS_PER_CASE);
	EXPECT_EQ(guest_name("DR%d %s: ... again at the target", n, kind), db_ip, tgt);
	EXPECT_EQ(guest_name("DR%d %s: ... target ran twice in all", n, kind), exec_runs[n],
		  runs0 + CALLS_PER_CASE);
	dr_reset_all();
}

static void check_mid_function(void)
{
	dr_reset_all();
	arm(1, (uintptr_t)exec_mid_b, DR7_L(1));
	db_count = 0;
	exec_mid();
	EXPECT_EQ("second instruction of a function: one #DB", db_count, 1);
	EXPECT_EQ("... fault ip is that instruction", db_ip, (uintptr_t)exec_mid_b);
	EXPECT_EQ("... DR6 = base | B1", db_dr6, dr6_idle | DR6_B(1));
	EXPECT_EQ("... instruction ran once", exec_runs[MID_SLOT], 1);
	dr_reset_all();
}

static void check_two_at_once(void)
{
	dr_reset_all();
	arm(0, (uintptr_t)exec_tgt0, DR7_L(0));
	arm(1, (uintptr_t)exec_tgt1, DR7_G(1));
	db_count = 0;
	exec_tgt0();
	EXPECT_EQ("DR0+DR1 armed, call target 0: one #DB", db_count, 1);
	EXPECT_EQ("... ip target 0", db_ip, (uintptr_t)exec_tgt0);
	EXPECT_EQ("... DR6 = base | B0 only", db_dr6, dr6_idle | DR6_B(0));
	exec_tgt1();
	EXPECT_EQ("... call target 1: second #DB", db_count, 2);
	EXPECT_EQ("... ip target 1", db_ip, (uintptr_t)exec_tgt1);
	EXPECT_EQ("... DR6 = base | B1 only", db_dr6, dr6_idle | DR6_B(1));
	dr_reset_all();

	/* Two enabled breakpoints on one address: one #DB reporting both. */
	arm(2, (uintptr_t)exec_tgt2, DR7_L(2));
	arm(3, (uintptr_t)exec_tgt2, DR7_G(3));
	db_count = 0;
	exec_tgt2();
	EXPECT_EQ("DR2 and DR3 on the same target: one #DB", db_count, 1);
	EXPECT_EQ("... ip target 2", db_ip, (uintptr_t)exec_tgt2);
	EXPECT_EQ("... DR6 = base | B2 | B3", db_dr6, dr6_idle | DR6_B(2) | DR6_B(3));
	dr_reset_all();
}

/* The address register loaded after DR7 already enables it (lazy DR loading bugs). */
static void check_address_after_enable(void)
{
	dr_reset_all();
	dr_write(7, DR7_INIT | DR7_G(3) | dr7_rwlen(3, DR7_RW_EXEC, DR7_LEN_1));
	dr_write(3, (uintptr_t)exec_tgt3);
	db_count = 0;
	exec_tgt3();
	EXPECT_EQ("DR3 loaded after DR7 enabled it: one #DB", db_count, 1);
	EXPECT_EQ("... ip target 3", db_ip, (uintptr_t)exec_tgt3);
	EXPECT_EQ("... DR6 = base | B3", db_dr6, dr6_idle | DR6_B(3));
	dr_reset_all();
}

static void check_disabled(void)
{
	uintptr_t dr6_after;

	/* An enabled and a disabled breakpoint on the same target. */
	dr_reset_all();
	arm(0, (uintptr_t)exec_tgt0, DR7_L(0));
	arm(1, (uintptr_t)exec_tgt0, 0);
	db_count = 0;
	exec_tgt0();
	EXPECT_EQ("enabled DR0 + disabled DR1 on one target: one #DB", db_count, 1);
	EXPECT_EQ("... DR6 = base | B0 (B1 may be set: ignored)", db_dr6 & ~(uintptr_t)DR6_B(1),
		  dr6_idle | DR6_B(0));
	gprintf("info: disabled matching DR1 %s B1 in DR6 (SDM: may be set)\n",
		(db_dr6 & DR6_B(1)) ? "sets" : "does not set");
	dr_reset_all();

	/* Only disabled breakpoints: never a #DB. */
	for (int n = 0; n < DR_NUM_BP; n++)
		arm(n, (uintptr_t)targets[n], 0);
	db_count = 0;
	for (int n = 0; n < DR_NUM_BP; n++)
		targets[n]();
	dr6_after = dr_read(6);
	EXPECT_EQ("DR0-DR3 on their targets, L/G clear: no #DB", db_count, 0);
	gprintf("info: DR6 after running disabled breakpoints: 0x%lx\n", (unsigned long)dr6_after);
	dr_reset_all();

	/* "incl abs32" is FF 05 disp32: its byte 1 is not the first byte, so no match. */
	arm(0, (uintptr_t)exec_tgt0 + 1, DR7_L(0) | DR7_G(0));
	db_count = 0;
	exec_tgt0();
	EXPECT_EQ("breakpoint on byte 1 of a 6-byte instruction: no #DB", db_count, 0);
	dr_reset_all();
}

int test_main(void)
{
	gprintf("debug: instruction breakpoints (%s)\n", guest_mode_name());
	guest_set_hook(GUEST_VEC_DB, db_hook);
	probe_fixed_bits();
	for (int n = 0; n < DR_NUM_BP; n++) {
		check_single(n, false);
		check_single(n, true);
	}
	check_mid_function();
	check_two_at_once();
	check_address_after_enable();
	check_disabled();
	guest_set_hook(GUEST_VEC_DB, NULL);
	guest_finish();
}
