/* fake_vcpu.h - header-only fake vcpu backend and host services for testing the exit core. */
#ifndef DBGVISOR_TESTS_FAKE_VCPU_H
#define DBGVISOR_TESTS_FAKE_VCPU_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/hw/x86.h"
#include "core/paging/nested_pt.h"
#include "core/vcpu.h"
#include "debug/debug_hooks.h"
#include "debug/dr.h"

#define FAKE_MEM_SIZE	       0x40000u /* guest-physical RAM: [0, FAKE_MEM_SIZE) */
#define FAKE_MAX_EVENTS	       8
#define FAKE_MAX_MSR_INTCPT    64
#define FAKE_MAX_PORT_CALLS    64
#define FAKE_MAX_CPUID	       16
#define FAKE_PORT_COUNT	       65536
#define FAKE_DEFAULT_RIP       0x1000
#define FAKE_FLAT_LIMIT	       0xffffffffu
#define FAKE_REAL_LIMIT	       0xffffu
#define FAKE_CODE_TYPE	       0xbu /* execute/read, accessed */
#define FAKE_DATA_TYPE	       0x3u /* read/write, accessed */
#define FAKE_CPUID_ANY_SUBLEAF 0xffffffffu
#define FAKE_PT_PAGE	       0x1000u
#define FAKE_PT_P	       (1ull << 0)
#define FAKE_PT_RW	       (1ull << 1)
#define FAKE_PT_PS	       (1ull << 7)
#define FAKE_PROT_PAGES	       16 /* 4 KiB pages nested_protect remembers */
#define FAKE_PAGE_MASK	       (~0xfffull)
#define FAKE_NESTED_MAP_END    0x100000000ull /* the nested tables built at boot end here */

/* Attributes of code segments in each mode (VMCB format, core/vcpu.h). */
#define FAKE_CS32_ATTR (FAKE_CODE_TYPE | SEG_ATTR_S | SEG_ATTR_P | SEG_ATTR_DB | SEG_ATTR_G)
#define FAKE_CS16_ATTR (FAKE_CODE_TYPE | SEG_ATTR_S | SEG_ATTR_P)
#define FAKE_CS64_ATTR (FAKE_CODE_TYPE | SEG_ATTR_S | SEG_ATTR_P | SEG_ATTR_L | SEG_ATTR_G)
#define FAKE_DS32_ATTR (FAKE_DATA_TYPE | SEG_ATTR_S | SEG_ATTR_P | SEG_ATTR_DB | SEG_ATTR_G)

struct fake_msr_intercept {
	uint32_t msr;
	bool read, write;
};

struct fake_port_call {
	uint16_t port;
	uint8_t size;
	uint32_t val;
};

struct fake_cpuid_entry {
	uint32_t leaf;
	uint32_t subleaf; /* FAKE_CPUID_ANY_SUBLEAF matches every subleaf */
	struct cpuid_regs r;
};

/* Backend state behind v->backend: what a VMCB/VMCS would hold, plus what the core asked for. */
struct fake_backend {
	uint64_t regs[REG_COUNT];
	struct vcpu_segment segs[SEG_COUNT];
	struct vcpu_dtable dtables[DTABLE_IDT + 1];
	bool shadow;
	unsigned step_shadows;
	unsigned cpl;
	struct vcpu_event events[FAKE_MAX_EVENTS];
	unsigned nevents;
	bool io_intercept[FAKE_PORT_COUNT];
	unsigned io_intercept_calls;
	struct fake_msr_intercept msrs[FAKE_MAX_MSR_INTCPT];
	unsigned nmsrs;
	uint32_t exc_intercepts; /* bit per vector */
	/* Debug registers as the fake CPU holds them for the guest (load_debug/save_debug). */
	uint64_t hw_db[DR_SLOTS];
	uint64_t hw_dr6, hw_dr7;
	unsigned debug_loads, debug_saves;
	bool dr_intercept; /* MOV DR exits */
	unsigned dr_intercept_calls;
	bool iret_intercept; /* IRET exits (SVM's NMI tracking) */
	/* Nested-page protection asked for (NESTED_DENY_* per 4 KiB page; 0: as built). */
	struct {
		uint64_t page;
		unsigned deny;
	} prot[FAKE_PROT_PAGES];
	unsigned nprot, prot_calls;
	unsigned device_maps; /* NESTED_MAP_DEVICE requests granted */
};

struct fake_vcpu {
	struct vcpu v;
	struct dr_state dr;
	struct fake_backend b;
};

