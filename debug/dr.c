/* dr.c - guest debug-register rules: MOV DR emulation, DR6 merging, slots shared with gdb. */
#include "dr.h"

#include "core/hw/string.h"

#define DR4   4
#define DR5   5
#define DR6   6
#define DR7   7
#define LOW32 0xffffffffull

void dr_init(struct dr_state *s, const struct dr_features *f)
{
	memset(s, 0, sizeof(*s));
	s->feat = *f;
	s->guest.dr6 = DR6_INIT;
	s->guest.dr7 = DR7_INIT;
	dr_recompute(s);
}

/* A DR6 write keeps the bits this CPU lets change; fixed-1 bits stay 1, reserved 0 bits 0. */
static uint64_t dr6_sanitize(uint64_t val, const struct dr_features *f)
{
	uint64_t vol = DB_STATUS_BITS | (f->rtm ? DR6_RTM : 0) | (f->bld ? DR6_BLD : 0);
	return (val & vol) | (DR6_INIT & ~vol & LOW32);
}

static uint64_t dr7_sanitize(uint64_t val)
{
	return (val & DR7_VOLATILE) | DR7_FIXED_1;
}

uint64_t dr6_merge(uint64_t dr6, uint64_t pending, const struct dr_features *f)
{
	/* A breakpoint hit replaces B0-B3 (SDM 18.2.3), other #DBs leave them as the CPUs we
	 * compare against do; BD/BS/BT accumulate; active-low bits clear on events. */
	if (pending & DR6_B_MASK)
		dr6 &= ~DR6_B_MASK;
	dr6 |= pending & ~DR6_ACTIVE_LOW & ~DR6_ENABLED_BP;
	/* RTM reports the latest #DB only ("set for any other debug exception"); BLD is sticky. */
	dr6 |= DR6_RTM;
	dr6 &= ~(pending & DR6_ACTIVE_LOW);
	return dr6_sanitize(dr6, f);
}

/* Enabled guest breakpoints of R/W @rw (or @rw2) whose range meets [@lo, @lo + @len): the
 * address's low bits below LEN are ignored (SDM 3B, 18.2.5). */
static uint64_t hits(const struct dr_guest *g, unsigned rw, unsigned rw2, uint64_t lo, uint64_t len)
{
	static const uint8_t bytes[] = {
	    [DR7_LEN_1] = 1, [DR7_LEN_2] = 2, [DR7_LEN_8] = 8, [DR7_LEN_4] = 4};
	uint64_t bits = 0;

	for (unsigned n = 0; n < DR_SLOTS && len; n++) {
		unsigned r = (unsigned)(g->dr7 >> DR7_RW_SHIFT(n)) & DR7_FIELD_MASK;
		uint64_t size = bytes[(g->dr7 >> DR7_LEN_SHIFT(n)) & DR7_FIELD_MASK];
		uint64_t at = g->db[n] & ~(size - 1);

		if ((g->dr7 & DR7_ENABLE(n)) && (r == rw || r == rw2) && at < lo + len &&
		    lo < at + size)
			bits |= DR6_B(n);
	}
	return bits;
}

uint64_t dr_io_hits(const struct dr_guest *g, bool cr4_de, uint16_t port, unsigned size)
{
	/* R/W 10b is an I/O breakpoint only with CR4.DE, undefined without (SDM 3B, 18.2.4). */
	return cr4_de ? hits(g, DR7_RW_IO, DR7_RW_IO, port, size) : 0;
}

uint64_t dr_mem_hits(const struct dr_guest *g, uint64_t addr, uint64_t len, bool write)
{
	return hits(g, write ? DR7_RW_WRITE : DR7_RW_ACCESS, DR7_RW_ACCESS, addr, len);
}

uint64_t dr_exec_hits(const struct dr_guest *g, uint64_t ip)
{
	uint64_t bits = 0;

	/* Enabled or not, as QEMU 7.2 and Bochs 2.7 report them (SDM 3B, 18.2.3: B0-B3 may be
	 * set for breakpoints DR7 does not enable). */
	for (unsigned n = 0; n < DR_SLOTS; n++)
		if (((g->dr7 >> DR7_RW_SHIFT(n)) & DR7_FIELD_MASK) == DR7_RW_EXEC && g->db[n] == ip)
			bits |= DR6_B(n);
	return bits;
}

void dr_db_delivered(struct dr_state *s)
{
	/* A #DB clears GD (so the handler can touch DRs) and LBR, plus BTF on AMD. */
	s->guest.dr7 &= ~DR7_GD;
	s->guest.debugctl &= ~(DEBUGCTL_LBR | (s->feat.amd ? DEBUGCTL_BTF : 0));
	dr_recompute(s);
}

void dr_deliver_db(struct dr_state *s, uint64_t pending)
{
	s->guest.dr6 = dr6_merge(s->guest.dr6, pending, &s->feat);
	dr_db_delivered(s);
}

uint64_t dr7_task_switch_mask(const struct dr_features *f)
{
	/* L0-L3 are bits 0, 2, 4 and 6 (0x55, not decimal 55); LE (bit 8) on AMD only. */
	return DR7_L_ALL | (f->amd ? DR7_LE : 0);
}

void dr_task_switch(struct dr_state *s)
{
	s->guest.dr7 &= ~dr7_task_switch_mask(&s->feat);
	dr_recompute(s);
}

enum dr_result dr_mov(struct dr_state *s, const struct dr_access *a, uint64_t *val)
{
	unsigned dr = a->dr;

