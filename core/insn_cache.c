/* insn_cache.c - exiting instructions' lengths kept per place, for CPUs that do not report them. */
#include "core/hw/string.h"
#include "insn_cache.h"
#include "vcpu_util.h"

#define PAGE_SIZE_4K 0x1000ull

/*
 * SVM without NRIP save (QEMU 7.2) reports no instruction length (APM vol. 2, 15.7.1), and a
 * guest that exits in a loop (CPUID in Linux's boot, a driver's port) exits at the same place
 * again and again. Decoding needs a page walk, 15 bytes and the decoder; checking the last
 * decode needs the registers that name the place and the bytes at the frame they came from:
 * the exit kind, linear RIP, CR3 and code size equal, and the same bytes at the same
 * guest-physical address (code rewritten in place, an INT3 planted by gdb, or another program
 * under that address with another CR3 all decode again).
 */
bool insn_cache_same_copied(struct vcpu *v, const struct vcpu_insn_cache *c)
{
	uint8_t now[INSN_MAX_LEN];

	return v->host->read_phys(c->gpa, now, c->len) && memcmp(now, c->bytes, c->len) == 0;
}

unsigned vcpu_exit_insn_len(struct vcpu *v, const struct vcpu_exit *e)
{
	struct vcpu_insn_cache *c = &v->insn_cache;
	enum insn_mode mode;
	uint64_t lin, cr3;
	uint8_t bytes[INSN_MAX_LEN];
	struct insn i;

	if (e->insn_len)
		return e->insn_len;
	mode = vcpu_code_place(v, &lin);
	cr3 = vcpu_get(v, REG_CR3);
	if (vcpu_insn_cache_len(v, e->kind, mode, lin, cr3))
		return c->len;
	c->misses++;
	c->valid = false;
	if (vcpu_fetch_insn_at(v, lin, mode, &i, bytes) != 0)
		return 0;
	/* Only an instruction inside one page has one frame to check next time. */
	if ((lin & (PAGE_SIZE_4K - 1)) + i.len <= PAGE_SIZE_4K &&
	    vcpu_virt_to_phys(v, lin, &c->gpa)) {
		c->valid = true;
		c->kind = (uint8_t)e->kind;
		c->mode = (uint8_t)mode;
		c->len = i.len;
		c->lin = lin;
		c->cr3 = cr3;
		c->where = v->host->phys_ptr ? v->host->phys_ptr(c->gpa, i.len) : 0;
		memcpy(c->bytes, bytes, i.len);
	}
	return i.len;
}