/* Host services: the callbacks carry no context, so there is one fake host per test binary. */
struct fake_host {
	uint8_t mem[FAKE_MEM_SIZE];
	uint64_t hv_start, hv_end; /* [hv_start, hv_end) is the hypervisor's region */
	struct fake_cpuid_entry cpuid[FAKE_MAX_CPUID];
	unsigned ncpuid;
	unsigned cpuid_calls;
	uint32_t cpuid_last_leaf, cpuid_last_subleaf;
	uint32_t port_in_value; /* what every forwarded IN reads */
	struct fake_port_call ins[FAKE_MAX_PORT_CALLS];
	unsigned nins;
	struct fake_port_call outs[FAKE_MAX_PORT_CALLS];
	unsigned nouts;
	bool xsetbv_ok;
	unsigned xsetbv_calls;
	uint32_t xsetbv_index;
	uint64_t xsetbv_value;
	unsigned mmio_writes;
	uint64_t mmio_last_gpa;
	uint32_t mmio_last_val;
	unsigned wrmsrs;
	uint32_t wrmsr_last_index;
	uint64_t wrmsr_last_val;
	/* The one MSR the fake CPU has for pass-through RDMSR/WRMSR (0: none; others #GP). */
	uint32_t safe_msr;
	uint64_t safe_msr_val;
	unsigned safe_msr_calls;
};

static struct fake_host fake_host;

static inline struct fake_backend *fake_of(struct vcpu *v)
{
	return v->backend;
}

/* --- struct vcpu_ops --- */

static inline uint64_t fake_get_reg(struct vcpu *v, enum vcpu_reg r)
{
	assert_in_range(r, 0, REG_COUNT - 1);
	return fake_of(v)->regs[r];
}

static inline void fake_set_reg(struct vcpu *v, enum vcpu_reg r, uint64_t val)
{
	assert_in_range(r, 0, REG_COUNT - 1);
	fake_of(v)->regs[r] = val;
}

static inline void fake_get_seg(struct vcpu *v, enum vcpu_seg s, struct vcpu_segment *out)
{
	assert_in_range(s, 0, SEG_COUNT - 1);
	*out = fake_of(v)->segs[s];
}

static inline void fake_set_seg(struct vcpu *v, enum vcpu_seg s, const struct vcpu_segment *in)
{
	assert_in_range(s, 0, SEG_COUNT - 1);
	fake_of(v)->segs[s] = *in;
}

static inline void fake_get_dtable(struct vcpu *v, enum vcpu_dtable_id d, struct vcpu_dtable *out)
{
	assert_in_range(d, DTABLE_GDT, DTABLE_IDT);
	*out = fake_of(v)->dtables[d];
}

static inline void fake_set_dtable(struct vcpu *v, enum vcpu_dtable_id d,
				   const struct vcpu_dtable *in)
{
	assert_in_range(d, DTABLE_GDT, DTABLE_IDT);
	fake_of(v)->dtables[d] = *in;
}

static inline void fake_inject_event(struct vcpu *v, const struct vcpu_event *e)
{
	struct fake_backend *b = fake_of(v);

	assert_in_range(b->nevents, 0, FAKE_MAX_EVENTS - 1);
	b->events[b->nevents++] = *e;
}

static inline void fake_set_io_intercept(struct vcpu *v, uint16_t port, bool on)
{
	fake_of(v)->io_intercept[port] = on;
	fake_of(v)->io_intercept_calls++;
}

static inline void fake_set_msr_intercept(struct vcpu *v, uint32_t msr, bool read, bool write)
{
	struct fake_backend *b = fake_of(v);

	for (unsigned i = 0; i < b->nmsrs; i++) {
		if (b->msrs[i].msr == msr) {
			b->msrs[i].read = read;
			b->msrs[i].write = write;
			return;
		}
	}
	assert_in_range(b->nmsrs, 0, FAKE_MAX_MSR_INTCPT - 1);
	b->msrs[b->nmsrs++] = (struct fake_msr_intercept){msr, read, write};
}

static inline void fake_set_exception_intercept(struct vcpu *v, uint8_t vector, bool on)
{
	assert_in_range(vector, 0, 31);
	if (on)
		fake_of(v)->exc_intercepts |= 1u << vector;
	else
		fake_of(v)->exc_intercepts &= ~(1u << vector);
}

static inline bool fake_get_interrupt_shadow(struct vcpu *v)
{
	return fake_of(v)->shadow;
}

static inline void fake_set_interrupt_shadow(struct vcpu *v, bool on)
{
	fake_of(v)->shadow = on;
}

