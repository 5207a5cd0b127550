/* multiboot1.h - Multiboot 0.6.96 header constants and boot-information layout for guests. */
#ifndef GUEST_MULTIBOOT1_H
#define GUEST_MULTIBOOT1_H

/* OS image header (spec 3.1.1): magic, flags, checksum so that the three sum to zero. */
#define MB1_HEADER_MAGIC      0x1badb002
#define MB1_HEADER_PAGE_ALIGN (1 << 0) /* modules on 4 KiB boundaries */
#define MB1_HEADER_MEMINFO    (1 << 1) /* mem_* and mmap_* fields wanted */
/* No a.out kludge (bit 16): loaders place the image from its ELF program headers. */
#define MB1_HEADER_FLAGS    (MB1_HEADER_PAGE_ALIGN | MB1_HEADER_MEMINFO)
#define MB1_HEADER_CHECKSUM (-(MB1_HEADER_MAGIC + MB1_HEADER_FLAGS))
/* The header must lie 4-byte aligned within the first 8 KiB of the image. */
#define MB1_HEADER_ALIGN 4

/* Value in EAX when a multiboot1 loader jumps to the entry point (spec 3.2). */
#define MB1_BOOTLOADER_MAGIC 0x2badb002

/* Boot information flags (spec 3.3): which fields below are valid. */
#define MB1_INFO_MEMORY	     (1u << 0)
#define MB1_INFO_BOOTDEV     (1u << 1)
#define MB1_INFO_CMDLINE     (1u << 2)
#define MB1_INFO_MODS	     (1u << 3)
#define MB1_INFO_MMAP	     (1u << 6)
#define MB1_INFO_LOADER_NAME (1u << 9)

/* Memory map entry type for RAM available to the OS. */
#define MB1_MMAP_AVAILABLE 1

#ifndef __ASSEMBLER__
#include <stdint.h>

/* The boot information structure; physical addresses are 32-bit in both guest variants. */
struct mb1_info {
	uint32_t flags;
	uint32_t mem_lower; /* KiB below 1 MiB */
	uint32_t mem_upper; /* KiB above 1 MiB up to the first hole */
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count;
	uint32_t mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length;
	uint32_t mmap_addr;
	uint32_t drives_length;
	uint32_t drives_addr;
	uint32_t config_table;
	uint32_t boot_loader_name;
	uint32_t apm_table;
};

/* One memory map entry; @size counts the bytes after itself, so entries may grow. */
struct mb1_mmap_entry {
	uint32_t size;
	uint64_t addr;
	uint64_t len;
	uint32_t type;
} __attribute__((packed));

struct mb1_module {
	uint32_t mod_start;
	uint32_t mod_end;
	uint32_t string;
	uint32_t reserved;
};
#endif

#endif
