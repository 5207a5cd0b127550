/* dbg_rf.c - RFLAGS.RF in the image each exception pushes, raised by the CPU or by emulation. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/hw/printf.h"
#include "tests/guest/lib/dbgregs.h"
#include "tests/guest/lib/guest.h"
#include "tests/guest/lib/x86g.h"

/*
 * SDM vol. 3B, 18.3.1.1 (APM vol. 2, 3.1.6 likewise): a fault-class exception pushes RF = 1,
 * so that IRET does not re-trigger an instruction breakpoint; a #DB (also the
 * instruction-breakpoint fault) and the traps push RF as it was, 0 here.
 * Each case runs one instruction that raises an exception and prints the vector and the RF of
 * the pushed image: bare and under dbgvisor the lines must be identical.
 */
#define VEC_AC		 17
#define CPUID1_ECX_XSAVE (1u << 26)
#define CPUID0_EBX_AMD	 0x68747541u /* "Auth" of AuthenticAMD */
#define CR4_OSXSAVE	 (1u << 18)
#define CR0_AM		 (1u << 18)
#define CR0_NE		 (1u << 5)
#define CR0_NW		 (1u << 29)
#define CR0_CD		 (1u << 30)
#define FLAGS_AC	 (1u << 18)
#define WATCH_LEN	 4
#define XSTR(x)		 #x
#define STR(x)		 XSTR(x)
/* Plain numbers pasted into the assembly below. */
#define BAD_SELECTOR   0xfff8	  /* far beyond the runtime's GDT limit: #GP(0xfff8) */
#define MSR_EFER       0xc0000080 /* intercepted by dbgvisor on both vendors */
#define EFER_RESERVED  31	  /* a reserved EFER bit: WRMSR raises #GP */
#define MISALIGN       7	  /* below an aligned stack pointer: misaligned for 4 bytes */
#define FLAGS_TF_VALUE 0x100

#ifdef __x86_64__
#define AX "%rax"
#define CX "%rcx"
#else
#define AX "%eax"
#define CX "%ecx"
#endif
#define ROUTINE(name, body) ".globl " #name "\n.p2align 4\n" #name ":\n" body "\n ret\n"
/* clang-format off */
__asm__(".text\n"
	ROUTINE(r_de, " xor %edx, %edx\n mov $1, %eax\n xor %ecx, %ecx\n div %ecx")
	ROUTINE(r_ud2, " ud2")
	ROUTINE(r_selector, " mov $" STR(BAD_SELECTOR) ", %eax\n mov %ax, %ds")
	ROUTINE(r_int3, " int3")
	ROUTINE(r_step, " pushf\n orl $" STR(FLAGS_TF_VALUE) ", (%" X86G_SP_REG ")\n popf\n nop\n"
			" nop")
	ROUTINE(r_exec, " nop\n.globl r_exec_at\nr_exec_at: nop")
	ROUTINE(r_data, " mov $watched, " CX "\n movl $1, (" CX ")\n nop")
	ROUTINE(r_efer, " mov $" STR(MSR_EFER) ", %ecx\n rdmsr\n bts $" STR(EFER_RESERVED) ", %eax\n"
			" wrmsr")
	ROUTINE(r_xsetbv, " xor %ecx, %ecx\n xor %eax, %eax\n xor %edx, %edx\n xsetbv")
	ROUTINE(r_dr4, " mov %dr4, " AX)
	ROUTINE(r_cr0, " mov cr0_bad, " AX "\n mov " AX ", %cr0")
	ROUTINE(r_vmcall, " vmcall")
	ROUTINE(r_vmxon, " vmxon vmxon_operand")
	ROUTINE(r_vmmcall, " vmmcall")
	ROUTINE(r_vmrun, " xor %eax, %eax\n vmrun")
	/* At CPL 3: a misaligned load (#AC with CR0.AM and RFLAGS.AC), then CLI (#GP) */
	ROUTINE(r_user_ac, " mov -" STR(MISALIGN) "(%" X86G_SP_REG "), %eax\n cli")
#ifdef __x86_64__
	ROUTINE(r_pf, " movabs $0x100000000, %rax\n mov (%rax), %eax")
	ROUTINE(r_dr7_high, " movabs $0x100000400, %rax\n mov %rax, %dr7")
#endif
	);
