/* linux_boot.c - start a Linux bzImage guest by the x86 32-bit boot protocol (boot.rst). */
#include "linux_boot.h"

#include "acpi.h"
#include "bzimage.h"
#include "core/hw/console.h"
#include "core/hw/mem.h"
#include "core/hw/string.h"
#include "core/paging/guest_map.h"
#include "core/paging/guest_mem.h"
#include "entry_state.h"
#include "modules.h"

/*
 * Conventional memory below 1 MiB, which Linux never allocates from (it reserves the
 * first MiB at boot): the zero page, the command line, the boot GDT, and a copy of the
 * RSDP on a page marked reserved, which ACPI reads long after the zero page is gone.
 */
#define PARAMS_GPA    0x9000u
#define CMDLINE_GPA   0xa000u
#define CMDLINE_MAX   0x1000u
#define GDT_GPA	      0xb000u
#define GDT_ENTRIES   4u
#define RSDP_GPA      0xc000u
#define MODULE_KERNEL 0
#define MODULE_INITRD 1
#define ERR_MAX	      160
#define LIMIT_4G      0x100000000ull

static bool copy_guest(uint64_t dst, uint64_t src, uint64_t len)
{
	void *d = guest_mem_ptr(dst, len), *s = guest_mem_ptr(src, len);

	if (!d || !s)
		return false;
	memmove(d, s, len);
	return true;
}

/* The loader's RSDP (a copy inside its boot information) to a page the guest keeps. */
static uint64_t keep_rsdp(const struct boot_info *bi)
{
	uint8_t rsdp[ACPI_RSDP_MAX];
	size_t len;

	if (!bi->acpi_rsdp_phys)
		return 0;
	len = acpi_rsdp_copy(phys_to_virt(bi->acpi_rsdp_phys), rsdp);
	return guest_mem_write(RSDP_GPA, rsdp, len) ? RSDP_GPA : 0;
}

/* The kernel's own command line: the module string after its first word (the name). */
static const char *kernel_args(const char *s)
{
	while (*s && *s != ' ')
		s++;
	while (*s == ' ')
		s++;
	return s;
}

static int refuse(const char *name, const char *why)
{
	printk("dbgvisor: refusing the guest \"%s\": %s\n", name, why);
	return -1;
}

int linux_boot(struct vcpu *v, struct boot_info *bi)
{
	static struct mem_range e820[BZ_E820_MAX];
	struct boot_module *k = &bi->modules[MODULE_KERNEL];
	const char *args = kernel_args(k->cmdline);
	uint64_t gdt[GDT_ENTRIES], limit, rsdp = keep_rsdp(bi);
	struct bz_params p = {.cmdline_gpa = CMDLINE_GPA, .acpi_rsdp = rsdp};
	char err[ERR_MAX];
	struct bz_image img;
	unsigned nmap;
	const struct mem_range *map = guest_mem_map(&nmap);
	uint8_t *params = guest_mem_ptr(PARAMS_GPA, BZ_BOOT_PARAMS_SIZE);
	int n;

	if (bz_parse(phys_to_virt(k->start), k->end - k->start, &img, err, sizeof(err)))
		return refuse(k->cmdline, err);
	/* Its memory must be RAM, and no module may sit in it or above initrd_addr_max. */
	limit = (uint64_t)img.initrd_addr_max + 1;
	if (!guest_mem_ptr(img.entry, img.mem_end - img.entry))
		return refuse(k->cmdline, "Linux needs guest RAM from its load address to "
					  "the end of its decompression buffer");
	if (guest_modules_place(bi->modules, bi->module_count, map, nmap, img.mem_end,
				limit < LIMIT_4G ? limit : LIMIT_4G, copy_guest, err, sizeof(err)))
		return refuse(k->cmdline, err);
	if (strlen(args) >= CMDLINE_MAX || strlen(args) > img.cmdline_size)
		return refuse(k->cmdline, "command line too long");
	if (!params || !guest_mem_write(CMDLINE_GPA, args, strlen(args) + 1))
		return refuse(k->cmdline, "no guest RAM below 1 MiB for the zero page");
	memmove(guest_mem_ptr(img.entry, img.kernel_len),
		(const uint8_t *)phys_to_virt(k->start) + img.kernel_off, img.kernel_len);
	if (bi->module_count > MODULE_INITRD) {
		p.initrd_start = bi->modules[MODULE_INITRD].start;
		p.initrd_len = bi->modules[MODULE_INITRD].end - p.initrd_start;
	}
	n = guest_map_carve(map, nmap, (struct phys_range){RSDP_GPA, RSDP_GPA + PAGE_SIZE}, e820,
			    BZ_E820_MAX);
	p.map = e820;
	p.nmap = n < 0 ? 0 : (unsigned)n;
	if (n < 0 || bz_build_params(params, phys_to_virt(k->start), &img, &p, err, sizeof(err)))
		return refuse(k->cmdline, n < 0 ? "memory map too long for the zero page" : err);
	bz_boot_gdt(gdt);
	guest_mem_write(GDT_GPA, gdt, sizeof(gdt));
	entry_flat32(v, img.entry, BZ_BOOT_CS, BZ_BOOT_DS, GDT_GPA, sizeof(gdt) - 1);
	v->gpr[GPR_RSI] = PARAMS_GPA; /* boot.rst: %esi holds the base of struct boot_params */
	v->kernel_64bit = img.kernel_64bit;
	printk("guest: Linux \"%s\", boot protocol %u.%02u, kernel %u KiB at 0x%x, initrd %lu KiB "
	       "at 0x%lx, RSDP 0x%lx, command line \"%s\"\n",
	       k->cmdline, img.version >> 8, img.version & 0xff, img.kernel_len >> 10, img.entry,
	       p.initrd_len >> 10, p.initrd_start, rsdp, args);
	return 0;
}
