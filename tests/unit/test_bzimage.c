/* test_bzimage.c - cmocka tests for the Linux bzImage checks and zero page, guest/bzimage.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "guest/bzimage.h"

/*
 * The Linux x86 boot protocol written out independently of bzimage.c (Documentation/arch/x86/
 * boot.rst, "The real-mode kernel header", and zero-page.rst / uapi asm/bootparam.h).
 */
#define H_SETUP_SECTS	   0x1f1 /* u8, 0 means 4 */
#define H_ROOT_FLAGS	   0x1f2 /* u16 */
#define H_SYSSIZE	   0x1f4 /* u32, 16-byte paragraphs */
#define H_RAM_SIZE	   0x1f8 /* u16, obsolete */
#define H_VID_MODE	   0x1fa /* u16 */
#define H_ROOT_DEV	   0x1fc /* u16 */
#define H_BOOT_FLAG	   0x1fe /* u16, 0xaa55 */
#define H_JUMP		   0x200 /* u16: 0xeb, then the header length from 0x202 */
#define H_HEADER	   0x202 /* "HdrS" */
#define H_VERSION	   0x206 /* u16 */
#define H_REALMODE_SWTCH   0x208 /* u32 */
#define H_START_SYS_SEG	   0x20c /* u16 */
#define H_KERNEL_VERSION   0x20e /* u16 */
#define H_TYPE_OF_LOADER   0x210 /* u8 */
#define H_LOADFLAGS	   0x211 /* u8 */
#define H_SETUP_MOVE_SIZE  0x212 /* u16 */
#define H_CODE32_START	   0x214 /* u32 */
#define H_RAMDISK_IMAGE	   0x218 /* u32 */
#define H_RAMDISK_SIZE	   0x21c /* u32 */
#define H_BOOTSECT_KLUDGE  0x220 /* u32 */
#define H_HEAP_END_PTR	   0x224 /* u16 */
#define H_EXT_LOADER_VER   0x226 /* u8 */
#define H_EXT_LOADER_TYPE  0x227 /* u8 */
#define H_CMD_LINE_PTR	   0x228 /* u32 */
#define H_INITRD_ADDR_MAX  0x22c /* u32 */
#define H_KERNEL_ALIGNMENT 0x230 /* u32 */
#define H_RELOCATABLE	   0x234 /* u8 */
#define H_MIN_ALIGNMENT	   0x235 /* u8 */
#define H_XLOADFLAGS	   0x236 /* u16 */
#define H_CMDLINE_SIZE	   0x238 /* u32 */
#define H_HW_SUBARCH	   0x23c /* u32 */
#define H_HW_SUBARCH_DATA  0x240 /* u64 */
#define H_PAYLOAD_OFFSET   0x248 /* u32 */
#define H_PAYLOAD_LENGTH   0x24c /* u32 */
#define H_SETUP_DATA	   0x250 /* u64 */
#define H_PREF_ADDRESS	   0x258 /* u64 */
#define H_INIT_SIZE	   0x260 /* u32 */
#define H_HANDOVER_OFFSET  0x264 /* u32 */
#define H_KERNEL_INFO_OFF  0x268 /* u32, 2.15 */
#define HDR_END_2_15	   0x26c /* the 2.15 header ends after kernel_info_offset */
#define HDR_END_2_10	   0x264 /* 2.10 defines fields up to init_size */

#define ZP_ACPI_RSDP_ADDR 0x070 /* u64, 2.14+ */
#define ZP_E820_ENTRIES	  0x1e8 /* u8 */
#define ZP_E820_TABLE	  0x2d0 /* 20-byte entries: u64 addr, u64 size, u32 type */
#define ZP_E820_ENTRY	  20
#define ZP_E820_MAX	  128
#define ZP_SIZE		  4096

#define LOADED_HIGH   0x01
#define CAN_USE_HEAP  0x80
#define XLF_KERNEL_64 0x01

/* The test image: 27 setup sectors (like a real kernel), then 0x1000 bytes of kernel. */
#define SETUP_SECTS 27u
#define KERNEL_OFF  ((SETUP_SECTS + 1) * 512u)
#define SYSSIZE	    0x100u
#define KERNEL_LEN  (SYSSIZE * 16u)
#define FILE_LEN    (KERNEL_OFF + KERNEL_LEN)
#define PREF	    0x1000000u
#define INIT_SIZE   0x2000000u
#define INITRD_MAX  0x7fffffffu
#define CMDLINE_SZ  2047u
#define FOUR_GIB    0x100000000ull

#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))
#define ERRLEN	  160
#define RANGE(s, e, t)                                                                             \
	{                                                                                          \
		.base = (s), .len = (e) - (s), .type = (t)                                         \
	}

static uint8_t file[FILE_LEN];
static uint8_t zp[ZP_SIZE + 64]; /* the zero page and a canary tail */
static uint8_t want[ZP_SIZE];
static char err[ERRLEN];

static void wr16(uint8_t *p, size_t off, uint16_t v)
{
	p[off] = (uint8_t)v;
	p[off + 1] = (uint8_t)(v >> 8);
}

static void wr32(uint8_t *p, size_t off, uint32_t v)
{
	for (unsigned i = 0; i < 4; i++)
		p[off + i] = (uint8_t)(v >> (8 * i));
}

static void wr64(uint8_t *p, size_t off, uint64_t v)
{
	wr32(p, off, (uint32_t)v);
	wr32(p, off + 4, (uint32_t)(v >> 32));
}

static uint16_t rd16(const uint8_t *p, size_t off)
{
	return (uint16_t)(p[off] | p[off + 1] << 8);
}

static uint32_t rd32(const uint8_t *p, size_t off)
{
	return (uint32_t)rd16(p, off) | (uint32_t)rd16(p, off + 2) << 16;
}

static uint64_t rd64(const uint8_t *p, size_t off)
{
	return rd32(p, off) | (uint64_t)rd32(p, off + 4) << 32;
}

