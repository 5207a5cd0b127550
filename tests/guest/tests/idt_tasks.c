/* idt_tasks.c - an IDT test, 32-bit part: 16-bit gates, task gates for INT n and for exceptions
 * (error code on the new stack), and the #TS, #NP and #GP of bad task gates. */
#include <stdbool.h>
#include <stdint.h>

#include "tests/guest/lib/guest.h"
#include "tests/guest/lib/idt_lab.h"
#include "tests/guest/lib/x86g.h"

#ifndef GUEST_64BIT

#define TSS_LIMIT  0x67
#define TASK_STACK 4096
#define EFLAGS_NT  (1u << 14)
_Static_assert(V_INTR16 == 0x4e && V_TRAP16 == 0x4f, "the 16-bit sites' INT numbers");

struct tss32 {
	uint16_t link, r0;
	uint32_t esp0, ss0, esp1, ss1, esp2, ss2;
	uint32_t cr3, eip, eflags, eax, ecx, edx, ebx, esp, ebp, esi, edi;
	uint32_t es, cs, ss, ds, fs, gs, ldt;
	uint16_t trap, iomap;
} __attribute__((packed));
_Static_assert(sizeof(struct tss32) == TSS_LIMIT + 1, "32-bit TSS layout");
struct tss32 idt_tss_main __attribute__((aligned(128)));
static struct tss32 tss_b __attribute__((aligned(128)));
static uint8_t task_stack[TASK_STACK] __attribute__((aligned(16)));
volatile uint32_t idt_task_sp, idt_task_word, idt_task_flags, idt_task_runs, idt_task_skip;

/* The task behind the task gates: record its stack and flags, skip the old task's faulting
 * instruction, IRET back (NT). idt16_*: a 16-bit gate's sites and handler, in one 256-byte
 * block, so that CODE_B (based at its 64 KiB window) reaches them with 16-bit offsets. */
/* clang-format off */
__asm__(".text\n.p2align 4\n.globl idt_task_entry, idt16_block, idt16_site, idt16_ret, idt16_handler\n"
	"idt_task_entry: mov %esp, idt_task_sp\n mov (%esp), %eax\n mov %eax, idt_task_word\n"
	" pushf\n popl idt_task_flags\n incl idt_task_runs\n mov idt_task_skip, %eax\n"
	" add %eax, idt_tss_main + 0x20\n iret\n ud2\n"
	".p2align 8\nidt16_block:\nidt16_site: mov %esp, idt_site_sp\n int $0x4e\nidt16_ret: lret\n"
	".p2align 4\n mov %esp, idt_site_sp\n int $0x4f\n lret\n"
	".p2align 4\nidt16_handler: mov %esp, idt_rec_sp\n pushf\n popl idt_rec_flags\n push %eax\n"
	" .irp n, 0, 1, 2\n movzwl 4+2*\\n(%esp), %eax\n mov %eax, idt_rec_frame+4*\\n\n .endr\n"
	" incl idt_rec_count\n pop %eax\n iretw\n");
/* clang-format on */
void idt_task_entry(void);
void idt16_block(void);
void idt16_site(void);
void idt16_ret(void);
void idt16_handler(void);

static uint32_t window(void)
{
	return (uint32_t)(uintptr_t)idt16_block & ~0xffffu;
}

static void setup_mode(void)
{
	__asm__ volatile("mov %%cr3, %0" : "=r"(idt_tss_main.cr3)); /* loaded back on return */
	idt_tss_main.iomap = sizeof(idt_tss_main);
	sys_desc(TSS_SEL, (uintptr_t)&idt_tss_main, TSS_LIMIT, ACC_TSS);
	sys_desc(TSS_SMALL, (uintptr_t)&tss_b, 0x50, ACC_TSS);
	sys_desc(TSS_ABS, (uintptr_t)&tss_b, TSS_LIMIT, ACC_TSS_ABSENT);
	lab_gdt[CODE_B / 8] = desc(window(), LIMIT_4G, ACC_CODE, FL_32);
	lab_idt[V_INTR16] = make_gate((uintptr_t)idt16_handler - window(), CODE_B, GATE_INTR16);
	lab_idt[V_TRAP16] = make_gate((uintptr_t)idt16_handler - window(), CODE_B, GATE_TRAP16);
	lab_idt[V_TASK_SMALL] = make_gate(0, TSS_SMALL, GATE_TASK);
	lab_idt[V_TASK_ABSENT] = make_gate(0, TSS_ABS, GATE_TASK);
	lab_idt[V_TASK_BUSY] = make_gate(0, TSS_SEL, GATE_TASK);
}

