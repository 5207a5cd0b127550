/* diff_insns.h - diff_insns' CPL 3 routines and its port and MSR choices (one program). */
#ifndef DIFF_INSNS_H
#define DIFF_INSNS_H

#include <stdint.h>

#ifdef __x86_64__
#define DI_AX "%rax"
#define DI_SP "%rsp"
#else
#define DI_AX "%eax"
#define DI_SP "%esp"
#endif

/*
 * CPL 3 routines for guest_try_user: each ends in an exception. The first instruction is the
 * one under test; HLT after it (#GP at CPL 3) ends the routines whose first one does not
 * fault. A misaligned load from the user stack raises #AC with CR0.AM and RFLAGS.AC.
 */
#define DI_USER(name, insn) ".globl di_u_" #name "\n.p2align 4\ndi_u_" #name ": " insn "\n hlt\n"
/* clang-format off */
__asm__(".text\n"
	DI_USER(misaligned, "mov -7(" DI_SP "), %eax")
	DI_USER(rdtsc, "rdtsc")
	DI_USER(rdtscp, "rdtscp")
	DI_USER(rdpmc, "xor %ecx, %ecx\n rdpmc")
	DI_USER(sgdt, "sgdt -16(" DI_SP ")")
	DI_USER(smsw, "smsw %ax")
	DI_USER(str, "str %ax")
	DI_USER(cpuid, "xor %eax, %eax\n cpuid")
	DI_USER(in_com2, "mov $0x2f8, %dx\n in %dx, %al")
	DI_USER(in_80, "in $0x80, %al")
	DI_USER(out_80, "out %al, $0x80")
	DI_USER(int3, "int3")
	DI_USER(int3_cd, "int $3")
	DI_USER(icebp, ".byte 0xf1")
	DI_USER(int80, "int $0x80")
	DI_USER(movdr7, "mov %dr7, " DI_AX)
	DI_USER(movdr0w, "mov " DI_AX ", %dr0")
	DI_USER(rdmsr, "mov $0x10, %ecx\n rdmsr")
	DI_USER(wrmsr_efer, "mov $0xc0000080, %ecx\n wrmsr")
	DI_USER(xgetbv, "xor %ecx, %ecx\n xgetbv")
	DI_USER(xsetbv, "xor %ecx, %ecx\n mov $1, %eax\n xor %edx, %edx\n xsetbv")
	DI_USER(invd, "invd")
	DI_USER(wbinvd, "wbinvd")
	DI_USER(clts, "clts")
	DI_USER(movcr0, "mov %cr0, " DI_AX)
	DI_USER(vmmcall, "vmmcall")
	DI_USER(vmcall, "vmcall")
	DI_USER(cli, "cli")
	DI_USER(ud2, "ud2")
	DI_USER(nop, "nop"));
/* clang-format on */

#define DI_DECL(name) void di_u_##name(void)
DI_DECL(misaligned);
DI_DECL(rdtsc);
DI_DECL(rdtscp);
DI_DECL(rdpmc);
DI_DECL(sgdt);
DI_DECL(smsw);
DI_DECL(str);
DI_DECL(cpuid);
DI_DECL(in_com2);
DI_DECL(in_80);
DI_DECL(out_80);
DI_DECL(int3);
DI_DECL(int3_cd);
DI_DECL(icebp);
DI_DECL(int80);
DI_DECL(movdr7);
DI_DECL(movdr0w);
DI_DECL(rdmsr);
DI_DECL(wrmsr_efer);
DI_DECL(xgetbv);
DI_DECL(xsetbv);
DI_DECL(invd);
DI_DECL(wbinvd);
DI_DECL(clts);
DI_DECL(movcr0);
DI_DECL(vmmcall);
DI_DECL(vmcall);
DI_DECL(cli);
DI_DECL(ud2);
DI_DECL(nop);

struct di_user {
	const char *name;
	void (*fn)(void);
};

#define DI_U(name)                                                                                 \
	{                                                                                          \
#name, di_u_##name                                                                 \
	}
static const struct di_user di_users[] = {
    DI_U(misaligned), DI_U(rdtsc),   DI_U(rdtscp),  DI_U(rdpmc),  DI_U(sgdt),	 DI_U(smsw),
    DI_U(str),	      DI_U(cpuid),   DI_U(in_com2), DI_U(in_80),  DI_U(out_80),	 DI_U(int3),
    DI_U(int3_cd),    DI_U(icebp),   DI_U(int80),   DI_U(movdr7), DI_U(movdr0w), DI_U(rdmsr),
    DI_U(wrmsr_efer), DI_U(xgetbv),  DI_U(xsetbv),  DI_U(invd),	  DI_U(wbinvd),	 DI_U(clts),
    DI_U(movcr0),     DI_U(vmmcall), DI_U(vmcall),  DI_U(cli),	  DI_U(ud2),	 DI_U(nop),
};

/* MSR index ranges the trials draw from: [first, first + span). */
struct di_range {
	uint32_t first, span;
};

static const struct di_range di_msr_ranges[] = {
    {0x00000000, 0x1000},
    {0xc0000000, 0x1100},
    {0x40000000, 0x100},
    {0xc0010000, 0x200},
};

/* Architectural and vendor MSRs that exist somewhere: half the draws come from here. */
static const uint32_t di_msr_known[] = {
    0x10,	0x1b,	    0x2a,	0x3a,	    0x3b,	0x48,	    0x8b,	0xfe,
    0x174,	0x175,	    0x176,	0x179,	    0x17a,	0x17b,	    0x1a0,	0x1d9,
    0x1db,	0x1dc,	    0x1dd,	0x1de,	    0x200,	0x201,	    0x250,	0x258,
    0x259,	0x268,	    0x26f,	0x277,	    0x2ff,	0x400,	    0x401,	0x402,
    0x403,	0x480,	    0x481,	0x48b,	    0x491,	0x6e0,	    0xda0,	0xc0000080,
    0xc0000081, 0xc0000082, 0xc0000083, 0xc0000084, 0xc0000100, 0xc0000101, 0xc0000102, 0xc0000103,
    0xc0000104, 0xc0010010, 0xc0010015, 0xc0010114, 0xc0010115, 0xc0010116, 0xc0010117, 0xc0010118,
    0xc0010140, 0xc0010141, 0x40000000, 0x40000001, 0x4b564d00, 0x4b564d01,
};

#endif
