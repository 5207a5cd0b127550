/* gdb_target_xml.c - register layouts for amd64 and i386 and the target.xml built from them. */
#include <stdarg.h>

#include "core/hw/printf.h"
#include "gdb_internal.h"

#define XML_LINE_MAX 160
#define FEAT_CORE    "org.gnu.gdb.i386.core"
#define FEAT_SYS     "org.dbgvisor.sys"
#define ARCH_AMD64   "i386:x86-64"
#define ARCH_I386    "i386"
#define GROUP_FLOAT  "float"
#define GROUP_SYSTEM "system"
#define U64_BYTES    8
#define U32_BYTES    4

#define FIELD(f) offsetof(struct gdb_regs, f), sizeof(((struct gdb_regs *)0)->f)
#define REG(n, t, bits, f)                                                                         \
	{                                                                                          \
		n, t, NULL, bits, FIELD(f), GDB_FEAT_CORE                                          \
	}
#define SYS(n, f)                                                                                  \
	{                                                                                          \
		n, "uint64", GROUP_SYSTEM, 64, FIELD(f), GDB_FEAT_SYS                              \
	}
/* x87 state is not shown to the debugger, but GDB rejects an i386/amd64 core feature without
 * these: they read as 0 and writes (G, P) are accepted and ignored. */
#define X87_ST(n)                                                                                  \
	{                                                                                          \
		n, "i387_ext", NULL, 80, 0, 0, GDB_FEAT_CORE                                       \
	}
#define X87_CTL(n)                                                                                 \
	{                                                                                          \
		n, "int", GROUP_FLOAT, 32, 0, 0, GDB_FEAT_CORE                                     \
	}
#define SEGS                                                                                       \
	REG("cs", "int32", 32, cs), REG("ss", "int32", 32, ss), REG("ds", "int32", 32, ds),        \
	    REG("es", "int32", 32, es), REG("fs", "int32", 32, fs), REG("gs", "int32", 32, gs)
#define X87                                                                                        \
	X87_ST("st0"), X87_ST("st1"), X87_ST("st2"), X87_ST("st3"), X87_ST("st4"), X87_ST("st5"),  \
	    X87_ST("st6"), X87_ST("st7"), X87_CTL("fctrl"), X87_CTL("fstat"), X87_CTL("ftag"),     \
	    X87_CTL("fiseg"), X87_CTL("fioff"), X87_CTL("foseg"), X87_CTL("fooff"), X87_CTL("fop")
#define SYSREGS                                                                                    \
	SYS("cr0", cr0), SYS("cr2", cr2), SYS("cr3", cr3), SYS("cr4", cr4), SYS("efer", efer),     \
	    SYS("dr0", dr[0]), SYS("dr1", dr[1]), SYS("dr2", dr[2]), SYS("dr3", dr[3]),            \
	    SYS("dr6", dr[6]), SYS("dr7", dr[7])

/* GDB's amd64 numbering: rip is 16, rsp 7, rbp 6. */
static const struct gdb_reg_desc regs64[] = {
    REG("rax", "int64", 64, gpr[0]),
    REG("rbx", "int64", 64, gpr[1]),
    REG("rcx", "int64", 64, gpr[2]),
    REG("rdx", "int64", 64, gpr[3]),
    REG("rsi", "int64", 64, gpr[4]),
    REG("rdi", "int64", 64, gpr[5]),
    REG("rbp", "data_ptr", 64, gpr[6]),
    REG("rsp", "data_ptr", 64, gpr[7]),
    REG("r8", "int64", 64, gpr[8]),
    REG("r9", "int64", 64, gpr[9]),
    REG("r10", "int64", 64, gpr[10]),
    REG("r11", "int64", 64, gpr[11]),
    REG("r12", "int64", 64, gpr[12]),
    REG("r13", "int64", 64, gpr[13]),
    REG("r14", "int64", 64, gpr[14]),
    REG("r15", "int64", 64, gpr[15]),
    REG("rip", "code_ptr", 64, rip),
    REG("eflags", "i386_eflags", 32, eflags),
    SEGS,
    X87,
    {"fs_base", "data_ptr", GROUP_SYSTEM, 64, FIELD(fs_base), GDB_FEAT_SYS},
    {"gs_base", "data_ptr", GROUP_SYSTEM, 64, FIELD(gs_base), GDB_FEAT_SYS},
    SYSREGS,
};

