/* vcpu_gdb_monitor.c - gdb's "monitor" commands: debug registers, exit counts, system registers. */
#include "vcpu_gdb.h"

#include "core/hw/printf.h"
#include "core/hw/string.h"
#include "core/vcpu_util.h"

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
	else
		return -1;
	return 0;
}
