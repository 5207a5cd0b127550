/* exit_io.c - intercepted port I/O: the GDB UART is invisible; exit and power-off ports stop. */
#include "exit.h"

#include "insn.h"
#include "vcpu_util.h"

#define BYTE_MASK    0xffu
#define OPCODE_INSB  0x6c /* INS/OUTS: 6C-6F (SDM vol. 2A, appendix A, table A-2) */
#define OPCODE_OUTSD 0x6f
#define MASK_16	     0xffffull
#define MASK_32	     0xffffffffull
#define DF_BIT	     (1ull << 10)
#define NO_DEVICE    0xffffffffu /* an ISA port with nothing behind it reads all ones */
#define PM1_SLP_EN   (1u << 13)	 /* ACPI 6.5, 4.8.3.2.1: PM1 control, sleep enable */
/* Segment-override prefixes (SDM vol. 2A, 2.1.1). */
#define PREFIX_ES 0x26
#define PREFIX_CS 0x2e
#define PREFIX_SS 0x36
#define PREFIX_DS 0x3e
#define PREFIX_FS 0x64
#define PREFIX_GS 0x65

static const char bochs_shutdown[] = "Shutdown";

static bool is_gdb_port(const struct vcpu *v, uint16_t port)
{
	return v->gdb_port && port >= v->gdb_port && port < v->gdb_port + UART_PORT_SPAN;
}

bool exit_io_intercepted(const struct vcpu *v, uint16_t port)
{
	return is_gdb_port(v, port) || port == QEMU_DEBUG_EXIT_PORT ||
	       port == BOCHS_SHUTDOWN_PORT || (v->pm1a_cnt_port && port == v->pm1a_cnt_port);
}

/* A write the guest may do only to end the run: record it, then stop. */
static enum exit_result exit_port_write(struct vcpu *v, uint16_t port, uint32_t val)
{
	if (port == QEMU_DEBUG_EXIT_PORT) {
		v->last_exit_code = (int)(val & BYTE_MASK);
		v->stop.exit_code = v->last_exit_code;
		return vcpu_stop_guest(v, STOP_GUEST_EXIT, "isa-debug-exit port 0xf4");
	}
	if (port == BOCHS_SHUTDOWN_PORT) {
		char c = (char)(val & BYTE_MASK);

		if (c == bochs_shutdown[(int)v->shutdown_seen])
			v->shutdown_seen++;
		else
			v->shutdown_seen = (c == bochs_shutdown[0]);
		if (bochs_shutdown[(int)v->shutdown_seen] == '\0') {
			v->stop.exit_code = v->last_exit_code;
			return vcpu_stop_guest(v, STOP_GUEST_EXIT, "Bochs shutdown port 0x8900");
		}
	}
	/* The machine goes to sleep (S5: off): report first, the caller replays the write. */
	if (v->pm1a_cnt_port && port == v->pm1a_cnt_port && (val & PM1_SLP_EN)) {
		v->stop.port = port;
		v->stop.value = (uint16_t)val;
		return vcpu_stop_guest(v, STOP_POWER_OFF,
				       "sleep enable written to the ACPI PM1a control block");
	}
	return EXIT_RESUME;
}

/* OUTS reads DS:rSI unless a prefix names another segment (SDM vol. 2B, OUTS). */
static enum vcpu_seg outs_segment(struct vcpu *v)
{
	static const uint8_t prefixes[SEG_GS + 1] = {
	    [SEG_ES] = PREFIX_ES, [SEG_CS] = PREFIX_CS, [SEG_SS] = PREFIX_SS,
	    [SEG_DS] = PREFIX_DS, [SEG_FS] = PREFIX_FS, [SEG_GS] = PREFIX_GS};
	struct insn i;
	if (vcpu_fetch_insn(v, &i) == 0)
		for (int s = SEG_ES; s <= SEG_GS; s++)
			if (i.seg == prefixes[s])
				return (enum vcpu_seg)s;
	return SEG_DS;
}

/* INS/OUTS elements at ES:rDI / seg:rSI: with @device through the port; without (a hidden
 * port), INS stores all ones and OUTS writes nothing. */
