/* nmi.c - the guest's NMIs: latched, delivered once each, blocked until the handler's IRET. */
#include "exit.h"

#include "core/hw/dr_bits.h"
#include "core/hw/trap.h"
#include "core/hw/x86.h"
#include "vcpu_util.h"

/* A guest NMI comes as an NMI exit (on SVM the host IDT takes it again after STGI: a "tail")
 * or to the host IDT alone while the hypervisor ran. At most one waits (SDM 3A 6.7.1). */
void nmi_exit(struct vcpu *v)
{
	v->nmi.pending = true;
	v->nmi.tails++;
}

/* SVM's IRET intercept exits before the IRET (APM 15.9); NMIs stay blocked until RIP moves
 * on, or, with an NMI waiting, a single-step trap says it ran. */
enum exit_result nmi_iret_exit(struct vcpu *v)
{
	v->nmi.iret_seen = true;
	v->nmi.iret_rip = vcpu_get(v, REG_RIP);
	v->ops->set_iret_intercept(v, false);
	return EXIT_RESUME;
}

bool nmi_db(struct vcpu *v, const struct vcpu_exit *e)
{
	if (!v->nmi.stepping)
		return false;
	v->nmi.stepping = false;
	v->nmi.blocked = false;
	v->nmi.iret_seen = false;
	/* Our trap, not the guest's: its DR6 never shows the BS of it. */
	vcpu_set(v, REG_DR6, v->nmi.dr6);
	return (e->exc.dr6_pending & (DR6_B_MASK | DR6_BD | DR6_BT)) == 0;
}

static void inject(struct vcpu *v)
{
	v->ops->inject_event(v, &(struct vcpu_event){.type = EVENT_NMI, .vector = VEC_NMI});
	v->nmi.pending = false;
	v->nmi.injected++;
}

/* The software-tracked blocking (SVM): delivery sets it, the handler's IRET clears it. */
static void deliver_tracked(struct vcpu *v)
{
	struct vcpu_nmi *n = &v->nmi;

	if (n->blocked && n->iret_seen && vcpu_get(v, REG_RIP) != n->iret_rip) {
		n->blocked = false;
		n->iret_seen = false;
	}
	if (!n->pending || n->stepping)
		return;
	if (!n->blocked) {
		inject(v);
		n->blocked = true;
		v->ops->set_iret_intercept(v, true);
		return;
	}
	/* Still at the IRET: trap right after it (TF at its start decides, SDM 3A 18.3.1.4). */
	if (n->iret_seen) {
		n->stepping = true;
		n->dr6 = vcpu_get(v, REG_DR6);
		vcpu_set(v, REG_RFLAGS, vcpu_get(v, REG_RFLAGS) | RFLAGS_TF);
	}
}

void nmi_before_entry(struct vcpu *v)
{
	unsigned host_nmis = v->host->host_nmis ? v->host->host_nmis() : 0;

	/* More NMIs at the host IDT than exits' tails: one came while the hypervisor ran. */
	if (host_nmis > v->nmi.tails)
		v->nmi.pending = true;
	v->nmi.tails = 0;
	if (!v->nmi.pending || (v->ops->event_queued && v->ops->event_queued(v)))
		return;
	if (!v->ops->nmi_window_open) {
		deliver_tracked(v); /* SVM: the blocking is ours to track */
		return;
	}
	/* VT-x blocks NMIs after an injected one (SDM 3C 27.6.1.2); a closed window waits for a
	 * later exit (the preemption timer's at the latest). */
	if (v->ops->nmi_window_open(v))
		inject(v);
}

bool nmi_idle(const struct vcpu *v)
{
	const struct vcpu_nmi *n = &v->nmi;
	return !n->pending && !n->blocked && !n->iret_seen && !n->stepping && !n->tails;
}
