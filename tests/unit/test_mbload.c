/* test_mbload.c - cmocka tests for the multiboot1 OS image loader in core/mbload.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "guest/mbload.h"

/* Spec layouts written out independently of core/mbload.c (multiboot 0.6.96 3.1, ELF 1.2). */
#define MAGIC	  0x1BADB002u
#define F_AOUT	  (1u << 16)
#define FILE_SIZE 0x4000u
#define EHDR_SIZE 52u
#define PHDR_SIZE 32u
#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))
#define ERRLEN	  160
#define MIB	  0x100000ull
#define RANGE(s, e, t)                                                                             \
	{                                                                                          \
		.base = (s), .len = (e) - (s), .type = (t)                                         \
	}

static uint8_t file[FILE_SIZE];
static char err[ERRLEN];

static void put16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, 2); /* x86 host: little-endian like the formats */
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static void put_header(size_t off, uint32_t flags)
{
	memset(file + off, 0, 32);
	put32(file + off, MAGIC);
	put32(file + off + 4, flags);
	put32(file + off + 8, -(MAGIC + flags));
}

/* Header at @off with the a.out kludge and address fields. */
static void make_aout(size_t off, uint32_t flags, uint32_t header_addr, uint32_t load_addr,
		      uint32_t load_end, uint32_t bss_end, uint32_t entry)
{
	memset(file, 0, sizeof(file));
	for (size_t i = 0; i < sizeof(file); i++)
		file[i] = (uint8_t)(i * 7 + 1);
	put_header(off, flags | F_AOUT);
	put32(file + off + 12, header_addr);
	put32(file + off + 16, load_addr);
	put32(file + off + 20, load_end);
	put32(file + off + 24, bss_end);
	put32(file + off + 28, entry);
}

struct ph {
	uint32_t type, offset, vaddr, paddr, filesz, memsz;
};

/* An ELF32 i386 ET_EXEC with @n program headers at 0x34 and a multiboot header at 0x1000. */
static void make_elf(uint32_t entry, const struct ph *ph, unsigned n)
{
	memset(file, 0, sizeof(file));
	for (size_t i = 0x1000; i < sizeof(file); i++)
		file[i] = (uint8_t)(i * 13 + 5);
	memcpy(file,
	       "\x7f"
	       "ELF",
	       4);
	file[4] = 1;	     /* ELFCLASS32 */
	file[5] = 1;	     /* ELFDATA2LSB */
	file[6] = 1;	     /* EV_CURRENT */
	put16(file + 16, 2); /* ET_EXEC */
	put16(file + 18, 3); /* EM_386 */
	put32(file + 20, 1); /* e_version */
	put32(file + 24, entry);
	put32(file + 28, EHDR_SIZE); /* e_phoff */
	put16(file + 40, EHDR_SIZE);
	put16(file + 42, PHDR_SIZE);
	put16(file + 44, (uint16_t)n);
	for (unsigned i = 0; i < n; i++) {
		uint8_t *p = file + EHDR_SIZE + i * PHDR_SIZE;

		put32(p + 0, ph[i].type);
		put32(p + 4, ph[i].offset);
		put32(p + 8, ph[i].vaddr);
		put32(p + 12, ph[i].paddr);
		put32(p + 16, ph[i].filesz);
		put32(p + 20, ph[i].memsz);
		put32(p + 24, 5);
		put32(p + 28, 0x1000);
	}
	put_header(0x1000, 0x3);
}

static const struct ph two_segs[] = {
    {1, 0x1000, 0x100000, 0x100000, 0x2000, 0x2000},
    {4, 0x1100, 0, 0, 0x20, 0x20},		    /* PT_NOTE: ignored */
    {1, 0x3000, 0x103000, 0x103000, 0x800, 0x5000}, /* data + bss */
    {1, 0x0, 0x200000, 0x200000, 0, 0},		    /* empty PT_LOAD: skipped */
};

static int parse(size_t len, struct mbload_image *img)
{
	err[0] = 'X';
	return mbload_parse(file, len, img, err, sizeof(err));
}

static void expect_fail(size_t len, int code, const char *needle)
{
	struct mbload_image img;

	assert_int_equal(parse(len, &img), code);
	assert_non_null(strstr(err, needle));
	assert_int_equal(img.nseg, 0);
}

