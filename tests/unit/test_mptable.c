/* test_mptable.c - cmocka tests for finding and patching the Intel MP table (guest/mptable.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "guest/acpi.h"

/* MP spec 1.4, written out independently: floating pointer (4.1), table header (4.2). */
#define MEM_SIZE 0x100000u
#define FP_AT	 0xF5B40u
#define CFG_AT	 0xF5B50u
#define EBDA_SEG 0x9FC0u

static uint8_t *mem;

static void *map(uint64_t gpa, size_t len, void *ctx)
{
	(void)ctx;
	return gpa + len <= MEM_SIZE ? mem + gpa : NULL;
}

static uint8_t sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s = (uint8_t)(s + *p++);
	return s;
}

/* A table: header, 3 processors (APIC IDs 0 BSP, 1, 2 with 2 already disabled), a bus. */
static uint32_t build(uint64_t at)
{
	uint8_t *t = mem + at, *e = t + 44;
	const uint8_t ids[] = {0, 1, 2}, flags[] = {3, 1, 0};

	memset(t, 0, 0x100);
	memcpy(t, "PCMP", 4);
	t[6] = 4;
	memcpy(t + 8, "DBGVSR  ", 8);
	for (unsigned i = 0; i < 3; i++, e += 20) {
		e[0] = 0;
		e[1] = ids[i];
		e[2] = 0x14;
		e[3] = flags[i];
	}
	e[0] = 1; /* bus entry, 8 bytes */
	e += 8;
	t[34] = 4; /* entry count */
	t[4] = (uint8_t)(e - t);
	t[7] = (uint8_t)(0x100 - sum(t, (size_t)(e - t)));
	return (uint32_t)(e - t);
}

static void floating_pointer(uint64_t at, uint32_t cfg)
{
	uint8_t *p = mem + at;

	memset(p, 0, 16);
	memcpy(p, "_MP_", 4);
	memcpy(p + 4, &cfg, 4);
	p[8] = 1;
	p[9] = 4;
	p[10] = (uint8_t)(0x100 - sum(p, 16));
}

static int setup(void **state)
{
	(void)state;
	mem = calloc(1, MEM_SIZE);
	assert_non_null(mem);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(mem);
	return 0;
}

static void test_find_in_rom_and_ebda(void **state)
{
	uint64_t cfg = 0;
	uint32_t len = 0, want = build(CFG_AT);

	(void)state;
	assert_int_equal(mptable_find(map, NULL, &cfg, &len), ACPI_E_NOT_FOUND);
	floating_pointer(FP_AT, CFG_AT);
	assert_int_equal(mptable_find(map, NULL, &cfg, &len), ACPI_OK);
	assert_int_equal(cfg, CFG_AT);
	assert_int_equal(len, want);
	/* The EBDA's first KiB is searched first. */
	mem[0x40E] = EBDA_SEG & 0xff;
	mem[0x40F] = EBDA_SEG >> 8;
	build(0x9F000);
	floating_pointer((uint64_t)EBDA_SEG * 16 + 0x20, 0x9F000);
	assert_int_equal(mptable_find(map, NULL, &cfg, &len), ACPI_OK);
	assert_int_equal(cfg, 0x9F000);
	/* A bad checksum is no floating pointer; a default configuration has no table. */
	mem[EBDA_SEG * 16 + 0x20 + 10]++;
	assert_int_equal(mptable_find(map, NULL, &cfg, &len), ACPI_OK);
	assert_int_equal(cfg, CFG_AT);
	mem[FP_AT + 11] = 5;
	mem[FP_AT + 10] = (uint8_t)(mem[FP_AT + 10] - 5);
	assert_int_equal(mptable_find(map, NULL, &cfg, &len), ACPI_E_NOT_FOUND);
	assert_int_equal(mptable_find(NULL, NULL, &cfg, &len), ACPI_E_NOT_FOUND);
}

static void test_disable_aps(void **state)
{
	uint32_t len = build(CFG_AT);
	uint8_t *t = mem + CFG_AT;
	unsigned n = 99;

	(void)state;
	assert_int_equal(mptable_disable_aps(t, len, 0, &n), ACPI_OK);
	assert_int_equal(n, 1);		     /* APIC ID 1; ID 2 was disabled already */
	assert_int_equal(t[44 + 3], 3);	     /* the BSP keeps EN and BP */
	assert_int_equal(t[44 + 20 + 3], 0); /* EN cleared */
	assert_int_equal(t[44 + 40 + 3], 0); /* untouched */
	assert_int_equal(t[44 + 60], 1);     /* the bus entry is left alone */
	assert_int_equal(sum(t, len), 0);    /* checksum fixed */
	assert_int_equal(mptable_disable_aps(t, len, 0, &n), ACPI_OK); /* idempotent */
	assert_int_equal(n, 0);
}

static void test_refuses_bad_tables(void **state)
{
	uint32_t len = build(CFG_AT);
	uint8_t *t = mem + CFG_AT, saved[0x100];
	unsigned n;

	(void)state;
	memcpy(saved, t, sizeof(saved));
	assert_int_equal(mptable_disable_aps(t, len, 7, &n), ACPI_E_NO_BSP);
	assert_memory_equal(t, saved, len); /* nothing written */
	t[44 + 3] = 1;
	assert_int_equal(mptable_disable_aps(t, len, 0, &n), ACPI_E_CHECKSUM);
	memcpy(t, saved, sizeof(saved));
	assert_int_equal(mptable_disable_aps(t, len - 1, 0, &n), ACPI_E_MALFORMED);
	assert_int_equal(mptable_disable_aps(t, 43, 0, &n), ACPI_E_MALFORMED);
	/* An entry count reaching past the table's length. */
	t[34] = 9;
	t[7] = (uint8_t)(t[7] - 5);
	assert_int_equal(mptable_disable_aps(t, len, 0, &n), ACPI_E_TRUNCATED);
	t[0] = 'X';
	assert_int_equal(mptable_disable_aps(t, len, 0, &n), ACPI_E_MALFORMED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_find_in_rom_and_ebda, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_disable_aps, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_refuses_bad_tables, setup, teardown),
	};

	return cmocka_run_group_tests_name("mptable", tests, NULL, NULL);
}
