/* exit.h - the vendor-free decision on every guest exit. */
#ifndef DBGVISOR_EXIT_H
#define DBGVISOR_EXIT_H

#include "vcpu.h"

/* Ports the hypervisor watches because they end an emulator run. */
#define QEMU_DEBUG_EXIT_PORT 0xf4
#define BOCHS_SHUTDOWN_PORT  0x8900
#define UART_PORT_SPAN	     8

/* Install the intercepts the core's rules need (I/O, MSRs), through the backend. */
void exit_setup_intercepts(struct vcpu *v);
/* Handle one exit; on EXIT_STOP, v->stop says why. */
enum exit_result exit_dispatch(struct vcpu *v, const struct vcpu_exit *e);
/* I/O exits (core/exit_io.c). */
enum exit_result exit_handle_io(struct vcpu *v, const struct vcpu_exit *e);

#endif