static void test_aout_basic(void **state)
{
	struct mbload_image img;

	(void)state;
	make_aout(0x40, 0x3, 0x100040, 0x100000, 0x102000, 0x105000, 0x100080);
	assert_int_equal(parse(FILE_SIZE, &img), 0);
	assert_string_equal(err, "");
	assert_int_equal(img.nseg, 1);
	assert_int_equal(img.seg[0].paddr, 0x100000);
	assert_int_equal(img.seg[0].filesz, 0x2000);
	assert_int_equal(img.seg[0].memsz, 0x5000);
	assert_int_equal(img.seg[0].file_off, 0);
	assert_int_equal(img.entry, 0x100080);
	assert_int_equal(img.flags, 0x3 | F_AOUT);
	assert_int_equal(img.lowest, 0x100000);
	assert_int_equal(img.highest_end, 0x105000);
}

static void test_aout_rest_of_file(void **state)
{
	struct mbload_image img;

	(void)state;
	/* load_end 0: the rest of the file; bss_end 0: no bss; load_addr at file offset 0x1000. */
	make_aout(0x1040, 0x1, 0x200040, 0x200000, 0, 0, 0x200040);
	assert_int_equal(parse(FILE_SIZE, &img), 0);
	assert_int_equal(img.seg[0].file_off, 0x1000);
	assert_int_equal(img.seg[0].filesz, FILE_SIZE - 0x1000);
	assert_int_equal(img.seg[0].memsz, FILE_SIZE - 0x1000);
	assert_int_equal(img.highest_end, 0x200000 + FILE_SIZE - 0x1000);
	/* Entry on the last loaded byte is fine, one past it is not. */
	make_aout(0x1040, 0x1, 0x200040, 0x200000, 0, 0,
		  0x200000 + FILE_SIZE - 0x1001); /* 0x202fff */
	assert_int_equal(parse(FILE_SIZE, &img), 0);
	make_aout(0x1040, 0x1, 0x200040, 0x200000, 0, 0, 0x200000 + FILE_SIZE - 0x1000);
	expect_fail(FILE_SIZE, MBLOAD_E_ENTRY,
		    "entry_addr 0x203000 is outside the loaded range [0x200000, 0x203000)");
}

static void test_aout_errors(void **state)
{
	(void)state;
	make_aout(0x40, 0, 0x100040, 0x100080, 0x102000, 0, 0x100080);
	expect_fail(FILE_SIZE, MBLOAD_E_AOUT, "load_addr 0x100080 is above header_addr 0x100040");
	make_aout(0x40, 0, 0x100080, 0x100000, 0x102000, 0, 0x100080);
	expect_fail(FILE_SIZE, MBLOAD_E_AOUT, "0x80 exceeds the header's file offset 0x40");
	make_aout(0x40, 0, 0x100040, 0x100000, 0xff000, 0, 0x100080);
	expect_fail(FILE_SIZE, MBLOAD_E_AOUT, "load_end_addr 0xff000 is below load_addr");
	make_aout(0x40, 0, 0x100040, 0x100000, 0x100000 + FILE_SIZE + 1, 0, 0x100080);
	expect_fail(FILE_SIZE, MBLOAD_E_AOUT, "file has only 0x4000");
	make_aout(0x40, 0, 0x100040, 0x100000, 0x102000, 0x101fff, 0x100080);
	expect_fail(FILE_SIZE, MBLOAD_E_AOUT,
		    "bss_end_addr 0x101fff is below the load end 0x102000");
	make_aout(0x40, 0, 0x100040, 0x100000, 0x102000, 0, 0xfffff);
	expect_fail(FILE_SIZE, MBLOAD_E_ENTRY, "outside the loaded range [0x100000, 0x102000)");
	make_aout(0x40, 0, 0x100040, 0x100000, 0x100000, 0, 0x100000); /* loads nothing */
	expect_fail(FILE_SIZE, MBLOAD_E_ENTRY, "outside the loaded range");
	make_aout(0x40, 0, 0xfffff040, 0xfffff000, 0, 0, 0xfffff000);
	expect_fail(FILE_SIZE, MBLOAD_E_AOUT, "past 4 GiB");
	/* Address fields cut off by the end of the file. */
	make_aout(0x40, 0, 0x100040, 0x100000, 0x100050, 0, 0x100000);
	expect_fail(0x50, MBLOAD_E_AOUT, "run past the end of the file");
}

