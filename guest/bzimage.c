/* bzimage.c - check a Linux bzImage's setup header and build its zero page (boot.rst). */
#include "bzimage.h"

#include "core/hw/le.h"
#include "core/hw/printf.h"
#include "core/hw/string.h"

/* Offsets in the image and in struct boot_params (arch/x86/include/uapi/asm/bootparam.h). */
#define OFF_ACPI_RSDP_ADDR 0x070
#define OFF_E820_ENTRIES   0x1e8
#define OFF_SETUP_SECTS	   0x1f1
#define OFF_SYSSIZE	   0x1f4
#define OFF_BOOT_FLAG	   0x1fe
#define OFF_JUMP_LEN	   0x201 /* the header ends at 0x202 + this byte */
#define OFF_HEADER	   0x202
#define OFF_VERSION	   0x206
#define OFF_TYPE_OF_LOADER 0x210
#define OFF_LOADFLAGS	   0x211
#define OFF_CODE32_START   0x214
#define OFF_RAMDISK_IMAGE  0x218
#define OFF_RAMDISK_SIZE   0x21c
#define OFF_CMD_LINE_PTR   0x228
#define OFF_INITRD_MAX	   0x22c
#define OFF_XLOADFLAGS	   0x236
#define OFF_CMDLINE_SIZE   0x238
#define OFF_PREF_ADDRESS   0x258
#define OFF_INIT_SIZE	   0x260
#define OFF_E820_TABLE	   0x2d0
#define E820_ENTRY_SIZE	   20
#define HEADER_END_MIN	   (OFF_INIT_SIZE + 4) /* 2.10 defines fields up to init_size */

#define BOOT_FLAG_MAGIC	    0xaa55
#define SECTOR_SIZE	    512u
#define SETUP_SECTS_DEFAULT 4u	  /* "if this field is 0, the real value is 4" */
#define SYSSIZE_UNIT	    16u	  /* syssize counts 16-byte paragraphs */
#define LOADED_HIGH	    0x01u /* loadflags bit 0: the kernel is loaded at 0x100000 */
#define LOADER_UNDEFINED    0xffu /* type_of_loader: a boot loader without an assigned ID */
#define LIMIT_4G	    0x100000000ull
#define XLF_KERNEL_64	    0x01u /* xloadflags bit 0: a 64-bit entry at 0x200 exists */

/* The one-line reason of a refusal into @err; returns -1. */
static size_t header_end(const uint8_t *file)
{
	return OFF_HEADER + file[OFF_JUMP_LEN];
}

bool bz_is_linux(const uint8_t *file, size_t len)
{
	return len > OFF_HEADER + 4 && le32(file + OFF_HEADER) == BZ_HDRS_MAGIC;
}

