/* multiboot.c - parse multiboot1 and multiboot2 boot information into struct boot_info. */
#include "multiboot.h"
#include "core/hw/le.h"
#include "core/hw/string.h"
#include "guest/mb1info.h" /* the info layouts, shared with the guest's builders */
#include "guest/mb2info.h"

#define MB1_INFO_READ_SIZE 52 /* through mmap_addr: the last field we read */
/* Multiboot 0.6.96, 3.3: a module is mod_start, mod_end, string, reserved; an mmap entry is
 * size (20, or 24 with ACPI 3.0 attributes, not counting itself), base_addr, length, type. */
#define MB1_MOD_START	    0
#define MB1_MOD_END	    4
#define MB1_MOD_STRING	    8
#define MB1_MMAP_SIZE_FIELD 4
#define MB1_MMAP_BASE	    4
#define MB1_MMAP_LEN	    12
#define MB1_MMAP_TYPE	    20
#define MB1_MMAP_MIN_SIZE   20 /* 'size' covering base_addr, length and type */

/* Multiboot2 2.0, 3.6: total_size, reserved, then tags of type, size (without padding). */
#define MB2_INFO_TOTAL_SIZE  0
#define MB2_INFO_HEADER_SIZE 8
#define MB2_INFO_MIN_SIZE    16		/* fixed part plus the terminating tag */
#define MB2_INFO_MAX_SIZE    (1u << 20) /* our sanity bound, not the spec's */
#define MB2_TAG_TYPE	     0
#define MB2_TAG_SIZE	     4
#define MB2_TAG_HEADER_SIZE  8
#define MB2_TAG_ALIGN	     8
/* 3.6: each tag's fields, from the start of the tag. */
#define MB2_CMDLINE_STRING	8
#define MB2_MODULE_START	8
#define MB2_MODULE_END		12
#define MB2_MODULE_STRING	16
#define MB2_MEMINFO_LOWER	8 /* KiB */
#define MB2_MEMINFO_UPPER	12
#define MB2_MEMINFO_SIZE	16
#define MB2_MMAP_ENTRY_SIZE	8 /* entry_size, entry_version, then the entries */
#define MB2_MMAP_ENTRIES	16
#define MB2_MMAP_ENTRY_BASE	0
#define MB2_MMAP_ENTRY_LEN	8
#define MB2_MMAP_ENTRY_TYPE	16
#define MB2_MMAP_ENTRY_MIN_SIZE 24
#define MB2_ACPI_RSDP		8 /* a copy of the RSDP */
#define MB2_EFI64_POINTER	8 /* u64 */
#define MB2_EFI64_SIZE		16
#define MB2_EFI_MMAP_DESC_SIZE	8 /* descr_size, descr_vers, then the descriptors */
#define MB2_EFI_MMAP_DESC_VERS	12
#define MB2_EFI_MMAP_ENTRIES	16
/* ACPI 6.x, 5.2.5.3: RSDP is 20 bytes in revision 0 (ACPI 1.0), 36 bytes from 2.0. */
#define ACPI_RSDP_V1_SIZE 20
#define ACPI_RSDP_V2_SIZE 36

#define KIB	1024u
#define ONE_MIB 0x100000u

struct mb_parser {
	mb_map_fn map;
	void *ctx;
	struct boot_info *out;
	enum mb_status status;
	bool acpi_new; /* acpi_rsdp_phys came from an ACPI new RSDP tag */
};

static void note(struct mb_parser *p, enum mb_status s)
{
	if (s > p->status) /* the worst one seen: enum mb_status rises in severity */
		p->status = s;
}

/* Truncated or unmapped structure: record it; returns false for the caller to pass on. */
static bool bad(struct mb_parser *p)
{
	note(p, MB_BAD_INFO);
	return false;
}

/* Copy the string at @phys (0: none), cut to @cap (STRING_CUT). Mapped byte by byte, so a string
 * ending just before unmapped memory is still read; running into unmapped memory is BAD_INFO. */
