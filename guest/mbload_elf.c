/* mbload_elf.c - the loadable segments of an ELF32 i386 or ELF64 x86-64 kernel image. */
#include "mbload.h"
#include "core/hw/printf.h"
#include "core/hw/string.h"

/* TIS ELF 1.2 "ELF Header": e_ident, and the values we accept. */
#define EI_MAG0	    0
#define EI_CLASS    4
#define EI_DATA	    5
#define EI_NIDENT   16
#define ELFCLASS32  1
#define ELFCLASS64  2
#define ELFDATA2LSB 1
#define ET_EXEC	    2
#define EM_386	    3
#define EM_X86_64   62
#define PT_LOAD	    1
#define PN_XNUM	    0xFFFF
#define E_TYPE	    16 /* e_type and e_machine sit at the same offsets in both classes */
#define E_MACHINE   18
#define P_TYPE	    0

/* Where Elf32_Ehdr/Phdr (ELF 1.2) and Elf64_Ehdr/Phdr (ELF-64 1.5) keep the fields we read. */
struct elf_layout {
	unsigned word; /* bytes in an address or offset */
	unsigned machine, ehdr_size, e_entry, e_phoff, e_phentsize, e_phnum;
	unsigned phdr_size, p_offset, p_vaddr, p_paddr, p_filesz, p_memsz;
};
static const struct elf_layout elf32 = {4, EM_386, 52, 24, 28, 42, 44, 32, 4, 8, 12, 16, 20};
static const struct elf_layout elf64 = {8, EM_X86_64, 64, 24, 32, 54, 56, 56, 8, 16, 24, 32, 40};

static const uint8_t elf_magic[4] = {0x7F, 'E', 'L', 'F'};

/* A little-endian field of @size bytes: 2 (Half), 4 (Word, 32-bit Addr/Off) or 8. */
static uint64_t rd(const uint8_t *p, unsigned size)
{
	uint64_t v = 0;
	while (size--)
		v = v << 8 | p[size];
	return v;
}

/* Check the ELF header and pick the layout of its class. */
static int check_ehdr(const uint8_t *file, size_t len, bool allow64, const char *needs,
		      const struct elf_layout **out, char *err, size_t errlen)
{
	const struct elf_layout *l;

	if (len < EI_NIDENT || memcmp(file + EI_MAG0, elf_magic, sizeof(elf_magic)) != 0)
		return fmt_fail(MBLOAD_E_ELF, err, errlen, "not an ELF file, and a non-ELF %s",
				needs);
	if (file[EI_CLASS] == ELFCLASS64 && !allow64)
		return fmt_fail(MBLOAD_E_ELF, err, errlen, "64-bit ELF %s", needs);
	if (file[EI_CLASS] != ELFCLASS32 && file[EI_CLASS] != ELFCLASS64)
		return fmt_fail(MBLOAD_E_ELF, err, errlen,
				"ELF class %u is not ELFCLASS32 or ELFCLASS64", file[EI_CLASS]);
	l = file[EI_CLASS] == ELFCLASS64 ? &elf64 : &elf32;
	if (file[EI_DATA] != ELFDATA2LSB)
		return fmt_fail(MBLOAD_E_ELF, err, errlen,
				"ELF data encoding %u is not ELFDATA2LSB (little-endian)",
				file[EI_DATA]);
	if (len < l->ehdr_size)
		return fmt_fail(MBLOAD_E_ELF, err, errlen,
				"ELF header truncated: file is %zu bytes", len);
	if ((unsigned)rd(file + E_TYPE, 2) != ET_EXEC)
		return fmt_fail(MBLOAD_E_ELF, err, errlen, "ELF type %u is not ET_EXEC (%u)",
				(unsigned)rd(file + E_TYPE, 2), ET_EXEC);
	if ((unsigned)rd(file + E_MACHINE, 2) != l->machine)
		return fmt_fail(MBLOAD_E_ELF, err, errlen, "ELF machine %u is not %s (%u)",
				(unsigned)rd(file + E_MACHINE, 2),
				l == &elf32 ? "EM_386" : "EM_X86_64", l->machine);
	*out = l;
	return 0;
}

/* Describe one PT_LOAD program header as the image's next segment. */
static int add_segment(const uint8_t *ph, const struct elf_layout *l, unsigned i, size_t len,
		       struct mbload_image *img, char *err, size_t errlen)
{
	uint64_t off = rd(ph + l->p_offset, l->word), paddr = rd(ph + l->p_paddr, l->word);
	uint64_t filesz = rd(ph + l->p_filesz, l->word), memsz = rd(ph + l->p_memsz, l->word);

