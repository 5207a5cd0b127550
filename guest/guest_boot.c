/* guest_boot.c - load the guest by its format (bzImage, multiboot, boot sector) and hand over. */
#include "guest_boot.h"

#include "core/hw/console.h"
#include "core/hw/layout.h"
#include "core/hw/mem.h"
#include "core/hw/pmem.h"
#include "core/hw/string.h"
#include "core/hw/x86.h"
#include "core/paging/guest_map.h"
#include "core/paging/guest_mem.h"
#include "acpi.h"
#include "bios_e820.h"
#include "bzimage.h"
#include "mb1info.h"
#include "mb2info.h"
#include "mb2load.h"
#include "mbload.h"
#include "modules.h"
#include "smp_guard.h"

#define ERR_MAX	       160
#define SEL_GUEST_CODE 0x08
#define SEL_GUEST_DATA 0x10
#define DEMO_NAME      "demo"
#define LOADER_NAME    "dbgvisor"
#define LIMIT_4G       0x100000000ull
/* ELF: "\177ELF", then EI_CLASS (1.2 "ELF Identification"): 2 is ELFCLASS64. */
#define ELF_MAGIC    "\177ELF"
#define ELF_EI_CLASS 4
#define ELF_CLASS_64 2
/* A BIOS loads a boot sector at 0000:7C00 and checks the 55 AA signature (bytes 510-511). */
#define BOOT_SECTOR_GPA	      0x7c00u
#define BOOT_SECTOR_SIZE      512u
#define BOOT_SIGNATURE_OFFSET 510u
#define BOOT_SIGNATURE_0      0x55u
#define BOOT_SIGNATURE_1      0xaau
#define BOOT_IMAGE_END	      0x9f000u /* conventional memory below the EBDA */
#define BOOT_DRIVE_HDD0	      0x80u
/* Linux: below 1 MiB, which it never allocates from, the zero page, command line, boot GDT,
 * and an RSDP copy on a page marked reserved (ACPI reads it long after the zero page is gone). */
#define LINUX_PARAMS_GPA  0x9000u
#define LINUX_CMDLINE_GPA 0xa000u
#define LINUX_CMDLINE_MAX 0x1000u
#define LINUX_GDT_GPA	  0xb000u
#define LINUX_GDT_ENTRIES 4u
#define LINUX_RSDP_GPA	  0xc000u
#define LINUX_EFI_MAP_GPA 0xd000u /* up to the 64 KiB line: Linux reserves it (efi_info) */
#define LINUX_EFI_MAP_MAX 0x3000u
#define MODULE_KERNEL	  0
#define MODULE_INITRD	  1
/* Entry CPU state: flat 4 GiB segments, and real mode (SDM vol. 3A, 3.4.5.1 types). */
#define FLAT_LIMIT	    0xffffffffu
#define RESET_SEG_LIMIT	    0xffffu
#define REAL_MODE_IVT_LIMIT 0x3ffu
#define TYPE_CODE	    0xb /* exec/read, accessed */
#define TYPE_DATA	    0x3 /* read/write, accessed */
#define ATTR_CODE32	    (TYPE_CODE | SEG_ATTR_S | SEG_ATTR_P | SEG_ATTR_DB | SEG_ATTR_G)
#define ATTR_DATA32	    (TYPE_DATA | SEG_ATTR_S | SEG_ATTR_P | SEG_ATTR_DB | SEG_ATTR_G)
#define ATTR_CODE16	    (TYPE_CODE | SEG_ATTR_S | SEG_ATTR_P)
#define ATTR_DATA16	    (TYPE_DATA | SEG_ATTR_S | SEG_ATTR_P)
#define ATTR_LDT	    (0x2 | SEG_ATTR_P) /* system type 2: LDT */
#define ATTR_TSS32_BUSY	    (0xb | SEG_ATTR_P) /* system type 11: busy 32-bit TSS */

/* The demo guest linked into the image (guest/demo_guest.S). */
extern const uint8_t demo_guest_start[], demo_guest_end[];

