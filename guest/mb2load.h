/* mb2load.h - validate a multiboot2 OS image: its header tags and the segments to load. */
#ifndef DBGVISOR_MB2LOAD_H
#define DBGVISOR_MB2LOAD_H

#include "mbload.h"

/* Multiboot2 2.0, 3.1.1: the header lies 64-bit aligned wholly within the first 32 KiB. */
#define MB2LOAD_HEADER_MAGIC 0xE85250D6u
#define MB2LOAD_SEARCH_LEN   32768u
#define MB2LOAD_HEADER_ALIGN 8u

/* What the header asks of the loader beyond the segments (all zero when nothing). */
struct mb2load_request {
	uint32_t info_types;	   /* 3.1.4: bit n set when information tag type n was requested */
	bool modules_page_aligned; /* 3.1.11: modules must start on 4 KiB boundaries */
	bool relocatable;	   /* 3.1.13: see mb2load_relocate() */
	uint32_t reloc_min, reloc_max, reloc_align;
	bool load_base;		 /* give tag 21 (3.6.23): relocatable, or requested */
	uint32_t load_base_addr; /* the lowest loaded address */
};

/* Check @file's multiboot2 header and tags and describe what to load: from the address tag
 * (3.1.5, 3.1.6) or the ELF program headers, the entry tag overriding e_entry. A non-optional tag
 * we cannot honour refuses the image (MBLOAD_E_FEATURE). 0, or an enum mbload_err with a reason in
 * @err. */
int mb2load_parse(const uint8_t *file, size_t len, struct mbload_image *img,
		  struct mb2load_request *req, char *err, size_t errlen);
/* 3.1.13: a relocatable image must load inside [min_addr, max_addr] at an align-aligned address.
 * It stays at its linked address if that obeys, else moves (entry and load base too) to the lowest
 * one that does in usable RAM of @map. 0, or MBLOAD_E_PLACEMENT with a reason in @err. */
int mb2load_relocate(struct mbload_image *img, struct mb2load_request *req,
		     const struct mem_range *map, unsigned nmap, char *err, size_t errlen);

#endif
