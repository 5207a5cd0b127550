/* vcpu_gdb_monitor.c - gdb's "monitor" commands: debug registers, exits, guest mode, registers. */
#include "vcpu_gdb.h"

#include "core/hw/printf.h"
#include "core/hw/string.h"
#include "core/hw/x86.h"
#include "core/vcpu_util.h"

/* EFLAGS.VM: virtual-8086 mode (SDM vol. 1, 3.4.3.3). */
#define IP_MASK	    0xfffful
#define SEG_CODE_16 "16-bit"
#define SEG_CODE_32 "32-bit"

static const char *const owner_names[] = {
    [DR_SLOT_FREE] = "free", [DR_SLOT_GUEST] = "guest", [DR_SLOT_DEBUGGER] = "gdb"};

static void mon_dr(struct vcpu *v, struct fmt_out *o)
{
	const struct dr_state *d = v->dr;
	fmt_append(o, "guest view: dr0 %016lx dr1 %016lx dr2 %016lx dr3 %016lx\n", d->guest.db[0],
		   d->guest.db[1], d->guest.db[2], d->guest.db[3]);
	fmt_append(o, "            dr6 %016lx dr7 %016lx debugctl %lx\n", d->guest.dr6,
		   d->guest.dr7, d->guest.debugctl);
	fmt_append(o, "hardware:   dr7 %016lx (%s)\n", d->native ? d->guest.dr7 : d->eff_dr7,
		   d->native ? "guest's own, loaded natively, MOV DR not intercepted"
			     : "effective, MOV DR intercepted");
	for (unsigned s = 0; s < DR_SLOTS; s++) {
		unsigned owner = d->native ? DR_SLOT_GUEST : d->slot_owner[s];
		fmt_append(o, "  slot %u: %016lx %s", s, d->native ? d->guest.db[s] : d->eff_db[s],
			   owner_names[owner]);
		if (owner != DR_SLOT_FREE)
			fmt_append(o, " %s%u", owner == DR_SLOT_GUEST ? "dr" : "breakpoint ",
				   d->native ? s : d->slot_index[s]);
		fmt_append(o, "\n");
	}
	if (d->faked)
		fmt_append(
		    o, "some guest breakpoints have no free slot (the debugger's win); the guest "
		       "still reads its own values\n");
	fmt_append(o, "MOV DR exits: %lu\n", d->mov_dr_exits);
}

static void mon_exits(struct vcpu *v, struct fmt_out *o)
{
	fmt_append(o, "%lu exits\n", v->exits_total);
	for (int k = 0; k < EXIT_KIND_COUNT; k++)
		if (v->exits[k])
			fmt_append(o, "  %-28s %lu\n", exit_kind_name(k), v->exits[k]);
	fmt_append(o, "UART polls %lu, interrupt stops %lu\n", v->gdb->polls, v->gdb->interrupts);
}

/* GDB line bytes since boot (acks included; before this reply), the stopped stub's empty polls. */
static void mon_wire(struct vcpu *v, struct fmt_out *o)
{
	const struct gdb_proto *p = &v->gdb->stub.proto;
	fmt_append(o, "gdb line: %lu bytes in, %lu bytes out, %lu polls found none\n", p->rx_bytes,
		   p->tx_bytes, p->idle_polls);
}

static void mon_regs(struct vcpu *v, struct fmt_out *o)
{
	static const char *const seg_names[SEG_COUNT] = {"es", "cs", "ss",   "ds",
							 "fs", "gs", "ldtr", "tr"};
	struct vcpu_segment s;
	struct vcpu_dtable gdt, idt;
	fmt_append(o, "cr0 %016lx cr2 %016lx cr3 %016lx cr4 %016lx\n", vcpu_get(v, REG_CR0),
		   vcpu_get(v, REG_CR2), vcpu_get(v, REG_CR3), vcpu_get(v, REG_CR4));
	fmt_append(o, "efer %016lx rflags %016lx cpl %u\n", vcpu_get(v, REG_EFER),
		   vcpu_get(v, REG_RFLAGS), v->ops->get_cpl(v));
	for (int i = 0; i < SEG_COUNT; i++) {
		v->ops->get_seg(v, (enum vcpu_seg)i, &s);
		fmt_append(o, "%-4s sel %04x base %016lx limit %08x attr %03x\n", seg_names[i],
			   s.sel, s.base, s.limit, s.attr);
	}
	v->ops->get_dtable(v, DTABLE_GDT, &gdt);
	v->ops->get_dtable(v, DTABLE_IDT, &idt);
	fmt_append(o, "gdtr base %016lx limit %04x\nidtr base %016lx limit %04x\n", gdt.base,
		   gdt.limit, idt.base, idt.limit);
}

/* The paging structure in use (SDM vol. 3A, 5.1.1 table 5-1). */
static const char *paging_level(uint64_t cr0, uint64_t cr4, uint64_t efer)
{
	if (!(cr0 & CR0_PG))
		return "none";
	if (!(cr4 & CR4_PAE))
		return (cr4 & CR4_PSE) ? "2-level (32-bit paging, 4 MiB pages allowed)"
				       : "2-level (32-bit paging)";
	if (!(efer & EFER_LMA))
		return "PAE (3-level)";
	return (cr4 & CR4_LA57) ? "5-level" : "4-level";
}

