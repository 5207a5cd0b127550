/* test_acpi.c - cmocka tests for RSDP discovery and MADT patching in core/acpi.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "guest/acpi.h"

/* A fake guest: low memory plus 64 KiB above 1 MiB for the tables. */
#define MEM_SIZE  0x110000u
#define RSDP_AT	  0xF5A30u
#define EBDA_SEG  0x9FC0u
#define RSDT_AT	  0x100000u
#define XSDT_AT	  0x100100u
#define FACP_AT	  0x100200u
#define MADT_AT	  0x100400u
#define HDR	  36 /* ACPI 5.2.6 table header, written out independently */
#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))

static uint8_t *mem;
static uint8_t saved[0x400];

static void *map(uint64_t gpa, size_t len, void *ctx)
{
	(void)ctx;
	if (gpa > MEM_SIZE || len > MEM_SIZE - gpa)
		return NULL;
	return mem + gpa;
}

static void put16(uint64_t gpa, uint16_t v)
{
	memcpy(mem + gpa, &v, 2);
}

static void put32(uint64_t gpa, uint32_t v)
{
	memcpy(mem + gpa, &v, 4);
}

static void put64(uint64_t gpa, uint64_t v)
{
	memcpy(mem + gpa, &v, 8);
}

static uint32_t get32(uint64_t gpa)
{
	uint32_t v;

	memcpy(&v, mem + gpa, 4);
	return v;
}

static uint8_t sum(uint64_t gpa, size_t len)
{
	uint8_t s = 0;

	for (size_t i = 0; i < len; i++)
		s = (uint8_t)(s + mem[gpa + i]);
	return s;
}

/* Make the byte at @csum so that [gpa, gpa + len) sums to zero. */
static void fix(uint64_t gpa, size_t len, uint64_t csum)
{
	mem[csum] = 0;
	mem[csum] = (uint8_t)(0x100 - sum(gpa, len));
}

static void table(uint64_t gpa, const char *sig, uint32_t len)
{
	memcpy(mem + gpa, sig, 4);
	put32(gpa + 4, len);
	mem[gpa + 8] = 1;
	memcpy(mem + gpa + 10, "DBGVSR", 6);
	fix(gpa, len, gpa + 9);
}

/* ACPI 5.2.5.3: revision 0 is ACPI 1.0 (20 bytes), revision 2 adds length/XSDT (36). */
static void rsdp(uint64_t gpa, uint8_t rev, uint32_t rsdt, uint64_t xsdt)
{
	memset(mem + gpa, 0, 36);
	memcpy(mem + gpa, "RSD PTR ", 8);
	memcpy(mem + gpa + 9, "DBGVSR", 6);
	mem[gpa + 15] = rev;
	put32(gpa + 16, rsdt);
	if (rev >= 2) {
		put32(gpa + 20, 36);
		put64(gpa + 24, xsdt);
	}
	fix(gpa, 20, gpa + 8);
	if (rev >= 2)
		fix(gpa, 36, gpa + 32);
}

/* MADT entries (5.2.12): 4 Local APICs, an I/O APIC, an override, 3 x2APICs, a LAPIC NMI. */
enum { LAPIC0 = 44, IOAPIC = LAPIC0 + 4 * 8, ISO = IOAPIC + 12, X2 = ISO + 10, NMI = X2 + 48 };
#define MADT_LEN (NMI + 6)

static void madt(uint64_t gpa)
{
	uint8_t *t = mem + gpa;

	memset(t, 0, MADT_LEN);
	put32(gpa + 36, 0xFEE00000);
	put32(gpa + 40, 1); /* PCAT_COMPAT */
	for (unsigned i = 0; i < 4; i++) {
		uint8_t *e = t + LAPIC0 + i * 8;

		e[0] = 0, e[1] = 8, e[2] = (uint8_t)i, e[3] = (uint8_t)i;
		put32(gpa + LAPIC0 + i * 8 + 4, i == 3 ? 2 : 1); /* #3 only online capable */
	}
	t[IOAPIC] = 1, t[IOAPIC + 1] = 12, t[IOAPIC + 2] = 4;
	put32(gpa + IOAPIC + 4, 0xFEC00000);
	t[ISO] = 2, t[ISO + 1] = 10, t[ISO + 3] = 0, t[ISO + 4] = 2;
	for (unsigned i = 0; i < 3; i++) {
		uint64_t e = gpa + X2 + i * 16;

		mem[e] = 9, mem[e + 1] = 16;
		put32(e + 4, 0x100 + i);
		put32(e + 8, i == 2 ? 0 : 1); /* #2 already disabled: not counted */
		put32(e + 12, 10 + i);
	}
	t[NMI] = 4, t[NMI + 1] = 6, t[NMI + 2] = 0xFF, t[NMI + 5] = 1;
	table(gpa, "APIC", MADT_LEN);
}

