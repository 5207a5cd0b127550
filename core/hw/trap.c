/* trap.c - exception names, the register dump, panic(), and the VM-exit window's escape. */
#include "trap.h"

#include <stddef.h>

#include "console.h"
#include "x86.h"

static const char *const vector_names[NUM_EXCEPTIONS] = {
    [VEC_DE] = "#DE divide error",
    [VEC_DB] = "#DB debug",
    [VEC_NMI] = "NMI",
    [VEC_BP] = "#BP breakpoint",
    [VEC_OF] = "#OF overflow",
    [VEC_BR] = "#BR bound range",
    [VEC_UD] = "#UD invalid opcode",
    [VEC_NM] = "#NM device not available",
    [VEC_DF] = "#DF double fault",
    [VEC_TS] = "#TS invalid TSS",
    [VEC_NP] = "#NP not present",
    [VEC_SS] = "#SS stack fault",
    [VEC_GP] = "#GP general protection",
    [VEC_PF] = "#PF page fault",
    [VEC_MF] = "#MF x87 error",
    [VEC_AC] = "#AC alignment check",
    [VEC_MC] = "#MC machine check",
    [VEC_XM] = "#XM SIMD error",
    [VEC_VE] = "#VE virtualization",
    [VEC_CP] = "#CP control protection",
};

const char *trap_vector_name(uint64_t vector)
{
	if (vector < NUM_EXCEPTIONS && vector_names[vector])
		return vector_names[vector];
	return "reserved/unknown";
}

void trap_dump(const struct trap_frame *f)
{
	printk("  RIP=%016lx CS=%04lx RFLAGS=%016lx RSP=%016lx SS=%04lx\n", f->rip, f->cs,
	       f->rflags, f->rsp, f->ss);
	printk("  RAX=%016lx RBX=%016lx RCX=%016lx RDX=%016lx\n", f->rax, f->rbx, f->rcx, f->rdx);
	printk("  RSI=%016lx RDI=%016lx RBP=%016lx\n", f->rsi, f->rdi, f->rbp);
	printk("  R8 =%016lx R9 =%016lx R10=%016lx R11=%016lx\n", f->r8, f->r9, f->r10, f->r11);
	printk("  R12=%016lx R13=%016lx R14=%016lx R15=%016lx\n", f->r12, f->r13, f->r14, f->r15);
	printk("  CR0=%016lx CR2=%016lx CR3=%016lx CR4=%016lx\n", x86_read_cr0(), x86_read_cr2(),
	       x86_read_cr3(), x86_read_cr4());
}

struct trap_window *trap_open_window; /* set by trap_window_enter (capture.S) */
void trap_window_escape(struct trap_window *w) __attribute__((noreturn));

void trap_window_close(void)
{
	trap_open_window = NULL;
}

bool trap_window_absorbs(struct trap_frame *f)
{
	struct trap_window *w = trap_open_window;
	return w && w->absorb && w->absorb(f);
}

void trap_unexpected(struct trap_frame *f)
{
	struct trap_window *w = trap_open_window;
	if (w && f->vector != VEC_NMI) {
		trap_open_window = NULL;
		w->vector = f->vector;
		w->error = f->error;
		w->cr2 = x86_read_cr2();
		w->rip = f->rip;
		trap_window_escape(w);
	}
	printk("\ndbgvisor: unexpected exception %lu (%s) in the hypervisor, error code 0x%lx\n",
	       f->vector, trap_vector_name(f->vector), f->error);
	trap_dump(f);
	hv_exit(HV_EXIT_PANIC);
}

void panic(const char *fmt, ...)
{
	static int panicking;
	struct trap_frame f;
	va_list ap;
	trap_capture(&f);
	x86_cli();
	if (panicking++)
		hv_exit(HV_EXIT_PANIC); /* panic inside panic: just stop */
	printk("\ndbgvisor PANIC: ");
	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
	printk("\n");
	trap_dump(&f);
	hv_exit(HV_EXIT_PANIC);
}
