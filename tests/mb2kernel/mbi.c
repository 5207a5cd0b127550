/* mbi.c - mb2kernel's walk of the boot information (spec 3.6.1, 3.6.2): bounds, sizes, index. */
#include "mb2kernel.h"

#define MBI_MAX_SIZE   (1u << 20) /* a larger total_size is taken for garbage */
#define ALIGN_UP(v, a) (((v) + (a)-1) & ~((a)-1))
#define STRING_MIN     1 /* a string tag holds at least its terminating NUL */
#define FB_FIXED_SIZE  (offsetof(struct mb2_tag_framebuffer, type) + sizeof(uint8_t))

/*
 * Smallest valid size, by type, of the tags this kernel reads (3.6.3 - 3.6.23); a type not
 * listed only needs its 8-byte header. Unknown types are skipped by their size (3.6.2).
 */
static const uint32_t min_size[MB2_TAG_TYPES] = {
    [MB2_TAG_END] = sizeof(struct mb2_tag),
    [MB2_TAG_CMDLINE] = sizeof(struct mb2_tag_string) + STRING_MIN,
    [MB2_TAG_LOADER_NAME] = sizeof(struct mb2_tag_string) + STRING_MIN,
    [MB2_TAG_MODULE] = sizeof(struct mb2_tag_module) + STRING_MIN,
    [MB2_TAG_BASIC_MEMINFO] = sizeof(struct mb2_tag_basic_meminfo),
    [MB2_TAG_BOOTDEV] = sizeof(struct mb2_tag_bootdev),
    [MB2_TAG_MMAP] = sizeof(struct mb2_tag_mmap),
    [MB2_TAG_FRAMEBUFFER] = FB_FIXED_SIZE,
    [MB2_TAG_EFI32] = sizeof(struct mb2_tag_addr32),
    [MB2_TAG_EFI64] = sizeof(struct mb2_tag_addr64),
    [MB2_TAG_ACPI_OLD] = sizeof(struct mb2_tag) + MB2_RSDP_V1_SIZE,
    [MB2_TAG_ACPI_NEW] = sizeof(struct mb2_tag) + MB2_RSDP_V2_SIZE,
    [MB2_TAG_EFI_MMAP] = sizeof(struct mb2_tag_efi_mmap),
    [MB2_TAG_EFI32_IH] = sizeof(struct mb2_tag_addr32),
    [MB2_TAG_EFI64_IH] = sizeof(struct mb2_tag_addr64),
    [MB2_TAG_LOAD_BASE_ADDR] = sizeof(struct mb2_tag_addr32),
};

static const char *const tag_name[MB2_TAG_TYPES] = {
    [MB2_TAG_END] = "end",
    [MB2_TAG_CMDLINE] = "boot command line",
    [MB2_TAG_LOADER_NAME] = "boot loader name",
    [MB2_TAG_MODULE] = "module",
    [MB2_TAG_BASIC_MEMINFO] = "basic memory information",
    [MB2_TAG_BOOTDEV] = "BIOS boot device",
    [MB2_TAG_MMAP] = "memory map",
    [MB2_TAG_VBE] = "VBE info",
    [MB2_TAG_FRAMEBUFFER] = "framebuffer info",
    [MB2_TAG_ELF_SECTIONS] = "ELF-symbols",
    [MB2_TAG_APM] = "APM table",
    [MB2_TAG_EFI32] = "EFI 32-bit system table pointer",
    [MB2_TAG_EFI64] = "EFI 64-bit system table pointer",
    [MB2_TAG_SMBIOS] = "SMBIOS tables",
    [MB2_TAG_ACPI_OLD] = "ACPI old RSDP",
    [MB2_TAG_ACPI_NEW] = "ACPI new RSDP",
    [MB2_TAG_NETWORK] = "networking information",
    [MB2_TAG_EFI_MMAP] = "EFI memory map",
    [MB2_TAG_EFI_BS] = "EFI boot services not terminated",
    [MB2_TAG_EFI32_IH] = "EFI 32-bit image handle pointer",
    [MB2_TAG_EFI64_IH] = "EFI 64-bit image handle pointer",
    [MB2_TAG_LOAD_BASE_ADDR] = "image load base physical address",
};

static bool has_nul(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!s[i])
			return true;
	return false;
}

/* Whether the tag fits in @room bytes and its size suits its type. */
static bool tag_ok(const struct mb2_tag *t, uint32_t room)
{
	const struct mb2_tag_mmap *mm = (const void *)t;
	const struct mb2_tag_module *mod = (const void *)t;
	const struct mb2_tag_string *str = (const void *)t;

	if (t->size < sizeof(*t) || t->size > room)
		return false;
	if (t->type < MB2_TAG_TYPES && t->size < min_size[t->type])
		return false;
	switch (t->type) {
	case MB2_TAG_END:
		return t->size == sizeof(*t); /* 3.6.2: type 0, size 8 */
	case MB2_TAG_CMDLINE:
	case MB2_TAG_LOADER_NAME:
		return has_nul(str->string, t->size - sizeof(*str));
	case MB2_TAG_MODULE:
		return has_nul(mod->string, t->size - sizeof(*mod));
	case MB2_TAG_MMAP: /* 3.6.8: whole entries of a size that is a multiple of 8 */
		return mm->entry_size >= MB2_MMAP_ENTRY_MIN_SIZE &&
		       mm->entry_size % MB2_TAG_ALIGN == 0 &&
		       (t->size - sizeof(*mm)) % mm->entry_size == 0;
	default:
		return true;
	}
}