/* Full setup: BDA pointing at an empty EBDA, RSDP, RSDT + XSDT both listing FACP and MADT. */
static int setup(void **state)
{
	(void)state;
	mem = calloc(1, MEM_SIZE);
	assert_non_null(mem);
	put16(0x40E, EBDA_SEG);
	rsdp(RSDP_AT, 2, RSDT_AT, XSDT_AT);
	put32(RSDT_AT + HDR, FACP_AT);
	put32(RSDT_AT + HDR + 4, 0); /* null entry: skipped */
	put32(RSDT_AT + HDR + 8, MADT_AT);
	table(RSDT_AT, "RSDT", HDR + 12);
	put64(XSDT_AT + HDR, FACP_AT);
	put64(XSDT_AT + HDR + 8, 0xFFFFFFFF00000000ull); /* unbacked: skipped */
	put64(XSDT_AT + HDR + 16, MADT_AT);
	table(XSDT_AT, "XSDT", HDR + 24);
	table(FACP_AT, "FACP", 244);
	madt(MADT_AT);
	memcpy(saved, mem + MADT_AT, sizeof(saved));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(mem);
	return 0;
}

static uint64_t found(int want)
{
	uint64_t at = 0x1234;

	assert_int_equal(acpi_find_rsdp(map, NULL, &at), want);
	return want == ACPI_OK ? at : 0;
}

static void test_find_in_bios_area(void **state)
{
	(void)state;
	assert_int_equal(found(ACPI_OK), RSDP_AT);
	rsdp(RSDP_AT, 0, RSDT_AT, 0); /* ACPI 1.0 */
	assert_int_equal(found(ACPI_OK), RSDP_AT);
	memset(mem + RSDP_AT, 0, 36);
	rsdp(0xE0000, 0, RSDT_AT, 0); /* first and last slots of the area */
	assert_int_equal(found(ACPI_OK), 0xE0000);
	memset(mem + 0xE0000, 0, 36);
	rsdp(0xFFFE0, 0, RSDT_AT, 0);
	assert_int_equal(found(ACPI_OK), 0xFFFE0);
}

static void test_find_in_ebda(void **state)
{
	(void)state;
	/* The EBDA's first KiB is searched before the BIOS area. */
	rsdp(EBDA_SEG * 16 + 0x3E0, 0, RSDT_AT, 0);
	assert_int_equal(found(ACPI_OK), EBDA_SEG * 16 + 0x3E0);
	/* Past the first KiB it is not seen, nor with a bogus EBDA segment. */
	memset(mem + EBDA_SEG * 16 + 0x3E0, 0, 36);
	rsdp(EBDA_SEG * 16 + 0x400, 0, RSDT_AT, 0);
	assert_int_equal(found(ACPI_OK), RSDP_AT);
	memset(mem + RSDP_AT, 0, 36);
	assert_int_equal(found(ACPI_E_NOT_FOUND), 0);
	put16(0x40E, 0);
	rsdp(0x100, 0, RSDT_AT, 0);
	assert_int_equal(found(ACPI_E_NOT_FOUND), 0);
}

static void test_find_refuses_bad(void **state)
{
	(void)state;
	mem[RSDP_AT + 16] ^= 1; /* ACPI 1.0 checksum broken */
	assert_int_equal(found(ACPI_E_CHECKSUM), 0);
	rsdp(RSDP_AT, 2, RSDT_AT, XSDT_AT);
	mem[RSDP_AT + 28] ^= 1; /* only the extended checksum breaks */
	fix(RSDP_AT, 20, RSDP_AT + 8);
	assert_int_equal(found(ACPI_E_CHECKSUM), 0);
	/* A later good candidate still wins over an earlier corrupt one. */
	rsdp(0xFA000, 0, RSDT_AT, 0);
	assert_int_equal(found(ACPI_OK), 0xFA000);
	/* Misaligned copies are not found; a v2 length past memory is refused. */
	memset(mem + 0xE0000, 0, 0x20000);
	rsdp(0xF0008, 0, RSDT_AT, 0);
	assert_int_equal(found(ACPI_E_NOT_FOUND), 0);
	rsdp(0xF0010, 2, RSDT_AT, XSDT_AT);
	put32(0xF0010 + 20, MEM_SIZE);
	fix(0xF0010, 20, 0xF0010 + 8);
	assert_int_equal(found(ACPI_E_TRUNCATED), 0);
	put32(0xF0010 + 20, 35);
	fix(0xF0010, 20, 0xF0010 + 8);
	assert_int_equal(found(ACPI_E_MALFORMED), 0);
	assert_int_equal(acpi_find_rsdp(NULL, NULL, &(uint64_t){0}), ACPI_E_NOT_FOUND);
}

