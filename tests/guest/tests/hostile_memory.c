/* hostile_memory.c - read the reserved hole inside RAM (dbgvisor's own region) and be stopped. */
#include <stdbool.h>
#include <stdint.h>

#include "tests/guest/lib/guest.h"
#include "tests/guest/lib/x86g.h"

#define ONE_MIB	 0x100000ull
#define FOUR_GIB 0x100000000ull

struct region {
	uint64_t base, end; /* [base, end) */
	bool found;
};

static const char *type_name(uint32_t type)
{
	return type == MB1_MMAP_AVAILABLE ? "usable" : "reserved";
}

/*
 * Print the map; return the end of the highest usable entry that starts below 4 GiB (RAM above
 * 4 GiB would otherwise put the PCI hole and the BIOS area near 4 GiB "inside RAM").
 */
static uint64_t highest_usable_end(const struct mb1_info *mbi)
{
	uint32_t p = mbi->mmap_addr, end = mbi->mmap_addr + mbi->mmap_length;
	uint64_t top = 0;

	while (p < end) {
		const struct mb1_mmap_entry *e = guest_phys(p);

		gprintf("mmap: [0x%llx-0x%llx) type %u (%s)\n", (unsigned long long)e->addr,
			(unsigned long long)(e->addr + e->len), e->type, type_name(e->type));
		if (e->type == MB1_MMAP_AVAILABLE && e->addr < FOUR_GIB && e->addr + e->len > top)
			top = e->addr + e->len;
		p += e->size + sizeof(e->size);
	}
	return top;
}

/* The first reserved entry above 1 MiB that starts below the top of usable RAM and 4 GiB. */
static struct region find_hole(const struct mb1_info *mbi, uint64_t ram_top)
{
	uint32_t p = mbi->mmap_addr, end = mbi->mmap_addr + mbi->mmap_length;
	struct region r = {0};

	while (p < end) {
		const struct mb1_mmap_entry *e = guest_phys(p);

		if (e->type != MB1_MMAP_AVAILABLE && e->addr >= ONE_MIB && e->addr < ram_top &&
		    e->addr < FOUR_GIB && e->len) {
			r = (struct region){
			    .base = e->addr, .end = e->addr + e->len, .found = true};
			break;
		}
		p += e->size + sizeof(e->size);
	}
	return r;
}

int test_main(void)
{
	const struct mb1_info *mbi = guest_mbi();
	bool hv = guest_under_dbgvisor();
	uint64_t ram_top;
	struct region hole;
	uint32_t word;

	gprintf("hostile memory (%s), under dbgvisor: %s\n", guest_mode_name(), hv ? "yes" : "no");
	if (!EXPECT_TRUE("boot info has a memory map", mbi->flags & MB1_INFO_MMAP))
		guest_finish();
	ram_top = highest_usable_end(mbi);
	gprintf("highest usable RAM ends at 0x%llx\n", (unsigned long long)ram_top);
	hole = find_hole(mbi, ram_top);
	if (!hole.found) {
		gprintf("no reserved region inside RAM\n");
		if (hv)
			EXPECT_TRUE("dbgvisor's region is in the memory map", hole.found);
		guest_finish();
	}
	gprintf("reserved region inside RAM: [0x%llx-0x%llx)\n", (unsigned long long)hole.base,
		(unsigned long long)hole.end);
	gprintf("reading 32 bits at 0x%llx\n", (unsigned long long)hole.base);
	word = *(volatile uint32_t *)(uintptr_t)hole.base;
	gprintf("read survived: 0x%x\n", word);
	guest_finish();
}
