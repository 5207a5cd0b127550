/* dbg_misc.c - ICEBP (F1), the guest's own INT3, and a bounded #DB storm on the handler's frame. */
#include <stdbool.h>
#include <stdint.h>

#include "tests/guest/lib/dbgregs.h"
#include "tests/guest/lib/guest.h"
#include "tests/guest/lib/x86g.h"

#define INT3_LOOPS     100
#define GATE_INTR      0x8e /* present, DPL 0, 32-bit (long mode: 64-bit) interrupt gate */
#define WORD_MASK      0xffff
#define GATE_MID_SHIFT 16
#define GATE_HI_SHIFT  32
#define ICEBP_OPCODE   0xf1 /* INT1: a plain number, pasted into assembly */
#define STORM_LIMIT    1000 /* the storm handler disables DR7 after this many #DBs */
#define XSTR(x)	       #x
#define STR(x)	       XSTR(x)

/*
 * The storm: DR0 watches (R/W=11) the EFLAGS slot of the frame a #DB pushes when raised at
 * storm_after. The write at storm_site hits it; the #DB is delivered with that same frame
 * (delivery writes the slot) and the handler's IRET reads it, hitting the breakpoint again:
 * a trap after IRET, delivered before storm_after runs, at the same stack pointer, forever.
 * The handler (its own IDT gate, no runtime code) ends it after STORM_LIMIT #DBs.
 */
#ifdef __x86_64__
#define AX	    "%rax"
#define FLAGS_SLOT  "-24"      /* RSP 16-aligned: SS -8, RSP -16, RFLAGS -24, CS -32, RIP -40 */
#define STORM_DR7   0x000b0001 /* L0, RW0=11, LEN0=10 (8 bytes) */
#define IRET	    "iretq"
#define FRAME_IP    "8(%rsp)" /* above the saved RAX */
#define STORM_ENTER "push %rbp\n mov %rsp, %rbp\n and $-16, %rsp\n"
#define STORM_LEAVE "mov %rbp, %rsp\n pop %rbp\n"
#else
#define AX	    "%eax"
#define FLAGS_SLOT  "-4"       /* EFLAGS -4, CS -8, EIP -12 */
#define STORM_DR7   0x000f0001 /* L0, RW0=11, LEN0=11 (4 bytes) */
#define IRET	    "iret"
#define FRAME_IP    "4(%esp)"
#define STORM_ENTER "push %ebp\n mov %esp, %ebp\n and $-16, %esp\n"
#define STORM_LEAVE "mov %ebp, %esp\n pop %ebp\n"
#endif
/* clang-format off */
__asm__(".text\n"
	".globl storm_handler, storm_run, storm_site, storm_after\n"
	".p2align 4\n"
	"storm_handler: push " AX "\n"
	" mov " FRAME_IP ", " AX "\n"
	" cmp $storm_after, " AX "\n"
	" jne 1f\n"
	" incl storm_at_site\n"
	"1: mov %dr6, " AX "\n"
	" and " AX ", storm_dr6_and\n"
	" or " AX ", storm_dr6_or\n"
	" mov $" STR(DR6_INIT) ", %eax\n"
	" mov " AX ", %dr6\n"
	" incl storm_count\n"
	" cmpl $" STR(STORM_LIMIT) ", storm_count\n"
	" jb 2f\n"
	" mov $" STR(DR7_INIT) ", %eax\n"
	" mov " AX ", %dr7\n"
	"2: pop " AX "\n"
	" " IRET "\n"
	".p2align 4\n"
	"storm_run: " STORM_ENTER
	" lea " FLAGS_SLOT "(%" X86G_SP_REG "), " AX "\n"
	" mov " AX ", storm_slot\n"
	" mov " AX ", %dr0\n"
	" mov $(" STR(DR7_INIT) " | " STR(STORM_DR7) "), %eax\n"
	" mov " AX ", %dr7\n"
	"storm_site: mov " AX ", " FLAGS_SLOT "(%" X86G_SP_REG ")\n"
	"storm_after: mov $" STR(DR7_INIT) ", %eax\n"
	" mov " AX ", %dr7\n" STORM_LEAVE " ret\n");
