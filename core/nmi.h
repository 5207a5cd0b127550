/* nmi.h - the guest's NMIs: latched, delivered once each, blocked until the handler's IRET. */
#ifndef DBGVISOR_NMI_H
#define DBGVISOR_NMI_H

#include "vcpu.h"

/* An NMI exit that was not the debugger's kick: the guest's NMI, one for the host IDT too. */
void nmi_exit(struct vcpu *v);
/* The guest is about to execute IRET with an NMI handled (SVM's IRET intercept). */
enum exit_result nmi_iret_exit(struct vcpu *v);
/* A #DB exit: true when it is the single-step over that IRET, which the guest never sees. */
bool nmi_db(struct vcpu *v, const struct vcpu_exit *e);
/* Before each entry: collect NMIs the hypervisor took for the guest, deliver one if it can. */
void nmi_before_entry(struct vcpu *v);
/* Nothing latched, blocked or being stepped: nmi_before_entry has nothing to do until an NMI. */
bool nmi_idle(const struct vcpu *v);

#endif
