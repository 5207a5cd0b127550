/* test_exit.c - cmocka tests for the exit core: exit.c, exit_io.c, msr_virt.c, cpuid_view.c. */
#include "fake_vcpu.h"

#include "core/exit.h"

/* Architectural values written out from the manuals, independently of the code under test. */
#define LEAF1_ECX_SSE3	    (1u << 0)
#define LEAF1_ECX_VMX	    (1u << 5)
#define LEAF1_ECX_OSXSAVE   (1u << 27)
#define LEAF1_ECX_HV	    (1u << 31)
#define EXT1_ECX_LAHF	    (1u << 0)
#define EXT1_ECX_SVM	    (1u << 2)
#define EXT1_EDX_LM	    (1u << 29)
#define EXT1_EDX_SYSCALL    (1u << 11)
#define LEAF7_ECX_OSPKE	    (1u << 4)
#define GUEST_CR4_OSXSAVE   (1ull << 18)
#define GUEST_CR4_PKE	    (1ull << 22)
#define HV_LEAF		    0x40000000u
#define SVM_LEAF	    0x8000000au
#define SIG_EBX		    0x76676264u /* "dbgv" */
#define SIG_ECX		    0x726f7369u /* "isor" */
#define JUNK_HIGH	    0xdeadbeef00000000ull
#define JUNK_SUBLEAF	    0x5a
#define HIGH_HALF	    0xffffffff00000000ull
#define ARCH_VEC_DB	    1
#define ARCH_VEC_NMI	    2
#define ARCH_VEC_UD	    6
#define ARCH_VEC_GP	    13
#define ARCH_VEC_PF	    14
#define ARCH_VEC_DF	    8
#define GATE32_SIZE	    8
#define GATE_ATTR_BYTE	    5
#define GATE_TYPE_INT32	    0x0e /* 32-bit interrupt gate, DPL 0, P clear */
#define GATE_P_TYPE_INT32   0x8e
#define IDT_ADDR	    0x3000ull
#define IDT32_LIMIT	    (256 * GATE32_SIZE - 1)
#define IVT_ENTRY	    4
#define IVT_LIMIT	    0x3ff
#define ARCH_DR6_BS	    (1ull << 14)
#define DR6_B0		    (1ull << 0)
#define DR6_FIXED	    0xffff0ff0ull
#define ARCH_RF		    (1ull << 16)
#define ARCH_TF		    (1ull << 8)
#define ARCH_DF		    (1ull << 10)
#define CPUID_LEN	    2 /* 0F A2 */
#define WRMSR_LEN	    2
#define OUT_DX_LEN	    1
#define IN_DX_LEN	    1
#define GDB_PORT	    0x2f8
#define OTHER_PORT	    0x3f8
#define QEMU_EXIT	    0xf4
#define BOCHS_PORT	    0x8900
#define ARCH_MSR_EFER	    0xc0000080u
#define MSR_FEATCTL	    0x3au
#define MSR_VMCR	    0xc0010114u
#define MSR_HV_RANGE	    0x40000001u /* outside every MSR bitmap */
#define MSR_IGNNE	    0xc0010115u
#define MSR_SMMCTL	    0xc0010116u
#define MSR_HSAVE	    0xc0010117u
#define MSR_SVMKEY	    0xc0010118u
#define ARCH_MSR_VMX_BASIC  0x480u
#define ARCH_MSR_VMX_VMFUNC 0x491u
#define ARCH_EFER_SCE	    (1ull << 0)
#define ARCH_EFER_LME	    (1ull << 8)
#define ARCH_EFER_LMA	    (1ull << 10)
#define ARCH_EFER_NXE	    (1ull << 11)
#define ARCH_EFER_SVME	    (1ull << 12)
#define ARCH_EFER_FFXSR	    (1ull << 14)
#define VMCR_LOCK	    (1ull << 3)
#define VMCR_SVMDIS	    (1ull << 4)
#define FEATCTL_LOCK	    (1ull << 0)
#define FEATCTL_VMX_BITS    (3ull << 1)
#define HSAVE_VALUE	    0x123456000ull
#define HSAVE_MISALIGNED    0x123456800ull
#define HV_START	    0xf600000ull
#define HV_END		    0xfe0c000ull
#define CODE_ADDR	    0x2000ull
#define REAL_CS		    0x1000 /* base 0x10000 */
#define WRAP_RIP	    0xfffeull
#define SHUTDOWN	    "Shutdown"
#define EXIT_CODE	    0x31
#define STR_COUNT	    5
#define STR_BASE	    0x8000ull
/* Debug-register bits written out from the SDM (vol. 3B, 18.2.3-18.2.4). */
#define ARCH_CR4_DE	 (1ull << 3)
#define ARCH_DR6_B(n)	 (1ull << (n))
#define ARCH_DR7_FIXED	 0x400ull
#define ARCH_DR7_L(n)	 (1ull << (2 * (n)))
#define ARCH_DR7_W(n)	 (1ull << (16 + 4 * (n))) /* R/W 01b: writes, LEN 00b: 1 byte */
#define ARCH_DR7_IO(n)	 (2ull << (16 + 4 * (n))) /* R/W 10b: I/O, with CR4.DE */
#define ARCH_PEND_EN_BP	 (1ull << 12)		  /* VT-x pending debug: enabled bp */
#define XCR0_X87_SSE_AVX 0x7ull
#define NELEMS(a)	 (sizeof(a) / sizeof((a)[0]))
/* 32-bit TSS (SDM vol. 3A, figure 8-2) and its descriptor. */
#define TSS32_LIMIT    0x67ull
#define TSS32_AVAIL_P  0x89ull
#define TSS32_BUSY_BIT 0x2ull
#define TSS32_EIP      0x20
#define TSS32_EFLAGS   0x24
#define TSS32_ESP      0x38

static struct fake_vcpu fv;
static struct vcpu *const v = &fv.v;

static int setup_intel(void **state)
{
	(void)state;
	fake_vcpu_init(&fv, false, GDB_PORT);
	return 0;
}

static int setup_amd(void **state)
{
	(void)state;
	fake_vcpu_init(&fv, true, GDB_PORT);
	return 0;
}

static uint64_t rip(void)
{
	return fv.b.regs[REG_RIP];
}

static enum exit_result run_exit(enum exit_kind kind, uint8_t insn_len)
{
	struct vcpu_exit e = {.kind = kind, .insn_len = insn_len, .raw_name = "test"};

	return exit_dispatch(v, &e);
}

static enum exit_result run_cpuid(uint64_t rax, uint64_t rcx)
{
	v->gpr[GPR_RAX] = rax;
	v->gpr[GPR_RCX] = rcx;
	v->gpr[GPR_RBX] = JUNK_HIGH;
	v->gpr[GPR_RDX] = JUNK_HIGH;
	return run_exit(EXIT_CPUID, CPUID_LEN);
}

static void assert_upper_halves_clear(void)
{
	assert_int_equal(v->gpr[GPR_RAX] & HIGH_HALF, 0);
	assert_int_equal(v->gpr[GPR_RBX] & HIGH_HALF, 0);
	assert_int_equal(v->gpr[GPR_RCX] & HIGH_HALF, 0);
	assert_int_equal(v->gpr[GPR_RDX] & HIGH_HALF, 0);
}

static void assert_one_event(enum vcpu_event_type type, uint8_t vector, bool has_error,
			     uint32_t error)
{
	assert_int_equal(fv.b.nevents, 1);
	assert_int_equal(fv.b.events[0].type, type);
	assert_int_equal(fv.b.events[0].vector, vector);
	assert_int_equal(fv.b.events[0].has_error, has_error);
	if (has_error)
		assert_int_equal(fv.b.events[0].error, error);
}

static void assert_gp0(void)
{
	assert_one_event(EVENT_HW_EXCEPTION, ARCH_VEC_GP, true, 0);
}

/* --- CPUID --- */

static void test_cpuid_leaf1(void **state)
{
	(void)state;
	fake_cpuid_set(1, FAKE_CPUID_ANY_SUBLEAF, 0x906ea, 0x1020800,
		       LEAF1_ECX_SSE3 | LEAF1_ECX_VMX | LEAF1_ECX_OSXSAVE, 0xbfebfbff);
	fv.b.regs[REG_CR4] = 0;
	assert_int_equal(run_cpuid(JUNK_HIGH | 1, JUNK_HIGH | JUNK_SUBLEAF), EXIT_RESUME);
	assert_int_equal(fake_host.cpuid_last_leaf, 1);
	assert_int_equal(fake_host.cpuid_last_subleaf, JUNK_SUBLEAF);
	assert_upper_halves_clear();
	assert_int_equal(v->gpr[GPR_RAX], 0x906ea);
	assert_int_equal(v->gpr[GPR_RBX], 0x1020800);
	/* no VMX, no OSXSAVE; the hypervisor bit as the CPU has it (clear here) */
	assert_int_equal(v->gpr[GPR_RCX], LEAF1_ECX_SSE3);
	assert_int_equal(v->gpr[GPR_RDX], 0xbfebfbff);
	assert_int_equal(rip(), FAKE_DEFAULT_RIP + CPUID_LEN);
	assert_int_equal(fv.b.nevents, 0);

	/* OSXSAVE follows the guest's CR4, not the host's. */
	fv.b.regs[REG_CR4] = GUEST_CR4_OSXSAVE;
	run_cpuid(1, 0);
	assert_int_equal(v->gpr[GPR_RCX], LEAF1_ECX_SSE3 | LEAF1_ECX_OSXSAVE);
	fake_host.cpuid[0].r.ecx = 0;
	run_cpuid(1, 0);
	assert_int_equal(v->gpr[GPR_RCX], LEAF1_ECX_OSXSAVE);
	/* A hypervisor bit the CPU reports (dbgvisor nested under another) passes through. */
	fake_host.cpuid[0].r.ecx = LEAF1_ECX_HV;
	run_cpuid(1, 0);
	assert_int_equal(v->gpr[GPR_RCX], LEAF1_ECX_HV | LEAF1_ECX_OSXSAVE);
}

