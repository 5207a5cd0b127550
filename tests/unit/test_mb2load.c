/* test_mb2load.c - cmocka tests for the multiboot2 OS image loader in guest/mb2load.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "guest/mb2load.h"

/*
 * Layouts written out independently of guest/mb2load.c: the Multiboot2 specification 2.0,
 * 3.1 (header: magic 0xE85250D6, architecture, header_length, checksum; tags u16 type,
 * u16 flags (bit 0 optional), u32 size, 8-byte aligned, ended by type 0 size 8), TIS ELF 1.2
 * (Elf32) and ELF-64 1.5 (Elf64).
 */
#define MAGIC	  0xE85250D6u
#define OPT	  1 /* the 'optional' tag flag */
#define FILE_SIZE 0x10000u
#define HDR_OFF	  0x1000u
#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))
#define ERRLEN	  200

static uint8_t file[FILE_SIZE];
static char err[ERRLEN];
static size_t hstart, hpos;
static uint32_t harch;

static void put16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, 2); /* x86 host: little-endian like the formats */
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

/* Start a header at @off (no magic yet); tags follow its 16 bytes of magic fields. */
static void hdr_start(size_t off)
{
	hstart = off;
	hpos = off + 16;
	harch = 0;
	memset(file + off, 0, 16);
}

/* The magic fields: magic, architecture, header_length, checksum (3.1.2). */
static void set_len(uint32_t len)
{
	put32(file + hstart, MAGIC);
	put32(file + hstart + 4, harch);
	put32(file + hstart + 8, len);
	put32(file + hstart + 12, -(MAGIC + harch + len));
}

/* A tag with @n u32 payload words, padded with zeros to the next 8-byte boundary. */
static void add_tag(uint16_t type, uint16_t flags, const uint32_t *words, unsigned n)
{
	uint32_t size = 8 + 4 * n;

	memset(file + hpos, 0, (size + 7) & ~7u);
	put16(file + hpos, type);
	put16(file + hpos + 2, flags);
	put32(file + hpos + 4, size);
	for (unsigned i = 0; i < n; i++)
		put32(file + hpos + 8 + 4 * i, words[i]);
	hpos += (size + 7) & ~7u;
}

#define TAG(type, flags, ...)                                                                      \
	add_tag(type, flags, (const uint32_t[]){__VA_ARGS__},                                      \
		sizeof((const uint32_t[]){__VA_ARGS__}) / 4)
#define TAG0(type, flags) add_tag(type, flags, NULL, 0)

/* The end tag, then the magic fields. */
static void hdr_finish(void)
{
	TAG0(0, 0);
	set_len((uint32_t)(hpos - hstart));
}

struct ph {
	uint32_t type;
	uint64_t offset, vaddr, paddr, filesz, memsz;
};

/* An ET_EXEC of @cls (32 or 64) bits with @n program headers right after its ELF header. */
static void make_elf(int cls, uint16_t machine, uint64_t entry, const struct ph *ph, unsigned n)
{
	unsigned ehsize = cls == 64 ? 64 : 52, phsize = cls == 64 ? 56 : 32;

	for (size_t i = 0; i < sizeof(file); i++)
		file[i] = (uint8_t)(i * 13 + 5);
	memset(file, 0, HDR_OFF);
	memcpy(file,
	       "\x7f"
	       "ELF",
	       4);
	file[4] = cls == 64 ? 2 : 1; /* ELFCLASS64 / ELFCLASS32 */
	file[5] = 1;		     /* ELFDATA2LSB */
	file[6] = 1;		     /* EV_CURRENT */
	put16(file + 16, 2);	     /* ET_EXEC */
	put16(file + 18, machine);
	put32(file + 20, 1);
	if (cls == 64) {
		put64(file + 24, entry);
		put64(file + 32, ehsize); /* e_phoff */
		put16(file + 52, (uint16_t)ehsize);
		put16(file + 54, (uint16_t)phsize);
		put16(file + 56, (uint16_t)n);
	} else {
		put32(file + 24, (uint32_t)entry);
		put32(file + 28, ehsize);
		put16(file + 40, (uint16_t)ehsize);
		put16(file + 42, (uint16_t)phsize);
		put16(file + 44, (uint16_t)n);
	}
	for (unsigned i = 0; i < n; i++) {
		uint8_t *p = file + ehsize + i * phsize;

		put32(p, ph[i].type);
		if (cls == 64) {
			put32(p + 4, 5); /* p_flags */
			put64(p + 8, ph[i].offset);
			put64(p + 16, ph[i].vaddr);
			put64(p + 24, ph[i].paddr);
			put64(p + 32, ph[i].filesz);
			put64(p + 40, ph[i].memsz);
		} else {
			put32(p + 4, (uint32_t)ph[i].offset);
			put32(p + 8, (uint32_t)ph[i].vaddr);
			put32(p + 12, (uint32_t)ph[i].paddr);
			put32(p + 16, (uint32_t)ph[i].filesz);
			put32(p + 20, (uint32_t)ph[i].memsz);
		}
	}
	hdr_start(HDR_OFF);
}

