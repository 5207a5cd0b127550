/* multiboot.h - parse multiboot1 and multiboot2 boot information into struct boot_info. */
#ifndef DBGVISOR_MULTIBOOT_H
#define DBGVISOR_MULTIBOOT_H

#include "core/hw/bootinfo.h"

/* The parser never dereferences a loader-supplied address itself: this gives a readable pointer
 * to [phys, phys + len), valid until its next call, or NULL when unbacked. */
typedef const void *(*mb_map_fn)(uint64_t phys, size_t len, void *ctx);

/* In increasing severity: mb_parse returns the worst one seen. */
enum mb_status {
	MB_OK = 0,
	MB_STRING_CUT, /* a command line or module string longer than we keep (cut) */
	MB_TOO_MANY,   /* more mmap entries or modules than we keep (the rest are dropped) */
	MB_NO_MEMMAP,  /* neither an mmap nor mem_lower/upper was supplied */
	MB_BAD_INFO,   /* info pointer unmapped or structure truncated */
	MB_BAD_MAGIC,
};

/* Parse the info at @info_phys according to @magic (from EAX at entry). */
enum mb_status mb_parse(uint32_t magic, uint64_t info_phys, mb_map_fn map, void *ctx,
			struct boot_info *out);
const char *mb_status_str(enum mb_status s);

#endif
