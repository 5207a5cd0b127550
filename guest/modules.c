/* modules.c - move boot modules out of the guest kernel's way, within guest RAM. */
#include "modules.h"

#include "core/hw/pmem.h"
#include "core/hw/printf.h"

static uint64_t page_up(uint64_t v)
{
	return (v + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
}

bool guest_modules_overlap(const struct boot_module *mods, unsigned n, uint64_t start, uint64_t end)
{
	/* Empty ranges hold no byte, so they overlap nothing. */
	for (unsigned i = 0; i < n; i++) {
		if (start < end && mods[i].start < mods[i].end && mods[i].start < end &&
		    start < mods[i].end)
			return true;
	}
	return false;
}

static bool must_move(const struct boot_module *m, uint64_t keep_low, uint64_t limit)
{
	return m->start < keep_low || m->end > limit;
}

int guest_modules_place(struct boot_module *mods, unsigned n, const struct mem_range *map,
			unsigned nmap, uint64_t keep_low, uint64_t limit,
			bool (*copy)(uint64_t dst, uint64_t src, uint64_t len), char *err,
			size_t errlen)
{
	/* Neither the kernel's low range nor any module's current home may be overwritten. */
	struct phys_range ex[BOOT_MAX_MODULES + 1] = {{0, keep_low}};
	uint64_t need = 0, base, at;

	if (n > BOOT_MAX_MODULES) {
		fmt_snprintf(err, errlen, "%u modules, at most %u", n, BOOT_MAX_MODULES);
		return -1;
	}
	for (unsigned i = 0; i < n; i++) {
		if (mods[i].end < mods[i].start) {
			fmt_snprintf(err, errlen, "module %u ends before it starts", i);
			return -1;
		}
		ex[i + 1] = (struct phys_range){mods[i].start, mods[i].end};
		if (must_move(&mods[i], keep_low, limit))
			need += page_up(mods[i].end - mods[i].start);
	}
	if (!need)
		return 0;
	if (!pmem_find_top(map, nmap, ex, n + 1, need, PAGE_SIZE, limit, &base)) {
		fmt_snprintf(err, errlen,
			     "no free guest RAM for %lu KiB of modules between 0x%lx and 0x%lx",
			     need >> 10, keep_low, limit);
		return -1;
	}
	at = base;
	for (unsigned i = 0; i < n; i++) {
		uint64_t len = mods[i].end - mods[i].start;
		if (!must_move(&mods[i], keep_low, limit))
			continue;
		if (!copy(at, mods[i].start, len)) {
			fmt_snprintf(err, errlen, "module %u at 0x%lx is not in guest RAM", i,
				     mods[i].start);
			return -1;
		}
		mods[i].start = at;
		mods[i].end = at + len;
		at += page_up(len);
	}
	return 0;
}

bool guest_info_place(const struct mem_range *map, unsigned nmap, uint64_t kernel_start,
		      uint64_t kernel_end, const struct boot_module *mods, unsigned n,
		      uint64_t size, uint64_t pref, uint64_t low_limit, uint64_t limit,
		      uint64_t *gpa)
{
	struct phys_range ex[BOOT_MAX_MODULES + 1] = {{kernel_start, kernel_end}};
	uint64_t base;
	if (n > BOOT_MAX_MODULES || pref > UINT64_MAX - size)
		return false;
	for (unsigned i = 0; i < n; i++)
		ex[i + 1] = (struct phys_range){mods[i].start, mods[i].end};
	/* The highest block that ends at pref + size is pref itself exactly when it is free. */
	if (pmem_find_top(map, nmap, ex, n + 1, size, PAGE_SIZE, pref + size, &base) &&
	    base == pref) {
		*gpa = pref;
		return true;
	}
	if (pmem_find_top(map, nmap, ex, n + 1, size, PAGE_SIZE, low_limit, gpa))
		return true;
	return pmem_find_top(map, nmap, ex, n + 1, size, PAGE_SIZE, limit, gpa);
}
