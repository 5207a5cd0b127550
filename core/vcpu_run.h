/* vcpu_run.h - run the guest until it stops, and report the stop with exit statistics. */
#ifndef DBGVISOR_VCPU_RUN_H
#define DBGVISOR_VCPU_RUN_H

#include "vcpu.h"

void vcpu_run(struct vcpu *v);
void vcpu_report(struct vcpu *v);

#endif