/* Run the patch and check the result: flags of every processor entry, checksum, rest intact. */
static void disable(uint32_t bsp, int want, unsigned want_dis, unsigned want_kept)
{
	unsigned dis = 99, kept = 99;

	assert_int_equal(acpi_madt_disable_aps(map, NULL, RSDP_AT, bsp, &dis, &kept), want);
	assert_int_equal(dis, want == ACPI_OK ? want_dis : 0);
	assert_int_equal(kept, want == ACPI_OK ? want_kept : 0);
}

static void expect_madt_unchanged(void)
{
	assert_memory_equal(mem + MADT_AT, saved, sizeof(saved));
}

static void test_disable_lapics(void **state)
{
	(void)state;
	disable(0, ACPI_OK, 5, 1); /* LAPIC 1, 2, 3 and x2APIC 0x100, 0x101 */
	assert_int_equal(sum(MADT_AT, MADT_LEN), 0);
	assert_int_equal(get32(MADT_AT + LAPIC0 + 4), 1);
	for (unsigned i = 1; i < 4; i++)
		assert_int_equal(get32(MADT_AT + LAPIC0 + i * 8 + 4), 0);
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(get32(MADT_AT + X2 + i * 16 + 8), 0);
	/* Everything but those flags and the checksum byte is untouched. */
	for (unsigned off = 0; off < MADT_LEN; off++) {
		bool flags =
		    (off >= LAPIC0 + 8 && off < IOAPIC && (off - LAPIC0) % 8 >= 4) ||
		    (off >= X2 && off < NMI && (off - X2) % 16 >= 8 && (off - X2) % 16 < 12);

		if (off != 9 && !flags)
			assert_int_equal(mem[MADT_AT + off], saved[off]);
	}
	/* A second pass finds nothing left to do and keeps the table valid. */
	memcpy(saved, mem + MADT_AT, sizeof(saved));
	disable(0, ACPI_OK, 0, 1);
	expect_madt_unchanged();
}

static void test_disable_bsp_not_first(void **state)
{
	(void)state;
	disable(2, ACPI_OK, 5, 1);
	assert_int_equal(sum(MADT_AT, MADT_LEN), 0);
	assert_int_equal(get32(MADT_AT + LAPIC0 + 4), 0);
	assert_int_equal(get32(MADT_AT + LAPIC0 + 2 * 8 + 4), 1);
	/* An x2APIC-only boot CPU: every Local APIC entry goes, x2APIC 0x101 stays. */
	teardown(NULL);
	setup(NULL);
	disable(0x101, ACPI_OK, 5, 1);
	assert_int_equal(get32(MADT_AT + X2 + 16 + 8), 1);
	assert_int_equal(get32(MADT_AT + X2 + 8), 0);
	assert_int_equal(sum(MADT_AT, MADT_LEN), 0);
}

static void test_root_table_choice(void **state)
{
	(void)state;
	/* Revision 2 with an XSDT: the XSDT is used even though the RSDT lacks the MADT. */
	put32(RSDT_AT + HDR + 8, FACP_AT);
	table(RSDT_AT, "RSDT", HDR + 12);
	disable(0, ACPI_OK, 5, 1);
	/* Revision 0, or revision 2 with a zero XSDT address: the RSDT, which has no MADT. */
	rsdp(RSDP_AT, 0, RSDT_AT, XSDT_AT);
	disable(0, ACPI_E_NOT_FOUND, 0, 0);
	rsdp(RSDP_AT, 2, RSDT_AT, 0);
	disable(0, ACPI_E_NOT_FOUND, 0, 0);
	put32(RSDT_AT + HDR + 4, MADT_AT);
	table(RSDT_AT, "RSDT", HDR + 12);
	disable(0, ACPI_OK, 0, 1); /* already patched above */
	/* No root table at all. */
	rsdp(RSDP_AT, 0, 0, 0);
	disable(0, ACPI_E_NOT_FOUND, 0, 0);
}

