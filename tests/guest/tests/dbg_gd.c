/* dbg_gd.c - DR7.GD: every MOV DR faults with DR6.BD, GD cleared on #DB delivery, MOV not done. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/hw/printf.h"
#include "tests/guest/lib/dbgregs.h"
#include "tests/guest/lib/guest.h"
#include "tests/guest/lib/x86g.h"

/* Plain numbers: they are also pasted into the assembly below. */
#define SENTINEL  0x5a5a1234 /* in the register a faulting MOV from DR must not change */
#define DR0_OLD	  0x1000     /* DR0 before the faulting MOV to DR0 */
#define DR0_NEW	  0x2000     /* what that MOV would have written */
#define DR2_NEW	  0x3000     /* what the faulting MOV to DR2 would have written */
#define DR6_WOULD 0xffff0ff4 /* DR6_INIT | B2: what the faulting MOV to DR6 would write */
#define DR7_WOULD 0x440	     /* DR7_INIT | L3: what the faulting MOV to DR7 would write */
#define XSTR(x)	  #x
#define STR(x)	  XSTR(x)

/*
 * One routine per MOV DR form: AX = SENTINEL (or the value to write), the MOV at gd_<x>_insn,
 * then AX is stored to gd_out. The #DB hook resumes at gd_<x>_end, skipping the MOV.
 */
#ifdef __x86_64__
#define AX "%rax"
#else
#define AX "%eax"
#endif
#define GD_FN(x, load, insn)                                                                       \
	".globl gd_" #x ", gd_" #x "_insn, gd_" #x "_end\n.p2align 4\n"                            \
	"gd_" #x ": mov $" load ", " AX "\n"                                                       \
	"gd_" #x "_insn: " insn "\n"                                                               \
	"gd_" #x "_end: mov " AX ", gd_out\n ret\n"
/* clang-format off */
__asm__(".text\n"
	GD_FN(to0, STR(DR0_NEW), "mov " AX ", %dr0")
	GD_FN(from1, STR(SENTINEL), "mov %dr1, " AX)
	GD_FN(to2, STR(DR2_NEW), "mov " AX ", %dr2")
	GD_FN(from3, STR(SENTINEL), "mov %dr3, " AX)
	GD_FN(to6, STR(DR6_WOULD), "mov " AX ", %dr6")
	GD_FN(from6, STR(SENTINEL), "mov %dr6, " AX)
	GD_FN(to7, STR(DR7_WOULD), "mov " AX ", %dr7")
	GD_FN(from7, STR(SENTINEL), "mov %dr7, " AX)
	".globl gd_target\n.p2align 4\n"
	"gd_target: nop\n ret\n"
	".globl gd_dr4, gd_dr4_end\n.p2align 4\n"
	"gd_dr4: mov %dr4, " AX "\n gd_dr4_end: ret\n");
/* clang-format on */

#define DECL_GD(x)                                                                                 \
	void gd_##x(void);                                                                         \
	extern const char gd_##x##_insn[], gd_##x##_end[]
DECL_GD(to0);
DECL_GD(from1);
DECL_GD(to2);
DECL_GD(from3);
DECL_GD(to6);
DECL_GD(from6);
DECL_GD(to7);
DECL_GD(from7);
void gd_target(void);
void gd_dr4(void);
extern const char gd_dr4_end[];
uintptr_t gd_out;

enum check_kind { CHECK_DR0, CHECK_OUT, CHECK_DR2, CHECK_DR6, CHECK_DR7 };

struct gd_case {
	const char *what;
	void (*fn)(void);
	const char *insn, *end;
	enum check_kind kind;
};

