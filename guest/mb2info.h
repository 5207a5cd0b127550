/* mb2info.h - build the multiboot2 boot information handed to the guest kernel. */
#ifndef DBGVISOR_MB2INFO_H
#define DBGVISOR_MB2INFO_H

#include "mb1info.h"

/* Multiboot2 2.0, 3.6: the boot information tag types mb2info_build can produce. */
#define MB2INFO_TAG_END		  0  /* 3.6.1 */
#define MB2INFO_TAG_CMDLINE	  1  /* 3.6.5 */
#define MB2INFO_TAG_LOADER_NAME	  2  /* 3.6.9 */
#define MB2INFO_TAG_MODULE	  3  /* 3.6.6 */
#define MB2INFO_TAG_BASIC_MEMINFO 4  /* 3.6.3 */
#define MB2INFO_TAG_MMAP	  6  /* 3.6.8 */
#define MB2INFO_TAG_EFI64	  12 /* 3.6.13 */
#define MB2INFO_TAG_ACPI_OLD	  14 /* 3.6.16 */
#define MB2INFO_TAG_ACPI_NEW	  15 /* 3.6.17 */
#define MB2INFO_TAG_EFI_MMAP	  17 /* 3.6.19 */
#define MB2INFO_TAG_LOAD_BASE	  21 /* 3.6.23 */
#define MB2INFO_PROVIDED                                                                           \
	(1u << MB2INFO_TAG_END | 1u << MB2INFO_TAG_CMDLINE | 1u << MB2INFO_TAG_LOADER_NAME |       \
	 1u << MB2INFO_TAG_MODULE | 1u << MB2INFO_TAG_BASIC_MEMINFO | 1u << MB2INFO_TAG_MMAP |     \
	 1u << MB2INFO_TAG_ACPI_OLD | 1u << MB2INFO_TAG_ACPI_NEW | 1u << MB2INFO_TAG_LOAD_BASE)

/* 3.3: EAX at entry; EBX holds the information's guest-physical address. */
#define MB2INFO_BOOTLOADER_MAGIC 0x36d76289u

struct mb2info_input {
	const char *cmdline;		   /* tag 1; NULL gives "" */
	const char *loader_name;	   /* tag 2; NULL gives "" */
	const struct mb1info_module *mods; /* one tag 3 each */
	unsigned nmods;
	const struct mem_range *map; /* tag 6 (empty entries dropped) and tag 4 */
	unsigned nmap;
	/* Host copy of the RSDP or NULL: tag 14 gets its first 20 bytes, and for revision 2+
	 * tag 15 gets all 'length' bytes, which must then be readable here. */
	const uint8_t *rsdp;
	bool load_base; /* tag 21 with load_base_addr (relocatable images, 3.1.13) */
	uint32_t load_base_addr;
};

/* Start building at the first 8-byte aligned address from @gpa (3.6.1); a NULL @buf, @gpa 0 or a
 * range past 4 GiB marks the builder (mb1info's) as overflowed from the start. */
void mb2info_init(struct mb1info_builder *b, uint8_t *buf, uint32_t gpa, uint32_t size);
/* Lay out total_size, reserved (0), the tags of @in by ascending type, 8-byte aligned with
 * zeroed padding, and the end tag: the information's gpa, or 0 when the buffer is too small. */
uint32_t mb2info_build(struct mb1info_builder *b, const struct mb2info_input *in);

#endif