static const struct ph two_segs[] = {
    {1, 0x1000, 0x100000, 0x100000, 0x2000, 0x2000},
    {4, 0x1100, 0, 0, 0x20, 0x20},		    /* PT_NOTE: ignored */
    {1, 0x3000, 0x103000, 0x103000, 0x800, 0x5000}, /* data + bss */
    {1, 0x0, 0x200000, 0x200000, 0, 0},		    /* empty PT_LOAD: skipped */
};

/* A plain ELF32 kernel with the same tags as tests/mb2kernel/header.S. */
static void make_elf32(void)
{
	make_elf(32, 3, 0x10000c, two_segs, NELEMS(two_segs));
	TAG(1, 0, 1, 2, 3, 4, 6, 14, 15);
	TAG0(6, 0);
	hdr_finish();
}

/* Header at 0x40, no ELF: [0x100000, 0x102000) from file offset 0, bss to 0x105000. */
static void make_aout(uint32_t header_addr, uint32_t load_addr, uint32_t load_end, uint32_t bss_end,
		      uint32_t entry)
{
	for (size_t i = 0; i < sizeof(file); i++)
		file[i] = (uint8_t)(i * 7 + 1);
	hdr_start(0x40);
	TAG(2, 0, header_addr, load_addr, load_end, bss_end);
	TAG(3, 0, entry);
	hdr_finish();
}

static struct mbload_image img;
static struct mb2load_request req;

static int parse(size_t len)
{
	memset(&img, 0xCC, sizeof(img));
	memset(&req, 0xCC, sizeof(req));
	err[0] = 'X';
	return mb2load_parse(file, len, &img, &req, err, sizeof(err));
}

static void expect_ok(void)
{
	assert_int_equal(parse(FILE_SIZE), 0);
	assert_string_equal(err, "");
}

static void expect_fail(size_t len, int code, const char *needle)
{
	static const struct mb2load_request zero;

	int rc = parse(len);

	if (rc != code || !strstr(err, needle))
		fail_msg("got %d \"%s\", wanted %d \"%s\"", rc, err, code, needle);
	assert_int_equal(img.nseg, 0);
	assert_memory_equal(&req, &zero, sizeof(req));
}

static void test_elf32(void **state)
{
	(void)state;
	make_elf32();
	expect_ok();
	assert_int_equal(img.nseg, 2);
	assert_int_equal(img.seg[0].paddr, 0x100000);
	assert_int_equal(img.seg[0].filesz, 0x2000);
	assert_int_equal(img.seg[0].memsz, 0x2000);
	assert_int_equal(img.seg[0].file_off, 0x1000);
	assert_int_equal(img.seg[1].paddr, 0x103000);
	assert_int_equal(img.seg[1].filesz, 0x800);
	assert_int_equal(img.seg[1].memsz, 0x5000);
	assert_int_equal(img.seg[1].file_off, 0x3000);
	assert_int_equal(img.entry, 0x10000c);
	assert_int_equal(img.flags, 0);
	assert_int_equal(img.lowest, 0x100000);
	assert_int_equal(img.highest_end, 0x108000);
	assert_int_equal(req.info_types,
			 1u << 1 | 1u << 2 | 1u << 3 | 1u << 4 | 1u << 6 | 1u << 14 | 1u << 15);
	assert_true(req.modules_page_aligned);
	assert_false(req.relocatable);
	assert_false(req.load_base);

	/* The entry address tag wins over e_entry, and is physical (no translation). */
	make_elf(32, 3, 0x10000c, two_segs, NELEMS(two_segs));
	TAG(3, 0, 0x103010);
	hdr_finish();
	expect_ok();
	assert_int_equal(img.entry, 0x103010);
	assert_false(req.modules_page_aligned);
	assert_int_equal(req.info_types, 0);
	make_elf(32, 3, 0x10000c, two_segs, NELEMS(two_segs));
	TAG(3, 0, 0x103800); /* bss only */
	hdr_finish();
	expect_fail(FILE_SIZE, MBLOAD_E_ENTRY,
		    "entry point 0x103800 (entry address tag 0x103800) is not inside");
}

