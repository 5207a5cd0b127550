/* mbload.c - validate a multiboot1 OS image (a.out kludge or ELF32) and load its segments. */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mbload.h"
#include "core/hw/printf.h"
#include "core/hw/string.h"

/* Multiboot 0.6.96, 3.1.1 "OS image format": header field offsets. */
#define MB1H_MAGIC	   0
#define MB1H_FLAGS	   4
#define MB1H_CHECKSUM	   8
#define MB1H_HEADER_ADDR   12 /* 3.1.3 "The address fields of Multiboot header" */
#define MB1H_LOAD_ADDR	   16
#define MB1H_LOAD_END_ADDR 20
#define MB1H_BSS_END_ADDR  24
#define MB1H_ENTRY_ADDR	   28
#define MB1H_MIN_SIZE	   12 /* magic, flags, checksum */
#define MB1H_AOUT_SIZE	   32 /* through entry_addr */

/* Flags bits 0-15 we implement; anything else there must be refused (3.1.2). */
#define MB1H_SUPPORTED (MBLOAD_HDR_PAGE_ALIGN | MBLOAD_HDR_MEMORY_INFO | MBLOAD_HDR_VIDEO_MODE)

/* System V ABI / TIS ELF 1.2, "ELF Header" (Elf32_Ehdr) and "Program Header" (Elf32_Phdr). */
#define EI_MAG0	      0
#define EI_CLASS      4
#define EI_DATA	      5
#define EI_NIDENT     16
#define ELFCLASS32    1
#define ELFCLASS64    2
#define ELFDATA2LSB   1
#define ET_EXEC	      2
#define EM_386	      3
#define PT_LOAD	      1
#define PN_XNUM	      0xFFFF
#define E32_TYPE      16
#define E32_MACHINE   18
#define E32_ENTRY     24
#define E32_PHOFF     28
#define E32_PHENTSIZE 42
#define E32_PHNUM     44
#define E32_EHDR_SIZE 52
#define P32_TYPE      0
#define P32_OFFSET    4
#define P32_VADDR     8
#define P32_PADDR     12
#define P32_FILESZ    16
#define P32_MEMSZ     20
#define P32_PHDR_SIZE 32

static const uint8_t elf_magic[4] = {0x7F, 'E', 'L', 'F'};

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Format the reason into @err (when given) and return @code. */
static int __attribute__((format(printf, 4, 5)))
fail(int code, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		fmt_vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return code;
}

static int find_header(const uint8_t *file, size_t len, size_t *hoff, char *err, size_t errlen)
{
	size_t limit = len < MBLOAD_SEARCH_LEN ? len : MBLOAD_SEARCH_LEN;
	size_t bad = SIZE_MAX;

	for (size_t off = 0; off + MB1H_MIN_SIZE <= limit; off += MBLOAD_HEADER_ALIGN) {
		const uint8_t *h = file + off;

		if (rd32(h + MB1H_MAGIC) != MBLOAD_HEADER_MAGIC)
			continue;
		/* 3.1.2: magic + flags + checksum must be a 32-bit unsigned sum of zero. */
		if ((uint32_t)(rd32(h + MB1H_MAGIC) + rd32(h + MB1H_FLAGS) +
			       rd32(h + MB1H_CHECKSUM)) == 0) {
			*hoff = off;
			return 0;
		}
		if (bad == SIZE_MAX)
			bad = off;
	}
	if (bad != SIZE_MAX)
		return fail(MBLOAD_E_NOHDR, err, errlen,
			    "multiboot1 header at offset 0x%zx has a bad checksum "
			    "(magic + flags + checksum != 0)",
			    bad);
	return fail(MBLOAD_E_NOHDR, err, errlen,
		    "no multiboot1 header (magic 0x%x) in the first %u bytes of the %zu-byte image",
		    MBLOAD_HEADER_MAGIC, MBLOAD_SEARCH_LEN, len);
}

