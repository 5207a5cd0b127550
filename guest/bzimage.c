/* bzimage.c - check a Linux bzImage's setup header and build its zero page (boot.rst). */
#include "bzimage.h"

#include "core/hw/le.h"
#include "core/hw/printf.h"
#include "core/hw/string.h"

/* Offsets in the image and in struct boot_params (arch/x86/include/uapi/asm/bootparam.h). */
#define OFF_ACPI_RSDP_ADDR 0x070
#define OFF_EFI_INFO	   0x1c0 /* struct efi_info (zero-page.rst) */
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
/* struct screen_info (zero-page.rst, offset 0) as Linux's real-mode setup fills it from the
 * BIOS (arch/x86/boot/video.c store_mode_params(), video-vga.c vga_probe()). */
#define SI_ORIG_X     0x00
#define SI_ORIG_Y     0x01
#define SI_PAGE	      0x04
#define SI_MODE	      0x06
#define SI_COLS	      0x07
#define SI_EGA_BX     0x0a
#define SI_LINES      0x0e
#define SI_IS_VGA     0x0f
#define SI_POINTS     0x10
#define SI_VGA	      1	   /* orig_video_isVGA: INT 10h AX=1A00h answered (ADAPTER_VGA) */
#define SI_EGA_BL_VGA 0x03 /* INT 10h AH=12h BL=10h on a colour VGA: BH 0, BL 3 (256 KiB) */
/* The BIOS data area's video fields (IBM PC BIOS, segment 0x40), from BZ_BDA_GPA. */
#define BDA_MODE	   0x49
#define BDA_COLS	   0x4a /* u16 */
#define BDA_CURSOR	   0x50 /* page 0: column, row */
#define BDA_PAGE	   0x62
#define BDA_ROWS_MINUS_1   0x84
#define BDA_POINTS	   0x85 /* u16: character height */
#define BDA_MODE_MASK	   0x7f /* bit 7: "do not clear the screen" */
#define BDA_MODE_TEXT_LAST 0x03 /* modes 0-3 are colour text, 7 monochrome text */
#define BDA_MODE_MONO	   0x07
/* struct efi_info's fields (arch/x86/include/uapi/asm/bootparam.h), from OFF_EFI_INFO. */
#define EFI_INFO_SIGNATURE  0x00
#define EFI_INFO_SYSTAB	    0x04
#define EFI_INFO_DESC_SIZE  0x08
#define EFI_INFO_DESC_VERS  0x0c
#define EFI_INFO_MEMMAP	    0x10
#define EFI_INFO_MEMMAP_LEN 0x14
#define EFI_INFO_SYSTAB_HI  0x18
#define EFI_INFO_MEMMAP_HI  0x1c
#define EFI64_LOADER_SIG    "EL64" /* a 64-bit firmware's tables */
/* UEFI 2.10, 7.2 GetMemoryMap(): EFI_MEMORY_DESCRIPTOR's Type, PhysicalStart, NumberOfPages;
 * pages are 4 KiB. */
#define EFI_MD_TYPE	      0
#define EFI_MD_PHYS_START     8
#define EFI_MD_PAGES	      24
#define EFI_MD_MIN_SIZE	      40
#define EFI_PAGE_SHIFT	      12
#define EFI_RESERVED_MEM_TYPE 0
#define EFI_CONVENTIONAL_MEM  7

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

/* A text mode the BIOS left (a VGA console Linux keeps using): screen_info as Linux's own
 * real-mode setup records it; in a graphics mode or with an empty data area (UEFI) nothing. */
