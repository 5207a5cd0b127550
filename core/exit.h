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
/* Does exit_setup_intercepts() intercept @port (the debugger's catchpoints must keep it)? */
bool exit_io_intercepted(const struct vcpu *v, uint16_t port);
/* The address-size mask of the INS/OUTS at CS:RIP (0x67 honoured), for rCX, rSI, rDI. */
uint64_t exit_string_io_addr_mask(struct vcpu *v);

/* EFER.SVME and the SVM and VMX control MSRs, hidden from the guest (msr_virt.c). */
enum msr_result { MSR_DONE, MSR_RAISE_GP };

void msr_virt_protect(struct vcpu *v);
/* Does an access to @index (a write, else a read) exit for msr_virt's rules, or because it is
 * outside the MSR bitmaps (SDM 3C 25.6.9, APM 15.11)? */
bool msr_virt_intercepted(const struct vcpu *v, uint32_t index, bool write);
/* Is @index's guest value held by the VMCS/VMCB (or offset), never passed through? */
bool msr_virt_guest_state(uint32_t index);
enum msr_result msr_virt_read(struct vcpu *v, uint32_t index, uint64_t *val);
enum msr_result msr_virt_write(struct vcpu *v, uint32_t index, uint64_t val);

/* Where a task switch came from (VMX exit qualification bits 31:30, SDM 3C table 28-2). */
enum task_switch_source { TS_CALL, TS_IRET, TS_JMP, TS_GATE };

/* Emulate a hardware task switch through a 32-bit TSS; VMX exits on every one (task_switch.c). */
enum exit_result task_switch_emulate(struct vcpu *v, const struct vcpu_exit *e);

/* nmi.c: an NMI exit that was not the debugger's kick: the guest's NMI (the host IDT's too). */
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
