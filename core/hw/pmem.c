/* pmem.c - pick the hypervisor's region at the top of usable RAM and bump-allocate its pages. */
#include "pmem.h"

static bool is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

/* Exclusive end of a map entry; firmware tables can claim ranges that wrap past 2^64. */
uint64_t pmem_entry_end(const struct mem_range *r)
{
	return r->len > UINT64_MAX - r->base ? UINT64_MAX : r->base + r->len;
}

/* @hi, lowered to @s when the blocker [s, e) is nonempty and overlaps [base, end). */
static uint64_t lower_to_blocker(uint64_t hi, uint64_t s, uint64_t e, uint64_t base, uint64_t end)
{
	return s < e && s < end && base < e && s < hi ? s : hi;
}

/* Each pass that grows @reach absorbs an entry: at most nmap passes. */
uint64_t pmem_usable_reach(const struct mem_range *map, unsigned nmap, uint64_t from)
{
	uint64_t reach = from;
	bool grew = true;
	while (grew) {
		grew = false;
		for (unsigned i = 0; i < nmap; i++) {
			uint64_t end = pmem_entry_end(&map[i]);
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
		uint64_t end = pmem_entry_end(&map[i]);
		if (map[i].type == MEM_USABLE && map[i].len && end <= addr && end > best)
			best = end;
	}
	return best;
}

/* @end when [base, end) is good, else the highest end a valid region may have: later candidates
 * start lower, so must end at or below any blocker (non-usable entry, exclusion) or hole here. */
static uint64_t check_range(const struct mem_range *map, unsigned nmap,
			    const struct phys_range *excl, unsigned nexcl, uint64_t base,
			    uint64_t end)
{
	uint64_t hi = end, reach = pmem_usable_reach(map, nmap, base);
	for (unsigned i = 0; i < nmap; i++) {
		/* Non-usable entries win over usable ones: firmware reports both for holes. */
		if (map[i].type != MEM_USABLE)
			hi = lower_to_blocker(hi, map[i].base, pmem_entry_end(&map[i]), base, end);
	}
	for (unsigned i = 0; i < nexcl; i++)
		hi = lower_to_blocker(hi, excl[i].start, excl[i].end, base, end);
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
	/* Each failure drops @hi to a blocker start or usable end: ~nmap + nexcl + 1 runs. */
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
	/* Whole pages only: start up, end down, an empty pool if they cross. */
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