/* A protocol 2.15 bzImage: every header field written, everything else a byte pattern. */
static void make_image(void)
{
	for (size_t i = 0; i < sizeof(file); i++)
		file[i] = (uint8_t)(i * 29 + 3);
	memset(file + H_SETUP_SECTS, 0, HDR_END_2_15 - H_SETUP_SECTS);
	file[H_SETUP_SECTS] = SETUP_SECTS;
	wr16(file, H_ROOT_FLAGS, 1);
	wr32(file, H_SYSSIZE, SYSSIZE);
	wr16(file, H_RAM_SIZE, 0);
	wr16(file, H_VID_MODE, 0xffff);
	wr16(file, H_ROOT_DEV, 0x0301);
	wr16(file, H_BOOT_FLAG, 0xaa55);
	file[H_JUMP] = 0xeb;
	file[H_JUMP + 1] = HDR_END_2_15 - H_HEADER;
	memcpy(file + H_HEADER, "HdrS", 4);
	wr16(file, H_VERSION, 0x020f);
	wr32(file, H_REALMODE_SWTCH, 0);
	wr16(file, H_START_SYS_SEG, 0x1000);
	wr16(file, H_KERNEL_VERSION, 0x3a00);
	file[H_TYPE_OF_LOADER] = 0;
	file[H_LOADFLAGS] = LOADED_HIGH;
	wr16(file, H_SETUP_MOVE_SIZE, 0x8000);
	wr32(file, H_CODE32_START, 0x100000);
	wr32(file, H_RAMDISK_IMAGE, 0);
	wr32(file, H_RAMDISK_SIZE, 0);
	wr32(file, H_BOOTSECT_KLUDGE, 0);
	wr16(file, H_HEAP_END_PTR, 0x5320);
	file[H_EXT_LOADER_VER] = 0;
	file[H_EXT_LOADER_TYPE] = 0;
	wr32(file, H_CMD_LINE_PTR, 0);
	wr32(file, H_INITRD_ADDR_MAX, INITRD_MAX);
	wr32(file, H_KERNEL_ALIGNMENT, 0x200000);
	file[H_RELOCATABLE] = 1;
	file[H_MIN_ALIGNMENT] = 21;
	wr16(file, H_XLOADFLAGS, 0x007f);
	wr32(file, H_CMDLINE_SIZE, CMDLINE_SZ);
	wr32(file, H_HW_SUBARCH, 0);
	wr64(file, H_HW_SUBARCH_DATA, 0);
	wr32(file, H_PAYLOAD_OFFSET, 0x3a1);
	wr32(file, H_PAYLOAD_LENGTH, 0xc00);
	wr64(file, H_SETUP_DATA, 0);
	wr64(file, H_PREF_ADDRESS, PREF);
	wr32(file, H_INIT_SIZE, INIT_SIZE);
	wr32(file, H_HANDOVER_OFFSET, 0x190);
	wr32(file, H_KERNEL_INFO_OFF, 0x20f0);
}

/* bz_parse on an exact-size heap copy of the first @len bytes, so ASan sees any overread. */
static int parse_len(size_t len, struct bz_image *img)
{
	uint8_t *copy = malloc(len ? len : 1);
	int rc;

	assert_non_null(copy);
	assert_true(len <= sizeof(file));
	memcpy(copy, file, len);
	memset(img, 0xA5, sizeof(*img));
	err[0] = '\0';
	rc = bz_parse(copy, len, img, err, sizeof(err));
	free(copy);
	return rc;
}

static bool is_linux_len(size_t len)
{
	uint8_t *copy = malloc(len ? len : 1);
	bool r;

	assert_non_null(copy);
	memcpy(copy, file, len);
	r = bz_is_linux(copy, len);
	free(copy);
	return r;
}

/* A macro, so that a failure names the case's line. */
#define expect_refused(len, needle)                                                                \
	do {                                                                                       \
		struct bz_image img_;                                                              \
                                                                                                   \
		assert_int_equal(parse_len((len), &img_), -1);                                     \
		assert_true(strlen(err) > 0);                                                      \
		assert_non_null(strstr(err, (needle)));                                            \
	} while (0)

static void test_valid_image(void **state)
{
	struct bz_image img;

	(void)state;
	make_image();
	assert_true(is_linux_len(FILE_LEN));
	assert_int_equal(parse_len(FILE_LEN, &img), 0);
	assert_int_equal(img.version, 0x020f);
	assert_int_equal(img.entry, PREF);
	assert_int_equal(img.kernel_off, 28 * 512);
	assert_int_equal(img.kernel_len, 0x1000);
	assert_int_equal(img.mem_end, PREF + INIT_SIZE); /* init_size > kernel_len */
	assert_int_equal(img.initrd_addr_max, INITRD_MAX);
	assert_int_equal(img.cmdline_size, CMDLINE_SZ);
	assert_true(img.kernel_64bit);
	/* The file is not touched. */
	assert_int_equal(file[H_TYPE_OF_LOADER], 0);
	assert_int_equal(rd32(file, H_CODE32_START), 0x100000);
}

