/* gdb_regs.c - amd64 and i386 register layouts: their target.xml and the g, G, p, P packets. */
#include <stdarg.h>

#include "core/hw/printf.h"
#include "core/hw/string.h"
#include "gdb_internal.h"

#define XML_LINE_MAX  160
#define FEAT_CORE     "org.gnu.gdb.i386.core"
#define FEAT_SYS      "org.dbgvisor.sys"
#define ARCH_AMD64    "i386:x86-64"
#define ARCH_I386     "i386"
#define GROUP_FLOAT   "float"
#define GROUP_SYSTEM  "system"
#define BITS_PER_BYTE 8

#define DESC(n, t, g, bits, field, feat)                                                           \
	{                                                                                          \
		n, t, g, bits, field, feat                                                         \
	}
#define FIELD(f) offsetof(struct gdb_regs, f), sizeof(((struct gdb_regs *)0)->f)
/* x87 state is not shown, but GDB rejects an i386/amd64 core feature without these registers. */
#define NO_FIELD	   0, 0 /* reads as 0, writes (G, P) accepted and ignored */
#define REG(n, t, bits, f) DESC(n, t, NULL, bits, FIELD(f), GDB_FEAT_CORE)
#define SYS(n, t, f)	   DESC(n, t, GROUP_SYSTEM, 64, FIELD(f), GDB_FEAT_SYS)
#define SYS64(n, f)	   SYS(n, "uint64", f)
#define X87_ST(n)	   DESC(n, "i387_ext", NULL, 80, NO_FIELD, GDB_FEAT_CORE)
#define X87_CTL(n)	   DESC(n, "int", GROUP_FLOAT, 32, NO_FIELD, GDB_FEAT_CORE)
#define GPR64(n, i)	   REG(n, "int64", 64, gpr[i])
#define GPR32(n, i)	   REG(n, "int32", 32, gpr[i])
#define SEGS                                                                                       \
	REG("cs", "int32", 32, cs), REG("ss", "int32", 32, ss), REG("ds", "int32", 32, ds),        \
	    REG("es", "int32", 32, es), REG("fs", "int32", 32, fs), REG("gs", "int32", 32, gs)
#define X87                                                                                        \
	X87_ST("st0"), X87_ST("st1"), X87_ST("st2"), X87_ST("st3"), X87_ST("st4"), X87_ST("st5"),  \
	    X87_ST("st6"), X87_ST("st7"), X87_CTL("fctrl"), X87_CTL("fstat"), X87_CTL("ftag"),     \
	    X87_CTL("fiseg"), X87_CTL("fioff"), X87_CTL("foseg"), X87_CTL("fooff"), X87_CTL("fop")
#define SYSREGS                                                                                    \
	SYS64("cr0", cr0), SYS64("cr2", cr2), SYS64("cr3", cr3), SYS64("cr4", cr4),                \
	    SYS64("efer", efer), SYS64("dr0", dr[0]), SYS64("dr1", dr[1]), SYS64("dr2", dr[2]),    \
	    SYS64("dr3", dr[3]), SYS64("dr6", dr[6]), SYS64("dr7", dr[7])
#define BASES SYS("fs_base", "data_ptr", fs_base), SYS("gs_base", "data_ptr", gs_base)
/* GDB's amd64 numbering (rip 16, rsp 7, rbp 6) */
#define GPRS64                                                                                     \
	GPR64("rax", 0), GPR64("rbx", 1), GPR64("rcx", 2), GPR64("rdx", 3), GPR64("rsi", 4),       \
	    GPR64("rdi", 5), REG("rbp", "data_ptr", 64, gpr[6]),                                   \
	    REG("rsp", "data_ptr", 64, gpr[7]), GPR64("r8", 8), GPR64("r9", 9), GPR64("r10", 10),  \
	    GPR64("r11", 11), GPR64("r12", 12), GPR64("r13", 13), GPR64("r14", 14),                \
	    GPR64("r15", 15), REG("rip", "code_ptr", 64, rip)
/* GDB's i386 order differs from amd64's: eax ecx edx ebx esp ebp esi edi. */
#define GPRS32                                                                                     \
	GPR32("eax", 0), GPR32("ecx", 2), GPR32("edx", 3), GPR32("ebx", 1),                        \
	    REG("esp", "data_ptr", 32, gpr[7]), REG("ebp", "data_ptr", 32, gpr[6]),                \
	    GPR32("esi", 4), GPR32("edi", 5), REG("eip", "code_ptr", 32, rip)