static void test_elf64(void **state)
{
	/* Linked in the top 2 GiB, loaded at 1 MiB, as 64-bit kernels usually are. */
	const struct ph hh[] = {
	    {1, 0x1000, 0xffffffff80100000ull, 0x100000, 0x1000, 0x1000},
	    {1, 0x2000, 0xffffffff80101000ull, 0x101000, 0x1000, 0x3000},
	};
	const struct ph low[] = {{1, 0x1000, 0x200000, 0x200000, 0x3000, 0x4000}};
	struct ph high[] = {{1, 0x1000, 0x100000, 0x100000, 0x1000, 0x1000},
			    {1, 0x2000, 0x100001000ull, 0x100001000ull, 0x1000, 0x1000}};

	(void)state;
	make_elf(64, 62, 0xffffffff80100010ull, hh, NELEMS(hh));
	hdr_finish();
	expect_ok();
	assert_int_equal(img.nseg, 2);
	assert_int_equal(img.entry, 0x100010);
	assert_int_equal(img.seg[1].paddr, 0x101000);
	assert_int_equal(img.seg[1].memsz, 0x3000);
	assert_int_equal(img.seg[1].file_off, 0x2000);
	assert_int_equal(img.highest_end, 0x104000);

	make_elf(64, 62, 0x200100, low, NELEMS(low));
	hdr_finish();
	expect_ok();
	assert_int_equal(img.entry, 0x200100);
	assert_int_equal(img.seg[0].filesz, 0x3000);

	/* A 64-bit e_entry in no segment cannot be reached from 32-bit mode. */
	make_elf(64, 62, 0xffffffff90000000ull, hh, NELEMS(hh));
	hdr_finish();
	expect_fail(FILE_SIZE, MBLOAD_E_ENTRY, "(e_entry 0xffffffff90000000) is not inside");
	/* ... unless the entry address tag gives a physical one. */
	make_elf(64, 62, 0xffffffff90000000ull, hh, NELEMS(hh));
	TAG(3, 0, 0x100020);
	hdr_finish();
	expect_ok();
	assert_int_equal(img.entry, 0x100020);

	/* Every PT_LOAD below 4 GiB. */
	make_elf(64, 62, 0x100000, high, NELEMS(high));
	hdr_finish();
	expect_fail(FILE_SIZE, MBLOAD_E_ELF,
		    "program header 1: [0x100001000, 0x100002000) extends past 4 GiB");
	high[1].paddr = 0xfffff000;
	high[1].filesz = 0x800;
	high[1].memsz = 0x1001;
	make_elf(64, 62, 0x100000, high, NELEMS(high));
	hdr_finish();
	expect_fail(FILE_SIZE, MBLOAD_E_ELF, "extends past 4 GiB");
	high[1].memsz = 0xfff; /* ends just below 4 GiB */
	make_elf(64, 62, 0x100000, high, NELEMS(high));
	hdr_finish();
	expect_ok();
	/* 64-bit offsets and sizes are range-checked without wrapping. */
	high[1] = (struct ph){1, 0xfffffffffffff000ull, 0x200000, 0x200000, 0x2000, 0x2000};
	make_elf(64, 62, 0x100000, high, NELEMS(high));
	hdr_finish();
	expect_fail(FILE_SIZE, MBLOAD_E_ELF, "program header 1: file bytes");
	high[1] = (struct ph){1, 0x1000, 0x200000, 0x200000, 0x1000, 0xffffffff00000000ull};
	make_elf(64, 62, 0x100000, high, NELEMS(high));
	hdr_finish();
	expect_fail(FILE_SIZE, MBLOAD_E_ELF, "extends past 4 GiB");
	make_elf(64, 62, 0x100000, low, NELEMS(low));
	put64(file + 32, 0xffffffffffffffc0ull); /* e_phoff */
	hdr_finish();
	expect_fail(FILE_SIZE, MBLOAD_E_ELF, "program headers at 0xffffffffffffffc0");
}

