/*
 * gdb_target.c - the guest the gdb integration tests debug: a function to break on, a
 * variable to watch, a register gdb rewrites, the guest's own breakpoints, a cli spin.
 */
#include <stdbool.h>
#include <stdint.h>

#include "tests/guest/lib/dbgregs.h"
#include "tests/guest/lib/guest.h"
#include "tests/guest/lib/x86g.h"

#define VEC_DB	     1
#define VEC_BP	     3
#define MARKER_CALLS 3
#define OWN_BP_CALLS 3
#define STEP_LOOP    5000 /* more instructions than the gdb test steps through */

/* Touched by the gdb scripts: watched, written, polled. */
volatile uint32_t gdb_counter;
volatile uint32_t gdb_poke;
volatile uint32_t gdb_spin_release;
/* Set by gdb: the spin executes CPUID, an exit each time (the fast exit path), and counts. */
volatile uint32_t gdb_spin_cpuid, gdb_spin_cpuids;
volatile uint32_t gdb_reg_result;
volatile uint32_t gdb_never_touched;
volatile uint32_t gdb_busy;
volatile uint32_t gdb_own_hits, gdb_own_int3;

/* clang-format off */
/* EAX is set, then stored: gdb stops at gdb_reg_point and rewrites EAX in between. */
__asm__(".text\n"
	".globl gdb_reg_store, gdb_reg_point, gdb_own_target\n"
	".p2align 4\n"
	"gdb_reg_store: movl $1, %eax\n"
	"gdb_reg_point: movl %eax, gdb_reg_result\n"
	" ret\n"
	".p2align 4\n"
	"gdb_own_target: nop\n ret\n");
/* clang-format on */
void gdb_reg_store(void);
void gdb_own_target(void);

__attribute__((noinline)) void gdb_marker(uint32_t n)
{
	gdb_counter += n;
}

/* A read of the watched variable (the access watchpoint's stop). */
__attribute__((noinline)) uint32_t gdb_reader(void)
{
	return gdb_counter;
}

/* gdb puts its breakpoint here once the guest's own breakpoints have run. */
__attribute__((noinline)) void gdb_after_own(void)
{
	__asm__ volatile("" ::: "memory");
}

/* Interrupts off, spinning (on CPUID if gdb asked) until gdb, after a Ctrl-C, writes
 * gdb_spin_release. */
__attribute__((noinline)) void gdb_spin(void)
{
	__asm__ volatile("cli");
	while (!gdb_spin_release) {
		if (gdb_spin_cpuid) {
			(void)x86g_cpuid(0, 0);
			gdb_spin_cpuids++;
		} else {
			__asm__ volatile("pause");
		}
	}
	__asm__ volatile("sti");
}

static void own_db_hook(struct gframe *f)
{
	if (dr_read(6) & DR6_B(0))
		gdb_own_hits++;
	dr_write(6, DR6_INIT);
	f->flags |= X86G_FLAGS_RF; /* an instruction breakpoint is a fault: resume past it */
}

static void own_bp_hook(struct gframe *f)
{
	(void)f; /* a trap: IP is already after the INT3 */
	gdb_own_int3++;
}

/* The guest's own DR0 breakpoint and INT3, while gdb has breakpoints of its own set. */
static void own_breakpoints(void)
{
	guest_hook_fn old_db = guest_set_hook(VEC_DB, own_db_hook);
	guest_hook_fn old_bp = guest_set_hook(VEC_BP, own_bp_hook);

	dr_write(0, (uintptr_t)gdb_own_target);
	dr_write(7, DR7_INIT | DR7_L(0) | dr7_rwlen(0, DR7_RW_EXEC, DR7_LEN_1));
	for (int i = 0; i < OWN_BP_CALLS; i++)
		gdb_own_target();
	dr_write(7, DR7_INIT);
	__asm__ volatile("int3");
	guest_set_hook(VEC_DB, old_db);
	guest_set_hook(VEC_BP, old_bp);
	EXPECT_EQ("own DR0 breakpoint hits", gdb_own_hits, OWN_BP_CALLS);
	EXPECT_EQ("own INT3 hits", gdb_own_int3, 1);
}

int test_main(void)
{
	for (uint32_t i = 1; i <= MARKER_CALLS; i++)
		gdb_marker(i);
	gprintf("gdb_target: counter %u, reader %u\n", gdb_counter, gdb_reader());
	for (uint32_t i = 0; i < STEP_LOOP; i++)
		gdb_busy++;
	gdb_reg_store();
	gprintf("gdb_target: poke 0x%x, register result %u\n", gdb_poke, gdb_reg_result);
	own_breakpoints();
	gdb_after_own();
	gprintf("gdb_target: spinning with interrupts off\n");
	gdb_spin();
	gprintf("gdb_target: released\n");
	EXPECT_EQ("never-touched variable", gdb_never_touched, 0);
	guest_finish();
}