static const struct gd_case cases[] = {
    {"MOV DR0, AX", gd_to0, gd_to0_insn, gd_to0_end, CHECK_DR0},
    {"MOV AX, DR1", gd_from1, gd_from1_insn, gd_from1_end, CHECK_OUT},
    {"MOV DR2, AX", gd_to2, gd_to2_insn, gd_to2_end, CHECK_DR2},
    {"MOV AX, DR3", gd_from3, gd_from3_insn, gd_from3_end, CHECK_OUT},
    {"MOV DR6, AX", gd_to6, gd_to6_insn, gd_to6_end, CHECK_DR6},
    {"MOV AX, DR6", gd_from6, gd_from6_insn, gd_from6_end, CHECK_OUT},
    {"MOV DR7, AX", gd_to7, gd_to7_insn, gd_to7_end, CHECK_DR7},
    {"MOV AX, DR7", gd_from7, gd_from7_insn, gd_from7_end, CHECK_OUT},
};
#define NUM_CASES (sizeof(cases) / sizeof(cases[0]))

static volatile unsigned db_count;
static volatile uintptr_t db_ip, db_dr6, db_dr7;
static uintptr_t resume_ip; /* 0: resume at the faulting instruction with RF */
static uintptr_t dr6_idle;
static uint32_t watched; /* DR1 watches it: a live breakpoint besides GD */

/* Runs with GD already cleared by the delivery (else its own MOV DR is a nested #DB). */
static void db_hook(struct gframe *f)
{
	db_count++;
	db_ip = f->ip;
	db_dr6 = dr_read(6);
	db_dr7 = dr_read(7);
	dr_write(6, DR6_INIT);
	if (resume_ip)
		f->ip = resume_ip;
	else
		f->flags |= X86G_FLAGS_RF;
}

static void read_dr7(void *arg)
{
	*(uintptr_t *)arg = dr_read(7);
}

/* DR7 other than GD during the cases: a write watch on DR1, G1. */
static uintptr_t base_dr7(void)
{
	return DR7_INIT | DR7_G(1) | dr7_rwlen(1, DR7_RW_WRITE, DR7_LEN_4);
}

static void setup_case(void)
{
	dr_write(7, DR7_INIT);
	dr_write(6, DR6_INIT);
	dr_write(0, DR0_OLD);
	dr_write(1, (uintptr_t)&watched);
	dr_write(2, 0);
	dr_write(3, 0);
	dr_write(7, base_dr7() | DR7_GD);
}

static void run_case(const struct gd_case *c)
{
	setup_case();
	gd_out = 0;
	db_count = 0;
	resume_ip = (uintptr_t)c->end;
	c->fn();
	/* The hook ran with GD clear; these reads do not fault. */
	EXPECT_EQ(guest_name("GD: %s: one #DB", c->what), db_count, 1);
	EXPECT_EQ(guest_name("GD: %s: fault ip at the MOV", c->what), db_ip, (uintptr_t)c->insn);
	EXPECT_EQ(guest_name("GD: %s: DR6 = base | BD", c->what), db_dr6, dr6_idle | DR6_BD);
	EXPECT_EQ(guest_name("GD: %s: handler sees DR7 without GD, rest intact", c->what), db_dr7,
		  base_dr7());
	switch (c->kind) {
	case CHECK_DR0:
		EXPECT_EQ(guest_name("GD: %s: DR0 not written", c->what), dr_read(0), DR0_OLD);
		break;
	case CHECK_DR2:
		EXPECT_EQ(guest_name("GD: %s: DR2 not written", c->what), dr_read(2), 0);
		break;
	case CHECK_OUT:
		EXPECT_EQ(guest_name("GD: %s: destination register unchanged", c->what), gd_out,
			  SENTINEL);
		break;
	case CHECK_DR6:
		/* The hook reset DR6; what matters is that the MOV's value never showed. */
		EXPECT_EQ(guest_name("GD: %s: DR6 in the handler lacks the written B2", c->what),
			  db_dr6 & (DR6_WOULD & DR6_BMASK), 0);
		break;
	case CHECK_DR7:
		EXPECT_EQ(guest_name("GD: %s: DR7 not written (no L3)", c->what),
			  dr_read(7) & DR7_WOULD, DR7_INIT);
		break;
	}
	EXPECT_EQ(guest_name("GD: %s: GD stays clear after the handler", c->what),
		  dr_read(7) & DR7_GD, 0);
	dr_reset_all();
}