static void test_cpuid_leaf7_ospke(void **state)
{
	(void)state;
	fake_cpuid_set(7, 0, 0, 0, LEAF7_ECX_OSPKE | 1, 0);
	run_cpuid(7, 0);
	assert_int_equal(v->gpr[GPR_RCX], 1);
	fv.b.regs[REG_CR4] = GUEST_CR4_PKE;
	run_cpuid(7, 0);
	assert_int_equal(v->gpr[GPR_RCX], LEAF7_ECX_OSPKE | 1);
}

static void test_cpuid_ext_hides_svm(void **state)
{
	(void)state;
	fake_cpuid_set(0x80000001u, FAKE_CPUID_ANY_SUBLEAF, 0xa00f11, 0,
		       EXT1_ECX_LAHF | EXT1_ECX_SVM, EXT1_EDX_LM);
	fake_cpuid_set(SVM_LEAF, FAKE_CPUID_ANY_SUBLEAF, 1, 0x8000, 0, 0x1ebfbff);
	run_cpuid(0x80000001u, 0);
	assert_int_equal(v->gpr[GPR_RAX], 0xa00f11);
	assert_int_equal(v->gpr[GPR_RCX], EXT1_ECX_LAHF);
	assert_int_equal(v->gpr[GPR_RDX], EXT1_EDX_LM);
	assert_upper_halves_clear();
	/* The SVM feature leaf is reserved once SVM is hidden. */
	run_cpuid(SVM_LEAF, 0);
	assert_int_equal(v->gpr[GPR_RAX] | v->gpr[GPR_RBX] | v->gpr[GPR_RCX] | v->gpr[GPR_RDX], 0);
}

/* Intel shows SYSCALL only in 64-bit mode; the host's CPUID always runs there. */
static void test_cpuid_syscall_follows_guest_mode(void **state)
{
	(void)state;
	fake_cpuid_set(0x80000001u, FAKE_CPUID_ANY_SUBLEAF, 0, 0, EXT1_ECX_LAHF,
		       EXT1_EDX_LM | EXT1_EDX_SYSCALL);
	run_cpuid(0x80000001u, 0); /* 32-bit protected mode */
	assert_int_equal(v->gpr[GPR_RDX], v->is_amd ? EXT1_EDX_LM | EXT1_EDX_SYSCALL : EXT1_EDX_LM);
	fake_mode_long64(&fv);
	run_cpuid(0x80000001u, 0);
	assert_int_equal(v->gpr[GPR_RDX], EXT1_EDX_LM | EXT1_EDX_SYSCALL);
	/* Compatibility mode is not 64-bit mode. */
	fv.b.segs[SEG_CS].attr = FAKE_CS32_ATTR;
	run_cpuid(0x80000001u, 0);
	assert_int_equal(v->gpr[GPR_RDX], v->is_amd ? EXT1_EDX_LM | EXT1_EDX_SYSCALL : EXT1_EDX_LM);
	assert_int_equal(v->gpr[GPR_RCX], EXT1_ECX_LAHF);
}

static void test_cpuid_hv_leaf(void **state)
{
	const char sig[] = "dbgvisor";
	char got[12];
	uint32_t regs[3];

	(void)state;
	/* Whatever the real hypervisor below (if any) says is replaced. */
	fake_cpuid_set(HV_LEAF, FAKE_CPUID_ANY_SUBLEAF, 0x40000010, 0x4b4d564b, 0x564b4d56, 0x4d);
	fake_cpuid_set(HV_LEAF + 1, FAKE_CPUID_ANY_SUBLEAF, 1, 2, 3, 4);
	run_cpuid(HV_LEAF, 0);
	assert_upper_halves_clear();
	assert_int_equal(v->gpr[GPR_RAX], HV_LEAF);
	assert_int_equal(v->gpr[GPR_RBX], SIG_EBX);
	assert_int_equal(v->gpr[GPR_RCX], SIG_ECX);
	assert_int_equal(v->gpr[GPR_RDX], 0);
	regs[0] = (uint32_t)v->gpr[GPR_RBX];
	regs[1] = (uint32_t)v->gpr[GPR_RCX];
	regs[2] = (uint32_t)v->gpr[GPR_RDX];
	memcpy(got, regs, sizeof(got));
	assert_memory_equal(got, sig, sizeof(sig) - 1);
	assert_int_equal(got[8], 0);

	run_cpuid(HV_LEAF + 1, 0);
	assert_int_equal(v->gpr[GPR_RAX] | v->gpr[GPR_RBX] | v->gpr[GPR_RCX] | v->gpr[GPR_RDX], 0);
}

static void test_cpuid_decoded_length(void **state)
{
	const uint8_t cpuid[] = {0x0f, 0xa2};
	const uint8_t prefixed[] = {0x66, 0x2e, 0x0f, 0xa2};
	const uint64_t cs_base = 0x10000;

	(void)state;
	fv.b.regs[REG_RIP] = CODE_ADDR;
	fake_mem_put(CODE_ADDR, cpuid, sizeof(cpuid));
	v->gpr[GPR_RAX] = 0;
	assert_int_equal(run_exit(EXIT_CPUID, 0), EXIT_RESUME);
	assert_int_equal(rip(), CODE_ADDR + sizeof(cpuid));

	fv.b.regs[REG_RIP] = CODE_ADDR;
	fake_mem_put(CODE_ADDR, prefixed, sizeof(prefixed));
	assert_int_equal(run_exit(EXIT_CPUID, 0), EXIT_RESUME);
	assert_int_equal(rip(), CODE_ADDR + sizeof(prefixed));

	/* The fetch goes through CS.base; RIP stays segment-relative. */
	fv.b.segs[SEG_CS].base = cs_base;
	fv.b.regs[REG_RIP] = CODE_ADDR;
	memset(&fake_host.mem[CODE_ADDR], 0, sizeof(prefixed));
	fake_mem_put(cs_base + CODE_ADDR, prefixed, sizeof(prefixed));
	assert_int_equal(run_exit(EXIT_CPUID, 0), EXIT_RESUME);
	assert_int_equal(rip(), CODE_ADDR + sizeof(prefixed));
	assert_int_equal(fv.b.nevents, 0);
}

static void test_cpuid_undecodable_stops(void **state)
{
	(void)state;
	/* RIP points outside guest memory and the CPU gave no length. */
	fv.b.regs[REG_RIP] = FAKE_MEM_SIZE + 0x1000;
	v->gpr[GPR_RAX] = 0;
	assert_int_equal(run_exit(EXIT_CPUID, 0), EXIT_STOP);
	assert_int_equal(v->stop.reason, STOP_INTERNAL);
	assert_int_equal(rip(), FAKE_MEM_SIZE + 0x1000);
}

static void test_cpuid_at_end_of_memory(void **state)
{
	const uint8_t cpuid[] = {0x0f, 0xa2};
	const uint64_t at = FAKE_MEM_SIZE - sizeof(cpuid);

	(void)state;
	/* Fewer than 15 readable bytes: the fetch must still decode what is there. */
	fake_mem_put(at, cpuid, sizeof(cpuid));
	fv.b.regs[REG_RIP] = at;
	v->gpr[GPR_RAX] = 0;
	assert_int_equal(run_exit(EXIT_CPUID, 0), EXIT_RESUME);
	assert_int_equal(rip(), FAKE_MEM_SIZE);
}

/* 16-bit code does not wrap IP after an emulated instruction: EIP = 0x10000 lies past the
 * real-mode limit, and the CPU's next fetch raises #GP there (SDM vol. 3A, 21.1.3; Bochs). */
static void test_rip_no_16bit_wrap(void **state)
{
	const uint8_t cpuid[] = {0x0f, 0xa2};

	(void)state;
	fake_mode_real(&fv, REAL_CS);
	fv.b.regs[REG_RIP] = WRAP_RIP;
	v->gpr[GPR_RAX] = 0;
	assert_int_equal(run_exit(EXIT_CPUID, CPUID_LEN), EXIT_RESUME);
	assert_int_equal(rip(), WRAP_RIP + CPUID_LEN);

	/* Decoded at CS.base + IP (real mode: base = selector * 16). */
	fv.b.regs[REG_RIP] = WRAP_RIP;
	fake_mem_put(((uint64_t)REAL_CS << 4) + WRAP_RIP, cpuid, sizeof(cpuid));
	assert_int_equal(run_exit(EXIT_CPUID, 0), EXIT_RESUME);
	assert_int_equal(rip(), WRAP_RIP + sizeof(cpuid));

	/* A 16-bit protected-mode code segment (CS.D = 0) neither. */
	fake_mode_flat32(&fv);
	fv.b.segs[SEG_CS].attr = FAKE_CS16_ATTR;
	fv.b.regs[REG_RIP] = WRAP_RIP + 1;
	run_exit(EXIT_CPUID, CPUID_LEN);
	assert_int_equal(rip(), WRAP_RIP + 1 + CPUID_LEN);

	/* EIP has 32 bits outside 64-bit mode: those wrap. */
	fake_mode_real(&fv, REAL_CS);
	fv.b.regs[REG_RIP] = 0xffffffffull;
	run_exit(EXIT_CPUID, CPUID_LEN);
	assert_int_equal(rip(), CPUID_LEN - 1);
}

/* MOV to CR0 that leaves protected mode from a 32-bit segment above 64 KiB (a VT-x exit when it
 * flips a host-owned bit): the next EIP is the old one + length, not cut to 16 bits by the
 * real mode the write enters. */