static void test_field_variants(void **state)
{
	struct bz_image img;

	(void)state;
	/* setup_sects 0 means 4: the kernel starts at (4 + 1) * 512. */
	make_image();
	file[H_SETUP_SECTS] = 0;
	assert_int_equal(parse_len(FILE_LEN, &img), 0);
	assert_int_equal(img.kernel_off, 5 * 512);
	assert_int_equal(img.kernel_len, KERNEL_LEN);
	file[H_SETUP_SECTS] = 1;
	assert_int_equal(parse_len(FILE_LEN, &img), 0);
	assert_int_equal(img.kernel_off, 2 * 512);

	/* init_size smaller than the kernel: the kernel's own length bounds its memory. */
	make_image();
	wr32(file, H_INIT_SIZE, 0x800);
	assert_int_equal(parse_len(FILE_LEN, &img), 0);
	assert_int_equal(img.mem_end, PREF + KERNEL_LEN);
	wr32(file, H_INIT_SIZE, 0);
	assert_int_equal(parse_len(FILE_LEN, &img), 0);
	assert_int_equal(img.mem_end, PREF + KERNEL_LEN);

	/* XLF_KERNEL_64 alone decides kernel_64bit. */
	make_image();
	wr16(file, H_XLOADFLAGS, 0x007e);
	assert_int_equal(parse_len(FILE_LEN, &img), 0);
	assert_false(img.kernel_64bit);
	wr16(file, H_XLOADFLAGS, XLF_KERNEL_64);
	assert_int_equal(parse_len(FILE_LEN, &img), 0);
	assert_true(img.kernel_64bit);

	/* Other loadflags bits do not matter; other values are copied out verbatim. */
	make_image();
	file[H_LOADFLAGS] = LOADED_HIGH | CAN_USE_HEAP;
	wr32(file, H_INITRD_ADDR_MAX, 0x37ffffff);
	wr32(file, H_CMDLINE_SIZE, 255);
	assert_int_equal(parse_len(FILE_LEN, &img), 0);
	assert_int_equal(img.initrd_addr_max, 0x37ffffff);
	assert_int_equal(img.cmdline_size, 255);

	/* The oldest accepted protocol, 2.10, with a header ending right after init_size. */
	make_image();
	wr16(file, H_VERSION, 0x020a);
	file[H_JUMP + 1] = HDR_END_2_10 - H_HEADER;
	assert_int_equal(parse_len(FILE_LEN, &img), 0);
	assert_int_equal(img.version, 0x020a);
	assert_int_equal(img.entry, PREF);
	/* The longest header allowed ends where the e820 table starts. */
	file[H_JUMP + 1] = ZP_E820_TABLE - H_HEADER;
	assert_int_equal(parse_len(FILE_LEN, &img), 0);

	/* A longer file than the kernel needs is fine (trailing bytes ignored). */
	make_image();
	assert_int_equal(parse_len(FILE_LEN, &img), 0);
	wr32(file, H_SYSSIZE, SYSSIZE - 1);
	assert_int_equal(parse_len(FILE_LEN, &img), 0);
	assert_int_equal(img.kernel_len, KERNEL_LEN - 16);
}

static void test_load_address(void **state)
{
	static const struct {
		uint64_t pref;
		uint32_t entry;
	} cases[] = {
	    {0, 0x100000},		       /* no preference */
	    {0x10000, 0x100000},	       /* below 1 MiB: the default */
	    {0xfffff, 0x100000},	       /* one byte below */
	    {0x100000, 0x100000},	       /* exactly 1 MiB */
	    {0x1000000, 0x1000000},	       /* 16 MiB, the usual */
	    {0x40000000, 0x40000000},	       /* 1 GiB */
	    {0x100000000ull, 0x100000},	       /* above 32 bits: the default */
	    {0xffffffff00000000ull, 0x100000}, /* nonsense: the default */
	};
	struct bz_image img;

	(void)state;
	for (unsigned i = 0; i < NELEMS(cases); i++) {
		make_image();
		wr64(file, H_PREF_ADDRESS, cases[i].pref);
		assert_int_equal(parse_len(FILE_LEN, &img), 0);
		assert_int_equal(img.entry, cases[i].entry);
		assert_int_equal(img.mem_end, (uint64_t)cases[i].entry + INIT_SIZE);
	}
}

static void test_refusals(void **state)
{
	(void)state;
	/* No "HdrS" (an old zImage or not Linux at all). */
	make_image();
	memcpy(file + H_HEADER, "HdrT", 4);
	assert_false(is_linux_len(FILE_LEN));
	expect_refused(FILE_LEN, "not a Linux kernel");
	make_image();
	memset(file, 0, FILE_LEN);
	expect_refused(FILE_LEN, "not a Linux kernel");

	/* boot_flag not 0xaa55. */
	make_image();
	wr16(file, H_BOOT_FLAG, 0x55aa);
	assert_true(is_linux_len(FILE_LEN)); /* the signature alone */
	expect_refused(FILE_LEN, "not a Linux kernel");
	wr16(file, H_BOOT_FLAG, 0xaa54);
	expect_refused(FILE_LEN, "not a Linux kernel");

	/* Protocol 2.09 and older. */
	make_image();
	wr16(file, H_VERSION, 0x0209);
	expect_refused(FILE_LEN, "2.09");
	wr16(file, H_VERSION, 0x0100);
	expect_refused(FILE_LEN, "1.00");

	/* The header ends before init_size's end... */
	make_image();
	file[H_JUMP + 1] = HDR_END_2_10 - H_HEADER - 1;
	expect_refused(FILE_LEN, "setup header length");
	file[H_JUMP + 1] = 0;
	expect_refused(FILE_LEN, "setup header length");
	/* ...past the e820 table of the zero page it is copied to... */
	file[H_JUMP + 1] = ZP_E820_TABLE - H_HEADER + 1;
	expect_refused(FILE_LEN, "setup header length");
	file[H_JUMP + 1] = 0xff;
	expect_refused(FILE_LEN, "setup header length");
	/* ...or beyond the end of the file. */
	file[H_JUMP + 1] = HDR_END_2_15 - H_HEADER;
	expect_refused(HDR_END_2_15 - 1, "setup header length");

	/* "HdrS" present but the file too short for a 2.10 header: nothing read past it. */
	make_image();
	expect_refused(HDR_END_2_10 - 1, "truncated");
	expect_refused(H_HEADER + 5, "truncated"); /* ends inside the version field */

	/* LOADED_HIGH clear: a zImage loaded at 0x10000. */
	make_image();
	file[H_LOADFLAGS] = CAN_USE_HEAP;
	expect_refused(FILE_LEN, "zImage");

	/* The protected-mode kernel runs past the file, or is missing. */
	make_image();
	expect_refused(FILE_LEN - 1, "truncated");
	expect_refused(KERNEL_OFF + 1, "truncated");
	expect_refused(KERNEL_OFF, "truncated");
	file[H_SETUP_SECTS] = 0xff; /* 256 sectors of setup: past the 0x4800-byte file */
	expect_refused(FILE_LEN, "truncated");
	make_image();
	wr32(file, H_SYSSIZE, SYSSIZE + 1);
	expect_refused(FILE_LEN, "truncated");
	wr32(file, H_SYSSIZE, 0);
	expect_refused(FILE_LEN, "truncated"); /* kernel_len 0 */
	/* syssize * 16 wraps in 32 bits: still far more than the file holds. */
	wr32(file, H_SYSSIZE, 0x10000000u);
	expect_refused(FILE_LEN, "truncated");
	wr32(file, H_SYSSIZE, 0x10000000u + SYSSIZE);
	expect_refused(FILE_LEN, "truncated");
	wr32(file, H_SYSSIZE, 0xffffffffu);
	expect_refused(FILE_LEN, "truncated");

	/* What the kernel needs reaches past 4 GiB; ending exactly there is fine. */
	make_image();
	wr64(file, H_PREF_ADDRESS, 0xff000000u);
	wr32(file, H_INIT_SIZE, 0x1000001);
	expect_refused(FILE_LEN, "above 4 GiB");
	wr32(file, H_INIT_SIZE, 0xffffffffu);
	expect_refused(FILE_LEN, "above 4 GiB");
	wr64(file, H_PREF_ADDRESS, 0xfffff800u);
	wr32(file, H_INIT_SIZE, 0);
	expect_refused(FILE_LEN, "above 4 GiB"); /* the kernel itself: 0x1000 bytes */
	wr64(file, H_PREF_ADDRESS, 0xff000000u);
	wr32(file, H_INIT_SIZE, 0x1000000);
	{
		struct bz_image img;

		assert_int_equal(parse_len(FILE_LEN, &img), 0);
		assert_int_equal(img.entry, 0xff000000u);
		assert_int_equal(img.mem_end, FOUR_GIB);
	}
}

