/* dbg_taskswitch.c - hardware task switches clear DR7.L0-L3, keep G0-G3; TSS T bit raises #DB (BT).
 */
#include <stdbool.h>
#include <stdint.h>

#include "tests/guest/lib/dbgregs.h"
#include "tests/guest/lib/guest.h"
#include "tests/guest/lib/x86g.h"

#ifndef __x86_64__

#define TSS_A_SEL    0x18 /* the main task (TR); a plain number, pasted into assembly */
#define TSS_B_SEL    0x20 /* target task, T=0 */
#define TSS_C_SEL    0x28 /* target task, T=1 */
#define GDT_ENTRIES  6
#define TSS_LIMIT    103  /* a 32-bit TSS is 104 bytes */
#define TSS_AVAIL_AR 0x89 /* present, DPL 0, available 32-bit TSS */
#define TSS_T_BIT    1u	  /* byte 100 bit 0: #DB on a switch to this task */
#define EFLAGS_RSVD1 0x2u
#define EFLAGS_NT    (1u << 14)
#define TASK_STACK   4096
#define ALL_BPS	     (DR7_LOCAL_MASK | DR7_GLOBAL_MASK)
#define XSTR(x)	     #x
#define STR(x)	     XSTR(x)

struct tss32 {
	uint16_t link, r0;
	uint32_t esp0;
	uint16_t ss0, r1;
	uint32_t esp1;
	uint16_t ss1, r2;
	uint32_t esp2;
	uint16_t ss2, r3;
	uint32_t cr3, eip, eflags, eax, ecx, edx, ebx, esp, ebp, esi, edi;
	uint16_t es, r4, cs, r5, ss, r6, ds, r7, fs, r8, gs, r9, ldt, r10;
	uint16_t trap, iomap;
} __attribute__((packed));
_Static_assert(sizeof(struct tss32) == TSS_LIMIT + 1, "32-bit TSS layout");

/*
 * The tasks: read DR7, count the run, then go back to the main task by a far JMP to its TSS
 * (JMP variant) or by IRET with NT set (CALL variant).
 */
/* clang-format off */
__asm__(".text\n"
	".globl task_jmp_entry, task_call_entry\n"
	".p2align 4\n"
	"task_jmp_entry: mov %dr7, %eax\n"
	" mov %eax, task_dr7\n"
	" pushf\n pop task_flags\n"
	" incl task_runs\n"
	" ljmp $" STR(TSS_A_SEL) ", $0\n"
	" ud2\n"
	".p2align 4\n"
	"task_call_entry: mov %dr7, %eax\n"
	" mov %eax, task_dr7\n"
	" pushf\n pop task_flags\n"
	" incl task_runs\n"
	" iret\n"
	" ud2\n");
/* clang-format on */
void task_jmp_entry(void);
void task_call_entry(void);
volatile uint32_t task_dr7, task_flags, task_runs;

static uint64_t gdt[GDT_ENTRIES] __attribute__((aligned(8)));
/* Each TSS within one page, as the SDM asks. */
static struct tss32 tss_a __attribute__((aligned(128)));
static struct tss32 tss_b __attribute__((aligned(128)));
static struct tss32 tss_c __attribute__((aligned(128)));
static uint8_t stack_b[TASK_STACK] __attribute__((aligned(16)));
static uint8_t stack_c[TASK_STACK] __attribute__((aligned(16)));
static uint8_t never_run[16]; /* addresses for breakpoints that must never fire */

static volatile unsigned db_count;
static volatile uintptr_t db_ip, db_dr6, db_dr7;
static uintptr_t dr6_idle;

static void db_hook(struct gframe *f)
{
	db_count++;
	db_ip = f->ip;
	db_dr6 = dr_read(6);
	db_dr7 = dr_read(7);
	dr_write(6, DR6_INIT);
	f->flags |= X86G_FLAGS_RF;
}

static uint64_t tss_desc(const struct tss32 *t)
{
	uint32_t base = (uint32_t)(uintptr_t)t;
	uint32_t lo = (TSS_LIMIT & 0xffffu) | ((base & 0xffffu) << 16);
	uint32_t hi = ((base >> 16) & 0xffu) | (TSS_AVAIL_AR << 8) | (TSS_LIMIT & 0xf0000u) |
		      (base & 0xff000000u);

	return ((uint64_t)hi << 32) | lo;
}

static uint32_t read_cr3(void)
{
	uint32_t v;

	__asm__ volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}

