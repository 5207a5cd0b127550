/* dbg_persist.c - DR0-DR3, DR6, DR7 keep the guest's values across many CPUID/IN/RDMSR/INT3. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/hw/printf.h"
#include "tests/guest/lib/dbgregs.h"
#include "tests/guest/lib/guest.h"
#include "tests/guest/lib/x86g.h"

#define ITERATIONS	  10000
#define INT3_ITERATIONS	  1000
#define PORT_POST	  0x80
#define MSR_APIC_BASE	  0x1b
#define CPUID_LEAF_VENDOR 0
#define CPUID_LEAF_FEAT	  1
#define NUM_REGS	  6 /* DR0-DR3, DR6, DR7 */

/*
 * Enabled breakpoints on addresses nothing touches, all four kinds of slot, full-width
 * addresses (upper-half canonical in 64-bit mode, to catch truncation to 32 bits).
 */
#ifdef __x86_64__
static const uintptr_t addr_vals[DR_NUM_BP] = {0xffff8000dead0000ull, 0xffff8000cafe0010ull,
					       0x00007fff12345670ull, 0xffffffff87654320ull};
#define DR3_LEN DR7_LEN_8
#else
static const uintptr_t addr_vals[DR_NUM_BP] = {0xdead0000u, 0xcafe0010u, 0x12345670u, 0x87654320u};
#define DR3_LEN DR7_LEN_4
#endif

static const int reg_nums[NUM_REGS] = {0, 1, 2, 3, 6, 7};
static uintptr_t want[NUM_REGS];
static volatile unsigned db_count, bp_count;

static void db_hook(struct gframe *f)
{
	(void)f;
	db_count++;
}

static void bp_hook(struct gframe *f)
{
	(void)f;
	bp_count++;
}

static void load(void)
{
	uintptr_t dr7 = DR7_INIT | DR7_LE | DR7_GE | DR7_L(0) | DR7_G(1) | DR7_L(2) | DR7_G(3) |
			dr7_rwlen(0, DR7_RW_EXEC, DR7_LEN_1) |
			dr7_rwlen(1, DR7_RW_WRITE, DR7_LEN_4) | dr7_rwlen(2, DR7_RW_RW, DR7_LEN_2) |
			dr7_rwlen(3, DR7_RW_WRITE, DR3_LEN);

	dr_write(7, DR7_INIT);
	for (int n = 0; n < DR_NUM_BP; n++)
		dr_write(n, addr_vals[n]);
	/* Status bits the guest wrote itself must survive too. */
	dr_write(6, DR6_INIT | DR6_B(1) | DR6_B(3));
	dr_write(7, dr7);
	for (int i = 0; i < NUM_REGS; i++)
		want[i] = dr_read(reg_nums[i]);
	gprintf("loaded: DR0 0x%llx DR1 0x%llx DR2 0x%llx DR3 0x%llx DR6 0x%llx DR7 0x%llx\n",
		(unsigned long long)want[0], (unsigned long long)want[1],
		(unsigned long long)want[2], (unsigned long long)want[3],
		(unsigned long long)want[4], (unsigned long long)want[5]);
}

static void verify(const char *after)
{
	for (int i = 0; i < NUM_REGS; i++)
		EXPECT_EQ(guest_name("after %s: DR%d unchanged", after, reg_nums[i]),
			  dr_read(reg_nums[i]), want[i]);
	EXPECT_EQ(guest_name("after %s: no #DB", after), db_count, 0);
}

int test_main(void)
{
	uint32_t sink = 0;

	gprintf("debug: DR persistence across exits (%s)\n", guest_mode_name());
	guest_set_hook(GUEST_VEC_DB, db_hook);
	guest_set_hook(GUEST_VEC_BP, bp_hook);
	load();
	EXPECT_EQ("DR0-DR3 read back as loaded",
		  want[0] == addr_vals[0] && want[1] == addr_vals[1] && want[2] == addr_vals[2] &&
		      want[3] == addr_vals[3],
		  true);

	for (int i = 0; i < ITERATIONS; i++)
		sink += x86g_cpuid(i & 1 ? CPUID_LEAF_FEAT : CPUID_LEAF_VENDOR, 0).eax;
	verify("10000 CPUID");
	for (int i = 0; i < ITERATIONS; i++)
		sink += x86g_inb(PORT_POST);
	verify("10000 IN from port 0x80");
	for (int i = 0; i < ITERATIONS; i++)
		sink += (uint32_t)x86g_rdmsr(MSR_APIC_BASE);
	verify("10000 RDMSR IA32_APIC_BASE");
	for (int i = 0; i < INT3_ITERATIONS; i++)
		__asm__ volatile("int3" ::: "memory");
	EXPECT_EQ("1000 INT3: every #BP reached the guest", bp_count, INT3_ITERATIONS);
	verify("1000 INT3");

	dr_reset_all();
	guest_set_hook(GUEST_VEC_DB, NULL);
	guest_set_hook(GUEST_VEC_BP, NULL);
	(void)sink; /* the asm is volatile: the loops run regardless */
	guest_finish();
}
