/* vmx_controls.h - choose VMCS control values from the VMX capability MSRs (pure, no hardware). */
#ifndef DBGVISOR_VMX_CONTROLS_H
#define DBGVISOR_VMX_CONTROLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

/*
 * Compute the controls for our backend: EPT + unrestricted guest, I/O and MSR bitmaps,
 * MOV-DR exiting, debug controls and IA32_EFER saved/loaded, 64-bit host; optional features
 * when offered; every other control at its minimum (allowed-0) setting. Returns 0, or -1 with
 * @out zeroed and the SDM name of the first missing requirement copied (NUL-terminated,
 * truncated to @len) into @missing, which may be NULL.
 */
int vmx_compute_controls(const struct vmx_cap_msrs *c, struct vmx_controls *out, char *missing,
			 size_t len);

/* A control register value made legal for VMX operation: (val | fixed0) & fixed1. */
uint64_t vmx_fixed_cr(uint64_t val, uint64_t fixed0, uint64_t fixed1);

/*
 * Guest CR0 made legal for VM entry; with unrestricted guest, PE and PG are exempt from the
 * fixed-1 requirement (SDM vol. 3C 26.3.1.1; vol. 3D A.7), so a real-mode guest keeps them 0.
 */
uint64_t vmx_guest_cr0_fixed(uint64_t val, uint64_t fixed0, uint64_t fixed1, bool unrestricted);

#endif
