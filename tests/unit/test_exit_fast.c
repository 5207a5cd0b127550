/* test_exit_fast.c - cmocka tests for the null-CPUID fast path (core/exit_fast.c). */
#include "fake_vcpu.h"

#include "core/exit.h"
#include "core/exit_fast.h"
#include "core/vcpu_util.h"
#include "debug/vcpu_debug.h"
#include "debug/vcpu_gdb.h"
#include "debug/vcpu_npt.h"

#define CODE_ADDR   0x2000ull
#define CPUID_LEN   2 /* 0F A2 */
#define LEAF	    0x1u
#define LEAF_EAX    0x000306c3u
#define LEAF_EBX    0x00010800u
#define LEAF_ECX    0x7ffafbffu
#define LEAF_EDX    0xbfebfbffu
#define ARCH_RF	    (1ull << 16)
#define ARCH_TF	    (1ull << 8)
#define ARCH_DR7_L0 0x1ull
#define BELOW_4G    0xfffffffeull /* CPUID here would end past 4 GiB */
#define STALE_BITS  0xdead00000000ull

static const uint8_t cpuid[] = {0x0f, 0xa2};

static struct fake_vcpu fv;
static struct vcpu *const v = &fv.v;
static bool events;
static struct vcpu_host host_with_events;

static volatile bool *nmi_clears; /* what the hypervisor's NMI handler would clear */

static bool host_events(void)
{
	return events;
}

static void fast_flag(volatile bool *flag)
{
	nmi_clears = flag;
}

static int setup(void **state)
{
	(void)state;
	fake_vcpu_init(&fv, true, 0);
	vcpu_debug_setup(v, &(struct dr_features){.amd = true});
	host_with_events = fake_vcpu_host;
	host_with_events.host_events = host_events;
	host_with_events.fast_flag = fast_flag;
	nmi_clears = NULL;
	v->host = &host_with_events;
	vcpu_fast_attach(v);
	events = false;
	fake_host.cpuid[fake_host.ncpuid++] = (struct fake_cpuid_entry){
	    LEAF, FAKE_CPUID_ANY_SUBLEAF, {LEAF_EAX, LEAF_EBX, LEAF_ECX, LEAF_EDX}};
	fake_mem_put(CODE_ADDR, cpuid, sizeof(cpuid));
	v->gpr[GPR_RAX] = STALE_BITS | LEAF;
	v->gpr[GPR_RCX] = STALE_BITS;
	return 0;
}

/* A CPUID exit as a backend with NRIP save (or VT-x) reports it. */
static struct vcpu_fast_exit reported(void)
{
	return (struct vcpu_fast_exit){
	    .rip = CODE_ADDR, .rflags = RFLAGS_FIXED1, .insn_len = CPUID_LEN};
}

static void test_completes_when_quiet(void **state)
{
	struct vcpu_fast_exit f = reported();

	(void)state;
	vcpu_fast_prepare(v);
	assert_true(v->fast_ready);
	f.rflags |= ARCH_RF;
	f.shadow = true;
	assert_true(vcpu_fast_cpuid(v, &f));
	/* 32-bit results zero-extend; the CPU's answer for leaf 1 with OSXSAVE from CR4 (0). */
	assert_int_equal(v->gpr[GPR_RAX], LEAF_EAX);
	assert_int_equal(v->gpr[GPR_RDX] >> 32, 0);
	assert_int_equal(f.rip, CODE_ADDR + CPUID_LEN);
	assert_int_equal(f.rflags & ARCH_RF, 0);
	assert_false(f.shadow);
	assert_int_equal(v->exits_total, 1);
	assert_int_equal(v->exits[EXIT_CPUID], 1);
}

/* Each thing the full path would have done takes the exit there, with nothing changed. */
static void assert_declined(struct vcpu_fast_exit f)
{
	uint64_t rax = v->gpr[GPR_RAX];
	uint64_t rip = f.rip;

	assert_false(vcpu_fast_cpuid(v, &f));
	assert_int_equal(v->gpr[GPR_RAX], rax);
	assert_int_equal(f.rip, rip);
	assert_int_equal(v->exits_total, 0);
}

static void test_declines_when_not_quiet(void **state)
{
	struct vcpu_fast_exit f = reported();

	(void)state;
	/* A single step: its trap is delivered by the full path. */
	vcpu_fast_prepare(v);
	f.rflags |= ARCH_TF;
	assert_declined(f);
	/* An NMI or a kick reached the hypervisor's IDT since the entry: its handler cleared
	 * the flag it was given. */
	assert_ptr_equal(nmi_clears, &v->fast_ready);
	*nmi_clears = false;
	assert_declined(reported());
	/* One that came before the entry and still waits for the full path. */
	events = true;
	vcpu_fast_prepare(v);
	assert_false(v->fast_ready);
	assert_declined(reported());
	events = false;
	vcpu_fast_prepare(v);
	/* RIP would pass 4 GiB: the code size decides whether it wraps. */
	f = reported();
	f.rip = BELOW_4G;
	assert_declined(f);
	/* A latched NMI waits for nmi_before_entry. */
	v->nmi.pending = true;
	vcpu_fast_prepare(v);
	assert_false(v->fast_ready);
	assert_declined(reported());
}

