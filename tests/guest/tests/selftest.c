/* selftest.c - exercise the guest runtime itself: guest_try recovery, hooks, writable frames. */
#include <stdbool.h>
#include <stdint.h>

#include "tests/guest/lib/guest.h"
#include "tests/guest/lib/x86g.h"

#define UD2_LEN		  2
#define BAD_SELECTOR	  0x1234 /* beyond the GDT limit: MOV to DS raises #GP(selector) */
#define SELECTOR_RPL_MASK 0x3
#define TF_STEPS	  1
#define SMALL_FN_MAX	  64 /* bytes: generous upper bound for a one-instruction function */

static volatile unsigned bp_hits, db_hits, ud_skips;

static void nothing(void *arg)
{
	(void)arg;
}

static void raise_ud(void *arg)
{
	(void)arg;
	__asm__ volatile("ud2");
}

static void raise_de(void *arg)
{
	(void)arg;
	__asm__ volatile("xor %%edx, %%edx; div %%ecx" ::"a"(1), "c"(0) : "edx");
}

static void raise_gp(void *arg)
{
	(void)arg;
	__asm__ volatile("mov %0, %%ds" ::"r"((uint16_t)BAD_SELECTOR));
}

/* Fault in an inner guest_try, then again in the outer one's function. */
static void nested(void *arg)
{
	struct gfault *inner = arg;

	guest_try(raise_ud, NULL, inner);
	raise_de(NULL);
}

static void bp_hook(struct gframe *f)
{
	(void)f;
	bp_hits++;
}

static void db_hook(struct gframe *f)
{
	db_hits++;
	f->flags &= ~(uintptr_t)X86G_FLAGS_TF; /* stop stepping after the first trap */
}

static void ud_skip_hook(struct gframe *f)
{
	ud_skips++;
	f->ip += UD2_LEN; /* resume after the UD2 */
}

static void check_try(void)
{
	struct gfault f, inner;

	EXPECT_EQ("guest_try without a fault returns false", guest_try(nothing, NULL, &f), false);
	EXPECT_EQ("... and records nothing", f.happened, false);
	EXPECT_EQ("UD2 inside guest_try returns true", guest_try(raise_ud, NULL, &f), true);
	EXPECT_EQ("... vector #UD", f.vector, GUEST_VEC_UD);
	EXPECT_TRUE("... ip inside the faulting function",
		    f.ip >= (uintptr_t)raise_ud && f.ip < (uintptr_t)raise_ud + SMALL_FN_MAX);
	EXPECT_EQ("... cs is the runtime's code selector", f.cs, GUEST_CODE_SEL);
	EXPECT_EQ("DIV by zero: vector #DE", guest_try(raise_de, NULL, &f) ? f.vector : -1,
		  GUEST_VEC_DE);
	EXPECT_EQ("bad DS selector: vector #GP", guest_try(raise_gp, NULL, &f) ? f.vector : -1,
		  GUEST_VEC_GP);
	EXPECT_EQ("... error code is the selector", f.error, BAD_SELECTOR & ~SELECTOR_RPL_MASK);
	EXPECT_EQ("nested guest_try: outer sees its own fault",
		  guest_try(nested, &inner, &f) ? f.vector : -1, GUEST_VEC_DE);
	EXPECT_EQ("... inner saw the #UD", inner.vector, GUEST_VEC_UD);
}

static void check_hooks(void)
{
	struct gfault f;

	guest_set_hook(GUEST_VEC_BP, bp_hook);
	__asm__ volatile("int3");
	EXPECT_EQ("#BP hook ran once and execution resumed", bp_hits, 1);
	guest_set_hook(GUEST_VEC_BP, NULL);

	guest_set_hook(GUEST_VEC_DB, db_hook);
	__asm__ volatile("pushf; orl %0, (%%" X86G_SP_REG "); popf; nop; nop" ::"i"(X86G_FLAGS_TF)
			 : "memory", "cc");
	EXPECT_EQ("single-step #DB hook cleared TF in the frame", db_hits, TF_STEPS);
	guest_set_hook(GUEST_VEC_DB, NULL);

	guest_set_hook(GUEST_VEC_UD, ud_skip_hook);
	EXPECT_EQ("#UD hook moved ip past UD2", guest_try(raise_ud, NULL, &f), false);
	EXPECT_EQ("... hook ran once", ud_skips, 1);
	guest_set_hook(GUEST_VEC_UD, NULL);
}

int test_main(void)
{
	gprintf("guest runtime self-test (%s)\n", guest_mode_name());
	check_try();
	check_hooks();
	guest_finish();
}
