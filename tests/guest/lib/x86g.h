/* x86g.h - inline-asm helpers for guest programs: port I/O, CPUID, MSRs, flags, halting. */
#ifndef GUEST_X86G_H
#define GUEST_X86G_H

#include <stdint.h>

/* EFLAGS/RFLAGS bits guest tests commonly inspect or set in an interrupt frame. */
#define X86G_FLAGS_CF (1u << 0)
#define X86G_FLAGS_TF (1u << 8)
#define X86G_FLAGS_IF (1u << 9)
#define X86G_FLAGS_DF (1u << 10)
#define X86G_FLAGS_RF (1u << 16)

/* Stack pointer name for tiny asm sequences valid in both variants: "(%%" X86G_SP_REG ")". */
#ifdef __x86_64__
#define X86G_SP_REG "rsp"
#else
#define X86G_SP_REG "esp"
#endif

struct x86g_cpuid {
	uint32_t eax, ebx, ecx, edx;
};

static inline struct x86g_cpuid x86g_cpuid(uint32_t leaf, uint32_t subleaf)
{
	struct x86g_cpuid r;

	__asm__ volatile("cpuid"
			 : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
			 : "a"(leaf), "c"(subleaf));
	return r;
}

static inline uint64_t x86g_rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void x86g_wrmsr(uint32_t msr, uint64_t value)
{
	__asm__ volatile("wrmsr" ::"c"(msr), "a"((uint32_t)value), "d"((uint32_t)(value >> 32)));
}

static inline uint8_t x86g_inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void x86g_outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port));
}

static inline uint16_t x86g_inw(uint16_t port)
{
	uint16_t v;

	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void x86g_outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" ::"a"(v), "Nd"(port));
}

static inline uint32_t x86g_inl(uint16_t port)
{
	uint32_t v;

	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void x86g_outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" ::"a"(v), "Nd"(port));
}

static inline uintptr_t x86g_read_flags(void)
{
	uintptr_t f;

	__asm__ volatile("pushf; pop %0" : "=r"(f));
	return f;
}

static inline uintptr_t x86g_read_cr2(void)
{
	uintptr_t v;

	__asm__ volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

/* Descriptor-table register image for LIDT/SIDT/LGDT/SGDT. */
struct x86g_dtr {
	uint16_t limit;
	uintptr_t base;
} __attribute__((packed));

static inline void x86g_lidt(const struct x86g_dtr *d)
{
	__asm__ volatile("lidt %0" ::"m"(*d) : "memory");
}

static inline struct x86g_dtr x86g_sidt(void)
{
	struct x86g_dtr d;

	__asm__ volatile("sidt %0" : "=m"(d));
	return d;
}

static inline struct x86g_dtr x86g_sgdt(void)
{
	struct x86g_dtr d;

	__asm__ volatile("sgdt %0" : "=m"(d));
	return d;
}

static inline void x86g_pause(void)
{
	__asm__ volatile("pause");
}

static inline void x86g_cli(void)
{
	__asm__ volatile("cli" ::: "memory");
}

/* Stop for good: interrupts off, halt forever (an NMI would only resume into the loop). */
static inline __attribute__((noreturn)) void x86g_halt_forever(void)
{
	for (;;)
		__asm__ volatile("cli; hlt" ::: "memory");
}

/* Time-stamp counter (SDM vol. 2B, RDTSC); under icount/Bochs one tick per instruction. */
static inline uint64_t x86g_rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

#endif