static void test_bad_checksums(void **state)
{
	(void)state;
	mem[MADT_AT + 40] ^= 2; /* MADT */
	memcpy(saved, mem + MADT_AT, sizeof(saved));
	disable(0, ACPI_E_CHECKSUM, 0, 0);
	expect_madt_unchanged();
	madt(MADT_AT);
	memcpy(saved, mem + MADT_AT, sizeof(saved));
	mem[XSDT_AT + 20] ^= 1; /* XSDT */
	disable(0, ACPI_E_CHECKSUM, 0, 0);
	table(XSDT_AT, "XSDT", HDR + 24);
	mem[RSDP_AT + 12] ^= 1; /* RSDP */
	disable(0, ACPI_E_CHECKSUM, 0, 0);
	rsdp(RSDP_AT, 0, RSDT_AT, 0);
	mem[RSDT_AT + 12] ^= 1; /* RSDT */
	disable(0, ACPI_E_CHECKSUM, 0, 0);
	expect_madt_unchanged();
	/* Not an RSDP there at all, or nothing mapped there. */
	assert_int_equal(acpi_madt_disable_aps(map, NULL, RSDT_AT, 0, NULL, NULL),
			 ACPI_E_NOT_FOUND);
	assert_int_equal(acpi_madt_disable_aps(map, NULL, 1ull << 40, 0, NULL, NULL),
			 ACPI_E_NOT_FOUND);
}

/* Rewrite the MADT's length (and entry @off's length byte if @elen) with a valid checksum. */
static void madt_relen(uint32_t len, uint32_t off, uint8_t elen)
{
	madt(MADT_AT);
	if (off)
		mem[MADT_AT + off + 1] = elen;
	put32(MADT_AT + 4, len);
	fix(MADT_AT, len, MADT_AT + 9);
	memcpy(saved, mem + MADT_AT, sizeof(saved));
}

static void test_truncated_and_malformed(void **state)
{
	(void)state;
	madt_relen(MADT_LEN - 1, 0, 0); /* the NMI entry sticks out of the table */
	disable(0, ACPI_E_TRUNCATED, 0, 0);
	expect_madt_unchanged();
	madt_relen(MADT_LEN + 1, 0, 0); /* one stray byte: not even an entry header */
	disable(0, ACPI_E_TRUNCATED, 0, 0);
	madt_relen(MADT_LEN, X2 + 16, 40); /* an x2APIC entry claims more than is left */
	disable(0, ACPI_E_TRUNCATED, 0, 0);
	madt_relen(MADT_LEN, IOAPIC, 0); /* zero length: would never advance */
	disable(0, ACPI_E_MALFORMED, 0, 0);
	expect_madt_unchanged();
	madt_relen(MADT_LEN, LAPIC0 + 8, 6); /* a Local APIC entry too short for its flags */
	disable(0, ACPI_E_MALFORMED, 0, 0);
	madt_relen(40, 0, 0); /* shorter than the MADT's fixed fields */
	disable(0, ACPI_E_MALFORMED, 0, 0);
	madt_relen(HDR - 1, 0, 0); /* shorter than a header */
	disable(0, ACPI_E_MALFORMED, 0, 0);

	/* A length reaching past mapped memory: MADT, then the root table. */
	madt(MADT_AT);
	put32(MADT_AT + 4, MEM_SIZE);
	disable(0, ACPI_E_TRUNCATED, 0, 0);
	madt(MADT_AT);
	put32(XSDT_AT + 4, MEM_SIZE);
	disable(0, ACPI_E_TRUNCATED, 0, 0);
	table(XSDT_AT, "SSDT", HDR + 24); /* wrong signature for a root table */
	disable(0, ACPI_E_MALFORMED, 0, 0);
}

static void test_no_bsp(void **state)
{
	(void)state;
	disable(7, ACPI_E_NO_BSP, 0, 0);
	expect_madt_unchanged();
	/* A Local APIC ID is 8 bits: 0x100 only matches the x2APIC entry. */
	disable(0x100, ACPI_OK, 5, 1);
	assert_int_equal(get32(MADT_AT + X2 + 8), 1);
	assert_int_equal(acpi_madt_disable_aps(NULL, NULL, RSDP_AT, 0, NULL, NULL),
			 ACPI_E_NOT_FOUND);
	assert_string_equal(acpi_strerror(ACPI_E_NO_BSP), "MADT does not list the boot CPU");
	assert_string_equal(acpi_strerror(-42), "unknown ACPI error");
}

