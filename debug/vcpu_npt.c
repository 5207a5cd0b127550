/* vcpu_npt.c - gdb breakpoints and watchpoints through nested-page protection. */
#include "vcpu_npt.h"

#include "core/hw/x86.h"
#include "core/paging/nested_pt.h"
#include "core/vcpu_util.h"
#include "vcpu_gdb.h"

#define NPT_PAGE_SIZE 4096ull
#define NPT_PAGE_MASK (~(NPT_PAGE_SIZE - 1))
#define ADDR32_MAX    0xffffffffull
#define REX_W	      0x8
/* One-byte opcodes whose bit 0 is w (0: byte operands; SDM vol. 2, B.1.4.3): ALU 00-3F
 * (forms 0-5), the rest in w_bit_opcodes. */
#define ALU_LAST      0x3f
#define ALU_FORM_MASK 7
#define ALU_FORMS_W   6
#define OPSIZE_16     2
#define OPSIZE_32     4
#define OPSIZE_64     8
#define OP_MOVZX_B    0xb6
#define OP_MOVZX_W    0xb7
#define OP_MOVSX_B    0xbe
#define OP_MOVSX_W    0xbf
/* Two-byte opcodes that exit while gdb is attached (it keeps MOV DR intercepted). */
#define OP_CPUID       0xa2
#define OP_MOV_FROM_DR 0x21
#define OP_MOV_TO_DR   0x23

static const uint8_t w_bit_opcodes[] = {0x80, 0x81, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a,
					0x8b, 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
					0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf, 0xc0, 0xc1, 0xc6,
					0xc7, 0xd0, 0xd1, 0xd2, 0xd3, 0xf6, 0xf7, 0xfe, 0xff};

/* One guest CPU, one set (v->npt: NULL until gdb sets the first). */
static struct vcpu_npt npt_state;

bool vcpu_npt_stepping(const struct vcpu *v)
{
	return v->npt && v->npt->stepping;
}

static bool overlaps(uint64_t a, unsigned alen, uint64_t b, unsigned blen)
{
	return a < b + blen && b < a + alen;
}

/* What the entries want denied on the page at @page. */
static unsigned page_deny(const struct vcpu_npt *n, uint64_t page)
{
	static const unsigned deny[] = {[NPT_EXEC] = NESTED_DENY_EXEC,
					[NPT_WRITE] = NESTED_DENY_WRITE,
					[NPT_READ] = NESTED_DENY_ACCESS,
					[NPT_ACCESS] = NESTED_DENY_ACCESS};
	unsigned d = 0;
	for (const struct npt_entry *e = n->e; e < n->e + NPT_BP_MAX; e++)
		if (e->used && !e->pending && overlaps(e->gpa, e->len, page, NPT_PAGE_SIZE))
			d |= deny[e->kind];
	return d;
}

static bool is_lifted(const struct vcpu_npt *n, uint64_t page)
{
	for (unsigned i = 0; i < n->nlifted; i++)
		if (n->lifted[i] == page)
			return true;
	return false;
}

/* Bring the page's protection in line with the entries (a page open for a step waits). */
static int apply(struct vcpu *v, struct vcpu_npt *n, uint64_t page)
{
	if (n->stepping && is_lifted(n, page))
		return 0;
	return v->ops->nested_protect(v, page, page_deny(n, page));
}

static struct npt_entry *find(struct vcpu_npt *n, enum npt_kind k, uint64_t addr, unsigned len)
{
	for (struct npt_entry *e = n->e; e < n->e + NPT_BP_MAX; e++)
		if (e->used && e->kind == k && e->addr == addr && e->len == len)
			return e;
	return 0;
}

/* @addr's guest RAM now, in the current mode (a 64-bit address is no 32-bit one). */
static bool resolve(struct vcpu *v, uint64_t addr, unsigned len, uint64_t *gpa)
{
	uint8_t byte;
	if (vcpu_code_mode(v) != INSN_MODE_64 && addr > ADDR32_MAX)
		return false;
	if (!vcpu_virt_to_phys(v, addr, gpa) || !v->host->read_phys(*gpa, &byte, 1))
		return false;
	/* The watched bytes stay in one page: both ends must be where the walk says. */
	return ((*gpa + len - 1) & NPT_PAGE_MASK) == (*gpa & NPT_PAGE_MASK);
}

