/* main.c - C entry: boot info, console, relocation, CPU detection, host services, the guest. */
#include "core/cpuid_view.h"
#include "core/exit.h"
#include "core/hw/bootinfo.h"
#include "core/hw/console.h"
#include "core/hw/cpu_caps.h"
#include "core/hw/cpu_tables.h"
#include "core/hw/mem.h"
#include "core/hw/printf.h"
#include "core/hw/msr_safe.h"
#include "core/hw/uart.h"
#include "core/hw/x86.h"
#include "core/paging/guest_mem.h"
#include "core/vcpu_run.h"
#include "debug/debug_hooks.h"
#include "debug/gdb_watch.h"
#include "debug/host_dr.h"
#include "debug/vcpu_debug.h"
#include "debug/vcpu_gdb.h"
#include "guest/gdb_irq.h"
#include "guest/guest_boot.h"
#include "guest/smp_guard.h"
#include "svm/svm.h"
#include "vmx/vmx.h"
#include "cmdline.h"
#include "multiboot.h"

#define DBGVISOR_VERSION	   "0.1"
#define MIB_SHIFT		   20
#define KIB_SHIFT		   10
#define CMDLINE_ERR_MAX		   128
#define GDB_POLL_EVERY_EXITS	   256
#define CPUID7_EBX_RTM		   (1u << 11)
#define CPUID7_ECX_BUS_LOCK_DETECT (1u << 24)
/* XCR0 rules (SDM vol. 1, 13.3): x87 always on, AVX needs SSE, only supported bits. */
#define XCR0_X87	 (1ull << 0)
#define XCR0_SSE	 (1ull << 1)
#define XCR0_AVX	 (1ull << 2)
#define CPUID_LEAF_XSAVE 0xd
#define CPUID1_ECX_XSAVE (1u << 26)

static struct boot_info boot;
static struct hv_config config;
static struct uart log_uart, gdb_uart;
static struct vcpu vcpu;
static struct dr_state dr_state;
static struct vcpu_gdb gdb; /* ~13 KB: static, never on the stack */

static int gdb_line_getc(void *ctx)
{
	int c = uart_poll_getc(ctx);
	return c < 0 ? GDB_IO_NONE : c;
}

static void gdb_line_putc(void *ctx, char c)
{
	uart_putc(ctx, c);
}

static void gdb_line_write(void *ctx, const char *buf, size_t len)
{
	uart_write(ctx, buf, len);
}

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
	/* The CPU has the last word: AVX-512's, MPX's and AMX's components go in groups. */
	return msr_xsetbv_safe(index, value);
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