static void test_is_linux(void **state)
{
	(void)state;
	make_image();
	assert_true(is_linux_len(FILE_LEN));
	assert_true(is_linux_len(H_HEADER + 5));
	assert_false(is_linux_len(H_HEADER + 3)); /* "HdrS" itself cut short */
	assert_false(is_linux_len(H_HEADER));
	assert_false(is_linux_len(0));
	file[H_HEADER + 3] = 's';
	assert_false(is_linux_len(FILE_LEN));
}

/* Every prefix of the image: only the whole file parses, the rest fail with a reason, and no
 * byte past the length is read (each prefix is an exact-size heap copy under ASan). */
static void test_truncation(void **state)
{
	struct bz_image img;

	(void)state;
	make_image();
	for (size_t len = 0; len < FILE_LEN; len++) {
		assert_int_equal(parse_len(len, &img), -1);
		assert_true(strlen(err) > 0);
	}
	assert_int_equal(parse_len(FILE_LEN, &img), 0);
}

static uint32_t lcg(uint32_t *s)
{
	*s = *s * 1664525u + 1013904223u;
	return *s >> 8;
}

/* Random header corruption: refused with a reason, or accepted with a consistent result. */
static void test_header_fuzz(void **state)
{
	uint32_t seed = 7;
	struct bz_image img;

	(void)state;
	for (unsigned iter = 0; iter < 20000; iter++) {
		unsigned flips = 1 + lcg(&seed) % 4;

		make_image();
		for (unsigned f = 0; f < flips; f++)
			file[H_SETUP_SECTS + lcg(&seed) % (HDR_END_2_15 - H_SETUP_SECTS)] =
			    (uint8_t)lcg(&seed);
		if (parse_len(FILE_LEN, &img)) {
			assert_true(strlen(err) > 0);
			continue;
		}
		assert_true(img.version >= 0x020a);
		assert_true(img.kernel_len > 0);
		assert_int_equal(img.kernel_len, (uint64_t)rd32(file, H_SYSSIZE) * 16);
		assert_int_equal(img.kernel_off,
				 ((file[H_SETUP_SECTS] ? file[H_SETUP_SECTS] : 4u) + 1) * 512u);
		assert_true((uint64_t)img.kernel_off + img.kernel_len <= FILE_LEN);
		assert_true(img.entry >= 0x100000);
		assert_true(img.mem_end >= (uint64_t)img.entry + img.kernel_len);
		assert_true(img.mem_end <= FOUR_GIB);
	}
}

/* --- the zero page --- */

static const struct mem_range sample_map[] = {
    RANGE(0, 0x9fc00, MEM_USABLE),
    RANGE(0x9fc00, 0xa0000, MEM_RESERVED),
    RANGE(0xf0000, 0xf0000, MEM_RESERVED), /* empty: skipped */
    RANGE(0xf0000, 0x100000, MEM_RESERVED),
    RANGE(0x100000, 0x7fe0000, MEM_USABLE),
    RANGE(0x7fe0000, 0x7ff0000, MEM_ACPI_RECLAIMABLE),
    RANGE(0x7ff0000, 0x8000000, MEM_ACPI_NVS),
    RANGE(0x8000000, 0x8000000, MEM_USABLE), /* empty: skipped */
    RANGE(0x8000000, 0x8001000, MEM_BAD),
    RANGE(0xfeffc000, 0xff000000, 12), /* an unknown type is kept as is */
    RANGE(0xfffc0000, FOUR_GIB, MEM_RESERVED),
    RANGE(FOUR_GIB, 0x180000000ull, MEM_USABLE),
};

static const struct mem_range *const sample_e820[] = {
    &sample_map[0], &sample_map[1], &sample_map[3], &sample_map[4],  &sample_map[5],
    &sample_map[6], &sample_map[8], &sample_map[9], &sample_map[10], &sample_map[11],
};