static void copy_phys_str(struct mb_parser *p, uint64_t phys, char *dst, size_t cap)
{
	const uint8_t *c;
	size_t n;
	for (n = 0; phys && n + 1 < cap; n++) {
		c = p->map(phys + n, 1, p->ctx);
		if (!c) {
			note(p, MB_BAD_INFO);
			break;
		}
		dst[n] = (char)*c;
		if (!*c)
			return;
	}
	dst[n] = '\0';
	if (phys && n + 1 == cap && (c = p->map(phys + n, 1, p->ctx)) && *c)
		note(p, MB_STRING_CUT);
}

/* Copy a string stored inside an already-mapped mb2 tag; @len bytes are available. */
static void copy_tag_str(struct mb_parser *p, const uint8_t *src, size_t len, char *dst, size_t cap)
{
	size_t n = 0;
	while (n < len && n + 1 < cap && src[n]) {
		dst[n] = (char)src[n];
		n++;
	}
	dst[n] = '\0';
	if (n == len)
		note(p, MB_BAD_INFO); /* no terminator inside the tag */
	else if (src[n])
		note(p, MB_STRING_CUT);
}

static void add_range(struct mb_parser *p, uint64_t base, uint64_t len, uint32_t type)
{
	struct boot_info *out = p->out;
	if (len == 0)
		return;
	if (out->mmap_count >= BOOT_MAX_MMAP) {
		note(p, MB_TOO_MANY);
		return;
	}
	out->mmap[out->mmap_count++] = (struct mem_range){.base = base, .len = len, .type = type};
}

static struct boot_module *add_module(struct mb_parser *p, uint64_t start, uint64_t end)
{
	struct boot_module *m;
	if (p->out->module_count >= BOOT_MAX_MODULES) {
		note(p, MB_TOO_MANY);
		return NULL;
	}
	m = &p->out->modules[p->out->module_count++];
	*m = (struct boot_module){.start = start, .end = end};
	return m;
}

static bool mb1_mmap(struct mb_parser *p, uint32_t addr, uint32_t length)
{
	const uint8_t *buf = length ? p->map(addr, length, p->ctx) : NULL;
	if (length && !buf)
		return bad(p);
	for (uint64_t off = 0; off < length;) {
		const uint8_t *e = buf + off;
		uint32_t size;
		if (length - off < MB1_MMAP_SIZE_FIELD)
			return bad(p);
		size = le32(e);
		if (size < MB1_MMAP_MIN_SIZE || size > length - off - MB1_MMAP_SIZE_FIELD)
			return bad(p);
		add_range(p, le64(e + MB1_MMAP_BASE), le64(e + MB1_MMAP_LEN),
			  le32(e + MB1_MMAP_TYPE));
		off += MB1_MMAP_SIZE_FIELD + (uint64_t)size;
	}
	return true;
}

static bool mb1_mods(struct mb_parser *p, uint32_t addr, uint32_t count)
{
	if (count > BOOT_MAX_MODULES)
		note(p, MB_TOO_MANY);
	for (uint32_t i = 0; i < count && i < BOOT_MAX_MODULES; i++) {
		/* One entry at a time: a mapping is only used until the next map() call. */
		const uint8_t *e =
		    p->map(addr + (uint64_t)i * MB1INFO_MOD_SIZE, MB1INFO_MOD_SIZE, p->ctx);
		struct boot_module *m;
		if (!e)
			return bad(p);
		m = add_module(p, le32(e + MB1_MOD_START), le32(e + MB1_MOD_END));
		if (m)
			copy_phys_str(p, le32(e + MB1_MOD_STRING), m->cmdline, sizeof(m->cmdline));
	}
	return true;
}

