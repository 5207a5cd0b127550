/* catch.c - gdb catchpoints: parse "monitor catch", own the intercepts they need. */
#include "catch.h"

#include "core/exit.h"
#include "core/hw/printf.h"
#include "core/hw/string.h"
#include "core/hw/trap.h"
#include "core/vcpu_util.h"
#include "debug/gdb/gdb_proto.h"

#define WORD_MAX   24
#define PORT_MAX   0xffffu
#define U32_MAX	   0xffffffffu
#define DECIMAL	   10
#define HEX	   16
#define HEX_PREFIX 2
#define VEC_MAX	   (NUM_EXCEPTIONS - 1)

static const char usage[] =
    "usage: catch io PORT[-PORT] [in|out] | msr N [read|write] | cpuid [LEAF] |\n"
    "       catch exception VECTOR | triple-fault | list | delete N\n";

/* Mnemonics of the exception vectors (SDM vol. 3A, table 7-1; AMD's #HV #VC #SX). */
static const char *const vec_names[NUM_EXCEPTIONS] = {
    "DE", "DB", "NMI", "BP", "OF", "BR", "UD", "NM", "DF", "CSO", "TS", "NP", "SS", "GP", "PF", "",
    "MF", "AC", "MC",  "XM", "VE", "CP", "",   "",   "",   "",	  "",	"",   "HV", "VC", "SX", ""};

/* The next space-separated word of *p into @w ("" at the end); false if it is too long. */
static bool next_word(const char **p, char *w)
{
	size_t n = 0;
	while (**p == ' ')
		(*p)++;
	while (**p && **p != ' ') {
		if (n + 1 >= WORD_MAX)
			return false;
		w[n++] = *(*p)++;
	}
	w[n] = '\0';
	return true;
}

/* A decimal or 0x-hexadecimal number, all of @s, at most @max. */
static bool parse_num(const char *s, uint32_t max, uint32_t *out)
{
	unsigned base = DECIMAL;
	uint64_t val = 0;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = HEX;
		s += HEX_PREFIX;
	}
	if (!*s)
		return false;
	for (; *s; s++) {
		int d = gdb_hex_val(*s);
		if (d < 0 || (unsigned)d >= base)
			return false;
		val = val * base + (unsigned)d;
		if (val > max)
			return false;
	}
	*out = (uint32_t)val;
	return true;
}

/* A vector by number or by mnemonic, with or without '#', in either case. */
static bool parse_vector(const char *s, uint32_t *out)
{
	char up[WORD_MAX];
	size_t i = 0;
	if (parse_num(s, VEC_MAX, out))
		return true;
	if (*s == '#')
		s++;
	for (; s[i] && i + 1 < WORD_MAX; i++)
		up[i] = (s[i] >= 'a' && s[i] <= 'z') ? (char)(s[i] - 'a' + 'A') : s[i];
	up[i] = '\0';
	for (uint32_t vec = 0; vec < NUM_EXCEPTIONS; vec++) {
		if (vec_names[vec][0] && strcmp(up, vec_names[vec]) == 0) {
			*out = vec;
			return true;
		}
	}
	return false;
}

const char *catch_vector_name(uint32_t vec)
{
	return vec < NUM_EXCEPTIONS ? vec_names[vec] : "";
}

static const char *dir_name(const struct catchpoint *c, bool io)
{
	if (c->dir == CATCH_DIR_BOTH)
		return "";
	if (c->dir == CATCH_DIR_READ)
		return io ? " in" : " read";
	return io ? " out" : " write";
}

static void describe(const struct catchpoint *c, struct fmt_out *o)
{
	fmt_append(o, "catch %u: ", c->id);
	switch (c->kind) {
	case CATCH_IO:
		fmt_append(o, "io 0x%x", c->lo);
		if (c->hi != c->lo)
			fmt_append(o, "-0x%x", c->hi);
		fmt_append(o, "%s", dir_name(c, true));
		break;
	case CATCH_MSR:
		fmt_append(o, "msr 0x%x%s", c->lo, dir_name(c, false));
		break;
	case CATCH_CPUID:
		if (c->any)
			fmt_append(o, "cpuid (every leaf)");
		else
			fmt_append(o, "cpuid leaf 0x%x", c->lo);
		break;
	case CATCH_EXCEPTION:
		fmt_append(o, "exception %u (#%s)", c->lo, vec_names[c->lo]);
		break;
	case CATCH_TRIPLE_FAULT:
		fmt_append(o, "triple-fault");
		break;
	}
}

/* Direction word @w of catch @kind, @rd or @wr, into c->dir ("" keeps both); false if bad. */
static bool parse_dir(const char *kind, const char *w, const char *rd, const char *wr,
		      struct catchpoint *c, struct fmt_out *o)
{
	if (strcmp(w, rd) == 0)
		c->dir = CATCH_DIR_READ;
	else if (strcmp(w, wr) == 0)
		c->dir = CATCH_DIR_WRITE;
	else if (w[0]) {
		fmt_append(o, "catch %s: '%s' is neither %s nor %s\n", kind, w, rd, wr);
		return false;
	}
	return true;
}

