/* catch_exit.c - catchpoints on the exit path: match an exit, say what was caught, stop. */
#include "catch.h"

#include "core/hw/printf.h"
#include "core/hw/trap.h"
#include "core/vcpu_util.h"

#define LOW32	      0xfffffffful
#define LOW32_BITS    32
#define BITS_PER_BYTE 8
#define NO_VECTOR     0xffffffffu
#define OPCODE_INT3   0xcc
#define OPCODE_INT_IB 0xcd
#define OPCODE_INTO   0xce

/* The vector of an exception exit, or of INT3/INTO/INT n where SVM reports them as an INTn
 * intercept (QEMU does so for INT3 while gdb is attached); NO_VECTOR otherwise. */
static uint32_t exit_vector(struct vcpu *v, const struct vcpu_exit *e)
{
	struct insn i;
	if (e->kind == EXIT_EXCEPTION)
		return e->exc.vector;
	if (e->kind != EXIT_SW_INT)
		return NO_VECTOR;
	if (e->swint.vector_valid)
		return e->swint.vector;
	if (vcpu_fetch_insn(v, &i) != 0 || i.map != INSN_MAP_1BYTE)
		return NO_VECTOR;
	return i.opcode == OPCODE_INT3	   ? VEC_BP
	       : i.opcode == OPCODE_INTO   ? VEC_OF
	       : i.opcode == OPCODE_INT_IB ? (uint32_t)(uint8_t)i.imm
					   : NO_VECTOR;
}

/* The directions an I/O or MSR exit is: IN and RDMSR read, OUT and WRMSR write. */
static unsigned exit_dir(const struct vcpu_exit *e)
{
	if (e->kind == EXIT_IO)
		return e->io.in ? CATCH_DIR_READ : CATCH_DIR_WRITE;
	return e->kind == EXIT_MSR_READ ? CATCH_DIR_READ : CATCH_DIR_WRITE;
}

static bool matches(struct vcpu *v, const struct catchpoint *c, const struct vcpu_exit *e,
		    bool gdb_bp)
{
	switch (c->kind) {
	case CATCH_IO:
		/* An access exits when any port it touches is intercepted (SDM 3C 26.1.3, APM
		 * 15.10.2), so a word at 0x3f7 is caught by a catchpoint on 0x3f8. */
		return e->kind == EXIT_IO && (c->dir & exit_dir(e)) && c->hi >= e->io.port &&
		       c->lo <= (uint32_t)e->io.port + e->io.size - 1;
	case CATCH_MSR:
		return (e->kind == EXIT_MSR_READ || e->kind == EXIT_MSR_WRITE) &&
		       (c->dir & exit_dir(e)) && c->lo == (uint32_t)v->gpr[GPR_RCX];
	case CATCH_CPUID:
		return e->kind == EXIT_CPUID && (c->any || c->lo == (uint32_t)v->gpr[GPR_RAX]);
	case CATCH_EXCEPTION:
		/* gdb's own INT3s stay gdb's breakpoints. */
		return exit_vector(v, e) == c->lo && !(c->lo == VEC_BP && gdb_bp);
	default:
		return false;
	}
}

/* What was caught, with the values the instruction is about to use. */
static void format_event(struct vcpu *v, const struct catchpoint *c, const struct vcpu_exit *e,
			 struct fmt_out *o)
{
	uint32_t vec;

	fmt_append(o, "catch %u: ", c->id);
	switch (e->kind) {
	case EXIT_IO: {
		const char *plural = e->io.size == 1 ? "" : "s";

		if (e->io.string)
			fmt_append(o, "%s 0x%x (%u byte%s per element%s)\n",
				   e->io.in ? "ins" : "outs", e->io.port, e->io.size, plural,
				   e->io.rep ? ", rep" : "");
		else if (e->io.in)
			fmt_append(o, "in 0x%x (%u byte%s)\n", e->io.port, e->io.size, plural);
		else
			fmt_append(o, "out 0x%x <- 0x%lx (%u byte%s)\n", e->io.port,
				   v->gpr[GPR_RAX] &
				       (LOW32 >> (LOW32_BITS - BITS_PER_BYTE * e->io.size)),
				   e->io.size, plural);
		break;
	}
	case EXIT_MSR_READ:
		fmt_append(o, "rdmsr 0x%x\n", (uint32_t)v->gpr[GPR_RCX]);
		break;
	case EXIT_MSR_WRITE:
		fmt_append(o, "wrmsr 0x%x <- 0x%lx\n", (uint32_t)v->gpr[GPR_RCX],
			   (v->gpr[GPR_RDX] << LOW32_BITS) | (v->gpr[GPR_RAX] & LOW32));
		break;
	case EXIT_CPUID:
		fmt_append(o, "cpuid leaf 0x%x subleaf 0x%x\n", (uint32_t)v->gpr[GPR_RAX],
			   (uint32_t)v->gpr[GPR_RCX]);
		break;
	default:
		vec = exit_vector(v, e);
		fmt_append(o, "exception %u (#%s)", vec, catch_vector_name(vec));
		if (e->kind == EXIT_EXCEPTION && e->exc.has_error)
			fmt_append(o, " error code 0x%x", e->exc.error);
		if (e->kind == EXIT_EXCEPTION && vec == VEC_PF)
			fmt_append(o, " cr2 0x%lx", e->exc.cr2);
		fmt_append(o, "\n");
		break;
	}
}

const char *catch_event(struct vcpu *v, struct catch_table *t, const struct vcpu_exit *e,
			bool gdb_bp)
{
	struct fmt_out o = {t->msg, 0, sizeof(t->msg)};
	struct catchpoint *c;
	uint64_t rip;

	if (!t->count ||
	    (e->kind != EXIT_IO && e->kind != EXIT_MSR_READ && e->kind != EXIT_MSR_WRITE &&
	     e->kind != EXIT_CPUID && e->kind != EXIT_EXCEPTION && e->kind != EXIT_SW_INT))
		return 0;
	rip = vcpu_get(v, REG_RIP);
	/* The first such exit after a catch, at its instruction, is the resumed event: run it. */
	if (t->skip_valid) {
		t->skip_valid = false;
		if (t->skip_kind == e->kind && t->skip_rip == rip)
			return 0;
	}
	for (c = t->c; c < t->c + CATCH_MAX; c++) {
		if (c->used && matches(v, c, e, gdb_bp)) {
			c->hits++;
			format_event(v, c, e, &o);
			t->skip_valid = true;
			t->skip_kind = e->kind;
			t->skip_rip = rip;
			return t->msg;
		}
	}
	return 0;
}

const char *catch_triple_fault(struct catch_table *t, const char *detail)
{
	for (struct catchpoint *c = t->c; c < t->c + CATCH_MAX; c++) {
		if (c->used && c->kind == CATCH_TRIPLE_FAULT) {
			c->hits++;
			fmt_snprintf(t->msg, sizeof(t->msg),
				     "catch %u: %s; the guest cannot run on\n", c->id, detail);
			return t->msg;
		}
	}
	return 0;
}