static void test_header_search(void **state)
{
	struct mbload_image img;

	(void)state;
	memset(file, 0, sizeof(file));
	expect_fail(FILE_SIZE, MBLOAD_E_NOHDR, "no multiboot1 header (magic 0x1badb002)");
	expect_fail(0, MBLOAD_E_NOHDR, "no multiboot1 header");

	make_elf(0x100000, two_segs, NELEMS(two_segs));
	put32(file + 0x1008, 0x12345678); /* break the checksum */
	expect_fail(FILE_SIZE, MBLOAD_E_NOHDR, "offset 0x1000 has a bad checksum");
	/* A later good header is still found after a bad one. */
	put_header(0x1100, 0);
	assert_int_equal(parse(FILE_SIZE, &img), 0);
	assert_int_equal(img.flags, 0);

	/* Only 32-bit aligned positions count. */
	make_elf(0x100000, two_segs, NELEMS(two_segs));
	memset(file + 0x1000, 0, 12);
	put_header(0x1102, 0);
	expect_fail(FILE_SIZE, MBLOAD_E_NOHDR, "no multiboot1 header");

	/* Within the first 8192 bytes: a header ending at byte 8192 counts, one later does not. */
	make_elf(0x100000, two_segs, NELEMS(two_segs));
	memset(file + 0x1000, 0, 12);
	put_header(8192 - 12, 0);
	assert_int_equal(parse(FILE_SIZE, &img), 0);
	memset(file + 8192 - 12, 0, 12);
	put_header(8192 - 8, 0);
	expect_fail(FILE_SIZE, MBLOAD_E_NOHDR, "in the first 8192 bytes");

	/* a.out fields must also lie inside the search window. */
	make_aout(8192 - 12, 0, 0x100000, 0x100000, 0x100010, 0, 0x100000);
	expect_fail(FILE_SIZE, MBLOAD_E_AOUT, "first 8192 bytes");
}

static void test_feature_flags(void **state)
{
	struct mbload_image img;

	(void)state;
	make_elf(0x100000, two_segs, NELEMS(two_segs));
	put_header(0x1000, 0x7); /* page align, memory info, video mode (ignored) */
	assert_int_equal(parse(FILE_SIZE, &img), 0);
	assert_int_equal(img.flags, 0x7);
	put_header(0x1000, 0x3 | (1u << 17) | (1u << 31)); /* optional bits: ignored */
	assert_int_equal(parse(FILE_SIZE, &img), 0);

	put_header(0x1000, 0x3 | (1u << 3));
	expect_fail(FILE_SIZE, MBLOAD_E_FEATURE, "requires unsupported multiboot feature bit 3");
	put_header(0x1000, (1u << 15) | (1u << 9));
	expect_fail(FILE_SIZE, MBLOAD_E_FEATURE, "feature bit 9 (flags 0x8200)");
	put_header(0x1000, F_AOUT | (1u << 15));
	expect_fail(FILE_SIZE, MBLOAD_E_FEATURE, "feature bit 15");
}

static void test_elf_basic(void **state)
{
	struct mbload_image img;

	(void)state;
	make_elf(0x10000c, two_segs, NELEMS(two_segs));
	assert_int_equal(parse(FILE_SIZE, &img), 0);
	assert_string_equal(err, "");
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
	assert_int_equal(img.flags, 0x3);
	assert_int_equal(img.lowest, 0x100000);
	assert_int_equal(img.highest_end, 0x108000);
}

static void test_elf_higher_half_entry(void **state)
{
	/* Linked at 3 GiB, loaded at 1 MiB: e_entry is virtual and must be translated. */
	const struct ph hh[] = {
	    {1, 0x1000, 0xc0100000, 0x100000, 0x1000, 0x1000},
	    {1, 0x2000, 0xc0101000, 0x101000, 0x1000, 0x3000},
	};
	const struct ph low_entry[] = {
	    {1, 0x1000, 0x100000, 0x100000, 0x100, 0x100}, /* boot stub, identity */
	    {1, 0x2000, 0xc0200000, 0x200000, 0x1000, 0x1000},
	};
	struct mbload_image img;

	(void)state;
	make_elf(0xc0101010, hh, NELEMS(hh));
	assert_int_equal(parse(FILE_SIZE, &img), 0);
	assert_int_equal(img.entry, 0x101010);
	make_elf(0x100010, low_entry, NELEMS(low_entry));
	assert_int_equal(parse(FILE_SIZE, &img), 0);
	assert_int_equal(img.entry, 0x100010);
	assert_int_equal(img.highest_end, 0x201000);

	/* Entry in no segment, or only in bss. */
	make_elf(0xc0000000, hh, NELEMS(hh));
	expect_fail(FILE_SIZE, MBLOAD_E_ENTRY, "entry point 0xc0000000 (e_entry 0xc0000000)");
	make_elf(0xc0102000, hh, NELEMS(hh));
	expect_fail(FILE_SIZE, MBLOAD_E_ENTRY, "entry point 0x102000 (e_entry 0xc0102000)");
}