/* clang-format on */
void r_de(void), r_ud2(void), r_selector(void), r_int3(void), r_step(void), r_exec(void);
void r_data(void), r_efer(void), r_xsetbv(void), r_dr4(void), r_cr0(void), r_vmcall(void);
void r_vmxon(void), r_vmmcall(void), r_vmrun(void), r_user_ac(void);
#ifdef __x86_64__
void r_pf(void), r_dr7_high(void);
#endif
extern const char r_exec_at[];
volatile uint32_t watched;
uint64_t vmxon_operand;
uintptr_t cr0_bad;

/* Who raises a case's exception under dbgvisor: the CPU, or dbgvisor itself (always or on
 * one vendor; it intercepts the instruction or the exception and answers it). */
enum raiser { BY_CPU, BY_EITHER, BY_HV, BY_HV_INTEL, BY_HV_AMD };

/* What the CPU itself pushes for a fault (UD2's #UD): the SDM's 1, or an emulator's 0. */
static unsigned cpu_fault_rf;
static bool under_hv, is_amd;

static const char *vec_name(int v)
{
	switch (v) {
	case GUEST_VEC_DE:
		return "#DE";
	case GUEST_VEC_DB:
		return "#DB";
	case GUEST_VEC_BP:
		return "#BP";
	case GUEST_VEC_UD:
		return "#UD";
	case GUEST_VEC_GP:
		return "#GP";
	case GUEST_VEC_PF:
		return "#PF";
	case VEC_AC:
		return "#AC";
	default:
		return "vector";
	}
}

/* Checked where the answer is known: a #DB or #BP (RF as it was: 0 everywhere), a CPU that
 * follows the SDM for its own faults, or a fault dbgvisor raises (it must follow the SDM). */
static bool checked(int vector, enum raiser by)
{
	return vector == GUEST_VEC_DB || vector == GUEST_VEC_BP || cpu_fault_rf ||
	       (under_hv &&
		(by == BY_HV || (by == BY_HV_INTEL && !is_amd) || (by == BY_HV_AMD && is_amd)));
}

/* The SDM's RF for the image of @vector raised with RF = 0: 1 for a fault but #DB. */
static unsigned rf_rule(int vector)
{
	return vector != GUEST_VEC_DB && vector != GUEST_VEC_BP;
}

static void report(const char *what, bool faulted, const struct gfault *f, enum raiser by)
{
	unsigned rf = (f->flags & X86G_FLAGS_RF) ? 1 : 0, want = rf_rule(f->vector);

	if (!faulted) {
		gprintf("rf: %s: no exception\n", what);
		return;
	}
	gprintf("rf: %s: %s (%d) RF=%u\n", what, vec_name(f->vector), f->vector, rf);
	if (checked(f->vector, by))
		EXPECT_EQ(guest_name("%s: %s pushes RF=%u", what, vec_name(f->vector), want), rf,
			  want);
}

static void call(void *fn)
{
	((void (*)(void))fn)();
}

static void rf_case(const char *what, void (*fn)(void), enum raiser by)
{
	struct gfault f;
	bool faulted = guest_try(call, (void *)fn, &f);

	report(what, faulted, &f, by);
}

static void native_faults(void)
{
	struct gfault f;

	guest_try(call, (void *)r_ud2, &f);
	cpu_fault_rf = (f.flags & X86G_FLAGS_RF) ? 1 : 0;
	if (!cpu_fault_rf)
		gprintf("deviation: the CPU pushes RF=0 for the faults it raises itself (SDM: 1); "
			"checking only #DB, #BP and the faults dbgvisor raises\n");
	rf_case("UD2", r_ud2, BY_CPU);
	rf_case("DIV by zero", r_de, BY_CPU);
	rf_case("MOV DS, selector past the GDT limit", r_selector, BY_CPU);
#ifdef __x86_64__
	rf_case("load from an unmapped page", r_pf, BY_CPU);
#endif
	rf_case("INT3", r_int3, BY_CPU);
}

