/* x86.h - thin inline wrappers for the x86 instructions the hypervisor core uses. */
#ifndef DBGVISOR_X86_H
#define DBGVISOR_X86_H

#include <stdbool.h>
#include <stdint.h>

/* Control register bits (Intel SDM vol. 3A, 2.5). */
#define CR0_PE	 (1ull << 0)
#define CR0_TS	 (1ull << 3)
#define CR0_ET	 (1ull << 4)
#define CR0_NW	 (1ull << 29)
#define CR0_CD	 (1ull << 30)
#define CR0_PG	 (1ull << 31)
#define CR4_DE	 (1ull << 3)
#define CR4_PSE	 (1ull << 4)
#define CR4_PAE	 (1ull << 5)
#define CR4_LA57 (1ull << 12)
#define CR4_VMXE (1ull << 13)

/* RFLAGS bits (SDM vol. 1, 3.4.3). */
#define RFLAGS_FIXED1 (1ull << 1)
#define RFLAGS_TF     (1ull << 8)
#define RFLAGS_IF     (1ull << 9)
#define RFLAGS_NT     (1ull << 14)
#define RFLAGS_RF     (1ull << 16)
#define RFLAGS_VM     (1ull << 17)

/* MSRs used by the core (SDM vol. 4; AMD APM vol. 2, appendix A). */
#define MSR_IA32_FEATURE_CONTROL 0x3a
#define MSR_EFER		 0xc0000080
#define MSR_STAR		 0xc0000081 /* then LSTAR, CSTAR, SFMASK (0xc0000084) */
#define MSR_LSTAR		 0xc0000082
#define MSR_CSTAR		 0xc0000083
#define MSR_SFMASK		 0xc0000084
#define MSR_KERNEL_GS_BASE	 0xc0000102
#define MSR_VM_CR		 0xc0010114
#define MSR_VM_HSAVE_PA		 0xc0010117

#define EFER_SCE  (1ull << 0)
#define EFER_LME  (1ull << 8)
#define EFER_LMA  (1ull << 10)
#define EFER_NXE  (1ull << 11)
#define EFER_SVME (1ull << 12)

/* Canonical for 4-level (48-bit) or, with CR4.LA57, 5-level (57-bit) paging: the bits above
 * the width copy its top bit (SDM vol. 1, 3.3.7.1). */
static inline bool x86_is_canonical(uint64_t va, bool la57)
{
	unsigned width = la57 ? 57 : 48;

	return (uint64_t)((int64_t)(va << (64 - width)) >> (64 - width)) == va;
}

struct cpuid_regs {
	uint32_t eax, ebx, ecx, edx;
};

static inline void x86_cpuid(uint32_t leaf, uint32_t subleaf, struct cpuid_regs *r)
{
	__asm__ volatile("cpuid"
			 : "=a"(r->eax), "=b"(r->ebx), "=c"(r->ecx), "=d"(r->edx)
			 : "a"(leaf), "c"(subleaf));
}

static inline uint64_t x86_rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void x86_wrmsr(uint32_t msr, uint64_t val)
{
	__asm__ volatile("wrmsr" ::"c"(msr), "a"((uint32_t)val), "d"((uint32_t)(val >> 32))
			 : "memory");
}

/* x86_in{b,w,l} and x86_out{b,w,l}: port I/O of 1, 2 and 4 bytes. */
#define X86_PORT_IO(sfx, type)                                                                     \
	static inline void x86_out##sfx(uint16_t port, type v)                                     \
	{                                                                                          \
		__asm__ volatile("out" #sfx " %0, %1" ::"a"(v), "Nd"(port));                       \
	}                                                                                          \
	static inline type x86_in##sfx(uint16_t port)                                              \
	{                                                                                          \
		type v;                                                                            \
		__asm__ volatile("in" #sfx " %1, %0" : "=a"(v) : "Nd"(port));                      \
		return v;                                                                          \
	}
X86_PORT_IO(b, uint8_t)
X86_PORT_IO(w, uint16_t)
X86_PORT_IO(l, uint32_t)
#undef X86_PORT_IO

/* x86_read_crN / x86_write_crN, and the same for the debug registers (prefix "db"). */
#define X86_MOV_REG(name, reg)                                                                     \
	static inline uint64_t x86_read_##name(void)                                               \
	{                                                                                          \
		uint64_t v;                                                                        \
		__asm__ volatile("mov %%" reg ", %0" : "=r"(v));                                   \
		return v;                                                                          \
	}                                                                                          \
	static inline void x86_write_##name(uint64_t v)                                            \
	{                                                                                          \
		__asm__ volatile("mov %0, %%" reg ::"r"(v) : "memory");                            \
	}
X86_MOV_REG(cr0, "cr0")
X86_MOV_REG(cr2, "cr2")
X86_MOV_REG(cr3, "cr3")
X86_MOV_REG(cr4, "cr4")
X86_MOV_REG(dr0, "db0")
X86_MOV_REG(dr1, "db1")
X86_MOV_REG(dr2, "db2")
X86_MOV_REG(dr3, "db3")
X86_MOV_REG(dr6, "db6")
X86_MOV_REG(dr7, "db7")
#undef X86_MOV_REG

static inline uint64_t x86_read_rflags(void)
{
	uint64_t v;
	__asm__ volatile("pushfq; popq %0" : "=r"(v));
	return v;
}

static inline void x86_clear_tf(void)
{
	__asm__ volatile("pushfq; andq %0, (%%rsp); popfq" ::"i"(~RFLAGS_TF) : "memory", "cc");
}

struct __attribute__((packed)) x86_dtr {
	uint16_t limit;
	uint64_t base;
};

/* x86_lgdt/x86_sgdt and x86_lidt/x86_sidt: load and store GDTR and IDTR. */
#define X86_DTR(table)                                                                             \
	static inline void x86_l##table(const struct x86_dtr *d)                                   \
	{                                                                                          \
		__asm__ volatile("l" #table " %0" ::"m"(*d));                                      \
	}                                                                                          \
	static inline void x86_s##table(struct x86_dtr *d)                                         \
	{                                                                                          \
		__asm__ volatile("s" #table " %0" : "=m"(*d));                                     \
	}
X86_DTR(gdt)
X86_DTR(idt)
#undef X86_DTR

static inline void x86_ltr(uint16_t sel)
{
	__asm__ volatile("ltr %0" ::"r"(sel));
}

static inline void x86_cli(void)
{
	__asm__ volatile("cli" ::: "memory");
}

static inline void x86_hlt(void)
{
	__asm__ volatile("hlt" ::: "memory");
}

static inline uint64_t x86_rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static inline void x86_pause(void)
{
	__asm__ volatile("pause");
}

#endif
