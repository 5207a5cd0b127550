/* idt_lab.h - header-only kit for IDT tests: a private IDT and GDT, INT n sites, a recording
 * handler, and checks for the faults bad gates raise. */
#ifndef GUEST_IDT_LAB_H
#define GUEST_IDT_LAB_H

#include <stdbool.h>
#include <stdint.h>

#include "guest.h"
#include "x86g.h"

/* Gate types (SDM vol. 3A, 7.11 and 7.14.1; APM vol. 2, 4.8.4). */
#define GATE_P	    0x80
#define GATE_TASK   0x5
#define GATE_INTR16 0x6
#define GATE_TRAP16 0x7
#define GATE_CALL   0xc
#define GATE_INTR   0xe
#define GATE_TRAP   0xf
#define LAB_NVEC    256
/* Error codes (SDM vol. 3A, 7.13): EXT, IDT, then the gate's index (not its offset). */
#define ERR_EXT	      1u
#define ERR_IDT	      2u
#define ERR_IDX_SHIFT 3
/* Segment descriptors: access byte and the G/D/L nibble (SDM vol. 3A, 3.4.5). */
#define ACC_CODE	0x9b
#define ACC_DATA	0x93
#define ACC_CODE_ABSENT 0x1b
#define ACC_LDT		0x82
#define ACC_TSS		0x89
#define ACC_TSS_ABSENT	0x09
#define FL_32		0xc
#define FL_64		0xa
#define LIMIT_4G	0xfffff
#define BAD_SEL		0x1230 /* beyond the lab GDT: MOV to DS raises #GP(0x1230) */
#define MOV_DS_LEN	2      /* 8E /r */
#define UD2_LEN		2
#define VEC_TS		10
#define VEC_NP		11
#define RFLAGS_RF	(1ul << 16)
#define SITE_STRIDE	16 /* idt_sites: one 16-byte slot per vector from V_INTR */
enum {
	V_INTR = 0x40,
	V_TRAP,
	V_ABSENT,
	V_CALLGATE,
	V_NULLSEL,
	V_FARSEL,
	V_DATASEL,
	V_CSABSENT,
	V_GATE16,
	V_TASK,
	V_TASK_SMALL,
	V_TASK_ABSENT,
	V_TASK_BUSY,
	V_IST,
	V_INTR16,
	V_TRAP16,
	V_IPI,
	V_IPI_ABSENT,
	V_IPI_FAR,
};

/* The lab GDT: the runtime's flat segments at their usual selectors, then these. */
#define CODE_B	  0x20 /* 32-bit code based at a 64 KiB window (16-bit gates) */
#define CS_ABSENT 0x28
#define TSS_SEL	  0x30 /* the task TR holds (16 bytes in long mode) */
#define TSS_B	  0x40
#define TSS_SMALL 0x48 /* limit 0x50: below a 32-bit TSS's 0x67 */
#define TSS_ABS	  0x50 /* not present */
#define LDT_SEL	  0x58 /* 16 bytes in long mode */
#define LAB_GDT	  13

#ifdef GUEST_64BIT
#define GATE_SIZE 16
#define LAB_W	  "8"
#define LAB_SFX	  "q"
#define LAB_SP	  "%rsp"
#define LAB_AX	  "%rax"
#define FRAME	  5 /* RIP CS RFLAGS RSP SS, always (SDM vol. 3A, 7.14.2) */
#define FL_CUR	  FL_64
#else
#define GATE_SIZE 8
#define LAB_W	  "4"
#define LAB_SFX	  "l"
#define LAB_SP	  "%esp"
#define LAB_AX	  "%eax"
#define FRAME	  3 /* EIP CS EFLAGS at the same privilege */
#define FL_CUR	  FL_32
#endif
struct gate {
	uint16_t off_lo, sel;
	uint8_t ist, attr;
	uint16_t off_mid;
#ifdef GUEST_64BIT
	uint32_t off_hi, reserved;
#endif
};
_Static_assert(sizeof(struct gate) == GATE_SIZE, "gate layout");

