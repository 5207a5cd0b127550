/* test_insn_cache.c - cmocka tests for the cached length of exiting instructions
 * (core/vcpu_util.c). */
#include "fake_vcpu.h"

#include "core/exit.h"
#include "core/vcpu_util.h"

#define CODE_ADDR    0x2000ull
#define OTHER_ADDR   0x2800ull
#define PAGE_END     0x3000ull
#define TABLES	     0x10000ull
#define TABLES_OTHER 0x20000ull
#define CPUID_LEN    2 /* 0F A2 */
#define PREFIXED_LEN 3 /* 66 0F A2: an operand-size prefix, ignored by CPUID */
#define REPEATS	     5

static const uint8_t cpuid[] = {0x0f, 0xa2};
static const uint8_t prefixed[] = {0x66, 0x0f, 0xa2};

static struct fake_vcpu fv;
static struct vcpu *const v = &fv.v;

static int setup(void **state)
{
	(void)state;
	fake_vcpu_init(&fv, true, 0);
	fv.b.regs[REG_RIP] = CODE_ADDR;
	fake_mem_put(CODE_ADDR, cpuid, sizeof(cpuid));
	return 0;
}

/* One CPUID exit at @rip without a length from the CPU: how far RIP advanced. */
static uint64_t cpuid_exit_at(uint64_t rip)
{
	struct vcpu_exit e = {.kind = EXIT_CPUID, .raw_name = "test"};

	fv.b.regs[REG_RIP] = rip;
	assert_int_equal(exit_dispatch(v, &e), EXIT_RESUME);
	return fv.b.regs[REG_RIP] - rip;
}

static void test_same_place_hits(void **state)
{
	(void)state;
	assert_int_equal(cpuid_exit_at(CODE_ADDR), CPUID_LEN);
	assert_int_equal(v->insn_cache.misses, 1);
	for (unsigned i = 0; i < REPEATS; i++)
		assert_int_equal(cpuid_exit_at(CODE_ADDR), CPUID_LEN);
	assert_int_equal(v->insn_cache.hits, REPEATS);
	assert_int_equal(v->insn_cache.misses, 1);
}

static void test_reported_length_bypasses_cache(void **state)
{
	struct vcpu_exit e = {.kind = EXIT_CPUID, .insn_len = PREFIXED_LEN};

	(void)state;
	assert_int_equal(vcpu_exit_insn_len(v, &e), PREFIXED_LEN);
	assert_int_equal(v->insn_cache.hits + v->insn_cache.misses, 0);
}

static void test_code_rewritten_in_place(void **state)
{
	(void)state;
	assert_int_equal(cpuid_exit_at(CODE_ADDR), CPUID_LEN);
	/* The guest patches its code (or gdb plants bytes): the next exit decodes again. */
	fake_mem_put(CODE_ADDR, prefixed, sizeof(prefixed));
	assert_int_equal(cpuid_exit_at(CODE_ADDR), PREFIXED_LEN);
	assert_int_equal(v->insn_cache.misses, 2);
	assert_int_equal(cpuid_exit_at(CODE_ADDR), PREFIXED_LEN);
	assert_int_equal(v->insn_cache.hits, 1);
}

static void test_other_rip_misses(void **state)
{
	(void)state;
	fake_mem_put(OTHER_ADDR, prefixed, sizeof(prefixed));
	assert_int_equal(cpuid_exit_at(CODE_ADDR), CPUID_LEN);
	assert_int_equal(cpuid_exit_at(OTHER_ADDR), PREFIXED_LEN);
	assert_int_equal(cpuid_exit_at(CODE_ADDR), CPUID_LEN);
	assert_int_equal(v->insn_cache.hits, 0);
}

static void test_cs_base_is_part_of_the_place(void **state)
{
	(void)state;
	fake_mem_put(CODE_ADDR + OTHER_ADDR, prefixed, sizeof(prefixed));
	assert_int_equal(cpuid_exit_at(CODE_ADDR), CPUID_LEN);
	/* Same RIP, another code segment base: another linear address, another instruction. */
	fv.b.segs[SEG_CS].base = OTHER_ADDR;
	assert_int_equal(cpuid_exit_at(CODE_ADDR), PREFIXED_LEN);
	assert_int_equal(v->insn_cache.hits, 0);
}

/* Another address space (CR3) maps the same linear address to other code: decoded again. */
static void test_cr3_switch_misses(void **state)
{
	(void)state;
	fake_mode_long64(&fv);
	fake_map_identity64(&fv, TABLES);
	assert_int_equal(cpuid_exit_at(CODE_ADDR), CPUID_LEN);
	assert_int_equal(cpuid_exit_at(CODE_ADDR), CPUID_LEN);
	assert_int_equal(v->insn_cache.hits, 1);
	/* Same tables elsewhere: CR3 differs, so the place is not the same. */
	fake_map_identity64(&fv, TABLES_OTHER);
	assert_int_equal(cpuid_exit_at(CODE_ADDR), CPUID_LEN);
	assert_int_equal(v->insn_cache.misses, 2);
}

static void test_exit_kind_is_part_of_the_key(void **state)
{
	struct vcpu_exit rdmsr = {.kind = EXIT_MSR_READ};

	(void)state;
	assert_int_equal(cpuid_exit_at(CODE_ADDR), CPUID_LEN);
	fv.b.regs[REG_RIP] = CODE_ADDR;
	assert_int_equal(vcpu_exit_insn_len(v, &rdmsr), CPUID_LEN);
	assert_int_equal(v->insn_cache.misses, 2);
}

/* An instruction across a page boundary has two frames: never cached. */
static void test_page_crossing_not_cached(void **state)
{
	(void)state;
	fake_mem_put(PAGE_END - 1, prefixed, sizeof(prefixed));
	assert_int_equal(cpuid_exit_at(PAGE_END - 1), PREFIXED_LEN);
	assert_false(v->insn_cache.valid);
	assert_int_equal(cpuid_exit_at(PAGE_END - 1), PREFIXED_LEN);
	assert_int_equal(v->insn_cache.hits, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_same_place_hits, setup),
	    cmocka_unit_test_setup(test_reported_length_bypasses_cache, setup),
	    cmocka_unit_test_setup(test_code_rewritten_in_place, setup),
	    cmocka_unit_test_setup(test_other_rip_misses, setup),
	    cmocka_unit_test_setup(test_cs_base_is_part_of_the_place, setup),
	    cmocka_unit_test_setup(test_cr3_switch_misses, setup),
	    cmocka_unit_test_setup(test_exit_kind_is_part_of_the_key, setup),
	    cmocka_unit_test_setup(test_page_crossing_not_cached, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
