/* mbload.h - validate a multiboot1 OS image and describe the segments to load into the guest. */
#ifndef DBGVISOR_MBLOAD_H
#define DBGVISOR_MBLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/hw/bootinfo.h"

/* Multiboot 0.6.96, 3.1.1: the header lies 32-bit aligned within the first 8192 bytes. */
#define MBLOAD_HEADER_MAGIC 0x1BADB002u
#define MBLOAD_SEARCH_LEN   8192u
#define MBLOAD_HEADER_ALIGN 4u
/* 3.1.2 "The magic fields of Multiboot header": bits of 'flags'. */
#define MBLOAD_HDR_PAGE_ALIGN	 (1u << 0)   /* modules must be 4 KiB aligned */
#define MBLOAD_HDR_MEMORY_INFO	 (1u << 1)   /* mem_* (and mmap_*) must be provided */
#define MBLOAD_HDR_VIDEO_MODE	 (1u << 2)   /* video mode table wanted (we ignore it) */
#define MBLOAD_HDR_AOUT_KLUDGE	 (1u << 16)  /* the address fields at offsets 12..28 are valid */
#define MBLOAD_HDR_REQUIRED_MASK 0x0000FFFFu /* bits 0-15: must be understood or refused */

#define MBLOAD_MAX_SEGS 16

enum mbload_err {
	MBLOAD_E_NOHDR = -1,	 /* no multiboot1 header with a valid checksum */
	MBLOAD_E_FEATURE = -2,	 /* a required feature bit (0-15) we do not implement */
	MBLOAD_E_AOUT = -3,	 /* inconsistent a.out kludge address fields */
	MBLOAD_E_ELF = -4,	 /* not a loadable ELF32 i386 executable */
	MBLOAD_E_SEGMENTS = -5,	 /* no, too many, or overlapping loadable segments */
	MBLOAD_E_ENTRY = -6,	 /* entry point outside the loaded bytes */
	MBLOAD_E_PLACEMENT = -7, /* a segment is not inside usable guest RAM */
	MBLOAD_E_INVAL = -8,	 /* NULL image/file argument */
	MBLOAD_E_HEADER = -9,	 /* multiboot2: bad architecture, header_length or tag list */
};

struct mbload_image {
	uint32_t entry; /* guest-physical entry point (EIP at handoff) */
	unsigned nseg;
	struct mbload_seg {
		uint32_t paddr;	   /* guest-physical load address */
		uint32_t memsz;	   /* bytes occupied in memory (> 0) */
		uint32_t filesz;   /* bytes copied from the file; the rest is zeroed */
		uint32_t file_off; /* where those bytes start in the file */
	} seg[MBLOAD_MAX_SEGS];
	uint32_t flags;	      /* the header's flags (MBLOAD_HDR_*) */
	uint32_t lowest;      /* lowest segment paddr */
	uint32_t highest_end; /* highest segment paddr + memsz (exclusive) */
};

/* Find and check the multiboot1 header of @file and describe what to load, from the a.out
 * kludge fields (flags bit 16) or else the ELF32 program headers. 0, or an enum mbload_err
 * with a one-line reason in @err (if non-NULL). */
int mbload_parse(const uint8_t *file, size_t len, struct mbload_image *img, char *err,
		 size_t errlen);
/* Every segment must lie inside MEM_USABLE entries of @guest_map and overlap no other entry
 * (non-usable entries win, as in pmem). 0 or MBLOAD_E_PLACEMENT. */
int mbload_check_placement(const struct mbload_image *img, const struct mem_range *guest_map,
			   unsigned n, char *err, size_t errlen);
/* Copy each segment's file bytes and zero the rest of its memsz; ranges @gpa_ptr cannot give a
 * writable host pointer for are skipped, so check the placement first. */
void mbload_copy(const struct mbload_image *img, const uint8_t *file,
		 uint8_t *(*gpa_ptr)(uint32_t gpa, uint32_t len, void *ctx), void *ctx);

/* @nfields u32 magic fields, @align-ed, wholly in the first @search bytes, summing to 0. */
struct mbload_magic {
	const char *name; /* "multiboot1", for messages */
	uint32_t magic, search, align, nfields;
};
int mbload_find_header(const uint8_t *file, size_t len, const struct mbload_magic *m, size_t *hoff,
		       char *err, size_t errlen);

/* The a.out-style address fields (MB1 3.1.3, MB2 3.1.5) of the header at @hoff, named @what in
 * messages, give the empty @img one segment; the entry must lie in its loaded bytes. */
struct mbload_addr {
	uint32_t header_addr, load_addr, load_end, bss_end, entry;
};
int mbload_load_addr(size_t len, size_t hoff, const struct mbload_addr *a, const char *what,
		     struct mbload_image *img, char *err, size_t errlen);
/* The PT_LOAD segments (paddr, below 4 GiB) of an ELF32 i386 or, with @allow64, ELF64 x86-64
 * executable; entry @entry, or for MBLOAD_ENTRY_ELF e_entry moved to its segment's physical
 * range as GRUB does. @needs ends the non-ELF and 64-bit refusals. */
#define MBLOAD_ENTRY_ELF UINT64_MAX
int mbload_parse_elf(const uint8_t *file, size_t len, bool allow64, uint64_t entry,
		     const char *needs, struct mbload_image *img, char *err, size_t errlen);
/* Set lowest/highest_end after @rc 0, else empty the image; returns @rc. */
int mbload_finish(struct mbload_image *img, int rc);

#endif