static void test_cr0_leave_pe_keeps_eip(void **state)
{
	const uint64_t at = 0x123456, len = 3; /* 0F 22 C0 */
	struct vcpu_exit e = {.kind = EXIT_CR_ACCESS, .insn_len = (uint8_t)len};

	(void)state;
	fake_mode_flat32(&fv);
	fv.b.regs[REG_RIP] = at;
	v->gpr[GPR_RAX] = CR0_ET;
	e.cr.cr = 0;
	e.cr.gpr = GPR_RAX;
	e.cr.type = CR_MOV_TO;
	assert_int_equal(exit_dispatch(v, &e), EXIT_RESUME);
	assert_int_equal(fv.b.regs[REG_CR0], CR0_ET);
	assert_int_equal(rip(), at + len);
}

static void test_rip_width_32_and_64(void **state)
{
	(void)state;
	fv.b.regs[REG_RIP] = 0xffffffffull;
	run_exit(EXIT_CPUID, CPUID_LEN);
	assert_int_equal(rip(), 1);
	/* Crossing 64 KiB in 32-bit code: the code size is looked up, and it does not wrap. */
	fv.b.regs[REG_RIP] = WRAP_RIP;
	run_exit(EXIT_CPUID, CPUID_LEN);
	assert_int_equal(rip(), WRAP_RIP + CPUID_LEN);

	fake_mode_long64(&fv);
	fv.b.regs[REG_RIP] = 0xffffffffull;
	run_exit(EXIT_CPUID, CPUID_LEN);
	assert_int_equal(rip(), 0x100000001ull);

	/* Compatibility mode (LMA, CS.L = 0, CS.D = 1) is 32-bit. */
	fv.b.segs[SEG_CS].attr = FAKE_CS32_ATTR;
	fv.b.regs[REG_RIP] = 0xffffffffull;
	run_exit(EXIT_CPUID, CPUID_LEN);
	assert_int_equal(rip(), 1);
}

static void test_complete_clears_rf_and_shadow(void **state)
{
	(void)state;
	fv.b.regs[REG_RFLAGS] = RFLAGS_FIXED1 | ARCH_RF | RFLAGS_IF;
	fv.b.shadow = true;
	run_exit(EXIT_CPUID, CPUID_LEN);
	assert_int_equal(fv.b.regs[REG_RFLAGS], RFLAGS_FIXED1 | RFLAGS_IF);
	assert_false(fv.b.shadow);
	assert_int_equal(fv.b.nevents, 0);
	assert_int_equal(v->dr->guest.dr6 & ARCH_DR6_BS, 0);
}

static void test_complete_single_step(void **state)
{
	(void)state;
	fv.b.regs[REG_RFLAGS] = RFLAGS_FIXED1 | ARCH_TF;
	v->dr->guest.dr6 = DR6_FIXED | DR6_B0;
	run_exit(EXIT_CPUID, CPUID_LEN);
	assert_int_equal(rip(), FAKE_DEFAULT_RIP + CPUID_LEN);
	assert_one_event(EVENT_HW_EXCEPTION, ARCH_VEC_DB, false, 0);
	/* The guest's own DR6 view gets BS and keeps B0 (a step does not replace B0-B3). */
	assert_int_equal(v->dr->guest.dr6, DR6_FIXED | DR6_B0 | ARCH_DR6_BS);
	assert_int_equal(fv.b.regs[REG_RFLAGS], RFLAGS_FIXED1 | ARCH_TF); /* TF itself stays */
}

/* --- I/O --- */

static enum exit_result run_io(uint16_t port, uint8_t size, bool in, uint8_t len)
{
	struct vcpu_exit e = {.kind = EXIT_IO, .insn_len = len};

	e.io.port = port;
	e.io.size = size;
	e.io.in = in;
	return exit_dispatch(v, &e);
}

static enum exit_result run_string_io(uint16_t port, uint8_t size, bool in, bool rep)
{
	struct vcpu_exit e = {.kind = EXIT_IO, .insn_len = rep ? 2 : 1};

	e.io.port = port;
	e.io.size = size;
	e.io.in = in;
	e.io.string = true;
	e.io.rep = rep;
	return exit_dispatch(v, &e);
}

static void test_io_gdb_port_in(void **state)
{
	const uint64_t rax = 0x1122334455667788ull;

	(void)state;
	fake_host.port_in_value = 0x12345678;
	for (uint16_t p = GDB_PORT; p < GDB_PORT + UART_PORT_SPAN; p++) {
		v->gpr[GPR_RAX] = rax;
		fv.b.regs[REG_RIP] = FAKE_DEFAULT_RIP;
		assert_int_equal(run_io(p, 1, true, IN_DX_LEN), EXIT_RESUME);
		assert_int_equal(v->gpr[GPR_RAX], 0x11223344556677ffull);
		assert_int_equal(rip(), FAKE_DEFAULT_RIP + IN_DX_LEN);
	}
	v->gpr[GPR_RAX] = rax;
	run_io(GDB_PORT, 2, true, IN_DX_LEN);
	assert_int_equal(v->gpr[GPR_RAX], 0x112233445566ffffull);
	v->gpr[GPR_RAX] = rax;
	run_io(GDB_PORT, 4, true, IN_DX_LEN);
	assert_int_equal(v->gpr[GPR_RAX], 0xffffffffull); /* 32-bit IN zero-extends */
	assert_int_equal(fake_host.nins, 0);
	assert_int_equal(fake_host.nouts, 0);
}

static void test_io_gdb_port_out_dropped(void **state)
{
	(void)state;
	v->gpr[GPR_RAX] = 'A';
	for (uint16_t p = GDB_PORT; p < GDB_PORT + UART_PORT_SPAN; p++) {
		fv.b.regs[REG_RIP] = FAKE_DEFAULT_RIP;
		assert_int_equal(run_io(p, 1, false, OUT_DX_LEN), EXIT_RESUME);
		assert_int_equal(rip(), FAKE_DEFAULT_RIP + OUT_DX_LEN);
	}
	assert_int_equal(fake_host.nouts, 0);
	assert_int_equal(v->gpr[GPR_RAX], 'A');

	/* The ports right outside the UART's eight go to the device. */
	run_io(GDB_PORT - 1, 1, false, OUT_DX_LEN);
	run_io(GDB_PORT + UART_PORT_SPAN, 1, false, OUT_DX_LEN);
	assert_int_equal(fake_host.nouts, 2);
	assert_int_equal(fake_host.outs[0].port, GDB_PORT - 1);
	assert_int_equal(fake_host.outs[1].port, GDB_PORT + UART_PORT_SPAN);
}

static void test_io_other_ports_forwarded(void **state)
{
	(void)state;
	fake_host.port_in_value = 0xa5a6a7a8;
	v->gpr[GPR_RAX] = 0x1122334455667788ull;
	assert_int_equal(run_io(OTHER_PORT, 1, true, IN_DX_LEN), EXIT_RESUME);
	assert_int_equal(v->gpr[GPR_RAX], 0x11223344556677a8ull);
	v->gpr[GPR_RAX] = 0x1122334455667788ull;
	run_io(OTHER_PORT, 2, true, IN_DX_LEN);
	assert_int_equal(v->gpr[GPR_RAX], 0x112233445566a7a8ull);
	v->gpr[GPR_RAX] = 0x1122334455667788ull;
	run_io(OTHER_PORT, 4, true, IN_DX_LEN);
	assert_int_equal(v->gpr[GPR_RAX], 0xa5a6a7a8ull);
	assert_int_equal(fake_host.nins, 3);
	assert_int_equal(fake_host.ins[0].port, OTHER_PORT);
	assert_int_equal(fake_host.ins[0].size, 1);
	assert_int_equal(fake_host.ins[1].size, 2);
	assert_int_equal(fake_host.ins[2].size, 4);

	/* OUT sends only the low @size bytes of RAX. */
	v->gpr[GPR_RAX] = 0x123456789abcdef0ull;
	run_io(OTHER_PORT, 2, false, OUT_DX_LEN);
	run_io(OTHER_PORT + 1, 1, false, OUT_DX_LEN);
	run_io(OTHER_PORT + 2, 4, false, OUT_DX_LEN);
	assert_int_equal(fake_host.nouts, 3);
	assert_int_equal(fake_host.outs[0].port, OTHER_PORT);
	assert_int_equal(fake_host.outs[0].size, 2);
	assert_int_equal(fake_host.outs[0].val, 0xdef0);
	assert_int_equal(fake_host.outs[1].val, 0xf0);
	assert_int_equal(fake_host.outs[2].val, 0x9abcdef0);
	assert_int_equal(rip(), FAKE_DEFAULT_RIP + 6 * OUT_DX_LEN);
	assert_int_equal(v->stop.reason, STOP_NONE);
}

/* ACPI PM1a control (4.8.3.2.1): SCI_EN and the like pass; a write with SLP_EN ends the run. */
static void test_io_pm1a_power_off(void **state)
{
	const uint16_t pm1a = 0x604, slp_typ5_en = 0x2000 | (5 << 10), sci_en = 1;

	(void)state;
	v->pm1a_cnt_port = pm1a;
	v->gpr[GPR_RAX] = sci_en;
	assert_int_equal(run_io(pm1a, 2, false, OUT_DX_LEN), EXIT_RESUME);
	assert_int_equal(fake_host.nouts, 1);
	assert_int_equal(fake_host.outs[0].val, sci_en);
	v->gpr[GPR_RAX] = 0xffff0000u | slp_typ5_en;
	assert_int_equal(run_io(pm1a, 2, false, OUT_DX_LEN), EXIT_STOP);
	assert_int_equal(v->stop.reason, STOP_POWER_OFF);
	assert_int_equal(v->stop.port, pm1a);
	assert_int_equal(v->stop.value, slp_typ5_en);
	assert_int_equal(fake_host.nouts, 1); /* not sent: the caller does, after its report */
	assert_int_equal(rip(), FAKE_DEFAULT_RIP + 2 * OUT_DX_LEN);
	/* Reads pass, and with no PM1a port known nothing is special. */
	assert_int_equal(run_io(pm1a, 2, true, IN_DX_LEN), EXIT_RESUME);
	v->pm1a_cnt_port = 0;
	v->stop.reason = STOP_NONE;
	v->gpr[GPR_RAX] = slp_typ5_en;
	assert_int_equal(run_io(pm1a, 2, false, OUT_DX_LEN), EXIT_RESUME);
	assert_int_equal(fake_host.nouts, 2);
}

