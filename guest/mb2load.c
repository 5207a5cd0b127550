/* mb2load.c - validate a multiboot2 OS image: its header tags and the segments to load. */
#include "mb2load.h"
#include "core/hw/le.h"
#include "core/hw/pmem.h"
#include "core/hw/printf.h"
#include "core/hw/string.h"
#include "mb2info.h"

/* Multiboot2 2.0, 3.1.2: magic, architecture, header_length, checksum, then the tags. */
#define MB2H_ARCH	  4
#define MB2H_LENGTH	  8
#define MB2H_TAGS	  16
#define MB2H_MAGIC_FIELDS 4
#define MB2H_ARCH_I386	  0 /* 32-bit (protected) mode of i386 */
/* 3.1.3: u16 type, u16 flags, u32 size; each tag 8-byte aligned, type 0 size 8 ends them. */
#define TAG_TYPE	 0
#define TAG_FLAGS	 2
#define TAG_SIZE	 4
#define TAG_HEADER_SIZE	 8
#define TAG_ALIGN	 8u
#define TAG_OPTIONAL	 (1u << 0)
#define TAG_END		 0
#define TAG_INFO_REQUEST 1  /* 3.1.4: u32 information tag types follow the header */
#define TAG_ADDRESS	 2  /* 3.1.5 */
#define TAG_ENTRY	 3  /* 3.1.6 */
#define TAG_CONSOLE	 4  /* 3.1.9 "Flags tag" */
#define TAG_FRAMEBUFFER	 5  /* 3.1.10 */
#define TAG_MODULE_ALIGN 6  /* 3.1.11 */
#define TAG_EFI_BS	 7  /* 3.1.12 */
#define TAG_EFI32_ENTRY	 8  /* 3.1.7 */
#define TAG_EFI64_ENTRY	 9  /* 3.1.8 */
#define TAG_RELOCATABLE	 10 /* 3.1.13 */
#define ADDR_HEADER	 8  /* 3.1.5: header_addr, load_addr, load_end_addr, bss_end_addr */
#define ADDR_LOAD	 12
#define ADDR_LOAD_END	 16
#define ADDR_BSS_END	 20
#define ADDR_SIZE	 24
#define ADDR_FROM_START	 0xFFFFFFFFu /* load_addr -1: the file loads from its beginning */
#define ENTRY_ADDR	 8	     /* 3.1.6 */
#define ENTRY_SIZE	 12
#define CONSOLE_FLAGS	 8 /* 3.1.9 */
#define CONSOLE_SIZE	 12
#define CONSOLE_REQUIRED (1u << 0)
#define RELOC_MIN	 8 /* 3.1.13: min_addr, max_addr, align, preference */
#define RELOC_MAX	 12
#define RELOC_ALIGN	 16
#define RELOC_SIZE	 24
#define INFO_TYPE_BITS	 32 /* request bits kept in info_types */

struct tags {
	const uint8_t *addr; /* the address tag, or NULL */
	uint64_t entry;	     /* the entry tag's address, or MBLOAD_ENTRY_ELF */
};

static uint32_t min_size(uint32_t type)
{
	static const uint8_t size[] = {
	    [TAG_ADDRESS] = ADDR_SIZE,
	    [TAG_ENTRY] = ENTRY_SIZE,
	    [TAG_CONSOLE] = CONSOLE_SIZE,
	    [TAG_RELOCATABLE] = RELOC_SIZE,
	};
	return type < sizeof(size) && size[type] ? size[type] : TAG_HEADER_SIZE;
}

static const char *unsupported_name(uint32_t type)
{
	static const char *const name[] = {
	    [TAG_FRAMEBUFFER] = "framebuffer",
	    [TAG_EFI32_ENTRY] = "EFI i386 entry address",
	    [TAG_EFI64_ENTRY] = "EFI amd64 entry address",
	};
	return type < NELEMS(name) && name[type] ? name[type] : "unknown";
}

/* 3.1.4: unless the request is optional, each type must be one we know and provide. */
static int info_request(const uint8_t *p, uint32_t size, bool optional, struct mb2load_request *req,
			char *err, size_t errlen)
{
	for (uint32_t off = TAG_HEADER_SIZE; size - off >= sizeof(uint32_t);
	     off += sizeof(uint32_t)) {
		uint32_t type = le32(p + off);
		bool ours = type < INFO_TYPE_BITS && (MB2INFO_PROVIDED >> type & 1);
		if (type < INFO_TYPE_BITS)
			req->info_types |= 1u << type;
		if (!optional && !ours)
			return fmt_fail(MBLOAD_E_FEATURE, err, errlen,
					"multiboot2 header requests information tag type %u, "
					"which we cannot provide (the request is not optional)",
					type);
	}
	return 0;
}