/* clang-format on */

void storm_handler(void);
void storm_run(void);
extern const char storm_site[], storm_after[];
volatile uint32_t storm_count, storm_at_site;
volatile uintptr_t storm_dr6_and, storm_dr6_or, storm_slot;

/* ICEBP and INT3 sites, each with a label after the instruction. */
/* clang-format off */
__asm__(".text\n"
	".globl icebp_fn, icebp_after, int3_fn, int3_at, int3_after, intn3_fn, intn3_after\n"
	".p2align 4\n"
	"icebp_fn: .byte " STR(ICEBP_OPCODE) "\n"
	"icebp_after: ret\n"
	".p2align 4\n"
	"int3_fn: nop\n"
	"int3_at: int3\n"
	"int3_after: ret\n"
	".p2align 4\n"
	"intn3_fn: int $3\n"
	"intn3_after: ret\n");
/* clang-format on */
void icebp_fn(void);
void int3_fn(void);
void intn3_fn(void);
extern const char icebp_after[], int3_at[], int3_after[], intn3_after[];

static uintptr_t dr6_idle;
static volatile unsigned bp_count, db_count, order;
static volatile uintptr_t bp_ip, db_ip, db_dr6;
static volatile unsigned bp_order, db_order;

static void call(void *fn)
{
	((void (*)(void))fn)();
}

static void bp_hook(struct gframe *f)
{
	bp_count++;
	bp_ip = f->ip;
	bp_order = ++order;
}

static void db_hook(struct gframe *f)
{
	db_count++;
	db_ip = f->ip;
	db_dr6 = dr_read(6);
	db_order = ++order;
	dr_write(6, DR6_INIT);
	f->flags |= X86G_FLAGS_RF;
}

static void check_icebp(void)
{
	struct gfault f;
	uintptr_t dr6;

	dr_reset_all();
	guest_try(call, (void *)icebp_fn, &f);
	dr6 = dr_read(6);
	if (f.vector == GUEST_VEC_UD) {
		gprintf("deviation: ICEBP (F1) raises #UD instead of #DB; skipping the ICEBP "
			"checks\n");
		return;
	}
	EXPECT_EQ("ICEBP raises #DB", f.vector, GUEST_VEC_DB);
	EXPECT_EQ("... a trap: ip after F1", f.ip, (uintptr_t)icebp_after);
	EXPECT_EQ("... DR6 unchanged (no B0-B3, BS, BD, BT)", dr6, dr6_idle);
	dr_reset_all();
}

static void check_int3(void)
{
	uintptr_t other = (uintptr_t)check_icebp; /* an armed breakpoint that never fires */

	dr_reset_all();
	guest_set_hook(GUEST_VEC_BP, bp_hook);
	guest_set_hook(GUEST_VEC_DB, db_hook);

	bp_count = db_count = 0;
	int3_fn();
	EXPECT_EQ("INT3, no breakpoints armed: one #BP", bp_count, 1);
	EXPECT_EQ("... trap ip after CC", bp_ip, (uintptr_t)int3_after);
	EXPECT_EQ("... no #DB", db_count, 0);
	EXPECT_EQ("... DR6 unchanged", dr_read(6), dr6_idle);

	intn3_fn();
	EXPECT_EQ("INT 3 (CD 03): #BP", bp_count, 2);
	EXPECT_EQ("... ip after CD 03", bp_ip, (uintptr_t)intn3_after);

	/* Status bits the guest left in DR6 and live breakpoints elsewhere are not disturbed. */
	dr_write(0, other);
	dr_write(7, DR7_INIT | DR7_G(0) | dr7_rwlen(0, DR7_RW_EXEC, DR7_LEN_1));
	dr_write(6, DR6_INIT | DR6_B(2));
	bp_count = 0;
	for (int i = 0; i < INT3_LOOPS; i++)
		int3_fn();
	EXPECT_EQ("100 INT3 with DR0 armed elsewhere: 100 #BP", bp_count, INT3_LOOPS);
	EXPECT_EQ("... no #DB", db_count, 0);
	EXPECT_EQ("... DR6 keeps the guest's B2", dr_read(6), dr6_idle | DR6_B(2));
	dr_reset_all();

	/* An execute breakpoint on the INT3 itself: #DB fault first, then (RF) the #BP. */
	dr_write(1, (uintptr_t)int3_at);
	dr_write(7, DR7_INIT | DR7_L(1) | dr7_rwlen(1, DR7_RW_EXEC, DR7_LEN_1));
	bp_count = db_count = order = 0;
	int3_fn();
	EXPECT_EQ("execute breakpoint on INT3: one #DB", db_count, 1);
	EXPECT_EQ("... #DB ip at the INT3", db_ip, (uintptr_t)int3_at);
	EXPECT_EQ("... DR6 = base | B1", db_dr6, dr6_idle | DR6_B(1));
	EXPECT_EQ("... then one #BP", bp_count, 1);
	EXPECT_EQ("... #BP after the #DB", bp_order > db_order, true);
	EXPECT_EQ("... #BP ip after CC", bp_ip, (uintptr_t)int3_after);
	dr_reset_all();

	guest_set_hook(GUEST_VEC_BP, NULL);
	guest_set_hook(GUEST_VEC_DB, NULL);
}