	/* SDM vol. 2B, MOV--Move to/from Debug Registers: #UD, then #GP, then #DB. */
	if (dr == DR4 || dr == DR5) {
		if (a->cr4_de)
			return DR_RAISE_UD;
		dr += DR6 - DR4; /* DR4/DR5 alias DR6/DR7 when CR4.DE = 0 */
	}
	if (dr > DR7)
		return DR_RAISE_UD;
	if (a->cpl > 0)
		return DR_RAISE_GP;
	s->guest_touched = true;
	if (s->guest.dr7 & DR7_GD) {
		dr_deliver_db(s, DR6_BD);
		return DR_RAISE_DB;
	}
	if (!a->write) {
		*val = dr < DR_SLOTS ? s->guest.db[dr] : dr == DR6 ? s->guest.dr6 : s->guest.dr7;
		if (!a->long_mode)
			*val &= LOW32;
		dr_recompute(s);
		return DR_DONE;
	}
	if (!a->long_mode)
		*val &= LOW32;
	if (dr < DR_SLOTS) {
		s->guest.db[dr] = *val;
	} else {
		if (*val & DR_HIGH_MASK)
			return DR_RAISE_GP;
		if (dr == DR6)
			s->guest.dr6 = dr6_sanitize(*val, &s->feat);
		else
			s->guest.dr7 = dr7_sanitize(*val);
	}
	dr_recompute(s);
	return DR_DONE;
}

static void assign(struct dr_state *s, unsigned slot, enum dr_slot_owner owner, unsigned idx,
		   uint64_t addr, uint64_t enable, uint64_t control)
{
	s->slot_owner[slot] = (uint8_t)owner;
	s->slot_index[slot] = (uint8_t)idx;
	s->eff_db[slot] = addr;
	s->eff_dr7 |= (enable << (2 * slot)) | (control << DR7_RW_SHIFT(slot));
}

void dr_recompute(struct dr_state *s)
{
	const struct dr_guest *g = &s->guest;
	bool debugger = false;
	unsigned slot = 0;

	memset(s->slot_owner, DR_SLOT_FREE, sizeof(s->slot_owner));
	memset(s->eff_db, 0, sizeof(s->eff_db));
	/* Global bits the guest sets apply to the whole register; GD is emulated, never loaded. */
	s->eff_dr7 = DR7_FIXED_1 | (g->dr7 & (DR7_LE | DR7_GE | DR7_RTM));
	s->faked = false;
	for (unsigned i = 0; i < DR_SLOTS; i++) {
		const struct dr_debugger_bp *b = &s->dbg[i];
		if (!b->used)
			continue;
		debugger = true;
		assign(s, slot++, DR_SLOT_DEBUGGER, i, b->addr, DR7_G(0),
		       ((uint64_t)b->len_code << 2 | b->rw) & 0xf);
	}
	for (unsigned i = 0; i < DR_SLOTS; i++) {
		uint64_t enable = (g->dr7 >> (2 * i)) & 3;
		uint64_t control = (g->dr7 >> DR7_RW_SHIFT(i)) & 0xf;
		if (!debugger) {
			/* Identity: each guest slot in its hardware slot, disabled ones too. */
			assign(s, i, DR_SLOT_GUEST, i, g->db[i], enable, control);
			continue;
		}
		if (!enable)
			continue;
		if (slot >= DR_SLOTS) {
			s->faked = true; /* the debugger wins; the guest keeps its values */
			continue;
		}
		assign(s, slot++, DR_SLOT_GUEST, i, g->db[i], enable, control);
	}
	s->native = s->guest_touched && !debugger && !s->debugger_attached && !s->emulate_only &&
		    !(g->dr7 & DR7_GD);
}

uint64_t dr_route_hits(const struct dr_state *s, uint64_t hw_bits, unsigned *debugger_hits)
{
	uint64_t guest = 0;
	*debugger_hits = 0;
	for (unsigned slot = 0; slot < DR_SLOTS; slot++) {
		if (!(hw_bits & DR6_B(slot)))
			continue;
		if (s->slot_owner[slot] == DR_SLOT_DEBUGGER)
			*debugger_hits |= 1u << s->slot_index[slot];
		else if (s->slot_owner[slot] == DR_SLOT_GUEST)
			guest |= DR6_B(s->slot_index[slot]);
	}
	return guest | (hw_bits & ~DR6_B_MASK);
}

int dr_debugger_set(struct dr_state *s, uint64_t addr, uint8_t rw, uint8_t len_code)
{
	for (unsigned i = 0; i < DR_SLOTS; i++) {
		if (!s->dbg[i].used) {
			s->dbg[i] = (struct dr_debugger_bp){true, addr, rw, len_code};
			dr_recompute(s);
			return (int)i;
		}
	}
	return -1;
}

int dr_debugger_clear(struct dr_state *s, uint64_t addr, uint8_t rw, uint8_t len_code)
{
	for (unsigned i = 0; i < DR_SLOTS; i++) {
		struct dr_debugger_bp *b = &s->dbg[i];
		if (b->used && b->addr == addr && b->rw == rw && b->len_code == len_code) {
			b->used = false;
			dr_recompute(s);
			return (int)i;
		}
	}
	return -1;
}

void dr_debugger_clear_all(struct dr_state *s)
{
	memset(s->dbg, 0, sizeof(s->dbg));
	dr_recompute(s);
}

unsigned dr_free_slots(const struct dr_state *s)
{
	unsigned used = 0;
	for (unsigned i = 0; i < DR_SLOTS; i++)
		used += (unsigned)s->dbg[i].used + ((s->guest.dr7 & DR7_ENABLE(i)) != 0);
	return used < DR_SLOTS ? DR_SLOTS - used : 0;
}