static void test_elf_errors(void **state)
{
	(void)state;
	make_elf(64, 3, 0x100000, two_segs, NELEMS(two_segs));
	hdr_finish();
	expect_fail(FILE_SIZE, MBLOAD_E_ELF, "ELF machine 3 is not EM_X86_64 (62)");
	make_elf(32, 62, 0x100000, two_segs, NELEMS(two_segs));
	hdr_finish();
	expect_fail(FILE_SIZE, MBLOAD_E_ELF, "ELF machine 62 is not EM_386 (3)");
	make_elf(32, 3, 0x100000, two_segs, NELEMS(two_segs));
	file[4] = 3;
	hdr_finish();
	expect_fail(FILE_SIZE, MBLOAD_E_ELF, "ELF class 3");
	file[0] = 0;
	expect_fail(FILE_SIZE, MBLOAD_E_ELF,
		    "not an ELF file, and a non-ELF multiboot2 kernel needs an address tag");
	make_elf(64, 62, 0x100000, two_segs, NELEMS(two_segs));
	hdr_finish();
	expect_fail(0x1000 + 0x40, MBLOAD_E_ELF, "run past the end of the 4160-byte file");

	/* Overlapping and empty segment lists, in both classes. */
	for (int cls = 32; cls <= 64; cls += 32) {
		const struct ph overlap[] = {{1, 0x1000, 0x100000, 0x100000, 0x1000, 0x2000},
					     {1, 0x3000, 0x101fff, 0x101fff, 0x10, 0x10}};
		const struct ph none[] = {{4, 0x1000, 0, 0, 0x10, 0x10},
					  {1, 0x1000, 0x100000, 0x100000, 0, 0}};

		make_elf(cls, cls == 64 ? 62 : 3, 0x100000, overlap, NELEMS(overlap));
		hdr_finish();
		expect_fail(FILE_SIZE, MBLOAD_E_SEGMENTS,
			    "[0x101fff, 0x10200f) overlaps segment [0x100000, 0x102000)");
		make_elf(cls, cls == 64 ? 62 : 3, 0x100000, none, NELEMS(none));
		hdr_finish();
		expect_fail(FILE_SIZE, MBLOAD_E_SEGMENTS, "no non-empty PT_LOAD");
	}
}

static void test_address_tag(void **state)
{
	(void)state;
	make_aout(0x100040, 0x100000, 0x102000, 0x105000, 0x100080);
	expect_ok();
	assert_int_equal(img.nseg, 1);
	assert_int_equal(img.seg[0].paddr, 0x100000);
	assert_int_equal(img.seg[0].filesz, 0x2000);
	assert_int_equal(img.seg[0].memsz, 0x5000);
	assert_int_equal(img.seg[0].file_off, 0);
	assert_int_equal(img.entry, 0x100080);
	assert_int_equal(img.lowest, 0x100000);
	assert_int_equal(img.highest_end, 0x105000);

	/* load_addr -1: from the file's start, so at header_addr - 0x40; load_end 0: all of it. */
	make_aout(0x200040, 0xFFFFFFFF, 0, 0, 0x200000);
	expect_ok();
	assert_int_equal(img.seg[0].paddr, 0x200000);
	assert_int_equal(img.seg[0].file_off, 0);
	assert_int_equal(img.seg[0].filesz, FILE_SIZE);
	assert_int_equal(img.seg[0].memsz, FILE_SIZE);
	make_aout(0x200040, 0xFFFFFFFF, 0x201000, 0x208000, 0x200000);
	expect_ok();
	assert_int_equal(img.seg[0].filesz, 0x1000);
	assert_int_equal(img.seg[0].memsz, 0x8000);
	make_aout(0x20, 0xFFFFFFFF, 0, 0, 0x20); /* header_addr below the header's offset */
	expect_fail(FILE_SIZE, MBLOAD_E_AOUT, "multiboot2 address tag: load_addr 0xffffffe0");

	/* The address tag overrides the ELF headers. */
	make_elf(32, 3, 0x10000c, two_segs, NELEMS(two_segs));
	TAG(1, 0, 1, 2, 3);
	TAG(2, 0, 0x301000, 0x300000, 0x302000, 0);
	TAG(3, 0, 0x300004);
	hdr_finish();
	expect_ok();
	assert_int_equal(img.nseg, 1);
	assert_int_equal(img.seg[0].paddr, 0x300000);
	assert_int_equal(img.seg[0].file_off, 0);

	make_aout(0x100040, 0x100080, 0x102000, 0, 0x100080);
	expect_fail(FILE_SIZE, MBLOAD_E_AOUT, "load_addr 0x100080 is above header_addr 0x100040");
	make_aout(0x100080, 0x100000, 0x102000, 0, 0x100080);
	expect_fail(FILE_SIZE, MBLOAD_E_AOUT, "0x80 exceeds the header's file offset 0x40");
	make_aout(0x100040, 0x100000, 0x100000 + FILE_SIZE + 1, 0, 0x100080);
	expect_fail(FILE_SIZE, MBLOAD_E_AOUT, "file has only 0x10000");
	make_aout(0x100040, 0x100000, 0x102000, 0x101000, 0x100080);
	expect_fail(FILE_SIZE, MBLOAD_E_AOUT, "bss_end_addr 0x101000 is below the load end");
	make_aout(0x100040, 0x100000, 0x102000, 0x105000, 0x102000);
	expect_fail(FILE_SIZE, MBLOAD_E_ENTRY,
		    "entry_addr 0x102000 is outside the loaded range [0x100000, 0x102000)");
	make_aout(0xfffff040, 0xfffff000, 0, 0, 0xfffff000);
	expect_fail(FILE_SIZE, MBLOAD_E_AOUT, "past 4 GiB");

	/* 3.1.6: an address tag needs an entry address tag. */
	hdr_start(0x40);
	TAG(2, 0, 0x100040, 0x100000, 0x102000, 0);
	hdr_finish();
	expect_fail(FILE_SIZE, MBLOAD_E_ENTRY, "address tag without an entry address tag");
}