#define EFLAGS REG("eflags", "i386_eflags", 32, eflags)

static const struct gdb_reg_desc regs64[] = {GPRS64, EFLAGS, SEGS, X87, BASES, SYSREGS};
static const struct gdb_reg_desc regs32[] = {GPRS32, EFLAGS, SEGS, X87, SYSREGS};

_Static_assert(sizeof(((struct gdb_regs *)0)->rip) == sizeof(uint64_t), "rip is 64-bit");
_Static_assert(sizeof(((struct gdb_regs *)0)->cs) == sizeof(uint32_t), "selectors are 32-bit");

const struct gdb_reg_desc *gdb_reg_table(bool is64, size_t *count)
{
	*count = is64 ? NELEMS(regs64) : NELEMS(regs32);
	return is64 ? regs64 : regs32;
}

/* The eflags bits GDB shows, by bit number (NULL: not shown). */
static const char *const eflags_bits[] = {
    [0] = "CF",	 [1] = "",    [2] = "PF",   [4] = "AF",	  [6] = "ZF",  [7] = "SF",
    [8] = "TF",	 [9] = "IF",  [10] = "DF",  [11] = "OF",  [14] = "NT", [16] = "RF",
    [17] = "VM", [18] = "AC", [19] = "VIF", [20] = "VIP", [21] = "ID"};

/* Streams the description, keeping only the window [skip, skip + max). */
struct xml_out {
	char *out;
	size_t max, n;
	uint64_t skip, pos;
};

static void emit(struct xml_out *x, const char *s)
{
	for (; *s && x->n < x->max; s++, x->pos++)
		if (x->pos >= x->skip)
			x->out[x->n++] = *s;
}

static void __attribute__((format(printf, 2, 3))) emitf(struct xml_out *x, const char *fmt, ...)
{
	char line[XML_LINE_MAX];
	va_list ap;
	if (x->n == x->max)
		return; /* the window is full: the rest need not even be formatted */
	va_start(ap, fmt);
	fmt_vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	emit(x, line);
}

static void emit_eflags_type(struct xml_out *x)
{
	emit(x, "  <flags id=\"i386_eflags\" size=\"4\">\n");
	for (unsigned bit = 0; bit < NELEMS(eflags_bits); bit++)
		if (eflags_bits[bit])
			emitf(x, "    <field name=\"%s\" start=\"%u\" end=\"%u\"/>\n",
			      eflags_bits[bit], bit, bit);
	emit(x, "  </flags>\n");
}

size_t gdb_target_xml(bool is64, uint64_t off, char *out, size_t max)
{
	struct xml_out x = {.out = out, .max = max, .skip = off};
	size_t count;
	const struct gdb_reg_desc *regs = gdb_reg_table(is64, &count);
	int feature = -1;

	emit(&x, "<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
		 "<target version=\"1.0\">\n");
	emitf(&x, "<architecture>%s</architecture>\n<osabi>none</osabi>\n",
	      is64 ? ARCH_AMD64 : ARCH_I386);
	for (const struct gdb_reg_desc *r = regs; r < regs + count; r++) {
		if (r->feature != feature) {
			if (feature >= 0)
				emit(&x, "</feature>\n");
			feature = r->feature;
			emitf(&x, "<feature name=\"%s\">\n",
			      feature == GDB_FEAT_CORE ? FEAT_CORE : FEAT_SYS);
			if (feature == GDB_FEAT_CORE)
				emit_eflags_type(&x);
		}
		emitf(&x, "  <reg name=\"%s\" bitsize=\"%u\" type=\"%s\"", r->name, r->bits,
		      r->type);
		if (r->group)
			emitf(&x, " group=\"%s\"", r->group);
		emit(&x, "/>\n");
	}
	emit(&x, "</feature>\n</target>\n");
	return x.n;
}

/* Register values travel in target (x86, little-endian) byte order: host order here. */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "little-endian host assumed");

static size_t reg_bytes(const struct gdb_reg_desc *d)
{
	return d->bits / BITS_PER_BYTE;
}

