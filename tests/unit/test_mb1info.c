/* test_mb1info.c - cmocka tests for the guest's multiboot1 info builder in core/mb1info.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "boot/multiboot.h"
#include "guest/mb1info.h"

/* Multiboot 0.6.96 section 3.3, written out independently of core/mb1info.c. */
enum {
	I_FLAGS = 0,
	I_MEM_LOWER = 4,
	I_MEM_UPPER = 8,
	I_BOOT_DEVICE = 12,
	I_CMDLINE = 16,
	I_MODS_COUNT = 20,
	I_MODS_ADDR = 24,
	I_MMAP_LENGTH = 44,
	I_MMAP_ADDR = 48,
	I_LOADER_NAME = 64,
	I_SIZE = 116,
};
#define WANT_FLAGS ((1u << 0) | (1u << 2) | (1u << 3) | (1u << 6) | (1u << 9))
#define NELEMS(a)  (sizeof(a) / sizeof((a)[0]))
#define BUF_SIZE   4096u
#define CANARY	   0x5A
#define RANGE(s, e, t)                                                                             \
	{                                                                                          \
		.base = (s), .len = (e) - (s), .type = (t)                                         \
	}

/* What QEMU's SeaBIOS reports for -m 128, with the hypervisor reserved at the top. */
static const struct mem_range qemu_map[] = {
    RANGE(0, 0x9fc00, MEM_USABLE),
    RANGE(0x9fc00, 0xa0000, MEM_RESERVED),
    RANGE(0xf0000, 0x100000, MEM_RESERVED),
    RANGE(0x100000, 0x7600000, MEM_USABLE),
    RANGE(0x7600000, 0x7e00000, MEM_RESERVED),
    RANGE(0x7e00000, 0x7fe0000, MEM_USABLE),
    RANGE(0xfffc0000, 0x100000000ull, MEM_RESERVED),
};

static const struct mb1info_module mods[] = {
    {0x800000, 0x812345, "initrd root=/dev/ram0"},
    {0x813000, 0x814000, NULL},
};

static uint8_t buf[BUF_SIZE + 64];
static struct mb1info_builder b;

static uint32_t rd32(uint32_t gpa)
{
	uint32_t v;

	assert_true(gpa >= b.gpa && gpa + 4 <= b.gpa + b.used);
	memcpy(&v, buf + (gpa - b.gpa), 4);
	return v;
}

static uint64_t rd64(uint32_t gpa)
{
	return rd32(gpa) | (uint64_t)rd32(gpa + 4) << 32;
}

/* A pointer field: 4-byte aligned and inside what the builder used. */
static const char *str_at(uint32_t gpa)
{
	assert_int_equal(gpa % 4, 0);
	assert_true(gpa >= b.gpa && gpa < b.gpa + b.used);
	assert_non_null(memchr(buf + (gpa - b.gpa), 0, b.gpa + b.used - gpa));
	return (const char *)buf + (gpa - b.gpa);
}

static uint32_t build(uint32_t gpa, uint32_t size, const struct mem_range *map, unsigned nmap,
		      const struct mb1info_module *m, unsigned nm)
{
	memset(buf, CANARY, sizeof(buf));
	mb1info_init(&b, buf, gpa, size);
	return mb1info_build(&b, "console=ttyS0 debug", map, nmap, m, nm, "dbgvisor");
}

static void test_mem_lower_upper(void **state)
{
	const struct mem_range big_low[] = {RANGE(0, 0x200000, MEM_USABLE)};
	const struct mem_range pieces[] = {
	    /* Out of order, overlapping and touching; a reserved page punched in at 6 MiB. */
	    RANGE(0x300000, 0x800000, MEM_USABLE), RANGE(0x100000, 0x200000, MEM_USABLE),
	    RANGE(0x180000, 0x300000, MEM_USABLE), RANGE(0x600000, 0x601000, MEM_ACPI_NVS),
	    RANGE(0x1000, 0x9f000, MEM_USABLE), /* page 0 missing: lower memory is 0 */
	};
	const struct mem_range huge[] = {RANGE(0x100000, 1ull << 43, MEM_USABLE)};
	const struct mem_range hole_at_1m[] = {
	    RANGE(0, 0xa0000, MEM_USABLE), RANGE(0x100000, 0x200000, MEM_USABLE),
	    RANGE(0x100000, 0x101000, MEM_RESERVED), /* reserved wins from the first byte */
	};

	(void)state;
	assert_int_equal(mb1info_mem_lower_kib(qemu_map, NELEMS(qemu_map)), 639);
	assert_int_equal(mb1info_mem_upper_kib(qemu_map, NELEMS(qemu_map)),
			 (0x7600000 - 0x100000) / 1024);
	assert_int_equal(mb1info_mem_lower_kib(big_low, 1), 640);
	assert_int_equal(mb1info_mem_upper_kib(big_low, 1), 1024);
	assert_int_equal(mb1info_mem_lower_kib(pieces, NELEMS(pieces)), 0);
	assert_int_equal(mb1info_mem_upper_kib(pieces, NELEMS(pieces)), 5 * 1024);
	assert_int_equal(mb1info_mem_upper_kib(huge, 1), UINT32_MAX);
	assert_int_equal(mb1info_mem_lower_kib(hole_at_1m, NELEMS(hole_at_1m)), 640);
	assert_int_equal(mb1info_mem_upper_kib(hole_at_1m, NELEMS(hole_at_1m)), 0);
	assert_int_equal(mb1info_mem_lower_kib(NULL, 0), 0);
	assert_int_equal(mb1info_mem_upper_kib(NULL, 0), 0);
}