static const struct vcpu_host host_env = {
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

static const struct vcpu_ops *backend_for(const struct cpu_caps *caps)
{
	if (caps->kind == VIRT_SVM) {
		svm_set_caps(caps);
		return &svm_ops;
	}
	return caps->kind == VIRT_VMX ? &vmx_ops : 0;
}

/* Ctrl-C for a guest spinning with interrupts off: the core polls on VT-x preemption-timer exits,
 * or a spare CPU watching the line NMIs us, or the line's IRQ comes here as an NMI; else poll every
 * few hundred exits and return gdb's notice. Before vcpu init: the I/O APIC leaves the NPT/EPT. */
static const char *start_ctrlc_source(const struct cpu_caps *caps)
{
	static char notice[160];
	const char *why;

	if (caps->kind == VIRT_VMX && caps->preemption_timer) {
		printk("gdb: Ctrl-C polled on VMX-preemption-timer exits\n");
		return 0;
	}
	if (gdb_watch_start(gdb_uart.port)) {
		printk("gdb: a spare CPU watches the line; Ctrl-C arrives as an NMI\n");
		return 0;
	}
	why = gdb_irq_route(&vcpu, &boot, gdb_uart.port);
	if (!why) {
		gdb_watch_irq_mode(gdb_uart.port);
		printk("gdb: the line's IRQ arrives as an NMI (I/O APIC 0x%lx entry %u); Ctrl-C "
		       "needs no spare CPU\n",
		       vcpu.ioapic.base, vcpu.ioapic.pin);
		return 0;
	}
	printk("gdb: no spare CPU, no preemption timer, no IRQ route (%s): Ctrl-C is seen every "
	       "%u exits only\n",
	       why, GDB_POLL_EVERY_EXITS);
	fmt_snprintf(notice, sizeof(notice),
		     "dbgvisor: Ctrl-C cannot stop a guest that never exits on this machine (no "
		     "spare CPU, no VMX-preemption timer, %s)\n",
		     why);
	return notice;
}

static const char *const gdb_arch_names[] = {
    [VCPU_GDB_ARCH_AUTO] = "i386 or x86-64 by the guest's mode at attach",
    [VCPU_GDB_ARCH_I386] = "i386",
    [VCPU_GDB_ARCH_X86_64] = "x86-64",
};

/* A 64-bit kernel is described as x86-64 from its first (32-bit) instruction on. */
static enum vcpu_gdb_arch gdb_arch(bool kernel_64bit)
{
	if (config.gdb_arch == HV_GDB_ARCH_X86_64 ||
	    (config.gdb_arch == HV_GDB_ARCH_AUTO && kernel_64bit))
		return VCPU_GDB_ARCH_X86_64;
	return config.gdb_arch == HV_GDB_ARCH_I386 ? VCPU_GDB_ARCH_I386 : VCPU_GDB_ARCH_AUTO;
}

/* Run the guest to its end; returns the exit status for the machine. */
static int run_guest(const struct cpu_raw *raw, const struct cpu_caps *caps)
{
	const struct vcpu_ops *ops = backend_for(caps);
	const char *gdb_notice = 0;
	struct cpuid_regs leaf7 = {0};

	if (!ops) {
		printk("dbgvisor: no backend for this CPU's virtualization extension yet\n");
		return HV_EXIT_NO_VIRT;
	}
	guest_mem_init(&boot);
	vcpu.ops = ops;
	vcpu.host = &host_env;
	vcpu.debug = &debug_hooks;
	vcpu.dr = &dr_state;
	vcpu.is_amd = raw->vendor[0] == 'A'; /* AuthenticAMD: which MSRs a guest expects */
	vcpu.gdb_port = config.gdb_port;
	smp_guard(&vcpu, &boot);
	if (gdb_uart.present)
		gdb_notice = start_ctrlc_source(caps);
	if (ops->hw_enable() || ops->init(&vcpu))
		return HV_EXIT_NO_VIRT;
	exit_setup_intercepts(&vcpu);
	if (raw->max_leaf >= CPUID_LEAF_STRUCT_EXT)
		x86_cpuid(CPUID_LEAF_STRUCT_EXT, 0, &leaf7);
	vcpu_debug_setup(&vcpu, &(struct dr_features){.rtm = leaf7.ebx & CPUID7_EBX_RTM,
						      .bld = leaf7.ecx & CPUID7_ECX_BUS_LOCK_DETECT,
						      .amd = vcpu.is_amd});
	vcpu.dr->emulate_only = !config.dr_lazy;
	if (guest_boot(&vcpu, &boot))
		return HV_EXIT_BAD_BOOT;
	if (gdb_uart.present) {
		struct gdb_io io = {gdb_line_getc, gdb_line_putc, gdb_line_write, &gdb_uart};
		vcpu_gdb_init(&gdb, &vcpu, &io, config.gdb_wait);
		gdb.arch = gdb_arch(vcpu.kernel_64bit);
		printk("dbgvisor: GDB stub on port 0x%x, described as %s%s\n", gdb_uart.port,
		       gdb_arch_names[gdb.arch],
		       config.gdb_wait ? ", guest held at its first instruction until gdb "
					 "attaches"
				       : "");
		if (gdb_notice) {
			gdb.poll_every = GDB_POLL_EVERY_EXITS;
			gdb.stub.notice = gdb_notice;
		}
	}
	printk("dbgvisor: starting the guest under %s\n", ops->name);
	if (config.host_dr_test) {
		vcpu.host_drs = true;
		host_dr_selftest_start((uint64_t)exit_dispatch);
	}
	/* The guest may take the log UART over and reset its FIFO: what we said must be out. */
	console_drain();
	vcpu_run(&vcpu);
	vcpu_report(&vcpu);
	if (gdb_watch_ticks())
		printk("gdb: the watcher CPU woke %u times to look at the line\n",
		       gdb_watch_ticks());
	host_dr_report();
	/* The guest could never touch the GDB UART: show that it still works for us. */
	if (gdb_uart.present)
		uart_printf(&gdb_uart, "dbgvisor: guest stopped: %s\n",
			    vcpu_stop_reason_name(vcpu.stop.reason));
	if (vcpu.stop.reason == STOP_KILLED)
		return HV_EXIT_KILLED;
	if (vcpu.stop.reason == STOP_POWER_OFF) {
		/* The guest's own write, now that the report is out: the machine powers off. */
		console_drain();
		x86_outw(vcpu.stop.port, vcpu.stop.value);
		return HV_EXIT_OK;
	}
	return vcpu.stop.reason == STOP_GUEST_EXIT ? vcpu.stop.exit_code : HV_EXIT_GUEST_FAULT;
}

/* Before relocation the first 4 GiB are mapped 1:1 (boot/entry.S). */
static const void *early_map(uint64_t phys, size_t len, void *ctx)
{
	(void)ctx;
	if (phys + len < phys || phys + len > HV_REGION_LIMIT)
		return 0;
	return (const void *)phys;
}

static void print_memory(void)
{
	const struct hv_region *r = mem_region();
	uint64_t usable = 0;
	for (unsigned i = 0; i < boot.mmap_count; i++)
		if (boot.mmap[i].type == MEM_USABLE)
			usable += boot.mmap[i].len;
	printk("memory: %lu MiB usable; reserved for dbgvisor: [0x%lx-0x%lx) %lu KiB "
	       "(image %lu KiB, heap %lu KiB)\n",
	       usable >> MIB_SHIFT, r->start, r->end, (r->end - r->start) >> KIB_SHIFT,
	       (r->image_end - r->image_start) >> KIB_SHIFT,
	       (r->heap_end - r->heap_start) >> KIB_SHIFT);
}

static const char *yes_no(bool b)
{
	return b ? "yes" : "no";
}

static void print_cpu(const struct cpu_raw *raw, const struct cpu_caps *c)
{
	printk("cpu: %s, ", raw->vendor);
	if (c->kind == VIRT_VMX)
		printk("VT-x (VMCS revision 0x%x): EPT %s, unrestricted guest %s, VPID %s, "
		       "preemption timer %s (rate shift %u)\n",
		       c->vmcs_revision, yes_no(c->ept), yes_no(c->unrestricted_guest),
		       yes_no(c->vpid), yes_no(c->preemption_timer), c->preemption_timer_shift);
	else if (c->kind == VIRT_SVM)
		printk("SVM (revision %u): NPT %s, NRIP save %s, ASIDs %u, decode assists %s, "
		       "LBR virtualization %s\n",
		       c->svm_revision, yes_no(c->npt), yes_no(c->nrip_save), c->nasid,
		       yes_no(c->decode_assists), yes_no(c->lbr_virt));
	else
		printk("no virtualization extension\n");
}

void core_main(uint32_t magic, uint64_t info_phys);
void core_main(uint32_t magic, uint64_t info_phys)
{
	char err[CMDLINE_ERR_MAX];
	enum mb_status st;
	struct cpu_raw raw;
	struct cpu_caps caps;
	int problems;

	gdt_init();
	idt_init();
	trap_set_handler(VEC_DB, host_dr_handle_db);
	trap_set_handler(VEC_NMI, gdb_watch_host_nmi);
	trap_set_handler(VEC_GP, msr_safe_fixup);
	st = mb_parse(magic, info_phys, early_map, 0, &boot);
	cmdline_defaults(&config);
	problems = cmdline_parse(boot.cmdline, &config, err, sizeof(err));
	uart_init(&log_uart, config.log_port, config.baud);
	console_init(&log_uart);
	gdb_uart.exclusive = true; /* the guest never reaches it (core/exit_io.c) */
	if (config.gdb_port && config.gdb_port != config.log_port &&
	    uart_init(&gdb_uart, config.gdb_port, config.baud))
		console_add_drain(&gdb_uart);
	printk("\ndbgvisor %s: debug-register-virtualizing hypervisor\n", DBGVISOR_VERSION);
	if (st != MB_OK && st != MB_STRING_CUT && st != MB_TOO_MANY) {
		printk("dbgvisor: unusable boot information (magic 0x%x): %s\n", magic,
		       mb_status_str(st));
		hv_exit(HV_EXIT_BAD_BOOT);
	}
	printk("boot: multiboot%u, command line \"%s\", %u module(s)%s%s%s\n", boot.protocol,
	       boot.cmdline, boot.module_count, st ? " (" : "", st ? mb_status_str(st) : "",
	       st ? ")" : "");
	if (problems)
		printk("dbgvisor: command line: %s (%d problem(s); those settings keep defaults)\n",
		       err, problems);
	printk("config: log port 0x%x, gdb port 0x%x%s, %u baud%s\n", config.log_port,
	       config.gdb_port, config.gdb_wait ? " (wait for gdb)" : "", config.baud,
	       config.dr_lazy ? "" : ", guest DRs always emulated");
	mem_setup(&boot);
	print_memory();
	cpu_caps_read(&raw);
	cpu_caps_decode(&raw, &caps);
	print_cpu(&raw, &caps);
	if (!caps.usable) {
		printk("dbgvisor: cannot run a guest: %s\n", caps.reason);
		hv_exit(HV_EXIT_NO_VIRT);
	}
	printk("dbgvisor: %s usable\n", caps.kind == VIRT_VMX ? "VT-x" : "SVM");
	hv_exit(run_guest(&raw, &caps));
}