/* Narrower registers (i386 eax as gpr[0]) see the low bytes; wider ones (st0) pad with 0. */
static void put_reg(struct gdb_stub *s, const struct gdb_regs *r, const struct gdb_reg_desc *d)
{
	uint8_t val[GDB_REG_BYTES_MAX] = {0};
	memcpy(val, (const uint8_t *)r + d->off, d->size < reg_bytes(d) ? d->size : reg_bytes(d));
	gdb_proto_put_hex(&s->proto, val, reg_bytes(d));
}

/* Writes replace only the bytes the register covers: an i386 write keeps the upper half. */
static void reg_set(struct gdb_regs *r, const struct gdb_reg_desc *d, const uint8_t *val)
{
	size_t n = reg_bytes(d);
	memcpy((uint8_t *)r + d->off, val, d->size < n ? d->size : n);
}

void gdb_put_reg(struct gdb_stub *s, const struct gdb_regs *r, unsigned regno)
{
	size_t count;
	const struct gdb_reg_desc *regs = gdb_reg_table(s->is64, &count);
	if (regno < count)
		put_reg(s, r, &regs[regno]);
}

const char *gdb_cmd_read_regs(struct gdb_stub *s)
{
	struct gdb_regs r;
	size_t count;
	if (s->tgt.get_regs(s->tgt.ctx, &r) != 0)
		return GDB_E_TARGET;
	(void)gdb_reg_table(s->is64, &count);
	gdb_proto_begin(&s->proto);
	for (unsigned i = 0; i < count; i++)
		gdb_put_reg(s, &r, i);
	gdb_proto_end(&s->proto);
	return NULL;
}

const char *gdb_cmd_write_regs(struct gdb_stub *s, const char *hex, size_t len)
{
	size_t count, total = 0;
	const struct gdb_reg_desc *regs = gdb_reg_table(s->is64, &count);
	uint8_t val[GDB_REG_BYTES_MAX];
	struct gdb_regs r;
	for (size_t i = 0; i < count; i++)
		total += reg_bytes(&regs[i]);
	if (len != 2 * total)
		return GDB_E_INVAL;
	if (s->tgt.get_regs(s->tgt.ctx, &r) != 0)
		return GDB_E_TARGET;
	for (size_t i = 0; i < count; i++) {
		size_t n = reg_bytes(&regs[i]);
		if (!gdb_hex_decode(hex, val, n))
			return GDB_E_INVAL;
		reg_set(&r, &regs[i], val);
		hex += 2 * n;
	}
	return s->tgt.set_regs(s->tgt.ctx, &r) == 0 ? GDB_OK : GDB_E_TARGET;
}

/* "n" (p) or "n=value" (P) */
static const struct gdb_reg_desc *parse_regno(struct gdb_stub *s, const char **arg)
{
	size_t count;
	const struct gdb_reg_desc *regs = gdb_reg_table(s->is64, &count);
	uint64_t n;
	return gdb_parse_hex(arg, &n) && n < count ? &regs[n] : NULL;
}

const char *gdb_cmd_read_reg(struct gdb_stub *s, const char *arg)
{
	const struct gdb_reg_desc *d = parse_regno(s, &arg);
	struct gdb_regs r;
	if (!d || *arg)
		return GDB_E_INVAL;
	if (s->tgt.get_regs(s->tgt.ctx, &r) != 0)
		return GDB_E_TARGET;
	gdb_proto_begin(&s->proto);
	put_reg(s, &r, d);
	gdb_proto_end(&s->proto);
	return NULL;
}

const char *gdb_cmd_write_reg(struct gdb_stub *s, const char *arg)
{
	const struct gdb_reg_desc *d = parse_regno(s, &arg);
	uint8_t val[GDB_REG_BYTES_MAX];
	struct gdb_regs r;
	if (!d || *arg++ != '=' || strlen(arg) != 2 * reg_bytes(d) ||
	    !gdb_hex_decode(arg, val, reg_bytes(d)))
		return GDB_E_INVAL;
	if (d->size == 0) /* x87: accepted and ignored */
		return GDB_OK;
	if (s->tgt.get_regs(s->tgt.ctx, &r) != 0)
		return GDB_E_TARGET;
	reg_set(&r, d, val);
	return s->tgt.set_regs(s->tgt.ctx, &r) == 0 ? GDB_OK : GDB_E_TARGET;
}