static void test_header_search(void **state)
{
	(void)state;
	memset(file, 0, sizeof(file));
	expect_fail(FILE_SIZE, MBLOAD_E_NOHDR, "no multiboot2 header (magic 0xe85250d6)");
	expect_fail(0, MBLOAD_E_NOHDR, "in the first 32768 bytes of the 0-byte image");

	make_elf32();
	put32(file + HDR_OFF + 12, 0x12345678);
	expect_fail(FILE_SIZE, MBLOAD_E_NOHDR, "header at offset 0x1000 has a bad checksum");

	/* Architecture 4 (MIPS) with a matching checksum. */
	make_elf(32, 3, 0x10000c, two_segs, NELEMS(two_segs));
	harch = 4;
	hdr_finish();
	expect_fail(FILE_SIZE, MBLOAD_E_HEADER, "is for architecture 4, not i386 (0)");

	/* Only 64-bit aligned positions count. */
	make_elf(32, 3, 0x10000c, two_segs, NELEMS(two_segs));
	hdr_start(HDR_OFF + 4);
	hdr_finish();
	expect_fail(FILE_SIZE, MBLOAD_E_NOHDR, "no multiboot2 header");

	/* Wholly within the first 32768 bytes: ending at 32768 counts, starting there not. */
	make_elf(32, 3, 0x10000c, two_segs, NELEMS(two_segs));
	hdr_start(32768 - 24);
	hdr_finish();
	expect_ok();
	memset(file + 32768 - 24, 0, 24);
	hdr_start(32768);
	hdr_finish();
	expect_fail(FILE_SIZE, MBLOAD_E_NOHDR, "in the first 32768 bytes");
	memset(file + 32768, 0, 24);
	hdr_start(32768 - 16); /* the magic fields fit, the tags do not */
	hdr_finish();
	expect_fail(FILE_SIZE, MBLOAD_E_HEADER, "header_length 24 is below 24 or runs past");
	make_elf32();
	expect_fail(HDR_OFF + 20, MBLOAD_E_HEADER, "runs past the file");

	/* header_length too small for the end tag, or tags without one. */
	make_elf32();
	set_len(16);
	expect_fail(FILE_SIZE, MBLOAD_E_HEADER, "header_length 16 is below 24");
	make_elf(32, 3, 0x10000c, two_segs, NELEMS(two_segs));
	TAG0(6, 0);
	TAG0(6, 0);
	set_len(32);
	expect_fail(FILE_SIZE, MBLOAD_E_HEADER, "reach header_length 32 without an end tag");
}

