/* test_mb2info.c - cmocka tests for the guest's multiboot2 information builder, guest/mb2info.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "boot/multiboot.h"
#include "guest/mb2info.h"

/*
 * The Multiboot2 specification 2.0, section 3.6, written out independently of mb2info.c:
 * u32 total_size, u32 reserved, then tags { u32 type, u32 size, ... } each starting 8-byte
 * aligned, size not counting the padding; the end tag is type 0 size 8.
 */
#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))
#define BUF_SIZE  4096u
#define CANARY	  0x5A
#define GPA	  0x9000u
#define RANGE(s, e, t)                                                                             \
	{                                                                                          \
		.base = (s), .len = (e) - (s), .type = (t)                                         \
	}

static const struct mem_range qemu_map[] = {
    RANGE(0, 0x9fc00, MEM_USABLE),
    RANGE(0x9fc00, 0xa0000, MEM_RESERVED),
    RANGE(0xf0000, 0x100000, MEM_RESERVED),
    RANGE(0x100000, 0x7600000, MEM_USABLE),
    RANGE(0x7600000, 0x7600000, MEM_USABLE), /* empty: dropped */
    RANGE(0x7600000, 0x7e00000, MEM_RESERVED),
    RANGE(0x7e00000, 0x7fe0000, MEM_USABLE),
    RANGE(0xfffc0000, 0x100000000ull, MEM_RESERVED),
};
#define NONEMPTY 7u

static const struct mb1info_module mods[] = {
    {0x800000, 0x812345, "initrd root=/dev/ram0"},
    {0x813000, 0x814000, NULL},
};

/* An ACPI 2.0 RSDP: "RSD PTR ", checksum, OEM, revision 2, RSDT, length 36, XSDT, ... */
static uint8_t rsdp[40];

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

static const uint8_t *at(uint32_t gpa)
{
	return buf + (gpa - b.gpa);
}

static void make_rsdp(uint8_t revision, uint32_t length)
{
	memset(rsdp, 0xEE, sizeof(rsdp));
	memcpy(rsdp, "RSD PTR ", 8);
	rsdp[15] = revision;
	memcpy(rsdp + 20, &length, 4);
}

static struct mb2info_input sample(void)
{
	return (struct mb2info_input){
	    .cmdline = "kernel.elf console=ttyS0",
	    .loader_name = "dbgvisor",
	    .mods = mods,
	    .nmods = NELEMS(mods),
	    .map = qemu_map,
	    .nmap = NELEMS(qemu_map),
	    .rsdp = rsdp,
	    .load_base = true,
	    .load_base_addr = 0x100000,
	};
}

static uint32_t build(uint32_t gpa, uint32_t size, const struct mb2info_input *in)
{
	memset(buf, CANARY, sizeof(buf));
	mb2info_init(&b, buf, gpa, size);
	return mb2info_build(&b, in);
}

/* Every tag from @info: 8-byte aligned, inside total_size, padding zero; the last is the end. */
static unsigned walk(uint32_t info, uint32_t *types, unsigned max)
{
	uint32_t total = rd32(info), off = 8;
	unsigned n = 0;

	assert_int_equal(info % 8, 0);
	assert_int_equal(rd32(info + 4), 0);
	for (;;) {
		uint32_t type = rd32(info + off), size = rd32(info + off + 4);

		assert_true(size >= 8 && off + size <= total);
		assert_true(n < max);
		types[n++] = type;
		if (type == 0) {
			assert_int_equal(size, 8);
			assert_int_equal(off + size, total);
			return n;
		}
		for (uint32_t pad = size; pad % 8; pad++)
			assert_int_equal(*at(info + off + pad), 0);
		off += (size + 7) & ~7u;
	}
}

static void expect_tag(uint32_t gpa, uint32_t type, uint32_t size)
{
	assert_int_equal(gpa % 8, 0);
	assert_int_equal(rd32(gpa), type);
	assert_int_equal(rd32(gpa + 4), size);
	for (uint32_t pad = size; pad % 8; pad++)
		assert_int_equal(*at(gpa + pad), 0);
}