static void test_elf_header_errors(void **state)
{
	(void)state;
	make_elf(0x100000, two_segs, NELEMS(two_segs));
	file[4] = 2;
	expect_fail(FILE_SIZE, MBLOAD_E_ELF, "64-bit ELF multiboot1 kernel needs the a.out kludge");
	file[4] = 3;
	expect_fail(FILE_SIZE, MBLOAD_E_ELF, "ELF class 3");
	file[4] = 1;
	file[5] = 2;
	expect_fail(FILE_SIZE, MBLOAD_E_ELF, "not ELFDATA2LSB");
	file[5] = 1;
	put16(file + 16, 3);
	expect_fail(FILE_SIZE, MBLOAD_E_ELF, "ELF type 3 is not ET_EXEC");
	put16(file + 16, 2);
	put16(file + 18, 62);
	expect_fail(FILE_SIZE, MBLOAD_E_ELF, "ELF machine 62 is not EM_386");
	put16(file + 18, 3);
	put16(file + 44, 0);
	expect_fail(FILE_SIZE, MBLOAD_E_ELF, "e_phnum 0");
	put16(file + 44, 0xffff);
	expect_fail(FILE_SIZE, MBLOAD_E_ELF, "e_phnum 65535");
	put16(file + 44, NELEMS(two_segs));
	put16(file + 42, 16);
	expect_fail(FILE_SIZE, MBLOAD_E_ELF, "e_phentsize 16");
	put16(file + 42, PHDR_SIZE);
	put32(file + 28, FILE_SIZE - 3 * PHDR_SIZE);
	expect_fail(FILE_SIZE, MBLOAD_E_ELF, "run past the end of the 16384-byte file");
	put32(file + 28, 0xffffffe0); /* would wrap in 32 bits */
	expect_fail(FILE_SIZE, MBLOAD_E_ELF, "program headers at 0xffffffe0");

	/* Not ELF, no a.out kludge. */
	make_elf(0x100000, two_segs, NELEMS(two_segs));
	file[0] = 0;
	expect_fail(FILE_SIZE, MBLOAD_E_ELF, "not an ELF file");
	/* The 64-bit refusal does not apply when the a.out kludge describes the image. */
	make_aout(0x40, 0, 0x100040, 0x100000, 0x101000, 0, 0x100040);
	memcpy(file,
	       "\x7f"
	       "ELF\x02",
	       5);
	assert_int_equal(mbload_parse(file, FILE_SIZE, &(struct mbload_image){0}, NULL, 0), 0);
}