static int tag(const uint8_t *p, uint32_t type, uint32_t size, struct tags *t,
	       struct mb2load_request *req, char *err, size_t errlen)
{
	bool optional = le16(p + TAG_FLAGS) & TAG_OPTIONAL;

	switch (type) {
	case TAG_INFO_REQUEST:
		return info_request(p, size, optional, req, err, errlen);
	case TAG_ADDRESS:
		t->addr = p;
		return 0;
	case TAG_ENTRY:
		t->entry = le32(p + ENTRY_ADDR);
		return 0;
	case TAG_CONSOLE: /* we pass no console information (3.6.11, 3.6.12) */
		if (!optional && le32(p + CONSOLE_FLAGS) & CONSOLE_REQUIRED)
			return fmt_fail(MBLOAD_E_FEATURE, err, errlen,
					"multiboot2 flags tag requires a console, and we describe "
					"none (no framebuffer or VBE information)");
		return 0;
	case TAG_MODULE_ALIGN:
		req->modules_page_aligned = true;
		return 0;
	case TAG_EFI_BS: /* 3.1.12: it *may* start with boot services on; GRUB on BIOS ignores it */
		return 0;
	case TAG_RELOCATABLE:
		req->relocatable = true;
		req->reloc_min = le32(p + RELOC_MIN);
		req->reloc_max = le32(p + RELOC_MAX);
		req->reloc_align = le32(p + RELOC_ALIGN);
		return 0;
	default: /* 3.1.3: a loader may ignore only tags flagged optional */
		if (!optional)
			return fmt_fail(MBLOAD_E_FEATURE, err, errlen,
					"multiboot2 header tag %u (%s) is required but not "
					"supported",
					type, unsupported_name(type));
		return 0;
	}
}

static int walk_tags(const uint8_t *h, uint32_t hlen, struct tags *t, struct mb2load_request *req,
		     char *err, size_t errlen)
{
	uint32_t off = MB2H_TAGS;
	while (off + TAG_HEADER_SIZE <= hlen) {
		uint32_t type = le16(h + off + TAG_TYPE);
		uint32_t size = le32(h + off + TAG_SIZE);
		int rc;
		if (size < min_size(type) || size > hlen - off)
			return fmt_fail(MBLOAD_E_HEADER, err, errlen,
					"multiboot2 header tag %u at header offset 0x%x has size "
					"%u: below %u or past header_length %u",
					type, off, size, min_size(type), hlen);
		if (type == TAG_END)
			return 0;
		rc = tag(h + off, type, size, t, req, err, errlen);
		if (rc)
			return rc;
		off += (size + TAG_ALIGN - 1) & ~(TAG_ALIGN - 1);
	}
	return fmt_fail(MBLOAD_E_HEADER, err, errlen,
			"multiboot2 header tags reach header_length %u without an end tag", hlen);
}

static int load(const uint8_t *file, size_t len, size_t hoff, const struct tags *t,
		struct mbload_image *img, char *err, size_t errlen)
{
	struct mbload_addr a;
	if (!t->addr)
		return mbload_parse_elf(file, len, true, t->entry,
					"multiboot2 kernel needs an address tag", img, err, errlen);
	if (t->entry == MBLOAD_ENTRY_ELF)
		return fmt_fail(MBLOAD_E_ENTRY, err, errlen,
				"multiboot2 address tag without an entry address tag");
	a = (struct mbload_addr){le32(t->addr + ADDR_HEADER), le32(t->addr + ADDR_LOAD),
				 le32(t->addr + ADDR_LOAD_END), le32(t->addr + ADDR_BSS_END),
				 (uint32_t)t->entry};
	/* Loading from file offset 0 puts it at header_addr - hoff (wraps, then refused). */
	if (a.load_addr == ADDR_FROM_START)
		a.load_addr = a.header_addr - (uint32_t)hoff;
	return mbload_load_addr(len, hoff, &a, "multiboot2 address tag", img, err, errlen);
}

int mb2load_parse(const uint8_t *file, size_t len, struct mbload_image *img,
		  struct mb2load_request *req, char *err, size_t errlen)
{
	static const struct mbload_magic mb2 = {"multiboot2", MB2LOAD_HEADER_MAGIC,
						MB2LOAD_SEARCH_LEN, MB2LOAD_HEADER_ALIGN,
						MB2H_MAGIC_FIELDS};
	size_t hoff = 0, limit = len < MB2LOAD_SEARCH_LEN ? len : MB2LOAD_SEARCH_LEN;
	struct tags t = {NULL, MBLOAD_ENTRY_ELF};
	uint32_t arch, hlen;
	int rc;

