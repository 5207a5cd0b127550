/* test_multiboot.c - cmocka tests for the multiboot1/multiboot2 boot information parser. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "boot/multiboot.h"
#include "guest/mb1info.h"
#include "guest/mb2info.h"

/*
 * Spec layouts, written out independently of core/multiboot.c so that a wrong offset
 * there is caught here. Multiboot 0.6.96 section 3.3, fixed info structure:
 */
enum {
	MBI_FLAGS = 0,
	MBI_MEM_LOWER = 4,
	MBI_MEM_UPPER = 8,
	MBI_BOOT_DEVICE = 12,
	MBI_CMDLINE = 16,
	MBI_MODS_COUNT = 20,
	MBI_MODS_ADDR = 24,
	MBI_MMAP_LENGTH = 44,
	MBI_MMAP_ADDR = 48,
	MBI_BOOT_LOADER_NAME = 64,
	MBI_QEMU_SIZE = 88,  /* QEMU's hw/i386/multiboot.c only writes this much */
	MBI_SPEC_SIZE = 116, /* through color_info */
	MB_MOD_SIZE = 16,
};
#define F_MEM		   (1u << 0)
#define F_BOOT_DEVICE	   (1u << 1)
#define F_CMDLINE	   (1u << 2)
#define F_MODS		   (1u << 3)
#define F_MMAP		   (1u << 6)
#define F_BOOT_LOADER_NAME (1u << 9)

/* Multiboot2 2.0 section 3.6 tag types. */
enum {
	T_END = 0,
	T_CMDLINE = 1,
	T_BOOT_LOADER_NAME = 2,
	T_MODULE = 3,
	T_BASIC_MEMINFO = 4,
	T_BOOTDEV = 5,
	T_MMAP = 6,
	T_EFI64 = 12,
	T_ACPI_OLD = 14,
	T_ACPI_NEW = 15,
	T_EFI_MMAP = 17,
	T_LOAD_BASE_ADDR = 21,
};

/* ---- fake physical memory ---- */

#define MAX_REGIONS 4

struct region {
	uint64_t base;
	size_t len;
	uint8_t *bytes;
};

struct fakemem {
	struct region r[MAX_REGIONS];
	unsigned nregions;
	void *window; /* the copy handed out by the latest fake_map() */
	unsigned map_calls;
};

/*
 * Hands out a fresh heap copy of exactly [phys, phys + len), and frees the previous one:
 * ASan then reports any read past what was mapped, and any use of a pointer after the
 * next map() call.
 */
static const void *fake_map(uint64_t phys, size_t len, void *ctx)
{
	struct fakemem *m = ctx;

	m->map_calls++;
	free(m->window);
	m->window = NULL;
	assert_true(len > 0);
	for (unsigned i = 0; i < m->nregions; i++) {
		struct region *r = &m->r[i];

		if (phys >= r->base && phys - r->base <= r->len &&
		    len <= r->len - (phys - r->base)) {
			m->window = malloc(len);
			assert_non_null(m->window);
			memcpy(m->window, r->bytes + (phys - r->base), len);
			return m->window;
		}
	}
	return NULL;
}

static void add_region(struct fakemem *m, uint64_t base, size_t len)
{
	assert_true(m->nregions < MAX_REGIONS);
	m->r[m->nregions].base = base;
	m->r[m->nregions].len = len;
	m->r[m->nregions].bytes = calloc(1, len);
	assert_non_null(m->r[m->nregions].bytes);
	m->nregions++;
}

static uint8_t *at(struct fakemem *m, uint64_t phys, size_t len)
{
	for (unsigned i = 0; i < m->nregions; i++) {
		struct region *r = &m->r[i];

		if (phys >= r->base && phys - r->base + len <= r->len)
			return r->bytes + (phys - r->base);
	}
	fail_msg("test bug: write to 0x%llx outside the fake memory", (unsigned long long)phys);
	return NULL;
}