volatile uintptr_t idt_rec_sp, idt_rec_flags, idt_rec_skip, idt_site_sp, idt_rec_frame[5];
volatile uint32_t idt_rec_count;
/* idt_rec: record SP, flags and frame at entry, resume idt_rec_skip bytes further.
 * idt_sites: "save SP; INT n; RET" for n = V_INTR + slot. */
/* clang-format off */
__asm__(".text\n.p2align 4\n.globl idt_rec, idt_sites, idt_site_ret0\n"
	"idt_rec: mov " LAB_SP ", idt_rec_sp\n pushf\n pop" LAB_SFX " idt_rec_flags\n push " LAB_AX "\n"
	" mov " LAB_W "*1(" LAB_SP "), " LAB_AX "\n mov " LAB_AX ", idt_rec_frame\n"
	" add idt_rec_skip, " LAB_AX "\n mov " LAB_AX ", " LAB_W "*1(" LAB_SP ")\n"
	" .irp n, 1, 2, 3, 4\n mov " LAB_W "*(\\n+1)(" LAB_SP "), " LAB_AX "\n"
	" mov " LAB_AX ", idt_rec_frame+" LAB_W "*\\n\n .endr\n"
	" incl idt_rec_count\n pop " LAB_AX "\n iret" LAB_SFX "\n"
	".p2align 4\nidt_sites: mov " LAB_SP ", idt_site_sp\n int $0x40\nidt_site_ret0: ret\n"
	".set idt_v, 0x41\n.rept 15\n.p2align 4\n mov " LAB_SP ", idt_site_sp\n int $idt_v\n ret\n"
	".set idt_v, idt_v + 1\n.endr\n");
/* clang-format on */
void idt_rec(void);
void idt_sites(void);
void idt_site_ret0(void);

static struct gate lab_idt[LAB_NVEC] __attribute__((aligned(16)));
static uint64_t lab_gdt[LAB_GDT] __attribute__((aligned(16)));
static struct x86g_dtr runtime_idtr, runtime_gdtr;

static inline struct gate make_gate(uintptr_t off, uint16_t sel, uint8_t type)
{
	struct gate g = {.off_lo = (uint16_t)off,
			 .sel = sel,
			 .attr = GATE_P | type,
			 .off_mid = (uint16_t)(off >> 16)};

#ifdef GUEST_64BIT
	g.off_hi = (uint32_t)(off >> 32);
#endif
	return g;
}

static inline uint64_t desc(uint32_t base, uint32_t limit, uint32_t access, uint32_t flags)
{
	return (limit & 0xffffu) | ((uint64_t)(base & 0xffffffu) << 16) | ((uint64_t)access << 40) |
	       ((uint64_t)((limit >> 16) & 0xfu) << 48) | ((uint64_t)flags << 52) |
	       ((uint64_t)(base >> 24) << 56);
}

/* A system descriptor: 8 bytes, or 16 in long mode (base 63:32 in the next slot). */
static inline void sys_desc(unsigned sel, uintptr_t base, uint32_t limit, uint32_t access)
{
	lab_gdt[sel / 8] = desc((uint32_t)base, limit, access, 0);
#ifdef GUEST_64BIT
	lab_gdt[sel / 8 + 1] = (uint64_t)base >> 32;
#endif
}

static inline void load_idt(uint16_t limit)
{
	x86g_lidt(&(struct x86g_dtr){.limit = limit, .base = (uintptr_t)lab_idt});
}

/* INT n from its site, IF as @sti says. */
static inline void int_site(int v, bool sti)
{
	void (*site)(void) = (void (*)(void))((uintptr_t)idt_sites + SITE_STRIDE * (v - V_INTR));

	if (sti)
		__asm__ volatile("sti" ::: "memory");
	site();
	x86g_cli();
}

static inline void int_n(void *arg)
{
	int_site((int)(uintptr_t)arg, false);
}

static inline uintptr_t site_ret(int v)
{
	return (uintptr_t)idt_site_ret0 + SITE_STRIDE * (v - V_INTR);
}

static inline void reset_rec(uintptr_t skip)
{
	idt_rec_count = 0;
	idt_rec_skip = skip;
}

/* What @fn (NULL: INT @arg) raised with the lab IDT loaded up to @limit. */
static inline struct gfault fault_of(void (*fn)(void *), uintptr_t arg, uint16_t limit)
{
	struct gfault f;

	load_idt(limit);
	guest_try(fn ? fn : int_n, (void *)arg, &f);
	x86g_lidt(&runtime_idtr);
	return f;
}

