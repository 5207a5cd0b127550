/* host_env.c - the real-hardware struct vcpu_host: CPUID, guest RAM, ports and XSETBV. */
#include "host_env.h"

#include "debug/gdb_watch.h"
#include "debug/host_dr.h"

#include "core/cpuid_view.h"
#include "core/hw/mem.h"
#include "core/hw/msr_safe.h"
#include "core/hw/x86.h"
#include "core/paging/guest_mem.h"

/* XCR0 rules (SDM vol. 1, 13.3): x87 always on, AVX needs SSE, only supported bits. */
#define XCR0_X87	 (1ull << 0)
#define XCR0_SSE	 (1ull << 1)
#define XCR0_AVX	 (1ull << 2)
#define CPUID_LEAF_XSAVE 0xd
#define CPUID1_ECX_XSAVE (1u << 26)

static void host_cpuid(uint32_t leaf, uint32_t subleaf, struct cpuid_regs *r)
{
	x86_cpuid(leaf, subleaf, r);
}

static uint32_t host_port_in(uint16_t port, uint8_t size)
{
	if (size == 1)
		return x86_inb(port);
	if (size == 2)
		return x86_inw(port);
	return x86_inl(port);
}

static void host_port_out(uint16_t port, uint8_t size, uint32_t val)
{
	if (size == 1)
		x86_outb(port, (uint8_t)val);
	else if (size == 2)
		x86_outw(port, (uint16_t)val);
	else
		x86_outl(port, val);
}

static bool host_xsetbv(uint32_t index, uint64_t value)
{
	struct cpuid_regs r;
	uint64_t supported;
	x86_cpuid(CPUID_LEAF_FEATURES, 0, &r);
	if (index != 0 || !(r.ecx & CPUID1_ECX_XSAVE))
		return false;
	x86_cpuid(CPUID_LEAF_XSAVE, 0, &r);
	supported = ((uint64_t)r.edx << 32) | r.eax;
	if (!(value & XCR0_X87) || (value & ~supported) ||
	    ((value & XCR0_AVX) && !(value & XCR0_SSE)))
		return false;
	/* XSETBV needs CR4.OSXSAVE in whoever executes it: here, the hypervisor. */
	if (!(x86_read_cr4() & CR4_OSXSAVE_BIT))
		x86_write_cr4(x86_read_cr4() | CR4_OSXSAVE_BIT);
	x86_xsetbv(index, value);
	return true;
}

static const void *host_guest_ptr(uint64_t gpa, uint64_t len)
{
	return guest_mem_ptr(gpa, len);
}

static void host_mmio_write32(uint64_t gpa, uint32_t val)
{
	*(volatile uint32_t *)phys_to_virt(gpa) = val;
}

static uint32_t host_mmio_read32(uint64_t gpa)
{
	return *(volatile uint32_t *)phys_to_virt(gpa);
}

const struct vcpu_host host_env = {
    .cpuid = host_cpuid,
    .cpuid_native = true,
    .read_phys = guest_mem_read,
    .phys_ptr = host_guest_ptr,
    .write_phys = guest_mem_write,
    .hv_owns = guest_mem_hv_owns,
    .port_in = host_port_in,
    .port_out = host_port_out,
    .xsetbv = host_xsetbv,
    .mmio_write32 = host_mmio_write32,
    .mmio_read32 = host_mmio_read32,
    .gdb_line_irq = gdb_watch_line_irq,
    .wrmsr = x86_wrmsr,
    .gdb_kick = gdb_watch_take,
    .gdb_kicked_in_host = gdb_watch_host_kicked,
    .restore_host_dr = host_dr_restore,
    .host_nmis = gdb_watch_host_nmis,
    .host_events = gdb_watch_host_events,
    .fast_flag = gdb_watch_fast_flag,
    .rdmsr_safe = msr_read_safe,
    .wrmsr_safe = msr_write_safe,
};
