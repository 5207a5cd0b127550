/* svm.h - the AMD SVM backend: its per-vcpu state and its struct vcpu_ops. */
#ifndef DBGVISOR_SVM_H
#define DBGVISOR_SVM_H

#include <stdbool.h>
#include <stdint.h>

#include "core/hw/cpu_caps.h"
#include "core/hw/trap.h"
#include "core/paging/nested_pt.h"
#include "core/vcpu.h"
#include "vmcb.h"

#define SVM_IOPM_PAGES	3
#define SVM_MSRPM_PAGES 2
#define SVM_GUEST_ASID	1

struct svm_vcpu {
	struct vmcb *vmcb;
	uint64_t vmcb_pa;
	uint8_t *iopm;
	uint8_t *msrpm;
	bool nrip_save;
	bool decode_assists;   /* EXITINFO1 names the INTn vector and MOV DR register */
	uint64_t loaded_dr6;   /* DR6 given to the last VMRUN: #DB status bits are what changed */
	bool dr7_armed;	       /* the CPU's own DR7 holds the guest's enables (QEMU workaround) */
	bool dr_intercept_all; /* MOV DR exits: the guest's DRs are not native */
	struct trap_window window; /* VMRUN to decode: an exception there stops the guest */
	bool db_probed;		   /* svm_probe_db_status ran (at the first VMRUN) */
	bool db_status_lost;	   /* its answer: no status for an intercepted #DB */
};

extern const struct vcpu_ops svm_ops;
extern const struct nested_pt_format svm_npt_format; /* the nested page tables' bits */

static inline struct svm_vcpu *svm_of(struct vcpu *v)
{
	return v->backend;
}

/* svm/svm_debug.c: the debug-register and nested-protection ops of svm_ops, and at the first
 * entry, setting v->db_status_lost, the #DB probe: true when the guest has not run yet
 * (svm_run returns EXIT_PROBED), false when the VMCB holds its first exit. */
void svm_load_debug(struct vcpu *v, const uint64_t db[DR_SLOTS], uint64_t dr6, uint64_t dr7);
void svm_save_debug(struct vcpu *v, uint64_t db[DR_SLOTS], uint64_t *dr6, uint64_t *dr7);
int svm_nested_protect(struct vcpu *v, uint64_t gpa, unsigned deny);
void svm_set_dr_intercept(struct vcpu *v, bool all);
bool svm_probe_db_status(struct svm_vcpu *s, struct vcpu *v, uint64_t host_save_pa);

/*
 * An intercepted #DB's status: the CPU merged it into VMCB.DR6 (APM vol. 2, 13.1.1.3), so the
 * bits that changed since VMRUN are its news. A #DB whose bits DR6 already held (a second step
 * with BS still set) changes none: where the CPU keeps the status, VMCB.DR6 is still the
 * guest's DR6 as bare metal has it and its status bits stand for the news. 0 only where the
 * CPU keeps none (Bochs 2.7, svm_probe_db_status): the caller rebuilds it then.
 */
static inline uint64_t svm_db_status(uint64_t vmcb_dr6, uint64_t loaded_dr6, bool status_lost)
{
	uint64_t news = vmcb_dr6 ^ loaded_dr6;
	if (news || status_lost)
		return news;
	return vmcb_dr6 & (DR6_B_MASK | DR6_BD | DR6_BS | DR6_BT);
}

/* Remember what the CPU offers before hw_enable/init (NRIP save changes exit decoding). */
void svm_set_caps(const struct cpu_caps *caps);

/* The exiting instruction's length from NRIP save; 0 without it (APM 15.7.1). */
static inline uint8_t svm_nrip_len(const struct svm_vcpu *s)
{
	const struct vmcb *vm = s->vmcb;
	if (!s->nrip_save || vm->control.next_rip <= vm->save.rip)
		return 0;
	return (uint8_t)(vm->control.next_rip - vm->save.rip);
}

/* svm/svm_exit.c: the VMCB's exit information as a neutral exit record; the exception that
 * ended the VM-exit window as one. */
void svm_decode_exit(struct svm_vcpu *s, struct vcpu_exit *e);
void svm_decode_hv_fault(const struct svm_vcpu *s, struct vcpu_exit *e);

/* svm/svm_check.c: exit code @code's name in APM table C-1 without "VMEXIT_"; the VMRUN
 * consistency check (APM 15.5.1) @vm fails, or NULL if none known. */
const char *svm_exit_name(uint64_t code);
const char *svm_vmrun_refusal(const struct vmcb *vm);

/* svm/svm_entry.S: VMRUN with every guest GPR loaded; every host GPR but RSP comes back
 * clobbered. Saying so in the clobbers saves them once per caller, not once per entry. */
static inline void svm_vmrun(uint64_t vmcb_pa, uint64_t *gprs, uint64_t host_save_pa)
{
	register uint64_t rdi __asm__("rdi") = vmcb_pa;
	register uint64_t rsi __asm__("rsi") = (uint64_t)gprs;
	register uint64_t rdx __asm__("rdx") = host_save_pa;
	__asm__ volatile("call svm_vmrun_gprs"
			 : "+r"(rdi), "+r"(rsi), "+r"(rdx)
			 :
			 : "rax", "rbx", "rcx", "rbp", "r8", "r9", "r10", "r11", "r12", "r13",
			   "r14", "r15", "cc", "memory");
}

extern const char svm_vmrun_exit[]; /* the first instruction after VMRUN */
void svm_host_save(uint64_t host_save_pa);
void svm_host_recover(uint64_t host_save_pa);

#endif