static void fresh_task(uint32_t skip)
{
	tss_b = (struct tss32){.cr3 = idt_tss_main.cr3,
			       .eip = (uint32_t)(uintptr_t)idt_task_entry,
			       .eflags = 2,
			       .esp = (uint32_t)(uintptr_t)(task_stack + TASK_STACK),
			       .es = GUEST_DATA_SEL,
			       .cs = GUEST_CODE32_SEL,
			       .ss = GUEST_DATA_SEL,
			       .ds = GUEST_DATA_SEL,
			       .fs = GUEST_DATA_SEL,
			       .gs = GUEST_DATA_SEL,
			       .iomap = sizeof(tss_b)};
	sys_desc(TSS_B, (uintptr_t)&tss_b, TSS_LIMIT, ACC_TSS);
	idt_task_runs = 0;
	idt_task_skip = skip;
}

/* A 16-bit gate pushes IP, CS and FLAGS as words; IRETW pops them (SDM vol. 3A, 7.12.1). */
static void check_gate16(const char *name, uint32_t slot, uintptr_t if_in_handler)
{
	struct __attribute__((packed)) {
		uint32_t off;
		uint16_t sel;
	} far = {(uint32_t)(uintptr_t)idt16_site - window() + slot, CODE_B};

	reset_rec(0);
	load_idt(sizeof(lab_idt) - 1);
	__asm__ volatile("sti; lcall *%0; cli" ::"m"(far) : "memory");
	x86g_lidt(&runtime_idtr);
	EXPECT_EQ(guest_name("%s: handler ran once", name), idt_rec_count, 1);
	EXPECT_EQ("... IF in the handler", idt_rec_flags & X86G_FLAGS_IF, if_in_handler);
	EXPECT_EQ("... pushed IP", idt_rec_frame[0], (uintptr_t)idt16_ret - window() + slot);
	EXPECT_EQ("... pushed CS", idt_rec_frame[1], CODE_B);
	EXPECT_EQ("... pushed FLAGS has IF", idt_rec_frame[2] & X86G_FLAGS_IF, X86G_FLAGS_IF);
	EXPECT_EQ("... three words on the stack", idt_site_sp - idt_rec_sp, 6);
}

static void raise_ud(void *arg)
{
	(void)arg;
	__asm__ volatile("ud2");
}

static void raise_gp(void *arg)
{
	(void)arg;
	__asm__ volatile("mov %0, %%ds" ::"r"((uint16_t)BAD_SEL));
}

/* Through a task gate to TSS_B: the task ran once, @pushed bytes on its stack, nested. */
static void via_task(const char *what, int vector, void (*fn)(void *), uint32_t skip,
		     uint32_t pushed)
{
	struct gate saved = lab_idt[vector];

	lab_idt[vector] = make_gate(0, TSS_B, GATE_TASK);
	fresh_task(skip);
	fault_of(fn, (uintptr_t)vector, sizeof(lab_idt) - 1);
	lab_idt[vector] = saved;
	EXPECT_EQ(guest_name("%s through a task gate: the task ran once", what), idt_task_runs, 1);
	EXPECT_EQ("... bytes pushed on the new task's stack",
		  (uintptr_t)(task_stack + TASK_STACK) - idt_task_sp, pushed);
	EXPECT_EQ("... with NT set", idt_task_flags & EFLAGS_NT, EFLAGS_NT);
	EXPECT_EQ("... back link is the old task", tss_b.link, TSS_SEL);
}

int test_main(void)
{
	const uint16_t full = sizeof(lab_idt) - 1;

	gprintf("idt: 16-bit gates, task gates (%s)\n", guest_mode_name());
	lab_setup(setup_mode);
	check_gate16("16-bit interrupt gate", 0, 0);
	check_gate16("16-bit trap gate", SITE_STRIDE, X86G_FLAGS_IF);
	via_task("INT n", V_TASK, NULL, 0, 0);
	via_task("#UD", GUEST_VEC_UD, raise_ud, UD2_LEN, 0);
	/* An exception's error code goes on the new task's stack (SDM vol. 3A, 7.12.2). */
	via_task("#GP", GUEST_VEC_GP, raise_gp, MOV_DS_LEN, 4);
	EXPECT_EQ("... the error code", idt_task_word, BAD_SEL);
	fresh_task(0);
	/* Checked before any switch (SDM vol. 3A, table 8-1; 3C 26.4.2 on VT-x). */
	expect_fault("task gate to a TSS below 0x67 bytes", fault_of(NULL, V_TASK_SMALL, full),
		     VEC_TS, TSS_SMALL);
	expect_fault("task gate to an absent TSS", fault_of(NULL, V_TASK_ABSENT, full), VEC_NP,
		     TSS_ABS);
	expect_fault("task gate to the busy current TSS", fault_of(NULL, V_TASK_BUSY, full),
		     GUEST_VEC_GP, TSS_SEL);
	lab_finish();
	guest_finish();
}

#else

int test_main(void)
{
	gprintf(
	    "idt: 16-bit and task gates do not exist in long mode (idt_gates64 checks the #GP)\n");
	guest_finish();
}

#endif