static void transfer_string(struct vcpu *v, const struct vcpu_exit *e, uint64_t count, bool down,
			    uint64_t amask, bool device)
{
	enum vcpu_seg sreg = e->io.in ? SEG_ES : outs_segment(v);
	uint64_t ptr = v->gpr[e->io.in ? GPR_RDI : GPR_RSI] & amask, base = 0;
	struct vcpu_segment seg;

	/* Only FS and GS have a base in 64-bit mode (SDM vol. 1, 3.4.2.1). */
	v->ops->get_seg(v, sreg, &seg);
	if (vcpu_code_mode(v) != INSN_MODE_64 || sreg == SEG_FS || sreg == SEG_GS)
		base = seg.base;
	/* The elements as bare metal accesses them, for the data breakpoints. */
	v->access.mem_write = e->io.in;
	v->access.mem_len = count * e->io.size;
	v->access.mem_addr =
	    base + ((ptr - (down && count ? v->access.mem_len - e->io.size : 0)) & amask);
	if (!e->io.in && !device)
		return;
	for (uint64_t i = 0; i < count; i++) {
		uint32_t val = NO_DEVICE; /* little-endian: the low @size bytes are the element */

		if (e->io.in) {
			if (device)
				val = v->host->port_in(e->io.port, e->io.size);
			if (!vcpu_write_virt(v, base + ptr, &val, e->io.size))
				break;
		} else {
			val = 0;
			if (!vcpu_read_virt(v, base + ptr, &val, e->io.size))
				break;
			v->host->port_out(e->io.port, e->io.size, val);
		}
		ptr = (ptr + (down ? -(uint64_t)e->io.size : e->io.size)) & amask;
	}
}

/* The address size (SDM vol. 1, 3.6; vol. 2B, REP) is the code's, switched by 0x67 (16 <-> 32,
 * 64 -> 32; real-mode code uses ADDR32 REP OUTSB). QEMU 7.2's IOIO EXITINFO1 does not say. */
uint64_t exit_string_io_addr_mask(struct vcpu *v)
{
	static const uint64_t masks[] = {
	    [INSN_MODE_16] = MASK_16, [INSN_MODE_32] = MASK_32, [INSN_MODE_64] = ~0ull};
	enum insn_mode mode = vcpu_code_mode(v);
	struct insn i;
	if (vcpu_fetch_insn(v, &i) == 0 && i.map == INSN_MAP_1BYTE && i.opcode >= OPCODE_INSB &&
	    i.opcode <= OPCODE_OUTSD && i.addrsize)
		mode = mode == INSN_MODE_32 ? INSN_MODE_16 : INSN_MODE_32;
	return masks[mode];
}

/* INS/OUTS: a hidden port's iterations are consumed without the device; a port only a
 * catchpoint made exit gets them. */
static void string_io(struct vcpu *v, const struct vcpu_exit *e, bool device)
{
	uint64_t amask = exit_string_io_addr_mask(v);
	uint64_t count = e->io.rep ? v->gpr[GPR_RCX] & amask : 1;
	int64_t step = (int64_t)e->io.size * (int64_t)count;
	enum vcpu_gpr idx = e->io.in ? GPR_RDI : GPR_RSI;
	bool down = vcpu_get(v, REG_RFLAGS) & DF_BIT;

	if (!count) /* nothing accessed: no I/O or data breakpoint can match */
		v->access.port_size = 0;
	transfer_string(v, e, count, down, amask, device);
	if (down)
		step = -step;
	/* Only the address-sized part moves; the bits above it are left alone. */
	v->gpr[idx] = (v->gpr[idx] & ~amask) | ((v->gpr[idx] + (uint64_t)step) & amask);
	if (e->io.rep)
		v->gpr[GPR_RCX] &= ~amask;
}

enum exit_result exit_handle_io(struct vcpu *v, const struct vcpu_exit *e)
{
	uint16_t port = e->io.port;
	uint64_t mask = e->io.size >= 4 ? MASK_32 : (1ull << (e->io.size * 8)) - 1;
	unsigned len = vcpu_exit_insn_len(v, e);
	enum exit_result r = EXIT_RESUME;

	if (!len)
		return vcpu_stop_guest(v, STOP_INTERNAL,
				       "cannot decode the guest's I/O instruction");
	v->access = (struct vcpu_insn_access){.port = port, .port_size = e->io.size};
	if (e->io.string) {
		string_io(v, e, !exit_io_intercepted(v, port));
	} else if (e->io.in) {
		uint32_t val =
		    is_gdb_port(v, port) ? NO_DEVICE : v->host->port_in(port, e->io.size);

		/* A 32-bit destination zero-extends into RAX (SDM vol. 1, 3.4.1.1). */
		if (e->io.size == 4)
			v->gpr[GPR_RAX] = val;
		else
			v->gpr[GPR_RAX] = (v->gpr[GPR_RAX] & ~mask) | (val & mask);
	} else {
		uint32_t val = (uint32_t)(v->gpr[GPR_RAX] & mask);

		r = exit_port_write(v, port, val);
		if (r == EXIT_RESUME && !is_gdb_port(v, port))
			v->host->port_out(port, e->io.size, val);
	}
	vcpu_complete_insn(v, len);
	return r;
}