static inline void fake_set_step_shadow(struct vcpu *v)
{
	fake_of(v)->shadow = true;
	fake_of(v)->step_shadows++;
}

static inline unsigned fake_get_cpl(struct vcpu *v)
{
	return fake_of(v)->cpl;
}

/* The fake CPU keeps what was loaded; a test changes hw_* to play a guest running natively. */
static inline void fake_load_debug(struct vcpu *v, const uint64_t db[DR_SLOTS], uint64_t dr6,
				   uint64_t dr7)
{
	struct fake_backend *b = fake_of(v);

	memcpy(b->hw_db, db, sizeof(b->hw_db));
	b->hw_dr6 = dr6;
	b->hw_dr7 = dr7;
	b->debug_loads++;
}

static inline void fake_save_debug(struct vcpu *v, uint64_t db[DR_SLOTS], uint64_t *dr6,
				   uint64_t *dr7)
{
	struct fake_backend *b = fake_of(v);

	memcpy(db, b->hw_db, sizeof(b->hw_db));
	*dr6 = b->hw_dr6;
	*dr7 = b->hw_dr7;
	b->debug_saves++;
}

static inline void fake_set_dr_intercept(struct vcpu *v, bool on)
{
	fake_of(v)->dr_intercept = on;
	fake_of(v)->dr_intercept_calls++;
}

static inline void fake_set_iret_intercept(struct vcpu *v, bool on)
{
	fake_of(v)->iret_intercept = on;
}

static inline int fake_nested_protect(struct vcpu *v, uint64_t gpa, unsigned deny)
{
	struct fake_backend *b = fake_of(v);
	unsigned i;

	b->prot_calls++;
	if (deny == NESTED_MAP_DEVICE) { /* as guest_mem_nested_protect: only above the map */
		b->device_maps += gpa >= FAKE_NESTED_MAP_END;
		return gpa >= FAKE_NESTED_MAP_END ? 0 : -1;
	}
	if (gpa >= FAKE_MEM_SIZE)
		return -1;
	for (i = 0; i < b->nprot && b->prot[i].page != (gpa & FAKE_PAGE_MASK); i++)
		;
	if (i == b->nprot) {
		assert_true(b->nprot < FAKE_PROT_PAGES);
		b->prot[b->nprot++].page = gpa & FAKE_PAGE_MASK;
	}
	b->prot[i].deny = deny;
	return 0;
}

/* What nested_protect last set on @gpa's page (0 if never). */
static inline unsigned fake_prot_of(struct vcpu *v, uint64_t gpa)
{
	struct fake_backend *b = fake_of(v);

	for (unsigned i = 0; i < b->nprot; i++)
		if (b->prot[i].page == (gpa & FAKE_PAGE_MASK))
			return b->prot[i].deny;
	return 0;
}

static const struct vcpu_ops fake_ops = {
    .name = "fake",
    .exit_format = "fake exit %lu: %s",
    .get_reg = fake_get_reg,
    .set_reg = fake_set_reg,
    .get_seg = fake_get_seg,
    .set_seg = fake_set_seg,
    .get_dtable = fake_get_dtable,
    .set_dtable = fake_set_dtable,
    .inject_event = fake_inject_event,
    .set_io_intercept = fake_set_io_intercept,
    .set_msr_intercept = fake_set_msr_intercept,
    .set_exception_intercept = fake_set_exception_intercept,
    .get_interrupt_shadow = fake_get_interrupt_shadow,
    .set_interrupt_shadow = fake_set_interrupt_shadow,
    .get_cpl = fake_get_cpl,
    .load_debug = fake_load_debug,
    .save_debug = fake_save_debug,
    .set_dr_intercept = fake_set_dr_intercept,
    .set_step_shadow = fake_set_step_shadow,
    .set_iret_intercept = fake_set_iret_intercept,
    .nested_protect = fake_nested_protect,
};

/* --- struct vcpu_host --- */

static inline bool fake_in_mem(uint64_t gpa, uint64_t len)
{
	return gpa <= FAKE_MEM_SIZE && len <= FAKE_MEM_SIZE - gpa;
}

static inline void fake_host_cpuid(uint32_t leaf, uint32_t subleaf, struct cpuid_regs *r)
{
	fake_host.cpuid_calls++;
	fake_host.cpuid_last_leaf = leaf;
	fake_host.cpuid_last_subleaf = subleaf;
	*r = (struct cpuid_regs){0, 0, 0, 0};
	for (unsigned i = 0; i < fake_host.ncpuid; i++) {
		const struct fake_cpuid_entry *c = &fake_host.cpuid[i];

		if (c->leaf == leaf &&
		    (c->subleaf == FAKE_CPUID_ANY_SUBLEAF || c->subleaf == subleaf)) {
			*r = c->r;
			return;
		}
	}
}