static bool mb1_parse(struct mb_parser *p, uint64_t info_phys)
{
	struct boot_info *out = p->out;
	const uint8_t *mapped = p->map(info_phys, MB1_INFO_READ_SIZE, p->ctx);
	uint8_t info[MB1_INFO_READ_SIZE]; /* a copy: a mapping is only used until the next map() */
	uint32_t flags;

	if (!mapped)
		return bad(p);
	memcpy(info, mapped, sizeof(info));
	out->info_start = info_phys;
	out->info_end = info_phys + MB1INFO_SIZE;
	flags = le32(info + MB1INFO_OFF_FLAGS);
	if (flags & MB1INFO_F_MEM) {
		out->has_mem_lower_upper = true;
		out->mem_lower_kib = le32(info + MB1INFO_OFF_MEM_LOWER);
		out->mem_upper_kib = le32(info + MB1INFO_OFF_MEM_UPPER);
	}
	if (flags & MB1INFO_F_CMDLINE)
		copy_phys_str(p, le32(info + MB1INFO_OFF_CMDLINE), out->cmdline,
			      sizeof(out->cmdline));
	if (flags & MB1INFO_F_MODS)
		mb1_mods(p, le32(info + MB1INFO_OFF_MODS_ADDR),
			 le32(info + MB1INFO_OFF_MODS_COUNT));
	if (flags & MB1INFO_F_MMAP)
		mb1_mmap(p, le32(info + MB1INFO_OFF_MMAP_ADDR),
			 le32(info + MB1INFO_OFF_MMAP_LENGTH));
	return true;
}

/* Smallest valid size of each tag we read (3.6 and ACPI 5.2.5.3 for the RSDP copies). */
static const uint32_t mb2_tag_min_size[] = {
    [MB2INFO_TAG_CMDLINE] = MB2_CMDLINE_STRING,
    [MB2INFO_TAG_MODULE] = MB2_MODULE_STRING,
    [MB2INFO_TAG_BASIC_MEMINFO] = MB2_MEMINFO_SIZE,
    [MB2INFO_TAG_MMAP] = MB2_MMAP_ENTRIES,
    [MB2INFO_TAG_EFI64] = MB2_EFI64_SIZE,
    [MB2INFO_TAG_EFI_MMAP] = MB2_EFI_MMAP_ENTRIES,
    [MB2INFO_TAG_ACPI_OLD] = MB2_ACPI_RSDP + ACPI_RSDP_V1_SIZE,
    [MB2INFO_TAG_ACPI_NEW] = MB2_ACPI_RSDP + ACPI_RSDP_V2_SIZE,
};

static bool mb2_tag(struct mb_parser *p, const uint8_t *tag, uint32_t type, uint32_t size,
		    uint64_t tag_phys)
{
	struct boot_info *out = p->out;
	struct boot_module *m;
	uint32_t esize;

	if (type < NELEMS(mb2_tag_min_size) && size < mb2_tag_min_size[type])
		return bad(p);
	switch (type) {
	case MB2INFO_TAG_CMDLINE:
		copy_tag_str(p, tag + MB2_CMDLINE_STRING, size - MB2_CMDLINE_STRING, out->cmdline,
			     sizeof(out->cmdline));
		break;
	case MB2INFO_TAG_MODULE:
		m = add_module(p, le32(tag + MB2_MODULE_START), le32(tag + MB2_MODULE_END));
		if (m)
			copy_tag_str(p, tag + MB2_MODULE_STRING, size - MB2_MODULE_STRING,
				     m->cmdline, sizeof(m->cmdline));
		break;
	case MB2INFO_TAG_BASIC_MEMINFO:
		out->has_mem_lower_upper = true;
		out->mem_lower_kib = le32(tag + MB2_MEMINFO_LOWER);
		out->mem_upper_kib = le32(tag + MB2_MEMINFO_UPPER);
		break;
	case MB2INFO_TAG_MMAP: /* a partial trailing entry is ignored */
		esize = le32(tag + MB2_MMAP_ENTRY_SIZE);
		if (esize < MB2_MMAP_ENTRY_MIN_SIZE)
			return bad(p);
		for (uint32_t off = MB2_MMAP_ENTRIES; size - off >= esize; off += esize)
			add_range(p, le64(tag + off + MB2_MMAP_ENTRY_BASE),
				  le64(tag + off + MB2_MMAP_ENTRY_LEN),
				  le32(tag + off + MB2_MMAP_ENTRY_TYPE));
		break;
	case MB2INFO_TAG_ACPI_NEW: /* preferred: it carries the XSDT */
		out->acpi_rsdp_phys = tag_phys + MB2_ACPI_RSDP;
		p->acpi_new = true;
		break;
	case MB2INFO_TAG_ACPI_OLD:
		if (!p->acpi_new)
			out->acpi_rsdp_phys = tag_phys + MB2_ACPI_RSDP;
		break;
	case MB2INFO_TAG_EFI64:
		out->efi_systab = le64(tag + MB2_EFI64_POINTER);
		break;
	case MB2INFO_TAG_EFI_MMAP:
		out->efi_mmap_phys = tag_phys + MB2_EFI_MMAP_ENTRIES;
		out->efi_mmap_size = size - MB2_EFI_MMAP_ENTRIES;
		out->efi_desc_size = le32(tag + MB2_EFI_MMAP_DESC_SIZE);
		out->efi_desc_version = le32(tag + MB2_EFI_MMAP_DESC_VERS);
		break;
	}
	return true;
}