/* GDB's i386 numbering differs from the amd64 order: eax ecx edx ebx esp ebp esi edi. */
static const struct gdb_reg_desc regs32[] = {
    REG("eax", "int32", 32, gpr[0]),
    REG("ecx", "int32", 32, gpr[2]),
    REG("edx", "int32", 32, gpr[3]),
    REG("ebx", "int32", 32, gpr[1]),
    REG("esp", "data_ptr", 32, gpr[7]),
    REG("ebp", "data_ptr", 32, gpr[6]),
    REG("esi", "int32", 32, gpr[4]),
    REG("edi", "int32", 32, gpr[5]),
    REG("eip", "code_ptr", 32, rip),
    REG("eflags", "i386_eflags", 32, eflags),
    SEGS,
    X87,
    SYSREGS,
};

_Static_assert(sizeof(((struct gdb_regs *)0)->rip) == U64_BYTES, "rip is 64-bit");
_Static_assert(sizeof(((struct gdb_regs *)0)->cs) == U32_BYTES, "selectors are 32-bit");

const struct gdb_reg_desc *gdb_reg_table(bool is64, size_t *count)
{
	*count = is64 ? sizeof(regs64) / sizeof(regs64[0]) : sizeof(regs32) / sizeof(regs32[0]);
	return is64 ? regs64 : regs32;
}

/* The eflags bits GDB shows by name. */
static const struct {
	const char *name;
	unsigned bit;
} eflags_bits[] = {
    {"CF", 0},	{"", 1},    {"PF", 2},	 {"AF", 4},   {"ZF", 6},  {"SF", 7},
    {"TF", 8},	{"IF", 9},  {"DF", 10},	 {"OF", 11},  {"NT", 14}, {"RF", 16},
    {"VM", 17}, {"AC", 18}, {"VIF", 19}, {"VIP", 20}, {"ID", 21},
};

/* Streams the description, keeping only the window [skip, skip + max). */
struct xml_out {
	char *out;
	size_t max, n;
	uint64_t skip, pos;
};

/* Once the window is full the rest need not even be formatted. */
static bool full(const struct xml_out *x)
{
	return x->n == x->max;
}

static void emit(struct xml_out *x, const char *s)
{
	for (; *s && !full(x); s++, x->pos++)
		if (x->pos >= x->skip)
			x->out[x->n++] = *s;
}

static void __attribute__((format(printf, 2, 3))) emitf(struct xml_out *x, const char *fmt, ...)
{
	char line[XML_LINE_MAX];
	va_list ap;

	if (full(x))
		return;
	va_start(ap, fmt);
	fmt_vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	emit(x, line);
}

static void emit_eflags_type(struct xml_out *x)
{
	emit(x, "  <flags id=\"i386_eflags\" size=\"4\">\n");
	for (size_t i = 0; i < sizeof(eflags_bits) / sizeof(eflags_bits[0]); i++)
		emitf(x, "    <field name=\"%s\" start=\"%u\" end=\"%u\"/>\n", eflags_bits[i].name,
		      eflags_bits[i].bit, eflags_bits[i].bit);
	emit(x, "  </flags>\n");
}

static void emit_reg(struct xml_out *x, const struct gdb_reg_desc *r)
{
	emitf(x, "  <reg name=\"%s\" bitsize=\"%u\" type=\"%s\"", r->name, r->bits, r->type);
	if (r->group)
		emitf(x, " group=\"%s\"", r->group);
	emit(x, "/>\n");
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
	for (size_t i = 0; i < count; i++) {
		if (regs[i].feature != feature) {
			if (feature >= 0)
				emit(&x, "</feature>\n");
			feature = regs[i].feature;
			emitf(&x, "<feature name=\"%s\">\n",
			      feature == GDB_FEAT_CORE ? FEAT_CORE : FEAT_SYS);
			if (feature == GDB_FEAT_CORE)
				emit_eflags_type(&x);
		}
		emit_reg(&x, &regs[i]);
	}
	emit(&x, "</feature>\n</target>\n");
	return x.n;
}

bool gdb_sample_is64(const struct gdb_stub *s)
{
	return !s->tgt.is_64bit || s->tgt.is_64bit(s->tgt.ctx);
}
