/* exit_fast.c - whether the null exits of the next run may take the fast path (exit_fast.h). */
#include "exit_fast.h"

#include "exit.h"
#include "vcpu_hooks.h"

/*
 * The go-ahead is set once per full exit, right before the entry. The hypervisor's NMI handler
 * clears it when an NMI or a kick reaches it (host->fast_flag, handed the flag once here); one
 * that came before is still waiting for the full path, and the check after the store sees it.
 * So the fast path itself tests only the flag.
 */
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
