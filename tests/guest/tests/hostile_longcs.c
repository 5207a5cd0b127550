/* hostile_longcs.c - IRETQ to a code segment with L and D both set: #GP on hardware; QEMU 7.2
 * loads it, and then its VMRUN refuses the VMCB, which dbgvisor must report by name. */
#include <stdint.h>

#include "tests/guest/lib/guest.h"
#include "tests/guest/lib/x86g.h"

#ifdef GUEST_64BIT

#define CS_LD	   0x20			 /* the lab descriptor's selector */
#define DESC_CS_LD 0x00ef9b000000ffffull /* G, D, L; present DPL 0 code; flat */
#define GDT_SLOTS  5

static uint64_t gdt[GDT_SLOTS] __attribute__((aligned(16)));

/* IRETQ into CS_LD; there CPUID (an exit on every hypervisor), then LRETQ back. */
static void iret_to_cs_ld(void *arg)
{
	(void)arg;
	__asm__ volatile("mov %%rsp, %%rax\n push %[ss]\n push %%rax\n pushfq\n push %[cs]\n"
			 " lea 1f(%%rip), %%rax\n push %%rax\n iretq\n"
			 "1: xor %%eax, %%eax\n cpuid\n"
			 " lea 2f(%%rip), %%rax\n push %[code]\n push %%rax\n lretq\n2:\n"
			 :
			 : [ss] "i"(GUEST_DATA_SEL), [cs] "i"(CS_LD), [code] "i"(GUEST_CODE_SEL)
			 : "rax", "rbx", "rcx", "rdx", "memory");
}

int test_main(void)
{
	struct x86g_dtr old = x86g_sgdt(), d = {.limit = sizeof(gdt) - 1, .base = (uintptr_t)gdt};
	struct gfault f;

	memcpy(gdt, (const void *)old.base, old.limit + 1u);
	gdt[CS_LD / 8] = DESC_CS_LD;
	__asm__ volatile("lgdt %0" ::"m"(d) : "memory");
	gprintf("IRETQ to a code segment with L and D set\n");
	if (guest_try(iret_to_cs_ld, NULL, &f))
		gprintf("IRETQ raised vector %d, error code 0x%lx\n", f.vector,
			(unsigned long)f.error);
	else
		gprintf("deviation: IRETQ loaded the segment and CPUID ran there\n");
	__asm__ volatile("lgdt %0" ::"m"(old) : "memory");
	guest_finish();
}

#else

int test_main(void)
{
	gprintf("IRETQ: long mode only\n");
	guest_finish();
}

#endif