bool vcpu_npt_covers(struct vcpu *v, uint64_t addr)
{
	uint64_t gpa;
	return v->npt && resolve(v, addr, 1, &gpa) && page_deny(v->npt, gpa & NPT_PAGE_MASK);
}

/* Move gdb's data watchpoint in debugger slot @i into the nested tables; 0, or -1. */
static int adopt_dr(struct vcpu *v, unsigned i)
{
	static const unsigned len_of[] = {
	    [DR7_LEN_1] = 1, [DR7_LEN_2] = 2, [DR7_LEN_4] = 4, [DR7_LEN_8] = 8};
	struct dr_debugger_bp b = v->dr->dbg[i];
	enum npt_kind k = b.rw == DR7_RW_WRITE ? NPT_WRITE : NPT_ACCESS;
	if (!b.used || b.rw == DR7_RW_EXEC)
		return -1;
	/* Out of the slot first: the insertion looks for debug registers on the page too. */
	(void)dr_debugger_clear(v->dr, b.addr, b.rw, b.len_code);
	if (vcpu_npt_insert(v, k, b.addr, len_of[b.len_code]) == 0)
		return 0;
	(void)dr_debugger_set(v->dr, b.addr, b.rw, b.len_code);
	return -1;
}

/* gdb's debug-register watchpoints on @page move to the nested tables with the page. */
static void adopt_drs(struct vcpu *v, uint64_t page)
{
	uint64_t gpa;
	for (unsigned i = 0; i < DR_SLOTS; i++)
		if (v->dr->dbg[i].used && resolve(v, v->dr->dbg[i].addr, 1, &gpa) &&
		    (gpa & NPT_PAGE_MASK) == page)
			(void)adopt_dr(v, i);
}

int vcpu_npt_free_dr(struct vcpu *v)
{
	for (unsigned i = 0; i < DR_SLOTS; i++)
		if (adopt_dr(v, i) == 0)
			return 0;
	return -1;
}

int vcpu_npt_insert(struct vcpu *v, enum npt_kind k, uint64_t addr, unsigned len)
{
	struct vcpu_npt *n = v->npt;
	struct npt_entry *e = 0;

	if (!n) {
		npt_state = (struct vcpu_npt){0};
		n = v->npt = &npt_state;
	}
	if (len == 0 || len > NPT_WATCH_MAX)
		return -1;
	if (find(n, k, addr, len))
		return 0;
	for (struct npt_entry *f = n->e; f < n->e + NPT_BP_MAX && !e; f++)
		if (!f->used)
			e = f;
	if (!e)
		return -1;
	*e = (struct npt_entry){.used = true, .kind = (uint8_t)k, .len = len, .addr = addr};
	if (!resolve(v, addr, len, &e->gpa)) {
		/* Only code can wait for its page, through a debug-register breakpoint. */
		if (k != NPT_EXEC || dr_debugger_set(v->dr, addr, DR7_RW_EXEC, DR7_LEN_1) < 0) {
			e->used = false;
			return -1;
		}
		e->pending = true;
		return 0;
	}
	if (apply(v, n, e->gpa & NPT_PAGE_MASK)) {
		e->used = false;
		return -1;
	}
	if (k != NPT_EXEC)
		adopt_drs(v, e->gpa & NPT_PAGE_MASK);
	return 0;
}

bool vcpu_npt_has(struct vcpu *v, enum npt_kind k, uint64_t addr, unsigned len)
{
	return v->npt && find(v->npt, k, addr, len);
}

int vcpu_npt_remove(struct vcpu *v, enum npt_kind k, uint64_t addr, unsigned len)
{
	struct vcpu_npt *n = v->npt;
	struct npt_entry *e = n ? find(n, k, addr, len) : 0;
	if (!e)
		return 0;
	e->used = false;
	if (e->pending)
		return dr_debugger_clear(v->dr, addr, DR7_RW_EXEC, DR7_LEN_1) < 0 ? -1 : 0;
	return apply(v, n, e->gpa & NPT_PAGE_MASK);
}

