/* bzimage.h - a Linux bzImage and its zero page (x86 boot protocol, boot.rst). */
#ifndef DBGVISOR_BZIMAGE_H
#define DBGVISOR_BZIMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/hw/bootinfo.h"
#include "core/hw/pmem.h"

/* boot.rst, "The real-mode kernel header": where the setup header sits in the image. */
#define BZ_HDRS_MAGIC	     0x53726448u /* "HdrS" at 0x202 */
#define BZ_MIN_VERSION	     0x020a	 /* 2.10: 32-bit entry, init_size, pref_address */
#define BZ_ACPI_RSDP_VERSION 0x020e	 /* 2.14 added acpi_rsdp_addr */
#define BZ_BOOT_PARAMS_SIZE  4096u	 /* the "zero page" */
#define BZ_LOAD_ADDR	     0x100000u	 /* code32_start's default, for a pref_address below it */
#define BZ_E820_MAX	     128u	 /* E820_MAX_ENTRIES_ZEROPAGE */
#define BZ_BDA_GPA	     0x400u	 /* the BIOS data area, segment 0x40 */
#define BZ_BDA_SIZE	     0x100u
/* boot.rst "32-bit BOOT PROTOCOL": the boot GDT's 4 GiB flat __BOOT_CS and __BOOT_DS. */
#define BZ_BOOT_CS 0x10
#define BZ_BOOT_DS 0x18

struct bz_image {
	uint16_t version;
	uint32_t kernel_off, kernel_len; /* the protected-mode kernel within the file */
	uint32_t entry;			 /* where it is loaded and entered (32-bit entry) */
	uint64_t mem_end;		 /* end of what it needs to decompress: keep free */
	uint32_t initrd_addr_max;	 /* highest address the initrd may occupy */
	uint32_t cmdline_size;		 /* longest command line, without the NUL */
	bool kernel_64bit;		 /* xloadflags XLF_KERNEL_64: it runs in long mode */
};

struct bz_params {
	uint32_t cmdline_gpa;		   /* NUL-terminated command line in guest memory */
	uint64_t initrd_start, initrd_len; /* 0 length: no initrd */
	uint64_t acpi_rsdp;		   /* 0: the kernel scans the BIOS areas itself */
	const struct mem_range *map;	   /* becomes the e820 table */
	unsigned nmap;
	/* UEFI (0: none): the system table and the EFI memory map in guest memory, for efi_info. */
	uint64_t efi_systab, efi_mmap;
	uint32_t efi_mmap_size, efi_desc_size, efi_desc_version;
	/* A BIOS's data area (BZ_BDA_SIZE bytes from BZ_BDA_GPA), for screen_info; 0: none. */
	const uint8_t *bda;
};

/* Check the setup header of @file; 0, or -1 with a one-line reason in @err. */
int bz_parse(const uint8_t *file, size_t len, struct bz_image *img, char *err, size_t errlen);
/* True when @file carries the setup header signature (bz_parse says whether it is usable). */
bool bz_is_linux(const uint8_t *file, size_t len);
/* Fill the zero page @bp (BZ_BOOT_PARAMS_SIZE bytes); -1 with @err when the map is too long. */
int bz_build_params(uint8_t *bp, const uint8_t *file, const struct bz_image *img,
		    const struct bz_params *p, char *err, size_t errlen);
/* Copy the UEFI memory map @in (@size bytes of @desc_size-byte descriptors) to @out (@max
 * bytes) with @hole's pages as EfiReservedMemoryType; the new size, or -1 if it does not fit. */
int bz_efi_map_carve(const uint8_t *in, uint32_t size, uint32_t desc_size, struct phys_range hole,
		     uint8_t *out, uint32_t max);
/* The EfiConventionalMemory of the UEFI memory map @in as usable ranges into @out (at most
 * @max); their count. */
unsigned bz_efi_usable(const uint8_t *in, uint32_t size, uint32_t desc_size, struct mem_range *out,
		       unsigned max);
/* The kernel's own command line: the module string @s after its first word (the name). */
const char *bz_kernel_args(const char *s);
/* The boot GDT (null, null, __BOOT_CS, __BOOT_DS) into @gdt, 4 * 8 bytes. */
void bz_boot_gdt(uint64_t gdt[4]);

#endif
