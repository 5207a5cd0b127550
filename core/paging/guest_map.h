/* guest_map.h - the memory map the guest is shown: the loader's map with our region reserved. */
#ifndef DBGVISOR_GUEST_MAP_H
#define DBGVISOR_GUEST_MAP_H

#include "core/hw/bootinfo.h"
#include "core/hw/pmem.h"

/*
 * Copy @in to @out (sorted by base), turning every byte of @hole that some entry
 * covers as usable into a MEM_RESERVED entry of its own, so a guest never treats
 * the hypervisor's memory as RAM. Returns the number of entries, or -1 if @max is
 * too small.
 */
int guest_map_carve(const struct mem_range *in, unsigned n, struct phys_range hole,
		    struct mem_range *out, unsigned max);

#endif
