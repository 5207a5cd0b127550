/* dbg_exitstep.c - single-stepping instructions a hypervisor intercepts (CPUID, IN) at CPL 0/3. */
#include <stdbool.h>
#include <stdint.h>

#include "tests/guest/lib/dbgregs.h"
#include "tests/guest/lib/guest.h"
#include "tests/guest/lib/x86g.h"

#define MAX_STEPS  32	  /* more #DBs than any sequence needs: the hook then clears TF */
#define FLAGS_IOPL 0x3000 /* IOPL 3: IN runs at CPL 3 (SDM vol. 1, 3.4.3.3) */
/* Plain numbers: also pasted into the assembly below. */
#define TF_BIT	 0x100 /* X86G_FLAGS_TF */
#define COM1_LSR 0x3fd /* the log UART's line status register: a read changes nothing */
#define XSTR(x)	 #x
#define STR(x)	 XSTR(x)
#define G(l)	 ".globl " #l "\n"

#ifdef __x86_64__
#define SP "%rsp"
#define BX "%rbx"
#else
#define SP "%esp"
#define BX "%ebx"
#endif

/*
 * CPUID always exits to a hypervisor and IN may: the hypervisor emulates them and owes the
 * guest exactly the single-step trap bare metal gives after each. An emulator that keeps the
 * trap pending across the exit must not make the hypervisor fault either (issue 12, point 4):
 * the same code is stepped at CPL 0, at CPL 3 with IOPL 3 (which loads a TSS whose IST
 * pointers are zero), and at CPL 0 again.
 */
/* clang-format off */
__asm__(".text\n.p2align 4\n" G(seq_k) G(xk_1) G(xk_2) G(xk_3) G(xk_4) G(xk_5) G(xk_6) G(xk_7)
	    G(xk_8)
	"seq_k: push " BX "\n"
	" pushf\n orl $" STR(TF_BIT) ", (" SP ")\n popf\n"
	"xk_0: nop\n"
	"xk_1: xor %eax, %eax\n"
	"xk_2: cpuid\n"
	"xk_3: mov $" STR(COM1_LSR) ", %edx\n"
	"xk_4: in (%dx), %al\n"
	"xk_5: pushf\n"
	"xk_6: andl $~" STR(TF_BIT) ", (" SP ")\n"
	"xk_7: popf\n"
	"xk_8: pop " BX "\n ret\n");
/* CPL 3: entered with TF set; HLT's #GP ends the routine (a fault: no trap after it). */
__asm__(".text\n.p2align 4\n" G(seq_u) G(xu_1) G(xu_2) G(xu_3) G(xu_4) G(xu_5)
	"seq_u: nop\n"
	"xu_1: xor %eax, %eax\n"
	"xu_2: cpuid\n"
	"xu_3: mov $" STR(COM1_LSR) ", %edx\n"
	"xu_4: in (%dx), %al\n"
	"xu_5: hlt\n");
/* clang-format on */

void seq_k(void);
void seq_u(void);
extern const char xk_1[], xk_2[], xk_3[], xk_4[], xk_5[], xk_6[], xk_7[], xk_8[];
extern const char xu_1[], xu_2[], xu_3[], xu_4[], xu_5[];

static volatile unsigned db_count;
static uintptr_t db_ips[MAX_STEPS], db_dr6s[MAX_STEPS];
static uintptr_t dr6_idle;

static void db_hook(struct gframe *f)
{
	if (db_count < MAX_STEPS) {
		db_ips[db_count] = f->ip;
		db_dr6s[db_count] = dr_read(6);
	}
	db_count++;
	dr_write(6, DR6_INIT);
	if (db_count >= MAX_STEPS)
		f->flags &= ~(uintptr_t)X86G_FLAGS_TF; /* runaway: stop stepping */
}

static void expect_steps(const char *seq, const char *const *ips, int n)
{
	EXPECT_EQ(guest_name("%s: %d single-step traps", seq, n), db_count, n);
	for (int i = 0; i < n && i < (int)db_count; i++) {
		EXPECT_EQ(guest_name("%s: trap %d ip", seq, i + 1), db_ips[i], (uintptr_t)ips[i]);
		EXPECT_EQ(guest_name("%s: trap %d DR6 = base | BS", seq, i + 1), db_dr6s[i],
			  dr6_idle | DR6_BS);
	}
	for (unsigned i = (unsigned)n; i < db_count && i < MAX_STEPS; i++)
		gprintf("info: %s: extra trap %u at 0x%lx DR6 0x%lx\n", seq, i + 1,
			(unsigned long)db_ips[i], (unsigned long)db_dr6s[i]);
}

static void step_kernel(const char *name)
{
	static const char *const ips[] = {xk_1, xk_2, xk_3, xk_4, xk_5, xk_6, xk_7, xk_8};

	db_count = 0;
	dr_write(6, DR6_INIT);
	seq_k();
	expect_steps(name, ips, sizeof(ips) / sizeof(ips[0]));
	EXPECT_EQ(guest_name("%s: TF clear afterwards", name), x86g_read_flags() & X86G_FLAGS_TF,
		  0);
}

static void step_user(void)
{
	static const char *const ips[] = {xu_1, xu_2, xu_3, xu_4, xu_5};
	struct gfault f;

	db_count = 0;
	dr_write(6, DR6_INIT);
	EXPECT_TRUE("CPL 3: the routine ends in an exception",
		    guest_try_user(seq_u, X86G_FLAGS_TF | FLAGS_IOPL, &f));
	EXPECT_EQ("CPL 3: ... #GP from HLT", f.vector, GUEST_VEC_GP);
	EXPECT_EQ("CPL 3: ... at HLT", f.ip, (uintptr_t)xu_5);
	expect_steps("CPL 3 IOPL 3", ips, sizeof(ips) / sizeof(ips[0]));
}

int test_main(void)
{
	gprintf("debug: single-stepping intercepted instructions (%s)\n", guest_mode_name());
	dr_write(6, DR6_INIT);
	dr6_idle = dr_read(6);
	guest_set_hook(GUEST_VEC_DB, db_hook);
	step_kernel("CPL 0");
	step_user();
	step_kernel("CPL 0 after CPL 3");
	guest_set_hook(GUEST_VEC_DB, NULL);
	guest_finish();
}