static inline void expect_fault(const char *what, struct gfault f, int vector, uint64_t error)
{
	EXPECT_EQ(guest_name("%s: vector", what), f.happened ? f.vector : -1, vector);
	EXPECT_EQ(guest_name("%s: error code", what), f.error, error);
}

/* A fault naming IDT gate @gate; QEMU 7.2 scales the index by the gate size and drops EXT. */
static inline void expect_idt_fault(const char *what, struct gfault f, int vector, int gate,
				    bool ext)
{
	uint64_t want = (unsigned)gate << ERR_IDX_SHIFT | ERR_IDT | (ext ? ERR_EXT : 0);

	if (f.happened && f.error != want && f.error == ((unsigned)gate * GATE_SIZE | ERR_IDT)) {
		gprintf("deviation: %s: error code 0x%lx, not 0x%lx\n", what,
			(unsigned long)f.error, (unsigned long)want);
		f.error = want;
	}
	expect_fault(what, f, vector, want);
}

/* Faults push RF = 1 (SDM vol. 3B, 18.3.1.1); QEMU 7.2 pushes it clear. */
static inline void expect_rf(const char *what, struct gfault f)
{
	if (f.happened && !(f.flags & RFLAGS_RF))
		gprintf("deviation: %s: RF clear in the pushed flags\n", what);
	else
		EXPECT_EQ(guest_name("%s: RF in the pushed flags", what), f.flags & RFLAGS_RF,
			  RFLAGS_RF);
}

/* The lab tables: the runtime's 32 gates, then idt_rec gates with the flaws their vectors
 * name; flat segments, an absent code segment and an LDT. @mode adds the rest, then LGDT
 * and LTR TSS_SEL. */
static inline void lab_setup(void (*mode)(void))
{
	struct x86g_dtr g = {.limit = sizeof(lab_gdt) - 1, .base = (uintptr_t)lab_gdt};

	runtime_idtr = x86g_sidt();
	runtime_gdtr = x86g_sgdt();
	memcpy(lab_idt, (const void *)runtime_idtr.base, runtime_idtr.limit + 1u);
	for (int v = V_INTR; v < LAB_NVEC; v++)
		lab_idt[v] = make_gate((uintptr_t)idt_rec, GUEST_CODE_SEL, GATE_INTR);
	lab_idt[V_TRAP].attr = GATE_P | GATE_TRAP;
	lab_idt[V_ABSENT].attr = GATE_INTR;
	lab_idt[V_CALLGATE].attr = GATE_P | GATE_CALL;
	lab_idt[V_NULLSEL].sel = 0;
	lab_idt[V_FARSEL].sel = BAD_SEL;
	lab_idt[V_DATASEL].sel = GUEST_DATA_SEL;
	lab_idt[V_CSABSENT].sel = CS_ABSENT;
	lab_idt[V_GATE16].attr = GATE_P | GATE_INTR16;
	lab_idt[V_IPI_ABSENT].attr = GATE_INTR;
	lab_gdt[GUEST_CODE32_SEL / 8] = desc(0, LIMIT_4G, ACC_CODE, FL_32);
	lab_gdt[GUEST_DATA_SEL / 8] = desc(0, LIMIT_4G, ACC_DATA, FL_32);
	lab_gdt[GUEST_CODE64_SEL / 8] = desc(0, LIMIT_4G, ACC_CODE, FL_64);
	lab_gdt[CS_ABSENT / 8] = desc(0, LIMIT_4G, ACC_CODE_ABSENT, FL_CUR);
	sys_desc(LDT_SEL, (uintptr_t)lab_gdt, 7, ACC_LDT);
	mode();
	__asm__ volatile("lgdt %0; ltr %w1" ::"m"(g), "r"(TSS_SEL) : "memory");
}

/* Back to the runtime's GDT; TR keeps its cached descriptor (nothing switches tasks now). */
static inline void lab_finish(void)
{
	__asm__ volatile("lgdt %0" ::"m"(runtime_gdtr) : "memory");
}

#endif