void guest_mode_describe(struct vcpu *v, char *out, size_t outlen)
{
	uint64_t cr0 = vcpu_get(v, REG_CR0), cr4 = vcpu_get(v, REG_CR4);
	uint64_t efer = vcpu_get(v, REG_EFER), rflags = vcpu_get(v, REG_RFLAGS);
	uint64_t rip = vcpu_get(v, REG_RIP);
	struct fmt_out o = {out, 0, outlen};
	const char *mode, *code = SEG_CODE_16;
	struct vcpu_segment cs;
	bool segmented = false;

	v->ops->get_seg(v, SEG_CS, &cs);
	/* The mode from CR0.PE, EFER.LMA, EFLAGS.VM and CS.L/D (SDM vol. 3A, 2.2 and 10.8.5). */
	if (!(cr0 & CR0_PE)) {
		mode = "real mode";
		segmented = true;
	} else if (efer & EFER_LMA) {
		mode = "long mode";
		code = (cs.attr & SEG_ATTR_L)	 ? "64-bit"
		       : (cs.attr & SEG_ATTR_DB) ? "compatibility mode, " SEG_CODE_32
						 : "compatibility mode, " SEG_CODE_16;
	} else if (rflags & RFLAGS_VM) {
		mode = "virtual-8086 mode";
		segmented = true;
	} else {
		mode = "protected mode";
		code = (cs.attr & SEG_ATTR_DB) ? SEG_CODE_32 : SEG_CODE_16;
	}
	if (outlen)
		out[0] = '\0';
	/* Real mode runs at CPL 0, virtual-8086 mode at CPL 3 (SDM vol. 3A, 21.2.1). */
	fmt_append(&o, "%s, %s code, CPL %u\npaging: %s, cr3 0x%lx\n", mode, code,
		   !(cr0 & CR0_PE) ? 0 : v->ops->get_cpl(v), paging_level(cr0, cr4, efer),
		   vcpu_get(v, REG_CR3));
	/* The linear address is CS.base + IP; the base is what the CPU uses (unreal mode too). */
	if (segmented)
		fmt_append(&o, "cs:ip %04x:%04lx = linear 0x%lx\n", cs.sel, rip & IP_MASK,
			   cs.base + (rip & IP_MASK));
	else
		fmt_append(&o, "rip 0x%lx (cs %04x)\n", rip, cs.sel);
}

static const char help_text[] =
    "dbgvisor monitor commands:\n"
    "  help              this text\n"
    "  dr                the guest's debug registers, the hardware values, slot owners\n"
    "  exits             exit counts per reason\n"
    "  regs              control, segment and descriptor-table registers, EFER\n"
    "  wire              bytes on the GDB line each way, empty polls, since boot\n"
    "  step-irq on|off   let interrupts in while single-stepping (default off)\n"
    "  mode              the guest's mode, paging level, CPL (CS:IP in real mode)\n"
    "  catch io PORT[-PORT] [in|out], catch msr N [read|write], catch cpuid [LEAF],\n"
    "  catch exception VECTOR, catch triple-fault\n"
    "                    stop the guest before the event (after, for a triple fault)\n"
    "  catch list, catch delete N\n";

int vcpu_gdb_monitor(void *ctx, const char *cmd, char *buf, size_t outlen)
{
	struct vcpu_gdb *g = ctx;
	struct fmt_out o = {buf, 0, outlen};

	if (outlen)
		buf[0] = '\0';
	if (strcmp(cmd, "help") == 0 || cmd[0] == '\0')
		fmt_append(&o, "%s", help_text);
	else if (strcmp(cmd, "dr") == 0)
		mon_dr(g->v, &o);
	else if (strcmp(cmd, "exits") == 0)
		mon_exits(g->v, &o);
	else if (strcmp(cmd, "regs") == 0)
		mon_regs(g->v, &o);
	else if (strcmp(cmd, "wire") == 0)
		mon_wire(g->v, &o);
	else if (strcmp(cmd, "step-irq on") == 0 || strcmp(cmd, "step-irq off") == 0) {
		g->step_irq = strcmp(cmd, "step-irq on") == 0;
		fmt_append(&o, "single-step %s interrupts\n", g->step_irq ? "takes" : "holds off");
	} else if (strcmp(cmd, "mode") == 0)
		guest_mode_describe(g->v, buf, outlen);
	else if (strncmp(cmd, "catch", sizeof("catch") - 1) == 0 &&
		 (cmd[sizeof("catch") - 1] == ' ' || cmd[sizeof("catch") - 1] == '\0'))
		catch_command(g->v, &g->catches, g->bp_intercept, cmd + sizeof("catch") - 1, buf,
			      outlen);
	else if (strcmp(cmd, "step-irq") == 0)
		fmt_append(&o, "step-irq is %s\n", g->step_irq ? "on" : "off");
	else {
		/* gdb itself says only "Protocol error with Rcmd" (gdbserver's wording). */
		fmt_append(&o, "Unknown monitor command '%s' (monitor help lists them).\n", cmd);
		return -1;
	}
	return 0;
}
