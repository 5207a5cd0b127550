/* hostile_insns.c - every SVM and VMX instruction must raise #UD in the guest's own handler. */
#include <stdbool.h>
#include <stdint.h>

#include "tests/guest/lib/guest.h"
#include "tests/guest/lib/x86g.h"

#define ZERO_PAGE_SIZE 4096
#define INVLPGA_ASID   0 /* ECX for INVLPGA */
#define INVEPT_TYPE    1 /* single-context: a valid type, so only "VMX is off" can refuse it */
#define CHECK_NAME_MAX 48

/* Operand for the instructions that take a memory operand or a physical address in rAX. */
static uint8_t zero_page[ZERO_PAGE_SIZE] __attribute__((aligned(ZERO_PAGE_SIZE)));

/* AMD SVM: rAX holds a (zeroed) VMCB/save-area address or a linear address to invalidate. */
static void do_vmrun(void *p)
{
	__asm__ volatile("vmrun" ::"a"(p) : "memory");
}

static void do_vmmcall(void *p)
{
	(void)p;
	__asm__ volatile("vmmcall" ::: "memory");
}

static void do_vmload(void *p)
{
	__asm__ volatile("vmload" ::"a"(p) : "memory");
}

static void do_vmsave(void *p)
{
	__asm__ volatile("vmsave" ::"a"(p) : "memory");
}

static void do_stgi(void *p)
{
	(void)p;
	__asm__ volatile("stgi" ::: "memory");
}

static void do_clgi(void *p)
{
	(void)p;
	__asm__ volatile("clgi" ::: "memory");
}

static void do_skinit(void *p)
{
	__asm__ volatile("skinit" ::"a"(p) : "memory");
}

static void do_invlpga(void *p)
{
	__asm__ volatile("invlpga" ::"a"(p), "c"(INVLPGA_ASID) : "memory");
}

/* Intel VMX: the region/VMCS operands are the 64-bit physical address of the zeroed page. */
static uint64_t zero_page_pa;

static void do_vmxon(void *p)
{
	__asm__ volatile("vmxon %0" ::"m"(*(uint64_t *)p) : "memory");
}

static void do_vmcall(void *p)
{
	(void)p;
	__asm__ volatile("vmcall" ::: "memory");
}

static void do_vmptrld(void *p)
{
	__asm__ volatile("vmptrld %0" ::"m"(*(uint64_t *)p) : "memory");
}

static void do_vmclear(void *p)
{
	__asm__ volatile("vmclear %0" ::"m"(*(uint64_t *)p) : "memory");
}

static void do_vmlaunch(void *p)
{
	(void)p;
	__asm__ volatile("vmlaunch" ::: "memory", "cc");
}

static void do_vmresume(void *p)
{
	(void)p;
	__asm__ volatile("vmresume" ::: "memory", "cc");
}

static void do_vmxoff(void *p)
{
	(void)p;
	__asm__ volatile("vmxoff" ::: "memory", "cc");
}

/* INVEPT type, m128 descriptor: the zeroed page is an all-zero descriptor. */
static void do_invept(void *p)
{
	uintptr_t type = INVEPT_TYPE;

	__asm__ volatile("invept %0, %1" ::"m"(*(uint8_t(*)[16])p), "r"(type) : "memory", "cc");
}

struct insn_case {
	const char *name;
	void (*fn)(void *);
	bool operand_is_pa; /* pass &zero_page_pa (VMX m64) instead of the page itself */
};

static const struct insn_case cases[] = {
    {"VMRUN", do_vmrun, false},	      {"VMMCALL", do_vmmcall, false},
    {"VMLOAD", do_vmload, false},     {"VMSAVE", do_vmsave, false},
    {"STGI", do_stgi, false},	      {"CLGI", do_clgi, false},
    {"SKINIT", do_skinit, false},     {"INVLPGA", do_invlpga, false},
    {"VMXON", do_vmxon, true},	      {"VMCALL", do_vmcall, false},
    {"VMPTRLD", do_vmptrld, true},    {"VMCLEAR", do_vmclear, true},
    {"VMLAUNCH", do_vmlaunch, false}, {"VMRESUME", do_vmresume, false},
    {"VMXOFF", do_vmxoff, false},     {"INVEPT", do_invept, false},
};

#define NUM_CASES (sizeof(cases) / sizeof(cases[0]))

/* "NAME raises #UD" without a formatter that writes to memory: copy the two pieces. */
static const char *check_name(char buf[CHECK_NAME_MAX], const char *insn)
{
	static const char suffix[] = " raises #UD";
	size_t n = strlen(insn);

	if (n + sizeof(suffix) > CHECK_NAME_MAX)
		n = CHECK_NAME_MAX - sizeof(suffix);
	memcpy(buf, insn, n);
	memcpy(buf + n, suffix, sizeof(suffix));
	return buf;
}

int test_main(void)
{
	bool hv = guest_under_dbgvisor();

	gprintf("hostile instructions (%s), under dbgvisor: %s\n", guest_mode_name(),
		hv ? "yes" : "no");
	zero_page_pa = (uintptr_t)zero_page;
	for (size_t i = 0; i < NUM_CASES; i++) {
		const struct insn_case *c = &cases[i];
		void *arg = c->operand_is_pa ? (void *)&zero_page_pa : (void *)zero_page;
		struct gfault f;
		char buf[CHECK_NAME_MAX];
		bool faulted;

		gprintf("executing %s\n", c->name);
		faulted = guest_try(c->fn, arg, &f);
		if (faulted)
			gprintf("%s: vector %d error 0x%llx\n", c->name, f.vector,
				(unsigned long long)f.error);
		else
			gprintf("%s: no exception\n", c->name);
		EXPECT_EQ(check_name(buf, c->name), faulted ? f.vector : -1, GUEST_VEC_UD);
	}
	guest_finish();
}