static void test_io_decoded_length(void **state)
{
	const uint8_t out_dx_al[] = {0xee};
	const uint8_t out_imm_prefixed[] = {0x3e, 0xe6, 0xf0}; /* ds: out 0xf0, al */

	(void)state;
	fv.b.regs[REG_RIP] = CODE_ADDR;
	fake_mem_put(CODE_ADDR, out_dx_al, sizeof(out_dx_al));
	run_io(OTHER_PORT, 1, false, 0);
	assert_int_equal(rip(), CODE_ADDR + sizeof(out_dx_al));
	fv.b.regs[REG_RIP] = CODE_ADDR;
	fake_mem_put(CODE_ADDR, out_imm_prefixed, sizeof(out_imm_prefixed));
	run_io(0xf0, 1, false, 0);
	assert_int_equal(rip(), CODE_ADDR + sizeof(out_imm_prefixed));

	/* Nothing to decode: stop rather than guess, and do not forward. */
	fv.b.regs[REG_RIP] = FAKE_MEM_SIZE;
	assert_int_equal(run_io(OTHER_PORT, 1, false, 0), EXIT_STOP);
	assert_int_equal(v->stop.reason, STOP_INTERNAL);
	assert_int_equal(fake_host.nouts, 2);
}

static void test_io_qemu_exit(void **state)
{
	(void)state;
	v->gpr[GPR_RAX] = 0xabcdef00ull | EXIT_CODE;
	assert_int_equal(run_io(QEMU_EXIT, 1, false, OUT_DX_LEN), EXIT_STOP);
	assert_int_equal(v->stop.reason, STOP_GUEST_EXIT);
	assert_int_equal(v->stop.exit_code, EXIT_CODE);
	assert_int_equal(fake_host.nouts, 0);

	/* A 32-bit write counts by its low byte, as on isa-debug-exit. */
	fake_vcpu_init(&fv, false, GDB_PORT);
	v->gpr[GPR_RAX] = 0x100 | 3;
	assert_int_equal(run_io(QEMU_EXIT, 4, false, OUT_DX_LEN), EXIT_STOP);
	assert_int_equal(v->stop.exit_code, 3);

	/* Reading the port is not an exit. */
	fake_vcpu_init(&fv, false, GDB_PORT);
	assert_int_equal(run_io(QEMU_EXIT, 1, true, IN_DX_LEN), EXIT_RESUME);
	assert_int_equal(v->stop.reason, STOP_NONE);
}

/* Write @s byte by byte to the Bochs port; return how many writes resumed before a stop. */
static size_t write_bochs(const char *s)
{
	size_t n = strlen(s);

	for (size_t i = 0; i < n; i++) {
		v->gpr[GPR_RAX] = (unsigned char)s[i];
		if (run_io(BOCHS_PORT, 1, false, OUT_DX_LEN) == EXIT_STOP)
			return i;
	}
	return n;
}

static void test_io_bochs_shutdown(void **state)
{
	const size_t last = sizeof(SHUTDOWN) - 2;

	(void)state;
	assert_int_equal(write_bochs("Shutdow"), last);
	assert_int_equal(v->stop.reason, STOP_NONE);
	assert_int_equal(write_bochs("n"), 0);
	assert_int_equal(v->stop.reason, STOP_GUEST_EXIT);

	/* The exit code is the last one written to the QEMU port (0 if none). */
	assert_int_equal(v->stop.exit_code, 0);
}

static void test_io_bochs_interrupted(void **state)
{
	(void)state;
	/* A broken match restarts; an 'S' that breaks it starts a new one. */
	assert_int_equal(write_bochs("ShutXdown"), strlen("ShutXdown"));
	assert_int_equal(write_bochs("ShutShutdow"), strlen("ShutShutdow"));
	assert_int_equal(v->stop.reason, STOP_NONE);
	assert_int_equal(write_bochs("n"), 0);
	assert_int_equal(v->stop.reason, STOP_GUEST_EXIT);

	fake_vcpu_init(&fv, false, GDB_PORT);
	assert_int_equal(write_bochs("SShutdown"), strlen("SShutdown") - 1);
	assert_int_equal(v->stop.reason, STOP_GUEST_EXIT);

	/* Other ports in between do not disturb the match. */
	fake_vcpu_init(&fv, false, GDB_PORT);
	write_bochs("Shut");
	v->gpr[GPR_RAX] = 'x';
	run_io(OTHER_PORT, 1, false, OUT_DX_LEN);
	assert_int_equal(write_bochs("down"), strlen("down") - 1);
	assert_int_equal(v->stop.reason, STOP_GUEST_EXIT);
}

static void test_io_string_gdb_port(void **state)
{
	(void)state;
	/* REP OUTSW: RSI moves by count * size, RCX ends at zero, nothing is sent. */
	v->gpr[GPR_RSI] = STR_BASE;
	v->gpr[GPR_RCX] = STR_COUNT;
	assert_int_equal(run_string_io(GDB_PORT, 2, false, true), EXIT_RESUME);
	assert_int_equal(v->gpr[GPR_RSI], STR_BASE + 2 * STR_COUNT);
	assert_int_equal(v->gpr[GPR_RCX], 0);
	assert_int_equal(rip(), FAKE_DEFAULT_RIP + 2);

	/* DF = 1 walks down. */
	fv.b.regs[REG_RFLAGS] |= ARCH_DF;
	v->gpr[GPR_RSI] = STR_BASE;
	v->gpr[GPR_RCX] = STR_COUNT;
	run_string_io(GDB_PORT, 4, false, true);
	assert_int_equal(v->gpr[GPR_RSI], STR_BASE - 4 * STR_COUNT);
	assert_int_equal(v->gpr[GPR_RCX], 0);

	/* Without REP: one element, RCX untouched. */
	fv.b.regs[REG_RFLAGS] &= ~ARCH_DF;
	v->gpr[GPR_RSI] = STR_BASE;
	v->gpr[GPR_RCX] = STR_COUNT;
	run_string_io(GDB_PORT, 1, false, false);
	assert_int_equal(v->gpr[GPR_RSI], STR_BASE + 1);
	assert_int_equal(v->gpr[GPR_RCX], STR_COUNT);

	assert_int_equal(fake_host.nouts, 0);
}

/* An I/O breakpoint (R/W 10b with CR4.DE) on a port dbgvisor emulates: the trap after the IN
 * reports the slot, without BS (SDM 3B, 18.2.4); without CR4.DE it is no breakpoint. */
static void test_io_breakpoint_emulated_in(void **state)
{
	(void)state;
	v->dr->guest.db[1] = GDB_PORT;
	v->dr->guest.dr7 = ARCH_DR7_FIXED | ARCH_DR7_L(1) | ARCH_DR7_IO(1);
	run_io(GDB_PORT, 1, true, IN_DX_LEN);
	assert_int_equal(fv.b.nevents, 0);
	fv.b.regs[REG_CR4] |= ARCH_CR4_DE;
	fv.b.regs[REG_RIP] = FAKE_DEFAULT_RIP;
	run_io(GDB_PORT + 1, 1, true, IN_DX_LEN); /* LEN 1: the next port misses */
	assert_int_equal(fv.b.nevents, 0);
	fv.b.regs[REG_RIP] = FAKE_DEFAULT_RIP;
	run_io(GDB_PORT - 1, 2, false, OUT_DX_LEN); /* a word OUT that covers it hits */
	assert_one_event(EVENT_HW_EXCEPTION, ARCH_VEC_DB, false, 0);
	assert_int_equal(v->dr->guest.dr6, DR6_FIXED | ARCH_DR6_B(1));
	assert_int_equal(rip(), FAKE_DEFAULT_RIP + OUT_DX_LEN);
}

/* A REP INS the CPU never ran stores through a data breakpoint (R/W 01b): a trap with its
 * slot; with RCX = 0 nothing is accessed, not even the port. */
static void test_io_string_data_breakpoint(void **state)
{
	(void)state;
	fv.b.regs[REG_CR4] |= ARCH_CR4_DE;
	v->dr->guest.db[0] = STR_BASE + 1;
	v->dr->guest.db[2] = GDB_PORT;
	v->dr->guest.dr7 =
	    ARCH_DR7_FIXED | ARCH_DR7_L(0) | ARCH_DR7_W(0) | ARCH_DR7_L(2) | ARCH_DR7_IO(2);
	v->gpr[GPR_RDI] = STR_BASE;
	v->gpr[GPR_RCX] = 0;
	run_string_io(GDB_PORT, 1, true, true);
	assert_int_equal(fv.b.nevents, 0);
	v->gpr[GPR_RCX] = 2;
	fv.b.regs[REG_RIP] = FAKE_DEFAULT_RIP;
	run_string_io(GDB_PORT, 1, true, true);
	assert_one_event(EVENT_HW_EXCEPTION, ARCH_VEC_DB, false, 0);
	assert_int_equal(v->dr->guest.dr6, DR6_FIXED | ARCH_DR6_B(0) | ARCH_DR6_B(2));
}

/* A single step after an emulated instruction: execute breakpoints on the next one show in
 * DR6 too, enabled or not, as QEMU 7.2 and Bochs 2.7 report their own steps. */
