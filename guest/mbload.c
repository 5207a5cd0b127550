/* mbload.c - validate a multiboot1 OS image and load its segments; what mb2load shares. */

#include "mbload.h"
#include "core/hw/le.h"
#include "core/hw/pmem.h"
#include "core/hw/printf.h"
#include "core/hw/string.h"

/* Multiboot 0.6.96, 3.1.1 header offsets; 3.1.3 "The address fields of Multiboot header". */
#define MB1H_FLAGS	   4
#define MB1H_HEADER_ADDR   12
#define MB1H_LOAD_ADDR	   16
#define MB1H_LOAD_END_ADDR 20
#define MB1H_BSS_END_ADDR  24
#define MB1H_ENTRY_ADDR	   28
#define MB1H_MIN_SIZE	   12 /* magic, flags, checksum */
#define MB1H_AOUT_SIZE	   32 /* through entry_addr */
/* Flags bits 0-15 we implement; anything else there must be refused (3.1.2). */
#define MB1H_SUPPORTED (MBLOAD_HDR_PAGE_ALIGN | MBLOAD_HDR_MEMORY_INFO | MBLOAD_HDR_VIDEO_MODE)

int mbload_find_header(const uint8_t *file, size_t len, const struct mbload_magic *m, size_t *hoff,
		       char *err, size_t errlen)
{
	size_t limit = len < m->search ? len : m->search;
	size_t bad = SIZE_MAX;

	for (size_t off = 0; off + m->nfields * sizeof(uint32_t) <= limit; off += m->align) {
		uint32_t sum = 0;
		if (le32(file + off) != m->magic)
			continue;
		/* MB1 3.1.2, MB2 3.1.2: the magic fields add up to 0 as 32-bit unsigned values. */
		for (unsigned i = 0; i < m->nfields; i++)
			sum += le32(file + off + i * sizeof(uint32_t));
		if (sum == 0) {
			*hoff = off;
			return 0;
		}
		if (bad == SIZE_MAX)
			bad = off;
	}
	if (bad != SIZE_MAX)
		return fmt_fail(MBLOAD_E_NOHDR, err, errlen,
				"%s header at offset 0x%zx has a bad checksum (its %u magic "
				"fields do not add up to 0)",
				m->name, bad, m->nfields);
	return fmt_fail(MBLOAD_E_NOHDR, err, errlen,
			"no %s header (magic 0x%x) in the first %u bytes of the %zu-byte image",
			m->name, m->magic, m->search, len);
}

int mbload_load_addr(size_t len, size_t hoff, const struct mbload_addr *a, const char *what,
		     struct mbload_image *img, char *err, size_t errlen)
{
	uint64_t file_off, filesz, end;
	uint32_t delta = a->header_addr - a->load_addr;

	if (a->load_addr > a->header_addr)
		return fmt_fail(MBLOAD_E_AOUT, err, errlen,
				"%s: load_addr 0x%x is above header_addr 0x%x", what, a->load_addr,
				a->header_addr);
	if (delta > hoff)
		return fmt_fail(MBLOAD_E_AOUT, err, errlen,
				"%s: header_addr - load_addr = 0x%x exceeds the header's file "
				"offset 0x%zx",
				what, delta, hoff);
	file_off = hoff - delta;
	filesz = len - file_off; /* load_end_addr 0: text and data occupy the rest of the file */
	if (a->load_end != 0) {
		if (a->load_end < a->load_addr)
			return fmt_fail(MBLOAD_E_AOUT, err, errlen,
					"%s: load_end_addr 0x%x is below load_addr 0x%x", what,
					a->load_end, a->load_addr);
		filesz = a->load_end - a->load_addr;
		if (file_off + filesz > len)
			return fmt_fail(MBLOAD_E_AOUT, err, errlen,
					"%s: [load_addr 0x%x, load_end_addr 0x%x) needs file "
					"bytes [0x%lx, 0x%lx) but the file has only 0x%zx",
					what, a->load_addr, a->load_end, file_off,
					file_off + filesz, len);
	}
	end = a->load_addr + filesz;
	if (end > UINT32_MAX)
		return fmt_fail(MBLOAD_E_AOUT, err, errlen,
				"%s: image loaded at 0x%x with 0x%lx bytes extends past 4 GiB",
				what, a->load_addr, filesz);
	if (a->bss_end != 0 && a->bss_end < end)
		return fmt_fail(MBLOAD_E_AOUT, err, errlen,
				"%s: bss_end_addr 0x%x is below the load end 0x%lx", what,
				a->bss_end, end);
	if (a->entry < a->load_addr || a->entry >= end)
		return fmt_fail(MBLOAD_E_ENTRY, err, errlen,
				"%s: entry_addr 0x%x is outside the loaded range [0x%x, 0x%lx)",
				what, a->entry, a->load_addr, end);
	img->nseg = 1;
	img->seg[0] = (struct mbload_seg){a->load_addr,
					  a->bss_end ? a->bss_end - a->load_addr : (uint32_t)filesz,
					  (uint32_t)filesz, (uint32_t)file_off};
	img->entry = a->entry;
	return mbload_finish(img, 0);
}

