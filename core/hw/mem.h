/* mem.h - the hypervisor's reserved region at the top of RAM, its page tables and pages. */
#ifndef DBGVISOR_MEM_H
#define DBGVISOR_MEM_H

#include <stdint.h>

#include "bootinfo.h"
#include "pmem.h"

/* Heap for page tables (ours, NPT/EPT), VMCB/VMCS, bitmaps; beyond what the direct map needs. */
#define HV_HEAP_BASE_SIZE (2ull << 20)
/* The region must stay below 4 GiB: the early boot map covers only that much. */
#define HV_REGION_LIMIT (4ull << 30)
/* Physical memory the guest must always keep (real-mode IVT, BDA, EBDA, BIOS). */
#define LOW_MEMORY_END (1ull << 20)

struct hv_region {
	uint64_t start, end;		 /* the whole reserved range [start, end) */
	uint64_t image_start, image_end; /* our code and data */
	uint64_t heap_start, heap_end;
	uint64_t direct_map_end; /* physical addresses below this are mapped 1:1 */
};

/* Pick the region clear of the modules and boot info, build the final page tables and move
 * the running image there; stops the machine with a message if no region fits. */
void mem_setup(struct boot_info *bi);
const struct hv_region *mem_region(void);

/* Zeroed pages from the region's heap; panics when the heap is exhausted. */
uint64_t mem_alloc_pages(uint64_t npages, uint64_t align);
void *mem_alloc_zeroed(uint64_t npages);

static inline void *phys_to_virt(uint64_t pa)
{
	return (void *)pa; /* the direct map is 1:1 */
}
uint64_t virt_to_phys(const void *va);

#endif
