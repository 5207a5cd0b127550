/* exit_fast.c - whether the null exits of the next run may take the fast path (exit_fast.h). */
#include "exit_fast.h"

#include "exit.h"
#include "vcpu_hooks.h"

/* The go-ahead is set right before each entry; the NMI handler clears it (host->fast_flag),
 * and an NMI that came before the store is seen by the check after it. */
void vcpu_fast_attach(struct vcpu *v)
{
	v->fast_ready = false;
	if (v->host->fast_flag)
		v->host->fast_flag(&v->fast_ready);
}

void vcpu_fast_prepare(struct vcpu *v)
{
	bool ready = nmi_idle(v) && v->debug->quiet(v);
	v->fast_ready = ready;
	__atomic_signal_fence(__ATOMIC_SEQ_CST); /* the store before the check, for the handler */
	if (ready && v->host->host_events && v->host->host_events())
		v->fast_ready = false;
}