static void set_state(struct vcpu *v, const struct vcpu_segment *code,
		      const struct vcpu_segment *data, const struct vcpu_dtable *gdt,
		      const struct vcpu_dtable *idt, uint64_t cr0, uint64_t rip)
{
	/* What INIT leaves in LDTR and TR (SDM vol. 3A, table 10-1): usable, never loaded. */
	const struct vcpu_segment ldt = {0, ATTR_LDT, RESET_SEG_LIMIT, 0};
	const struct vcpu_segment tr = {0, ATTR_TSS32_BUSY, RESET_SEG_LIMIT, 0};
	static const enum vcpu_seg data_segs[] = {SEG_DS, SEG_ES, SEG_FS, SEG_GS, SEG_SS};
	v->ops->set_seg(v, SEG_CS, code);
	for (unsigned i = 0; i < NELEMS(data_segs); i++)
		v->ops->set_seg(v, data_segs[i], data);
	v->ops->set_seg(v, SEG_LDTR, &ldt);
	v->ops->set_seg(v, SEG_TR, &tr);
	v->ops->set_dtable(v, DTABLE_GDT, gdt);
	v->ops->set_dtable(v, DTABLE_IDT, idt);
	/* CR0.CD and NW as the loader left them (the host's still): VM entry keeps the host's on
	 * VT-x (SDM vol. 3C, 27.3.2.1) while VMRUN loads the VMCB's (APM vol. 2, 15.5.1). */
	v->ops->set_reg(v, REG_CR0, cr0 | (x86_read_cr0() & (CR0_CD | CR0_NW)));
	v->ops->set_reg(v, REG_CR3, 0);
	v->ops->set_reg(v, REG_CR4, 0);
	v->ops->set_reg(v, REG_EFER, 0);
	v->ops->set_reg(v, REG_RFLAGS, RFLAGS_FIXED1); /* IF = 0, VM = 0 */
	v->ops->set_reg(v, REG_RIP, rip);
	memset(v->gpr, 0, sizeof(v->gpr));
}

/* 32-bit protected mode, paging off, flat code @cs and data @ds segments, IDTR empty, GPRs 0. */
static void entry_flat32(struct vcpu *v, uint32_t rip, uint16_t cs, uint16_t ds, uint32_t gdt_base,
			 uint16_t gdt_limit)
{
	const struct vcpu_segment code = {cs, ATTR_CODE32, FLAT_LIMIT, 0};
	const struct vcpu_segment data = {ds, ATTR_DATA32, FLAT_LIMIT, 0};
	const struct vcpu_dtable gdt = {gdt_base, gdt_limit}, idt = {0, 0};
	set_state(v, &code, &data, &gdt, &idt, CR0_PE | CR0_ET, rip);
}

/* Real mode at 0000:@ip with the IVT at 0, as a PC BIOS hands over to a boot sector. */
static void entry_real_mode(struct vcpu *v, uint16_t ip)
{
	const struct vcpu_segment code = {0, ATTR_CODE16, RESET_SEG_LIMIT, 0};
	const struct vcpu_segment data = {0, ATTR_DATA16, RESET_SEG_LIMIT, 0};
	const struct vcpu_dtable gdt = {0, 0}, ivt = {0, REAL_MODE_IVT_LIMIT};
	set_state(v, &code, &data, &gdt, &ivt, CR0_ET, ip);
}

static uint8_t *gpa_ptr(uint32_t gpa, uint32_t len, void *ctx)
{
	(void)ctx;
	return guest_mem_ptr(gpa, len);
}

static bool copy_guest(uint64_t dst, uint64_t src, uint64_t len)
{
	void *d = guest_mem_ptr(dst, len), *s = guest_mem_ptr(src, len);
	if (!d || !s)
		return false;
	memmove(d, s, len);
	return true;
}

static int refuse(const char *name, const char *why)
{
	printk("dbgvisor: refusing the guest \"%s\": %s\n", name, why);
	return -1;
}

