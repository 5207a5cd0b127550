/* pmem.c - pick the hypervisor's region at the top of usable RAM and bump-allocate its pages. */
#include "pmem.h"

static bool is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

/* Exclusive end of a map entry; firmware tables can claim ranges that wrap past 2^64. */
static uint64_t entry_end(const struct mem_range *r)
{
	return r->len > UINT64_MAX - r->base ? UINT64_MAX : r->base + r->len;
}

static bool overlaps(uint64_t s1, uint64_t e1, uint64_t s2, uint64_t e2)
{
	return s1 < e2 && s2 < e1;
}

/* How far up from @from the usable entries (overlapping or touching) cover without a gap;
 * @from itself when no usable entry covers that byte. */
static uint64_t usable_reach(const struct mem_range *map, unsigned nmap, uint64_t from)
{
	uint64_t reach = from;
	bool grew = true;

	/* Each pass that grows @reach absorbs one more entry, so this ends within nmap passes. */
	while (grew) {
		grew = false;
		for (unsigned i = 0; i < nmap; i++) {
			uint64_t end = entry_end(&map[i]);

			if (map[i].type != MEM_USABLE || map[i].len == 0)
				continue;
			if (map[i].base <= reach && end > reach) {
				reach = end;
				grew = true;
			}
		}
	}
	return reach;
}

/* Highest end of a usable entry at or below @addr (0 when there is none). */
static uint64_t usable_end_below(const struct mem_range *map, unsigned nmap, uint64_t addr)
{
	uint64_t best = 0;

	for (unsigned i = 0; i < nmap; i++) {
		uint64_t end = entry_end(&map[i]);

		if (map[i].type == MEM_USABLE && map[i].len && end <= addr && end > best)
			best = end;
	}
	return best;
}

/*
 * Check [base, end): return @end when the range is good, else the highest address a valid
 * region may end at. Later candidates start at or below @base, so they must end at or below
 * the start of any blocker (non-usable entry, exclusion) or usable-coverage hole found here.
 */
static uint64_t check_range(const struct mem_range *map, unsigned nmap,
			    const struct phys_range *excl, unsigned nexcl, uint64_t base,
			    uint64_t end)
{
	uint64_t hi = end, reach;

	for (unsigned i = 0; i < nmap; i++) {
		uint64_t e = entry_end(&map[i]);

		/* Non-usable entries win over usable ones: firmware reports both for holes. */
		if (map[i].type != MEM_USABLE && map[i].len &&
		    overlaps(map[i].base, e, base, end) && map[i].base < hi)
			hi = map[i].base;
	}
	for (unsigned i = 0; i < nexcl; i++) {
		if (excl[i].start < excl[i].end &&
		    overlaps(excl[i].start, excl[i].end, base, end) && excl[i].start < hi)
			hi = excl[i].start;
	}
	reach = usable_reach(map, nmap, base);
	if (reach < end) {
		uint64_t hole = reach > base ? reach : usable_end_below(map, nmap, base);

		if (hole < hi)
			hi = hole;
	}
	return hi;
}

bool pmem_find_top(const struct mem_range *map, unsigned nmap, const struct phys_range *excl,
		   unsigned nexcl, uint64_t size, uint64_t align, uint64_t limit, uint64_t *base)
{
	uint64_t hi = limit;

	if (size == 0 || !is_pow2(align) || !base)
		return false;
	/* On failure @hi drops to a blocker start or a usable end, strictly lower each time,
	 * so the loop runs at most about nmap + nexcl + 1 times. */
	while (hi >= size) {
		uint64_t cand = (hi - size) & ~(align - 1);
		uint64_t next = check_range(map, nmap, excl, nexcl, cand, cand + size);

		if (next == cand + size) {
			*base = cand;
			return true;
		}
		hi = next;
	}
	return false;
}

uint64_t pmem_usable_top(const struct mem_range *map, unsigned nmap)
{
	return usable_end_below(map, nmap, UINT64_MAX);
}

void pmem_pool_init(struct pmem_pool *p, uint64_t start, uint64_t end)
{
	/* Whole pages only: round start up and end down, leaving an empty pool if they cross. */
	uint64_t s = start > UINT64_MAX - (PAGE_SIZE - 1)
			 ? UINT64_MAX & ~(PAGE_SIZE - 1)
			 : (start + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	uint64_t e = end & ~(PAGE_SIZE - 1);

	p->start = s;
	p->next = s;
	p->end = e > s ? e : s;
}

uint64_t pmem_pool_alloc(struct pmem_pool *p, uint64_t npages, uint64_t align)
{
	uint64_t addr, bytes;

	/* 0 doubles as the failure value, so zero pages and page 0 itself are never handed out. */
	if (npages == 0 || npages > UINT64_MAX / PAGE_SIZE || !is_pow2(align) || align < PAGE_SIZE)
		return 0;
	bytes = npages * PAGE_SIZE;
	if (p->next > UINT64_MAX - (align - 1))
		return 0;
	addr = (p->next + align - 1) & ~(align - 1);
	if (addr == 0)
		addr = align;
	if (addr > p->end || p->end - addr < bytes)
		return 0;
	p->next = addr + bytes;
	return addr;
}

uint64_t pmem_pool_used(const struct pmem_pool *p)
{
	return p->next - p->start;
}
