/* exit_fast.c - null CPUID exits decided from a few fields, without the full exit path. */
#include "exit_fast.h"

#include "core/hw/x86.h"
#include "cpuid_view.h"
#include "insn_cache.h"
#include "nmi.h"
#include "vcpu_hooks.h"
#include "vcpu_util.h"

#define MASK_32 0xffffffffull

/*
 * A CPUID exit whose only work is CPUID's own: the guest's registers from the CPU's answer and
 * its view, RIP past the instruction, RF and the interrupt shadow cleared (SDM 3A 18.3.1.1; APM
 * 15.21). Everything else the full path does around an exit must be nothing this time: the
 * debug layer says so before the entry (vcpu_fast_prepare), the NMI state is idle, and no
 * NMI or kick reached the hypervisor since. A single-step (TF) is left to the full path, as are
 * an event waiting for re-delivery (the backend does not call here then) and a RIP that would
 * wrap at 4 GiB.
 */
void vcpu_fast_prepare(struct vcpu *v)
{
	v->fast_ready = nmi_idle(v) && v->debug->quiet(v);
}

static unsigned fast_len(struct vcpu *v, const struct vcpu_fast_exit *f)
{
	enum insn_mode mode;
	uint64_t lin;

	if (f->insn_len)
		return f->insn_len;
	mode = vcpu_mode_of(f->cr0, f->efer, f->cs_attr);
	lin = mode == INSN_MODE_64 ? f->rip : (f->cs_base + f->rip) & MASK_32;
	return vcpu_insn_cache_len(v, EXIT_CPUID, mode, lin, f->cr3);
}

bool vcpu_fast_cpuid(struct vcpu *v, struct vcpu_fast_exit *f)
{
	struct cpuid_regs r;
	uint32_t leaf = (uint32_t)v->gpr[GPR_RAX], sub = (uint32_t)v->gpr[GPR_RCX];
	unsigned len;

	if (!v->fast_ready || (f->rflags & RFLAGS_TF) ||
	    (v->host->host_events && v->host->host_events()))
		return false;
	len = fast_len(v, f);
	if (!len || (f->rip <= MASK_32 && f->rip + len > MASK_32))
		return false;
	v->host->cpuid(leaf, sub, &r);
	cpuid_guest_view(leaf, sub, f->cr4, &r);
	/* 32-bit results zero-extend into the 64-bit registers. */
	v->gpr[GPR_RAX] = r.eax;
	v->gpr[GPR_RBX] = r.ebx;
	v->gpr[GPR_RCX] = r.ecx;
	v->gpr[GPR_RDX] = r.edx;
	f->rip += len;
	f->rflags &= ~RFLAGS_RF;
	f->shadow = false;
	v->exits_total++;
	v->exits[EXIT_CPUID]++;
	return true;
}