/* 3.1.3: the a.out kludge describes one contiguous text+data(+bss) range. */
static int parse_aout(const uint8_t *file, size_t len, size_t hoff, struct mbload_image *img,
		      char *err, size_t errlen)
{
	const uint8_t *h = file + hoff;
	uint32_t header_addr, load_addr, load_end, bss_end, entry, delta;
	uint64_t file_off, filesz, end;

	if (hoff + MB1H_AOUT_SIZE > len || hoff + MB1H_AOUT_SIZE > MBLOAD_SEARCH_LEN)
		return fail(MBLOAD_E_AOUT, err, errlen,
			    "a.out kludge fields of the header at offset 0x%zx run past the "
			    "end of the file or the first %u bytes",
			    hoff, MBLOAD_SEARCH_LEN);
	header_addr = rd32(h + MB1H_HEADER_ADDR);
	load_addr = rd32(h + MB1H_LOAD_ADDR);
	load_end = rd32(h + MB1H_LOAD_END_ADDR);
	bss_end = rd32(h + MB1H_BSS_END_ADDR);
	entry = rd32(h + MB1H_ENTRY_ADDR);

	if (load_addr > header_addr)
		return fail(MBLOAD_E_AOUT, err, errlen,
			    "a.out kludge: load_addr 0x%x is above header_addr 0x%x", load_addr,
			    header_addr);
	/* The file offset of load_addr is the header's offset minus (header_addr - load_addr). */
	delta = header_addr - load_addr;
	if (delta > hoff)
		return fail(MBLOAD_E_AOUT, err, errlen,
			    "a.out kludge: header_addr - load_addr = 0x%x exceeds the header's "
			    "file offset 0x%zx",
			    delta, hoff);
	file_off = hoff - delta;

	if (load_end == 0) {
		filesz = len - file_off; /* 0: text and data occupy the rest of the file */
	} else {
		if (load_end < load_addr)
			return fail(MBLOAD_E_AOUT, err, errlen,
				    "a.out kludge: load_end_addr 0x%x is below load_addr 0x%x",
				    load_end, load_addr);
		filesz = load_end - load_addr;
		if (file_off + filesz > len)
			return fail(MBLOAD_E_AOUT, err, errlen,
				    "a.out kludge: [load_addr 0x%x, load_end_addr 0x%x) needs file "
				    "bytes [0x%llx, 0x%llx) but the file has only 0x%zx",
				    load_addr, load_end, (unsigned long long)file_off,
				    (unsigned long long)(file_off + filesz), len);
	}
	end = load_addr + filesz;
	if (end > UINT32_MAX)
		return fail(
		    MBLOAD_E_AOUT, err, errlen,
		    "a.out kludge: image loaded at 0x%x with 0x%llx bytes extends past 4 GiB",
		    load_addr, (unsigned long long)filesz);
	if (bss_end != 0 && bss_end < end)
		return fail(MBLOAD_E_AOUT, err, errlen,
			    "a.out kludge: bss_end_addr 0x%x is below the load end 0x%llx", bss_end,
			    (unsigned long long)end);
	if (entry < load_addr || entry >= end)
		return fail(MBLOAD_E_ENTRY, err, errlen,
			    "a.out kludge: entry_addr 0x%x is outside the loaded range "
			    "[0x%x, 0x%llx)",
			    entry, load_addr, (unsigned long long)end);

	img->nseg = 1;
	img->seg[0].paddr = load_addr;
	img->seg[0].filesz = (uint32_t)filesz;
	img->seg[0].memsz = bss_end ? bss_end - load_addr : (uint32_t)filesz;
	img->seg[0].file_off = (uint32_t)file_off;
	img->entry = entry;
	return 0;
}

static bool overlaps(uint64_t s1, uint64_t e1, uint64_t s2, uint64_t e2)
{
	return s1 < e2 && s2 < e1;
}

