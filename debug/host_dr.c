/* host_dr.c - host breakpoints never reach the guest, and guest ones never fire here. */
#include "host_dr.h"

#include "core/hw/console.h"
#include "core/hw/x86.h"
#include "dr.h"

static bool selftest;
static uint64_t bp_addr;
static uint64_t hits, stray;

void host_dr_selftest_start(uint64_t addr)
{
	selftest = true;
	bp_addr = addr;
	host_dr_restore();
}

void host_dr_restore(void)
{
	if (!selftest)
		return;
	x86_write_dr0(bp_addr);
	x86_write_dr7(DR7_INIT | DR7_L(0)); /* execute, 1 byte, local enable */
}

bool host_dr_handle_db(struct trap_frame *f)
{
	uint64_t dr6 = x86_read_dr6();
	x86_write_dr6(DR6_INIT);
	if (selftest && (dr6 & DR6_B(0)) && f->rip == bp_addr)
		hits++;
	else
		stray++; /* e.g. a guest breakpoint firing in the hypervisor: must stay 0 */
	/* Instruction breakpoints are faults: RF lets the instruction run (SDM 3B 18.3.1.1). */
	f->rflags |= RFLAGS_RF;
	return true;
}

void host_dr_report(void)
{
	if (selftest || stray)
		printk(
		    "host debug registers: %lu hits on the hypervisor's own breakpoint, %lu stray "
		    "#DB in the hypervisor\n",
		    hits, stray);
}
