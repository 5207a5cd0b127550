/* guest_map.c - carve the hypervisor's region out of the memory map handed to the guest. */
#include "guest_map.h"

static int push(struct mem_range *out, unsigned *count, unsigned max, uint64_t base, uint64_t end,
		uint32_t type)
{
	if (end <= base)
		return 0;
	if (*count >= max)
		return -1;
	out[(*count)++] = (struct mem_range){base, end - base, type};
	return 0;
}

static void sort_by_base(struct mem_range *m, unsigned n)
{
	for (unsigned i = 1; i < n; i++) {
		struct mem_range cur = m[i];
		unsigned j = i;
		while (j > 0 && m[j - 1].base > cur.base) {
			m[j] = m[j - 1];
			j--;
		}
		m[j] = cur;
	}
}

int guest_map_carve(const struct mem_range *in, unsigned n, struct phys_range hole,
		    struct mem_range *out, unsigned max)
{
	unsigned count = 0;

	for (unsigned i = 0; i < n; i++) {
		uint64_t b = in[i].base, e = in[i].base + in[i].len;
		uint64_t hs = hole.start > b ? hole.start : b;
		uint64_t he = hole.end < e ? hole.end : e;

		if (in[i].type != MEM_USABLE || hs >= he) {
			if (push(out, &count, max, b, e, in[i].type))
				return -1;
			continue;
		}
		if (push(out, &count, max, b, hs, MEM_USABLE) ||
		    push(out, &count, max, hs, he, MEM_RESERVED) ||
		    push(out, &count, max, he, e, MEM_USABLE))
			return -1;
	}
	sort_by_base(out, count);
	return (int)count;
}
