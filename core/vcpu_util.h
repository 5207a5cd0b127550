/* vcpu_util.h - vendor-free vcpu helpers: guest memory, modes, lengths, injection, completion. */
#ifndef DBGVISOR_VCPU_UTIL_H
#define DBGVISOR_VCPU_UTIL_H

#include "core/hw/x86.h"
#include "insn.h"
#include "vcpu.h"

static inline uint64_t vcpu_get(struct vcpu *v, enum vcpu_reg r)
{
	return v->ops->get_reg(v, r);
}

static inline void vcpu_set(struct vcpu *v, enum vcpu_reg r, uint64_t val)
{
	v->ops->set_reg(v, r, val);
}

/* CPUID's answer in the guest's registers: 32-bit results zero-extend into the 64-bit ones
 * (the full path's handle_cpuid and the fast path's vcpu_fast_cpuid). */
static inline void vcpu_set_cpuid_gprs(struct vcpu *v, const struct cpuid_regs *r)
{
	v->gpr[GPR_RAX] = r->eax;
	v->gpr[GPR_RBX] = r->ebx;
	v->gpr[GPR_RCX] = r->ecx;
	v->gpr[GPR_RDX] = r->edx;
}

/* Default operand size of the code segment, from CR0.PE, EFER.LMA, CS.L and CS.D. */
enum insn_mode vcpu_code_mode(struct vcpu *v);
/* What RIP + length keeps: 32 bits outside 64-bit mode (no 16-bit wrap). */
uint64_t vcpu_next_ip_mask(struct vcpu *v);
/* Guest-virtual memory through the guest's own page tables. */
bool vcpu_read_virt(struct vcpu *v, uint64_t gva, void *buf, size_t len);
bool vcpu_write_virt(struct vcpu *v, uint64_t gva, const void *buf, size_t len);
bool vcpu_virt_to_phys(struct vcpu *v, uint64_t gva, uint64_t *gpa);
/* The code size, and CS:RIP as a linear address in *@lin. */
enum insn_mode vcpu_code_place(struct vcpu *v, uint64_t *lin);
/* The code size from CR0.PE, EFER.LMA and CS's L and D/B attribute bits (SDM 3A 3.4.5). */
static inline enum insn_mode vcpu_mode_of(uint64_t cr0, uint64_t efer, uint32_t cs_attr)
{
	if (!(cr0 & CR0_PE))
		return INSN_MODE_16;
	if ((cs_attr & SEG_ATTR_L) && (efer & EFER_LMA))
		return INSN_MODE_64;
	return (cs_attr & SEG_ATTR_DB) ? INSN_MODE_32 : INSN_MODE_16;
}
/* Decode the instruction at CS:RIP; 0 on success. */
int vcpu_fetch_insn(struct vcpu *v, struct insn *out);
/* The same at linear address @lin, leaving the bytes read in @bytes. */
int vcpu_fetch_insn_at(struct vcpu *v, uint64_t lin, enum insn_mode mode, struct insn *out,
		       uint8_t bytes[INSN_MAX_LEN]);
/* Length of the exiting instruction: what the CPU reported, else decoded (through the cache
 * below); 0 on failure. */
unsigned vcpu_exit_insn_len(struct vcpu *v, const struct vcpu_exit *e);

/* The cached bytes read out at the cached guest-physical address and compared. */
bool insn_cache_same_copied(struct vcpu *v, const struct vcpu_insn_cache *c);

/* Two bytes at any alignment, without an aliasing cast (one load once compiled). */
static inline uint16_t insn_cache_load16(const uint8_t *p)
{
	uint16_t x;
	__builtin_memcpy(&x, p, sizeof(x));
	return x;
}

/* The cached bytes still where they were decoded from: compared in place, two at a time. */
static inline bool insn_cache_same(struct vcpu *v, const struct vcpu_insn_cache *c)
{
	unsigned i = 0;
	if (!c->where)
		return insn_cache_same_copied(v, c);
	for (; i + 2 <= c->len; i += 2)
		if (insn_cache_load16(c->where + i) != insn_cache_load16(c->bytes + i))
			return false;
	return i == c->len || c->where[i] == c->bytes[i];
}

/* The cached length of the @kind exit at linear @lin (code size @mode, @cr3) if the bytes there
 * are still the ones decoded; 0 if there is none. Inline for the fast exit path. */
static inline unsigned vcpu_insn_cache_len(struct vcpu *v, enum exit_kind kind, enum insn_mode mode,
					   uint64_t lin, uint64_t cr3)
{
	struct vcpu_insn_cache *c = &v->insn_cache;
	if (!c->valid || c->kind != (uint8_t)kind || c->mode != (uint8_t)mode || c->lin != lin ||
	    c->cr3 != cr3 || !insn_cache_same(v, c))
		return 0;
	c->hits++;
	return c->len;
}

/* Queue a hardware exception; a fault (not #DB) first sets RF, which delivery pushes. */
void vcpu_inject_exception(struct vcpu *v, uint8_t vector, bool has_error, uint32_t error);
void vcpu_inject_ud(struct vcpu *v);
void vcpu_inject_gp0(struct vcpu *v);
/* Record why the guest stops; returns EXIT_STOP for the exit handler to pass on. */
enum exit_result vcpu_stop_guest(struct vcpu *v, enum vcpu_stop_reason r, const char *detail);

/* Finish an emulated instruction as the CPU would: advance RIP (wrapping at the code size),
 * clear RF and the STI/MOV SS shadow, single-step trap if TF was set (SDM 3B, 18.3.1.4). */
void vcpu_complete_insn(struct vcpu *v, unsigned len);

#endif