/* The tag's own line, with the few facts no other part of the report prints. */
static void print_tag(const struct mb2_tag *t, bool ok)
{
	const struct mb2_tag_addr32 *a32 = (const void *)t;
	const struct mb2_tag_addr64 *a64 = (const void *)t;
	const struct mb2_tag_bootdev *bd = (const void *)t;
	const struct mb2_tag_framebuffer *fb = (const void *)t;
	const struct mb2_tag_efi_mmap *em = (const void *)t;

	con_puts(LOADER_SPECIFIC "tag ");
	con_putu(t->type);
	con_puts(" size ");
	con_putu(t->size);
	con_puts(": ");
	con_puts(t->type < MB2_TAG_TYPES ? tag_name[t->type] : "unknown type, skipped");
	if (!ok) {
		con_puts(", MALFORMED\n");
		return;
	}
	switch (t->type) {
	case MB2_TAG_BOOTDEV:
		con_puts(", biosdev ");
		con_putx(bd->biosdev);
		con_puts(" partition ");
		con_putx(bd->partition);
		con_puts(" sub-partition ");
		con_putx(bd->sub_partition);
		break;
	case MB2_TAG_FRAMEBUFFER:
		con_puts(", ");
		con_putu(fb->width);
		con_puts("x");
		con_putu(fb->height);
		con_puts(" bpp ");
		con_putu(fb->bpp);
		con_puts(" type ");
		con_putu(fb->type);
		con_puts(" at ");
		con_putx64(fb->addr);
		break;
	case MB2_TAG_EFI32:
	case MB2_TAG_EFI32_IH:
	case MB2_TAG_LOAD_BASE_ADDR:
		con_puts(", ");
		con_putx(a32->addr);
		break;
	case MB2_TAG_EFI64:
	case MB2_TAG_EFI64_IH:
		con_puts(", ");
		con_putx64(a64->addr);
		break;
	case MB2_TAG_EFI_MMAP:
		con_puts(", ");
		con_putu(em->descr_size ? (t->size - sizeof(*em)) / em->descr_size : 0);
		con_puts(" descriptors of ");
		con_putu(em->descr_size);
		con_puts(" bytes, version ");
		con_putu(em->descr_vers);
		break;
	default:
		break;
	}
	con_puts("\n");
}

static void index_tag(struct mbi_index *idx, const struct mb2_tag *t)
{
	idx->ntags++;
	if (t->type < MB2_TAG_TYPES && !idx->first[t->type])
		idx->first[t->type] = t;
	if (t->type == MB2_TAG_MODULE) {
		if (idx->nmodules < MAX_MODULES)
			idx->modules[idx->nmodules] = (const void *)t;
		idx->nmodules++;
	}
}

/*
 * 3.6.1: EBX holds the physical address of the information, 8-byte aligned. 3.6.2: after
 * total_size and reserved, tags follow one another, each starting 8-byte aligned, until the
 * end tag (type 0, size 8); total_size counts the fixed part and the end tag. Only tags up to
 * the first malformed one are indexed.
 */
void mbi_parse(uint32_t addr, struct mbi_index *idx)
{
	const struct mb2_info *info = (const void *)addr;
	uint32_t off = sizeof(*info);
	bool ended = false;

	*idx = (struct mbi_index){.addr = addr, .aligned = addr % MB2_INFO_ALIGN == 0};
	con_puts("boot information 8-byte aligned: ");
	con_yesno(idx->aligned);
	con_puts("\n" LOADER_SPECIFIC "boot information at ");
	con_putx(addr);
	con_puts(", total_size ");
	con_putu(info->total_size);
	con_puts("\n");
	idx->total_size = info->total_size;
	if (idx->total_size < sizeof(*info) + sizeof(struct mb2_tag) ||
	    idx->total_size > MBI_MAX_SIZE) {
		con_puts("boot information: total_size out of range, tags not read\n");
		return;
	}
	while (off + sizeof(struct mb2_tag) <= idx->total_size) {
		const struct mb2_tag *t = (const void *)(addr + off);
		bool ok = tag_ok(t, idx->total_size - off);

		print_tag(t, ok);
		if (!ok)
			break;
		if (t->type == MB2_TAG_END) {
			ended = off + t->size == idx->total_size;
			if (!ended)
				con_puts("boot information: end tag before total_size\n");
			break;
		}
		index_tag(idx, t);
		off += ALIGN_UP(t->size, MB2_TAG_ALIGN);
	}
	if (off + sizeof(struct mb2_tag) > idx->total_size)
		con_puts("boot information: no end tag within total_size\n");
	idx->well_formed = ended;
	con_puts(LOADER_SPECIFIC "tags: ");
	con_putu(idx->ntags);
	con_puts(" before the end tag, well-formed: ");
	con_yesno(ended);
	con_puts("\n");
}
