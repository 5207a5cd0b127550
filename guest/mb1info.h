/* mb1info.h - build the multiboot1 boot information structure handed to the guest kernel. */
#ifndef DBGVISOR_MB1INFO_H
#define DBGVISOR_MB1INFO_H

#include <stdbool.h>
#include <stdint.h>

#include "core/hw/bootinfo.h"

/* Multiboot 0.6.96, 3.3 "Boot information format": the fixed structure, through color_info. */
/* Multiboot 1 spec 3.2: EAX at entry; EBX holds the information's address. */
#define MB1INFO_BOOTLOADER_MAGIC 0x2BADB002u
#define MB1INFO_SIZE		 116
#define MB1INFO_OFF_FLAGS	 0
#define MB1INFO_OFF_MEM_LOWER	 4
#define MB1INFO_OFF_MEM_UPPER	 8
#define MB1INFO_OFF_BOOT_DEVICE	 12
#define MB1INFO_OFF_CMDLINE	 16
#define MB1INFO_OFF_MODS_COUNT	 20
#define MB1INFO_OFF_MODS_ADDR	 24
#define MB1INFO_OFF_MMAP_LENGTH	 44
#define MB1INFO_OFF_MMAP_ADDR	 48
#define MB1INFO_OFF_LOADER_NAME	 64
/* 3.3: bits of 'flags' saying which fields are valid. */
#define MB1INFO_F_MEM	      (1u << 0)
#define MB1INFO_F_CMDLINE     (1u << 2)
#define MB1INFO_F_MODS	      (1u << 3)
#define MB1INFO_F_MMAP	      (1u << 6)
#define MB1INFO_F_LOADER_NAME (1u << 9)
/* 3.3: a module entry (start, end, string, reserved); an mmap entry (size, base, length, type). */
#define MB1INFO_MOD_SIZE	 16
#define MB1INFO_MMAP_SIZE_FIELD	 20
#define MB1INFO_MMAP_ENTRY_SIZE	 24
#define MB1INFO_BOOT_DEVICE_NONE 0xFFFFFFFFu
#define MB1INFO_LOWER_MAX_KIB	 640u

struct mb1info_module {
	uint32_t start;	     /* guest-physical, inclusive */
	uint32_t end;	     /* guest-physical, exclusive */
	const char *cmdline; /* NULL gives "" */
};

/* Boot information builder (mb1info and mb2info): @buf stands for guest-physical
 * [gpa, gpa + size); used grows upward. */
struct mb1info_builder {
	uint8_t *buf;
	uint32_t gpa;
	uint32_t size;
	uint32_t used;
	bool overflow;
};

/* Start building at @gpa; a NULL @buf, @gpa 0 (the failure result) or a range past 4 GiB marks
 * the builder as overflowed from the start. */
void mb1info_init(struct mb1info_builder *b, uint8_t *buf, uint32_t gpa, uint32_t size);
/* Lay out the structure, mmap, modules and strings (4-byte aligned); MEM, CMDLINE, MODS, MMAP and
 * BOOT_LOADER_NAME always, as kernels read them unchecked; boot_device is 0xFFFFFFFF with its
 * flag clear; NULL strings give "". Its gpa, or 0 when it does not fit. */
uint32_t mb1info_build(struct mb1info_builder *b, const char *cmdline,
		       const struct mem_range *guest_map, unsigned nmap,
		       const struct mb1info_module *mods, unsigned nmods, const char *loader_name);
/* KiB of usable memory contiguous from 0, at most 640 (3.3 mem_lower). */
uint32_t mb1info_mem_lower_kib(const struct mem_range *map, unsigned n);
/* KiB of usable memory contiguous from 1 MiB to the first hole or non-usable range. */
uint32_t mb1info_mem_upper_kib(const struct mem_range *map, unsigned n);

#endif