#ifdef __x86_64__
struct gate {
	uint16_t off_lo, sel;
	uint8_t ist, attr;
	uint16_t off_mid;
	uint32_t off_hi, zero;
};
#else
struct gate {
	uint16_t off_lo, sel;
	uint8_t zero, attr;
	uint16_t off_mid;
};
#endif

static void check_storm(void)
{
	struct x86g_dtr idtr = x86g_sidt();
	struct gate *idt = (struct gate *)idtr.base;
	struct gate saved = idt[GUEST_VEC_DB];
	uintptr_t h = (uintptr_t)storm_handler;
	struct gate g = {
	    .off_lo = (uint16_t)(h & WORD_MASK),
	    .sel = GUEST_CODE_SEL,
	    .attr = GATE_INTR,
	    .off_mid = (uint16_t)((h >> GATE_MID_SHIFT) & WORD_MASK),
	};

#ifdef __x86_64__
	g.off_hi = (uint32_t)(h >> GATE_HI_SHIFT);
#endif
	dr_reset_all();
	storm_count = storm_at_site = 0;
	storm_dr6_and = ~(uintptr_t)0;
	storm_dr6_or = 0;
	idt[GUEST_VEC_DB] = g;
	storm_run();
	idt[GUEST_VEC_DB] = saved;
	gprintf("storm: %u #DBs, %u of them at the site, DR6 and 0x%lx or 0x%lx\n",
		(unsigned)storm_count, (unsigned)storm_at_site, (unsigned long)storm_dr6_and,
		(unsigned long)storm_dr6_or);
	if (storm_count == 0) {
		gprintf("deviation: a #DB whose delivery writes a watched stack slot is never "
			"delivered; skipping the storm checks\n");
		dr_reset_all();
		return;
	}
	EXPECT_TRUE("#DB storm on the handler's own frame: bounded, program continues",
		    storm_count >= STORM_LIMIT && storm_count <= STORM_LIMIT + 1);
	EXPECT_TRUE("... most #DBs raised with ip at the site", storm_at_site * 2 >= STORM_LIMIT);
	/* A #DB nested at the handler's entry (delivery hit the slot) clears DR6 before the
	 * outer handler reads it: each read is base | B0 or base. */
	EXPECT_TRUE("... DR6 only ever showed B0",
		    storm_dr6_or == (dr6_idle | DR6_B(0)) &&
			(storm_dr6_and == dr6_idle || storm_dr6_and == (dr6_idle | DR6_B(0))));
	EXPECT_EQ("... DR7 disabled by the handler", dr_read(7), DR7_INIT);
	dr_reset_all();
}

int test_main(void)
{
	gprintf("debug: ICEBP, INT3, #DB storm (%s)\n", guest_mode_name());
	dr_write(6, DR6_INIT);
	dr6_idle = dr_read(6);
	check_icebp();
	check_int3();
	check_storm();
	guest_finish();
}