static void test_build_full(void **state)
{
	uint32_t info, mmap, mods_addr;

	(void)state;
	info = build(0x9000, BUF_SIZE, qemu_map, NELEMS(qemu_map), mods, NELEMS(mods));
	assert_int_equal(info, 0x9000);
	assert_false(b.overflow);
	assert_true(b.used <= BUF_SIZE);
	for (unsigned i = b.used; i < sizeof(buf); i++)
		assert_int_equal(buf[i], CANARY);

	assert_int_equal(rd32(info + I_FLAGS), WANT_FLAGS);
	assert_int_equal(rd32(info + I_MEM_LOWER), 639);
	assert_int_equal(rd32(info + I_MEM_UPPER), (0x7600000 - 0x100000) / 1024);
	assert_int_equal(rd32(info + I_BOOT_DEVICE), 0xFFFFFFFF);
	assert_string_equal(str_at(rd32(info + I_CMDLINE)), "console=ttyS0 debug");
	assert_string_equal(str_at(rd32(info + I_LOADER_NAME)), "dbgvisor");
	/* Fields we do not provide (syms, drives, config, apm, vbe, framebuffer) are zero. */
	for (unsigned off = 28; off < I_SIZE; off += 4) {
		if (off != I_MMAP_LENGTH && off != I_MMAP_ADDR && off != I_LOADER_NAME)
			assert_int_equal(rd32(info + off), 0);
	}

	assert_int_equal(rd32(info + I_MODS_COUNT), 2);
	mods_addr = rd32(info + I_MODS_ADDR);
	assert_int_equal(mods_addr % 4, 0);
	for (unsigned i = 0; i < NELEMS(mods); i++) {
		uint32_t e = mods_addr + i * 16;

		assert_int_equal(rd32(e), mods[i].start);
		assert_int_equal(rd32(e + 4), mods[i].end);
		assert_string_equal(str_at(rd32(e + 8)), mods[i].cmdline ? mods[i].cmdline : "");
		assert_int_equal(rd32(e + 12), 0);
	}

	assert_int_equal(rd32(info + I_MMAP_LENGTH), NELEMS(qemu_map) * 24);
	mmap = rd32(info + I_MMAP_ADDR);
	assert_int_equal(mmap % 4, 0);
	for (unsigned i = 0; i < NELEMS(qemu_map); i++) {
		uint32_t e = mmap + i * 24;

		assert_int_equal(rd32(e), 20); /* size does not count itself */
		assert_int_equal(rd64(e + 4), qemu_map[i].base);
		assert_int_equal(rd64(e + 12), qemu_map[i].len);
		assert_int_equal(rd32(e + 20), qemu_map[i].type);
	}
}

/* The hypervisor's own multiboot parser reads back exactly what we wrote. */
static const void *map_buf(uint64_t phys, size_t len, void *ctx)
{
	(void)ctx;
	if (phys < b.gpa || phys - b.gpa > b.used || len > b.gpa + b.used - phys)
		return NULL;
	return buf + (phys - b.gpa);
}

static void test_round_trip(void **state)
{
	static struct boot_info bi;
	const struct mem_range with_empty[] = {
	    RANGE(0, 0x9fc00, MEM_USABLE),
	    RANGE(0x100000, 0x100000, MEM_USABLE), /* empty: dropped */
	    RANGE(0x100000, 0x4000000, MEM_USABLE),
	};
	uint32_t info;

	(void)state;
	info = build(0x7000, BUF_SIZE, qemu_map, NELEMS(qemu_map), mods, NELEMS(mods));
	assert_int_equal(mb_parse(MB1INFO_BOOTLOADER_MAGIC, info, map_buf, NULL, &bi), MB_OK);
	assert_string_equal(bi.cmdline, "console=ttyS0 debug");
	assert_true(bi.has_mem_lower_upper);
	assert_int_equal(bi.mem_lower_kib, 639);
	assert_int_equal(bi.mmap_count, NELEMS(qemu_map));
	for (unsigned i = 0; i < NELEMS(qemu_map); i++) {
		assert_int_equal(bi.mmap[i].base, qemu_map[i].base);
		assert_int_equal(bi.mmap[i].len, qemu_map[i].len);
		assert_int_equal(bi.mmap[i].type, qemu_map[i].type);
	}
	assert_int_equal(bi.module_count, 2);
	assert_int_equal(bi.modules[0].start, 0x800000);
	assert_int_equal(bi.modules[0].end, 0x812345);
	assert_string_equal(bi.modules[0].cmdline, "initrd root=/dev/ram0");
	assert_string_equal(bi.modules[1].cmdline, "");

	info = build(0x7000, BUF_SIZE, with_empty, NELEMS(with_empty), NULL, 0);
	assert_int_equal(mb_parse(MB1INFO_BOOTLOADER_MAGIC, info, map_buf, NULL, &bi), MB_OK);
	assert_int_equal(bi.mmap_count, 2);
	assert_int_equal(bi.mem_upper_kib, 63 * 1024);
	assert_int_equal(bi.module_count, 0);
}

