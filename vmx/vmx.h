/* vmx.h - the Intel VT-x backend: its per-vcpu state and its struct vcpu_ops. */
#ifndef DBGVISOR_VMX_H
#define DBGVISOR_VMX_H

#include <stdbool.h>
#include <stdint.h>

#include "core/hw/trap.h"
#include "core/paging/nested_pt.h"
#include "core/vcpu.h"
#include "vmx_controls.h"

#define VMX_IO_BITMAP_PAGES 2
#define VMX_GUEST_VPID	    1
/* Preemption-timer period in TSC ticks: the core regains control at least this often. */
#define VMX_PREEMPTION_PERIOD_TSC (1ull << 20)

struct vmx_vcpu {
	uint64_t vmcs_pa;
	uint8_t *io_bitmap;  /* A (ports 0-0x7fff) then B */
	uint8_t *msr_bitmap; /* read-low, read-high, write-low, write-high, 1 KiB each */
	uint64_t eptp;
	bool launched;
	uint64_t cr0_shadow_mask, cr4_shadow_mask; /* bits the hypervisor owns */
	uint32_t preemption_value;
	bool timer_saved; /* exits save the timer's count (VM_EXIT_SAVE_PREEMPTION_TIMER) */
	struct trap_window window; /* entry to decode: an exception there stops the guest */
};

extern const struct vcpu_ops vmx_ops;

/* vmx/vmx_setup.c */
extern const struct nested_pt_format vmx_ept_format;
int vmx_hw_enable(void);
int vmx_init_vcpu(struct vcpu *v);

/* vmx/vmx_exit.c: the exit information fields, or the exception that ended the VM-exit window
 * @w, as a neutral exit record. */
void vmx_decode_exit(struct vcpu_exit *e);
void vmx_decode_hv_fault(const struct trap_window *w, struct vcpu_exit *e);

/* vmx/vmx_entry.S: VMLAUNCH (@launched false) or VMRESUME with every guest GPR loaded; 0 after
 * a VM exit, else the failed instruction's enum vmx_status. Every host GPR but RSP comes back
 * clobbered, as the clobbers say: the caller saves them once per call, not once per entry. */
static inline int vmx_enter(uint64_t *gprs, bool launched)
{
	register uint64_t rdi __asm__("rdi") = (uint64_t)gprs;
	register uint64_t rsi __asm__("rsi") = launched;
	int rc;
	__asm__ volatile("call vmx_enter_gprs"
			 : "=a"(rc), "+r"(rdi), "+r"(rsi)
			 :
			 : "rbx", "rcx", "rdx", "rbp", "r8", "r9", "r10", "r11", "r12", "r13",
			   "r14", "r15", "cc", "memory");
	return rc;
}

void vmx_exit_landing(void);

#endif
