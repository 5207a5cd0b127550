/* test_nmi.c - cmocka tests: the guest's NMIs latched, delivered once, blocked until IRET. */
#include "fake_vcpu.h"

#include "core/apic_guard.h"
#include "core/exit.h"

/* Architectural values from the manuals (SDM vol. 3A, 11.6.1: the ICR; 6.7.1: NMI handling). */
#define ARCH_ICR_FIXED	    0x000u
#define ARCH_ICR_NMI	    0x400u
#define ARCH_ICR_INIT	    0x500u
#define ARCH_ICR_LOGICAL    0x800u
#define ARCH_ICR_SELF	    0x40000u
#define ARCH_ICR_ALL_BUT_ME 0xc0000u
#define ARCH_ICR_ASSERT	    0x4000u
#define ARCH_VEC_NMI	    2
#define ARCH_VEC_DB	    1
#define ARCH_DR6_BS	    (1ull << 14)
#define ARCH_DR6_B0	    (1ull << 0)
#define ARCH_RFLAGS_TF	    (1ull << 8)
#define ARCH_LAPIC	    0xfee00000ull
#define ARCH_ICR_LOW	    0x300
#define ARCH_ICR_HIGH	    0x310
#define SELF_ID		    3
#define OTHER_ID	    1
#define XAPIC_DEST(id)	    ((uint32_t)(id) << 24)
#define IRET_RIP	    0x2000
#define GUEST_DR6	    0xffff0ff1ull
#define MOV_EBX_EAX_LEN	    2

static struct fake_vcpu fv;
static struct vcpu_ops ops;
static struct vcpu_host host;
static unsigned host_nmi_count;
static bool queued, iret_intercept, window_open;

static unsigned host_nmis(void)
{
	unsigned n = host_nmi_count;

	host_nmi_count = 0;
	return n;
}
static bool event_queued(struct vcpu *v)
{
	(void)v;
	return queued;
}
static void set_iret_intercept(struct vcpu *v, bool on)
{
	(void)v;
	iret_intercept = on;
}
static bool nmi_window_open(struct vcpu *v)
{
	(void)v;
	return window_open;
}

static int setup_svm(void **state)
{
	(void)state;
	fake_vcpu_init(&fv, true, 0);
	ops = *fv.v.ops;
	ops.event_queued = event_queued;
	ops.set_iret_intercept = set_iret_intercept;
	fv.v.ops = &ops;
	host = *fv.v.host;
	host.host_nmis = host_nmis;
	fv.v.host = &host;
	host_nmi_count = 0;
	queued = iret_intercept = window_open = false;
	return 0;
}

static int setup_vmx(void **state)
{
	setup_svm(state);
	ops.set_iret_intercept = NULL;
	ops.nmi_window_open = nmi_window_open;
	return 0;
}

static unsigned nmis_injected(void)
{
	unsigned n = 0;

	for (unsigned i = 0; i < fv.b.nevents; i++)
		n += fv.b.events[i].type == EVENT_NMI && fv.b.events[i].vector == ARCH_VEC_NMI;
	return n;
}

/* An NMI exit: the NMI shows up in the host IDT too (its tail), and goes in once. */
static void guest_nmi_exit(void)
{
	host_nmi_count++;
	nmi_exit(&fv.v);
}

static void test_icr_rules(void **state)
{
	(void)state;
	assert_true(apic_icr_allowed(ARCH_ICR_NMI | ARCH_ICR_SELF | ARCH_ICR_ASSERT, 0, SELF_ID));
	assert_true(apic_icr_allowed(ARCH_ICR_NMI | ARCH_ICR_ASSERT, SELF_ID, SELF_ID));
	assert_false(apic_icr_allowed(ARCH_ICR_NMI | ARCH_ICR_ASSERT, OTHER_ID, SELF_ID));
	assert_false(apic_icr_allowed(ARCH_ICR_NMI | ARCH_ICR_LOGICAL, SELF_ID, SELF_ID));
	assert_false(apic_icr_allowed(ARCH_ICR_NMI | ARCH_ICR_ALL_BUT_ME, SELF_ID, SELF_ID));
	assert_false(apic_icr_allowed(ARCH_ICR_INIT | ARCH_ICR_ASSERT, OTHER_ID, SELF_ID));
	assert_true(apic_icr_allowed(ARCH_ICR_FIXED | ARCH_ICR_ALL_BUT_ME | 0x40, 0, SELF_ID));
}

