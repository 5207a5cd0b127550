/* modules.h - move boot modules out of the guest kernel's way, within guest RAM. */
#ifndef DBGVISOR_GUEST_MODULES_H
#define DBGVISOR_GUEST_MODULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/hw/bootinfo.h"

/*
 * Modules stay where the loader put them, in RAM that now belongs to the guest; a module
 * that lies in [0, @keep_low) (where the kernel will be loaded) or ends above @limit (the
 * highest address the kernel accepts) moves, page aligned, to the highest free usable RAM
 * below @limit that no module occupies. @copy moves guest-physical bytes (memmove
 * semantics) and returns false when a range is not guest RAM. @mods is updated in place.
 * Returns 0, or -1 with a one-line reason in @err.
 */
int guest_modules_place(struct boot_module *mods, unsigned n, const struct mem_range *map,
			unsigned nmap, uint64_t keep_low, uint64_t limit,
			bool (*copy)(uint64_t dst, uint64_t src, uint64_t len), char *err,
			size_t errlen);

/*
 * Where @size bytes of boot information go: at @pref when that block is usable RAM clear of
 * the kernel's [@kernel_start, @kernel_end) and of every module, else the highest such
 * page-aligned block below @low_limit (conventional memory, where loaders keep it), else
 * below @limit. A kernel linked low (real-mode code at 0x8000) must not find its own code
 * overwritten by the information. False when no block is free.
 */
bool guest_info_place(const struct mem_range *map, unsigned nmap, uint64_t kernel_start,
		      uint64_t kernel_end, const struct boot_module *mods, unsigned n,
		      uint64_t size, uint64_t pref, uint64_t low_limit, uint64_t limit,
		      uint64_t *gpa);

/* True when [start, end) overlaps a module of @mods. */
bool guest_modules_overlap(const struct boot_module *mods, unsigned n, uint64_t start,
			   uint64_t end);

#endif