static struct bz_params sample_params(void)
{
	return (struct bz_params){
	    .cmdline_gpa = 0x20000,
	    .initrd_start = 0x7c00000,
	    .initrd_len = 0x123456,
	    .acpi_rsdp = 0xf5a20,
	    .map = sample_map,
	    .nmap = NELEMS(sample_map),
	};
}

static int build(const struct bz_image *img, const struct bz_params *p)
{
	memset(zp, 0xEE, sizeof(zp));
	err[0] = '\0';
	return bz_build_params(zp, file, img, p, err, sizeof(err));
}

/* Nothing written past the zero page. */
static void check_canary(void)
{
	for (size_t i = ZP_SIZE; i < sizeof(zp); i++)
		assert_int_equal(zp[i], 0xEE);
}

/* The expected zero page: zero, the setup header [0x1f1, 0x202 + jump byte) copied from the
 * file, then the fields a boot loader writes (boot.rst, "Details of header fields"). */
static void expect_page(const struct bz_image *img, const struct bz_params *p,
			const struct mem_range *const *e820, unsigned n)
{
	size_t hdr_end = H_HEADER + file[H_JUMP + 1];

	memset(want, 0, sizeof(want));
	memcpy(want + H_SETUP_SECTS, file + H_SETUP_SECTS, hdr_end - H_SETUP_SECTS);
	want[H_TYPE_OF_LOADER] = 0xff;
	wr32(want, H_CODE32_START, img->entry);
	wr32(want, H_CMD_LINE_PTR, p->cmdline_gpa);
	if (p->initrd_len) {
		wr32(want, H_RAMDISK_IMAGE, (uint32_t)p->initrd_start);
		wr32(want, H_RAMDISK_SIZE, (uint32_t)p->initrd_len);
	}
	if (img->version >= 0x020e)
		wr64(want, ZP_ACPI_RSDP_ADDR, p->acpi_rsdp);
	want[ZP_E820_ENTRIES] = (uint8_t)n;
	for (unsigned i = 0; i < n; i++) {
		wr64(want, ZP_E820_TABLE + i * ZP_E820_ENTRY, e820[i]->base);
		wr64(want, ZP_E820_TABLE + i * ZP_E820_ENTRY + 8, e820[i]->len);
		wr32(want, ZP_E820_TABLE + i * ZP_E820_ENTRY + 16, e820[i]->type);
	}
	assert_memory_equal(zp, want, ZP_SIZE);
	check_canary();
}

static void test_zero_page(void **state)
{
	struct bz_image img;
	struct bz_params p = sample_params();

	(void)state;
	make_image();
	assert_int_equal(parse_len(FILE_LEN, &img), 0);
	assert_int_equal(build(&img, &p), 0);

	/* Field by field first. */
	assert_int_equal(zp[H_SETUP_SECTS], SETUP_SECTS);
	assert_int_equal(rd32(zp, H_SYSSIZE), SYSSIZE);
	assert_int_equal(rd16(zp, H_VID_MODE), 0xffff);
	assert_int_equal(rd16(zp, H_BOOT_FLAG), 0xaa55);
	assert_int_equal(zp[H_JUMP], 0xeb);
	assert_int_equal(zp[H_JUMP + 1], HDR_END_2_15 - H_HEADER);
	assert_memory_equal(zp + H_HEADER, "HdrS", 4);
	assert_int_equal(rd16(zp, H_VERSION), 0x020f);
	assert_int_equal(zp[H_TYPE_OF_LOADER], 0xff);
	assert_int_equal(zp[H_LOADFLAGS], LOADED_HIGH);
	assert_int_equal(rd32(zp, H_CODE32_START), PREF);
	assert_int_equal(rd32(zp, H_RAMDISK_IMAGE), 0x7c00000);
	assert_int_equal(rd32(zp, H_RAMDISK_SIZE), 0x123456);
	assert_int_equal(rd16(zp, H_HEAP_END_PTR), 0x5320);
	assert_int_equal(rd32(zp, H_CMD_LINE_PTR), 0x20000);
	assert_int_equal(rd32(zp, H_INITRD_ADDR_MAX), INITRD_MAX);
	assert_int_equal(rd32(zp, H_KERNEL_ALIGNMENT), 0x200000);
	assert_int_equal(zp[H_RELOCATABLE], 1);
	assert_int_equal(rd16(zp, H_XLOADFLAGS), 0x007f);
	assert_int_equal(rd32(zp, H_CMDLINE_SIZE), CMDLINE_SZ);
	assert_int_equal(rd64(zp, H_SETUP_DATA), 0);
	assert_int_equal(rd64(zp, H_PREF_ADDRESS), PREF);
	assert_int_equal(rd32(zp, H_INIT_SIZE), INIT_SIZE);
	assert_int_equal(rd32(zp, H_HANDOVER_OFFSET), 0x190);
	assert_int_equal(rd32(zp, H_KERNEL_INFO_OFF), 0x20f0);
	assert_int_equal(rd64(zp, ZP_ACPI_RSDP_ADDR), 0xf5a20);
	assert_int_equal(zp[ZP_E820_ENTRIES], NELEMS(sample_e820));
	for (unsigned i = 0; i < NELEMS(sample_e820); i++) {
		const uint8_t *e = zp + ZP_E820_TABLE + i * ZP_E820_ENTRY;

		assert_int_equal(rd64(e, 0), sample_e820[i]->base);
		assert_int_equal(rd64(e, 8), sample_e820[i]->len);
		assert_int_equal(rd32(e, 16), sample_e820[i]->type);
	}
	assert_int_equal(rd64(zp, ZP_E820_TABLE + NELEMS(sample_e820) * ZP_E820_ENTRY), 0);
	/* Nothing of the file outside the header: not the boot sector, not what follows. */
	for (size_t i = 0; i < H_SETUP_SECTS; i++) {
		if (i < ZP_ACPI_RSDP_ADDR || i >= ZP_ACPI_RSDP_ADDR + 8) {
			if (i != ZP_E820_ENTRIES)
				assert_int_equal(zp[i], 0);
		}
	}
	for (size_t i = HDR_END_2_15; i < ZP_E820_TABLE; i++)
		assert_int_equal(zp[i], 0);
	/* Then the whole page at once. */
	expect_page(&img, &p, sample_e820, NELEMS(sample_e820));
	/* The file itself is untouched. */
	assert_int_equal(file[H_TYPE_OF_LOADER], 0);
	assert_int_equal(rd32(file, H_CMD_LINE_PTR), 0);
}

