/* test_ioapic.c - cmocka tests: the guest's I/O APIC accesses with one entry kept by dbgvisor. */
#include "fake_vcpu.h"

#include "core/apic_guard.h"

/* 82093AA datasheet, 3.0: IOREGSEL at 0x00, IOWIN at 0x10; redirection entry n at 0x10 + 2n. */
#define ARCH_IOAPIC    0xfec00000ull
#define ARCH_REGSEL    0x00
#define ARCH_WINDOW    0x10
#define ARCH_EOI       0x40
#define ARCH_REDTBL(n) (0x10u + 2u * (n))
#define ARCH_MASKED    0x10000u
#define ARCH_NMI_EDGE  0x400u
#define OWNED_PIN      3
#define OTHER_PIN      4
#define REGS	       0x100
#define MOV_LEN	       2
#define MOV_IMM_LEN    6

/* A fake I/O APIC: an index register and 256 registers behind the window. */
static uint32_t regs[REGS], regsel, writes, eoi;

static uint32_t hw_read(uint64_t gpa)
{
	if (gpa == ARCH_IOAPIC + ARCH_REGSEL)
		return regsel;
	assert_int_equal(gpa, ARCH_IOAPIC + ARCH_WINDOW);
	return regs[regsel % REGS];
}

static void hw_write(uint64_t gpa, uint32_t val)
{
	writes++;
	if (gpa == ARCH_IOAPIC + ARCH_REGSEL)
		regsel = val;
	else if (gpa == ARCH_IOAPIC + ARCH_EOI)
		eoi = val;
	else {
		assert_int_equal(gpa, ARCH_IOAPIC + ARCH_WINDOW);
		regs[regsel % REGS] = val;
	}
}

static const struct ioapic_hw hw = {hw_read, hw_write};
static struct vcpu_ioapic g;
static struct fake_vcpu fv;
static struct vcpu_host host;

static int setup(void **state)
{
	(void)state;
	memset(regs, 0, sizeof(regs));
	regsel = writes = eoi = 0;
	regs[ARCH_REDTBL(OWNED_PIN)] = ARCH_NMI_EDGE; /* dbgvisor's routing */
	g = (struct vcpu_ioapic){.base = ARCH_IOAPIC, .pin = OWNED_PIN, .shadow = {ARCH_MASKED, 0}};
	fake_vcpu_init(&fv, false, 0);
	fv.v.ioapic = g;
	host = *fv.v.host;
	host.mmio_read32 = hw_read;
	host.mmio_write32 = hw_write;
	fv.v.host = &host;
	return 0;
}

static uint32_t guest_read(unsigned reg)
{
	ioapic_guard_access(&g, &hw, ARCH_REGSEL, true, reg);
	return ioapic_guard_access(&g, &hw, ARCH_WINDOW, false, 0);
}

static void guest_write(unsigned reg, uint32_t val)
{
	ioapic_guard_access(&g, &hw, ARCH_REGSEL, true, reg);
	ioapic_guard_access(&g, &hw, ARCH_WINDOW, true, val);
}

static void test_owned_entry_is_a_shadow(void **state)
{
	(void)state;
	assert_int_equal(guest_read(ARCH_REDTBL(OWNED_PIN)), ARCH_MASKED);
	guest_write(ARCH_REDTBL(OWNED_PIN), 0x31);
	guest_write(ARCH_REDTBL(OWNED_PIN) + 1, 0x01000000);
	assert_int_equal(guest_read(ARCH_REDTBL(OWNED_PIN)), 0x31);
	assert_int_equal(guest_read(ARCH_REDTBL(OWNED_PIN) + 1), 0x01000000);
	/* The real entry keeps dbgvisor's NMI; nothing reached the hardware. */
	assert_int_equal(regs[ARCH_REDTBL(OWNED_PIN)], ARCH_NMI_EDGE);
	assert_int_equal(regs[ARCH_REDTBL(OWNED_PIN) + 1], 0);
	assert_int_equal(writes, 0);
	/* The guest's index register reads back as it wrote it. */
	assert_int_equal(ioapic_guard_access(&g, &hw, ARCH_REGSEL, false, 0),
			 ARCH_REDTBL(OWNED_PIN) + 1);
}

static void test_other_entries_pass_through(void **state)
{
	(void)state;
	guest_write(ARCH_REDTBL(OTHER_PIN), 0x41);
	assert_int_equal(regs[ARCH_REDTBL(OTHER_PIN)], 0x41);
	regs[1] = 0x00170020; /* version: 24 entries, version 0x20 */
	assert_int_equal(guest_read(1), 0x00170020);
	/* The EOI register (version 0x20) is written through. */
	ioapic_guard_access(&g, &hw, ARCH_EOI, true, 0x41);
	assert_int_equal(eoi, 0x41);
	/* Pins beyond ours and below it are the guest's too. */
	guest_write(ARCH_REDTBL(OWNED_PIN) - 1, 0x55);
	assert_int_equal(regs[ARCH_REDTBL(OWNED_PIN) - 1], 0x55);
}

/* MOV through the nested page fault: [EBX] is the register, EAX/ECX the data. */
static enum exit_result npf(const uint8_t *code, size_t len, unsigned offset)
{
	struct vcpu_exit e = {.kind = EXIT_NPF};

	memcpy(&fake_host.mem[FAKE_DEFAULT_RIP], code, len);
	fv.b.regs[REG_RIP] = FAKE_DEFAULT_RIP;
	fv.v.gpr[GPR_RBX] = ARCH_IOAPIC + offset;
	e.npf.gpa = ARCH_IOAPIC + offset;
	return ioapic_guard_npf(&fv.v, &e);
}

static void test_npf_emulates_mov(void **state)
{
	static const uint8_t store[] = {0x89, 0x03};			/* mov [ebx], eax */
	static const uint8_t load[] = {0x8b, 0x0b};			/* mov ecx, [ebx] */
	static const uint8_t store_imm[] = {0xc7, 0x03, 0x10, 0, 0, 0}; /* mov dword [ebx], 0x10 */
	static const uint8_t store16[] = {0x66, 0x89, 0x03};		/* mov [ebx], ax */

	(void)state;
	fv.v.gpr[GPR_RAX] = ARCH_REDTBL(OWNED_PIN);
	assert_int_equal(npf(store, sizeof(store), ARCH_REGSEL), EXIT_RESUME);
	assert_int_equal(fv.b.regs[REG_RIP], FAKE_DEFAULT_RIP + MOV_LEN);
	fv.v.gpr[GPR_RCX] = 0xdeadbeefcafef00dull;
	assert_int_equal(npf(load, sizeof(load), ARCH_WINDOW), EXIT_RESUME);
	assert_int_equal(fv.v.gpr[GPR_RCX], ARCH_MASKED); /* zero-extended, the shadow */
	assert_int_equal(npf(store_imm, sizeof(store_imm), ARCH_REGSEL), EXIT_RESUME);
	assert_int_equal(fv.b.regs[REG_RIP], FAKE_DEFAULT_RIP + MOV_IMM_LEN);
	assert_int_equal(fv.v.ioapic.sel, ARCH_REDTBL(0));
	assert_int_equal(npf(store16, sizeof(store16), ARCH_REGSEL), EXIT_STOP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_owned_entry_is_a_shadow, setup),
	    cmocka_unit_test_setup(test_other_entries_pass_through, setup),
	    cmocka_unit_test_setup(test_npf_emulates_mov, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