/* 3.6: the fixed part, then 8-byte aligned tags up to the end tag. */
static bool mb2_parse(struct mb_parser *p, uint64_t info_phys)
{
	const uint8_t *info = p->map(info_phys, MB2_INFO_HEADER_SIZE, p->ctx);
	uint32_t total, off = MB2_INFO_HEADER_SIZE;

	if (!info)
		return bad(p);
	total = le32(info + MB2_INFO_TOTAL_SIZE);
	if (total < MB2_INFO_MIN_SIZE || total > MB2_INFO_MAX_SIZE)
		return bad(p);
	info = p->map(info_phys, total, p->ctx);
	if (!info)
		return bad(p);
	p->out->info_start = info_phys;
	p->out->info_end = info_phys + total;
	while (off < total && total - off >= MB2_TAG_HEADER_SIZE) {
		uint32_t type = le32(info + off + MB2_TAG_TYPE);
		uint32_t size = le32(info + off + MB2_TAG_SIZE);
		if (size < MB2_TAG_HEADER_SIZE || size > total - off)
			return bad(p);
		if (type == MB2INFO_TAG_END)
			return true;
		mb2_tag(p, info + off, type, size, info_phys + off);
		off += (size + MB2_TAG_ALIGN - 1) & ~(uint32_t)(MB2_TAG_ALIGN - 1);
	}
	return bad(p); /* no end tag before total_size */
}

enum mb_status mb_parse(uint32_t magic, uint64_t info_phys, mb_map_fn map_fn, void *ctx,
			struct boot_info *out)
{
	struct mb_parser p = {.map = map_fn, .ctx = ctx, .out = out, .status = MB_OK};

	if (!out)
		return MB_BAD_INFO;
	memset(out, 0, sizeof(*out));
	if (magic != MB1INFO_BOOTLOADER_MAGIC && magic != MB2INFO_BOOTLOADER_MAGIC)
		return MB_BAD_MAGIC;
	if (!map_fn)
		return MB_BAD_INFO;
	out->protocol = magic == MB1INFO_BOOTLOADER_MAGIC ? 1 : 2;
	if (out->protocol == 1)
		mb1_parse(&p, info_phys);
	else
		mb2_parse(&p, info_phys);
	/* 3.3 / 3.6 "Basic memory information": lower memory from 0, upper from 1 MiB. */
	if (out->mmap_count == 0 && out->has_mem_lower_upper) {
		add_range(&p, 0, (uint64_t)out->mem_lower_kib * KIB, MEM_USABLE);
		add_range(&p, ONE_MIB, (uint64_t)out->mem_upper_kib * KIB, MEM_USABLE);
	}
	if (out->mmap_count == 0)
		note(&p, MB_NO_MEMMAP);
	return p.status;
}

const char *mb_status_str(enum mb_status s)
{
	static const char *const str[] = {
	    [MB_OK] = "ok",
	    [MB_BAD_MAGIC] = "bad multiboot magic",
	    [MB_BAD_INFO] = "boot info unmapped or malformed",
	    [MB_NO_MEMMAP] = "no memory map from the loader",
	    [MB_TOO_MANY] = "too many mmap entries or modules, extra dropped",
	    [MB_STRING_CUT] = "a command line longer than dbgvisor keeps, cut",
	};
	if ((unsigned)s < NELEMS(str) && str[s])
		return str[s];
	return "unknown multiboot status";
}