static void test_tag_sizes(void **state)
{
	(void)state;
	/* A tag running past header_length, a tag below 8 bytes, an address tag too short. */
	make_elf(32, 3, 0x10000c, two_segs, NELEMS(two_segs));
	TAG(1, 0, 1, 2);
	hdr_finish();
	put32(file + HDR_OFF + 16 + 4, 40);
	expect_fail(FILE_SIZE, MBLOAD_E_HEADER,
		    "tag 1 at header offset 0x10 has size 40: below 8 or past header_length 40");
	put32(file + HDR_OFF + 16 + 4, 4);
	expect_fail(FILE_SIZE, MBLOAD_E_HEADER, "has size 4: below 8");
	make_elf(32, 3, 0x10000c, two_segs, NELEMS(two_segs));
	TAG(2, 0, 0x101000, 0x100000);
	hdr_finish();
	expect_fail(FILE_SIZE, MBLOAD_E_HEADER,
		    "tag 2 at header offset 0x10 has size 16: below 24");
	make_elf(32, 3, 0x10000c, two_segs, NELEMS(two_segs));
	TAG0(3, 0);
	hdr_finish();
	expect_fail(FILE_SIZE, MBLOAD_E_HEADER, "tag 3 at header offset 0x10 has size 8: below 12");
	/* An end tag larger than 8 still ends the list; so does an empty info request. */
	make_elf(32, 3, 0x10000c, two_segs, NELEMS(two_segs));
	TAG0(1, 0);
	TAG(0, 0, 0, 0);
	set_len(40);
	expect_ok();
}

static void test_required_tags(void **state)
{
	static const struct {
		uint16_t type;
		const char *msg;
	} refused[] = {
	    {5, "multiboot2 header tag 5 (framebuffer) is required but not supported"},
	    {8, "multiboot2 header tag 8 (EFI i386 entry address) is required but not supported"},
	    {9, "multiboot2 header tag 9 (EFI amd64 entry address) is required"},
	    {11, "multiboot2 header tag 11 (unknown) is required but not supported"},
	    {0xffff, "multiboot2 header tag 65535 (unknown) is required"},
	};

	(void)state;
	for (unsigned i = 0; i < NELEMS(refused); i++) {
		make_elf(32, 3, 0x10000c, two_segs, NELEMS(two_segs));
		TAG(refused[i].type, 0, 1024, 768, 32);
		hdr_finish();
		expect_fail(FILE_SIZE, MBLOAD_E_FEATURE, refused[i].msg);
		/* Flagged optional, the same tag is ignored (other flag bits do not matter). */
		make_elf(32, 3, 0x10000c, two_segs, NELEMS(two_segs));
		TAG(refused[i].type, OPT | 0x8000, 1024, 768, 32);
		hdr_finish();
		expect_ok();
	}

	/* 3.1.12: tag 7 says the image can start with boot services running, not that it must. */
	make_elf(32, 3, 0x10000c, two_segs, NELEMS(two_segs));
	TAG0(7, 0);
	hdr_finish();
	expect_ok();

	/* 3.1.9: bit 0 'console required' cannot be met; bit 1 (EGA text) alone is fine. */
	make_elf(32, 3, 0x10000c, two_segs, NELEMS(two_segs));
	TAG(4, 0, 3);
	hdr_finish();
	expect_fail(FILE_SIZE, MBLOAD_E_FEATURE, "flags tag requires a console");
	make_elf(32, 3, 0x10000c, two_segs, NELEMS(two_segs));
	TAG(4, OPT, 1);
	TAG(4, 0, 2);
	hdr_finish();
	expect_ok();
}

static void test_info_request(void **state)
{
	static const uint32_t refused[] = {5, 7, 8, 9, 10, 11, 12, 13, 16, 17, 18, 19, 20, 22, 99};
	char msg[120];

	(void)state;
	for (unsigned i = 0; i < NELEMS(refused); i++) {
		make_elf(32, 3, 0x10000c, two_segs, NELEMS(two_segs));
		TAG(1, 0, 1, refused[i], 6);
		hdr_finish();
		snprintf(msg, sizeof(msg),
			 "requests information tag type %u, which we cannot provide", refused[i]);
		expect_fail(FILE_SIZE, MBLOAD_E_FEATURE, msg);
		/* An optional request only records what it asks (types below 32). */
		make_elf(32, 3, 0x10000c, two_segs, NELEMS(two_segs));
		TAG(1, OPT, 1, refused[i], 6);
		hdr_finish();
		expect_ok();
		assert_int_equal(req.info_types,
				 1u << 1 | 1u << 6 | (refused[i] < 32 ? 1u << refused[i] : 0));
	}

	/* Everything we give, the end tag and the load base included. */
	make_elf(32, 3, 0x10000c, two_segs, NELEMS(two_segs));
	TAG(1, 0, 0, 1, 2, 3, 4, 6, 14, 15, 21);
	TAG(1, 0, 1); /* several request tags add up */
	hdr_finish();
	expect_ok();
	assert_int_equal(req.info_types, 1u << 0 | 1u << 1 | 1u << 2 | 1u << 3 | 1u << 4 | 1u << 6 |
					     1u << 14 | 1u << 15 | 1u << 21);
	assert_true(req.load_base);
	assert_int_equal(req.load_base_addr, 0x100000);
	assert_false(req.relocatable);
}

