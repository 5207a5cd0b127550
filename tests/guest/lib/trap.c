/* trap.c - exception dispatch: per-vector hooks, guest_try recovery, fatal reports. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime.h"
#include "x86g.h"

#ifdef GUEST_64BIT
_Static_assert(sizeof(struct gframe) == 22 * 8, "struct gframe must match vectors.S");
#else
_Static_assert(sizeof(struct gframe) == 15 * 4, "struct gframe must match vectors.S");
#endif

/* One active recovery point per nesting level of guest_try, innermost first. */
struct guest_try_ctx {
	struct guest_jmpbuf jb;
	struct gfault *fault;
	struct guest_try_ctx *outer;
};

static guest_hook_fn hooks[GUEST_NUM_VECTORS];
static struct guest_try_ctx *volatile active_try;
/* Non-zero while a handler or hook runs: a second exception then is a runtime bug. */
static volatile int trap_depth;

static const char *const vector_names[GUEST_NUM_VECTORS] = {
    "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "CSO", "#TS",
    "#NP", "#SS", "#GP", "#PF", "#15", "#MF", "#AC", "#MC", "#XM", "#VE", "#CP",
    "#22", "#23", "#24", "#25", "#26", "#27", "#HV", "#VC", "#SX", "#31",
};

static const char *vector_name(uintptr_t v)
{
	return v < GUEST_NUM_VECTORS ? vector_names[v] : "?";
}

static __attribute__((noreturn)) void fatal(const char *why, const struct gframe *f)
{
	gprintf("guest: %s %s (vector %u) at ip 0x%lx cs 0x%lx flags 0x%lx error 0x%lx\n", why,
		vector_name(f->vector), (unsigned)f->vector, (unsigned long)f->ip,
		(unsigned long)f->cs, (unsigned long)f->flags, (unsigned long)f->error);
	if (f->vector == GUEST_VEC_PF)
		gprintf("guest: cr2 0x%lx\n", (unsigned long)x86g_read_cr2());
	gprintf("guest: ax 0x%lx bx 0x%lx cx 0x%lx dx 0x%lx si 0x%lx di 0x%lx bp 0x%lx\n",
		(unsigned long)f->ax, (unsigned long)f->bx, (unsigned long)f->cx,
		(unsigned long)f->dx, (unsigned long)f->si, (unsigned long)f->di,
		(unsigned long)f->bp);
	guest_exit(GUEST_EXIT_FATAL);
}

void guest_trap_dispatch(struct gframe *frame)
{
	struct guest_try_ctx *t;
	guest_hook_fn hook;

	if (trap_depth)
		fatal("nested exception inside a handler:", frame);
	trap_depth++;
	hook = frame->vector < GUEST_NUM_VECTORS ? hooks[frame->vector] : NULL;
	if (hook) {
		hook(frame);
		trap_depth--;
		return;
	}
	t = active_try;
	if (!t)
		fatal("unexpected exception", frame);
	*t->fault = (struct gfault){
	    .vector = (int)frame->vector,
	    .error = frame->error,
	    .ip = frame->ip,
	    .happened = true,
	    .cs = (uint16_t)frame->cs,
	    .flags = frame->flags,
	};
	active_try = t->outer;
	trap_depth = 0;
	/* Abandon the faulting code: its frames lie below guest_try's on the same stack. */
	guest_longjmp(&t->jb);
}

guest_hook_fn guest_set_hook(int vector, guest_hook_fn hook)
{
	guest_hook_fn old;

	if (vector < 0 || vector >= GUEST_NUM_VECTORS) {
		gprintf("guest: guest_set_hook: no such exception vector %d\n", vector);
		guest_exit(GUEST_EXIT_FATAL);
	}
	old = hooks[vector];
	hooks[vector] = hook;
	return old;
}

bool guest_try(void (*fn)(void *), void *arg, struct gfault *f)
{
	struct guest_try_ctx ctx = {.fault = f};

	*f = (struct gfault){.vector = -1};
	if (guest_setjmp(&ctx.jb)) {
		/* Resumed by guest_trap_dispatch, which filled *f and popped this context. */
		return true;
	}
	ctx.outer = active_try;
	active_try = &ctx;
	fn(arg);
	active_try = ctx.outer;
	return false;
}