/* Parse the arguments of one new catchpoint into @c; false after writing why to @o. */
static bool parse_new(struct vcpu *v, const char *kind, const char **p, struct catchpoint *c,
		      struct fmt_out *o)
{
	char a[WORD_MAX], b[WORD_MAX], range[WORD_MAX];
	char *dash;

	if (!next_word(p, a) || !next_word(p, b)) {
		fmt_append(o, "catch: argument too long\n");
		return false;
	}
	c->dir = CATCH_DIR_BOTH;
	if (strcmp(kind, "io") == 0) {
		c->kind = CATCH_IO;
		memcpy(range, a, sizeof(range));
		dash = a;
		while (*dash && *dash != '-')
			dash++;
		if (*dash)
			*dash++ = '\0';
		if (!parse_num(a, PORT_MAX, &c->lo) ||
		    !parse_num(*dash ? dash : a, PORT_MAX, &c->hi) || c->hi < c->lo) {
			fmt_append(o, "catch io: bad port or range '%s' (0-0xffff, low-high)\n",
				   range);
			return false;
		}
		if (!parse_dir(kind, b, "in", "out", c, o))
			return false;
	} else if (strcmp(kind, "msr") == 0) {
		c->kind = CATCH_MSR;
		if (!parse_num(a, U32_MAX, &c->lo)) {
			fmt_append(o, "catch msr: bad MSR number '%s'\n", a);
			return false;
		}
		if (!parse_dir(kind, b, "read", "write", c, o))
			return false;
		/* A caught MSR is executed for the guest: not one in the VMCS/VMCB that runs
		 * natively. */
		if (msr_virt_guest_state(c->lo) &&
		    (((c->dir & CATCH_DIR_READ) && !msr_virt_intercepted(v, c->lo, false)) ||
		     ((c->dir & CATCH_DIR_WRITE) && !msr_virt_intercepted(v, c->lo, true)))) {
			fmt_append(
			    o,
			    "catch msr: MSR 0x%x holds guest state in the VMCS/VMCB and runs "
			    "natively: it cannot be caught\n",
			    c->lo);
			return false;
		}
	} else if (strcmp(kind, "cpuid") == 0) {
		c->kind = CATCH_CPUID;
		c->any = !a[0];
		if (a[0] && !parse_num(a, U32_MAX, &c->lo)) {
			fmt_append(o, "catch cpuid: bad leaf '%s'\n", a);
			return false;
		}
	} else if (strcmp(kind, "exception") == 0) {
		c->kind = CATCH_EXCEPTION;
		if (!parse_vector(a, &c->lo)) {
			fmt_append(
			    o, "catch exception: bad vector '%s' (0-31 or a name such as PF)\n", a);
			return false;
		}
		/* #DB carries gdb's own steps and breakpoints; vector 2 is the NMI. */
		if (c->lo == VEC_DB || c->lo == VEC_NMI) {
			fmt_append(o, "catch exception: vector %u (#%s) cannot be caught\n", c->lo,
				   vec_names[c->lo]);
			return false;
		}
	} else if (strcmp(kind, "triple-fault") == 0) {
		c->kind = CATCH_TRIPLE_FAULT;
	} else {
		fmt_append(o, "catch: unknown kind '%s'\n%s", kind, usage);
		return false;
	}
	if (c->kind != CATCH_IO && c->kind != CATCH_MSR && b[0]) {
		fmt_append(o, "catch %s: unexpected '%s'\n", kind, b);
		return false;
	}
	if ((c->kind == CATCH_TRIPLE_FAULT && a[0]) || (next_word(p, a) && a[0])) {
		fmt_append(o, "catch %s: unexpected '%s'\n", kind, a);
		return false;
	}
	return true;
}

/* Does a catchpoint other than @skip stop on port or vector @val (I/O or exception)? */
static bool covers(const struct catch_table *t, const struct catchpoint *skip, uint32_t val)
{
	for (const struct catchpoint *c = t->c; c < t->c + CATCH_MAX; c++)
		if (c->used && c != skip && c->kind == skip->kind && val >= c->lo &&
		    val <= (c->kind == CATCH_IO ? c->hi : c->lo))
			return true;
	return false;
}

/* Vectors intercepted whatever the catchpoints: #DF (exit_setup_intercepts), #DB and #AC
 * (vcpu_debug_setup), #BP while gdb is attached (vcpu_gdb.c, for its INT3s). */
static bool vector_kept(uint32_t vec, bool bp_intercepted)
{
	return vec == VEC_DF || vec == VEC_DB || vec == VEC_AC || (vec == VEC_BP && bp_intercepted);
}