static void test_elf_segment_errors(void **state)
{
	struct ph ph[MBLOAD_MAX_SEGS + 1];

	(void)state;
	memcpy(ph, two_segs, sizeof(two_segs));
	ph[2].filesz = 0x5001;
	make_elf(0x100000, ph, 3);
	expect_fail(FILE_SIZE, MBLOAD_E_ELF, "program header 2: p_filesz 0x5001 > p_memsz 0x5000");

	memcpy(ph, two_segs, sizeof(two_segs));
	ph[2].filesz = 0x1001;
	make_elf(0x100000, ph, 3);
	expect_fail(FILE_SIZE, MBLOAD_E_ELF, "file bytes [0x3000, 0x4001) run past the end");
	ph[2].filesz = 0x800;
	ph[2].offset = 0xfffffff0;
	make_elf(0x100000, ph, 3);
	expect_fail(FILE_SIZE, MBLOAD_E_ELF, "[0xfffffff0, 0x1000007f0)");

	memcpy(ph, two_segs, sizeof(two_segs));
	ph[2].paddr = 0xffffe000;
	make_elf(0x100000, ph, 3);
	expect_fail(FILE_SIZE, MBLOAD_E_ELF, "[0xffffe000, 0x100003000) extends past 4 GiB");

	memcpy(ph, two_segs, sizeof(two_segs));
	ph[2].paddr = 0x101fff;
	make_elf(0x100000, ph, 3);
	expect_fail(FILE_SIZE, MBLOAD_E_SEGMENTS,
		    "[0x101fff, 0x106fff) overlaps segment [0x100000, 0x102000)");

	ph[0] = (struct ph){4, 0, 0, 0, 0, 0};
	make_elf(0x100000, ph, 1);
	expect_fail(FILE_SIZE, MBLOAD_E_SEGMENTS, "no non-empty PT_LOAD");

	for (unsigned i = 0; i < NELEMS(ph); i++)
		ph[i] = (struct ph){1,	  0x1000, 0x100000 + i * 0x1000, 0x100000 + i * 0x1000,
				    0x10, 0x1000};
	make_elf(0x100000, ph, MBLOAD_MAX_SEGS);
	assert_int_equal(mbload_parse(file, FILE_SIZE, &(struct mbload_image){0}, NULL, 0), 0);
	make_elf(0x100000, ph, NELEMS(ph));
	expect_fail(FILE_SIZE, MBLOAD_E_SEGMENTS, "more than 16");
}

static uint32_t lcg(uint32_t *s)
{
	*s = *s * 1664525u + 1013904223u;
	return *s >> 8;
}

/* Every truncation and random corruption either parses consistently or fails cleanly. */
static void test_truncation_and_fuzz(void **state)
{
	uint32_t seed = 42;
	struct mbload_image img;

	(void)state;
	for (size_t len = 0; len <= FILE_SIZE; len++) {
		make_elf(0x10000c, two_segs, NELEMS(two_segs));
		int rc = parse(len, &img);

		/* The second segment's file bytes end at 0x3800. */
		if (len >= 0x3800)
			assert_int_equal(rc, 0);
		else
			assert_true(rc < 0);
	}
	for (int iter = 0; iter < 20000; iter++) {
		size_t len = FILE_SIZE;
		int rc;

		if (iter & 1)
			make_elf(0x10000c, two_segs, NELEMS(two_segs));
		else
			make_aout(0x40, 0x3, 0x100040, 0x100000, 0x102000, 0x105000, 0x100080);
		for (int k = lcg(&seed) % 4; k >= 0; k--) {
			unsigned pos = lcg(&seed) % (iter & 1 ? EHDR_SIZE + 4 * PHDR_SIZE : 0x60);

			file[pos] = (uint8_t)lcg(&seed);
		}
		if (lcg(&seed) % 4 == 0)
			len = lcg(&seed) % FILE_SIZE;
		rc = mbload_parse(file, len, &img, err, sizeof(err));
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
		}
	}
}

/* QEMU -m 128 as the guest sees it, with the hypervisor's region reserved at the top. */
static const struct mem_range guest_map[] = {
    RANGE(0, 0x9fc00, MEM_USABLE),
    RANGE(0xf0000, 0x100000, MEM_RESERVED),
    RANGE(0x100000, 0x400000, MEM_USABLE),
    RANGE(0x400000, 0x7600000, MEM_USABLE),    /* adjacent: one run with the previous entry */
    RANGE(0x7600000, 0x7e00000, MEM_RESERVED), /* the hypervisor */
    RANGE(0x7e00000, 0x7fe0000, MEM_USABLE),
    RANGE(0x7fe0000, 0x8000000, MEM_RESERVED),
    RANGE(0x3000000, 0x3001000, MEM_ACPI_NVS), /* punched into a usable entry */
};

static void placement(uint32_t paddr, uint32_t memsz, int want, const char *needle)
{
	struct mbload_image img = {.nseg = 2};

	img.seg[0] = (struct mbload_seg){0x100000, 0x1000, 0x1000, 0};
	img.seg[1] = (struct mbload_seg){paddr, memsz, 0, 0};
	assert_int_equal(mbload_check_placement(&img, guest_map, NELEMS(guest_map), err, ERRLEN),
			 want);
	if (needle)
		assert_non_null(strstr(err, needle));
	else
		assert_string_equal(err, "");
}