static uint16_t read_tr(void)
{
	uint16_t tr;

	__asm__ volatile("str %0" : "=r"(tr));
	return tr;
}

/* A fresh target task starting at @entry on @stack; @trap sets the T bit. */
static void init_task(struct tss32 *t, void (*entry)(void), uint8_t *stack, bool trap)
{
	*t = (struct tss32){
	    .cr3 = read_cr3(),
	    .eip = (uint32_t)(uintptr_t)entry,
	    .eflags = EFLAGS_RSVD1,
	    .esp = (uint32_t)(uintptr_t)(stack + TASK_STACK),
	    .es = GUEST_DATA_SEL,
	    .cs = GUEST_CODE32_SEL,
	    .ss = GUEST_DATA_SEL,
	    .ds = GUEST_DATA_SEL,
	    .fs = GUEST_DATA_SEL,
	    .gs = GUEST_DATA_SEL,
	    .trap = trap ? TSS_T_BIT : 0,
	    .iomap = sizeof(struct tss32),
	};
}

static void setup_gdt(struct x86g_dtr *old)
{
	struct x86g_dtr d = {.limit = sizeof(gdt) - 1, .base = (uintptr_t)gdt};

	*old = x86g_sgdt();
	gdt[GUEST_CODE32_SEL / 8] = ((uint64_t)GUEST_DESC_CODE32_HI << 32) | GUEST_DESC_LIMIT_LO;
	gdt[GUEST_DATA_SEL / 8] = ((uint64_t)GUEST_DESC_DATA_HI << 32) | GUEST_DESC_LIMIT_LO;
	gdt[TSS_A_SEL / 8] = tss_desc(&tss_a);
	gdt[TSS_B_SEL / 8] = tss_desc(&tss_b);
	gdt[TSS_C_SEL / 8] = tss_desc(&tss_c);
	tss_a.cr3 = read_cr3(); /* CR3 is not saved on a switch away, only loaded back */
	tss_a.iomap = sizeof(struct tss32);
	__asm__ volatile("lgdt %0" ::"m"(d) : "memory");
	__asm__ volatile("ltr %w0" ::"r"(TSS_A_SEL) : "memory");
}

static void jmp_task(uint16_t sel)
{
	if (sel == TSS_B_SEL)
		__asm__ volatile("ljmp %0, $0" ::"i"(TSS_B_SEL) : "memory", "cc");
	else
		__asm__ volatile("ljmp %0, $0" ::"i"(TSS_C_SEL) : "memory", "cc");
}

static void call_task_b(void)
{
	__asm__ volatile("lcall %0, $0" ::"i"(TSS_B_SEL) : "memory", "cc");
}

/* All four breakpoints enabled both ways on never-executed addresses, plus LE and GE. */
static uintptr_t arm_all(void)
{
	uintptr_t dr7 = DR7_INIT | ALL_BPS | DR7_LE | DR7_GE;

	dr_reset_all();
	for (int n = 0; n < DR_NUM_BP; n++)
		dr_write(n, (uintptr_t)&never_run[n]);
	dr_write(7, dr7);
	return dr7;
}

static void report_le(const char *how, uintptr_t dr7)
{
	gprintf("info: %s: LE (bit 8) %s by the task switch\n", how,
		(dr7 & DR7_LE) ? "kept" : "cleared");
}

static void check_jmp(void)
{
	uintptr_t want = DR7_INIT | DR7_GLOBAL_MASK | DR7_GE;

	arm_all();
	init_task(&tss_b, task_jmp_entry, stack_b, false);
	task_runs = 0;
	task_dr7 = 0;
	db_count = 0;
	jmp_task(TSS_B_SEL);
	EXPECT_EQ("JMP to a TSS: the new task ran and jumped back", task_runs, 1);
	EXPECT_EQ("... no #DB", db_count, 0);
	EXPECT_EQ("... new task: DR7 L0-L3 clear, G0-G3 and GE kept", task_dr7 & ~(uintptr_t)DR7_LE,
		  want);
	report_le("JMP", task_dr7);
	EXPECT_EQ("... back in the old task: L0-L3 still clear", dr_read(7) & ~(uintptr_t)DR7_LE,
		  want);
	for (int n = 0; n < DR_NUM_BP; n++)
		EXPECT_EQ("... DR0-DR3 unchanged", dr_read(n), (uintptr_t)&never_run[n]);
	EXPECT_EQ("... TR is the old task again", read_tr(), TSS_A_SEL);
	dr_reset_all();
}

