/* vmx_controls.h - VMCS control values from the VMX capability MSRs, and VMX names for logs. */
#ifndef DBGVISOR_VMX_CONTROLS_H
#define DBGVISOR_VMX_CONTROLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Control bits used (SDM vol. 3C, "Definitions of ... Controls"). Pin-based: 1, 2, 4 default-1. */
#define PIN_BASED_EXT_INTR_EXITING (1u << 0)
#define PIN_BASED_NMI_EXITING	   (1u << 3)
#define PIN_BASED_PREEMPTION_TIMER (1u << 6)
/* Primary processor-based; 1, 4-6, 8, 13-16, 26 default-1 (15/16 clearable with TRUE MSRs). */
#define CPU_BASED_HLT_EXITING	     (1u << 7)
#define CPU_BASED_CR3_LOAD_EXITING   (1u << 15)
#define CPU_BASED_CR3_STORE_EXITING  (1u << 16)
#define CPU_BASED_MOV_DR_EXITING     (1u << 23)
#define CPU_BASED_USE_IO_BITMAPS     (1u << 25)
#define CPU_BASED_MONITOR_TRAP_FLAG  (1u << 27)
#define CPU_BASED_USE_MSR_BITMAPS    (1u << 28)
#define CPU_BASED_ACTIVATE_SECONDARY (1u << 31)
/* Secondary processor-based; no bit is default-1. */
#define SECONDARY_EXEC_EPT		  (1u << 1)
#define SECONDARY_EXEC_RDTSCP		  (1u << 3)
#define SECONDARY_EXEC_VPID		  (1u << 5)
#define SECONDARY_EXEC_UNRESTRICTED_GUEST (1u << 7)
#define SECONDARY_EXEC_INVPCID		  (1u << 12)
#define SECONDARY_EXEC_XSAVES		  (1u << 20)
/* Primary VM-exit; 0-8, 10, 11, 13, 14, 16, 17 default-1 (2 clearable with the TRUE MSR). */
#define VM_EXIT_SAVE_DEBUG_CONTROLS   (1u << 2)
#define VM_EXIT_HOST_ADDR_SPACE_SIZE  (1u << 9)
#define VM_EXIT_ACK_INTR_ON_EXIT      (1u << 15)
#define VM_EXIT_SAVE_PAT	      (1u << 18)
#define VM_EXIT_LOAD_PAT	      (1u << 19)
#define VM_EXIT_SAVE_EFER	      (1u << 20)
#define VM_EXIT_LOAD_EFER	      (1u << 21)
#define VM_EXIT_SAVE_PREEMPTION_TIMER (1u << 22)
/* VM-entry; 0-8 and 12 default-1 (2 clearable with the TRUE MSR). */
#define VM_ENTRY_LOAD_DEBUG_CONTROLS (1u << 2)
#define VM_ENTRY_IA32E_MODE	     (1u << 9)
#define VM_ENTRY_LOAD_PAT	     (1u << 14)
#define VM_ENTRY_LOAD_EFER	     (1u << 15)

/* Raw capability MSRs (core/cpu_caps.h has their numbers); zero where the MSR does not exist. */
struct vmx_cap_msrs {
	uint64_t basic, pinbased, procbased, procbased2, exit, entry, true_pinbased, true_procbased,
	    true_exit, true_entry, misc, cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1,
	    ept_vpid_cap;
};

/* The chosen VM-execution, VM-exit and VM-entry controls and the optional features in use. */
struct vmx_controls {
	uint32_t pin, proc, proc2, exit, entry;
	bool preemption_timer, vpid, rdtscp, invpcid, xsaves, pat;
	unsigned preemption_timer_shift; /* IA32_VMX_MISC 4:0: timer ticks every 2^N TSC ticks */
};

/* CR0 bits the fixed-bit helpers care about (SDM vol. 3A, 2.5). */
#define VMX_CR0_PE (1ull << 0)
#define VMX_CR0_PG (1ull << 31)

/* The controls the design needs (EPT + unrestricted guest, I/O and MSR bitmaps, MOV-DR exiting,
 * debug controls and IA32_EFER switched, 64-bit host), optional ones when offered, the rest at
 * their minimum. Returns 0, or -1 with @out zeroed and the SDM name of the first missing one in
 * @missing (may be NULL; truncated to @len). */
int vmx_compute_controls(const struct vmx_cap_msrs *c, struct vmx_controls *out, char *missing,
			 size_t len);

/* A control register made legal for VMX operation: (val | fixed0) & fixed1 (SDM 3D A.7/A.8). */
uint64_t vmx_fixed_cr(uint64_t val, uint64_t fixed0, uint64_t fixed1);

/* VM_INSTRUCTION_ERROR value -> SDM text (vol. 3C 31.4, table 31-1); never NULL. */
const char *vmx_instruction_error_str(uint32_t n);

/* Basic exit reason (VM_EXIT_REASON bits 15:0) -> SDM vol. 3D appendix C name; never NULL. */
const char *vmx_exit_reason_str(uint32_t basic_reason);

#endif