static void test_no_modules_null_strings(void **state)
{
	uint32_t info;

	(void)state;
	memset(buf, CANARY, sizeof(buf));
	mb1info_init(&b, buf, 0x9000, BUF_SIZE);
	info = mb1info_build(&b, NULL, qemu_map, NELEMS(qemu_map), NULL, 0, NULL);
	assert_int_equal(info, 0x9000);
	assert_int_equal(rd32(info + I_FLAGS), WANT_FLAGS);
	assert_int_equal(rd32(info + I_MODS_COUNT), 0);
	str_at(rd32(info + I_MODS_ADDR)); /* still a valid address inside the buffer */
	assert_string_equal(str_at(rd32(info + I_CMDLINE)), "");
	assert_string_equal(str_at(rd32(info + I_LOADER_NAME)), "");

	/* No map at all: empty mmap, zero memory sizes, still no pointer outside. */
	info = build(0x9000, BUF_SIZE, NULL, 0, NULL, 0);
	assert_int_equal(rd32(info + I_MMAP_LENGTH), 0);
	assert_int_equal(rd32(info + I_MEM_UPPER), 0);
	str_at(rd32(info + I_MMAP_ADDR));
}

static void test_alignment(void **state)
{
	(void)state;
	/* An unaligned base: the structure and everything after it still start 4-aligned. */
	for (uint32_t gpa = 0x9001; gpa <= 0x9004; gpa++) {
		uint32_t info =
		    build(gpa, BUF_SIZE, qemu_map, NELEMS(qemu_map), mods, NELEMS(mods));

		assert_int_equal(info, 0x9004);
		assert_int_equal(rd32(info + I_MODS_ADDR) % 4, 0);
		assert_int_equal(rd32(info + I_MMAP_ADDR) % 4, 0);
		str_at(rd32(info + I_CMDLINE));
		str_at(rd32(info + I_LOADER_NAME));
		str_at(rd32(rd32(info + I_MODS_ADDR) + 8));
		str_at(rd32(rd32(info + I_MODS_ADDR) + 24));
	}
}

static void test_overflow(void **state)
{
	uint32_t need;

	(void)state;
	assert_int_not_equal(build(0x9000, BUF_SIZE, qemu_map, NELEMS(qemu_map), mods, 2), 0);
	need = b.used;
	/* Every size below what is needed fails without writing past the buffer. */
	for (uint32_t size = 0; size < need; size++) {
		assert_int_equal(build(0x9000, size, qemu_map, NELEMS(qemu_map), mods, 2), 0);
		assert_true(b.overflow);
		assert_true(b.used <= size);
		for (unsigned i = size; i < sizeof(buf); i++)
			assert_int_equal(buf[i], CANARY);
	}
	assert_int_equal(build(0x9000, need, qemu_map, NELEMS(qemu_map), mods, 2), 0x9000);
	assert_false(b.overflow);
	/* Once overflowed, further builds keep failing. */
	assert_int_equal(build(0x9000, 8, NULL, 0, NULL, 0), 0);
	assert_int_equal(mb1info_build(&b, "", NULL, 0, NULL, 0, ""), 0);
}

static void test_bad_init(void **state)
{
	(void)state;
	mb1info_init(&b, buf, 0, BUF_SIZE); /* 0 is the failure value: refused */
	assert_true(b.overflow);
	assert_int_equal(mb1info_build(&b, "", NULL, 0, NULL, 0, ""), 0);
	mb1info_init(&b, buf, 0xFFFFF000, 0x2000); /* would reach past 4 GiB */
	assert_true(b.overflow);
	mb1info_init(&b, NULL, 0x9000, BUF_SIZE);
	assert_true(b.overflow);
	mb1info_init(&b, buf, 0xFFFFF000, 0x1000); /* ends exactly at 4 GiB: fine */
	assert_false(b.overflow);
	assert_int_equal(mb1info_build(&b, "x", qemu_map, 2, NULL, 0, "y"), 0xFFFFF000);
	assert_int_equal(mb1info_build(NULL, "", NULL, 0, NULL, 0, ""), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mem_lower_upper), cmocka_unit_test(test_build_full),
	    cmocka_unit_test(test_round_trip),	    cmocka_unit_test(test_no_modules_null_strings),
	    cmocka_unit_test(test_alignment),	    cmocka_unit_test(test_overflow),
	    cmocka_unit_test(test_bad_init),
	};

	return cmocka_run_group_tests_name("mb1info", tests, NULL, NULL);
}