static void check_call(void)
{
	uintptr_t want = DR7_INIT | DR7_GLOBAL_MASK | DR7_GE;

	arm_all();
	init_task(&tss_b, task_call_entry, stack_b, false);
	task_runs = 0;
	task_dr7 = 0;
	db_count = 0;
	call_task_b();
	EXPECT_EQ("CALL to a TSS: the new task ran and returned with IRET", task_runs, 1);
	EXPECT_EQ("... no #DB", db_count, 0);
	EXPECT_EQ("... new task had NT set", task_flags & EFLAGS_NT, EFLAGS_NT);
	EXPECT_EQ("... back link is the old task", tss_b.link, TSS_A_SEL);
	EXPECT_EQ("... new task: DR7 L0-L3 clear, G0-G3 and GE kept", task_dr7 & ~(uintptr_t)DR7_LE,
		  want);
	report_le("CALL", task_dr7);
	EXPECT_EQ("... after IRET back: L0-L3 still clear", dr_read(7) & ~(uintptr_t)DR7_LE, want);
	dr_reset_all();
}

/* The cleared L bit really disarms the breakpoint in the new task; a G bit does not. */
static void check_breakpoint_in_new_task(void)
{
	dr_reset_all();
	dr_write(0, (uintptr_t)task_jmp_entry);
	dr_write(7, DR7_INIT | DR7_L(0) | dr7_rwlen(0, DR7_RW_EXEC, DR7_LEN_1));
	init_task(&tss_b, task_jmp_entry, stack_b, false);
	db_count = 0;
	task_runs = 0;
	jmp_task(TSS_B_SEL);
	EXPECT_EQ("L0 execute breakpoint on the new task's entry: cleared, no #DB", db_count, 0);
	EXPECT_EQ("... task ran", task_runs, 1);

	dr_write(7, DR7_INIT | DR7_G(0) | dr7_rwlen(0, DR7_RW_EXEC, DR7_LEN_1));
	init_task(&tss_b, task_jmp_entry, stack_b, false);
	db_count = 0;
	task_runs = 0;
	jmp_task(TSS_B_SEL);
	EXPECT_EQ("G0 execute breakpoint on the new task's entry: one #DB", db_count, 1);
	EXPECT_EQ("... fault ip at the entry", db_ip, (uintptr_t)task_jmp_entry);
	EXPECT_EQ("... DR6 = base | B0", db_dr6, dr6_idle | DR6_B(0));
	EXPECT_EQ("... task ran once (RF resume)", task_runs, 1);
	dr_reset_all();
}

static void check_t_bit(void)
{
	uintptr_t want = DR7_INIT | DR7_GLOBAL_MASK | DR7_GE;

	arm_all();
	init_task(&tss_c, task_jmp_entry, stack_c, true);
	db_count = 0;
	task_runs = 0;
	jmp_task(TSS_C_SEL);
	if (db_count == 0 && task_runs == 1) {
		gprintf("deviation: a task switch to a TSS with T=1 raises no #DB; skipping the "
			"T-bit checks\n");
		dr_reset_all();
		return;
	}
	EXPECT_EQ("TSS with T=1: one #DB after the switch", db_count, 1);
	EXPECT_EQ("... ip at the new task's first instruction", db_ip, (uintptr_t)task_jmp_entry);
	EXPECT_EQ("... DR6 = base | BT", db_dr6, dr6_idle | DR6_BT);
	EXPECT_EQ("... handler sees DR7 with L0-L3 clear", db_dr7 & ~(uintptr_t)DR7_LE, want);
	EXPECT_EQ("... task ran once", task_runs, 1);
	dr_reset_all();
}

int test_main(void)
{
	struct x86g_dtr old_gdt;

	gprintf("debug: hardware task switches (%s)\n", guest_mode_name());
	dr_write(6, DR6_INIT);
	dr6_idle = dr_read(6);
	setup_gdt(&old_gdt);
	guest_set_hook(GUEST_VEC_DB, db_hook);
	check_jmp();
	check_call();
	check_breakpoint_in_new_task();
	check_t_bit();
	guest_set_hook(GUEST_VEC_DB, NULL);
	/* TR keeps its cached descriptor; nothing switches tasks after this. */
	__asm__ volatile("lgdt %0" ::"m"(old_gdt) : "memory");
	guest_finish();
}

#else

int test_main(void)
{
	gprintf("task switch: not applicable in long mode\n");
	guest_finish();
}

#endif
