/* catch_intercept.c - the intercepts catchpoints need, and dbgvisor's own kept on delete. */
#include "catch.h"

#include "core/exit.h"
#include "core/hw/trap.h"

static bool covers_port(const struct catch_table *t, const struct catchpoint *skip, uint32_t p)
{
	for (unsigned i = 0; i < CATCH_MAX; i++) {
		const struct catchpoint *c = &t->c[i];

		if (c->used && c != skip && c->kind == CATCH_IO && p >= c->lo && p <= c->hi)
			return true;
	}
	return false;
}

static bool covers_vector(const struct catch_table *t, const struct catchpoint *skip, uint32_t vec)
{
	for (unsigned i = 0; i < CATCH_MAX; i++) {
		const struct catchpoint *c = &t->c[i];

		if (c->used && c != skip && c->kind == CATCH_EXCEPTION && c->lo == vec)
			return true;
	}
	return false;
}

/* The directions the catchpoints in use want intercepted for @msr. */
static unsigned msr_dirs(const struct catch_table *t, uint32_t msr)
{
	unsigned dirs = 0;

	for (unsigned i = 0; i < CATCH_MAX; i++)
		if (t->c[i].used && t->c[i].kind == CATCH_MSR && t->c[i].lo == msr)
			dirs |= t->c[i].dir;
	return dirs;
}

/* Vectors intercepted whatever the catchpoints: #DF (exit_setup_intercepts), #DB and #AC
 * (vcpu_debug_setup), #BP while gdb is attached (vcpu_gdb.c, for its INT3s). */
static bool vector_kept(uint32_t vec, bool bp_intercepted)
{
	return vec == VEC_DF || vec == VEC_DB || vec == VEC_AC || (vec == VEC_BP && bp_intercepted);
}

void catch_intercept(struct vcpu *v, const struct catch_table *t, const struct catchpoint *c,
		     bool on, bool bp_intercepted)
{
	if (c->kind == CATCH_IO) {
		for (uint32_t p = c->lo; p <= c->hi; p++)
			if (on || (!exit_io_intercepted(v, (uint16_t)p) && !covers_port(t, c, p)))
				v->ops->set_io_intercept(v, (uint16_t)p, on);
	} else if (c->kind == CATCH_MSR) {
		/* The rule msr_virt keeps, plus what the catchpoints in use want (a deleted one
		 * is no longer in use); MSRs outside the bitmaps exit anyway. */
		unsigned dirs = msr_dirs(t, c->lo);

		v->ops->set_msr_intercept(
		    v, c->lo, msr_virt_intercepted(v, c->lo, false) || (dirs & CATCH_DIR_READ),
		    msr_virt_intercepted(v, c->lo, true) || (dirs & CATCH_DIR_WRITE));
	} else if (c->kind == CATCH_EXCEPTION) {
		if (on || (!vector_kept(c->lo, bp_intercepted) && !covers_vector(t, c, c->lo)))
			v->ops->set_exception_intercept(v, (uint8_t)c->lo, on);
	}
	/* CPUID always exits; a triple fault is seen through the #DF intercept and the
	 * shutdown exit. */
}