static void test_zero_page_options(void **state)
{
	struct bz_image img;
	struct bz_params p = sample_params();

	(void)state;
	/* No initrd: the ramdisk fields stay as in the file (zero), whatever initrd_start says. */
	make_image();
	assert_int_equal(parse_len(FILE_LEN, &img), 0);
	p.initrd_len = 0;
	assert_int_equal(build(&img, &p), 0);
	assert_int_equal(rd32(zp, H_RAMDISK_IMAGE), 0);
	assert_int_equal(rd32(zp, H_RAMDISK_SIZE), 0);
	expect_page(&img, &p, sample_e820, NELEMS(sample_e820));

	/* acpi_rsdp_addr exists from 2.14 on: written for 2.14, left zero for 2.13. */
	p = sample_params();
	wr16(file, H_VERSION, 0x020e);
	assert_int_equal(parse_len(FILE_LEN, &img), 0);
	assert_int_equal(build(&img, &p), 0);
	assert_int_equal(rd64(zp, ZP_ACPI_RSDP_ADDR), 0xf5a20);
	expect_page(&img, &p, sample_e820, NELEMS(sample_e820));
	wr16(file, H_VERSION, 0x020d);
	assert_int_equal(parse_len(FILE_LEN, &img), 0);
	assert_int_equal(build(&img, &p), 0);
	assert_int_equal(rd64(zp, ZP_ACPI_RSDP_ADDR), 0);
	expect_page(&img, &p, sample_e820, NELEMS(sample_e820));
	/* A 64-bit RSDP address is kept whole. */
	wr16(file, H_VERSION, 0x020f);
	p.acpi_rsdp = 0x1234567890ull;
	assert_int_equal(parse_len(FILE_LEN, &img), 0);
	assert_int_equal(build(&img, &p), 0);
	assert_int_equal(rd64(zp, ZP_ACPI_RSDP_ADDR), 0x1234567890ull);

	/* A short 2.10 header: only its bytes are copied, the rest of the header area is zero. */
	make_image();
	wr16(file, H_VERSION, 0x020a);
	file[H_JUMP + 1] = HDR_END_2_10 - H_HEADER;
	p = sample_params();
	assert_int_equal(parse_len(FILE_LEN, &img), 0);
	assert_int_equal(build(&img, &p), 0);
	assert_int_equal(rd32(zp, H_INIT_SIZE), INIT_SIZE);
	assert_int_equal(rd32(zp, H_HANDOVER_OFFSET), 0);
	assert_int_equal(rd32(zp, H_KERNEL_INFO_OFF), 0);
	assert_int_equal(rd64(zp, ZP_ACPI_RSDP_ADDR), 0);
	expect_page(&img, &p, sample_e820, NELEMS(sample_e820));

	/* The longest header: file bytes up to the e820 table, then the table. */
	make_image();
	file[H_JUMP + 1] = ZP_E820_TABLE - H_HEADER;
	assert_int_equal(parse_len(FILE_LEN, &img), 0);
	assert_int_equal(build(&img, &p), 0);
	assert_int_equal(zp[ZP_E820_TABLE - 1], file[ZP_E820_TABLE - 1]);
	assert_int_equal(rd64(zp, ZP_E820_TABLE), 0);
	expect_page(&img, &p, sample_e820, NELEMS(sample_e820));

	/* An empty map: no entries. */
	make_image();
	assert_int_equal(parse_len(FILE_LEN, &img), 0);
	p.nmap = 0;
	assert_int_equal(build(&img, &p), 0);
	assert_int_equal(zp[ZP_E820_ENTRIES], 0);
	expect_page(&img, &p, NULL, 0);
}

static void test_zero_page_e820_limit(void **state)
{
	static struct mem_range map[2 * ZP_E820_MAX + 2];
	static const struct mem_range *e820[ZP_E820_MAX];
	struct bz_image img;
	struct bz_params p = sample_params();
	unsigned n = 0;

	(void)state;
	make_image();
	assert_int_equal(parse_len(FILE_LEN, &img), 0);
	/* 128 entries with empty ones between them: they fit. */
	for (unsigned i = 0; i < ZP_E820_MAX; i++) {
		map[2 * i] = (struct mem_range){0x100000ull * i, 0x1000 + i, 1 + i % 5};
		map[2 * i + 1] = (struct mem_range){0x100000ull * i + 0x80000, 0, MEM_USABLE};
		e820[n++] = &map[2 * i];
	}
	map[2 * ZP_E820_MAX] = (struct mem_range){FOUR_GIB, 0, MEM_USABLE};
	p.map = map;
	p.nmap = 2 * ZP_E820_MAX + 1; /* a trailing empty entry does not count */
	assert_int_equal(build(&img, &p), 0);
	assert_int_equal(zp[ZP_E820_ENTRIES], ZP_E820_MAX);
	expect_page(&img, &p, e820, ZP_E820_MAX);
	/* The last entry ends at 0x2d0 + 128 * 20. */
	assert_int_equal(rd64(zp, ZP_E820_TABLE + 127 * ZP_E820_ENTRY), 0x100000ull * 127);
	assert_int_equal(rd32(zp, ZP_E820_TABLE + 127 * ZP_E820_ENTRY + 16), 1 + 127 % 5);
	assert_int_equal(zp[ZP_E820_TABLE + 128 * ZP_E820_ENTRY], 0);

	/* A 129th non-empty entry does not fit. */
	map[2 * ZP_E820_MAX + 1] = (struct mem_range){FOUR_GIB, 0x1000, MEM_USABLE};
	p.nmap = 2 * ZP_E820_MAX + 2;
	assert_int_equal(build(&img, &p), -1);
	assert_true(strlen(err) > 0);
	assert_non_null(strstr(err, "128"));
	check_canary();
}

