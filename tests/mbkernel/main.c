/* main.c - mbkernel: a minimal multiboot1 kernel that reports its hand-off and does real work. */
#include "mbkernel.h"

/*
 * Everything printed must be the same bare and under a hypervisor that keeps the top of RAM
 * for itself: no mem_upper, no raw memory map, no addresses of loader-placed structures.
 */
#define MIN_USABLE_RAM (64ull << 20)
#define KIB_SHIFT      10
#define MIB_SHIFT      20
#define ONE_MIB	       (1u << MIB_SHIFT) /* mem_upper counts from here */
#define PIT_TICKS      50
#define PRIMES_LIMIT   100000
#define PRIMES_WANTED  9592 /* pi(100000) */

/* Sum of available RAM in the memory map, and whether [lo, hi) lies inside one region. */
static uint64_t usable_ram(const struct mb_info *mbi, uint64_t lo, uint64_t hi, bool *covers)
{
	uint32_t off = 0;
	uint64_t total = 0;

	*covers = false;
	while (off + sizeof(uint32_t) <= mbi->mmap_length) {
		const struct mb_mmap_entry *e = (const void *)(mbi->mmap_addr + off);

		if (e->type == MB_MMAP_AVAILABLE) {
			total += e->len;
			if (e->addr <= lo && hi <= e->addr + e->len)
				*covers = true;
		}
		off += e->size + sizeof(e->size);
	}
	return total;
}

static void report_boot_info(const struct mb_info *mbi)
{
	uint64_t ram = 0;
	bool image_in_ram = false;

	con_puts("boot info flags: mem=");
	con_yesno(mbi->flags & MB_INFO_MEMORY);
	con_puts(" cmdline=");
	con_yesno(mbi->flags & MB_INFO_CMDLINE);
	con_puts(" mmap=");
	con_yesno(mbi->flags & MB_INFO_MMAP);
	con_puts(" mods=");
	con_yesno(mbi->flags & MB_INFO_MODS);
	con_puts("\ncommand line: '");
	con_puts(mbi->flags & MB_INFO_CMDLINE ? (const char *)mbi->cmdline : "");
	con_puts("'\nmem_lower: ");
	con_putu(mbi->flags & MB_INFO_MEMORY ? mbi->mem_lower : 0);
	con_puts(" KiB\nmodules: ");
	con_putu(mbi->flags & MB_INFO_MODS ? mbi->mods_count : 0);
	if (mbi->flags & MB_INFO_MMAP)
		ram =
		    usable_ram(mbi, (uint32_t)__image_start, (uint32_t)__image_end, &image_in_ram);
	else if (mbi->flags & MB_INFO_MEMORY)
		ram = ((uint64_t)mbi->mem_upper << KIB_SHIFT) + ONE_MIB;
	con_puts("\nusable RAM >= 64 MiB: ");
	con_yesno(ram >= MIN_USABLE_RAM);
	con_puts("\nkernel image inside usable RAM: ");
	con_yesno(image_in_ram);
	con_puts("\n");
}

void kmain(uint32_t magic, const struct mb_info *mbi)
{
	/* Before anything is written: the loaded bytes of text, rodata and data. */
	size_t ro_len = (size_t)(__rodata_end - __image_start);
	size_t data_len = (size_t)(__data_end - __data_start);
	uint32_t image_crc = crc32(crc32(0, __image_start, ro_len), __data_start, data_len);
	bool ok = true;
	uint32_t n;

	con_init();
	con_puts("mbkernel: minimal multiboot1 kernel\nmultiboot magic: ");
	if (magic != MB_BOOTLOADER_MAGIC) {
		con_puts("bad ");
		con_putx(magic);
		con_puts("\n");
		kexit(EXIT_CRASH);
	}
	con_puts("ok\n");
	report_boot_info(mbi);

	con_puts("bss zeroed by the loader: ");
	con_yesno(bss_arena_is_zero());
	n = bss_arena_fill_and_verify();
	con_puts("\nbss: ");
	con_putu(bss_arena_bytes() >> MIB_SHIFT);
	con_puts(" MiB written and read back, ");
	con_putu(n);
	con_puts(" mismatches\n");
	ok &= n == 0;

	irq_init();
	n = pit_count_ticks(PIT_TICKS);
	con_puts("pit ticks: ");
	con_putu(n);
	ok &= n == PIT_TICKS;

	con_puts("\nimage crc32: ");
	con_putx(image_crc);
	con_puts(" over ");
	con_putu((uint32_t)(ro_len + data_len));
	con_puts(" bytes\nprimes below 100000: ");
	n = count_primes_below(PRIMES_LIMIT);
	con_putu(n);
	ok &= n == PRIMES_WANTED;
	con_puts("\nmbkernel done\n");
	kexit(ok ? EXIT_OK : EXIT_CHECK_BAD);
}

/* From the exception stubs: vector, error code, then the CPU's EIP, CS, EFLAGS. */
void exception_report(const uint32_t *frame)
{
	con_puts("\nmbkernel: exception ");
	con_putu(frame[0]);
	con_puts(" error ");
	con_putx(frame[1]);
	con_puts(" at eip ");
	con_putx(frame[2]);
	con_puts("\n");
	kexit(EXIT_CRASH);
}
