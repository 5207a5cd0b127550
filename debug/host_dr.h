/* host_dr.h - the hypervisor's own debug registers: kept apart from the guest's; a self-test. */
#ifndef DBGVISOR_HOST_DR_H
#define DBGVISOR_HOST_DR_H

#include <stdbool.h>
#include <stdint.h>

#include "core/hw/trap.h"

/* Arm an execute breakpoint on @addr in the hypervisor (hostdr=on). */
void host_dr_selftest_start(uint64_t addr);
/* VM exits reset DR7 (SDM 3C 28.5.1, APM 15.5.2): put the hypervisor's own back. */
void host_dr_restore(void);
/* A #DB taken in the hypervisor; true when handled (the frame resumes with RF). */
bool host_dr_handle_db(struct trap_frame *f);
void host_dr_report(void);

#endif