/* GD is cleared by every #DB delivery, not only BD: an execute breakpoint with GD set. */
static void check_cleared_by_other_db(bool gd_ignored)
{
	dr_reset_all();
	dr_write(1, (uintptr_t)&watched);
	dr_write(0, (uintptr_t)gd_target);
	dr_write(7, base_dr7() | DR7_L(0) | DR7_GD);
	db_count = 0;
	resume_ip = 0;
	gd_target();
	EXPECT_EQ("GD + execute breakpoint: one #DB", db_count, 1);
	EXPECT_EQ("... ip at the target", db_ip, (uintptr_t)gd_target);
	EXPECT_EQ("... DR6 = base | B0 (no BD)", db_dr6, dr6_idle | DR6_B(0));
	/* Only reachable with GD set in the handler if MOV DR ignores GD altogether. */
	if (gd_ignored && (db_dr7 & DR7_GD)) {
		gprintf("deviation: #DB delivery does not clear DR7.GD\n");
		EXPECT_EQ("... handler sees DR7 intact apart from GD", db_dr7 & ~(uintptr_t)DR7_GD,
			  base_dr7() | DR7_L(0));
	} else {
		EXPECT_EQ("... handler sees DR7 without GD", db_dr7, base_dr7() | DR7_L(0));
	}
	dr_reset_all();
}

/* Which exception wins for MOV DR4 with CR4.DE=1 and GD=1 (not ordered by the SDM). */
static void probe_dr4_priority(void)
{
	uintptr_t cr4 = x86g_read_cr4();
	struct gfault f;

	guest_set_hook(GUEST_VEC_DB, NULL);
	x86g_write_cr4(cr4 | CR4_DE);
	dr_write(7, DR7_INIT | DR7_GD);
	guest_try((void (*)(void *))gd_dr4, NULL, &f);
	x86g_write_cr4(cr4);
	gprintf("info: MOV from DR4 with CR4.DE=1 and DR7.GD=1 raised vector %d\n", f.vector);
	/* If #UD won, GD is still set: one more MOV DR (expected to fault) clears it. */
	if (f.vector != GUEST_VEC_DB) {
		uintptr_t v;

		guest_try(read_dr7, &v, &f);
	}
	dr_reset_all();
	guest_set_hook(GUEST_VEC_DB, db_hook);
}

int test_main(void)
{
	struct gfault f;
	uintptr_t v = 0;

	gprintf("debug: DR7.GD general detect (%s)\n", guest_mode_name());
	dr_write(6, DR6_INIT);
	dr6_idle = dr_read(6);
	gprintf("dr6 base 0x%lx\n", (unsigned long)dr6_idle);

	/* Probe: does MOV DR with GD set fault at all (no hook: a recovered fault)? */
	dr_write(7, DR7_INIT | DR7_GD);
	if (!guest_try(read_dr7, &v, &f)) {
		gprintf("deviation: MOV from DR7 with DR7.GD=1 raised no #DB (read 0x%lx); "
			"skipping the general-detect checks\n",
			(unsigned long)v);
		dr_write(7, DR7_INIT);
		dr_write(6, DR6_INIT);
		guest_set_hook(GUEST_VEC_DB, db_hook);
		check_cleared_by_other_db(true);
		guest_set_hook(GUEST_VEC_DB, NULL);
		guest_finish();
	}
	EXPECT_EQ("probe: MOV from DR7 with GD raises #DB", f.vector, GUEST_VEC_DB);
	/* GD must be clear now; if not, this read faults (and the next delivery clears it). */
	EXPECT_EQ("probe: DR7 readable after the #DB", guest_try(read_dr7, &v, &f), false);
	EXPECT_EQ("probe: DR7 = 0x400 (GD cleared by the delivery)", v, DR7_INIT);
	dr_reset_all();

	guest_set_hook(GUEST_VEC_DB, db_hook);
	for (unsigned i = 0; i < NUM_CASES; i++)
		run_case(&cases[i]);
	check_cleared_by_other_db(false);
	probe_dr4_priority();
	guest_set_hook(GUEST_VEC_DB, NULL);
	guest_finish();
}
