/* exit_fast.h - the null-exit fast path the backends offer their CPUID exits to. */
#ifndef DBGVISOR_EXIT_FAST_H
#define DBGVISOR_EXIT_FAST_H

#include <stdbool.h>

#include "core/hw/x86.h"
#include "cpuid_view.h"
#include "vcpu.h"
#include "vcpu_util.h"

#define EXIT_FAST_MASK_32 0xffffffffull

/* Once, before the first entry: the hypervisor's NMI handler gets the go-ahead flag to clear. */
void vcpu_fast_attach(struct vcpu *v);
/* Right before an entry, after the full path's work: may this run's null exits skip it? */
void vcpu_fast_prepare(struct vcpu *v);

/* The length of the CPUID at @f: the CPU's report, else the cached decode of the same bytes. */
static inline unsigned vcpu_fast_len(struct vcpu *v, const struct vcpu_fast_exit *f)
{
	enum insn_mode mode;
	uint64_t lin;
	if (f->insn_len)
		return f->insn_len;
	mode = vcpu_mode_of(f->cr0, f->efer, f->cs_attr);
	lin = mode == INSN_MODE_64 ? f->rip : (f->cs_base + f->rip) & EXIT_FAST_MASK_32;
	return vcpu_insn_cache_len(v, EXIT_CPUID, mode, lin, f->cr3);
}

/*
 * A CPUID exit: true when completed here (@f holds RIP, RFLAGS and the shadow to write back)
 * and the guest may be entered at once; false: take the full path (nothing changed). Inline
 * in the backends' exit loops. The only work is CPUID's: the GPRs, RIP past it, RF and the
 * shadow cleared (SDM 3A 18.3.1.1; APM 15.21). The rest of the full path must be nothing:
 * vcpu_fast_prepare said so, and an NMI or kick since has cleared fast_ready. TF, an event for
 * re-delivery (the backend does not call then) and a RIP wrapping at 4 GiB take the full path.
 */
static inline bool vcpu_fast_cpuid(struct vcpu *v, struct vcpu_fast_exit *f)
{
	uint32_t leaf = (uint32_t)v->gpr[GPR_RAX], sub = (uint32_t)v->gpr[GPR_RCX];
	unsigned len;

	if (!v->fast_ready || (f->rflags & RFLAGS_TF) || cpuid_view_uses_mode(!v->is_amd, leaf))
		return false;
	len = vcpu_fast_len(v, f);
	if (!len || (f->rip <= EXIT_FAST_MASK_32 && f->rip + len > EXIT_FAST_MASK_32))
		return false;
	if (v->host->cpuid_native && !cpuid_view_rewrites(leaf)) {
		struct cpuid_regs n; /* never in memory: from CPUID to the guest's GPRs */

		x86_cpuid(leaf, sub, &n);
		vcpu_set_cpuid_gprs(v, &n);
	} else {
		struct cpuid_regs r;

		if (v->host->cpuid_native)
			x86_cpuid(leaf, sub, &r);
		else
			v->host->cpuid(leaf, sub, &r);
		if (cpuid_view_rewrites(leaf))
			cpuid_guest_view(leaf, sub, f->cr4, &r);
		vcpu_set_cpuid_gprs(v, &r);
	}
	f->rip += len;
	f->rflags &= ~RFLAGS_RF;
	f->shadow = false;
	v->exits_total++;
	v->exits[EXIT_CPUID]++;
	return true;
}

#endif