static inline bool fake_host_read_phys(uint64_t gpa, void *buf, uint64_t len)
{
	if (!fake_in_mem(gpa, len))
		return false;
	memcpy(buf, &fake_host.mem[gpa], len);
	return true;
}

static inline const void *fake_host_phys_ptr(uint64_t gpa, uint64_t len)
{
	return fake_in_mem(gpa, len) ? &fake_host.mem[gpa] : NULL;
}

static inline bool fake_host_write_phys(uint64_t gpa, const void *buf, uint64_t len)
{
	if (!fake_in_mem(gpa, len))
		return false;
	memcpy(&fake_host.mem[gpa], buf, len);
	return true;
}

static inline bool fake_host_hv_owns(uint64_t gpa)
{
	return gpa >= fake_host.hv_start && gpa < fake_host.hv_end;
}

static inline uint32_t fake_host_port_in(uint16_t port, uint8_t size)
{
	assert_in_range(fake_host.nins, 0, FAKE_MAX_PORT_CALLS - 1);
	fake_host.ins[fake_host.nins++] =
	    (struct fake_port_call){port, size, fake_host.port_in_value};
	return fake_host.port_in_value;
}

static inline void fake_host_port_out(uint16_t port, uint8_t size, uint32_t val)
{
	assert_in_range(fake_host.nouts, 0, FAKE_MAX_PORT_CALLS - 1);
	fake_host.outs[fake_host.nouts++] = (struct fake_port_call){port, size, val};
}

static inline bool fake_host_xsetbv(uint32_t index, uint64_t value)
{
	fake_host.xsetbv_calls++;
	fake_host.xsetbv_index = index;
	fake_host.xsetbv_value = value;
	return fake_host.xsetbv_ok;
}

static inline void fake_host_mmio_write32(uint64_t gpa, uint32_t val)
{
	fake_host.mmio_writes++;
	fake_host.mmio_last_gpa = gpa;
	fake_host.mmio_last_val = val;
}

static inline void fake_host_wrmsr(uint32_t index, uint64_t val)
{
	fake_host.wrmsrs++;
	fake_host.wrmsr_last_index = index;
	fake_host.wrmsr_last_val = val;
}

static inline bool fake_host_rdmsr_safe(uint32_t index, uint64_t *val)
{
	fake_host.safe_msr_calls++;
	if (!fake_host.safe_msr || index != fake_host.safe_msr)
		return false;
	*val = fake_host.safe_msr_val;
	return true;
}

static inline bool fake_host_wrmsr_safe(uint32_t index, uint64_t val)
{
	fake_host.safe_msr_calls++;
	if (!fake_host.safe_msr || index != fake_host.safe_msr)
		return false;
	fake_host.safe_msr_val = val;
	return true;
}

static const struct vcpu_host fake_vcpu_host = {
    .cpuid = fake_host_cpuid,
    .read_phys = fake_host_read_phys,
    .phys_ptr = fake_host_phys_ptr,
    .write_phys = fake_host_write_phys,
    .hv_owns = fake_host_hv_owns,
    .port_in = fake_host_port_in,
    .port_out = fake_host_port_out,
    .xsetbv = fake_host_xsetbv,
    .mmio_write32 = fake_host_mmio_write32,
    .wrmsr = fake_host_wrmsr,
    .rdmsr_safe = fake_host_rdmsr_safe,
    .wrmsr_safe = fake_host_wrmsr_safe,
};

/* --- set-up helpers --- */

/* Add a scripted CPUID answer (later entries for the same leaf are shadowed by earlier ones). */
static inline void fake_cpuid_set(uint32_t leaf, uint32_t subleaf, uint32_t eax, uint32_t ebx,
				  uint32_t ecx, uint32_t edx)
{
	assert_in_range(fake_host.ncpuid, 0, FAKE_MAX_CPUID - 1);
	fake_host.cpuid[fake_host.ncpuid++] =
	    (struct fake_cpuid_entry){leaf, subleaf, {eax, ebx, ecx, edx}};
}

static inline void fake_mem_put(uint64_t gpa, const void *bytes, size_t len)
{
	assert_true(fake_host_write_phys(gpa, bytes, len));
}

