/* vcpu_util.c - guest memory, code size, instruction lengths, injection and completion. */
#include "vcpu_util.h"

#include "core/hw/string.h"
#include "core/hw/trap.h"
#include "core/hw/x86.h"
#include "core/paging/gwalk.h"
#include "vcpu_hooks.h"

#define PAGE_MASK_4K 0xfffull
#define MASK_32	     0xffffffffull

/* The code size, with CS as read for it and EFER read only where it matters. */
static enum insn_mode code_mode_cs(struct vcpu *v, struct vcpu_segment *cs)
{
	v->ops->get_seg(v, SEG_CS, cs);
	if (!(vcpu_get(v, REG_CR0) & CR0_PE))
		return INSN_MODE_16;
	return vcpu_mode_of(CR0_PE, (cs->attr & SEG_ATTR_L) ? vcpu_get(v, REG_EFER) : 0, cs->attr);
}

enum insn_mode vcpu_code_mode(struct vcpu *v)
{
	struct vcpu_segment cs;
	return code_mode_cs(v, &cs);
}

enum insn_mode vcpu_code_place(struct vcpu *v, uint64_t *lin)
{
	struct vcpu_segment cs;
	enum insn_mode mode = code_mode_cs(v, &cs);
	uint64_t rip = vcpu_get(v, REG_RIP);
	*lin = mode == INSN_MODE_64 ? rip : (cs.base + rip) & MASK_32;
	return mode;
}

static bool walk_read(uint64_t gpa, void *buf, size_t len, void *ctx)
{
	struct vcpu *v = ctx;
	return v->host->read_phys(gpa, buf, len);
}

static void walk_ctx(struct vcpu *v, struct gwalk_ctx *c)
{
	*c = (struct gwalk_ctx){.cr0 = vcpu_get(v, REG_CR0),
				.cr3 = vcpu_get(v, REG_CR3),
				.cr4 = vcpu_get(v, REG_CR4),
				.efer = vcpu_get(v, REG_EFER),
				.read_phys = walk_read,
				.ctx = v};
}

bool vcpu_virt_to_phys(struct vcpu *v, uint64_t gva, uint64_t *gpa)
{
	struct gwalk_ctx c;
	walk_ctx(v, &c);
	return gwalk_translate(&c, gva, gpa, 0) == GWALK_OK;
}

/* Walk the guest's page tables for every page of [gva, gva + len) and copy in or out. */
static bool access_virt(struct vcpu *v, uint64_t gva, void *buf, size_t len, bool write)
{
	struct gwalk_ctx c;
	uint8_t *out = buf;

	walk_ctx(v, &c);
	while (len) {
		uint64_t gpa, page_size;
		size_t chunk = (PAGE_MASK_4K + 1) - (gva & PAGE_MASK_4K);

		if (chunk > len)
			chunk = len;
		if (gwalk_translate(&c, gva, &gpa, &page_size) != GWALK_OK)
			return false;
		if (write ? !v->host->write_phys(gpa, out, chunk)
			  : !v->host->read_phys(gpa, out, chunk))
			return false;
		out += chunk;
		gva += chunk;
		len -= chunk;
	}
	return true;
}

bool vcpu_read_virt(struct vcpu *v, uint64_t gva, void *buf, size_t len)
{
	return access_virt(v, gva, buf, len, false);
}

bool vcpu_write_virt(struct vcpu *v, uint64_t gva, const void *buf, size_t len)
{
	return access_virt(v, gva, (void *)buf, len, true);
}

int vcpu_fetch_insn_at(struct vcpu *v, uint64_t lin, enum insn_mode mode, struct insn *out,
		       uint8_t bytes[INSN_MAX_LEN])
{
	size_t got = INSN_MAX_LEN;
	/* All 15 bytes at once; near an unmapped page, only what precedes it. */
	if (!vcpu_read_virt(v, lin, bytes, got)) {
		got = (PAGE_MASK_4K + 1) - (lin & PAGE_MASK_4K);
		if (got > INSN_MAX_LEN || !vcpu_read_virt(v, lin, bytes, got))
			return INSN_ERR_TRUNCATED;
	}
	return insn_decode(bytes, got, mode, out);
}