static void test_layout(void **state)
{
	struct mb2info_input in = sample();
	uint32_t info, e;

	(void)state;
	make_rsdp(2, 36);
	info = build(GPA, BUF_SIZE, &in);
	assert_int_equal(info, GPA);
	assert_false(b.overflow);
	/* Offsets worked out by hand from the sizes: string tags are 8 + strlen + 1, ... */
	assert_int_equal(rd32(info), 440); /* total_size */
	assert_int_equal(rd32(info + 4), 0);
	expect_tag(info + 8, 1, 8 + 25); /* 3.6.5 command line */
	assert_string_equal((const char *)at(info + 16), "kernel.elf console=ttyS0");
	expect_tag(info + 48, 2, 8 + 9); /* 3.6.9 boot loader name */
	assert_string_equal((const char *)at(info + 56), "dbgvisor");
	expect_tag(info + 72, 3, 16 + 22); /* 3.6.6 modules */
	assert_int_equal(rd32(info + 80), 0x800000);
	assert_int_equal(rd32(info + 84), 0x812345);
	assert_string_equal((const char *)at(info + 88), "initrd root=/dev/ram0");
	expect_tag(info + 112, 3, 16 + 1);
	assert_int_equal(rd32(info + 120), 0x813000);
	assert_int_equal(rd32(info + 124), 0x814000);
	assert_int_equal(*at(info + 128), 0);
	expect_tag(info + 136, 4, 16); /* 3.6.3 basic memory information */
	assert_int_equal(rd32(info + 144), 639);
	assert_int_equal(rd32(info + 148), (0x7600000 - 0x100000) / 1024);
	expect_tag(info + 152, 6, 16 + NONEMPTY * 24); /* 3.6.8 memory map */
	assert_int_equal(rd32(info + 160), 24);	       /* entry_size */
	assert_int_equal(rd32(info + 164), 0);	       /* entry_version */
	e = info + 168;
	for (unsigned i = 0; i < NELEMS(qemu_map); i++) {
		if (qemu_map[i].len == 0)
			continue;
		assert_int_equal(rd64(e), qemu_map[i].base);
		assert_int_equal(rd64(e + 8), qemu_map[i].len);
		assert_int_equal(rd32(e + 16), qemu_map[i].type);
		assert_int_equal(rd32(e + 20), 0); /* reserved */
		e += 24;
	}
	assert_int_equal(e, info + 336);
	expect_tag(info + 336, 14, 8 + 20); /* 3.6.16 ACPI old RSDP, "as defined per ACPI 1.0" */
	assert_memory_equal(at(info + 344), rsdp, 8);	       /* signature */
	assert_memory_equal(at(info + 353), rsdp + 9, 15 - 9); /* OEMID */
	assert_int_equal(*at(info + 344 + 15), 0);	       /* revision 0 */
	assert_memory_equal(at(info + 360), rsdp + 16, 4);     /* RsdtAddress */
	{
		uint8_t sum = 0;

		for (unsigned i = 0; i < 20; i++)
			sum = (uint8_t)(sum + *at(info + 344 + i));
		assert_int_equal(sum, 0); /* its checksum redone over the 20 bytes */
	}
	expect_tag(info + 368, 15, 8 + 36); /* 3.6.17 ACPI new RSDP */
	assert_memory_equal(at(info + 376), rsdp, 36);
	expect_tag(info + 416, 21, 12); /* 3.6.23 image load base physical address */
	assert_int_equal(rd32(info + 424), 0x100000);
	expect_tag(info + 432, 0, 8); /* end */
	assert_int_equal(b.used, 440);
	for (unsigned i = b.used; i < sizeof(buf); i++)
		assert_int_equal(buf[i], CANARY);
}

/* The hypervisor's own multiboot2 parser (boot/multiboot.c) reads back what we wrote. */
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
	struct mb2info_input in = sample();
	uint32_t info;

	(void)state;
	make_rsdp(2, 36);
	info = build(GPA + 3, BUF_SIZE, &in);
	assert_int_equal(info, GPA + 8);
	assert_int_equal(mb_parse(MB2INFO_BOOTLOADER_MAGIC, info, map_buf, NULL, &bi), MB_OK);
	assert_string_equal(bi.cmdline, "kernel.elf console=ttyS0");
	assert_true(bi.has_mem_lower_upper);
	assert_int_equal(bi.mem_lower_kib, 639);
	assert_int_equal(bi.mmap_count, NONEMPTY);
	assert_int_equal(bi.mmap[5].base, 0x7e00000);
	assert_int_equal(bi.module_count, 2);
	assert_int_equal(bi.modules[0].end, 0x812345);
	assert_string_equal(bi.modules[0].cmdline, "initrd root=/dev/ram0");
	assert_string_equal(bi.modules[1].cmdline, "");
	assert_int_equal(bi.acpi_rsdp_phys, info + 376); /* the ACPI 2.0 copy is preferred */
	assert_int_equal(bi.info_end - bi.info_start, rd32(info));
}

