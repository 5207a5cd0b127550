/* bootinfo.h - loader-neutral description of what multiboot1/multiboot2 handed us. */
#ifndef DBGVISOR_BOOTINFO_H
#define DBGVISOR_BOOTINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BOOT_MAX_MMAP	 64
#define BOOT_MAX_MODULES 8
#define BOOT_CMDLINE_MAX 256
/* A module string is a path and the kernel's arguments: Linux takes up to 2047 bytes of those
 * (boot.rst, cmdline_size; COMMAND_LINE_SIZE on x86). */
#define BOOT_MOD_CMDLINE_MAX 4096

/* E820 / multiboot memory types (multiboot spec 3.3, ACPI "address range types"). */
enum mem_type {
	MEM_USABLE = 1,
	MEM_RESERVED = 2,
	MEM_ACPI_RECLAIMABLE = 3,
	MEM_ACPI_NVS = 4,
	MEM_BAD = 5,
};

struct mem_range {
	uint64_t base;
	uint64_t len;
	uint32_t type; /* enum mem_type; anything else counts as reserved */
};

struct boot_module {
	uint64_t start; /* physical, inclusive */
	uint64_t end;	/* physical, exclusive */
	char cmdline[BOOT_MOD_CMDLINE_MAX];
};

struct boot_info {
	unsigned protocol; /* 1 = multiboot1, 2 = multiboot2 */
	char cmdline[BOOT_CMDLINE_MAX];
	bool has_mem_lower_upper;
	uint32_t mem_lower_kib; /* conventional memory below 1 MiB */
	uint32_t mem_upper_kib; /* memory from 1 MiB to the first hole */
	struct mem_range mmap[BOOT_MAX_MMAP];
	unsigned mmap_count;
	struct boot_module modules[BOOT_MAX_MODULES];
	unsigned module_count;
	uint64_t info_start; /* physical extent of the loader's info structure(s) */
	uint64_t info_end;
	uint64_t acpi_rsdp_phys; /* copy of the RSDP inside the info (mb2), else 0 */
	/* UEFI (mb2 tags 12 and 17): the 64-bit system table and the memory map as boot services
	 * ended, its descriptors inside the info; 0 elsewhere. */
	uint64_t efi_systab, efi_mmap_phys;
	uint32_t efi_mmap_size, efi_desc_size, efi_desc_version;
};

#endif