/* The loader's RSDP (a copy inside its boot information) to a page Linux keeps. */
static uint64_t keep_rsdp(const struct boot_info *bi)
{
	uint8_t rsdp[ACPI_RSDP_MAX];
	uint64_t bios_rsdp;
	size_t len;
	/* A BIOS has one where the kernel's own scan finds it (ACPI 6.5, 5.2.5.1): none, as bare.
	 */
	if (!bi->acpi_rsdp_phys || acpi_find_rsdp(smp_guard_acpi_map, 0, &bios_rsdp) == ACPI_OK)
		return 0;
	len = acpi_rsdp_copy(phys_to_virt(bi->acpi_rsdp_phys), rsdp);
	return guest_mem_write(LINUX_RSDP_GPA, rsdp, len) ? LINUX_RSDP_GPA : 0;
}

/* UEFI: the loader's EFI memory map, the hypervisor's region reserved in it, into guest
 * memory for the zero page's efi_info (read before modules move over the boot information).
 * Its conventional memory into @conv: moved modules go there, off the boot-services data
 * Linux reads before it reserves it (the memory attributes table). Returns their count. */
static unsigned keep_efi_map(const struct boot_info *bi, struct bz_params *p,
			     struct mem_range *conv)
{
	static uint8_t map[LINUX_EFI_MAP_MAX];
	const struct hv_region *r = mem_region();
	int len;

	if (!bi->efi_systab || !bi->efi_mmap_phys)
		return 0;
	len =
	    bz_efi_map_carve(phys_to_virt(bi->efi_mmap_phys), bi->efi_mmap_size, bi->efi_desc_size,
			     (struct phys_range){r->start, r->end}, map, sizeof(map));
	if (len < 0 || !guest_mem_write(LINUX_EFI_MAP_GPA, map, (uint32_t)len)) {
		printk("guest: Linux not told of UEFI: its memory map does not fit below 64 KiB\n");
		return 0;
	}
	*p = (struct bz_params){.efi_systab = bi->efi_systab,
				.efi_mmap = LINUX_EFI_MAP_GPA,
				.efi_mmap_size = (uint32_t)len,
				.efi_desc_size = bi->efi_desc_size,
				.efi_desc_version = bi->efi_desc_version};
	return bz_efi_usable(map, (uint32_t)len, bi->efi_desc_size, conv, BZ_E820_MAX);
}

