/* mb1info.c - build the multiboot1 boot information structure handed to the guest kernel. */
#include "mb1info.h"
#include "core/hw/le.h"
#include "core/hw/pmem.h"
#include "core/hw/string.h"

#define KIB	   1024ull
#define ONE_MIB	   0x100000ull
#define FOUR_GIB   0x100000000ull
#define INFO_ALIGN 4u /* our choice: every structure and string starts 32-bit aligned */
/* Offsets inside a 3.3 module entry and mmap entry (the latter from its size field). */
#define MOD_START  0
#define MOD_END	   4
#define MOD_STRING 8
#define MMAP_SIZE  0
#define MMAP_BASE  4
#define MMAP_LEN   12
#define MMAP_TYPE  20

/* End of the usable run from @from (@from when that byte is not usable); a non-usable entry
 * inside cuts it short (it wins, as in pmem.c). */
static uint64_t usable_run_end(const struct mem_range *map, unsigned n, uint64_t from)
{
	uint64_t reach = pmem_usable_reach(map, n, from);

	for (unsigned i = 0; i < n; i++) {
		uint64_t end = pmem_entry_end(&map[i]);
		if (map[i].type != MEM_USABLE && map[i].len && map[i].base < reach && end > from)
			reach = map[i].base > from ? map[i].base : from;
	}
	return reach;
}

uint32_t mb1info_mem_lower_kib(const struct mem_range *map, unsigned n)
{
	uint64_t kib = usable_run_end(map, n, 0) / KIB;
	return kib > MB1INFO_LOWER_MAX_KIB ? MB1INFO_LOWER_MAX_KIB : (uint32_t)kib;
}

uint32_t mb1info_mem_upper_kib(const struct mem_range *map, unsigned n)
{
	uint64_t kib = (usable_run_end(map, n, ONE_MIB) - ONE_MIB) / KIB;
	return kib > UINT32_MAX ? UINT32_MAX : (uint32_t)kib;
}

void mb1info_init(struct mb1info_builder *b, uint8_t *buf, uint32_t gpa, uint32_t size)
{
	b->buf = buf;
	b->gpa = gpa;
	b->size = size;
	b->used = 0;
	b->overflow = !buf || gpa == 0 || (uint64_t)gpa + size > FOUR_GIB;
}

/* Reserve @len zeroed bytes at the next INFO_ALIGN-aligned guest address: their offset in the
 * buffer, or 0 (meaningless) with the overflow flag set for good. */
static uint32_t alloc(struct mb1info_builder *b, uint64_t len)
{
	uint64_t off = b->used + ((INFO_ALIGN - (b->gpa + b->used) % INFO_ALIGN) % INFO_ALIGN);
	if (b->overflow || off + len > b->size) {
		b->overflow = true;
		return 0;
	}
	memset(b->buf + off, 0, (size_t)len);
	b->used = (uint32_t)(off + len);
	return (uint32_t)off;
}

/* Copy @s (NUL included) into the buffer; returns its guest address (0 on overflow). */
static uint32_t put_string(struct mb1info_builder *b, const char *s)
{
	uint64_t len = s ? (uint64_t)strlen(s) : 0;
	uint32_t off = alloc(b, len + 1);
	if (b->overflow)
		return 0;
	if (len)
		memcpy(b->buf + off, s, (size_t)len);
	return b->gpa + off;
}

uint32_t mb1info_build(struct mb1info_builder *b, const char *cmdline,
		       const struct mem_range *guest_map, unsigned nmap,
		       const struct mb1info_module *mods, unsigned nmods, const char *loader_name)
{
	uint32_t info, mmap, mods_off, nent = 0;
	uint8_t *p;

	if (!b || b->overflow)
		return 0;
	if (!guest_map)
		nmap = 0;
	if (!mods)
		nmods = 0;
	for (unsigned i = 0; i < nmap; i++)
		nent += guest_map[i].len != 0;
	/* Structure first, then the arrays it points to, then every string. */
	info = alloc(b, MB1INFO_SIZE);
	mmap = alloc(b, (uint64_t)nent * MB1INFO_MMAP_ENTRY_SIZE);
	mods_off = alloc(b, (uint64_t)nmods * MB1INFO_MOD_SIZE);
	if (b->overflow)
		return 0;
	/* 3.3 "mmap_*": entries copied from the guest's map, empty ones dropped. */
	p = b->buf + mmap;
	for (unsigned i = 0; i < nmap; i++) {
		if (guest_map[i].len == 0)
			continue;
		put_le32(p + MMAP_SIZE, MB1INFO_MMAP_SIZE_FIELD);
		put_le64(p + MMAP_BASE, guest_map[i].base);
		put_le64(p + MMAP_LEN, guest_map[i].len);
		put_le32(p + MMAP_TYPE, guest_map[i].type);
		p += MB1INFO_MMAP_ENTRY_SIZE;
	}
	/* 3.3 "mods_*"; with no modules mods_addr still points into the buffer (a string). */
	for (unsigned i = 0; i < nmods; i++) {
		uint32_t str = put_string(b, mods[i].cmdline);
		if (b->overflow)
			return 0;
		p = b->buf + mods_off + i * MB1INFO_MOD_SIZE;
		put_le32(p + MOD_START, mods[i].start);
		put_le32(p + MOD_END, mods[i].end);
		put_le32(p + MOD_STRING, str);
	}
	p = b->buf + info;
	put_le32(p + MB1INFO_OFF_CMDLINE, put_string(b, cmdline));
	put_le32(p + MB1INFO_OFF_LOADER_NAME, put_string(b, loader_name));
	if (b->overflow)
		return 0;
	put_le32(p + MB1INFO_OFF_FLAGS, MB1INFO_F_MEM | MB1INFO_F_CMDLINE | MB1INFO_F_MODS |
					    MB1INFO_F_MMAP | MB1INFO_F_LOADER_NAME);
	put_le32(p + MB1INFO_OFF_MEM_LOWER, mb1info_mem_lower_kib(guest_map, nmap));
	put_le32(p + MB1INFO_OFF_MEM_UPPER, mb1info_mem_upper_kib(guest_map, nmap));
	put_le32(p + MB1INFO_OFF_BOOT_DEVICE, MB1INFO_BOOT_DEVICE_NONE);
	put_le32(p + MB1INFO_OFF_MODS_COUNT, nmods);
	put_le32(p + MB1INFO_OFF_MODS_ADDR, b->gpa + mods_off);
	put_le32(p + MB1INFO_OFF_MMAP_LENGTH, nent * MB1INFO_MMAP_ENTRY_SIZE);
	put_le32(p + MB1INFO_OFF_MMAP_ADDR, b->gpa + mmap);
	return b->gpa + info;
}