/* ACPI 5.2.9: PM1a_CNT_BLK is the 32-bit port at offset 64 of the FADT. */
static void test_pm1a_cnt_port(void **state)
{
	uint16_t port = 0;

	(void)state;
	put32(FACP_AT + 64, 0x604);
	table(FACP_AT, "FACP", 244);
	assert_int_equal(acpi_pm1a_cnt_port(map, NULL, RSDP_AT, &port), ACPI_OK);
	assert_int_equal(port, 0x604);
	/* No I/O block (hardware-reduced ACPI), or a value no port can have. */
	put32(FACP_AT + 64, 0);
	table(FACP_AT, "FACP", 244);
	assert_int_equal(acpi_pm1a_cnt_port(map, NULL, RSDP_AT, &port), ACPI_E_NOT_FOUND);
	put32(FACP_AT + 64, 0x10000);
	table(FACP_AT, "FACP", 244);
	assert_int_equal(acpi_pm1a_cnt_port(map, NULL, RSDP_AT, &port), ACPI_E_NOT_FOUND);
	/* Too short to hold the field; a bad checksum; no map at all. */
	put32(FACP_AT + 64, 0x604);
	table(FACP_AT, "FACP", 64);
	assert_int_equal(acpi_pm1a_cnt_port(map, NULL, RSDP_AT, &port), ACPI_E_MALFORMED);
	table(FACP_AT, "FACP", 244);
	mem[FACP_AT + 64]++;
	assert_int_equal(acpi_pm1a_cnt_port(map, NULL, RSDP_AT, &port), ACPI_E_CHECKSUM);
	assert_int_equal(acpi_pm1a_cnt_port(NULL, NULL, RSDP_AT, &port), ACPI_E_NOT_FOUND);
	assert_int_equal(port, 0x604);
}

/* Where an ISA IRQ arrives: the override's GSI and flags, else the IRQ; the I/O APIC of it. */
static void test_isa_irq_route(void **state)
{
	struct acpi_isa_route r;

	(void)state;
	assert_int_equal(acpi_isa_irq_route(map, NULL, RSDP_AT, 3, &r), ACPI_OK);
	assert_int_equal(r.ioapic, 0xFEC00000);
	assert_int_equal(r.gsi_base, 0);
	assert_int_equal(r.gsi, 3);
	assert_int_equal(r.flags, 0);
	assert_int_equal(acpi_isa_irq_route(map, NULL, RSDP_AT, 0, &r), ACPI_OK);
	assert_int_equal(r.gsi, 2); /* the override: ISA IRQ 0 on GSI 2 */
	/* An override of IRQ 3 to GSI 7, active low and level (MPS INTI flags 1111b). */
	mem[MADT_AT + ISO + 3] = 3;
	put32(MADT_AT + ISO + 4, 7);
	put16(MADT_AT + ISO + 8, 0xF);
	fix(MADT_AT, MADT_LEN, MADT_AT + 9);
	assert_int_equal(acpi_isa_irq_route(map, NULL, RSDP_AT, 3, &r), ACPI_OK);
	assert_int_equal(r.gsi, 7);
	assert_int_equal(r.flags & ACPI_INTI_POLARITY_MASK, ACPI_INTI_ACTIVE_LOW);
	assert_int_equal(r.flags & ACPI_INTI_TRIGGER_MASK, ACPI_INTI_LEVEL);
	/* An I/O APIC whose GSIs start above the IRQ's cannot serve it. */
	put32(MADT_AT + IOAPIC + 8, 16);
	fix(MADT_AT, MADT_LEN, MADT_AT + 9);
	assert_int_equal(acpi_isa_irq_route(map, NULL, RSDP_AT, 4, &r), ACPI_E_NOT_FOUND);
	/* No I/O APIC at all. */
	mem[MADT_AT + IOAPIC] = 0x7f;
	fix(MADT_AT, MADT_LEN, MADT_AT + 9);
	assert_int_equal(acpi_isa_irq_route(map, NULL, RSDP_AT, 3, &r), ACPI_E_NOT_FOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_find_in_bios_area, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_find_in_ebda, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_find_refuses_bad, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_disable_lapics, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_disable_bsp_not_first, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_root_table_choice, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_checksums, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_truncated_and_malformed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_no_bsp, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_pm1a_cnt_port, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_isa_irq_route, setup, teardown),
	};

	return cmocka_run_group_tests_name("acpi", tests, NULL, NULL);
}
