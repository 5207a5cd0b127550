/* nested_pt.c - identity nested paging: 2 MiB pages where uniform, 4 KiB pages around holes. */
#include "nested_pt.h"

#include "core/hw/string.h"

#define NPT_ENTRIES	 512ull
#define NPT_ADDR_MASK	 0x000ffffffffff000ull
#define LEVEL_SHIFT_PML4 39
#define LEVEL_SHIFT_PDPT 30
#define LEVEL_SHIFT_PD	 21
#define LEVEL_SHIFT_PT	 12
#define INDEX(a, shift)	 (((a) >> (shift)) & (NPT_ENTRIES - 1))
/* Leaf bits 62:52 are ignored by both formats (APM vol. 2, 5.3.3 "available"; SDM vol. 3C,
 * table 29-6): one records that the debugger changed the page, one its original W bit. */
#define LEAF_PROTECTED (1ull << 52)
#define LEAF_ORIG_W    (1ull << 53)

static bool overlaps(const struct phys_range *r, unsigned n, uint64_t s, uint64_t e)
{
	for (unsigned i = 0; i < n; i++) {
		if (r[i].start < e && s < r[i].end)
			return true;
	}
	return false;
}

static bool covered(const struct phys_range *r, unsigned n, uint64_t s, uint64_t e)
{
	for (unsigned i = 0; i < n; i++) {
		if (r[i].start <= s && e <= r[i].end)
			return true;
	}
	return false;
}

/* Is a shadowed page in [s, e)? For a single page, *@hpa becomes the host page behind it. */
static bool shadow_of(const struct nested_pt_layout *l, uint64_t s, uint64_t e, uint64_t *hpa)
{
	for (unsigned i = 0; i < l->nshadow; i++) {
		if (l->shadow[i].gpa >= s && l->shadow[i].gpa < e) {
			if (hpa)
				*hpa = l->shadow[i].hpa;
			return true;
		}
	}
	return false;
}

/* The next-level table behind @entry, created when absent. */
static uint64_t *next_table(uint64_t *entry, const struct nested_pt_format *f,
			    const struct nested_pt_env *env, struct nested_pt_stats *st)
{
	if (!*entry) {
		uint64_t pa = env->alloc_page(env->ctx);
		if (!pa)
			return 0;
		*entry = pa | f->table;
		st->tables++;
	}
	return env->table_ptr(*entry & NPT_ADDR_MASK, env->ctx);
}

static int map_chunk(uint64_t *pd_entry, uint64_t base, const struct nested_pt_layout *l,
		     const struct nested_pt_format *f, const struct nested_pt_env *env,
		     struct nested_pt_stats *st)
{
	uint64_t end = base + LARGE_PAGE_SIZE;
	bool ram = covered(l->ram, l->nram, base, end);
	uint64_t *pt;

	if (!overlaps(l->holes, l->nholes, base, end) &&
	    !overlaps(l->readonly, l->nreadonly, base, end) && !shadow_of(l, base, end, 0) &&
	    (ram || !overlaps(l->ram, l->nram, base, end))) {
		*pd_entry = base | (ram ? f->leaf_ram : f->leaf_mmio) | f->large;
		st->large_pages++;
		return 0;
	}
	pt = next_table(pd_entry, f, env, st);
	if (!pt)
		return -1;
	for (uint64_t a = base; a < end; a += PAGE_SIZE) {
		/* A page counts as RAM when its first byte is RAM (e.g. 0x9f000-0x9fc00 is). */
		uint64_t leaf = overlaps(l->ram, l->nram, a, a + 1) ? f->leaf_ram : f->leaf_mmio;
		uint64_t hpa = a;

		if (overlaps(l->holes, l->nholes, a, a + PAGE_SIZE))
			continue;
		if (overlaps(l->readonly, l->nreadonly, a, a + PAGE_SIZE))
			leaf &= ~f->write;
		shadow_of(l, a, a + PAGE_SIZE, &hpa);
		pt[INDEX(a, LEVEL_SHIFT_PT)] = hpa | leaf;
		st->small_pages++;
	}
	return 0;
}

int nested_pt_build(uint64_t root_pa, const struct nested_pt_layout *l,
		    const struct nested_pt_format *f, const struct nested_pt_env *env,
		    struct nested_pt_stats *stats)
{
	uint64_t *pml4 = env->table_ptr(root_pa, env->ctx);
	struct nested_pt_stats st = {0, 0, 0};

	for (uint64_t base = 0; base < l->end; base += LARGE_PAGE_SIZE) {
		uint64_t *pdpt = next_table(&pml4[INDEX(base, LEVEL_SHIFT_PML4)], f, env, &st);
		uint64_t *pd =
		    pdpt ? next_table(&pdpt[INDEX(base, LEVEL_SHIFT_PDPT)], f, env, &st) : 0;
		if (!pd || map_chunk(&pd[INDEX(base, LEVEL_SHIFT_PD)], base, l, f, env, &st))
			return -1;
	}
	if (stats)
		*stats = st;
	return 0;
}

