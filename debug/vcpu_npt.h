/* vcpu_npt.h - gdb breakpoints and watchpoints through nested-page protection. */
#ifndef DBGVISOR_VCPU_NPT_H
#define DBGVISOR_VCPU_NPT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/vcpu.h"

#define NPT_BP_MAX     32 /* breakpoints and watchpoints together */
#define NPT_STEP_PAGES 4  /* pages one stepped instruction may touch (MOVS across pages) */
#define NPT_WATCH_MAX  8  /* bytes of one watchpoint: the lengths gdb asks for on x86 */

/* What an entry catches: execution of its address, or a write, read or any access of it. */
enum npt_kind { NPT_EXEC, NPT_WRITE, NPT_READ, NPT_ACCESS };

struct npt_entry {
	bool used;
	bool pending;	 /* an exec breakpoint with no page yet: a DR breakpoint meanwhile */
	uint8_t kind;	 /* enum npt_kind */
	unsigned len;	 /* bytes watched (1 for a breakpoint) */
	uint64_t addr;	 /* gdb's address (linear) */
	uint64_t gpa;	 /* where it was when inserted */
	uint64_t before; /* the watched bytes before a stepped write, for NPT_WRITE */
};

/* One access the stepped instruction faulted on. */
struct npt_access {
	uint64_t gpa;
	unsigned len;
	bool write;
};

struct vcpu_npt {
	struct npt_entry e[NPT_BP_MAX];
	bool stepping; /* the page(s) below are open while the guest steps one instruction */
	bool tf_ours;  /* the guest's TF was clear: the step's #DB is ours */
	bool clear_tf; /* ... and TF is to be cleared after it (not POPF/IRET) */
	bool by_exit;  /* no TF: the instruction exits anyway (CPUID, MOV DR), the exit ends it */
	uint64_t lifted[NPT_STEP_PAGES];
	unsigned nlifted;
	struct npt_access acc[NPT_STEP_PAGES];
	unsigned nacc;
};

/* A nested-page step is open (its end needs the next exit's full path). */
bool vcpu_npt_stepping(const struct vcpu *v);
/* gdb's Z0 (NPT_EXEC, invisible) and Z2-Z4 beyond the debug registers: 0, or -1. */
int vcpu_npt_insert(struct vcpu *v, enum npt_kind k, uint64_t addr, unsigned len);
int vcpu_npt_remove(struct vcpu *v, enum npt_kind k, uint64_t addr, unsigned len);
/* Is there such an entry (so that its removal is ours)? */
bool vcpu_npt_has(struct vcpu *v, enum npt_kind k, uint64_t addr, unsigned len);
/* Is @addr's page protected now? A DR watchpoint there would see its instruction stepped with
 * TF, which QEMU 7.2 then reports to the host, not the guest. */
bool vcpu_npt_covers(struct vcpu *v, uint64_t addr);
/* Move one of gdb's DR watchpoints to the nested tables, for an hbreak; 0, or -1. */
int vcpu_npt_free_dr(struct vcpu *v);
/* A nested page fault: true when an entry's protection caused it (handled). */
bool vcpu_npt_fault(struct vcpu *v, const struct vcpu_exit *e);
/* The trap after a stepped instruction: protect again, report watch hits; true when that
 * step was ours (its DR6.BS is not the guest's, unless gdb steps too). */
bool vcpu_npt_step_done(struct vcpu *v);
/* Any exit: a step without TF (by_exit) is over, its instruction exited. */
void vcpu_npt_after_exit(struct vcpu *v);
/* gdb resumes the guest: move pending breakpoints whose address now has a page in. */
void vcpu_npt_resume(struct vcpu *v);

#endif