	if (filesz > memsz)
		return fmt_fail(MBLOAD_E_ELF, err, errlen,
				"ELF program header %u: p_filesz 0x%lx > p_memsz 0x%lx", i, filesz,
				memsz);
	if (off > len || filesz > len - off)
		return fmt_fail(MBLOAD_E_ELF, err, errlen,
				"ELF program header %u: file bytes [0x%lx, 0x%lx) run past the "
				"end of the %zu-byte file",
				i, off, off + filesz, len);
	if (paddr > UINT32_MAX || memsz > UINT32_MAX - paddr)
		return fmt_fail(MBLOAD_E_ELF, err, errlen,
				"ELF program header %u: [0x%lx, 0x%lx) extends past 4 GiB", i,
				paddr, paddr + memsz);
	if (img->nseg == MBLOAD_MAX_SEGS)
		return fmt_fail(MBLOAD_E_SEGMENTS, err, errlen,
				"ELF has more than %u non-empty PT_LOAD segments", MBLOAD_MAX_SEGS);
	for (unsigned j = 0; j < img->nseg; j++) {
		const struct mbload_seg *o = &img->seg[j];
		if (paddr < (uint64_t)o->paddr + o->memsz && o->paddr < paddr + memsz)
			return fmt_fail(MBLOAD_E_SEGMENTS, err, errlen,
					"ELF program header %u: [0x%lx, 0x%lx) overlaps "
					"segment [0x%x, 0x%lx)",
					i, paddr, paddr + memsz, o->paddr,
					(uint64_t)o->paddr + o->memsz);
	}
	img->seg[img->nseg++] =
	    (struct mbload_seg){(uint32_t)paddr, (uint32_t)memsz, (uint32_t)filesz, (uint32_t)off};
	return 0;
}

static int parse(const uint8_t *file, size_t len, bool allow64, uint64_t entry, const char *needs,
		 struct mbload_image *img, char *err, size_t errlen)
{
	uint64_t vaddr[MBLOAD_MAX_SEGS], phoff, e_entry;
	const struct elf_layout *l = NULL;
	unsigned phentsize, phnum;
	bool from_tag;
	int rc = check_ehdr(file, len, allow64, needs, &l, err, errlen);

	if (rc)
		return rc;
	e_entry = rd(file + l->e_entry, l->word);
	phoff = rd(file + l->e_phoff, l->word);
	phentsize = (unsigned)rd(file + l->e_phentsize, 2);
	phnum = (unsigned)rd(file + l->e_phnum, 2);
	if (phnum == 0 || phnum == PN_XNUM)
		return fmt_fail(MBLOAD_E_ELF, err, errlen,
				"ELF e_phnum %u: no usable program headers", phnum);
	if (phentsize < l->phdr_size)
		return fmt_fail(MBLOAD_E_ELF, err, errlen,
				"ELF e_phentsize %u is smaller than a program header (%u)",
				phentsize, l->phdr_size);
	if (phoff > len || (uint64_t)phnum * phentsize > len - phoff)
		return fmt_fail(MBLOAD_E_ELF, err, errlen,
				"ELF program headers at 0x%lx (%u x %u bytes) run past the end "
				"of the %zu-byte file",
				phoff, phnum, phentsize, len);
	for (unsigned i = 0; i < phnum; i++) {
		const uint8_t *ph = file + phoff + (size_t)i * phentsize;
		if (rd(ph + P_TYPE, 4) != PT_LOAD || rd(ph + l->p_memsz, l->word) == 0)
			continue;
		rc = add_segment(ph, l, i, len, img, err, errlen);
		if (rc)
			return rc;
		vaddr[img->nseg - 1] = rd(ph + l->p_vaddr, l->word);
	}
	if (img->nseg == 0)
		return fmt_fail(MBLOAD_E_SEGMENTS, err, errlen,
				"ELF has no non-empty PT_LOAD segment");
	/* Like GRUB: an e_entry inside a segment's virtual range moves to its physical range. */
	from_tag = entry != MBLOAD_ENTRY_ELF;
	if (!from_tag) {
		entry = e_entry;
		for (unsigned j = 0; j < img->nseg; j++) {
			if (e_entry >= vaddr[j] && e_entry - vaddr[j] < img->seg[j].memsz) {
				entry = e_entry - vaddr[j] + img->seg[j].paddr;
				break;
			}
		}
	}
	for (unsigned j = 0; j < img->nseg; j++) {
		if (entry >= img->seg[j].paddr && entry - img->seg[j].paddr < img->seg[j].filesz) {
			img->entry = (uint32_t)entry;
			return 0;
		}
	}
	return fmt_fail(MBLOAD_E_ENTRY, err, errlen,
			"ELF entry point 0x%lx (%s 0x%lx) is not inside the file bytes of any "
			"PT_LOAD segment",
			entry, from_tag ? "entry address tag" : "e_entry",
			from_tag ? entry : e_entry);
}

int mbload_parse_elf(const uint8_t *file, size_t len, bool allow64, uint64_t entry,
		     const char *needs, struct mbload_image *img, char *err, size_t errlen)
{
	return mbload_finish(img, parse(file, len, allow64, entry, needs, img, err, errlen));
}