static void test_step_exec_boundary(void **state)
{
	(void)state;
	fv.b.regs[REG_RFLAGS] = RFLAGS_FIXED1 | ARCH_TF;
	v->dr->guest.db[2] = FAKE_DEFAULT_RIP + CPUID_LEN;
	v->dr->guest.db[3] = FAKE_DEFAULT_RIP + CPUID_LEN;
	v->dr->guest.dr7 = ARCH_DR7_FIXED | ARCH_DR7_W(3); /* slot 3 watches data: no */
	run_exit(EXIT_CPUID, CPUID_LEN);
	assert_one_event(EVENT_HW_EXCEPTION, ARCH_VEC_DB, false, 0);
	assert_int_equal(v->dr->guest.dr6, DR6_FIXED | ARCH_DR6_BS | ARCH_DR6_B(2));
}

/* MOV SS; CPUID with TF: the data breakpoint MOV SS hit, held back in VT-x's pending debug
 * exceptions, goes with the step (SDM 3C, 27.7.3: VM entry injecting the #DB drops it). */
static void test_step_pending_mov_ss(void **state)
{
	(void)state;
	fv.b.regs[REG_RFLAGS] = RFLAGS_FIXED1 | ARCH_TF;
	fv.b.regs[REG_PENDING_DBG] = ARCH_DR6_B(0) | ARCH_PEND_EN_BP;
	run_exit(EXIT_CPUID, CPUID_LEN);
	assert_one_event(EVENT_HW_EXCEPTION, ARCH_VEC_DB, false, 0);
	assert_int_equal(v->dr->guest.dr6, DR6_FIXED | ARCH_DR6_BS | ARCH_DR6_B(0));
	assert_int_equal(fv.b.regs[REG_PENDING_DBG], 0);
}

/* A 16-bit REP INSB counts CX only: stray bits above it neither loop nor move. */
static void test_io_string_address_size(void **state)
{
	(void)state;
	fake_mode_real(&fv, 0);
	v->gpr[GPR_RDI] = 0xabcd00000000ull | STR_BASE;
	v->gpr[GPR_RCX] = 0x1234000000000000ull | STR_COUNT;
	run_string_io(GDB_PORT, 1, true, true);
	assert_int_equal(v->gpr[GPR_RCX], 0x1234000000000000ull);
	assert_int_equal(v->gpr[GPR_RDI], 0xabcd00000000ull | (STR_BASE + STR_COUNT));
}

/* ADDR32 REP OUTSB in real mode (67 F3 6E) counts ECX and moves ESI; 67 in 32-bit code
 * goes back to CX/SI. Decoded from the instruction. */
static void test_io_string_addr32_prefix(void **state)
{
	const uint8_t addr32_rep_outsb[] = {0x67, 0xf3, 0x6e};
	const uint64_t count = 0x10003; /* more than CX can hold */

	(void)state;
	fake_mode_real(&fv, 0);
	fake_mem_put(FAKE_DEFAULT_RIP, addr32_rep_outsb, sizeof(addr32_rep_outsb));
	assert_int_equal(exit_string_io_addr_mask(v), 0xffffffffull);
	v->gpr[GPR_RSI] = 0xabcd00000000ull | STR_BASE;
	v->gpr[GPR_RCX] = 0x1234000000000000ull | count;
	assert_int_equal(run_string_io(GDB_PORT, 1, false, true), EXIT_RESUME);
	assert_int_equal(v->gpr[GPR_RCX], 0x1234000000000000ull);
	assert_int_equal(v->gpr[GPR_RSI], 0xabcd00000000ull | (STR_BASE + count));
	assert_int_equal(rip(), FAKE_DEFAULT_RIP + 2); /* the length the exit reported */

	fake_mode_flat32(&fv);
	fv.b.regs[REG_RIP] = FAKE_DEFAULT_RIP;
	assert_int_equal(exit_string_io_addr_mask(v), 0xffffull);
	/* Without the prefix, the code segment's size; another opcode's 67 does not count. */
	fake_mem_put(FAKE_DEFAULT_RIP, (const uint8_t[]){0x90, 0xf3, 0x6e}, 3);
	fake_mode_real(&fv, 0);
	assert_int_equal(exit_string_io_addr_mask(v), 0xffffull);
	fake_mem_put(FAKE_DEFAULT_RIP, (const uint8_t[]){0x67, 0x90, 0x6e}, 3);
	assert_int_equal(exit_string_io_addr_mask(v), 0xffffull);
}

static void test_io_string_ins_gdb_port(void **state)
{
	uint8_t got[STR_COUNT * 2 + 2];
	uint8_t want[sizeof(got)];

	(void)state;
	/* REP INSB moves RDI, not RSI, and stores all ones at ES:RDI as an absent device reads. */
	v->gpr[GPR_RSI] = STR_BASE;
	v->gpr[GPR_RDI] = STR_BASE;
	v->gpr[GPR_RCX] = STR_COUNT;
	assert_int_equal(run_string_io(GDB_PORT + 5, 1, true, true), EXIT_RESUME);
	assert_int_equal(v->gpr[GPR_RDI], STR_BASE + STR_COUNT);
	assert_int_equal(v->gpr[GPR_RSI], STR_BASE);
	assert_int_equal(v->gpr[GPR_RCX], 0);
	memset(want, 0, sizeof(want));
	memset(want + 1, 0xff, STR_COUNT);
	memcpy(got, &fake_host.mem[STR_BASE - 1], sizeof(got));
	assert_memory_equal(got, want, sizeof(got));

	/* REP INSW with DF = 1 through a based ES: elements at ES.base + DI, DI - 2, ... */
	memset(&fake_host.mem[STR_BASE - 1], 0, sizeof(got));
	fv.b.segs[SEG_ES].base = STR_BASE;
	fv.b.regs[REG_RFLAGS] |= ARCH_DF;
	v->gpr[GPR_RDI] = 2 * STR_COUNT - 2;
	v->gpr[GPR_RCX] = STR_COUNT;
	run_string_io(GDB_PORT, 2, true, true);
	/* 32-bit code: EDI wraps within 32 bits (SDM vol. 1, 3.6). */
	assert_int_equal(v->gpr[GPR_RDI], (uint32_t)-2);
	assert_int_equal(v->gpr[GPR_RCX], 0);
	memset(want, 0, sizeof(want));
	memset(want + 1, 0xff, 2 * STR_COUNT);
	memcpy(got, &fake_host.mem[STR_BASE - 1], sizeof(got));
	assert_memory_equal(got, want, sizeof(got));
	assert_int_equal(fake_host.nins, 0);
}

/* --- MSRs --- */

static enum exit_result rdmsr(uint32_t index)
{
	v->gpr[GPR_RCX] = index;
	v->gpr[GPR_RAX] = JUNK_HIGH;
	v->gpr[GPR_RDX] = JUNK_HIGH;
	return run_exit(EXIT_MSR_READ, WRMSR_LEN);
}

static enum exit_result wrmsr(uint32_t index, uint64_t val)
{
	v->gpr[GPR_RCX] = index;
	v->gpr[GPR_RAX] = (val & 0xffffffffull) | JUNK_HIGH; /* upper halves are ignored */
	v->gpr[GPR_RDX] = (val >> 32) | JUNK_HIGH;
	return run_exit(EXIT_MSR_WRITE, WRMSR_LEN);
}

static uint64_t edx_eax(void)
{
	assert_int_equal(v->gpr[GPR_RAX] & HIGH_HALF, 0);
	assert_int_equal(v->gpr[GPR_RDX] & HIGH_HALF, 0);
	return (v->gpr[GPR_RDX] << 32) | v->gpr[GPR_RAX];
}

static void test_msr_efer_read_hides_svme(void **state)
{
	(void)state;
	fv.b.regs[REG_EFER] = ARCH_EFER_SVME | ARCH_EFER_LME | ARCH_EFER_LMA | ARCH_EFER_SCE;
	assert_int_equal(rdmsr(ARCH_MSR_EFER), EXIT_RESUME);
	assert_int_equal(edx_eax(), ARCH_EFER_LME | ARCH_EFER_LMA | ARCH_EFER_SCE);
	assert_int_equal(rip(), FAKE_DEFAULT_RIP + WRMSR_LEN);
	assert_int_equal(fv.b.nevents, 0);
}

static void test_msr_efer_write_svme_gp(void **state)
{
	(void)state;
	fv.b.regs[REG_EFER] = ARCH_EFER_SCE;
	assert_int_equal(wrmsr(ARCH_MSR_EFER, ARCH_EFER_SCE | ARCH_EFER_SVME), EXIT_RESUME);
	assert_gp0();
	assert_int_equal(fv.b.regs[REG_EFER], ARCH_EFER_SCE);
	assert_int_equal(rip(), FAKE_DEFAULT_RIP); /* a fault does not complete the instruction */

	/* Any other reserved bit too. */
	fv.b.nevents = 0;
	wrmsr(ARCH_MSR_EFER, 1ull << 40);
	assert_gp0();
	assert_int_equal(fv.b.regs[REG_EFER], ARCH_EFER_SCE);
}

static void test_msr_efer_lme_with_paging(void **state)
{
	(void)state;
	fake_mode_long64(&fv);
	/* Clearing LME while paging is on. */
	wrmsr(ARCH_MSR_EFER, ARCH_EFER_SCE);
	assert_gp0();
	assert_int_equal(fv.b.regs[REG_EFER], ARCH_EFER_LME | ARCH_EFER_LMA);
	assert_int_equal(rip(), FAKE_DEFAULT_RIP);

	/* Setting LME with paging on (32-bit paged mode). */
	fake_mode_flat32(&fv);
	fv.b.regs[REG_CR0] |= CR0_PG;
	fv.b.nevents = 0;
	wrmsr(ARCH_MSR_EFER, ARCH_EFER_LME);
	assert_gp0();
	assert_int_equal(fv.b.regs[REG_EFER], 0);

	/* Paging off: LME may change. */
	fv.b.regs[REG_CR0] &= ~CR0_PG;
	fv.b.nevents = 0;
	assert_int_equal(wrmsr(ARCH_MSR_EFER, ARCH_EFER_LME), EXIT_RESUME);
	assert_int_equal(fv.b.nevents, 0);
	assert_int_equal(fv.b.regs[REG_EFER], ARCH_EFER_LME);
	assert_int_equal(rip(), FAKE_DEFAULT_RIP + WRMSR_LEN);
}