static void test_debug_layer_decides(void **state)
{
	(void)state;
	/* A debugger slot in use, emulated: the next entry loads debug registers. */
	assert_int_equal(dr_debugger_set(v->dr, CODE_ADDR, DR7_RW_EXEC, 0), 0);
	vcpu_fast_prepare(v);
	assert_false(v->fast_ready);
	assert_int_equal(dr_debugger_clear(v->dr, CODE_ADDR, DR7_RW_EXEC, DR7_LEN_1), 0);
	vcpu_fast_prepare(v);
	assert_true(v->fast_ready);
	/* The guest's own DRs live in the CPU: nothing to load or save around a null exit. */
	v->dr->guest.dr7 = ARCH_DR7_L0;
	v->dr_live = true;
	vcpu_fast_prepare(v);
	assert_true(v->fast_ready);
	/* The host-DR self-test takes them back after every exit. */
	v->host_drs = true;
	vcpu_fast_prepare(v);
	assert_false(v->fast_ready);
}

/* What gdb and the nested-page layer need from the next exits keeps them on the full path. */
static void test_debugger_decides(void **state)
{
	static struct vcpu_gdb g;
	static struct vcpu_npt n;

	(void)state;
	memset(&g, 0, sizeof(g));
	memset(&n, 0, sizeof(n));
	v->gdb = &g; /* attached, the guest running, nothing asked for */
	vcpu_fast_prepare(v);
	assert_true(v->fast_ready);
	g.catches.count = 1; /* a catchpoint looks at every exit */
	vcpu_fast_prepare(v);
	assert_false(v->fast_ready);
	g.catches.count = 0;
	g.poll_every = 256; /* no timer, no watcher: the line is polled by exit count */
	vcpu_fast_prepare(v);
	assert_false(v->fast_ready);
	g.poll_every = 0;
	g.stepping = true;
	vcpu_fast_prepare(v);
	assert_false(v->fast_ready);
	g.stepping = false;
	g.stop_pending = true;
	vcpu_fast_prepare(v);
	assert_false(v->fast_ready);
	g.stop_pending = false;
	v->npt = &n;
	n.stepping = true; /* a nested-page step ends at the next exit's full path */
	vcpu_fast_prepare(v);
	assert_false(v->fast_ready);
	n.stepping = false;
	vcpu_fast_prepare(v);
	assert_true(v->fast_ready);
	v->gdb = NULL;
	v->npt = NULL;
}

/* Without a reported length, only a cached decode of the same bytes at the same place. */
static void test_length_from_the_cache(void **state)
{
	struct vcpu_exit e = {.kind = EXIT_CPUID, .raw_name = "test"};
	struct vcpu_fast_exit f = {.rip = CODE_ADDR, .rflags = RFLAGS_FIXED1};
	struct vcpu_segment cs;

	(void)state;
	v->ops->get_seg(v, SEG_CS, &cs);
	f.cr0 = vcpu_get(v, REG_CR0);
	f.efer = vcpu_get(v, REG_EFER);
	f.cr3 = vcpu_get(v, REG_CR3);
	f.cs_base = cs.base;
	f.cs_attr = cs.attr;
	vcpu_fast_prepare(v);
	assert_declined(f); /* never decoded here: the full path decodes */
	fv.b.regs[REG_RIP] = CODE_ADDR;
	assert_int_equal(vcpu_exit_insn_len(v, &e), CPUID_LEN);
	assert_true(vcpu_fast_cpuid(v, &f));
	assert_int_equal(f.rip, CODE_ADDR + CPUID_LEN);
	/* The guest rewrites the instruction: the bytes differ, decode again. */
	fake_mem_put(CODE_ADDR, (const uint8_t[]){0x90, 0x90}, CPUID_LEN);
	f.rip = CODE_ADDR;
	assert_false(vcpu_fast_cpuid(v, &f));
}

/* The fast path skips the view (and VT-x the CR4 reads) for leaves it says do not need them:
 * over every leaf near the ranges guests use, the view changes nothing there. */
static void test_view_shortcuts_match_the_view(void **state)
{
	static const uint32_t bases[] = {0, CPUID_HV_BASE - 8, CPUID_HV_LAST - 8, 0x80000000u};
	static const uint64_t cr4s[] = {0, ~0ull};
	static const uint32_t fills[] = {0, ~0u};

	(void)state;
	for (unsigned b = 0; b < sizeof(bases) / sizeof(bases[0]); b++)
		for (uint32_t leaf = bases[b]; leaf < bases[b] + 0x40; leaf++)
			for (unsigned i = 0; i < 2; i++) {
				struct cpuid_regs r = {fills[i], fills[i], fills[i], fills[i]};
				struct cpuid_regs other = r;
				const struct cpuid_regs host = r;

				cpuid_guest_view(leaf, 0, cr4s[0], &r);
				cpuid_guest_view(leaf, 0, cr4s[1], &other);
				if (!cpuid_view_rewrites(leaf))
					assert_memory_equal(&r, &host, sizeof(r));
				if (!cpuid_view_uses_cr4(leaf))
					assert_memory_equal(&r, &other, sizeof(r));
			}
	/* And the shortcuts do name the leaves that change. */
	assert_true(cpuid_view_rewrites(CPUID_HV_BASE) && cpuid_view_uses_cr4(CPUID_LEAF_FEATURES));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_completes_when_quiet, setup),
	    cmocka_unit_test_setup(test_declines_when_not_quiet, setup),
	    cmocka_unit_test_setup(test_debug_layer_decides, setup),
	    cmocka_unit_test_setup(test_debugger_decides, setup),
	    cmocka_unit_test_setup(test_length_from_the_cache, setup),
	    cmocka_unit_test(test_view_shortcuts_match_the_view),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