/* Module 0 the bzImage, module 1 (if any) the initrd, by the 32-bit boot protocol (boot.rst). */
static int linux_boot(struct vcpu *v, struct boot_info *bi)
{
	static struct mem_range e820[BZ_E820_MAX], conv[BZ_E820_MAX];
	struct boot_module *k = &bi->modules[MODULE_KERNEL];
	const char *args = bz_kernel_args(k->cmdline);
	uint64_t gdt[LINUX_GDT_ENTRIES], limit, rsdp = keep_rsdp(bi);
	struct bz_params p = {0};
	char err[ERR_MAX];
	struct bz_image img;
	unsigned nmap, nconv;
	const struct mem_range *map = guest_mem_map(&nmap);
	uint8_t *params = guest_mem_ptr(LINUX_PARAMS_GPA, BZ_BOOT_PARAMS_SIZE);
	int n;

	nconv = keep_efi_map(bi, &p, conv);
	p.cmdline_gpa = LINUX_CMDLINE_GPA;
	p.bda =
	    bi->efi_systab ? 0 : guest_mem_ptr(BZ_BDA_GPA, BZ_BDA_SIZE); /* BIOS: its text mode */
	if (bz_parse(phys_to_virt(k->start), k->end - k->start, &img, err, sizeof(err)))
		return refuse(k->cmdline, err);
	/* Told of UEFI (efi_info), it takes the RSDP from the EFI configuration table, as bare. */
	p.acpi_rsdp = rsdp = p.efi_systab && img.kernel_64bit ? 0 : rsdp;
	/* Its memory must be RAM, and no module may sit in it or above initrd_addr_max. */
	limit = (uint64_t)img.initrd_addr_max + 1;
	if (!guest_mem_ptr(img.entry, img.mem_end - img.entry))
		return refuse(k->cmdline, "Linux needs guest RAM from its load address to "
					  "the end of its decompression buffer");
	if (guest_modules_place(bi->modules, bi->module_count, nconv ? conv : map,
				nconv ? nconv : nmap, img.mem_end,
				limit < LIMIT_4G ? limit : LIMIT_4G, copy_guest, err, sizeof(err)))
		return refuse(k->cmdline, err);
	if (strlen(args) >= LINUX_CMDLINE_MAX || strlen(args) > img.cmdline_size)
		return refuse(k->cmdline, "command line too long");
	if (!params || !guest_mem_write(LINUX_CMDLINE_GPA, args, strlen(args) + 1))
		return refuse(k->cmdline, "no guest RAM below 1 MiB for the zero page");
	memmove(guest_mem_ptr(img.entry, img.kernel_len),
		(const uint8_t *)phys_to_virt(k->start) + img.kernel_off, img.kernel_len);
	if (bi->module_count > MODULE_INITRD) {
		p.initrd_start = bi->modules[MODULE_INITRD].start;
		p.initrd_len = bi->modules[MODULE_INITRD].end - p.initrd_start;
	}
	/* The RSDP copy's page is reserved only when there is a copy: on a BIOS the kernel finds
	 * the RSDP itself, and the bare machine's low memory stays whole. */
	n = guest_map_carve(
	    map, nmap,
	    (struct phys_range){LINUX_RSDP_GPA, rsdp ? LINUX_RSDP_GPA + PAGE_SIZE : LINUX_RSDP_GPA},
	    e820, BZ_E820_MAX);
	p.map = e820;
	p.nmap = n < 0 ? 0 : (unsigned)n;
	if (n < 0 || bz_build_params(params, phys_to_virt(k->start), &img, &p, err, sizeof(err)))
		return refuse(k->cmdline, n < 0 ? "memory map too long for the zero page" : err);
	bz_boot_gdt(gdt);
	guest_mem_write(LINUX_GDT_GPA, gdt, sizeof(gdt));
	entry_flat32(v, img.entry, BZ_BOOT_CS, BZ_BOOT_DS, LINUX_GDT_GPA, sizeof(gdt) - 1);
	v->gpr[GPR_RSI] = LINUX_PARAMS_GPA; /* boot.rst: %esi = &boot_params */
	v->kernel_64bit = img.kernel_64bit;
	printk("guest: Linux \"%s\", boot protocol %u.%02u, kernel %u KiB at 0x%x, initrd %lu KiB "
	       "at 0x%lx, RSDP 0x%lx, EFI system table 0x%lx, command line \"%s\"\n",
	       k->cmdline, img.version >> 8, img.version & 0xff, img.kernel_len >> 10, img.entry,
	       p.initrd_len >> 10, p.initrd_start, rsdp, p.efi_systab, args);
	return 0;
}

static bool is_boot_sector(const uint8_t *file, size_t len)
{
	return len >= BOOT_SECTOR_SIZE && file[BOOT_SIGNATURE_OFFSET] == BOOT_SIGNATURE_0 &&
	       file[BOOT_SIGNATURE_OFFSET + 1] == BOOT_SIGNATURE_1;
}