static void test_msr_efer_valid_write_keeps_lma(void **state)
{
	(void)state;
	fake_mode_long64(&fv);
	/* LMA is read-only: leaving it out of the value does not clear it. */
	assert_int_equal(wrmsr(ARCH_MSR_EFER, ARCH_EFER_SCE | ARCH_EFER_LME | ARCH_EFER_NXE),
			 EXIT_RESUME);
	assert_int_equal(fv.b.nevents, 0);
	assert_int_equal(fv.b.regs[REG_EFER],
			 ARCH_EFER_SCE | ARCH_EFER_LME | ARCH_EFER_NXE | ARCH_EFER_LMA);
	assert_int_equal(rip(), FAKE_DEFAULT_RIP + WRMSR_LEN);

	/* ...and setting it does not set it. */
	fake_mode_flat32(&fv);
	wrmsr(ARCH_MSR_EFER, ARCH_EFER_LME | ARCH_EFER_LMA);
	assert_int_equal(fv.b.nevents, 0);
	assert_int_equal(fv.b.regs[REG_EFER], ARCH_EFER_LME);
}

static void test_msr_efer_vendor_bits(void **state)
{
	(void)state;
	/* FFXSR exists on AMD only. */
	wrmsr(ARCH_MSR_EFER, ARCH_EFER_FFXSR);
	assert_gp0();
	assert_int_equal(fv.b.regs[REG_EFER], 0);

	fake_vcpu_init(&fv, true, GDB_PORT);
	assert_int_equal(wrmsr(ARCH_MSR_EFER, ARCH_EFER_FFXSR | ARCH_EFER_NXE), EXIT_RESUME);
	assert_int_equal(fv.b.nevents, 0);
	assert_int_equal(fv.b.regs[REG_EFER], ARCH_EFER_FFXSR | ARCH_EFER_NXE);
}

static void test_msr_amd_vm_cr(void **state)
{
	(void)state;
	assert_int_equal(rdmsr(MSR_VMCR), EXIT_RESUME);
	assert_int_equal(edx_eax(), VMCR_SVMDIS | VMCR_LOCK);
	assert_int_equal(rip(), FAKE_DEFAULT_RIP + WRMSR_LEN);
	/* Writes to the locked register are dropped. */
	assert_int_equal(wrmsr(MSR_VMCR, 0), EXIT_RESUME);
	assert_int_equal(fv.b.nevents, 0);
	rdmsr(MSR_VMCR);
	assert_int_equal(edx_eax(), VMCR_SVMDIS | VMCR_LOCK);

	rdmsr(MSR_IGNNE);
	assert_int_equal(edx_eax(), 0);
	rdmsr(MSR_SMMCTL);
	assert_int_equal(edx_eax(), 0);
	rdmsr(MSR_SVMKEY);
	assert_int_equal(edx_eax(), 0);
	assert_int_equal(fv.b.nevents, 0);
}

static void test_msr_amd_hsave(void **state)
{
	(void)state;
	rdmsr(MSR_HSAVE);
	assert_int_equal(edx_eax(), 0);
	assert_int_equal(wrmsr(MSR_HSAVE, HSAVE_VALUE), EXIT_RESUME);
	assert_int_equal(fv.b.nevents, 0);
	rdmsr(MSR_HSAVE);
	assert_int_equal(edx_eax(), HSAVE_VALUE);

	fv.b.regs[REG_RIP] = FAKE_DEFAULT_RIP;
	wrmsr(MSR_HSAVE, HSAVE_MISALIGNED);
	assert_gp0();
	assert_int_equal(rip(), FAKE_DEFAULT_RIP);
	fv.b.nevents = 0;
	rdmsr(MSR_HSAVE);
	assert_int_equal(edx_eax(), HSAVE_VALUE);

	/* Intel's MSRs do not exist on AMD. */
	fv.b.nevents = 0;
	rdmsr(MSR_FEATCTL);
	assert_gp0();
}

static void test_msr_intel_feature_control(void **state)
{
	(void)state;
	assert_int_equal(rdmsr(MSR_FEATCTL), EXIT_RESUME);
	assert_int_equal(edx_eax(), FEATCTL_LOCK);
	assert_int_equal(edx_eax() & FEATCTL_VMX_BITS, 0);
	assert_int_equal(rip(), FAKE_DEFAULT_RIP + WRMSR_LEN);
	assert_int_equal(fv.b.nevents, 0);

	fv.b.regs[REG_RIP] = FAKE_DEFAULT_RIP;
	wrmsr(MSR_FEATCTL, FEATCTL_LOCK | FEATCTL_VMX_BITS);
	assert_gp0();
	assert_int_equal(rip(), FAKE_DEFAULT_RIP);
}

static void test_msr_intel_vmx_caps(void **state)
{
	(void)state;
	assert_int_equal(rdmsr(ARCH_MSR_VMX_BASIC), EXIT_RESUME);
	assert_gp0();
	assert_int_equal(rip(), FAKE_DEFAULT_RIP);
	assert_int_equal(v->gpr[GPR_RAX], JUNK_HIGH); /* destination untouched */
	fv.b.nevents = 0;
	rdmsr(ARCH_MSR_VMX_VMFUNC);
	assert_gp0();
	fv.b.nevents = 0;
	wrmsr(ARCH_MSR_VMX_BASIC, 0);
	assert_gp0();
	/* AMD's MSRs do not exist on Intel. */
	fv.b.nevents = 0;
	rdmsr(MSR_VMCR);
	assert_gp0();
}

/* An MSR no bitmap covers always exits (e.g. a hypervisor's 0x40000000 range): it is not one
 * dbgvisor keeps, so the CPU answers it, a value or #GP, as natively. */
static void test_msr_outside_bitmaps_native(void **state)
{
	(void)state;
	fake_host.safe_msr = MSR_HV_RANGE;
	fake_host.safe_msr_val = HSAVE_VALUE;
	assert_int_equal(rdmsr(MSR_HV_RANGE), EXIT_RESUME);
	assert_int_equal(edx_eax(), HSAVE_VALUE);
	assert_int_equal(rip(), FAKE_DEFAULT_RIP + WRMSR_LEN);
	assert_int_equal(wrmsr(MSR_HV_RANGE, 0), EXIT_RESUME);
	assert_int_equal(fake_host.safe_msr_val, 0);
	assert_int_equal(fv.b.nevents, 0);
	/* One the CPU lacks: #GP, nothing skipped. */
	fv.b.regs[REG_RIP] = FAKE_DEFAULT_RIP;
	rdmsr(MSR_HV_RANGE + 1);
	assert_gp0();
	assert_int_equal(rip(), FAKE_DEFAULT_RIP);
}

/* --- other exits --- */

static void test_virt_insn_ud(void **state)
{
	(void)state;
	assert_int_equal(run_exit(EXIT_VIRT_INSN, 3), EXIT_RESUME);
	assert_one_event(EVENT_HW_EXCEPTION, ARCH_VEC_UD, false, 0);
	assert_int_equal(rip(), FAKE_DEFAULT_RIP);
	assert_int_equal(v->stop.reason, STOP_NONE);
}

static void test_triple_fault(void **state)
{
	(void)state;
	assert_int_equal(run_exit(EXIT_TRIPLE_FAULT, 0), EXIT_STOP);
	assert_int_equal(v->stop.reason, STOP_TRIPLE_FAULT);
}

static enum exit_result run_npf(uint64_t gpa)
{
	struct vcpu_exit e = {.kind = EXIT_NPF};

	e.npf.gpa = gpa;
	e.npf.write = true;
	return exit_dispatch(v, &e);
}

static void test_npf(void **state)
{
	const uint64_t inside[] = {HV_START, HV_START + 0x1234, HV_END - 1};
	const uint64_t outside[] = {HV_START - 1, HV_END, 0xfee00000ull};

	(void)state;
	fake_host.hv_start = HV_START;
	fake_host.hv_end = HV_END;
	for (size_t i = 0; i < NELEMS(inside); i++) {
		v->stop.reason = STOP_NONE;
		assert_int_equal(run_npf(inside[i]), EXIT_STOP);
		assert_int_equal(v->stop.reason, STOP_HV_MEMORY);
		assert_int_equal(v->stop.addr, inside[i]);
	}
	for (size_t i = 0; i < NELEMS(outside); i++) {
		v->stop.reason = STOP_NONE;
		assert_int_equal(run_npf(outside[i]), EXIT_STOP);
		assert_int_equal(v->stop.reason, STOP_BAD_ACCESS);
		assert_int_equal(v->stop.addr, outside[i]);
	}
}

/* OVMF puts 64-bit BARs (an NVMe controller's) near the top of the physical-address space,
 * far above RAM and the tables built at boot: a touch maps that device memory and resumes. */
static void test_npf_device_above_map(void **state)
{
	struct fake_backend *b = fake_of(v);
	unsigned before = b->device_maps;

	(void)state;
	v->stop.reason = STOP_NONE;
	assert_int_equal(run_npf(0xe00000001cull), EXIT_RESUME);
	assert_int_equal(v->stop.reason, STOP_NONE);
	assert_int_equal(b->device_maps, before + 1);
}