/* TIS ELF 1.2: an ELF32 i386 executable, loaded by physical address like GRUB does. */
static int parse_elf(const uint8_t *file, size_t len, size_t hoff, struct mbload_image *img,
		     char *err, size_t errlen)
{
	uint32_t vaddr[MBLOAD_MAX_SEGS];
	uint32_t phoff, e_entry, entry;
	unsigned phentsize, phnum;

	if (len < EI_NIDENT || memcmp(file + EI_MAG0, elf_magic, sizeof(elf_magic)) != 0)
		return fail(MBLOAD_E_ELF, err, errlen,
			    "not an ELF file, and the multiboot header at offset 0x%zx has no "
			    "a.out kludge (flags bit 16)",
			    hoff);
	if (file[EI_CLASS] == ELFCLASS64)
		return fail(MBLOAD_E_ELF, err, errlen,
			    "64-bit ELF multiboot1 kernel needs the a.out kludge (flags bit 16)");
	if (file[EI_CLASS] != ELFCLASS32)
		return fail(MBLOAD_E_ELF, err, errlen, "ELF class %u is not ELFCLASS32",
			    file[EI_CLASS]);
	if (file[EI_DATA] != ELFDATA2LSB)
		return fail(MBLOAD_E_ELF, err, errlen,
			    "ELF data encoding %u is not ELFDATA2LSB (little-endian)",
			    file[EI_DATA]);
	if (len < E32_EHDR_SIZE)
		return fail(MBLOAD_E_ELF, err, errlen, "ELF header truncated: file is %zu bytes",
			    len);
	if (rd16(file + E32_TYPE) != ET_EXEC)
		return fail(MBLOAD_E_ELF, err, errlen, "ELF type %u is not ET_EXEC (%u)",
			    rd16(file + E32_TYPE), ET_EXEC);
	if (rd16(file + E32_MACHINE) != EM_386)
		return fail(MBLOAD_E_ELF, err, errlen, "ELF machine %u is not EM_386 (%u)",
			    rd16(file + E32_MACHINE), EM_386);

	e_entry = rd32(file + E32_ENTRY);
	phoff = rd32(file + E32_PHOFF);
	phentsize = rd16(file + E32_PHENTSIZE);
	phnum = rd16(file + E32_PHNUM);
	if (phnum == 0 || phnum == PN_XNUM)
		return fail(MBLOAD_E_ELF, err, errlen, "ELF e_phnum %u: no usable program headers",
			    phnum);
	if (phentsize < P32_PHDR_SIZE)
		return fail(MBLOAD_E_ELF, err, errlen,
			    "ELF e_phentsize %u is smaller than an Elf32_Phdr (%u)", phentsize,
			    P32_PHDR_SIZE);
	if ((uint64_t)phoff + (uint64_t)phnum * phentsize > len)
		return fail(MBLOAD_E_ELF, err, errlen,
			    "ELF program headers at 0x%x (%u x %u bytes) run past the end of the "
			    "%zu-byte file",
			    phoff, phnum, phentsize, len);

	for (unsigned i = 0; i < phnum; i++) {
		const uint8_t *ph = file + phoff + (size_t)i * phentsize;
		uint32_t off = rd32(ph + P32_OFFSET), paddr = rd32(ph + P32_PADDR);
		uint32_t filesz = rd32(ph + P32_FILESZ), memsz = rd32(ph + P32_MEMSZ);
		struct mbload_seg *s;

		if (rd32(ph + P32_TYPE) != PT_LOAD || memsz == 0)
			continue;
		if (filesz > memsz)
			return fail(MBLOAD_E_ELF, err, errlen,
				    "ELF program header %u: p_filesz 0x%x > p_memsz 0x%x", i,
				    filesz, memsz);
		if ((uint64_t)off + filesz > len)
			return fail(MBLOAD_E_ELF, err, errlen,
				    "ELF program header %u: file bytes [0x%x, 0x%llx) run past the "
				    "end of the %zu-byte file",
				    i, off, (unsigned long long)off + filesz, len);
		if ((uint64_t)paddr + memsz > UINT32_MAX)
			return fail(MBLOAD_E_ELF, err, errlen,
				    "ELF program header %u: [0x%x, 0x%llx) extends past 4 GiB", i,
				    paddr, (unsigned long long)paddr + memsz);
		if (img->nseg == MBLOAD_MAX_SEGS)
			return fail(MBLOAD_E_SEGMENTS, err, errlen,
				    "ELF has more than %u non-empty PT_LOAD segments",
				    MBLOAD_MAX_SEGS);
		for (unsigned j = 0; j < img->nseg; j++) {
			const struct mbload_seg *o = &img->seg[j];

			if (overlaps(paddr, (uint64_t)paddr + memsz, o->paddr,
				     (uint64_t)o->paddr + o->memsz))
				return fail(
				    MBLOAD_E_SEGMENTS, err, errlen,
				    "ELF program header %u: [0x%x, 0x%llx) overlaps segment "
				    "[0x%x, 0x%llx)",
				    i, paddr, (unsigned long long)paddr + memsz, o->paddr,
				    (unsigned long long)o->paddr + o->memsz);
		}
		vaddr[img->nseg] = rd32(ph + P32_VADDR);
		s = &img->seg[img->nseg++];
		s->paddr = paddr;
		s->memsz = memsz;
		s->filesz = filesz;
		s->file_off = off;
	}
	if (img->nseg == 0)
		return fail(MBLOAD_E_SEGMENTS, err, errlen, "ELF has no non-empty PT_LOAD segment");

	/* Like GRUB: an e_entry inside a segment's virtual range moves to its physical range. */
	entry = e_entry;
	for (unsigned j = 0; j < img->nseg; j++) {
		if (e_entry >= vaddr[j] && e_entry - vaddr[j] < img->seg[j].memsz) {
			entry = e_entry - vaddr[j] + img->seg[j].paddr;
			break;
		}
	}
	for (unsigned j = 0; j < img->nseg; j++) {
		if (entry >= img->seg[j].paddr && entry - img->seg[j].paddr < img->seg[j].filesz) {
			img->entry = entry;
			return 0;
		}
	}
	return fail(MBLOAD_E_ENTRY, err, errlen,
		    "ELF entry point 0x%x (e_entry 0x%x) is not inside the file bytes of any "
		    "PT_LOAD segment",
		    entry, e_entry);
}