int vcpu_fetch_insn(struct vcpu *v, struct insn *out)
{
	uint8_t bytes[INSN_MAX_LEN];
	uint64_t lin;
	enum insn_mode mode = vcpu_code_place(v, &lin);
	return vcpu_fetch_insn_at(v, lin, mode, out, bytes);
}

/* SVM without NRIP save (QEMU 7.2) reports no length (APM 15.7.1); a guest exiting in a loop
 * skips the walk and decode while struct vcpu_insn_cache matches (rewritten code does not). */
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
	if ((lin & PAGE_MASK_4K) + i.len <= PAGE_MASK_4K + 1 &&
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

/* A fault pushes RF = 1 lest IRET re-trigger an instruction breakpoint (SDM 3B 18.3.1.1, APM
 * 3.1.6), but injection pushes RFLAGS as loaded (SDM 3C 27.6.1.1, APM 15.20) and emulated
 * instructions exit with RF = 0 (SDM 3C 28.3.3): we set it. Traps, aborts, NMIs and every #DB keep
 * RF (KVM agrees). Fault-class vectors: SDM 3A table 7-1. */
#define FAULT_VECTORS                                                                              \
	((1u << VEC_DE) | (1u << VEC_BR) | (1u << VEC_UD) | (1u << VEC_NM) | (1u << VEC_TS) |      \
	 (1u << VEC_NP) | (1u << VEC_SS) | (1u << VEC_GP) | (1u << VEC_PF) | (1u << VEC_MF) |      \
	 (1u << VEC_AC) | (1u << VEC_XM) | (1u << VEC_VE) | (1u << VEC_CP))

void vcpu_inject_exception(struct vcpu *v, uint8_t vector, bool has_error, uint32_t error)
{
	bool protected_mode = vcpu_get(v, REG_CR0) & CR0_PE;
	struct vcpu_event ev = {.type = EVENT_HW_EXCEPTION,
				.vector = vector,
				.has_error = has_error && protected_mode,
				.error = error};
	/* Real mode pushes no error code (SDM 3A 21.1.4; VM entry refuses one, 3C 27.2.1.3) and
	 * no RF; protected-mode gates clear RF after the push (SDM 3A 7.12.1.3). */
	if (protected_mode && vector < NUM_EXCEPTIONS && (FAULT_VECTORS & (1u << vector)))
		vcpu_set(v, REG_RFLAGS, vcpu_get(v, REG_RFLAGS) | RFLAGS_RF);
	v->ops->inject_event(v, &ev);
}

void vcpu_inject_ud(struct vcpu *v)
{
	vcpu_inject_exception(v, VEC_UD, false, 0);
}

void vcpu_inject_gp0(struct vcpu *v)
{
	vcpu_inject_exception(v, VEC_GP, true, 0);
}

/* 16-bit code does not wrap at 64 KiB: past CS.limit the next fetch raises #GP (SDM 3A 5.3
 * and 21.1.3; Bochs does). Only EIP's 32 bits exist outside 64-bit mode. */
uint64_t vcpu_next_ip_mask(struct vcpu *v)
{
	return vcpu_code_mode(v) == INSN_MODE_64 ? ~0ull : MASK_32;
}

enum exit_result vcpu_stop_guest(struct vcpu *v, enum vcpu_stop_reason r, const char *detail)
{
	v->stop.reason = r;
	v->stop.detail = detail;
	return EXIT_STOP;
}

void vcpu_complete_insn(struct vcpu *v, unsigned len)
{
	uint64_t rflags = vcpu_get(v, REG_RFLAGS);
	uint64_t rip = vcpu_get(v, REG_RIP), next = rip + len;

	/* Only an addition that crosses 4 GiB can wrap (vcpu_next_ip_mask), so only then does
	 * the code size matter. */
	if (rip <= MASK_32 && next > MASK_32)
		next &= vcpu_next_ip_mask(v);
	vcpu_set(v, REG_RIP, next);
	if (rflags & RFLAGS_RF)
		vcpu_set(v, REG_RFLAGS, rflags & ~RFLAGS_RF);
	if (v->ops->get_interrupt_shadow(v))
		v->ops->set_interrupt_shadow(v, false);
	if ((rflags & RFLAGS_TF) || v->access.port_size)
		v->debug->step_trap(v);
}