/* Bytes the instruction at RIP accesses: by w bit, 66h and REX.W, else the mode's default. */
static unsigned access_len(struct vcpu *v)
{
	enum insn_mode mode = vcpu_code_mode(v);
	struct insn i;
	if (vcpu_fetch_insn(v, &i) != 0)
		return 1;
	if (i.map == INSN_MAP_0F && (i.opcode == OP_MOVZX_B || i.opcode == OP_MOVSX_B))
		return 1;
	if (i.map == INSN_MAP_0F && (i.opcode == OP_MOVZX_W || i.opcode == OP_MOVSX_W))
		return OPSIZE_16;
	if (i.map == INSN_MAP_1BYTE) {
		bool w_form = i.opcode <= ALU_LAST && (i.opcode & ALU_FORM_MASK) < ALU_FORMS_W;
		for (unsigned j = 0; j < sizeof(w_bit_opcodes) && !w_form; j++)
			w_form = i.opcode == w_bit_opcodes[j];
		if (w_form && !(i.opcode & 1))
			return 1;
	}
	if (i.rex & REX_W)
		return OPSIZE_64;
	if (mode == INSN_MODE_16)
		return i.opsize ? OPSIZE_32 : OPSIZE_16;
	return i.opsize ? OPSIZE_16 : OPSIZE_32;
}

/* The instruction at RIP exits anyway, ending the step without TF: Bochs 2.7's SVM keeps a
 * pending single-step trap across an instruction intercept, and the host would take it. */
static bool insn_exits(struct vcpu *v)
{
	struct insn i;
	return vcpu_fetch_insn(v, &i) == 0 &&
	       (insn_is(&i, INSN_MAP_0F, OP_CPUID) ||
		(v->dr_intercept && (insn_is(&i, INSN_MAP_0F, OP_MOV_FROM_DR) ||
				     insn_is(&i, INSN_MAP_0F, OP_MOV_TO_DR))));
}

/* Remember the watched bytes of the page before a write may change them. */
static void snapshot(struct vcpu *v, struct vcpu_npt *n, uint64_t page)
{
	for (struct npt_entry *e = n->e; e < n->e + NPT_BP_MAX; e++)
		if (e->used && !e->pending && e->kind == NPT_WRITE &&
		    overlaps(e->gpa, e->len, page, NPT_PAGE_SIZE)) {
			e->before = 0;
			(void)v->host->read_phys(e->gpa, &e->before, e->len);
		}
}

/* Open @page and single-step the guest one instruction with a TF it cannot see. Every way
 * in (a fault, a resume from a breakpoint) takes the watched bytes first: report_hits()
 * compares with them, and a stale value would be a write that never happened. */
static void step_over(struct vcpu *v, struct vcpu_npt *n, uint64_t page)
{
	uint64_t rflags;
	if (!is_lifted(n, page)) {
		snapshot(v, n, page);
		if (n->nlifted < NPT_STEP_PAGES)
			n->lifted[n->nlifted++] = page;
	}
	(void)v->ops->nested_protect(v, page, 0);
	if (n->stepping)
		return; /* the same instruction touched one more protected page */
	rflags = vcpu_get(v, REG_RFLAGS);
	n->stepping = true;
	n->by_exit = insn_exits(v);
	if (n->by_exit) {
		n->tf_ours = n->clear_tf = false;
		return;
	}
	n->tf_ours = !(rflags & RFLAGS_TF);
	v->npt_tf = n->tf_ours;
	n->clear_tf = n->tf_ours && !vcpu_gdb_insn_loads_tf(v);
	vcpu_set(v, REG_RFLAGS, rflags | RFLAGS_TF);
	/* An interrupt taken now would run its handler with the page open and TF pending. */
	v->ops->set_step_shadow(v);
}