int nested_pt_map_device(uint64_t root_pa, uint64_t gpa, const struct nested_pt_format *f,
			 const struct nested_pt_env *env)
{
	struct nested_pt_stats st;
	uint64_t *pml4 = env->table_ptr(root_pa, env->ctx);
	uint64_t *pdpt = next_table(&pml4[INDEX(gpa, LEVEL_SHIFT_PML4)], f, env, &st);
	uint64_t *pd = pdpt ? next_table(&pdpt[INDEX(gpa, LEVEL_SHIFT_PDPT)], f, env, &st) : 0;
	uint64_t *pde = pd ? &pd[INDEX(gpa, LEVEL_SHIFT_PD)] : 0;

	if (!pde || *pde)
		return -1;
	*pde = (gpa & ~(LARGE_PAGE_SIZE - 1)) | f->leaf_mmio | f->large;
	return 0;
}

/* The PDE for @gpa, or 0 when a table above it is absent. */
static uint64_t *pd_entry(uint64_t root_pa, uint64_t gpa, const struct nested_pt_env *env)
{
	static const unsigned upper[] = {LEVEL_SHIFT_PML4, LEVEL_SHIFT_PDPT};
	uint64_t *table = env->table_ptr(root_pa, env->ctx);

	for (unsigned lvl = 0; lvl < NELEMS(upper); lvl++) {
		uint64_t e = table[INDEX(gpa, upper[lvl])];

		if (!e)
			return 0;
		table = env->table_ptr(e & NPT_ADDR_MASK, env->ctx);
	}
	return &table[INDEX(gpa, LEVEL_SHIFT_PD)];
}

/* The 4 KiB leaf entry for @gpa; a 2 MiB leaf becomes a table of 512 equal 4 KiB leaves. */
static uint64_t *leaf_4k(uint64_t root_pa, uint64_t gpa, const struct nested_pt_format *f,
			 const struct nested_pt_env *env)
{
	uint64_t *pde = pd_entry(root_pa, gpa, env), *pte;

	if (!pde || !*pde)
		return 0;
	if (*pde & f->large) {
		uint64_t big = *pde, pa = env->alloc_page(env->ctx), *pt;

		if (!pa)
			return 0;
		pt = env->table_ptr(pa, env->ctx);
		/* NPT's bit 7 is PAT in a 4 KiB leaf (PS in a PDE); leaf_ram/mmio never set PAT. */
		for (uint64_t i = 0; i < NPT_ENTRIES; i++)
			pt[i] = (big & ~f->large) + (i << LEVEL_SHIFT_PT);
		*pde = pa | f->table;
	}
	pte = &env->table_ptr(*pde & NPT_ADDR_MASK, env->ctx)[INDEX(gpa, LEVEL_SHIFT_PT)];
	return *pte ? pte : 0;
}

int nested_pt_protect(uint64_t root_pa, uint64_t gpa, unsigned deny,
		      const struct nested_pt_format *f, const struct nested_pt_env *env)
{
	uint64_t *pte = leaf_4k(root_pa, gpa, f, env), e;

	if (!pte)
		return -1;
	e = *pte;
	if (!(e & LEAF_PROTECTED))
		e |= LEAF_PROTECTED | ((e & f->write) ? LEAF_ORIG_W : 0);
	/* Back to the page as built, then take away what is denied. */
	e = (e | f->access | f->exec) & ~(f->nx | f->write);
	if (e & LEAF_ORIG_W)
		e |= f->write;
	if (deny & NESTED_DENY_EXEC)
		e = (e & ~f->exec) | f->nx;
	if (deny & NESTED_DENY_WRITE)
		e &= ~f->write;
	if (deny & NESTED_DENY_ACCESS)
		e &= ~f->access;
	*pte = e;
	return 0;
}

uint64_t nested_pt_lookup(uint64_t root_pa, uint64_t gpa, const struct nested_pt_format *f,
			  const struct nested_pt_env *env, uint64_t *page_size)
{
	uint64_t *pde = pd_entry(root_pa, gpa, env), e;
	bool large;

	if (!pde || !*pde)
		return 0;
	large = *pde & f->large;
	e = large ? *pde
		  : env->table_ptr(*pde & NPT_ADDR_MASK, env->ctx)[INDEX(gpa, LEVEL_SHIFT_PT)];
	if (e && page_size)
		*page_size = 1ull << (large ? LEVEL_SHIFT_PD : LEVEL_SHIFT_PT);
	return e;
}
