/* mb2info.c - build the multiboot2 boot information handed to the guest kernel. */
#include "mb2info.h"
#include "acpi.h"
#include "core/hw/le.h"
#include "core/hw/string.h"

/* Multiboot2 2.0, 3.6.1: the fixed part is total_size and reserved; all is 8-byte aligned. */
#define INFO_ALIGN	8u
#define INFO_FIXED_SIZE 8
#define INFO_TOTAL_SIZE 0
#define INFO_RESERVED	4
/* 3.6.2: every tag starts with u32 type, u32 size (size excludes the padding). */
#define TAG_TYPE	 0
#define TAG_SIZE	 4
#define TAG_HEADER_SIZE	 8
#define STRING_OFF	 8 /* 3.6.5, 3.6.9: the string follows the header */
#define MOD_START	 8 /* 3.6.6 */
#define MOD_END		 12
#define MOD_STRING	 16
#define MEMINFO_LOWER	 8 /* 3.6.3 */
#define MEMINFO_UPPER	 12
#define MEMINFO_SIZE	 16
#define MMAP_ENTRY_SIZE	 8 /* 3.6.8: entry_size, entry_version, then the entries */
#define MMAP_ENTRY_VERS	 12
#define MMAP_ENTRIES	 16
#define MMAP_ENTRY_BYTES 24 /* version 0: base_addr, length, type, reserved */
#define MMAP_E_BASE	 0
#define MMAP_E_LEN	 8
#define MMAP_E_TYPE	 16
#define RSDP_OFF	 8  /* 3.6.16, 3.6.17: the copy follows the header */
#define RSDP_V1_SIZE	 20 /* ACPI 6.5, 5.2.5.3: the ACPI 1.0 part */
#define RSDP_CHECKSUM	 8  /* covers the 20 ACPI 1.0 bytes */
#define RSDP_REVISION	 15
#define RSDP_LENGTH	 20 /* ACPI 2.0+: length of the whole RSDP */
#define RSDP_V2_SIZE	 36
#define RSDP_REVISION_V2 2
#define LOAD_BASE_ADDR	 8 /* 3.6.23 */
#define LOAD_BASE_SIZE	 12

void mb2info_init(struct mb1info_builder *b, uint8_t *buf, uint32_t gpa, uint32_t size)
{
	mb1info_init(b, buf, gpa, size);
	b->used = (INFO_ALIGN - gpa % INFO_ALIGN) % INFO_ALIGN;
	b->overflow |= b->used > size;
}

/* Append a zeroed tag of @size bytes, padded so the next starts 8-byte aligned, with its
 * header filled in; NULL once the buffer has overflowed. */
static uint8_t *put_tag(struct mb1info_builder *b, uint32_t type, uint64_t size)
{
	uint64_t padded = (size + INFO_ALIGN - 1) & ~(uint64_t)(INFO_ALIGN - 1);
	uint8_t *p;
	if (b->overflow || padded > b->size - b->used) {
		b->overflow = true;
		return NULL;
	}
	p = b->buf + b->used;
	memset(p, 0, (size_t)padded);
	put_le32(p + TAG_TYPE, type);
	put_le32(p + TAG_SIZE, (uint32_t)size);
	b->used += (uint32_t)padded;
	return p;
}

/* A tag holding @head bytes of fields, then @s with its NUL; returns it for the fields. */
static uint8_t *put_string(struct mb1info_builder *b, uint32_t type, uint32_t head, const char *s)
{
	size_t len = s ? strlen(s) : 0;
	uint8_t *p = put_tag(b, type, (uint64_t)head + len + 1);
	if (p && len)
		memcpy(p + head, s, len);
	return p;
}