static void put32(struct fakemem *m, uint64_t phys, uint32_t v)
{
	uint8_t *p = at(m, phys, 4);

	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(struct fakemem *m, uint64_t phys, uint64_t v)
{
	put32(m, phys, (uint32_t)v);
	put32(m, phys + 4, (uint32_t)(v >> 32));
}

/* Store @s with its NUL; returns the address after it. */
static uint64_t putstr(struct fakemem *m, uint64_t phys, const char *s)
{
	memcpy(at(m, phys, strlen(s) + 1), s, strlen(s) + 1);
	return phys + strlen(s) + 1;
}

/* Multiboot1 mmap entry: size, base_addr, length, type; returns the next entry. */
static uint64_t put_e820(struct fakemem *m, uint64_t phys, uint32_t size, uint64_t base,
			 uint64_t len, uint32_t type)
{
	put32(m, phys, size);
	put64(m, phys + 4, base);
	put64(m, phys + 12, len);
	put32(m, phys + 20, type);
	return phys + 4 + size;
}

static int setup(void **state)
{
	*state = calloc(1, sizeof(struct fakemem));
	return *state ? 0 : -1;
}

static int teardown(void **state)
{
	struct fakemem *m = *state;

	for (unsigned i = 0; i < m->nregions; i++)
		free(m->r[i].bytes);
	free(m->window);
	free(m);
	return 0;
}

static void assert_range(const struct boot_info *bi, unsigned i, uint64_t base, uint64_t len,
			 uint32_t type)
{
	assert_true(i < bi->mmap_count);
	assert_int_equal(bi->mmap[i].base, base);
	assert_int_equal(bi->mmap[i].len, len);
	assert_int_equal(bi->mmap[i].type, type);
}

/* QEMU's e820 for -m 128 (SeaBIOS), the way its option ROM stores it for multiboot. */
static const struct {
	uint64_t base, len;
	uint32_t type;
} qemu_e820[] = {
    {0, 0x9fc00, MEM_USABLE},		{0x9fc00, 0x400, MEM_RESERVED},
    {0xf0000, 0x10000, MEM_RESERVED},	{0x100000, 0x7ee0000, MEM_USABLE},
    {0x7fe0000, 0x20000, MEM_RESERVED}, {0xfffc0000, 0x40000, MEM_RESERVED},
};
#define QEMU_E820_N (sizeof(qemu_e820) / sizeof(qemu_e820[0]))

#define E820_ADDR 0x9000
#define MBI_ADDR  0x9500
#define BUF_ADDR  0x117000 /* page after the kernel: module structs, then strings */

/* The low region holds the e820 map at 0x9000 and ends right after QEMU's 88-byte MBI. */
static uint32_t put_qemu_e820(struct fakemem *m)
{
	uint64_t p = E820_ADDR;

	for (unsigned i = 0; i < QEMU_E820_N; i++)
		p = put_e820(m, p, 20, qemu_e820[i].base, qemu_e820[i].len, qemu_e820[i].type);
	return (uint32_t)(p - E820_ADDR);
}

static void put_mbi(struct fakemem *m, uint32_t flags, uint32_t lower, uint32_t upper)
{
	put32(m, MBI_ADDR + MBI_FLAGS, flags);
	put32(m, MBI_ADDR + MBI_MEM_LOWER, lower);
	put32(m, MBI_ADDR + MBI_MEM_UPPER, upper);
	put32(m, MBI_ADDR + MBI_BOOT_DEVICE, 0x8000ffff);
}

static void put_mbi_mmap(struct fakemem *m, uint32_t addr, uint32_t length)
{
	put32(m, MBI_ADDR + MBI_MMAP_ADDR, addr);
	put32(m, MBI_ADDR + MBI_MMAP_LENGTH, length);
}

/* ---- multiboot1 ---- */

static void test_mb1_qemu_layout(void **state)
{
	struct fakemem *m = *state;
	struct boot_info bi;

	add_region(m, E820_ADDR, MBI_ADDR + MBI_QEMU_SIZE - E820_ADDR);
	add_region(m, BUF_ADDR, 0x1000);
	uint32_t mmap_len = put_qemu_e820(m);

	/* Same order as load_multiboot(): module cmdlines, kernel cmdline, loader name. */
	uint64_t mods = BUF_ADDR, s = BUF_ADDR + 2 * MB_MOD_SIZE;
	uint64_t mod0_str = s;
	s = putstr(m, s, "guest.elf arg=1");
	uint64_t mod1_str = s;
	s = putstr(m, s, "initrd.img");
	uint64_t kcmd = s;
	s = putstr(m, s, "build/dbgvisor.elf log=com1 gdb=com2");
	uint64_t name = s;
	putstr(m, s, "qemu");
	put32(m, mods + 0, 0x118000);
	put32(m, mods + 4, 0x11a345);
	put32(m, mods + 8, (uint32_t)mod0_str);
	put32(m, mods + 16, 0x11b000);
	put32(m, mods + 20, 0x11b800);
	put32(m, mods + 24, (uint32_t)mod1_str);

	put_mbi(m, F_MEM | F_BOOT_DEVICE | F_CMDLINE | F_MODS | F_MMAP | F_BOOT_LOADER_NAME, 639,
		129920);
	put32(m, MBI_ADDR + MBI_CMDLINE, (uint32_t)kcmd);
	put32(m, MBI_ADDR + MBI_MODS_COUNT, 2);
	put32(m, MBI_ADDR + MBI_MODS_ADDR, (uint32_t)mods);
	put32(m, MBI_ADDR + MBI_BOOT_LOADER_NAME, (uint32_t)name);
	put_mbi_mmap(m, E820_ADDR, mmap_len);

	assert_int_equal(mb_parse(MB1INFO_BOOTLOADER_MAGIC, MBI_ADDR, fake_map, m, &bi), MB_OK);
	assert_int_equal(bi.protocol, 1);
	assert_string_equal(bi.cmdline, "build/dbgvisor.elf log=com1 gdb=com2");
	assert_true(bi.has_mem_lower_upper);
	assert_int_equal(bi.mem_lower_kib, 639);
	assert_int_equal(bi.mem_upper_kib, 129920);
	assert_int_equal(bi.mmap_count, QEMU_E820_N);
	for (unsigned i = 0; i < QEMU_E820_N; i++)
		assert_range(&bi, i, qemu_e820[i].base, qemu_e820[i].len, qemu_e820[i].type);
	assert_int_equal(bi.module_count, 2);
	assert_int_equal(bi.modules[0].start, 0x118000);
	assert_int_equal(bi.modules[0].end, 0x11a345);
	assert_string_equal(bi.modules[0].cmdline, "guest.elf arg=1");
	assert_int_equal(bi.modules[1].start, 0x11b000);
	assert_int_equal(bi.modules[1].end, 0x11b800);
	assert_string_equal(bi.modules[1].cmdline, "initrd.img");
	assert_int_equal(bi.info_start, MBI_ADDR);
	assert_int_equal(bi.info_end, MBI_ADDR + MBI_SPEC_SIZE);
	assert_int_equal(bi.acpi_rsdp_phys, 0);
}

/* 'size' 24 entries (ACPI 3.0 extended attributes): the stride is size + 4 = 28. */
static void test_mb1_mmap_size_24_stride(void **state)
{
	struct fakemem *m = *state;
	struct boot_info bi;

	add_region(m, E820_ADDR, 0x600);
	uint64_t p = put_e820(m, E820_ADDR, 24, 0, 0x9fc00, MEM_USABLE);
	put32(m, p - 4, 1); /* extended attributes: enabled */
	p = put_e820(m, p, 24, 0x100000, 0x1000000, MEM_USABLE);
	put32(m, p - 4, 1);
	p = put_e820(m, p, 20, 0xe0000000, 0x10000000, MEM_RESERVED);
	put_mbi(m, F_MMAP, 0, 0);
	put_mbi_mmap(m, E820_ADDR, (uint32_t)(p - E820_ADDR));

	assert_int_equal(mb_parse(MB1INFO_BOOTLOADER_MAGIC, MBI_ADDR, fake_map, m, &bi), MB_OK);
	assert_false(bi.has_mem_lower_upper);
	assert_int_equal(bi.mmap_count, 3);
	assert_range(&bi, 0, 0, 0x9fc00, MEM_USABLE);
	assert_range(&bi, 1, 0x100000, 0x1000000, MEM_USABLE);
	assert_range(&bi, 2, 0xe0000000, 0x10000000, MEM_RESERVED);
}

static void test_mb1_mem_lower_upper_only(void **state)
{
	struct fakemem *m = *state;
	struct boot_info bi;

	add_region(m, MBI_ADDR, MBI_QEMU_SIZE);
	put_mbi(m, F_MEM, 639, 64512);
	/* Fields whose flag is clear must be ignored even if they hold junk. */
	put32(m, MBI_ADDR + MBI_CMDLINE, 0xdead0000);
	put32(m, MBI_ADDR + MBI_MODS_COUNT, 3);
	put32(m, MBI_ADDR + MBI_MODS_ADDR, 0xdead1000);
	put_mbi_mmap(m, 0xdead2000, 240);

	assert_int_equal(mb_parse(MB1INFO_BOOTLOADER_MAGIC, MBI_ADDR, fake_map, m, &bi), MB_OK);
	assert_true(bi.has_mem_lower_upper);
	assert_string_equal(bi.cmdline, "");
	assert_int_equal(bi.module_count, 0);
	assert_int_equal(bi.mmap_count, 2);
	assert_range(&bi, 0, 0, 639 * 1024, MEM_USABLE);
	assert_range(&bi, 1, 0x100000, 64512ull * 1024, MEM_USABLE);
}

static void test_mb1_no_memory_info(void **state)
{
	struct fakemem *m = *state;
	struct boot_info bi;

	add_region(m, MBI_ADDR, MBI_QEMU_SIZE);
	put_mbi(m, 0, 639, 64512);
	assert_int_equal(mb_parse(MB1INFO_BOOTLOADER_MAGIC, MBI_ADDR, fake_map, m, &bi),
			 MB_NO_MEMMAP);
	assert_false(bi.has_mem_lower_upper);
	assert_int_equal(bi.mmap_count, 0);
	assert_int_equal(bi.protocol, 1);
}

static void test_unmapped_info(void **state)
{
	struct fakemem *m = *state;
	struct boot_info bi;

	add_region(m, MBI_ADDR, MBI_QEMU_SIZE);
	put_mbi(m, F_MEM, 639, 64512);
	assert_int_equal(mb_parse(MB1INFO_BOOTLOADER_MAGIC, 0x12345000, fake_map, m, &bi),
			 MB_BAD_INFO);
	assert_int_equal(bi.mmap_count, 0);
	assert_int_equal(bi.info_end, 0);
	assert_int_equal(mb_parse(MB2INFO_BOOTLOADER_MAGIC, 0x12345000, fake_map, m, &bi),
			 MB_BAD_INFO);
	assert_int_equal(bi.protocol, 2);
	/* Straddling the end of mapped memory is as bad as not mapped at all. */
	assert_int_equal(
	    mb_parse(MB1INFO_BOOTLOADER_MAGIC, MBI_ADDR + MBI_QEMU_SIZE - 8, fake_map, m, &bi),
	    MB_BAD_INFO);
}

#define STR_REGION 0x20000
#define STR_LEN	   30

/* The kernel cmdline is the last thing in mapped memory, starting mid-chunk. */
static void cmdline_at_end(struct fakemem *m, bool terminated)
{
	uint64_t end = STR_REGION + 100, s = end - STR_LEN;

	add_region(m, E820_ADDR, MBI_ADDR + MBI_QEMU_SIZE - E820_ADDR);
	add_region(m, STR_REGION, end - STR_REGION);
	memset(at(m, s, STR_LEN), 'x', STR_LEN);
	if (terminated)
		*at(m, end - 1, 1) = '\0';
	put_mbi(m, F_CMDLINE | F_MMAP, 0, 0);
	put32(m, MBI_ADDR + MBI_CMDLINE, (uint32_t)s);
	put_mbi_mmap(m, E820_ADDR, put_qemu_e820(m));
}

static void test_mb1_cmdline_unterminated(void **state)
{
	struct fakemem *m = *state;
	struct boot_info bi;
	char want[STR_LEN + 1];

	cmdline_at_end(m, false);
	assert_int_equal(mb_parse(MB1INFO_BOOTLOADER_MAGIC, MBI_ADDR, fake_map, m, &bi),
			 MB_BAD_INFO);
	memset(want, 'x', STR_LEN);
	want[STR_LEN] = '\0';
	assert_string_equal(bi.cmdline, want);	      /* what was readable, NUL-terminated */
	assert_int_equal(bi.mmap_count, QEMU_E820_N); /* the rest is still filled */
}

static void test_mb1_cmdline_ends_at_last_mapped_byte(void **state)
{
	struct fakemem *m = *state;
	struct boot_info bi;
	char want[STR_LEN];

	cmdline_at_end(m, true);
	assert_int_equal(mb_parse(MB1INFO_BOOTLOADER_MAGIC, MBI_ADDR, fake_map, m, &bi), MB_OK);
	memset(want, 'x', STR_LEN - 1);
	want[STR_LEN - 1] = '\0';
	assert_string_equal(bi.cmdline, want);
}

static void test_mb1_too_many_modules(void **state)
{
	struct fakemem *m = *state;
	struct boot_info bi;
	const unsigned n = BOOT_MAX_MODULES + 2;

	add_region(m, E820_ADDR, MBI_ADDR + MBI_QEMU_SIZE - E820_ADDR);
	add_region(m, BUF_ADDR, 0x1000);
	uint64_t s = BUF_ADDR + n * MB_MOD_SIZE;
	for (unsigned i = 0; i < n; i++) {
		char name[16] = "mod0";

		name[3] = (char)('0' + i);
		put32(m, BUF_ADDR + i * MB_MOD_SIZE, 0x200000 + i * 0x1000);
		put32(m, BUF_ADDR + i * MB_MOD_SIZE + 4, 0x200800 + i * 0x1000);
		put32(m, BUF_ADDR + i * MB_MOD_SIZE + 8, (uint32_t)s);
		s = putstr(m, s, name);
	}
	put_mbi(m, F_MEM | F_MODS | F_MMAP, 639, 129920);
	put32(m, MBI_ADDR + MBI_MODS_COUNT, n);
	put32(m, MBI_ADDR + MBI_MODS_ADDR, BUF_ADDR);
	put_mbi_mmap(m, E820_ADDR, put_qemu_e820(m));

	assert_int_equal(mb_parse(MB1INFO_BOOTLOADER_MAGIC, MBI_ADDR, fake_map, m, &bi),
			 MB_TOO_MANY);
	assert_int_equal(bi.module_count, BOOT_MAX_MODULES);
	assert_int_equal(bi.modules[0].start, 0x200000);
	assert_string_equal(bi.modules[0].cmdline, "mod0");
	assert_int_equal(bi.modules[BOOT_MAX_MODULES - 1].start,
			 0x200000 + (BOOT_MAX_MODULES - 1) * 0x1000);
	assert_int_equal(bi.modules[BOOT_MAX_MODULES - 1].end,
			 0x200800 + (BOOT_MAX_MODULES - 1) * 0x1000);
	assert_string_equal(bi.modules[BOOT_MAX_MODULES - 1].cmdline, "mod7");
	assert_int_equal(bi.mmap_count, QEMU_E820_N);
	assert_int_equal(bi.mem_upper_kib, 129920);
}

static void test_mb1_too_many_mmap_entries(void **state)
{
	struct fakemem *m = *state;
	struct boot_info bi;
	const unsigned n = BOOT_MAX_MMAP + 6;
	uint64_t p = E820_ADDR + 0x1000;

	add_region(m, MBI_ADDR, MBI_QEMU_SIZE);
	add_region(m, p, 0x1000);
	for (unsigned i = 0; i < n; i++)
		p = put_e820(m, p, 20, i * 0x10000ull, 0x8000, MEM_USABLE + i % 2);
	put_mbi(m, F_MMAP | F_CMDLINE, 0, 0);
	put_mbi_mmap(m, E820_ADDR + 0x1000, (uint32_t)(p - E820_ADDR - 0x1000));
	put32(m, MBI_ADDR + MBI_CMDLINE, (uint32_t)(p + 8));
	putstr(m, p + 8, "log=none");

	assert_int_equal(mb_parse(MB1INFO_BOOTLOADER_MAGIC, MBI_ADDR, fake_map, m, &bi),
			 MB_TOO_MANY);
	assert_int_equal(bi.mmap_count, BOOT_MAX_MMAP);
	assert_range(&bi, 0, 0, 0x8000, MEM_USABLE);
	assert_range(&bi, BOOT_MAX_MMAP - 1, (BOOT_MAX_MMAP - 1) * 0x10000ull, 0x8000,
		     MEM_RESERVED);
	assert_string_equal(bi.cmdline, "log=none");
}

static void fill_pattern(char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		s[i] = (char)('a' + i % 26);
	s[n] = '\0';
}

/* Longer than the buffers: cut and reported (a Linux command line fits the module's buffer:
 * test_mb1_linux_cmdline_whole). */
static void test_mb1_long_cmdline_truncated(void **state)
{
	struct fakemem *m = *state;
	struct boot_info bi;
	char longstr[BOOT_MOD_CMDLINE_MAX + 100 + 1];

	fill_pattern(longstr, sizeof(longstr) - 1);
	add_region(m, MBI_ADDR, 0x3000);
	uint64_t mods = MBI_ADDR + 0x100, kcmd = MBI_ADDR + 0x200, mcmd = MBI_ADDR + 0x1400;
	putstr(m, kcmd, longstr);
	putstr(m, mcmd, longstr);
	put32(m, mods, 0x300000);
	put32(m, mods + 4, 0x301000);
	put32(m, mods + 8, (uint32_t)mcmd);
	put_mbi(m, F_MEM | F_CMDLINE | F_MODS, 639, 1024);
	put32(m, MBI_ADDR + MBI_CMDLINE, (uint32_t)kcmd);
	put32(m, MBI_ADDR + MBI_MODS_COUNT, 1);
	put32(m, MBI_ADDR + MBI_MODS_ADDR, (uint32_t)mods);

	assert_int_equal(mb_parse(MB1INFO_BOOTLOADER_MAGIC, MBI_ADDR, fake_map, m, &bi),
			 MB_STRING_CUT);
	assert_int_equal(strlen(bi.cmdline), BOOT_CMDLINE_MAX - 1);
	assert_memory_equal(bi.cmdline, longstr, BOOT_CMDLINE_MAX - 1);
	assert_int_equal(strlen(bi.modules[0].cmdline), BOOT_MOD_CMDLINE_MAX - 1);
	assert_memory_equal(bi.modules[0].cmdline, longstr, BOOT_MOD_CMDLINE_MAX - 1);
}

/* A bzImage's path and the longest command line Linux takes (cmdline_size 2047, boot.rst)
 * arrive whole: 256 bytes once cut a distribution's root=UUID=... line silently. */
static void test_mb1_linux_cmdline_whole(void **state)
{
	struct fakemem *m = *state;
	struct boot_info bi;
	char line[sizeof("/boot/vmlinuz-6.1.0-28-amd64 ") + 2047];

	fill_pattern(line, sizeof(line) - 1);
	add_region(m, MBI_ADDR, 0x2000);
	uint64_t mods = MBI_ADDR + 0x100, mcmd = MBI_ADDR + 0x200;
	putstr(m, mcmd, line);
	put32(m, mods, 0x300000);
	put32(m, mods + 4, 0x301000);
	put32(m, mods + 8, (uint32_t)mcmd);
	put_mbi(m, F_MEM | F_MODS, 639, 1024);
	put32(m, MBI_ADDR + MBI_MODS_COUNT, 1);
	put32(m, MBI_ADDR + MBI_MODS_ADDR, (uint32_t)mods);

	assert_int_equal(mb_parse(MB1INFO_BOOTLOADER_MAGIC, MBI_ADDR, fake_map, m, &bi), MB_OK);
	assert_string_equal(bi.modules[0].cmdline, line);
}

static void test_mb1_zero_length_entries_dropped(void **state)
{
	struct fakemem *m = *state;
	struct boot_info bi;

	add_region(m, E820_ADDR, 0x600);
	uint64_t p = put_e820(m, E820_ADDR, 20, 0, 0, MEM_USABLE);
	p = put_e820(m, p, 20, 0, 0x9fc00, MEM_USABLE);
	p = put_e820(m, p, 20, 0x9fc00, 0, MEM_RESERVED);
	p = put_e820(m, p, 20, 0x100000, 0x3f00000, MEM_USABLE);
	p = put_e820(m, p, 20, 0x4000000, 0, MEM_USABLE);
	put_mbi(m, F_MMAP, 0, 0);
	put_mbi_mmap(m, E820_ADDR, (uint32_t)(p - E820_ADDR));

	assert_int_equal(mb_parse(MB1INFO_BOOTLOADER_MAGIC, MBI_ADDR, fake_map, m, &bi), MB_OK);
	assert_int_equal(bi.mmap_count, 2);
	assert_range(&bi, 0, 0, 0x9fc00, MEM_USABLE);
	assert_range(&bi, 1, 0x100000, 0x3f00000, MEM_USABLE);
}

static void test_mb1_mmap_truncated(void **state)
{
	struct fakemem *m = *state;
	struct boot_info bi;

	add_region(m, E820_ADDR, 0x600);
	uint64_t p = put_e820(m, E820_ADDR, 20, 0, 0x9fc00, MEM_USABLE);
	put_e820(m, p, 20, 0x100000, 0x3f00000, MEM_USABLE);
	put_mbi(m, F_MMAP, 0, 0);
	/* mmap_length cuts the last 2 bytes off the second entry. */
	put_mbi_mmap(m, E820_ADDR, (uint32_t)(p - E820_ADDR) + 24 - 2);
	assert_int_equal(mb_parse(MB1INFO_BOOTLOADER_MAGIC, MBI_ADDR, fake_map, m, &bi),
			 MB_BAD_INFO);
	assert_int_equal(bi.mmap_count, 1);
	assert_range(&bi, 0, 0, 0x9fc00, MEM_USABLE);

	/* Trailing bytes too few for even a 'size' field. */
	put_mbi_mmap(m, E820_ADDR, (uint32_t)(p - E820_ADDR) + 2);
	assert_int_equal(mb_parse(MB1INFO_BOOTLOADER_MAGIC, MBI_ADDR, fake_map, m, &bi),
			 MB_BAD_INFO);
	assert_int_equal(bi.mmap_count, 1);

	/* An entry whose 'size' is too small to hold base, length and type. */
	put32(m, p, 8);
	put_mbi_mmap(m, E820_ADDR, (uint32_t)(p - E820_ADDR) + 24);
	assert_int_equal(mb_parse(MB1INFO_BOOTLOADER_MAGIC, MBI_ADDR, fake_map, m, &bi),
			 MB_BAD_INFO);
	assert_int_equal(bi.mmap_count, 1);
}

/* ---- multiboot2 ---- */

#define MB2_ADDR 0x10000

struct mb2b {
	struct fakemem *m;
	uint64_t start, cur, tag;
};

static void mb2_begin(struct mb2b *b, struct fakemem *m, uint64_t phys)
{
	b->m = m;
	b->start = phys;
	b->cur = phys + 8; /* total_size, reserved */
}

static void mb2_u32(struct mb2b *b, uint32_t v)
{
	put32(b->m, b->cur, v);
	b->cur += 4;
}

static void mb2_u64(struct mb2b *b, uint64_t v)
{
	put64(b->m, b->cur, v);
	b->cur += 8;
}

static void mb2_str(struct mb2b *b, const char *s)
{
	b->cur = putstr(b->m, b->cur, s);
}

static void mb2_tag(struct mb2b *b, uint32_t type)
{
	b->tag = b->cur;
	mb2_u32(b, type);
	mb2_u32(b, 0); /* size, patched by mb2_tag_end() */
}

static void mb2_tag_end(struct mb2b *b)
{
	put32(b->m, b->tag + 4, (uint32_t)(b->cur - b->tag));
	b->cur = (b->cur + 7) & ~7ull;
}

/* Appends the end tag and stores total_size; returns it. */
static uint32_t mb2_finish(struct mb2b *b)
{
	mb2_tag(b, T_END);
	mb2_tag_end(b);
	put32(b->m, b->start, (uint32_t)(b->cur - b->start));
	return (uint32_t)(b->cur - b->start);
}

static void mb2_module(struct mb2b *b, uint32_t start, uint32_t end, const char *cmdline)
{
	mb2_tag(b, T_MODULE);
	mb2_u32(b, start);
	mb2_u32(b, end);
	mb2_str(b, cmdline);
	mb2_tag_end(b);
}

static void mb2_cmdline(struct mb2b *b, const char *s)
{
	mb2_tag(b, T_CMDLINE);
	mb2_str(b, s);
	mb2_tag_end(b);
}

/* Tag order as GRUB 2's multiboot_mbi2.c emits it. */
static void test_mb2_grub_layout(void **state)
{
	struct fakemem *m = *state;
	struct boot_info bi;
	struct mb2b b;
	static const uint8_t rsdp[20] = {'R', 'S', 'D', ' ', 'P', 'T', 'R',  ' ',  0x42, 'B',
					 'O', 'C', 'H', 'S', ' ', 0,   0xd2, 0x14, 0xfe, 0x07};

	add_region(m, MB2_ADDR, 0x1000);
	mb2_begin(&b, m, MB2_ADDR);
	mb2_tag(&b, T_LOAD_BASE_ADDR); /* size 12: the next tag needs padding */
	mb2_u32(&b, 0x100000);
	mb2_tag_end(&b);
	mb2_cmdline(&b, "log=com1 gdb=com2");
	mb2_tag(&b, T_BOOT_LOADER_NAME);
	mb2_str(&b, "GRUB 2.06-13+deb12u1");
	mb2_tag_end(&b);
	mb2_module(&b, 0x200000, 0x212345, "guest.elf arg=1");
	mb2_module(&b, 0x213000, 0x213800, "initrd.img");
	mb2_tag(&b, T_MMAP);
	mb2_u32(&b, 24); /* entry_size */
	mb2_u32(&b, 0);	 /* entry_version */
	for (unsigned i = 0; i < QEMU_E820_N; i++) {
		mb2_u64(&b, qemu_e820[i].base);
		mb2_u64(&b, qemu_e820[i].len);
		mb2_u32(&b, qemu_e820[i].type);
		mb2_u32(&b, 0);
	}
	mb2_tag_end(&b);
	mb2_tag(&b, T_BASIC_MEMINFO);
	mb2_u32(&b, 639);
	mb2_u32(&b, 129920);
	mb2_tag_end(&b);
	mb2_tag(&b, T_BOOTDEV); /* size 20 */
	mb2_u32(&b, 0xe0);
	mb2_u32(&b, 0xffffffff);
	mb2_u32(&b, 0xffffffff);
	mb2_tag_end(&b);
	mb2_tag(&b, T_ACPI_OLD);
	uint64_t rsdp_phys = b.cur;
	memcpy(at(m, b.cur, sizeof(rsdp)), rsdp, sizeof(rsdp));
	b.cur += sizeof(rsdp);
	mb2_tag_end(&b);
	uint32_t total = mb2_finish(&b);

	assert_int_equal(mb_parse(MB2INFO_BOOTLOADER_MAGIC, MB2_ADDR, fake_map, m, &bi), MB_OK);
	assert_int_equal(bi.protocol, 2);
	assert_string_equal(bi.cmdline, "log=com1 gdb=com2");
	assert_true(bi.has_mem_lower_upper);
	assert_int_equal(bi.mem_lower_kib, 639);
	assert_int_equal(bi.mem_upper_kib, 129920);
	assert_int_equal(bi.mmap_count, QEMU_E820_N);
	for (unsigned i = 0; i < QEMU_E820_N; i++)
		assert_range(&bi, i, qemu_e820[i].base, qemu_e820[i].len, qemu_e820[i].type);
	assert_int_equal(bi.module_count, 2);
	assert_int_equal(bi.modules[0].start, 0x200000);
	assert_int_equal(bi.modules[0].end, 0x212345);
	assert_string_equal(bi.modules[0].cmdline, "guest.elf arg=1");
	assert_int_equal(bi.modules[1].start, 0x213000);
	assert_int_equal(bi.modules[1].end, 0x213800);
	assert_string_equal(bi.modules[1].cmdline, "initrd.img");
	assert_int_equal(bi.info_start, MB2_ADDR);
	assert_int_equal(bi.info_end, MB2_ADDR + total);
	assert_int_equal(bi.acpi_rsdp_phys, rsdp_phys);
	assert_memory_equal(at(m, bi.acpi_rsdp_phys, 8), "RSD PTR ", 8);
}

static void test_mb2_acpi_new_preferred(void **state)
{
	struct fakemem *m = *state;
	struct boot_info bi;
	struct mb2b b;

	add_region(m, MB2_ADDR, 0x1000);
	mb2_begin(&b, m, MB2_ADDR);
	mb2_tag(&b, T_ACPI_NEW);
	uint64_t new_phys = b.cur;
	memcpy(at(m, b.cur, 8), "RSD PTR ", 8);
	b.cur += 36;
	mb2_tag_end(&b);
	mb2_tag(&b, T_ACPI_OLD);
	memcpy(at(m, b.cur, 8), "RSD PTR ", 8);
	b.cur += 20;
	mb2_tag_end(&b);
	mb2_tag(&b, T_BASIC_MEMINFO);
	mb2_u32(&b, 639);
	mb2_u32(&b, 1024);
	mb2_tag_end(&b);
	mb2_finish(&b);

	assert_int_equal(mb_parse(MB2INFO_BOOTLOADER_MAGIC, MB2_ADDR, fake_map, m, &bi), MB_OK);
	assert_int_equal(bi.acpi_rsdp_phys, new_phys);
	/* No mmap tag: synthesized from basic meminfo. */
	assert_int_equal(bi.mmap_count, 2);
	assert_range(&bi, 0, 0, 639 * 1024, MEM_USABLE);
	assert_range(&bi, 1, 0x100000, 1024 * 1024, MEM_USABLE);
}

static void test_mb2_tag_past_total_size(void **state)
{
	struct fakemem *m = *state;
	struct boot_info bi;
	struct mb2b b;

	add_region(m, MB2_ADDR, 0x1000);
	mb2_begin(&b, m, MB2_ADDR);
	mb2_cmdline(&b, "log=com1");
	mb2_tag(&b, T_MODULE);
	mb2_u32(&b, 0x200000);
	mb2_u32(&b, 0x201000);
	mb2_str(&b, "guest.elf");
	mb2_tag_end(&b);
	uint64_t mod_tag = b.tag;
	uint32_t total = mb2_finish(&b);
	put32(m, mod_tag + 4, (uint32_t)(MB2_ADDR + total - mod_tag + 8));

	assert_int_equal(mb_parse(MB2INFO_BOOTLOADER_MAGIC, MB2_ADDR, fake_map, m, &bi),
			 MB_BAD_INFO);
	assert_string_equal(bi.cmdline, "log=com1"); /* tags before the bad one still count */
	assert_int_equal(bi.module_count, 0);
}

static void test_mb2_bad_sizes(void **state)
{
	struct fakemem *m = *state;
	struct boot_info bi;
	struct mb2b b;

	add_region(m, MB2_ADDR, 0x1000);
	mb2_begin(&b, m, MB2_ADDR);
	uint32_t total = mb2_finish(&b);
	assert_int_equal(total, 16);
	/* Just the end tag is well-formed, but carries no memory information. */
	assert_int_equal(mb_parse(MB2INFO_BOOTLOADER_MAGIC, MB2_ADDR, fake_map, m, &bi),
			 MB_NO_MEMMAP);
	assert_int_equal(bi.info_end, MB2_ADDR + 16);

	put32(m, MB2_ADDR, 8); /* total_size < 16 */
	assert_int_equal(mb_parse(MB2INFO_BOOTLOADER_MAGIC, MB2_ADDR, fake_map, m, &bi),
			 MB_BAD_INFO);
	put32(m, MB2_ADDR, (1u << 20) + 8); /* > 1 MiB */
	assert_int_equal(mb_parse(MB2INFO_BOOTLOADER_MAGIC, MB2_ADDR, fake_map, m, &bi),
			 MB_BAD_INFO);
	put32(m, MB2_ADDR, 0x2000); /* plausible, but runs past mapped memory */
	assert_int_equal(mb_parse(MB2INFO_BOOTLOADER_MAGIC, MB2_ADDR, fake_map, m, &bi),
			 MB_BAD_INFO);

	/* A zero-size tag must not make the walk spin or read garbage. */
	put32(m, MB2_ADDR, 32);
	put32(m, MB2_ADDR + 8, T_CMDLINE);
	put32(m, MB2_ADDR + 12, 0);
	put32(m, MB2_ADDR + 24, T_END);
	put32(m, MB2_ADDR + 28, 8);
	assert_int_equal(mb_parse(MB2INFO_BOOTLOADER_MAGIC, MB2_ADDR, fake_map, m, &bi),
			 MB_BAD_INFO);
	put32(m, MB2_ADDR + 12, 7); /* < 8 */
	assert_int_equal(mb_parse(MB2INFO_BOOTLOADER_MAGIC, MB2_ADDR, fake_map, m, &bi),
			 MB_BAD_INFO);

	/* No end tag before total_size. */
	put32(m, MB2_ADDR + 8, T_BASIC_MEMINFO);
	put32(m, MB2_ADDR + 12, 16);
	put32(m, MB2_ADDR + 16, 639);
	put32(m, MB2_ADDR + 20, 1024);
	put32(m, MB2_ADDR, 24);
	assert_int_equal(mb_parse(MB2INFO_BOOTLOADER_MAGIC, MB2_ADDR, fake_map, m, &bi),
			 MB_BAD_INFO);
	put32(m, MB2_ADDR, 32); /* same bytes, end tag now inside total_size */
	assert_int_equal(mb_parse(MB2INFO_BOOTLOADER_MAGIC, MB2_ADDR, fake_map, m, &bi), MB_OK);
	assert_int_equal(bi.mmap_count, 2);

	/* The last tag's padding runs past a total_size that is not a multiple of 8. */
	put32(m, MB2_ADDR + 8, T_BOOTDEV);
	put32(m, MB2_ADDR + 12, 20);
	put32(m, MB2_ADDR, 28);
	assert_int_equal(mb_parse(MB2INFO_BOOTLOADER_MAGIC, MB2_ADDR, fake_map, m, &bi),
			 MB_BAD_INFO);
}

/* 1 MiB is the largest total_size accepted, even when all of it is mapped. */
static void test_mb2_size_limit(void **state)
{
	struct fakemem *m = *state;
	struct boot_info bi;
	struct mb2b b;

	add_region(m, MB2_ADDR, (1u << 20) + 0x1000);
	mb2_begin(&b, m, MB2_ADDR);
	mb2_tag(&b, T_BASIC_MEMINFO);
	mb2_u32(&b, 639);
	mb2_u32(&b, 1024);
	mb2_tag_end(&b);
	mb2_finish(&b);
	put32(m, MB2_ADDR, 1u << 20); /* end tag well before total_size is fine */
	assert_int_equal(mb_parse(MB2INFO_BOOTLOADER_MAGIC, MB2_ADDR, fake_map, m, &bi), MB_OK);
	assert_int_equal(bi.info_end, MB2_ADDR + (1u << 20));
	put32(m, MB2_ADDR, (1u << 20) + 8);
	assert_int_equal(mb_parse(MB2INFO_BOOTLOADER_MAGIC, MB2_ADDR, fake_map, m, &bi),
			 MB_BAD_INFO);
	assert_int_equal(bi.mmap_count, 0);
}

static void test_mb2_malformed_tags(void **state)
{
	struct fakemem *m = *state;
	struct boot_info bi;
	struct mb2b b;

	add_region(m, MB2_ADDR, 0x1000);
	/* A cmdline with no NUL inside its tag: keep what is there, report it. */
	mb2_begin(&b, m, MB2_ADDR);
	mb2_tag(&b, T_BASIC_MEMINFO);
	mb2_u32(&b, 639);
	mb2_u32(&b, 1024);
	mb2_tag_end(&b);
	mb2_tag(&b, T_CMDLINE);
	memcpy(at(m, b.cur, 8), "log=com1", 8);
	b.cur += 8;
	mb2_tag_end(&b);
	mb2_finish(&b);
	assert_int_equal(mb_parse(MB2INFO_BOOTLOADER_MAGIC, MB2_ADDR, fake_map, m, &bi),
			 MB_BAD_INFO);
	assert_string_equal(bi.cmdline, "log=com1");
	assert_int_equal(bi.mmap_count, 2);

	/* mmap entry_size too small for base, length, type and reserved. */
	mb2_begin(&b, m, MB2_ADDR);
	mb2_tag(&b, T_MMAP);
	mb2_u32(&b, 16);
	mb2_u32(&b, 0);
	mb2_u64(&b, 0);
	mb2_u64(&b, 0x9fc00);
	mb2_tag_end(&b);
	mb2_finish(&b);
	assert_int_equal(mb_parse(MB2INFO_BOOTLOADER_MAGIC, MB2_ADDR, fake_map, m, &bi),
			 MB_BAD_INFO);
	assert_int_equal(bi.mmap_count, 0);

	/* Tags too short for their fixed fields. */
	mb2_begin(&b, m, MB2_ADDR);
	mb2_tag(&b, T_BASIC_MEMINFO);
	mb2_u32(&b, 639);
	mb2_tag_end(&b);
	mb2_tag(&b, T_ACPI_OLD);
	memcpy(at(m, b.cur, 8), "RSD PTR ", 8);
	b.cur += 8;
	mb2_tag_end(&b);
	mb2_finish(&b);
	assert_int_equal(mb_parse(MB2INFO_BOOTLOADER_MAGIC, MB2_ADDR, fake_map, m, &bi),
			 MB_BAD_INFO);
	assert_false(bi.has_mem_lower_upper);
	assert_int_equal(bi.acpi_rsdp_phys, 0);
}

static void test_mb2_too_many_modules(void **state)
{
	struct fakemem *m = *state;
	struct boot_info bi;
	struct mb2b b;

	add_region(m, MB2_ADDR, 0x1000);
	mb2_begin(&b, m, MB2_ADDR);
	for (unsigned i = 0; i < BOOT_MAX_MODULES + 3; i++) {
		char name[8] = "m0";

		name[1] = (char)('a' + i);
		mb2_module(&b, 0x400000 + i * 0x10000, 0x400100 + i * 0x10000, name);
	}
	mb2_tag(&b, T_BASIC_MEMINFO);
	mb2_u32(&b, 639);
	mb2_u32(&b, 1024);
	mb2_tag_end(&b);
	mb2_cmdline(&b, "after the modules");
	mb2_finish(&b);

	assert_int_equal(mb_parse(MB2INFO_BOOTLOADER_MAGIC, MB2_ADDR, fake_map, m, &bi),
			 MB_TOO_MANY);
	assert_int_equal(bi.module_count, BOOT_MAX_MODULES);
	assert_string_equal(bi.modules[0].cmdline, "ma");
	assert_int_equal(bi.modules[BOOT_MAX_MODULES - 1].start,
			 0x400000 + (BOOT_MAX_MODULES - 1) * 0x10000);
	assert_string_equal(bi.modules[BOOT_MAX_MODULES - 1].cmdline, "mh");
	assert_string_equal(bi.cmdline, "after the modules");
	assert_int_equal(bi.mmap_count, 2);
}

static void test_mb2_long_cmdline_truncated(void **state)
{
	struct fakemem *m = *state;
	struct boot_info bi;
	struct mb2b b;
	char longstr[BOOT_MOD_CMDLINE_MAX + 100 + 1];

	fill_pattern(longstr, sizeof(longstr) - 1);
	add_region(m, MB2_ADDR, 0x3000);
	mb2_begin(&b, m, MB2_ADDR);
	mb2_cmdline(&b, longstr);
	mb2_module(&b, 0x300000, 0x301000, longstr);
	mb2_tag(&b, T_BASIC_MEMINFO);
	mb2_u32(&b, 639);
	mb2_u32(&b, 1024);
	mb2_tag_end(&b);
	mb2_finish(&b);

	assert_int_equal(mb_parse(MB2INFO_BOOTLOADER_MAGIC, MB2_ADDR, fake_map, m, &bi),
			 MB_STRING_CUT);
	assert_int_equal(strlen(bi.cmdline), BOOT_CMDLINE_MAX - 1);
	assert_memory_equal(bi.cmdline, longstr, BOOT_CMDLINE_MAX - 1);
	assert_int_equal(strlen(bi.modules[0].cmdline), BOOT_MOD_CMDLINE_MAX - 1);
	assert_memory_equal(bi.modules[0].cmdline, longstr, BOOT_MOD_CMDLINE_MAX - 1);
}

/* GRUB EFI after ExitBootServices: the 64-bit system table (tag 12) and the memory map as
 * the boot services left it (tag 17), which Linux needs to be told of UEFI (efi_info). */
static void test_mb2_efi_tags(void **state)
{
	struct fakemem *m = *state;
	struct boot_info bi;
	struct mb2b b;
	uint64_t descs;

	add_region(m, MB2_ADDR, 0x1000);
	mb2_begin(&b, m, MB2_ADDR);
	mb2_tag(&b, T_BASIC_MEMINFO);
	mb2_u32(&b, 639);
	mb2_u32(&b, 1024);
	mb2_tag_end(&b);
	mb2_tag(&b, T_EFI64);
	mb2_u64(&b, 0x3f5eb018);
	mb2_tag_end(&b);
	mb2_tag(&b, T_EFI_MMAP);
	mb2_u32(&b, 48); /* descr_size */
	mb2_u32(&b, 1);	 /* descr_vers */
	descs = b.cur;
	for (unsigned i = 0; i < 2 * 48 / 8; i++)
		mb2_u64(&b, i);
	mb2_tag_end(&b);
	mb2_finish(&b);

	assert_int_equal(mb_parse(MB2INFO_BOOTLOADER_MAGIC, MB2_ADDR, fake_map, m, &bi), MB_OK);
	assert_int_equal(bi.efi_systab, 0x3f5eb018);
	assert_int_equal(bi.efi_mmap_phys, descs);
	assert_int_equal(bi.efi_mmap_size, 2 * 48);
	assert_int_equal(bi.efi_desc_size, 48);
	assert_int_equal(bi.efi_desc_version, 1);
}

static void test_mb2_zero_length_entries_dropped(void **state)
{
	struct fakemem *m = *state;
	struct boot_info bi;
	struct mb2b b;
	static const uint64_t ent[][3] = {
	    {0, 0x9fc00, MEM_USABLE},		{0x9fc00, 0, MEM_RESERVED},
	    {0x100000, 0, MEM_USABLE},		{0x100000, 0x7ee0000, MEM_USABLE},
	    {0xfee00000, 0x1000, MEM_ACPI_NVS}, {0xfffc0000, 0, MEM_RESERVED},
	};

	add_region(m, MB2_ADDR, 0x1000);
	mb2_begin(&b, m, MB2_ADDR);
	mb2_tag(&b, T_MMAP);
	mb2_u32(&b, 24);
	mb2_u32(&b, 0);
	for (unsigned i = 0; i < sizeof(ent) / sizeof(ent[0]); i++) {
		mb2_u64(&b, ent[i][0]);
		mb2_u64(&b, ent[i][1]);
		mb2_u32(&b, (uint32_t)ent[i][2]);
		mb2_u32(&b, 0);
	}
	mb2_tag_end(&b);
	mb2_finish(&b);

	assert_int_equal(mb_parse(MB2INFO_BOOTLOADER_MAGIC, MB2_ADDR, fake_map, m, &bi), MB_OK);
	assert_false(bi.has_mem_lower_upper);
	assert_int_equal(bi.mmap_count, 3);
	assert_range(&bi, 0, 0, 0x9fc00, MEM_USABLE);
	assert_range(&bi, 1, 0x100000, 0x7ee0000, MEM_USABLE);
	assert_range(&bi, 2, 0xfee00000, 0x1000, MEM_ACPI_NVS);
}

/* ---- common ---- */

static void test_bad_magic(void **state)
{
	struct fakemem *m = *state;
	struct boot_info bi;

	add_region(m, MBI_ADDR, MBI_QEMU_SIZE);
	put_mbi(m, F_MEM, 639, 64512);
	memset(&bi, 0xa5, sizeof(bi));
	/* The header magic, a classic mix-up with the EAX value. */
	assert_int_equal(mb_parse(0x1BADB002, MBI_ADDR, fake_map, m, &bi), MB_BAD_MAGIC);
	assert_int_equal(mb_parse(0xE85250D6, MBI_ADDR, fake_map, m, &bi), MB_BAD_MAGIC);
	assert_int_equal(m->map_calls, 0);
	assert_int_equal(bi.protocol, 0);
	assert_int_equal(bi.mmap_count, 0);
	assert_int_equal(bi.module_count, 0);
	assert_false(bi.has_mem_lower_upper);
	assert_int_equal(bi.cmdline[0], '\0');
	assert_int_equal(bi.info_start, 0);
}

static void test_status_str(void **state)
{
	static const enum mb_status all[] = {MB_OK, MB_BAD_MAGIC, MB_BAD_INFO, MB_NO_MEMMAP,
					     MB_TOO_MANY};
	const unsigned n = sizeof(all) / sizeof(all[0]);

	(void)state;
	for (unsigned i = 0; i < n; i++) {
		assert_non_null(mb_status_str(all[i]));
		assert_true(strlen(mb_status_str(all[i])) > 0);
		for (unsigned j = 0; j < i; j++)
			assert_string_not_equal(mb_status_str(all[i]), mb_status_str(all[j]));
	}
	assert_non_null(mb_status_str((enum mb_status)99));
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_mb1_qemu_layout),
	    T(test_mb1_mmap_size_24_stride),
	    T(test_mb1_mem_lower_upper_only),
	    T(test_mb1_no_memory_info),
	    T(test_unmapped_info),
	    T(test_mb1_cmdline_unterminated),
	    T(test_mb1_cmdline_ends_at_last_mapped_byte),
	    T(test_mb1_too_many_modules),
	    T(test_mb1_too_many_mmap_entries),
	    T(test_mb1_long_cmdline_truncated),
	    T(test_mb1_linux_cmdline_whole),
	    T(test_mb2_efi_tags),
	    T(test_mb1_zero_length_entries_dropped),
	    T(test_mb1_mmap_truncated),
	    T(test_mb2_grub_layout),
	    T(test_mb2_acpi_new_preferred),
	    T(test_mb2_tag_past_total_size),
	    T(test_mb2_bad_sizes),
	    T(test_mb2_size_limit),
	    T(test_mb2_malformed_tags),
	    T(test_mb2_too_many_modules),
	    T(test_mb2_long_cmdline_truncated),
	    T(test_mb2_zero_length_entries_dropped),
	    T(test_bad_magic),
	    T(test_status_str),
	};

	return cmocka_run_group_tests_name("multiboot", tests, NULL, NULL);
}