static void test_relocatable(void **state)
{
	(void)state;
	/* 3.1.13: min_addr, max_addr, align, preference; the parse keeps the linked address. */
	make_elf(32, 3, 0x10000c, two_segs, NELEMS(two_segs));
	TAG(10, 0, 0x100000, 0x10000000, 0x200000, 1);
	hdr_finish();
	expect_ok();
	assert_true(req.relocatable);
	assert_int_equal(req.reloc_min, 0x100000);
	assert_int_equal(req.reloc_max, 0x10000000);
	assert_int_equal(req.reloc_align, 0x200000);
	assert_true(req.load_base);
	assert_int_equal(req.load_base_addr, 0x100000);
	assert_int_equal(img.entry, 0x10000c);
	make_aout(0x100040, 0x100000, 0x102000, 0x105000, 0x100080);
	hdr_start(0x40); /* the same image, tags in another order */
	TAG(10, 0, 0x100000, 0x10000000, 0x1000, 0);
	TAG(3, 0, 0x100080);
	TAG(2, 0, 0x100040, 0x100000, 0x102000, 0x105000);
	hdr_finish();
	expect_ok();
	assert_true(req.load_base);
	assert_int_equal(req.load_base_addr, 0x100000);
	assert_int_equal(img.seg[0].memsz, 0x5000);
}

/* mb2load_relocate(): 3.1.13's min_addr, max_addr (the image's end) and align bind the loader. */
static void test_relocate(void **state)
{
	static const struct mem_range map[] = {
	    {0, 0x9fc00, MEM_USABLE},
	    {0x100000, 0x7f00000, MEM_USABLE},
	    {0x400000, 0x100000, MEM_RESERVED}, /* inside the usable entry: it wins */
	};
	static const struct mem_range low_only[] = {{0, 0x9fc00, MEM_USABLE}};
	static const struct {
		uint32_t min, max, align;
		const struct mem_range *map;
		unsigned nmap;
		uint32_t base; /* where two_segs' [0x100000, 0x108000) loads; 0: refused */
	} cases[] = {
	    {0x100000, 0x10000000, 0x1000, map, NELEMS(map), 0x100000},	  /* linked address obeys */
	    {0, 0x108000, 0, map, NELEMS(map), 0x100000},		  /* ends at max_addr */
	    {0x300000, 0x10000000, 0x200000, map, NELEMS(map), 0x600000}, /* past the reserved */
	    {0x100000, 0x10000000, 0x300000, map, NELEMS(map), 0x300000}, /* misaligned */
	    {0x1000, 0x10000000, 0x1000, low_only, NELEMS(low_only), 0x1000}, /* moves down */
	    {0x300000, 0x307fff, 1, map, NELEMS(map), 0},		      /* too small */
	    {0x100000, 0x10000000, 0x1000, low_only, NELEMS(low_only), 0},    /* no RAM there */
	};

	(void)state;
	for (unsigned i = 0; i < NELEMS(cases); i++) {
		int rc;
		make_elf(32, 3, 0x10000c, two_segs, NELEMS(two_segs));
		TAG(10, 0, cases[i].min, cases[i].max, cases[i].align, 1);
		hdr_finish();
		expect_ok();
		rc = mb2load_relocate(&img, &req, cases[i].map, cases[i].nmap, err, sizeof(err));
		if (!cases[i].base) {
			assert_int_equal(rc, MBLOAD_E_PLACEMENT);
			assert_non_null(strstr(err, "fits nowhere in usable guest RAM"));
			continue;
		}
		assert_int_equal(rc, 0);
		assert_int_equal(img.seg[0].paddr, cases[i].base);
		assert_int_equal(img.seg[1].paddr, cases[i].base + 0x3000);
		assert_int_equal(img.lowest, cases[i].base);
		assert_int_equal(img.highest_end, cases[i].base + 0x8000);
		assert_int_equal(img.entry, cases[i].base + 0xc);
		assert_int_equal(req.load_base_addr, cases[i].base);
	}
	/* Not relocatable: nothing moves, wherever it is (the placement check refuses it later). */
	make_elf(32, 3, 0x10000c, two_segs, NELEMS(two_segs));
	hdr_finish();
	expect_ok();
	assert_int_equal(mb2load_relocate(&img, &req, low_only, NELEMS(low_only), err, sizeof(err)),
			 0);
	assert_int_equal(img.lowest, 0x100000);
}