static void test_placement(void **state)
{
	(void)state;
	placement(0x200000, 0x400000, 0, NULL); /* spans two adjacent usable entries */
	placement(0x7e00000, 0x1e0000, 0, NULL);
	placement(0x1000, 0x9ec00, 0, NULL);
	placement(0x7000000, 0x800000, MBLOAD_E_PLACEMENT,
		  "kernel segment 1 [0x7000000, 0x7800000) overlaps reserved guest memory "
		  "[0x7600000, 0x7e00000)");
	placement(0x2ff0000, 0x20000, MBLOAD_E_PLACEMENT, "[0x3000000, 0x3001000) (type 4)");
	placement(0x8000000, 0x1000, MBLOAD_E_PLACEMENT,
		  "nothing usable at 0x8000000 (usable RAM ends at 0x7fe0000)");
	placement(0x9f000, 0x2000, MBLOAD_E_PLACEMENT, "nothing usable at 0x9fc00");
	assert_int_equal(
	    mbload_check_placement(&(struct mbload_image){.nseg = 1, .seg[0] = {0x100000, 0x1000}},
				   NULL, 0, err, ERRLEN),
	    MBLOAD_E_PLACEMENT);
	assert_non_null(strstr(err, "segment 0 [0x100000, 0x101000)"));
}

struct guest_mem {
	uint8_t *mem;
	uint32_t base, size;
	unsigned calls;
};

static uint8_t *gpa_ptr(uint32_t gpa, uint32_t len, void *ctx)
{
	struct guest_mem *g = ctx;

	g->calls++;
	if (gpa < g->base || gpa - g->base > g->size || len > g->size - (gpa - g->base))
		return NULL;
	return g->mem + (gpa - g->base);
}

static void test_copy(void **state)
{
	struct guest_mem g = {.base = 0x100000, .size = 0x9000};
	struct mbload_image img;

	(void)state;
	g.mem = malloc(g.size);
	assert_non_null(g.mem);
	memset(g.mem, 0xAA, g.size);
	make_elf(0x10000c, two_segs, NELEMS(two_segs));
	assert_int_equal(parse(FILE_SIZE, &img), 0);
	mbload_copy(&img, file, gpa_ptr, &g);
	assert_int_equal(g.calls, 3); /* seg 0 bytes, seg 1 bytes, seg 1 bss */
	assert_memory_equal(g.mem, file + 0x1000, 0x2000);
	for (uint32_t i = 0x2000; i < 0x3000; i++)
		assert_int_equal(g.mem[i], 0xAA); /* gap between segments untouched */
	assert_memory_equal(g.mem + 0x3000, file + 0x3000, 0x800);
	for (uint32_t i = 0x3800; i < 0x8000; i++)
		assert_int_equal(g.mem[i], 0);
	for (uint32_t i = 0x8000; i < g.size; i++)
		assert_int_equal(g.mem[i], 0xAA);

	/* A range the callback cannot map is skipped, not written through NULL. */
	g.size = 0x2000;
	g.calls = 0;
	mbload_copy(&img, file, gpa_ptr, &g);
	assert_int_equal(g.calls, 3);
	free(g.mem);
}

static void test_misc(void **state)
{
	struct mbload_image img;
	char tiny[8];

	(void)state;
	assert_int_equal(mbload_parse(NULL, 10, &img, err, ERRLEN), MBLOAD_E_INVAL);
	assert_int_equal(mbload_parse(file, 10, NULL, NULL, 0), MBLOAD_E_INVAL);
	memset(file, 0, sizeof(file));
	assert_int_equal(mbload_parse(file, FILE_SIZE, &img, tiny, sizeof(tiny)), MBLOAD_E_NOHDR);
	assert_string_equal(tiny, "no mult");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_aout_basic),
	    cmocka_unit_test(test_aout_rest_of_file),
	    cmocka_unit_test(test_aout_errors),
	    cmocka_unit_test(test_header_search),
	    cmocka_unit_test(test_feature_flags),
	    cmocka_unit_test(test_elf_basic),
	    cmocka_unit_test(test_elf_higher_half_entry),
	    cmocka_unit_test(test_elf_header_errors),
	    cmocka_unit_test(test_elf_segment_errors),
	    cmocka_unit_test(test_truncation_and_fuzz),
	    cmocka_unit_test(test_placement),
	    cmocka_unit_test(test_copy),
	    cmocka_unit_test(test_misc),
	};

	return cmocka_run_group_tests_name("mbload", tests, NULL, NULL);
}
