/* insn_cache.h - the check of a cached instruction length, inline for the fast exit path. */
#ifndef DBGVISOR_INSN_CACHE_H
#define DBGVISOR_INSN_CACHE_H

#include "vcpu.h"

/* The bytes at the cached guest-physical address read out and compared (no host pointer). */
bool insn_cache_same_copied(struct vcpu *v, const struct vcpu_insn_cache *c);

/* Two bytes at any alignment, without an aliasing cast (one load once compiled). */
static inline uint16_t insn_cache_load16(const uint8_t *p)
{
	uint16_t x;

	__builtin_memcpy(&x, p, sizeof(x));
	return x;
}

/* The cached bytes are still at the place they were decoded from: compared in place, two at
 * a time, no copy and no call. */
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
 * are still the ones decoded (core/insn_cache.c); 0 if there is none. */
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

#endif