/* The intercepts @c needs on (@on), or back to what they were without it (!@on, once it is
 * marked unused): dbgvisor's own rules and the other catchpoints' stay. CPUID always exits;
 * a triple fault is seen through the #DF intercept and the shutdown exit. */
static void intercept(struct vcpu *v, const struct catch_table *t, const struct catchpoint *c,
		      bool on, bool bp_intercepted)
{
	unsigned dirs = 0;
	if (c->kind == CATCH_IO) {
		for (uint32_t p = c->lo; p <= c->hi; p++)
			if (on || (!exit_io_intercepted(v, (uint16_t)p) && !covers(t, c, p)))
				v->ops->set_io_intercept(v, (uint16_t)p, on);
	} else if (c->kind == CATCH_MSR) {
		/* msr_virt's rule plus the catchpoints'; MSRs outside the bitmaps exit anyway. */
		for (unsigned i = 0; i < CATCH_MAX; i++)
			if (t->c[i].used && t->c[i].kind == CATCH_MSR && t->c[i].lo == c->lo)
				dirs |= t->c[i].dir;
		v->ops->set_msr_intercept(
		    v, c->lo, msr_virt_intercepted(v, c->lo, false) || (dirs & CATCH_DIR_READ),
		    msr_virt_intercepted(v, c->lo, true) || (dirs & CATCH_DIR_WRITE));
	} else if (c->kind == CATCH_EXCEPTION) {
		if (on || (!vector_kept(c->lo, bp_intercepted) && !covers(t, c, c->lo)))
			v->ops->set_exception_intercept(v, (uint8_t)c->lo, on);
	}
}

static void catch_add(struct vcpu *v, struct catch_table *t, const char *kind, const char *p,
		      struct fmt_out *o, bool bp_intercepted)
{
	struct catchpoint c = {.used = true};
	unsigned slot = 0;
	while (slot < CATCH_MAX && t->c[slot].used)
		slot++;
	if (slot == CATCH_MAX) {
		fmt_append(o, "catch: all %u catchpoints in use; delete one first\n", CATCH_MAX);
		return;
	}
	if (!parse_new(v, kind, &p, &c, o))
		return;
	c.id = ++t->next_id;
	t->c[slot] = c;
	t->count++;
	intercept(v, t, &t->c[slot], true, bp_intercepted);
	describe(&t->c[slot], o);
	fmt_append(o, "\n");
}

static void catch_delete(struct vcpu *v, struct catch_table *t, const char *p, struct fmt_out *o,
			 bool bp_intercepted)
{
	char w[WORD_MAX], rest[WORD_MAX];
	uint32_t id;
	if (!next_word(&p, w) || !parse_num(w, U32_MAX, &id) || !next_word(&p, rest) || rest[0]) {
		fmt_append(o, "catch delete: give one catchpoint number (see catch list)\n");
		return;
	}
	for (struct catchpoint *c = t->c; c < t->c + CATCH_MAX; c++) {
		if (c->used && c->id == id) {
			c->used = false; /* first, so the intercepts it alone needed go */
			t->count--;
			intercept(v, t, c, false, bp_intercepted);
			fmt_append(o, "catch %u deleted\n", id);
			return;
		}
	}
	fmt_append(o, "catch delete: no catchpoint %u\n", id);
}

static void catch_list(const struct catch_table *t, struct fmt_out *o)
{
	if (!t->count)
		fmt_append(o, "no catchpoints\n");
	for (const struct catchpoint *c = t->c; c < t->c + CATCH_MAX; c++) {
		if (c->used) {
			describe(c, o);
			fmt_append(o, ", %lu hit%s\n", c->hits, c->hits == 1 ? "" : "s");
		}
	}
}

void catch_clear(struct vcpu *v, struct catch_table *t, bool bp_intercepted)
{
	for (struct catchpoint *c = t->c; c < t->c + CATCH_MAX; c++) {
		if (c->used) {
			c->used = false;
			intercept(v, t, c, false, bp_intercepted);
		}
	}
	t->count = 0;
	t->skip_valid = false;
}

void catch_command(struct vcpu *v, struct catch_table *t, bool bp_intercepted, const char *args,
		   char *out, size_t outlen)
{
	struct fmt_out o = {out, 0, outlen};
	char kind[WORD_MAX];
	if (outlen)
		out[0] = '\0';
	if (!next_word(&args, kind)) {
		fmt_append(&o, "catch: unknown kind\n%s", usage);
		return;
	}
	if (!kind[0] || strcmp(kind, "list") == 0)
		catch_list(t, &o);
	else if (strcmp(kind, "delete") == 0)
		catch_delete(v, t, args, &o, bp_intercepted);
	else if (strcmp(kind, "help") == 0)
		fmt_append(&o, "%s", usage);
	else
		catch_add(v, t, kind, args, &o, bp_intercepted);
}