bool vcpu_npt_fault(struct vcpu *v, const struct vcpu_exit *e)
{
	struct vcpu_npt *n = v->npt;
	uint64_t page = e->npf.gpa & NPT_PAGE_MASK, rip;
	unsigned deny = n ? page_deny(n, page) : 0;
	if (!((e->npf.fetch && (deny & NESTED_DENY_EXEC)) ||
	      (e->npf.write && (deny & NESTED_DENY_WRITE)) || (deny & NESTED_DENY_ACCESS)))
		return false;
	if (e->npf.fetch) {
		rip = vcpu_get(v, REG_RIP);
		for (struct npt_entry *b = n->e; b < n->e + NPT_BP_MAX && !n->stepping; b++)
			if (b->used && !b->pending && b->kind == NPT_EXEC && b->addr == rip &&
			    b->gpa == e->npf.gpa) {
				/* Nothing ran: as at a planted INT3, but no code changed. */
				vcpu_gdb_request_stop(v, GDB_STOP_SIGTRAP_SW, rip, 0);
				return true;
			}
	} else if (n->nacc < NPT_STEP_PAGES) {
		n->acc[n->nacc++] = (struct npt_access){
		    .gpa = e->npf.gpa, .len = access_len(v), .write = e->npf.write};
	}
	step_over(v, n, page);
	return true;
}

/* The step's accesses against the watchpoints: the first one touched is reported. */
static void report_hits(struct vcpu *v, struct vcpu_npt *n)
{
	static const enum gdb_stop_kind kinds[] = {[NPT_WRITE] = GDB_STOP_WATCH,
						   [NPT_READ] = GDB_STOP_RWATCH,
						   [NPT_ACCESS] = GDB_STOP_AWATCH};

	for (struct npt_entry *e = n->e; e < n->e + NPT_BP_MAX; e++) {
		bool hit = false;
		uint64_t now = 0;
		if (!e->used || e->pending || e->kind == NPT_EXEC)
			continue;
		for (unsigned i = 0; i < n->nacc; i++) {
			const struct npt_access *a = &n->acc[i];
			if (overlaps(a->gpa, a->len, e->gpa, e->len) &&
			    (e->kind == NPT_ACCESS || (e->kind == NPT_WRITE) == a->write))
				hit = true;
		}
		/* A read-modify-write may fault as a read first: a changed value is a write. */
		if (e->kind == NPT_WRITE && !hit && is_lifted(n, e->gpa & NPT_PAGE_MASK) &&
		    v->host->read_phys(e->gpa, &now, e->len))
			hit = now != e->before;
		if (hit) {
			vcpu_gdb_request_stop(v, kinds[e->kind], e->addr, 0);
			return;
		}
	}
}

bool vcpu_npt_step_done(struct vcpu *v)
{
	struct vcpu_npt *n = v->npt;
	if (!n || !n->stepping)
		return false;
	n->stepping = false;
	v->npt_tf = false;
	if (n->clear_tf)
		vcpu_set(v, REG_RFLAGS, vcpu_get(v, REG_RFLAGS) & ~RFLAGS_TF);
	report_hits(v, n);
	for (unsigned i = 0; i < n->nlifted; i++)
		(void)apply(v, n, n->lifted[i]);
	n->nlifted = 0;
	n->nacc = 0;
	return n->tf_ours;
}

void vcpu_npt_after_exit(struct vcpu *v)
{
	if (v->npt && v->npt->stepping && v->npt->by_exit)
		(void)vcpu_npt_step_done(v);
}

void vcpu_npt_resume(struct vcpu *v)
{
	struct vcpu_npt *n = v->npt;
	uint64_t gpa;
	if (!n)
		return;
	/* A breakpoint at RIP is not stepped over: gdb removes it first when it means to leave
	 * it (z0, then s); one still inserted (jump, call, set $pc) stops the guest at once. */
	for (struct npt_entry *e = n->e; e < n->e + NPT_BP_MAX; e++) {
		if (e->used && e->pending && resolve(v, e->addr, e->len, &gpa) &&
		    dr_debugger_clear(v->dr, e->addr, DR7_RW_EXEC, DR7_LEN_1) >= 0) {
			e->pending = false;
			e->gpa = gpa;
			(void)apply(v, n, gpa & NPT_PAGE_MASK);
		}
	}
}