static uint32_t lcg(uint32_t *s)
{
	*s = *s * 1664525u + 1013904223u;
	return *s >> 8;
}

/* Every truncation and random corruption either parses consistently or fails cleanly. */
static void test_truncation_and_fuzz(void **state)
{
	uint32_t seed = 7;

	(void)state;
	make_elf32();
	for (size_t len = 0; len <= 0x4000; len++) {
		/* The second segment's file bytes end at 0x3800. */
		if (len >= 0x3800)
			assert_int_equal(parse(len), 0);
		else
			assert_true(parse(len) < 0);
	}
	for (int iter = 0; iter < 20000; iter++) {
		size_t len = FILE_SIZE, base;
		int rc;

		if (iter % 3 == 0) {
			make_elf32();
			base = HDR_OFF;
		} else if (iter % 3 == 1) {
			make_elf(64, 62, 0x10000c, two_segs, NELEMS(two_segs));
			TAG(1, OPT, 8, 9);
			TAG(3, 0, 0x100000);
			TAG(10, 0, 1, 2, 3, 4);
			hdr_finish();
			base = lcg(&seed) & 1 ? HDR_OFF : 0;
		} else {
			make_aout(0x100040, 0x100000, 0x102000, 0x105000, 0x100080);
			base = 0x40;
		}
		for (int k = lcg(&seed) % 4; k >= 0; k--)
			file[base + lcg(&seed) % 0x80] = (uint8_t)lcg(&seed);
		/* Keep the checksum right half of the time, so the tags get walked. */
		if (lcg(&seed) & 1) {
			uint32_t f[3];

			memcpy(f, file + hstart, sizeof(f));
			put32(file + hstart + 12, -(f[0] + f[1] + f[2]));
		}
		if (lcg(&seed) % 4 == 0)
			len = lcg(&seed) % FILE_SIZE;
		rc = parse(len);
		if (rc == 0) {
			assert_true(img.nseg >= 1 && img.nseg <= MBLOAD_MAX_SEGS);
			for (unsigned i = 0; i < img.nseg; i++) {
				assert_true(img.seg[i].filesz <= img.seg[i].memsz);
				assert_true((uint64_t)img.seg[i].file_off + img.seg[i].filesz <=
					    len);
				assert_true(img.seg[i].paddr >= img.lowest);
				assert_true(img.seg[i].paddr + img.seg[i].memsz <= img.highest_end);
			}
		} else {
			assert_true(rc < 0);
			assert_true(strlen(err) > 10);
			assert_int_equal(img.nseg, 0);
		}
	}
}

static void test_misc(void **state)
{
	char tiny[8];

	(void)state;
	assert_int_equal(mb2load_parse(NULL, 10, &img, &req, err, ERRLEN), MBLOAD_E_INVAL);
	assert_int_equal(mb2load_parse(file, 10, NULL, &req, err, ERRLEN), MBLOAD_E_INVAL);
	assert_int_equal(mb2load_parse(file, 10, &img, NULL, NULL, 0), MBLOAD_E_INVAL);
	memset(file, 0, sizeof(file));
	assert_int_equal(mb2load_parse(file, FILE_SIZE, &img, &req, tiny, sizeof(tiny)),
			 MBLOAD_E_NOHDR);
	assert_string_equal(tiny, "no mult");
	/* A multiboot1 image is not a multiboot2 one. */
	put32(file + 0x40, 0x1BADB002);
	put32(file + 0x48, -0x1BADB002);
	assert_int_equal(mb2load_parse(file, FILE_SIZE, &img, &req, NULL, 0), MBLOAD_E_NOHDR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_elf32),
	    cmocka_unit_test(test_elf64),
	    cmocka_unit_test(test_elf_errors),
	    cmocka_unit_test(test_address_tag),
	    cmocka_unit_test(test_header_search),
	    cmocka_unit_test(test_tag_sizes),
	    cmocka_unit_test(test_required_tags),
	    cmocka_unit_test(test_info_request),
	    cmocka_unit_test(test_relocatable),
	    cmocka_unit_test(test_relocate),
	    cmocka_unit_test(test_truncation_and_fuzz),
	    cmocka_unit_test(test_misc),
	};

	return cmocka_run_group_tests_name("mb2load", tests, NULL, NULL);
}