/* Flat 32-bit protected mode, paging off, CPL 0, RIP = FAKE_DEFAULT_RIP. */
static inline void fake_mode_flat32(struct fake_vcpu *f)
{
	struct vcpu_segment cs = {.sel = 0x8, .attr = FAKE_CS32_ATTR, .limit = FAKE_FLAT_LIMIT};
	struct vcpu_segment ds = {.sel = 0x10, .attr = FAKE_DS32_ATTR, .limit = FAKE_FLAT_LIMIT};

	f->b.regs[REG_CR0] = CR0_PE | CR0_ET;
	f->b.regs[REG_EFER] = 0;
	for (unsigned s = 0; s < SEG_COUNT; s++)
		f->b.segs[s] = ds;
	f->b.segs[SEG_CS] = cs;
	f->b.cpl = 0;
}

/* Real mode with CS = @cs_sel (base @cs_sel * 16). */
static inline void fake_mode_real(struct fake_vcpu *f, uint16_t cs_sel)
{
	struct vcpu_segment cs = {.sel = cs_sel,
				  .attr = FAKE_CS16_ATTR,
				  .limit = FAKE_REAL_LIMIT,
				  .base = (uint64_t)cs_sel << 4};

	f->b.regs[REG_CR0] = CR0_ET;
	f->b.regs[REG_EFER] = 0;
	f->b.segs[SEG_CS] = cs;
	f->b.cpl = 0;
}

/* 64-bit mode: long mode active, paging on, CS.L = 1. */
static inline void fake_mode_long64(struct fake_vcpu *f)
{
	struct vcpu_segment cs = {.sel = 0x8, .attr = FAKE_CS64_ATTR, .limit = FAKE_FLAT_LIMIT};

	f->b.regs[REG_CR0] = CR0_PE | CR0_ET | CR0_PG;
	f->b.regs[REG_CR4] = CR4_PAE;
	f->b.regs[REG_EFER] = EFER_LME | EFER_LMA;
	f->b.segs[SEG_CS] = cs;
	f->b.cpl = 0;
}

/*
 * 4-level page tables at [@tables, @tables + 3 pages) mapping the first 2 MiB identically
 * with one large page, and CR3 pointing at them: 64-bit code becomes fetchable.
 */
static inline void fake_map_identity64(struct fake_vcpu *f, uint64_t tables)
{
	uint64_t pml4e = (tables + FAKE_PT_PAGE) | FAKE_PT_P | FAKE_PT_RW;
	uint64_t pdpte = (tables + 2 * FAKE_PT_PAGE) | FAKE_PT_P | FAKE_PT_RW;
	uint64_t pde = FAKE_PT_P | FAKE_PT_RW | FAKE_PT_PS;

	fake_mem_put(tables, &pml4e, sizeof(pml4e));
	fake_mem_put(tables + FAKE_PT_PAGE, &pdpte, sizeof(pdpte));
	fake_mem_put(tables + 2 * FAKE_PT_PAGE, &pde, sizeof(pde));
	f->b.regs[REG_CR3] = tables;
}

/* A fresh vcpu in flat 32-bit mode and a fresh host (memory zeroed, no hv region, no CPUID). */
static inline void fake_vcpu_init(struct fake_vcpu *f, bool is_amd, uint16_t gdb_port)
{
	memset(f, 0, sizeof(*f));
	memset(&fake_host, 0, sizeof(fake_host));
	fake_host.xsetbv_ok = true;
	f->v.ops = &fake_ops;
	f->v.backend = &f->b;
	f->v.host = &fake_vcpu_host;
	f->v.debug = &debug_hooks;
	f->v.dr = &f->dr;
	f->v.is_amd = is_amd;
	f->v.gdb_port = gdb_port;
	f->b.regs[REG_RIP] = FAKE_DEFAULT_RIP;
	f->b.regs[REG_RFLAGS] = RFLAGS_FIXED1;
	fake_mode_flat32(f);
}

/* Was @msr intercepted for both reads and writes? */
static inline bool fake_msr_intercepted(const struct fake_vcpu *f, uint32_t msr)
{
	for (unsigned i = 0; i < f->b.nmsrs; i++) {
		if (f->b.msrs[i].msr == msr)
			return f->b.msrs[i].read && f->b.msrs[i].write;
	}
	return false;
}

static inline unsigned fake_io_intercept_count(const struct fake_vcpu *f)
{
	unsigned n = 0;

	for (unsigned p = 0; p < FAKE_PORT_COUNT; p++)
		n += f->b.io_intercept[p];
	return n;
}

#endif