/* MOV [EBX], EAX at RIP, writing @val to the guarded local APIC register @reg. */
static enum exit_result lapic_write(unsigned reg, uint32_t val)
{
	static const uint8_t mov_ebx_eax[] = {0x89, 0x03};
	struct vcpu_exit e = {.kind = EXIT_NPF};

	memcpy(&fake_host.mem[FAKE_DEFAULT_RIP], mov_ebx_eax, sizeof(mov_ebx_eax));
	fv.b.regs[REG_RIP] = FAKE_DEFAULT_RIP;
	fv.v.gpr[GPR_RAX] = val;
	fv.v.gpr[GPR_RBX] = ARCH_LAPIC + reg;
	e.npf.gpa = ARCH_LAPIC + reg;
	e.npf.write = true;
	return apic_guard_write(&fv.v, &e);
}

static void test_guarded_icr_own_id(void **state)
{
	(void)state;
	fv.v.lapic_base = ARCH_LAPIC;
	fv.v.apic_id = SELF_ID;
	assert_int_equal(lapic_write(ARCH_ICR_HIGH, XAPIC_DEST(SELF_ID)), EXIT_RESUME);
	assert_int_equal(lapic_write(ARCH_ICR_LOW, ARCH_ICR_NMI | ARCH_ICR_ASSERT), EXIT_RESUME);
	assert_int_equal(fake_host.mmio_writes, 2);
	assert_int_equal(fake_host.mmio_last_gpa, ARCH_LAPIC + ARCH_ICR_LOW);
	assert_int_equal(fv.v.ipis_refused, 0);
	assert_int_equal(fv.b.regs[REG_RIP], FAKE_DEFAULT_RIP + MOV_EBX_EAX_LEN);
	/* Another CPU's ID: dropped and counted. */
	lapic_write(ARCH_ICR_HIGH, XAPIC_DEST(OTHER_ID));
	lapic_write(ARCH_ICR_LOW, ARCH_ICR_NMI | ARCH_ICR_ASSERT);
	assert_int_equal(fake_host.mmio_writes, 3);
	assert_int_equal(fv.v.ipis_refused, 1);
}

static void test_x2apic_icr_own_id(void **state)
{
	(void)state;
	fv.v.lapic_base = ARCH_LAPIC; /* the guard is on: ICR writes exit */
	fv.v.apic_id = SELF_ID;
	assert_int_equal(msr_virt_write(&fv.v, MSR_X2APIC_ICR,
					(uint64_t)SELF_ID << 32 | ARCH_ICR_NMI | ARCH_ICR_ASSERT),
			 MSR_DONE);
	assert_int_equal(fake_host.wrmsrs, 1);
	msr_virt_write(&fv.v, MSR_X2APIC_ICR, (uint64_t)OTHER_ID << 32 | ARCH_ICR_NMI);
	assert_int_equal(fake_host.wrmsrs, 1);
	assert_int_equal(fv.v.ipis_refused, 1);
}

static void test_exit_nmi_injected_once(void **state)
{
	(void)state;
	guest_nmi_exit();
	nmi_before_entry(&fv.v);
	assert_int_equal(nmis_injected(), 1);
	assert_true(iret_intercept);
	/* The next entries deliver nothing more: the tail was the same NMI. */
	nmi_before_entry(&fv.v);
	assert_int_equal(nmis_injected(), 1);
}

static void test_host_nmi_injected(void **state)
{
	(void)state;
	/* A self-NMI the hypervisor forwarded lands in its own IDT: it is the guest's. */
	host_nmi_count = 1;
	nmi_before_entry(&fv.v);
	assert_int_equal(nmis_injected(), 1);
}