/* Real mode at 0000:7C00 with DL = boot drive, as a PC BIOS hands over to a boot sector. */
static int boot_real_mode(struct vcpu *v, const uint8_t *file, size_t len, const char *name)
{
	struct bios_e820_hook hook = {.gpa = BOOT_IMAGE_END};
	unsigned nmap;
	const struct mem_range *map = guest_mem_map(&nmap);
	size_t load;

	/* The BIOS's memory map has our region as RAM: INT 15h answers from ours instead. */
	if (bios_e820_install(map, nmap, bios_e820_hook_start,
			      (uint32_t)(bios_e820_hook_end - bios_e820_hook_start), gpa_ptr, 0,
			      &hook))
		printk("guest: no INT 15h memory map hook: conventional memory not the guest's\n");
	else
		printk(
		    "guest: INT 15h hook at 0x%x: E820 %u entries, E801 %u KiB + %u x 64 KiB, 88h "
		    "%u KiB; base memory %u KiB\n",
		    hook.gpa, hook.count, hook.sizes.e801_low_kib, hook.sizes.e801_high_64k,
		    hook.sizes.ext_kib, hook.base_mem_kib);
	/* A BIOS reads one sector; we load what fits below the EBDA and the hook (of a disk
	 * image too). */
	if (hook.gpa > BOOT_IMAGE_END)
		hook.gpa = BOOT_IMAGE_END;
	load = len < hook.gpa - BOOT_SECTOR_GPA ? len : hook.gpa - BOOT_SECTOR_GPA;
	if (!guest_mem_write(BOOT_SECTOR_GPA, file, load)) {
		printk("dbgvisor: refusing the guest \"%s\": no guest RAM at 0x%x\n", name,
		       BOOT_SECTOR_GPA);
		return -1;
	}
	entry_real_mode(v, BOOT_SECTOR_GPA);
	/* Interrupts on: the IBM PC BIOS's INT 19h bootstrap begins with STI and SeaBIOS jumps with
	 * IF set, so boot sectors may wait on the BIOS timer tick without one of their own. */
	v->ops->set_reg(v, REG_RFLAGS, RFLAGS_FIXED1 | RFLAGS_IF);
	v->gpr[GPR_RDX] = BOOT_DRIVE_HDD0;
	v->gpr[GPR_RSP] = BOOT_SECTOR_GPA;
	printk("guest: \"%s\", %lu-byte boot sector image, %lu bytes at 0x%x, starting in real "
	       "mode\n",
	       name, (uint64_t)len, (uint64_t)load, BOOT_SECTOR_GPA);
	return 0;
}

/* The multiboot2 information (3.6), with the loader's RSDP copied before modules move. */
static uint32_t build_mb2(const struct mb2load_request *req, const char *cmdline,
			  const struct mb1info_module *mods, unsigned nmods, const uint8_t *rsdp,
			  uint8_t *buf, uint32_t gpa)
{
	struct mb1info_builder b;
	struct mb2info_input in = {.cmdline = cmdline,
				   .loader_name = LOADER_NAME,
				   .mods = mods,
				   .nmods = nmods,
				   .rsdp = rsdp,
				   .load_base = req->load_base,
				   .load_base_addr = req->load_base_addr};
	in.map = guest_mem_map(&in.nmap);
	mb2info_init(&b, buf, gpa, GUEST_INFO_SIZE);
	return mb2info_build(&b, &in);
}