/* #DB is always intercepted by dbgvisor and passed on: faults and traps alike keep RF. */
static void debug_exceptions(void)
{
	dr_reset_all();
	rf_case("single step", r_step, BY_HV);
	dr_write(0, (uintptr_t)r_exec_at);
	dr_write(7, DR7_INIT | DR7_L(0) | dr7_rwlen(0, DR7_RW_EXEC, DR7_LEN_1));
	rf_case("execute breakpoint", r_exec, BY_HV);
	dr_reset_all();
	dr_write(0, (uintptr_t)&watched);
	dr_write(7, DR7_INIT | DR7_L(0) | dr7_rwlen(0, DR7_RW_WRITE, dr7_len_of(WATCH_LEN)));
	rf_case("data breakpoint", r_data, BY_HV);
	dr_reset_all();
}

/* #AC needs CPL 3; dbgvisor always intercepts #AC and passes it on (CVE-2015-5307). */
static void alignment_check(void)
{
	uintptr_t cr0;
	struct gfault f;
	bool faulted;

	__asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
	__asm__ volatile("mov %0, %%cr0" ::"r"(cr0 | CR0_AM));
	faulted = guest_try_user(r_user_ac, FLAGS_AC, &f);
	__asm__ volatile("mov %0, %%cr0" ::"r"(cr0));
	if (faulted && f.vector != VEC_AC) {
		gprintf("deviation: no #AC for a misaligned load at CPL 3 with CR0.AM and AC (%s "
			"instead); skipping it\n",
			vec_name(f.vector));
		return;
	}
	report("misaligned load at CPL 3", faulted, &f, BY_HV);
}

/* Instructions dbgvisor intercepts (on one vendor or both) and answers with an exception. */
static void emulated_faults(void)
{
	uintptr_t cr4 = x86g_read_cr4(), cr0;

	rf_case("WRMSR EFER with a reserved bit", r_efer, BY_HV);
	if (x86g_cpuid(1, 0).ecx & CPUID1_ECX_XSAVE) {
		x86g_write_cr4(cr4 | CR4_OSXSAVE);
		rf_case("XSETBV XCR0 = 0", r_xsetbv, BY_HV_INTEL);
		x86g_write_cr4(cr4);
	}
	/* CR0.NE changes, so that VT-x hands the write to dbgvisor; NW without CD is #GP. */
	__asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
	cr0_bad = ((cr0 ^ CR0_NE) | CR0_NW) & ~(uintptr_t)CR0_CD;
	rf_case("MOV to CR0 with NW but not CD", r_cr0, BY_HV_INTEL);
	__asm__ volatile("mov %0, %%cr0" ::"r"(cr0));
	x86g_write_cr4(cr4 | CR4_DE);
	rf_case("MOV from DR4 with CR4.DE", r_dr4, BY_EITHER);
	x86g_write_cr4(cr4);
#ifdef __x86_64__
	rf_case("MOV to DR7 with bit 32 set", r_dr7_high, BY_EITHER);
	dr_reset_all();
#endif
	rf_case("VMCALL", r_vmcall, BY_HV_INTEL);
	rf_case("VMXON", r_vmxon, BY_HV_INTEL);
	rf_case("VMMCALL", r_vmmcall, BY_HV_AMD);
	rf_case("VMRUN", r_vmrun, BY_HV_AMD);
}

int test_main(void)
{
	gprintf("debug: RF in the pushed image of each exception (%s)\n", guest_mode_name());
	under_hv = guest_under_dbgvisor();
	is_amd = x86g_cpuid(0, 0).ebx == CPUID0_EBX_AMD;
	native_faults();
	debug_exceptions();
	alignment_check();
	emulated_faults();
	guest_finish();
}