/* --- the boot GDT (SDM vol. 3A, 3.4.5, "Segment Descriptors") --- */

struct desc {
	uint32_t base, limit;
	unsigned type, s, dpl, p, avl, l, db, g;
};

static struct desc decode(uint64_t d)
{
	return (struct desc){
	    .limit = (uint32_t)(d & 0xffff) | (uint32_t)((d >> 48) & 0xf) << 16,
	    .base = (uint32_t)((d >> 16) & 0xffffff) | (uint32_t)((d >> 56) & 0xff) << 24,
	    .type = (d >> 40) & 0xf,
	    .s = (d >> 44) & 1,
	    .dpl = (d >> 45) & 3,
	    .p = (d >> 47) & 1,
	    .avl = (d >> 52) & 1,
	    .l = (d >> 53) & 1,
	    .db = (d >> 54) & 1,
	    .g = (d >> 55) & 1,
	};
}

static void check_flat(struct desc d)
{
	assert_int_equal(d.base, 0);
	assert_int_equal(d.limit, 0xfffff);
	assert_int_equal(d.g, 1); /* 4 KiB units: 4 GiB */
	assert_int_equal(d.db, 1);
	assert_int_equal(d.l, 0); /* 32-bit protected mode */
	assert_int_equal(d.p, 1);
	assert_int_equal(d.dpl, 0);
	assert_int_equal(d.s, 1); /* code or data, not system */
}

static void test_boot_gdt(void **state)
{
	uint64_t gdt[4];
	struct desc cs, ds;

	(void)state;
	/* boot.rst: __BOOT_CS is 0x10 and __BOOT_DS 0x18. */
	assert_int_equal(BZ_BOOT_CS, 0x10);
	assert_int_equal(BZ_BOOT_DS, 0x18);
	memset(gdt, 0xff, sizeof(gdt));
	bz_boot_gdt(gdt);
	assert_int_equal(gdt[0], 0);
	assert_int_equal(gdt[1], 0);

	cs = decode(gdt[0x10 / 8]);
	check_flat(cs);
	assert_int_equal(cs.type & 0x8, 0x8); /* code */
	assert_int_equal(cs.type & 0x4, 0);   /* not conforming */
	assert_int_equal(cs.type & 0x2, 0x2); /* readable */

	ds = decode(gdt[0x18 / 8]);
	check_flat(ds);
	assert_int_equal(ds.type & 0x8, 0);   /* data */
	assert_int_equal(ds.type & 0x4, 0);   /* expand up */
	assert_int_equal(ds.type & 0x2, 0x2); /* writable */
	/* Both the same flat 4 GiB segment apart from their type. */
	assert_int_equal(gdt[2] & ~(0xfull << 40), gdt[3] & ~(0xfull << 40));
}

/* --- screen_info from the BIOS data area (arch/x86/boot/video.c store_mode_params()) --- */

/* SeaBIOS's text mode 3 as QEMU's multiboot or GRUB leaves it: Linux's VGA console goes on
 * ("Console: colour VGA+ 80x25") as after its own real-mode setup; a graphics mode or an empty
 * data area (UEFI) gives no screen_info. */
static void test_zero_page_screen_info(void **state)
{
	static uint8_t bda[BZ_BDA_SIZE];
	struct bz_image img;
	struct bz_params p = sample_params();

	(void)state;
	make_image();
	assert_int_equal(parse_len(FILE_LEN, &img), 0);
	p.bda = bda;
	assert_int_equal(build(&img, &p), 0); /* all zero: no text mode */
	expect_page(&img, &p, sample_e820, NELEMS(sample_e820));
	bda[0x49] = 0x83; /* mode 3, "keep the screen" bit */
	wr16(bda, 0x4a, 80);
	bda[0x50] = 2; /* cursor column, row on page 0 */
	bda[0x51] = 5;
	bda[0x84] = 24;
	wr16(bda, 0x85, 16);
	assert_int_equal(build(&img, &p), 0);
	assert_int_equal(zp[0x00], 2);	      /* orig_x */
	assert_int_equal(zp[0x01], 5);	      /* orig_y */
	assert_int_equal(rd16(zp, 0x04), 0);  /* orig_video_page */
	assert_int_equal(zp[0x06], 3);	      /* orig_video_mode */
	assert_int_equal(zp[0x07], 80);	      /* orig_video_cols */
	assert_int_equal(rd16(zp, 0x0a), 3);  /* orig_video_ega_bx */
	assert_int_equal(zp[0x0e], 25);	      /* orig_video_lines */
	assert_int_equal(zp[0x0f], 1);	      /* orig_video_isVGA */
	assert_int_equal(rd16(zp, 0x10), 16); /* orig_video_points */
	check_canary();
	bda[0x49] = 0x12; /* 640x480x16 graphics: vgacon does not take it */
	assert_int_equal(build(&img, &p), 0);
	expect_page(&img, &p, sample_e820, NELEMS(sample_e820));
}

/* --- UEFI: efi_info and the EFI memory map (zero-page.rst; UEFI 2.10, 7.2) --- */

#define ZP_EFI_INFO   0x1c0
#define EFI_DESC_SIZE 48 /* OVMF's: 40 bytes of EFI_MEMORY_DESCRIPTOR and padding */
#define EFI_BS_DATA   4
#define EFI_CONV      7

static void efi_desc(uint8_t *d, uint32_t type, uint64_t start, uint64_t pages)
{
	memset(d, 0, EFI_DESC_SIZE);
	wr32(d, 0, type);
	wr64(d, 8, start);
	wr64(d, 16, 0x1234); /* VirtualStart: kept as the firmware left it */
	wr64(d, 24, pages);
	wr64(d, 32, 0xf); /* Attribute: UC WC WT WB */
}