int bz_parse(const uint8_t *file, size_t len, struct bz_image *img, char *err, size_t errlen)
{
	unsigned sects;
	uint64_t pref, init_size, kernel_len;

	if (!bz_is_linux(file, len) || le16(file + OFF_BOOT_FLAG) != BOOT_FLAG_MAGIC)
		return fmt_fail(-1, err, errlen, "not a Linux kernel (no HdrS setup header)");
	if (len < HEADER_END_MIN)
		return fmt_fail(-1, err, errlen, "Linux setup header truncated: %lu-byte file",
				(uint64_t)len);
	img->version = le16(file + OFF_VERSION);
	if (img->version < BZ_MIN_VERSION)
		return fmt_fail(-1, err, errlen,
				"Linux boot protocol %u.%02u, at least 2.10 needed",
				img->version >> 8, img->version & 0xff);
	if (header_end(file) < HEADER_END_MIN || header_end(file) > len ||
	    header_end(file) > OFF_E820_TABLE)
		return fmt_fail(-1, err, errlen, "Linux setup header length %u is malformed",
				(unsigned)header_end(file));
	if (!(file[OFF_LOADFLAGS] & LOADED_HIGH))
		return fmt_fail(-1, err, errlen, "zImage (loaded low) kernels are not supported");
	sects = file[OFF_SETUP_SECTS] ? file[OFF_SETUP_SECTS] : SETUP_SECTS_DEFAULT;
	img->kernel_off = (sects + 1) * SECTOR_SIZE;
	kernel_len = (uint64_t)le32(file + OFF_SYSSIZE) * SYSSIZE_UNIT; /* 36 bits: no wrap */
	if (img->kernel_off >= len || kernel_len == 0 || kernel_len > len - img->kernel_off)
		return fmt_fail(-1, err, errlen,
				"Linux image truncated: %u setup sectors and %lu kernel "
				"bytes in a %lu-byte file",
				sects, kernel_len, (uint64_t)len);
	img->kernel_len = (uint32_t)kernel_len;
	/* Load at pref_address, where it decompresses in place, as GRUB does (boot.rst, 2.10:
	 * it needs [entry, entry + init_size)); at 0x100000 it would move itself, needing more. */
	pref = le64(file + OFF_PREF_ADDRESS);
	init_size = le32(file + OFF_INIT_SIZE);
	img->entry = pref >= BZ_LOAD_ADDR && pref < LIMIT_4G ? (uint32_t)pref : BZ_LOAD_ADDR;
	img->mem_end = img->entry + (init_size > img->kernel_len ? init_size : img->kernel_len);
	if (img->mem_end > LIMIT_4G)
		return fmt_fail(-1, err, errlen, "Linux wants memory up to 0x%lx, above 4 GiB",
				img->mem_end);
	img->initrd_addr_max = le32(file + OFF_INITRD_MAX);
	img->cmdline_size = le32(file + OFF_CMDLINE_SIZE);
	img->kernel_64bit = file[OFF_XLOADFLAGS] & XLF_KERNEL_64;
	return 0;
}

int bz_build_params(uint8_t *bp, const uint8_t *file, const struct bz_image *img,
		    const struct bz_params *p, char *err, size_t errlen)
{
	unsigned n = 0;

	memset(bp, 0, BZ_BOOT_PARAMS_SIZE);
	/* boot.rst, 32-bit boot protocol: the setup header goes into the zero page as is. */
	memcpy(bp + OFF_SETUP_SECTS, file + OFF_SETUP_SECTS, header_end(file) - OFF_SETUP_SECTS);
	bp[OFF_TYPE_OF_LOADER] = LOADER_UNDEFINED;
	put_le32(bp + OFF_CODE32_START, img->entry);
	put_le32(bp + OFF_CMD_LINE_PTR, p->cmdline_gpa);
	if (p->initrd_len) {
		put_le32(bp + OFF_RAMDISK_IMAGE, (uint32_t)p->initrd_start);
		put_le32(bp + OFF_RAMDISK_SIZE, (uint32_t)p->initrd_len);
	}
	if (img->version >= BZ_ACPI_RSDP_VERSION)
		put_le64(bp + OFF_ACPI_RSDP_ADDR, p->acpi_rsdp);
	for (unsigned i = 0; i < p->nmap; i++) {
		uint8_t *e = bp + OFF_E820_TABLE + n * E820_ENTRY_SIZE;
		if (!p->map[i].len)
			continue;
		if (n == BZ_E820_MAX)
			return fmt_fail(-1, err, errlen, "memory map has more than %u entries",
					BZ_E820_MAX);
		put_le64(e + 0, p->map[i].base);
		put_le64(e + 8, p->map[i].len);
		put_le32(e + 16, p->map[i].type);
		n++;
	}
	bp[OFF_E820_ENTRIES] = (uint8_t)n;
	return 0;
}

/* SDM vol. 3A, 3.4.5: base 0, limit 0xfffff in 4 KiB units, present, DPL 0, 32-bit. */
#define GDT_FLAT_CODE 0x00cf9b000000ffffull /* execute/read, accessed */
#define GDT_FLAT_DATA 0x00cf93000000ffffull /* read/write, accessed */

void bz_boot_gdt(uint64_t gdt[4])
{
	gdt[0] = gdt[1] = 0;
	gdt[BZ_BOOT_CS / 8] = GDT_FLAT_CODE;
	gdt[BZ_BOOT_DS / 8] = GDT_FLAT_DATA;
}