static void test_xsetbv(void **state)
{
	(void)state;
	v->gpr[GPR_RCX] = 0;
	v->gpr[GPR_RAX] = XCR0_X87_SSE_AVX | JUNK_HIGH;
	v->gpr[GPR_RDX] = 0;
	fv.b.cpl = 3;
	assert_int_equal(run_exit(EXIT_XSETBV, 3), EXIT_RESUME);
	assert_gp0();
	assert_int_equal(fake_host.xsetbv_calls, 0);
	assert_int_equal(rip(), FAKE_DEFAULT_RIP);

	fv.b.cpl = 0;
	fv.b.nevents = 0;
	assert_int_equal(run_exit(EXIT_XSETBV, 3), EXIT_RESUME);
	assert_int_equal(fv.b.nevents, 0);
	assert_int_equal(fake_host.xsetbv_calls, 1);
	assert_int_equal(fake_host.xsetbv_index, 0);
	assert_int_equal(fake_host.xsetbv_value, XCR0_X87_SSE_AVX);
	assert_int_equal(rip(), FAKE_DEFAULT_RIP + 3);

	/* The CPU refusing the value is the guest's #GP. */
	fake_host.xsetbv_ok = false;
	assert_int_equal(run_exit(EXIT_XSETBV, 3), EXIT_RESUME);
	assert_gp0();
	assert_int_equal(rip(), FAKE_DEFAULT_RIP + 3);
}

static enum exit_result run_exception(uint8_t vector, bool has_error, uint32_t error, uint64_t cr2)
{
	struct vcpu_exit e = {.kind = EXIT_EXCEPTION};

	e.exc.vector = vector;
	e.exc.has_error = has_error;
	e.exc.error = error;
	e.exc.cr2 = cr2;
	return exit_dispatch(v, &e);
}

static void test_exception_reflected(void **state)
{
	const uint32_t gp_error = 0x10, pf_error = 0x6;
	const uint64_t fault_addr = 0xdeadb000ull;

	(void)state;
	assert_int_equal(run_exception(ARCH_VEC_GP, true, gp_error, 0), EXIT_RESUME);
	assert_one_event(EVENT_HW_EXCEPTION, ARCH_VEC_GP, true, gp_error);
	assert_int_equal(fv.b.regs[REG_CR2], 0);
	assert_int_equal(rip(), FAKE_DEFAULT_RIP);

	fv.b.nevents = 0;
	assert_int_equal(run_exception(ARCH_VEC_PF, true, pf_error, fault_addr), EXIT_RESUME);
	assert_one_event(EVENT_HW_EXCEPTION, ARCH_VEC_PF, true, pf_error);
	assert_int_equal(fv.b.regs[REG_CR2], fault_addr);

	fv.b.nevents = 0;
	run_exception(ARCH_VEC_UD, false, 0, 0);
	assert_one_event(EVENT_HW_EXCEPTION, ARCH_VEC_UD, false, 0);
	assert_int_equal(rip(), FAKE_DEFAULT_RIP);
}

static void put_idt_gate(uint64_t gate_addr, bool present)
{
	uint8_t gate[GATE32_SIZE] = {0};

	gate[GATE_ATTR_BYTE] = present ? GATE_P_TYPE_INT32 : GATE_TYPE_INT32;
	fake_mem_put(gate_addr, gate, sizeof(gate));
}

static void test_double_fault_triple(void **state)
{
	const struct vcpu_dtable idt = {.base = IDT_ADDR, .limit = IDT32_LIMIT};
	const struct vcpu_dtable short_idt = {.base = IDT_ADDR, .limit = 8 * GATE32_SIZE - 1};

	(void)state;
	/* A present #DF gate: the #DF is the guest's to handle. */
	fv.b.dtables[DTABLE_IDT] = idt;
	put_idt_gate(IDT_ADDR + ARCH_VEC_DF * GATE32_SIZE, true);
	assert_int_equal(run_exception(ARCH_VEC_DF, true, 0, 0), EXIT_RESUME);
	assert_one_event(EVENT_HW_EXCEPTION, ARCH_VEC_DF, true, 0);

	/* Not present, or past the IDT limit: delivering #DF shuts the CPU down. */
	fv.b.nevents = 0;
	put_idt_gate(IDT_ADDR + ARCH_VEC_DF * GATE32_SIZE, false);
	assert_int_equal(run_exception(ARCH_VEC_DF, true, 0, 0), EXIT_STOP);
	assert_int_equal(v->stop.reason, STOP_TRIPLE_FAULT);
	assert_int_equal(fv.b.nevents, 0);

	v->stop.reason = STOP_NONE;
	put_idt_gate(IDT_ADDR + ARCH_VEC_DF * GATE32_SIZE, true);
	fv.b.dtables[DTABLE_IDT] = short_idt;
	assert_int_equal(run_exception(ARCH_VEC_DF, true, 0, 0), EXIT_STOP);
	assert_int_equal(v->stop.reason, STOP_TRIPLE_FAULT);

	/* Real mode: the IVT entry only has to be inside the limit. */
	v->stop.reason = STOP_NONE;
	fake_mode_real(&fv, 0);
	fv.b.dtables[DTABLE_IDT] = (struct vcpu_dtable){.base = 0, .limit = IVT_LIMIT};
	assert_int_equal(run_exception(ARCH_VEC_DF, false, 0, 0), EXIT_RESUME);
	assert_int_equal(fv.b.nevents, 1);
	fv.b.nevents = 0;
	fv.b.dtables[DTABLE_IDT].limit = ARCH_VEC_DF * IVT_ENTRY - 1;
	assert_int_equal(run_exception(ARCH_VEC_DF, false, 0, 0), EXIT_STOP);
	assert_int_equal(v->stop.reason, STOP_TRIPLE_FAULT);
}

/* Injected faults push RF = 1 like delivered ones; aborts and traps leave RF alone; real mode
 * takes no error code. */
static void test_injected_fault_rf_and_real_mode(void **state)
{
	const uint32_t gp_error = 0x10;

	(void)state;
	assert_int_equal(run_exit(EXIT_VIRT_INSN, 3), EXIT_RESUME);
	assert_one_event(EVENT_HW_EXCEPTION, ARCH_VEC_UD, false, 0);
	assert_int_equal(fv.b.regs[REG_RFLAGS] & ARCH_RF, ARCH_RF);

	fv.b.nevents = 0;
	fv.b.regs[REG_RFLAGS] = RFLAGS_FIXED1;
	fv.b.dtables[DTABLE_IDT] = (struct vcpu_dtable){.base = IDT_ADDR, .limit = IDT32_LIMIT};
	put_idt_gate(IDT_ADDR + ARCH_VEC_DF * GATE32_SIZE, true);
	run_exception(ARCH_VEC_DF, true, 0, 0);
	assert_one_event(EVENT_HW_EXCEPTION, ARCH_VEC_DF, true, 0);
	assert_int_equal(fv.b.regs[REG_RFLAGS] & ARCH_RF, 0); /* #DF is an abort */

	fv.b.nevents = 0;
	fake_mode_real(&fv, 0);
	run_exception(ARCH_VEC_GP, true, gp_error, 0);
	assert_one_event(EVENT_HW_EXCEPTION, ARCH_VEC_GP, false, 0);
	assert_int_equal(fv.b.regs[REG_RFLAGS] & ARCH_RF, 0);
}

/* A task gate for an exception with an error code: the code goes on the new task's stack. */
static void test_task_gate_error_code(void **state)
{
	const uint64_t gdt = 0x4000, old_tss = 0x5000, new_tss = 0x5100;
	const uint32_t new_esp = 0x8000, new_eip = 0x1234, error = 0x1230, eflags = 2;
	struct vcpu_exit e = {.kind = EXIT_TASK_SWITCH};
	uint64_t desc[3] = {0};
	uint32_t pushed = 0;

	(void)state;
	for (unsigned i = 1; i < 3; i++) {
		uint64_t base = i == 1 ? old_tss : new_tss;

		desc[i] = TSS32_LIMIT | (base << 16) | (TSS32_AVAIL_P << 40);
	}
	desc[1] |= TSS32_BUSY_BIT << 40;
	fake_mem_put(gdt, desc, sizeof(desc));
	fake_mem_put(new_tss + TSS32_EIP, &new_eip, sizeof(new_eip));
	fake_mem_put(new_tss + TSS32_EFLAGS, &eflags, sizeof(eflags));
	fake_mem_put(new_tss + TSS32_ESP, &new_esp, sizeof(new_esp));
	fv.b.dtables[DTABLE_GDT] = (struct vcpu_dtable){.base = gdt, .limit = sizeof(desc) - 1};
	fv.b.segs[SEG_TR] =
	    (struct vcpu_segment){.sel = 0x08, .base = old_tss, .limit = TSS32_LIMIT};
	e.task.selector = 0x10;
	e.task.source = TS_GATE;
	e.task.has_error = true;
	e.task.error = error;
	assert_int_equal(exit_dispatch(v, &e), EXIT_RESUME);
	assert_int_equal(rip(), new_eip);
	assert_int_equal(v->gpr[GPR_RSP], new_esp - sizeof(pushed));
	assert_true(fake_host_read_phys(new_esp - sizeof(pushed), &pushed, sizeof(pushed)));
	assert_int_equal(pushed, error);
	assert_int_equal(fv.b.segs[SEG_TR].sel, 0x10);
}

static void test_sw_int_reflected(void **state)
{
	const uint8_t int80[] = {0xcd, 0x80};
	struct vcpu_exit e = {.kind = EXIT_SW_INT};

	(void)state;
	e.swint.vector = 0x80;
	fake_mem_put(FAKE_DEFAULT_RIP, int80, sizeof(int80));
	assert_int_equal(exit_dispatch(v, &e), EXIT_RESUME);
	assert_one_event(EVENT_SW_INT, 0x80, false, 0);
	assert_int_equal(fv.b.events[0].insn_len, sizeof(int80));
	assert_int_equal(rip(), FAKE_DEFAULT_RIP);
}

