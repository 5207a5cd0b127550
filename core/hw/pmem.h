/* pmem.h - choose the hypervisor's reserved region at the top of RAM and hand out its pages. */
#ifndef DBGVISOR_PMEM_H
#define DBGVISOR_PMEM_H

#include <stdbool.h>
#include <stdint.h>

#include "bootinfo.h"

#define PAGE_SIZE	4096ull
#define LARGE_PAGE_SIZE (2ull << 20)

struct phys_range {
	uint64_t start; /* inclusive */
	uint64_t end;	/* exclusive */
};

/* The highest @align-aligned @size bytes below @limit inside MEM_USABLE entries of @map
 * (overlapping or adjacent ones count as one), overlapping none of @excl; false if none. */
bool pmem_find_top(const struct mem_range *map, unsigned nmap, const struct phys_range *excl,
		   unsigned nexcl, uint64_t size, uint64_t align, uint64_t limit, uint64_t *base);

uint64_t pmem_usable_top(const struct mem_range *map, unsigned nmap); /* 0 if no MEM_USABLE */
/* base + len of an entry, UINT64_MAX when that would wrap. */
uint64_t pmem_entry_end(const struct mem_range *r);
/* How far up from @from the usable entries (overlapping or touching) cover without a gap;
 * @from itself if none covers it. */
uint64_t pmem_usable_reach(const struct mem_range *map, unsigned nmap, uint64_t from);

/* A bump allocator of whole pages over [start, end); memory is never returned. */
struct pmem_pool {
	uint64_t start, next, end;
};

void pmem_pool_init(struct pmem_pool *p, uint64_t start, uint64_t end);
/* The physical address of @npages contiguous pages aligned to @align, or 0. */
uint64_t pmem_pool_alloc(struct pmem_pool *p, uint64_t npages, uint64_t align);
uint64_t pmem_pool_used(const struct pmem_pool *p);

#endif
