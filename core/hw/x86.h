/* x86.h - thin inline wrappers for the x86 instructions the hypervisor core uses. */
#ifndef DBGVISOR_X86_H
#define DBGVISOR_X86_H

#include <stdint.h>

/* Control register bits (Intel SDM vol. 3A, 2.5). */
#define CR0_PE	   (1ull << 0)
#define CR0_MP	   (1ull << 1)
#define CR0_ET	   (1ull << 4)
#define CR0_NE	   (1ull << 5)
#define CR0_WP	   (1ull << 16)
#define CR0_PG	   (1ull << 31)
#define CR4_DE	   (1ull << 3)
#define CR4_PAE	   (1ull << 5)
#define CR4_PGE	   (1ull << 7)
#define CR4_OSFXSR (1ull << 9)
#define CR4_VMXE   (1ull << 13)

/* RFLAGS bits (SDM vol. 1, 3.4.3). */
#define RFLAGS_FIXED1 (1ull << 1)
#define RFLAGS_TF     (1ull << 8)
#define RFLAGS_IF     (1ull << 9)
#define RFLAGS_RF     (1ull << 16)

/* MSRs used by the core (SDM vol. 4; AMD APM vol. 2, appendix A). */
#define MSR_IA32_FEATURE_CONTROL 0x3a
#define MSR_IA32_DEBUGCTL	 0x1d9
#define MSR_EFER		 0xc0000080
#define MSR_FS_BASE		 0xc0000100
#define MSR_GS_BASE		 0xc0000101
#define MSR_VM_CR		 0xc0010114
#define MSR_VM_HSAVE_PA		 0xc0010117

#define EFER_SCE  (1ull << 0)
#define EFER_LME  (1ull << 8)
#define EFER_LMA  (1ull << 10)
#define EFER_NXE  (1ull << 11)
#define EFER_SVME (1ull << 12)

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

static inline void x86_outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port));
}

static inline uint8_t x86_inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void x86_outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" ::"a"(v), "Nd"(port));
}

static inline uint16_t x86_inw(uint16_t port)
{
	uint16_t v;
	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void x86_outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" ::"a"(v), "Nd"(port));
}

static inline uint32_t x86_inl(uint16_t port)
{
	uint32_t v;
	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void x86_xsetbv(uint32_t index, uint64_t val)
{
	__asm__ volatile("xsetbv" ::"c"(index), "a"((uint32_t)val), "d"((uint32_t)(val >> 32)));
}

#define X86_READ_CR(n)                                                                             \
	static inline uint64_t x86_read_cr##n(void)                                                \
	{                                                                                          \
		uint64_t v;                                                                        \
		__asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));                                  \
		return v;                                                                          \
	}
X86_READ_CR(0)
X86_READ_CR(2)
X86_READ_CR(3)
X86_READ_CR(4)
#undef X86_READ_CR

static inline void x86_write_cr0(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr0" ::"r"(v) : "memory");
}

static inline void x86_write_cr2(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr2" ::"r"(v) : "memory");
}

static inline void x86_write_cr3(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr3" ::"r"(v) : "memory");
}

static inline void x86_write_cr4(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr4" ::"r"(v) : "memory");
}

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

static inline uint64_t x86_rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

struct __attribute__((packed)) x86_dtr {
	uint16_t limit;
	uint64_t base;
};

static inline void x86_lgdt(const struct x86_dtr *d)
{
	__asm__ volatile("lgdt %0" ::"m"(*d));
}

static inline void x86_lidt(const struct x86_dtr *d)
{
	__asm__ volatile("lidt %0" ::"m"(*d));
}

static inline void x86_sgdt(struct x86_dtr *d)
{
	__asm__ volatile("sgdt %0" : "=m"(*d));
}

static inline void x86_sidt(struct x86_dtr *d)
{
	__asm__ volatile("sidt %0" : "=m"(*d));
}

static inline void x86_ltr(uint16_t sel)
{
	__asm__ volatile("ltr %0" ::"r"(sel));
}

static inline uint16_t x86_str(void)
{
	uint16_t sel;
	__asm__ volatile("str %0" : "=r"(sel));
	return sel;
}

static inline void x86_cli(void)
{
	__asm__ volatile("cli" ::: "memory");
}

static inline void x86_hlt(void)
{
	__asm__ volatile("hlt" ::: "memory");
}

static inline void x86_pause(void)
{
	__asm__ volatile("pause");
}

static inline void x86_invlpg(uint64_t va)
{
	__asm__ volatile("invlpg (%0)" ::"r"(va) : "memory");
}

#define X86_READ_DR(n)                                                                             \
	static inline uint64_t x86_read_dr##n(void)                                                \
	{                                                                                          \
		uint64_t v;                                                                        \
		__asm__ volatile("mov %%db" #n ", %0" : "=r"(v));                                  \
		return v;                                                                          \
	}                                                                                          \
	static inline void x86_write_dr##n(uint64_t v)                                             \
	{                                                                                          \
		__asm__ volatile("mov %0, %%db" #n ::"r"(v));                                      \
	}
X86_READ_DR(0)
X86_READ_DR(1)
X86_READ_DR(2)
X86_READ_DR(3)
X86_READ_DR(6)
X86_READ_DR(7)
#undef X86_READ_DR

#endif
