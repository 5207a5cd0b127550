/* fuzz_bzimage.c - libFuzzer target: any bytes as a Linux bzImage, then its zero page built. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "guest/bzimage.h"
#include "fuzz_util.h"

/* boot.rst and zero-page.rst, written out independently of bzimage.c. */
#define H_SETUP_SECTS	  0x1f1
#define H_JUMP_LEN	  0x201 /* the header ends at 0x202 + this byte */
#define H_HEADER	  0x202
#define H_TYPE_OF_LOADER  0x210
#define H_CODE32_START	  0x214
#define H_RAMDISK_IMAGE	  0x218
#define H_RAMDISK_SIZE	  0x21c
#define H_CMD_LINE_PTR	  0x228
#define ZP_ACPI_RSDP_ADDR 0x070
#define ZP_E820_ENTRIES	  0x1e8
#define ZP_E820_TABLE	  0x2d0
#define ZP_E820_ENTRY	  20
#define LOADER_UNDEFINED  0xff
#define SECTOR		  512u
#define SECTS_DEFAULT	  4u /* setup_sects 0 means 4 */
#define LIMIT_4G	  (1ull << 32)
#define ERRLEN		  160 /* linux_boot()'s ERR_MAX */

/* linux_boot()'s addresses, an initrd and an RSDP. */
#define CMDLINE_GPA 0xa000u
#define RSDP_GPA    0xc000u
#define INITRD_GPA  0x7000000u
#define INITRD_LEN  0x123456u

/* The memory map comes from the input's last byte: its value is the number of entries (every
 * third empty, so not counted), bit 0 whether there is an initrd. Beyond 128 non-empty
 * entries bz_build_params() must refuse. */
#define MAP_MAX 256
#define MIB	0x100000ull
static struct mem_range map[MAP_MAX];

static void put32(uint8_t *p, uint32_t v)
{
	for (unsigned i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

/* The zero page as boot.rst describes it, built here to compare with bz_build_params(). */
static unsigned expected_params(uint8_t *bp, const uint8_t *file, const struct bz_image *img,
				const struct bz_params *p)
{
	unsigned n = 0;

	memset(bp, 0, BZ_BOOT_PARAMS_SIZE);
	memcpy(bp + H_SETUP_SECTS, file + H_SETUP_SECTS,
	       H_HEADER + file[H_JUMP_LEN] - H_SETUP_SECTS);
	bp[H_TYPE_OF_LOADER] = LOADER_UNDEFINED;
	put32(bp + H_CODE32_START, img->entry);
	put32(bp + H_CMD_LINE_PTR, p->cmdline_gpa);
	if (p->initrd_len) {
		put32(bp + H_RAMDISK_IMAGE, (uint32_t)p->initrd_start);
		put32(bp + H_RAMDISK_SIZE, (uint32_t)p->initrd_len);
	}
	if (img->version >= BZ_ACPI_RSDP_VERSION)
		put64(bp + ZP_ACPI_RSDP_ADDR, p->acpi_rsdp);
	for (unsigned i = 0; i < p->nmap; i++) {
		uint8_t *e = bp + ZP_E820_TABLE + n * ZP_E820_ENTRY;

		if (!p->map[i].len)
			continue;
		if (n == BZ_E820_MAX)
			return n + 1;
		put64(e, p->map[i].base);
		put64(e + 8, p->map[i].len);
		put32(e + 16, p->map[i].type);
		n++;
	}
	bp[ZP_E820_ENTRIES] = (uint8_t)n;
	return n;
}

/* What a successful parse promises: protocol 2.10+, the kernel inside the file after the
 * setup sectors, loaded at or above 1 MiB with all it needs below 4 GiB. */
static void check_image(const struct bz_image *img, const uint8_t *file, size_t len)
{
	unsigned sects = file[H_SETUP_SECTS] ? file[H_SETUP_SECTS] : SECTS_DEFAULT;
	uint8_t sum = 0;

	CHECK(img->version >= BZ_MIN_VERSION);
	CHECK((size_t)H_HEADER + file[H_JUMP_LEN] <= len &&
	      H_HEADER + file[H_JUMP_LEN] <= ZP_E820_TABLE);
	CHECK(img->kernel_off == (sects + 1) * SECTOR);
	CHECK(img->kernel_len > 0 && img->kernel_off < len &&
	      img->kernel_len <= len - img->kernel_off);
	CHECK(img->entry >= BZ_LOAD_ADDR);
	CHECK(img->mem_end >= (uint64_t)img->entry + img->kernel_len && img->mem_end <= LIMIT_4G);
	/* linux_boot() copies exactly these bytes: ASan checks they are all in the file. */
	for (uint32_t k = 0; k < img->kernel_len; k++)
		sum ^= file[img->kernel_off + k];
	(void)sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *file = fuzz_dup(data, size), *bp = malloc(BZ_BOOT_PARAMS_SIZE);
	uint8_t *want = malloc(BZ_BOOT_PARAMS_SIZE);
	char *err = malloc(ERRLEN);
	struct bz_image img;
	struct bz_params p = {.cmdline_gpa = CMDLINE_GPA, .acpi_rsdp = RSDP_GPA, .map = map};
	unsigned n;
	int rc;

	CHECK(bp && want && err);
	if (!map[0].len)
		for (unsigned i = 0; i < MAP_MAX; i++)
			map[i] = (struct mem_range){i * MIB, i % 3 == 2 ? 0 : (i + 1) * 0x1000ull,
						    MEM_USABLE + i % MEM_BAD};
	err[0] = 0;
	rc = bz_parse(file, size, &img, err, ERRLEN);
	CHECK(memchr(err, 0, ERRLEN) && (rc == 0 || (rc == -1 && err[0])));
	CHECK(rc != 0 || bz_is_linux(file, size));
	if (rc == 0) {
		check_image(&img, file, size);
		p.nmap = data[size - 1];
		if (p.nmap & 1) {
			p.initrd_start = INITRD_GPA;
			p.initrd_len = INITRD_LEN;
		}
		n = expected_params(want, file, &img, &p);
		err[0] = 0;
		rc = bz_build_params(bp, file, &img, &p, err, ERRLEN);
		CHECK(memchr(err, 0, ERRLEN));
		if (n > BZ_E820_MAX)
			CHECK(rc == -1 && err[0]);
		else
			CHECK(rc == 0 && memcmp(bp, want, BZ_BOOT_PARAMS_SIZE) == 0);
	}
	free(err);
	free(want);
	free(bp);
	free(file);
	return 0;
}
