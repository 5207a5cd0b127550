/* exit.h - the vendor-free decision on every guest exit, and the handlers it delegates to. */
#ifndef DBGVISOR_EXIT_H
#define DBGVISOR_EXIT_H

#include "core/hw/console.h"
#include "vcpu.h"

/* Install the intercepts the core's rules need (I/O, MSRs), through the backend. */
void exit_setup_intercepts(struct vcpu *v);
/* Handle one exit; on EXIT_STOP, v->stop says why. */
enum exit_result exit_dispatch(struct vcpu *v, const struct vcpu_exit *e);
/* I/O exits: the GDB UART is invisible, the emulators' exit ports end the run (exit_io.c). */
enum exit_result exit_handle_io(struct vcpu *v, const struct vcpu_exit *e);
/* Does exit_setup_intercepts() intercept @port for its own rules (the debugger's catchpoints
 * must leave it intercepted)? */
bool exit_io_intercepted(const struct vcpu *v, uint16_t port);

/* EFER.SVME and the SVM and VMX control MSRs, hidden from the guest (msr_virt.c). */
enum msr_result { MSR_DONE, MSR_RAISE_GP };

/* Install the intercepts for every protected MSR through the backend. */
void msr_virt_protect(struct vcpu *v);
/* Does an access to @index (a write, else a read) exit for msr_virt's rules, or because it is
 * outside the MSR bitmaps (SDM 3C 25.6.9, APM 15.11)? */
bool msr_virt_intercepted(const struct vcpu *v, uint32_t index, bool write);
/* Is @index's guest value held by the VMCS/VMCB (or offset), never passed through? */
bool msr_virt_guest_state(uint32_t index);
enum msr_result msr_virt_read(struct vcpu *v, uint32_t index, uint64_t *val);
enum msr_result msr_virt_write(struct vcpu *v, uint32_t index, uint64_t val);

/* The address-size mask of the INS/OUTS at CS:RIP (0x67 honoured), for rCX, rSI, rDI. */
uint64_t exit_string_io_addr_mask(struct vcpu *v);

/* Where a task switch came from (VMX exit qualification bits 31:30, SDM 3C table 28-2). */
enum task_switch_source { TS_CALL, TS_IRET, TS_JMP, TS_GATE };

/* Emulate a hardware task switch through a 32-bit TSS; VMX exits on every one (task_switch.c). */
enum exit_result task_switch_emulate(struct vcpu *v, const struct vcpu_exit *e);

#endif