	if (err && errlen)
		err[0] = '\0';
	if (!file || !img || !req)
		return fmt_fail(MBLOAD_E_INVAL, err, errlen, "no kernel image given");
	memset(img, 0, sizeof(*img));
	memset(req, 0, sizeof(*req));
	rc = mbload_find_header(file, len, &mb2, &hoff, err, errlen);
	if (rc)
		return rc;
	arch = le32(file + hoff + MB2H_ARCH);
	hlen = le32(file + hoff + MB2H_LENGTH);
	if (arch != MB2H_ARCH_I386)
		return fmt_fail(MBLOAD_E_HEADER, err, errlen,
				"multiboot2 header at offset 0x%zx is for architecture %u, not "
				"i386 (%u)",
				hoff, arch, MB2H_ARCH_I386);
	if (hlen < MB2H_TAGS + TAG_HEADER_SIZE || hlen > limit - hoff)
		return fmt_fail(MBLOAD_E_HEADER, err, errlen,
				"multiboot2 header at offset 0x%zx: header_length %u is below %u "
				"or runs past the file or its first %u bytes",
				hoff, hlen, MB2H_TAGS + TAG_HEADER_SIZE, MB2LOAD_SEARCH_LEN);
	rc = walk_tags(file + hoff, hlen, &t, req, err, errlen);
	if (!rc)
		rc = load(file, len, hoff, &t, img, err, errlen);
	if (rc) {
		memset(req, 0, sizeof(*req));
		img->nseg = 0;
		return rc;
	}
	/* 3.6.23: the load base goes to relocatable images; we also honour a plain request. */
	req->load_base = req->relocatable || (req->info_types >> MB2INFO_TAG_LOAD_BASE & 1);
	req->load_base_addr = img->lowest;
	return 0;
}

/* 3.1.13: may the image, moved to @at, load there: inside [min_addr, max_addr], align-aligned,
 * in usable guest RAM? */
static bool reloc_fits(const struct mbload_image *img, const struct mb2load_request *req,
		       uint64_t at, const struct mem_range *map, unsigned nmap)
{
	static struct mbload_image moved;
	uint64_t size = img->highest_end - img->lowest;

	if (at < req->reloc_min || at + size > req->reloc_max ||
	    (req->reloc_align && at % req->reloc_align))
		return false;
	moved = *img;
	for (unsigned i = 0; i < moved.nseg; i++)
		moved.seg[i].paddr += (uint32_t)(at - img->lowest); /* mod 2^32: a move down too */
	return mbload_check_placement(&moved, map, nmap, NULL, 0) == 0;
}

int mb2load_relocate(struct mbload_image *img, struct mb2load_request *req,
		     const struct mem_range *map, unsigned nmap, char *err, size_t errlen)
{
	uint64_t at = img->lowest, align = req->reloc_align ? req->reloc_align : 1;
	uint32_t delta;

	if (err && errlen)
		err[0] = '\0';
	if (!req->relocatable || reloc_fits(img, req, at, map, nmap))
		return 0;
	/* Else the lowest fit from min_addr, a usable entry's start or another's end, as GRUB's
	 * "preference" 1 would (preference is a suggestion: "should"). */
	at = UINT64_MAX;
	for (unsigned i = 0; i < nmap; i++) {
		uint64_t from = map[i].type == MEM_USABLE ? map[i].base : pmem_entry_end(&map[i]);
		from = from > req->reloc_min ? from : req->reloc_min;
		if (from > UINT32_MAX)
			continue;
		from = (from + align - 1) / align * align;
		if (from < at && reloc_fits(img, req, from, map, nmap))
			at = from;
	}
	if (at == UINT64_MAX)
		return fmt_fail(MBLOAD_E_PLACEMENT, err, errlen,
				"multiboot2 relocatable image of 0x%x bytes fits nowhere in usable "
				"guest RAM inside [min_addr 0x%x, max_addr 0x%x] aligned to 0x%lx",
				img->highest_end - img->lowest, req->reloc_min, req->reloc_max,
				align);
	delta = (uint32_t)(at - img->lowest);
	for (unsigned i = 0; i < img->nseg; i++)
		img->seg[i].paddr += delta;
	img->entry += delta; /* as GRUB moves it: by the load base's offset from the link base */
	mbload_finish(img, 0);
	req->load_base_addr = img->lowest;
	return 0;
}