static void test_blocked_until_iret(void **state)
{
	(void)state;
	guest_nmi_exit();
	nmi_before_entry(&fv.v);
	/* A second one while the handler runs, and a third: one latches, none goes in. */
	guest_nmi_exit();
	nmi_before_entry(&fv.v);
	guest_nmi_exit();
	nmi_before_entry(&fv.v);
	assert_int_equal(nmis_injected(), 1);
	/* The handler's IRET exits before it runs: trap right after it, then deliver. */
	fv.b.regs[REG_RIP] = IRET_RIP;
	fv.b.regs[REG_DR6] = GUEST_DR6;
	assert_int_equal(nmi_iret_exit(&fv.v), EXIT_RESUME);
	assert_false(iret_intercept);
	nmi_before_entry(&fv.v);
	assert_int_equal(nmis_injected(), 1);
	assert_true(fv.b.regs[REG_RFLAGS] & ARCH_RFLAGS_TF);
	fv.b.regs[REG_RIP] = IRET_RIP + 0x100;
	fv.b.regs[REG_DR6] = GUEST_DR6 | ARCH_DR6_BS;
	struct vcpu_exit db = {.kind = EXIT_EXCEPTION};
	db.exc.vector = ARCH_VEC_DB;
	db.exc.dr6_pending = ARCH_DR6_BS;
	assert_true(nmi_db(&fv.v, &db));
	assert_int_equal(fv.b.regs[REG_DR6], GUEST_DR6);
	nmi_before_entry(&fv.v);
	assert_int_equal(nmis_injected(), 2);
	assert_true(iret_intercept);
	/* Not stepping any more: a later #DB is the guest's. */
	assert_false(nmi_db(&fv.v, &db));
}

static void test_step_with_guest_hit_not_swallowed(void **state)
{
	(void)state;
	guest_nmi_exit();
	nmi_before_entry(&fv.v);
	guest_nmi_exit();
	fv.b.regs[REG_RIP] = IRET_RIP;
	nmi_iret_exit(&fv.v);
	nmi_before_entry(&fv.v);
	struct vcpu_exit db = {.kind = EXIT_EXCEPTION};
	db.exc.vector = ARCH_VEC_DB;
	db.exc.dr6_pending = ARCH_DR6_BS | ARCH_DR6_B0;
	assert_false(nmi_db(&fv.v, &db));
	nmi_before_entry(&fv.v);
	assert_int_equal(nmis_injected(), 2);
}

static void test_iret_ran_unblocks(void **state)
{
	(void)state;
	guest_nmi_exit();
	nmi_before_entry(&fv.v);
	fv.b.regs[REG_RIP] = IRET_RIP;
	nmi_iret_exit(&fv.v);
	nmi_before_entry(&fv.v);
	assert_false(fv.b.regs[REG_RFLAGS] & ARCH_RFLAGS_TF);
	/* The IRET ran (RIP moved): the next NMI goes straight in. */
	fv.b.regs[REG_RIP] = IRET_RIP + 0x40;
	guest_nmi_exit();
	nmi_before_entry(&fv.v);
	assert_int_equal(nmis_injected(), 2);
}

static void test_queued_event_defers(void **state)
{
	(void)state;
	queued = true;
	guest_nmi_exit();
	nmi_before_entry(&fv.v);
	assert_int_equal(nmis_injected(), 0);
	queued = false;
	nmi_before_entry(&fv.v);
	assert_int_equal(nmis_injected(), 1);
}

static void test_vmx_window(void **state)
{
	(void)state;
	host_nmi_count = 1;
	nmi_before_entry(&fv.v);
	assert_int_equal(nmis_injected(), 0);
	window_open = true;
	nmi_before_entry(&fv.v);
	assert_int_equal(nmis_injected(), 1);
	nmi_before_entry(&fv.v);
	assert_int_equal(nmis_injected(), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_icr_rules, setup_svm),
	    cmocka_unit_test_setup(test_guarded_icr_own_id, setup_svm),
	    cmocka_unit_test_setup(test_x2apic_icr_own_id, setup_svm),
	    cmocka_unit_test_setup(test_exit_nmi_injected_once, setup_svm),
	    cmocka_unit_test_setup(test_host_nmi_injected, setup_svm),
	    cmocka_unit_test_setup(test_blocked_until_iret, setup_svm),
	    cmocka_unit_test_setup(test_step_with_guest_hit_not_swallowed, setup_svm),
	    cmocka_unit_test_setup(test_iret_ran_unblocks, setup_svm),
	    cmocka_unit_test_setup(test_queued_event_defers, setup_svm),
	    cmocka_unit_test_setup(test_vmx_window, setup_vmx),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