int guest_boot(struct vcpu *v, struct boot_info *bi)
{
	static struct mbload_image img;
	struct mb1info_module mods[BOOT_MAX_MODULES];
	struct mb1info_builder b;
	struct mb2load_request req;
	uint8_t rsdp[ACPI_RSDP_MAX];
	char err[ERR_MAX];
	const uint8_t *file;
	const char *cmdline, *name;
	size_t len;
	unsigned nmap, nmods, version = 2;
	const struct mem_range *map = guest_mem_map(&nmap);
	uint8_t *info_buf;
	uint64_t info_gpa;
	uint32_t info;
	int rc;

	if (bi->module_count) {
		file = phys_to_virt(bi->modules[0].start);
		if (bz_is_linux(file, bi->modules[0].end - bi->modules[0].start))
			return linux_boot(v, bi);
		len = bi->modules[0].end - bi->modules[0].start;
		/* The module string as it is, empty too (GRUB passes "" then); "guest" names it. */
		cmdline = bi->modules[0].cmdline;
		name = cmdline[0] ? cmdline : "guest";
	} else {
		file = demo_guest_start;
		len = (size_t)(demo_guest_end - demo_guest_start);
		cmdline = name = DEMO_NAME;
	}
	/* A multiboot2 header wins over a multiboot1 one (GRUB's multiboot2 command's choice). */
	rc = mb2load_parse(file, len, &img, &req, err, sizeof(err));
	if (rc == 0)
		rc = mb2load_relocate(&img, &req, map, nmap, err, sizeof(err));
	if (rc == MBLOAD_E_NOHDR) {
		char why2[ERR_MAX]; /* a multiboot2 header's bad checksum, say: keep it for below */
		memcpy(why2, err, sizeof(why2));
		version = 1;
		rc = mbload_parse(file, len, &img, err, sizeof(err));
		if (rc == MBLOAD_E_NOHDR && is_boot_sector(file, len))
			return boot_real_mode(v, file, len, name);
		if (rc == MBLOAD_E_NOHDR) {
			printk("dbgvisor: refusing the guest \"%s\": %s; %s\n", name, why2, err);
			return -1;
		}
	}
	if (rc || mbload_check_placement(&img, map, nmap, err, sizeof(err)))
		return refuse(name, err);
	if (bi->acpi_rsdp_phys)
		acpi_rsdp_copy(phys_to_virt(bi->acpi_rsdp_phys), rsdp);
	/* Modules 1.. stay unless in the kernel's way; the guest gets them as its own. */
	if (guest_modules_place(bi->modules, bi->module_count, map, nmap, img.highest_end, LIMIT_4G,
				copy_guest, err, sizeof(err)))
		return refuse(name, err);
	for (nmods = 0; nmods + 1 < bi->module_count; nmods++) {
		const struct boot_module *m = &bi->modules[nmods + 1];
		mods[nmods] =
		    (struct mb1info_module){(uint32_t)m->start, (uint32_t)m->end, m->cmdline};
	}
	/* Not on the kernel nor on a module: a kernel linked at 0x8000 keeps its code. */
	if (!guest_info_place(map, nmap, img.lowest, img.highest_end, bi->modules, bi->module_count,
			      GUEST_INFO_SIZE, GUEST_INFO_GPA, BOOT_IMAGE_END, LIMIT_4G,
			      &info_gpa) ||
	    !(info_buf = guest_mem_ptr(info_gpa, GUEST_INFO_SIZE)))
		return refuse(name, "no guest RAM for its boot information");
	if (bi->module_count) /* module 0, the kernel, may have moved */
		file = phys_to_virt(bi->modules[0].start);
	mbload_copy(&img, file, gpa_ptr, 0);
	if (version == 2) {
		info = build_mb2(&req, cmdline, mods, nmods, bi->acpi_rsdp_phys ? rsdp : 0,
				 info_buf, (uint32_t)info_gpa);
	} else {
		mb1info_init(&b, info_buf, (uint32_t)info_gpa, GUEST_INFO_SIZE);
		info = mb1info_build(&b, cmdline, map, nmap, mods, nmods, LOADER_NAME);
	}
	if (!info) {
		printk("dbgvisor: multiboot information for the guest does not fit in 0x%x bytes\n",
		       GUEST_INFO_SIZE);
		return -1;
	}
	/* Multiboot 0.6.96 3.2, 2.0 3.3: EAX magic, EBX info; GDTR/IDTR are the OS's to load. */
	entry_flat32(v, img.entry, SEL_GUEST_CODE, SEL_GUEST_DATA, 0, 0);
	v->gpr[GPR_RAX] = version == 2 ? MB2INFO_BOOTLOADER_MAGIC : MB1INFO_BOOTLOADER_MAGIC;
	v->kernel_64bit = len > ELF_EI_CLASS && memcmp(file, ELF_MAGIC, ELF_EI_CLASS) == 0 &&
			  file[ELF_EI_CLASS] == ELF_CLASS_64;
	v->gpr[GPR_RBX] = info;
	printk("guest: \"%s\", multiboot%u, %lu bytes, loaded at [0x%x-0x%x), entry 0x%x, %u "
	       "module(s)\n",
	       name, version, (uint64_t)len, img.lowest, img.highest_end, img.entry, nmods);
	return 0;
}
