/* mb2.h - the Multiboot2 specification (version 2.0) as constants and layouts; no code. */
#ifndef MB2_H
#define MB2_H

/*
 * Section numbers are those of "The Multiboot2 Specification version 2.0". This file is shared
 * with header.S: everything above the __ASSEMBLER__ guard must stay a plain #define.
 */

/* 3.1.1, 3.1.2: the header in the OS image. */
#define MB2_HEADER_MAGIC	0xe85250d6
#define MB2_ARCH_I386		0     /* 32-bit (protected) mode of i386 */
#define MB2_HEADER_SEARCH_BYTES 32768 /* the header lies wholly within these */
#define MB2_HEADER_ALIGN_LOG2	3     /* 64-bit aligned */

/* 3.1.3: header tags are { u16 type, u16 flags, u32 size }, each 8-byte aligned. */
#define MB2_HTAG_ALIGN_LOG2	   3
#define MB2_HTAG_FLAGS_REQUIRED	   0 /* bit 0 'optional' clear: the loader must honour it */
#define MB2_HTAG_END		   0 /* 3.1.3: type 0, size 8 ends the tags */
#define MB2_HTAG_END_SIZE	   8
#define MB2_HTAG_INFO_REQUEST	   1 /* 3.1.4 */
#define MB2_HTAG_MODULE_ALIGN	   6 /* 3.1.11 */
#define MB2_HTAG_MODULE_ALIGN_SIZE 8

/* 3.3: I386 machine state at entry. */
#define MB2_BOOTLOADER_MAGIC 0x36d76289 /* in EAX; EBX holds the information's address */
#define CR0_PE		     (1u << 0)
#define CR0_PG		     (1u << 31)
#define EFLAGS_IF	     (1u << 9)
#define EFLAGS_VM	     (1u << 17)

/* 3.6.1, 3.6.2: the boot information and its tags are 8-byte aligned. */
#define MB2_INFO_ALIGN 8
#define MB2_TAG_ALIGN  8

/* Tag types of the boot information, with the section that defines each. */
#define MB2_TAG_END	       0  /* 3.6.2, size 8 */
#define MB2_TAG_CMDLINE	       1  /* 3.6.5 */
#define MB2_TAG_LOADER_NAME    2  /* 3.6.9 */
#define MB2_TAG_MODULE	       3  /* 3.6.6 */
#define MB2_TAG_BASIC_MEMINFO  4  /* 3.6.3 */
#define MB2_TAG_BOOTDEV	       5  /* 3.6.4 */
#define MB2_TAG_MMAP	       6  /* 3.6.8 */
#define MB2_TAG_VBE	       7  /* 3.6.11 */
#define MB2_TAG_FRAMEBUFFER    8  /* 3.6.12 */
#define MB2_TAG_ELF_SECTIONS   9  /* 3.6.7 */
#define MB2_TAG_APM	       10 /* 3.6.10 */
#define MB2_TAG_EFI32	       11 /* 3.6.13 */
#define MB2_TAG_EFI64	       12 /* 3.6.14 */
#define MB2_TAG_SMBIOS	       13 /* 3.6.15 */
#define MB2_TAG_ACPI_OLD       14 /* 3.6.16 */
#define MB2_TAG_ACPI_NEW       15 /* 3.6.17 */
#define MB2_TAG_NETWORK	       16 /* 3.6.18 */
#define MB2_TAG_EFI_MMAP       17 /* 3.6.19 */
#define MB2_TAG_EFI_BS	       18 /* 3.6.20 */
#define MB2_TAG_EFI32_IH       19 /* 3.6.21 */
#define MB2_TAG_EFI64_IH       20 /* 3.6.22 */
#define MB2_TAG_LOAD_BASE_ADDR 21 /* 3.6.23 */
#define MB2_TAG_TYPES	       22 /* types known to version 2.0 */

/* 3.6.8: memory map entry types; any other value is reserved memory. */
#define MB2_MMAP_AVAILABLE	1
#define MB2_MMAP_ACPI_RECLAIM	3
#define MB2_MMAP_NVS		4 /* to be preserved on hibernation */
#define MB2_MMAP_BADRAM		5
#define MB2_MMAP_ENTRY_MIN_SIZE 24 /* version 0 entry; entry_size is a multiple of 8 */

/* 3.6.16, 3.6.17: the RSDP copied is the ACPI 1.0 one (20 bytes) or the 2.0+ one (36). */
#define MB2_RSDP_V1_SIZE 20
#define MB2_RSDP_V2_SIZE 36

#ifndef __ASSEMBLER__
#include <stdint.h>

/* 3.6.2: the fixed part; total_size counts it and the end tag. 'reserved' is to be ignored. */
struct mb2_info {
	uint32_t total_size;
	uint32_t reserved;
};

/* 3.6.2: every tag starts so; size counts the header but not the padding to 8 bytes. */
struct mb2_tag {
	uint32_t type;
	uint32_t size;
};

/* 3.6.5, 3.6.9: a zero-terminated UTF-8 string. */
struct mb2_tag_string {
	struct mb2_tag tag;
	char string[];
};

/* 3.6.6: a module occupies [mod_start, mod_end); its string is zero-terminated. */
struct mb2_tag_module {
	struct mb2_tag tag;
	uint32_t mod_start;
	uint32_t mod_end;
	char string[];
};

/* 3.6.3: KiB of lower memory (from 0) and upper memory (from 1 MiB). */
struct mb2_tag_basic_meminfo {
	struct mb2_tag tag;
	uint32_t mem_lower;
	uint32_t mem_upper;
};

/* 3.6.8: entries follow the fixed part, entry_size bytes apart. */
struct mb2_tag_mmap {
	struct mb2_tag tag;
	uint32_t entry_size;
	uint32_t entry_version;
};

struct mb2_mmap_entry {
	uint64_t base_addr;
	uint64_t length;
	uint32_t type;
	uint32_t reserved;
};

/* 3.6.16, 3.6.17: a copy of the RSDP follows the header. */
struct mb2_tag_rsdp {
	struct mb2_tag tag;
	uint8_t rsdp[];
};

/* 3.6.4: the BIOS disk and partitions the image was loaded from (0xffffffff: none). */
struct mb2_tag_bootdev {
	struct mb2_tag tag;
	uint32_t biosdev;
	uint32_t partition;
	uint32_t sub_partition;
};

/* 3.6.12: the fixed part of the framebuffer tag; colour information follows. */
struct mb2_tag_framebuffer {
	struct mb2_tag tag;
	uint64_t addr;
	uint32_t pitch;
	uint32_t width;
	uint32_t height;
	uint8_t bpp;
	uint8_t type; /* 0 indexed, 1 direct RGB, 2 EGA text */
};

/* 3.6.13, 3.6.21, 3.6.23: one 32-bit address (system table, image handle, load base). */
struct mb2_tag_addr32 {
	struct mb2_tag tag;
	uint32_t addr;
};

/* 3.6.14, 3.6.22: one 64-bit address (EFI system table, EFI image handle). */
struct mb2_tag_addr64 {
	struct mb2_tag tag;
	uint64_t addr;
};

/* 3.6.19: the EFI memory map as GetMemoryMap() returned it, descriptors of descr_size bytes. */
struct mb2_tag_efi_mmap {
	struct mb2_tag tag;
	uint32_t descr_size;
	uint32_t descr_vers;
};
#endif

#endif