int mbload_parse(const uint8_t *file, size_t len, struct mbload_image *img, char *err,
		 size_t errlen)
{
	size_t hoff = 0;
	uint32_t flags, unsupported;
	int rc;

	if (err && errlen)
		err[0] = '\0';
	if (!file || !img)
		return fail(MBLOAD_E_INVAL, err, errlen, "no kernel image given");
	memset(img, 0, sizeof(*img));
	rc = find_header(file, len, &hoff, err, errlen);
	if (rc)
		return rc;

	/* 3.1.2: bits 0-15 are requirements; a loader that lacks one must refuse the image. */
	flags = rd32(file + hoff + MB1H_FLAGS);
	unsupported = flags & MBLOAD_HDR_REQUIRED_MASK & ~MB1H_SUPPORTED;
	if (unsupported)
		return fail(MBLOAD_E_FEATURE, err, errlen,
			    "kernel requires unsupported multiboot feature bit %u (flags 0x%x)",
			    (unsigned)__builtin_ctz(unsupported), flags);
	img->flags = flags;

	if (flags & MBLOAD_HDR_AOUT_KLUDGE)
		rc = parse_aout(file, len, hoff, img, err, errlen);
	else
		rc = parse_elf(file, len, hoff, img, err, errlen);
	if (rc) {
		img->nseg = 0;
		return rc;
	}

	img->lowest = UINT32_MAX;
	for (unsigned i = 0; i < img->nseg; i++) {
		uint32_t end = img->seg[i].paddr + img->seg[i].memsz; /* checked: no wrap */

		if (img->seg[i].paddr < img->lowest)
			img->lowest = img->seg[i].paddr;
		if (end > img->highest_end)
			img->highest_end = end;
	}
	return 0;
}

/* How far up from @from usable entries reach without a gap (@from when none covers it). */
static uint64_t usable_reach(const struct mem_range *map, unsigned n, uint64_t from)
{
	uint64_t reach = from;
	bool grew = true;

	while (grew) {
		grew = false;
		for (unsigned i = 0; i < n; i++) {
			uint64_t end = map[i].len > UINT64_MAX - map[i].base
					   ? UINT64_MAX
					   : map[i].base + map[i].len;

			if (map[i].type == MEM_USABLE && map[i].len && map[i].base <= reach &&
			    end > reach) {
				reach = end;
				grew = true;
			}
		}
	}
	return reach;
}

int mbload_check_placement(const struct mbload_image *img, const struct mem_range *guest_map,
			   unsigned n, char *err, size_t errlen)
{
	if (err && errlen)
		err[0] = '\0';
	if (!img)
		return fail(MBLOAD_E_INVAL, err, errlen, "no kernel image given");
	for (unsigned i = 0; i < img->nseg; i++) {
		uint64_t s = img->seg[i].paddr, e = s + img->seg[i].memsz, reach, top = 0;

		/* Non-usable entries win over usable ones that overlap them (see pmem.c). */
		for (unsigned j = 0; j < n; j++) {
			uint64_t js = guest_map[j].base, je = js + guest_map[j].len;

			if (je < js)
				je = UINT64_MAX;
			if (guest_map[j].type == MEM_USABLE) {
				if (guest_map[j].len && je > top)
					top = je;
				continue;
			}
			if (guest_map[j].len && overlaps(s, e, js, je))
				return fail(MBLOAD_E_PLACEMENT, err, errlen,
					    "kernel segment %u [0x%llx, 0x%llx) overlaps reserved "
					    "guest memory [0x%llx, 0x%llx) (type %u)",
					    i, (unsigned long long)s, (unsigned long long)e,
					    (unsigned long long)js, (unsigned long long)je,
					    guest_map[j].type);
		}
		reach = usable_reach(guest_map, n, s);
		if (reach < e)
			return fail(
			    MBLOAD_E_PLACEMENT, err, errlen,
			    "kernel segment %u [0x%llx, 0x%llx) is outside usable guest RAM: "
			    "nothing usable at 0x%llx (usable RAM ends at 0x%llx)",
			    i, (unsigned long long)s, (unsigned long long)e,
			    (unsigned long long)reach, (unsigned long long)top);
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
		uint8_t *p;

		if (s->filesz) {
			p = gpa_ptr(s->paddr, s->filesz, ctx);
			if (p)
				memcpy(p, file + s->file_off, s->filesz);
		}
		if (s->memsz > s->filesz) {
			p = gpa_ptr(s->paddr + s->filesz, s->memsz - s->filesz, ctx);
			if (p)
				memset(p, 0, s->memsz - s->filesz);
		}
	}
}