int mbload_finish(struct mbload_image *img, int rc)
{
	if (rc) {
		img->nseg = 0;
		return rc;
	}
	img->lowest = UINT32_MAX;
	img->highest_end = 0;
	for (unsigned i = 0; i < img->nseg; i++) {
		uint32_t end = img->seg[i].paddr + img->seg[i].memsz; /* checked: no wrap */
		if (img->seg[i].paddr < img->lowest)
			img->lowest = img->seg[i].paddr;
		if (end > img->highest_end)
			img->highest_end = end;
	}
	return 0;
}

int mbload_parse(const uint8_t *file, size_t len, struct mbload_image *img, char *err,
		 size_t errlen)
{
	static const struct mbload_magic mb1 = {"multiboot1", MBLOAD_HEADER_MAGIC,
						MBLOAD_SEARCH_LEN, MBLOAD_HEADER_ALIGN,
						MB1H_MIN_SIZE / sizeof(uint32_t)};
	const uint8_t *h;
	size_t hoff = 0;
	uint32_t flags, unsupported;
	int rc;

	if (err && errlen)
		err[0] = '\0';
	if (!file || !img)
		return fmt_fail(MBLOAD_E_INVAL, err, errlen, "no kernel image given");
	memset(img, 0, sizeof(*img));
	rc = mbload_find_header(file, len, &mb1, &hoff, err, errlen);
	if (rc)
		return rc;
	h = file + hoff;
	flags = le32(h + MB1H_FLAGS);
	unsupported = flags & MBLOAD_HDR_REQUIRED_MASK & ~MB1H_SUPPORTED;
	if (unsupported)
		return fmt_fail(MBLOAD_E_FEATURE, err, errlen,
				"kernel requires unsupported multiboot feature bit %u (flags 0x%x)",
				(unsigned)__builtin_ctz(unsupported), flags);
	img->flags = flags;
	if (!(flags & MBLOAD_HDR_AOUT_KLUDGE))
		return mbload_parse_elf(file, len, false, MBLOAD_ENTRY_ELF,
					"multiboot1 kernel needs the a.out kludge (flags bit 16)",
					img, err, errlen);
	if (hoff + MB1H_AOUT_SIZE > len || hoff + MB1H_AOUT_SIZE > MBLOAD_SEARCH_LEN)
		return fmt_fail(MBLOAD_E_AOUT, err, errlen,
				"a.out kludge fields of the header at offset 0x%zx run past the "
				"end of the file or the first %u bytes",
				hoff, MBLOAD_SEARCH_LEN);
	return mbload_load_addr(
	    len, hoff,
	    &(struct mbload_addr){le32(h + MB1H_HEADER_ADDR), le32(h + MB1H_LOAD_ADDR),
				  le32(h + MB1H_LOAD_END_ADDR), le32(h + MB1H_BSS_END_ADDR),
				  le32(h + MB1H_ENTRY_ADDR)},
	    "a.out kludge", img, err, errlen);
}

int mbload_check_placement(const struct mbload_image *img, const struct mem_range *guest_map,
			   unsigned n, char *err, size_t errlen)
{
	if (err && errlen)
		err[0] = '\0';
	if (!img)
		return fmt_fail(MBLOAD_E_INVAL, err, errlen, "no kernel image given");
	for (unsigned i = 0; i < img->nseg; i++) {
		uint64_t s = img->seg[i].paddr, e = s + img->seg[i].memsz, reach;
		/* Non-usable entries win over usable ones that overlap them (see pmem.c). */
		for (unsigned j = 0; j < n; j++) {
			uint64_t js = guest_map[j].base, je = pmem_entry_end(&guest_map[j]);
			if (guest_map[j].type != MEM_USABLE && guest_map[j].len && s < je && js < e)
				return fmt_fail(MBLOAD_E_PLACEMENT, err, errlen,
						"kernel segment %u [0x%lx, 0x%lx) overlaps "
						"reserved guest memory [0x%lx, 0x%lx) (type %u)",
						i, s, e, js, je, guest_map[j].type);
		}
		reach = pmem_usable_reach(guest_map, n, s);
		if (reach < e)
			return fmt_fail(MBLOAD_E_PLACEMENT, err, errlen,
					"kernel segment %u [0x%lx, 0x%lx) is outside usable "
					"guest RAM: nothing usable at 0x%lx (usable RAM ends at "
					"0x%lx)",
					i, s, e, reach, pmem_usable_top(guest_map, n));
	}
	return 0;
}

void mbload_copy(const struct mbload_image *img, const uint8_t *file,
		 uint8_t *(*gpa_ptr)(uint32_t gpa, uint32_t len, void *ctx), void *ctx)
{
	if (!img || !file || !gpa_ptr)
		return;
	for (unsigned i = 0; i < img->nseg && i < MBLOAD_MAX_SEGS; i++) {
		const struct mbload_seg *s = &img->seg[i];
		uint8_t *p = s->filesz ? gpa_ptr(s->paddr, s->filesz, ctx) : NULL;
		if (p)
			memcpy(p, file + s->file_off, s->filesz);
		p = s->memsz > s->filesz ? gpa_ptr(s->paddr + s->filesz, s->memsz - s->filesz, ctx)
					 : NULL;
		if (p)
			memset(p, 0, s->memsz - s->filesz);
	}
}
