/* memmap.c - mb2kernel's memory information (spec 3.6.3, 3.6.8): meminfo, map, usable RAM. */
#include "mb2kernel.h"

#define MIN_USABLE_RAM (64ull << 20) /* QEMU and Bochs are run with 256 MiB */

static const struct mb2_tag_mmap *mmap_tag(const struct mbi_index *idx)
{
	return (const void *)idx->first[MB2_TAG_MMAP];
}

/* 3.6.8: entries follow the fixed part, entry_size apart (mbi.c checked that they fit). */
static unsigned mmap_count(const struct mb2_tag_mmap *mm)
{
	return (mm->tag.size - sizeof(*mm)) / mm->entry_size;
}

static const struct mb2_mmap_entry *mmap_entry(const struct mb2_tag_mmap *mm, unsigned i)
{
	return (const void *)((const char *)(mm + 1) + i * mm->entry_size);
}

static const char *type_name(uint32_t type)
{
	switch (type) {
	case MB2_MMAP_AVAILABLE:
		return "available";
	case MB2_MMAP_ACPI_RECLAIM:
		return "ACPI information";
	case MB2_MMAP_NVS:
		return "preserve on hibernation";
	case MB2_MMAP_BADRAM:
		return "defective RAM";
	default:
		return "reserved";
	}
}

/*
 * Whether [lo, hi) is available RAM: covered by available entries, which may be split at any
 * point. 3.6.8 says the available entries include the kernel, the boot information and the
 * modules ("the kernel must take care not to overwrite these regions").
 */
bool memmap_available(const struct mbi_index *idx, uint64_t lo, uint64_t hi)
{
	const struct mb2_tag_mmap *mm = mmap_tag(idx);
	uint64_t cur = lo;
	bool advanced = true;

	if (!mm)
		return false;
	while (cur < hi && advanced) {
		advanced = false;
		for (unsigned i = 0; i < mmap_count(mm); i++) {
			const struct mb2_mmap_entry *e = mmap_entry(mm, i);

			if (e->type == MB2_MMAP_AVAILABLE && e->base_addr <= cur &&
			    cur < e->base_addr + e->length) {
				cur = e->base_addr + e->length;
				advanced = true;
			}
		}
	}
	return cur >= hi;
}

static void report_meminfo(const struct mbi_index *idx)
{
	const struct mb2_tag_basic_meminfo *mi = (const void *)idx->first[MB2_TAG_BASIC_MEMINFO];

	if (!mi) {
		con_puts("mem_lower: no basic memory information tag\n");
		return;
	}
	/* 3.6.3: KiB from 0 and from 1 MiB; mem_upper depends on what the loader reserved. */
	con_puts("mem_lower: ");
	con_putu(mi->mem_lower);
	con_puts(" KiB\n" LOADER_SPECIFIC "mem_upper: ");
	con_putu(mi->mem_upper);
	con_puts(" KiB\n");
}

/*
 * The raw map depends on the loader (a hypervisor reserves its own memory, GRUB on UEFI has
 * firmware regions), so its lines are loader-specific; the sums below 1 MiB and overall are
 * what a comparison can rely on.
 */
void memmap_report(const struct mbi_index *idx)
{
	const struct mb2_tag_mmap *mm = mmap_tag(idx);
	uint64_t low = 0, total = 0;

	report_meminfo(idx);
	if (!mm) {
		con_puts("memory map: no memory map tag\n");
		return;
	}
	con_puts(LOADER_SPECIFIC "memory map: ");
	con_putu(mmap_count(mm));
	con_puts(" entries of ");
	con_putu(mm->entry_size);
	con_puts(" bytes, version ");
	con_putu(mm->entry_version);
	con_puts("\n");
	for (unsigned i = 0; i < mmap_count(mm); i++) {
		const struct mb2_mmap_entry *e = mmap_entry(mm, i);

		con_puts(LOADER_SPECIFIC "mmap base ");
		con_putx64(e->base_addr);
		con_puts(" length ");
		con_putx64(e->length);
		con_puts(" type ");
		con_putu(e->type);
		con_puts(" ");
		con_puts(type_name(e->type));
		con_puts("\n");
		if (e->type != MB2_MMAP_AVAILABLE)
			continue;
		total += e->length;
		if (e->base_addr < ONE_MIB) {
			uint64_t end = e->base_addr + e->length;

			low += (end < ONE_MIB ? end : ONE_MIB) - e->base_addr;
		}
	}
	con_puts("usable below 1 MiB: ");
	con_putu((uint32_t)(low >> KIB_SHIFT));
	con_puts(" KiB\nusable RAM >= 64 MiB: ");
	con_yesno(total >= MIN_USABLE_RAM);
	con_puts("\n");
}