static void test_optional_tags(void **state)
{
	struct mb2info_input in = sample();
	uint32_t types[32];
	uint8_t *v1;
	unsigned n;

	(void)state;
	/* An ACPI 1.0 RSDP (revision 0): tag 14 only, and nothing read past its 20 bytes. */
	make_rsdp(0, 0xFFFFFFFF);
	in.rsdp = v1 = malloc(20);
	assert_non_null(v1);
	memcpy(v1, rsdp, 20);
	in.load_base = false;
	n = walk(build(GPA, BUF_SIZE, &in), types, NELEMS(types));
	free(v1);
	in.rsdp = rsdp;
	assert_int_equal(n, 8); /* 1, 2, 3, 3, 4, 6, 14, 0 */
	assert_int_equal(types[5], 6);
	assert_int_equal(types[6], 14);
	assert_int_equal(types[7], 0);
	assert_memory_equal(at(GPA + 344), rsdp, 20);
	/* Revision 2 but a length below the 36-byte ACPI 2.0 structure: no tag 15 either. */
	make_rsdp(2, 35);
	n = walk(build(GPA, BUF_SIZE, &in), types, NELEMS(types));
	assert_int_equal(types[n - 2], 14);
	/* A longer RSDP (future revision): all 'length' bytes are copied. */
	make_rsdp(3, 40);
	n = walk(build(GPA, BUF_SIZE, &in), types, NELEMS(types));
	assert_int_equal(types[n - 2], 15);
	assert_int_equal(rd32(GPA + 368 + 4), 8 + 40);
	assert_memory_equal(at(GPA + 376), rsdp, 40);

	/* Nothing optional: no modules, map, RSDP or load base; NULL strings give "". */
	in = (struct mb2info_input){0};
	n = walk(build(GPA, BUF_SIZE, &in), types, NELEMS(types));
	assert_int_equal(n, 5);
	assert_int_equal(types[0], 1);
	assert_int_equal(types[1], 2);
	assert_int_equal(types[2], 4);
	assert_int_equal(types[3], 6);
	expect_tag(GPA + 8, 1, 9);
	expect_tag(GPA + 24, 2, 9);
	expect_tag(GPA + 40, 4, 16);
	assert_int_equal(rd32(GPA + 48), 0);
	assert_int_equal(rd32(GPA + 52), 0);
	expect_tag(GPA + 56, 6, 16);
	assert_int_equal(rd32(GPA + 64), 24);
	assert_int_equal(rd32(GPA), 80);
	/* A module count with a NULL array is ignored. */
	in.nmods = 3;
	in.nmap = 4;
	assert_int_equal(walk(build(GPA, BUF_SIZE, &in), types, NELEMS(types)), 5);
}

static void test_alignment(void **state)
{
	struct mb2info_input in = sample();
	uint32_t types[32];

	(void)state;
	make_rsdp(2, 36);
	for (uint32_t gpa = GPA + 1; gpa <= GPA + 8; gpa++) {
		uint32_t info = build(gpa, BUF_SIZE, &in);

		assert_int_equal(info, GPA + 8);
		assert_int_equal(walk(info, types, NELEMS(types)), 10);
		assert_int_equal(rd32(info), 440);
		/* The bytes skipped to align the start are left alone. */
		for (uint32_t g = gpa; g < info; g++)
			assert_int_equal(*at(g), CANARY);
	}
}

static void test_overflow(void **state)
{
	struct mb2info_input in = sample();
	uint32_t need;

	(void)state;
	make_rsdp(2, 36);
	assert_int_equal(build(GPA + 4, BUF_SIZE, &in), GPA + 8);
	need = b.used;
	assert_int_equal(need, 4 + 440);
	/* Every size below what is needed fails without writing past the buffer. */
	for (uint32_t size = 0; size < need; size++) {
		assert_int_equal(build(GPA + 4, size, &in), 0);
		assert_true(b.overflow);
		for (unsigned i = size; i < sizeof(buf); i++)
			assert_int_equal(buf[i], CANARY);
	}
	assert_int_equal(build(GPA + 4, need, &in), GPA + 8);
	/* Once overflowed, further builds keep failing. */
	assert_int_equal(build(GPA, 16, &in), 0);
	assert_int_equal(mb2info_build(&b, &(struct mb2info_input){0}), 0);
}

static void test_bad_init(void **state)
{
	struct mb2info_input in = {0};

	(void)state;
	mb2info_init(&b, buf, 0, BUF_SIZE); /* 0 is the failure value: refused */
	assert_true(b.overflow);
	assert_int_equal(mb2info_build(&b, &in), 0);
	mb2info_init(&b, buf, 0xFFFFF000, 0x2000); /* would reach past 4 GiB */
	assert_true(b.overflow);
	mb2info_init(&b, NULL, GPA, BUF_SIZE);
	assert_true(b.overflow);
	mb2info_init(&b, buf, GPA + 1, 6); /* not even room to align the start */
	assert_true(b.overflow);
	mb2info_init(&b, buf, 0xFFFFF000, 0x1000); /* ends exactly at 4 GiB: fine */
	assert_false(b.overflow);
	assert_int_equal(mb2info_build(&b, &in), 0xFFFFF000);
	mb2info_init(&b, buf, GPA, BUF_SIZE);
	assert_int_equal(mb2info_build(NULL, &in), 0);
	assert_int_equal(mb2info_build(&b, NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_layout),	  cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_optional_tags), cmocka_unit_test(test_alignment),
	    cmocka_unit_test(test_overflow),	  cmocka_unit_test(test_bad_init),
	};

	return cmocka_run_group_tests_name("mb2info", tests, NULL, NULL);
}
