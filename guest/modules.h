/* modules.h - move boot modules out of the guest kernel's way, within guest RAM. */
#ifndef DBGVISOR_GUEST_MODULES_H
#define DBGVISOR_GUEST_MODULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/hw/bootinfo.h"

/* A module in [0, @keep_low) (the kernel's) or ending above @limit moves, page aligned, to the
 * highest free usable RAM below @limit; the others stay. @copy (memmove semantics) is false for
 * a range that is not guest RAM. @mods is updated. 0, or -1 with a reason in @err. */
int guest_modules_place(struct boot_module *mods, unsigned n, const struct mem_range *map,
			unsigned nmap, uint64_t keep_low, uint64_t limit,
			bool (*copy)(uint64_t dst, uint64_t src, uint64_t len), char *err,
			size_t errlen);
/* Where @size bytes of boot information go, clear of the kernel (whose code may be linked low)
 * and the modules: @pref, else the highest page-aligned usable block below @low_limit
 * (conventional memory, where loaders keep it), else below @limit. False when none is free. */
bool guest_info_place(const struct mem_range *map, unsigned nmap, uint64_t kernel_start,
		      uint64_t kernel_end, const struct boot_module *mods, unsigned n,
		      uint64_t size, uint64_t pref, uint64_t low_limit, uint64_t limit,
		      uint64_t *gpa);
/* True when [start, end) overlaps a module of @mods. */
bool guest_modules_overlap(const struct boot_module *mods, unsigned n, uint64_t start,
			   uint64_t end);

#endif