/* A 64-bit kernel on UEFI gets efi_info as the EFI stub fills it: "EL64", the system table and
 * the memory map (the EFI stub's own handover; without it Linux finds no SMBIOS on OVMF). */
static void test_zero_page_efi_info(void **state)
{
	struct bz_image img;
	struct bz_params p = sample_params();

	(void)state;
	make_image();
	assert_int_equal(parse_len(FILE_LEN, &img), 0);
	img.kernel_64bit = false;
	p.efi_systab = 0x13f5eb018ull;
	p.efi_mmap = 0xd000;
	p.efi_mmap_size = 3 * EFI_DESC_SIZE;
	p.efi_desc_size = EFI_DESC_SIZE;
	p.efi_desc_version = 1;
	assert_int_equal(build(&img, &p), 0);
	assert_int_equal(rd32(zp, ZP_EFI_INFO), 0); /* a 32-bit kernel: no "EL64" */
	img.kernel_64bit = true;
	assert_int_equal(build(&img, &p), 0);
	assert_memory_equal(zp + ZP_EFI_INFO, "EL64", 4);
	assert_int_equal(rd32(zp, ZP_EFI_INFO + 0x04), 0x3f5eb018);
	assert_int_equal(rd32(zp, ZP_EFI_INFO + 0x18), 1); /* efi_systab_hi */
	assert_int_equal(rd32(zp, ZP_EFI_INFO + 0x08), EFI_DESC_SIZE);
	assert_int_equal(rd32(zp, ZP_EFI_INFO + 0x0c), 1);
	assert_int_equal(rd32(zp, ZP_EFI_INFO + 0x10), 0xd000);
	assert_int_equal(rd32(zp, ZP_EFI_INFO + 0x14), 3 * EFI_DESC_SIZE);
	assert_int_equal(rd32(zp, ZP_EFI_INFO + 0x1c), 0);
	check_canary();
}

/* The hypervisor's region becomes EfiReservedMemoryType in the map Linux gets (its KASLR picks
 * from EfiConventionalMemory alone); only conventional memory may take moved modules. */
static void test_efi_map_carve(void **state)
{
	static uint8_t in[3 * EFI_DESC_SIZE], out[8 * EFI_DESC_SIZE];
	struct phys_range hole = {0x3fa00000, 0x3fe18000};
	struct mem_range conv[4];
	int len;

	(void)state;
	efi_desc(in, EFI_CONV, 0x100000, 0x100);			 /* clear of the hole */
	efi_desc(in + EFI_DESC_SIZE, EFI_CONV, 0x3f900000, 0x600);	 /* the hole inside */
	efi_desc(in + 2 * EFI_DESC_SIZE, EFI_BS_DATA, 0x3ff00000, 0x10); /* clear, kept */
	len = bz_efi_map_carve(in, sizeof(in), EFI_DESC_SIZE, hole, out, sizeof(out));
	assert_int_equal(len, 5 * EFI_DESC_SIZE);
	assert_memory_equal(out, in, EFI_DESC_SIZE);
	assert_int_equal(rd32(out + EFI_DESC_SIZE, 0), EFI_CONV);
	assert_int_equal(rd64(out + EFI_DESC_SIZE, 8), 0x3f900000);
	assert_int_equal(rd64(out + EFI_DESC_SIZE, 24), 0x100);
	assert_int_equal(rd32(out + 2 * EFI_DESC_SIZE, 0), 0); /* EfiReservedMemoryType */
	assert_int_equal(rd64(out + 2 * EFI_DESC_SIZE, 8), 0x3fa00000);
	assert_int_equal(rd64(out + 2 * EFI_DESC_SIZE, 24), 0x418);
	assert_int_equal(rd64(out + 2 * EFI_DESC_SIZE, 32), 0xf);
	assert_int_equal(rd32(out + 3 * EFI_DESC_SIZE, 0), EFI_CONV);
	assert_int_equal(rd64(out + 3 * EFI_DESC_SIZE, 8), 0x3fe18000);
	assert_int_equal(rd64(out + 3 * EFI_DESC_SIZE, 24), 0xe8);
	assert_memory_equal(out + 4 * EFI_DESC_SIZE, in + 2 * EFI_DESC_SIZE, EFI_DESC_SIZE);
	assert_int_equal(bz_efi_usable(out, (uint32_t)len, EFI_DESC_SIZE, conv, 4), 3);
	assert_int_equal(conv[0].base, 0x100000);
	assert_int_equal(conv[0].len, 0x100000);
	assert_int_equal(conv[1].base, 0x3f900000);
	assert_int_equal(conv[1].len, 0x100000);
	assert_int_equal(conv[2].base, 0x3fe18000);
	assert_int_equal(conv[2].type, MEM_USABLE);
	/* Too small a buffer, or descriptors shorter than the UEFI structure: refused. */
	assert_int_equal(
	    bz_efi_map_carve(in, sizeof(in), EFI_DESC_SIZE, hole, out, 4 * EFI_DESC_SIZE), -1);
	assert_int_equal(bz_efi_map_carve(in, sizeof(in), 32, hole, out, sizeof(out)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_valid_image),	      cmocka_unit_test(test_field_variants),
	    cmocka_unit_test(test_load_address),      cmocka_unit_test(test_refusals),
	    cmocka_unit_test(test_is_linux),	      cmocka_unit_test(test_truncation),
	    cmocka_unit_test(test_header_fuzz),	      cmocka_unit_test(test_zero_page),
	    cmocka_unit_test(test_zero_page_options), cmocka_unit_test(test_zero_page_e820_limit),
	    cmocka_unit_test(test_boot_gdt),	      cmocka_unit_test(test_zero_page_efi_info),
	    cmocka_unit_test(test_efi_map_carve),     cmocka_unit_test(test_zero_page_screen_info),
	};

	return cmocka_run_group_tests_name("bzimage", tests, NULL, NULL);
}