static void put_mmap(struct mb1info_builder *b, const struct mem_range *map, unsigned n)
{
	unsigned nent = 0;
	uint8_t *p;
	for (unsigned i = 0; i < n; i++)
		nent += map[i].len != 0;
	p = put_tag(b, MB2INFO_TAG_MMAP, MMAP_ENTRIES + (uint64_t)nent * MMAP_ENTRY_BYTES);
	if (!p)
		return;
	put_le32(p + MMAP_ENTRY_SIZE, MMAP_ENTRY_BYTES);
	put_le32(p + MMAP_ENTRY_VERS, 0);
	p += MMAP_ENTRIES;
	for (unsigned i = 0; i < n; i++) {
		if (map[i].len == 0)
			continue;
		put_le64(p + MMAP_E_BASE, map[i].base);
		put_le64(p + MMAP_E_LEN, map[i].len);
		put_le32(p + MMAP_E_TYPE, map[i].type); /* same values as E820 / struct mem_range */
		p += MMAP_ENTRY_BYTES;
	}
}

/* 3.6.16 always; 3.6.17 when the RSDP is an ACPI 2.0+ one with a plausible length. */
static void put_rsdp(struct mb1info_builder *b, const uint8_t *rsdp)
{
	uint8_t *p = put_tag(b, MB2INFO_TAG_ACPI_OLD, RSDP_OFF + RSDP_V1_SIZE);
	uint32_t len;
	if (p)
		memcpy(p + RSDP_OFF, rsdp, RSDP_V1_SIZE);
	if (rsdp[RSDP_REVISION] < RSDP_REVISION_V2) /* then only 20 bytes are there to read */
		return;
	/* Tag 14 is "as defined per ACPI 1.0": revision 0, its checksum over the 20 bytes again. */
	if (p) {
		p[RSDP_OFF + RSDP_REVISION] = 0;
		p[RSDP_OFF + RSDP_CHECKSUM] = 0;
		p[RSDP_OFF + RSDP_CHECKSUM] = (uint8_t)-acpi_sum8(p + RSDP_OFF, RSDP_V1_SIZE);
	}
	len = le32(rsdp + RSDP_LENGTH);
	p = len < RSDP_V2_SIZE ? NULL : put_tag(b, MB2INFO_TAG_ACPI_NEW, RSDP_OFF + (uint64_t)len);
	if (p)
		memcpy(p + RSDP_OFF, rsdp, len);
}

uint32_t mb2info_build(struct mb1info_builder *b, const struct mb2info_input *in)
{
	uint32_t start;
	uint8_t *p;

	if (!b || !in || b->overflow)
		return 0;
	start = b->used;
	/* The fixed part has a tag's shape: reserved as one, its two fields written last. */
	put_tag(b, 0, INFO_FIXED_SIZE);
	put_string(b, MB2INFO_TAG_CMDLINE, STRING_OFF, in->cmdline);
	put_string(b, MB2INFO_TAG_LOADER_NAME, STRING_OFF, in->loader_name);
	for (unsigned i = 0; in->mods && i < in->nmods; i++) {
		p = put_string(b, MB2INFO_TAG_MODULE, MOD_STRING, in->mods[i].cmdline);
		if (p) {
			put_le32(p + MOD_START, in->mods[i].start);
			put_le32(p + MOD_END, in->mods[i].end);
		}
	}
	p = put_tag(b, MB2INFO_TAG_BASIC_MEMINFO, MEMINFO_SIZE);
	if (p) {
		put_le32(p + MEMINFO_LOWER, mb1info_mem_lower_kib(in->map, in->map ? in->nmap : 0));
		put_le32(p + MEMINFO_UPPER, mb1info_mem_upper_kib(in->map, in->map ? in->nmap : 0));
	}
	put_mmap(b, in->map, in->map ? in->nmap : 0);
	if (in->rsdp)
		put_rsdp(b, in->rsdp);
	if (in->load_base) {
		p = put_tag(b, MB2INFO_TAG_LOAD_BASE, LOAD_BASE_SIZE);
		if (p)
			put_le32(p + LOAD_BASE_ADDR, in->load_base_addr);
	}
	put_tag(b, MB2INFO_TAG_END, TAG_HEADER_SIZE);
	if (b->overflow)
		return 0;
	put_le32(b->buf + start + INFO_TOTAL_SIZE, b->used - start);
	put_le32(b->buf + start + INFO_RESERVED, 0);
	return b->gpa + start;
}