static void test_stops_and_passive_exits(void **state)
{
	const enum exit_kind passive[] = {EXIT_INIT, EXIT_SIPI, EXIT_TIMER, EXIT_EXT_INTR};
	struct vcpu_exit e = {.kind = EXIT_ENTRY_FAILED};

	(void)state;
	for (size_t i = 0; i < NELEMS(passive); i++) {
		assert_int_equal(run_exit(passive[i], 2), EXIT_RESUME);
		assert_int_equal(rip(), FAKE_DEFAULT_RIP);
	}
	assert_int_equal(fv.b.nevents, 0);
	/* No debugger kicked us: an intercepted NMI is the guest's and goes back to it. */
	assert_int_equal(run_exit(EXIT_NMI, 2), EXIT_RESUME);
	assert_int_equal(fv.b.nevents, 0); /* latched: delivered before the next entry */
	nmi_before_entry(v);
	assert_one_event(EVENT_NMI, ARCH_VEC_NMI, false, 0);
	assert_int_equal(rip(), FAKE_DEFAULT_RIP);
	fv.b.nevents = 0;

	assert_int_equal(run_exit(EXIT_INVD, 2), EXIT_RESUME);
	assert_int_equal(rip(), FAKE_DEFAULT_RIP + 2);

	e.fail.detail = "bad guest state";
	assert_int_equal(exit_dispatch(v, &e), EXIT_STOP);
	assert_int_equal(v->stop.reason, STOP_ENTRY_FAILED);
	assert_string_equal(v->stop.detail, "bad guest state");
}

/* An exit no rule covers stops the guest, named by its raw code and the manual's name. */
static void test_unhandled_exit_named(void **state)
{
	struct vcpu_exit e = {.kind = EXIT_UNHANDLED, .raw_reason = 12, .raw_name = "HLT"};

	(void)state;
	assert_int_equal(exit_dispatch(v, &e), EXIT_STOP);
	assert_int_equal(v->stop.reason, STOP_UNHANDLED_EXIT);
	assert_string_equal(v->stop.detail, "fake exit 12: HLT");
	assert_int_equal(fv.b.nevents, 0);

	/* CR3 and CR8 exits, and CR reads, are never enabled: no rule pretends to handle them. */
	e = (struct vcpu_exit){.kind = EXIT_CR_ACCESS, .raw_reason = 28, .raw_name = "CR access"};
	e.cr.cr = 3;
	e.cr.type = CR_MOV_TO;
	assert_int_equal(exit_dispatch(v, &e), EXIT_STOP);
	assert_string_equal(v->stop.detail, "fake exit 28: CR access");
	e.cr.cr = 0;
	e.cr.type = CR_MOV_FROM;
	assert_int_equal(exit_dispatch(v, &e), EXIT_STOP);
	assert_string_equal(v->stop.detail, "fake exit 28: CR access");
}

/* An exception the hypervisor took right after a VM exit is a guest stop that says what,
 * where in the hypervisor, after which exit and at which guest RIP (issue 12, point 4). */
static void test_hv_fault_is_guest_stop(void **state)
{
	struct vcpu_exit e = {.kind = EXIT_HV_FAULT, .raw_reason = 0x72, .raw_name = "CPUID"};

	(void)state;
	e.hv.vector = ARCH_VEC_PF;
	e.hv.name = "#PF page fault";
	e.hv.error = 2;
	e.hv.cr2 = 0xfffffffffffffff8ull;
	e.hv.host_rip = 0xffffffff80212989ull;
	fv.b.regs[REG_RIP] = 0x100123;
	assert_int_equal(exit_dispatch(v, &e), EXIT_STOP);
	assert_int_equal(v->stop.reason, STOP_HV_FAULT);
	assert_string_equal(
	    v->stop.detail,
	    "exception 14 (#PF page fault), error code 0x2, CR2 0xfffffffffffffff8, "
	    "at host RIP 0xffffffff80212989; last exit fake exit 114: CPUID, guest "
	    "RIP 0x100123");
	assert_int_equal(fv.b.nevents, 0);
	assert_string_equal(vcpu_stop_reason_name(STOP_HV_FAULT),
			    "exception in the hypervisor after a VM exit");
}

/* --- intercept set-up --- */

static void assert_port_intercepts(void)
{
	for (uint16_t p = GDB_PORT; p < GDB_PORT + UART_PORT_SPAN; p++)
		assert_true(fv.b.io_intercept[p]);
	assert_true(fv.b.io_intercept[QEMU_EXIT]);
	assert_true(fv.b.io_intercept[BOCHS_PORT]);
	assert_int_equal(fake_io_intercept_count(&fv), UART_PORT_SPAN + 2);
	assert_true(fv.b.exc_intercepts & (1u << ARCH_VEC_DF)); /* to see triple faults */
}

static void test_intercepts_amd(void **state)
{
	const uint32_t msrs[] = {ARCH_MSR_EFER, MSR_VMCR,  MSR_IGNNE,
				 MSR_SMMCTL,	MSR_HSAVE, MSR_SVMKEY};

	(void)state;
	exit_setup_intercepts(v);
	assert_port_intercepts();
	for (size_t i = 0; i < NELEMS(msrs); i++)
		assert_true(fake_msr_intercepted(&fv, msrs[i]));
	assert_false(fake_msr_intercepted(&fv, MSR_FEATCTL));
}

static void test_intercepts_intel(void **state)
{
	(void)state;
	exit_setup_intercepts(v);
	assert_port_intercepts();
	assert_true(fake_msr_intercepted(&fv, ARCH_MSR_EFER));
	assert_true(fake_msr_intercepted(&fv, MSR_FEATCTL));
	for (uint32_t m = ARCH_MSR_VMX_BASIC; m <= ARCH_MSR_VMX_VMFUNC; m++)
		assert_true(fake_msr_intercepted(&fv, m));
	assert_false(fake_msr_intercepted(&fv, MSR_VMCR));
	assert_false(fake_msr_intercepted(&fv, MSR_HSAVE));
}

static void test_intercepts_without_gdb_port(void **state)
{
	(void)state;
	fake_vcpu_init(&fv, false, 0);
	exit_setup_intercepts(v);
	assert_true(fv.b.io_intercept[QEMU_EXIT]);
	assert_true(fv.b.io_intercept[BOCHS_PORT]);
	assert_int_equal(fake_io_intercept_count(&fv), 2);
	assert_false(fv.b.io_intercept[0]);

	/* Without a GDB port, port 0 and up are ordinary ports. */
	fake_host.port_in_value = 0x42;
	run_io(0, 1, true, IN_DX_LEN);
	assert_int_equal(fake_host.nins, 1);
	assert_int_equal(v->gpr[GPR_RAX] & 0xff, 0x42);
}

#define INTEL(t) cmocka_unit_test_setup(t, setup_intel)
#define AMD(t)	 cmocka_unit_test_setup(t, setup_amd)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    INTEL(test_cpuid_leaf1),
	    AMD(test_cpuid_leaf7_ospke),
	    AMD(test_cpuid_ext_hides_svm),
	    INTEL(test_cpuid_hv_leaf),
	    INTEL(test_cpuid_syscall_follows_guest_mode),
	    AMD(test_cpuid_syscall_follows_guest_mode),
	    INTEL(test_cpuid_decoded_length),
	    INTEL(test_cpuid_undecodable_stops),
	    INTEL(test_cpuid_at_end_of_memory),
	    INTEL(test_rip_no_16bit_wrap),
	    INTEL(test_cr0_leave_pe_keeps_eip),
	    INTEL(test_rip_width_32_and_64),
	    INTEL(test_complete_clears_rf_and_shadow),
	    INTEL(test_complete_single_step),
	    INTEL(test_io_gdb_port_in),
	    AMD(test_io_gdb_port_out_dropped),
	    INTEL(test_io_other_ports_forwarded),
	    AMD(test_io_pm1a_power_off),
	    INTEL(test_io_decoded_length),
	    INTEL(test_io_qemu_exit),
	    AMD(test_io_bochs_shutdown),
	    INTEL(test_io_bochs_interrupted),
	    INTEL(test_io_string_gdb_port),
	    INTEL(test_io_breakpoint_emulated_in),
	    INTEL(test_io_string_data_breakpoint),
	    INTEL(test_step_exec_boundary),
	    INTEL(test_step_pending_mov_ss),
	    AMD(test_io_string_ins_gdb_port),
	    AMD(test_io_string_address_size),
	    AMD(test_io_string_addr32_prefix),
	    AMD(test_msr_efer_read_hides_svme),
	    AMD(test_msr_efer_write_svme_gp),
	    INTEL(test_msr_efer_lme_with_paging),
	    AMD(test_msr_efer_valid_write_keeps_lma),
	    INTEL(test_msr_efer_vendor_bits),
	    AMD(test_msr_amd_vm_cr),
	    AMD(test_msr_amd_hsave),
	    INTEL(test_msr_intel_feature_control),
	    INTEL(test_msr_intel_vmx_caps),
	    AMD(test_msr_outside_bitmaps_native),
	    INTEL(test_msr_outside_bitmaps_native),
	    INTEL(test_virt_insn_ud),
	    AMD(test_triple_fault),
	    INTEL(test_npf),
	    INTEL(test_npf_device_above_map),
	    AMD(test_xsetbv),
	    INTEL(test_exception_reflected),
	    AMD(test_double_fault_triple),
	    INTEL(test_injected_fault_rf_and_real_mode),
	    INTEL(test_task_gate_error_code),
	    INTEL(test_unhandled_exit_named),
	    AMD(test_hv_fault_is_guest_stop),
	    INTEL(test_sw_int_reflected),
	    INTEL(test_stops_and_passive_exits),
	    AMD(test_intercepts_amd),
	    INTEL(test_intercepts_intel),
	    INTEL(test_intercepts_without_gdb_port),
	};

	return cmocka_run_group_tests_name("exit", tests, NULL, NULL);
}
