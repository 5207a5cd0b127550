/* guest_map.h - the memory map the guest is shown: the loader's map with our region reserved. */
#ifndef DBGVISOR_GUEST_MAP_H
#define DBGVISOR_GUEST_MAP_H

#include "core/hw/bootinfo.h"
#include "core/hw/pmem.h"

/* Copy @in to @out sorted by base, every usable byte of @hole made a MEM_RESERVED entry of
 * its own; returns the number of entries, or -1 if @max is too small. */
int guest_map_carve(const struct mem_range *in, unsigned n, struct phys_range hole,
		    struct mem_range *out, unsigned max);

#endif