static void screen_from_bda(uint8_t *bp, const uint8_t *bda)
{
	uint8_t mode = bda[BDA_MODE] & BDA_MODE_MASK;

	if ((mode > BDA_MODE_TEXT_LAST && mode != BDA_MODE_MONO) || !bda[BDA_COLS] ||
	    !bda[BDA_ROWS_MINUS_1] || !le16(bda + BDA_POINTS))
		return;
	bp[SI_ORIG_X] = bda[BDA_CURSOR];
	bp[SI_ORIG_Y] = bda[BDA_CURSOR + 1];
	bp[SI_PAGE] = bda[BDA_PAGE]; /* u16, the high byte zero */
	bp[SI_MODE] = mode;
	bp[SI_COLS] = bda[BDA_COLS];
	bp[SI_EGA_BX] = SI_EGA_BL_VGA; /* BL; BH 0: colour */
	bp[SI_LINES] = (uint8_t)(bda[BDA_ROWS_MINUS_1] + 1);
	bp[SI_IS_VGA] = SI_VGA;
	memcpy(bp + SI_POINTS, bda + BDA_POINTS, 2); /* u16 both */
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
	if (p->bda)
		screen_from_bda(bp, p->bda);
	/* zero-page.rst efi_info: what the EFI stub leaves a 64-bit kernel; its DMI (SMBIOS) and
	 * runtime services are found through the system table alone on UEFI. */
	if (p->efi_systab && p->efi_mmap && img->kernel_64bit) {
		uint8_t *e = bp + OFF_EFI_INFO;
		memcpy(e + EFI_INFO_SIGNATURE, EFI64_LOADER_SIG, 4);
		put_le32(e + EFI_INFO_SYSTAB, (uint32_t)p->efi_systab);
		put_le32(e + EFI_INFO_SYSTAB_HI, (uint32_t)(p->efi_systab >> 32));
		put_le32(e + EFI_INFO_DESC_SIZE, p->efi_desc_size);
		put_le32(e + EFI_INFO_DESC_VERS, p->efi_desc_version);
		put_le32(e + EFI_INFO_MEMMAP, (uint32_t)p->efi_mmap);
		put_le32(e + EFI_INFO_MEMMAP_HI, (uint32_t)(p->efi_mmap >> 32));
		put_le32(e + EFI_INFO_MEMMAP_LEN, p->efi_mmap_size);
	}
	return 0;
}

/* One descriptor @md for [start, end), type @type, into @out at *@len; false when full. */
static bool efi_md_put(const uint8_t *md, uint32_t desc_size, uint64_t start, uint64_t end,
		       uint32_t type, uint8_t *out, uint32_t *len, uint32_t max)
{
	if (end <= start)
		return true;
	if (max - *len < desc_size)
		return false;
	memcpy(out + *len, md, desc_size);
	put_le32(out + *len + EFI_MD_TYPE, type);
	put_le64(out + *len + EFI_MD_PHYS_START, start);
	put_le64(out + *len + EFI_MD_PAGES, (end - start) >> EFI_PAGE_SHIFT);
	*len += desc_size;
	return true;
}

int bz_efi_map_carve(const uint8_t *in, uint32_t size, uint32_t desc_size, struct phys_range hole,
		     uint8_t *out, uint32_t max)
{
	uint32_t len = 0;

	if (desc_size < EFI_MD_MIN_SIZE)
		return -1;
	/* KASLR places a kernel told of UEFI by its conventional memory: never the hole's. */
	for (uint32_t off = 0; size - off >= desc_size; off += desc_size) {
		const uint8_t *md = in + off;
		uint32_t type = le32(md + EFI_MD_TYPE);
		uint64_t s = le64(md + EFI_MD_PHYS_START);
		uint64_t e = s + (le64(md + EFI_MD_PAGES) << EFI_PAGE_SHIFT);
		uint64_t hs = hole.start > s ? hole.start : s, he = hole.end < e ? hole.end : e;

		if (hs >= he)
			hs = he = e;
		if (!efi_md_put(md, desc_size, s, hs, type, out, &len, max) ||
		    !efi_md_put(md, desc_size, hs, he, EFI_RESERVED_MEM_TYPE, out, &len, max) ||
		    !efi_md_put(md, desc_size, he, e, type, out, &len, max))
			return -1;
	}
	return (int)len;
}

unsigned bz_efi_usable(const uint8_t *in, uint32_t size, uint32_t desc_size, struct mem_range *out,
		       unsigned max)
{
	unsigned n = 0;

	for (uint32_t off = 0; desc_size >= EFI_MD_MIN_SIZE && size - off >= desc_size && n < max;
	     off += desc_size) {
		if (le32(in + off + EFI_MD_TYPE) == EFI_CONVENTIONAL_MEM)
			out[n++] = (struct mem_range){
			    le64(in + off + EFI_MD_PHYS_START),
			    le64(in + off + EFI_MD_PAGES) << EFI_PAGE_SHIFT, MEM_USABLE};
	}
	return n;
}

const char *bz_kernel_args(const char *s)
{
	while (*s && *s != ' ')
		s++;
	while (*s == ' ')
		s++;
	return s;
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
