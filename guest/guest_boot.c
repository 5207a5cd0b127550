/* guest_boot.c - load the guest by its format (bzImage, multiboot2/1, boot sector) and hand over.
 */
#include "guest_boot.h"

#include "core/hw/console.h"
#include "core/hw/layout.h"
#include "core/hw/mem.h"
#include "core/hw/pmem.h"
#include "core/hw/string.h"
#include "core/hw/x86.h"
#include "core/paging/guest_mem.h"
#include "acpi.h"
#include "bzimage.h"
#include "entry_state.h"
#include "linux_boot.h"
#include "mb1info.h"
#include "mb2info.h"
#include "mb2load.h"
#include "mbload.h"
#include "modules.h"

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

/* The demo guest linked into the image (guest/demo_guest.S). */
extern const uint8_t demo_guest_start[], demo_guest_end[];

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

static bool is_boot_sector(const uint8_t *file, size_t len)
{
	return len >= BOOT_SECTOR_SIZE && len <= BOOT_IMAGE_END - BOOT_SECTOR_GPA &&
	       file[BOOT_SIGNATURE_OFFSET] == BOOT_SIGNATURE_0 &&
	       file[BOOT_SIGNATURE_OFFSET + 1] == BOOT_SIGNATURE_1;
}

/* Real mode at 0000:7C00 with DL = boot drive, as a PC BIOS hands over to a boot sector. */
static int boot_real_mode(struct vcpu *v, const uint8_t *file, size_t len, const char *name)
{
	if (!guest_mem_write(BOOT_SECTOR_GPA, file, len)) {
		printk("dbgvisor: refusing the guest \"%s\": no guest RAM at 0x%x\n", name,
		       BOOT_SECTOR_GPA);
		return -1;
	}
	entry_real_mode(v, BOOT_SECTOR_GPA);
	v->gpr[GPR_RDX] = BOOT_DRIVE_HDD0;
	v->gpr[GPR_RSP] = BOOT_SECTOR_GPA;
	printk("guest: \"%s\", %lu-byte boot sector image at 0x%x, starting in real mode\n", name,
	       (uint64_t)len, BOOT_SECTOR_GPA);
	return 0;
}

/* Modules 1.. stay where they are unless in the kernel's way; the guest gets them as its own. */
static int place_modules(struct boot_info *bi, const struct mbload_image *img,
			 struct mb1info_module *mods, unsigned *nmods, char *err, size_t errlen)
{
	unsigned nmap;
	const struct mem_range *map = guest_mem_map(&nmap);

	*nmods = 0;
	if (guest_modules_place(bi->modules, bi->module_count, map, nmap, img->highest_end,
				LIMIT_4G, copy_guest, err, errlen))
		return -1;
	for (unsigned i = 1; i < bi->module_count; i++) {
		const struct boot_module *m = &bi->modules[i];

		mods[(*nmods)++] =
		    (struct mb1info_module){(uint32_t)m->start, (uint32_t)m->end, m->cmdline};
	}
	return 0;
}

/* The multiboot2 information (3.6), with the loader's RSDP copied before modules move. */
static uint32_t build_mb2(const struct mb2load_request *req, const char *cmdline,
			  const struct mb1info_module *mods, unsigned nmods, const uint8_t *rsdp,
			  uint8_t *buf, uint32_t gpa)
{
	struct mb2info_builder b;
	unsigned nmap;
	const struct mem_range *map = guest_mem_map(&nmap);

	mb2info_init(&b, buf, gpa, GUEST_INFO_SIZE);
	return mb2info_build(&b, &(struct mb2info_input){.cmdline = cmdline,
							 .loader_name = LOADER_NAME,
							 .mods = mods,
							 .nmods = nmods,
							 .map = map,
							 .nmap = nmap,
							 .rsdp = rsdp,
							 .load_base = req->load_base,
							 .load_base_addr = req->load_base_addr});
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
	const char *cmdline;
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
		cmdline = bi->modules[0].cmdline[0] ? bi->modules[0].cmdline : "guest";
	} else {
		file = demo_guest_start;
		len = (size_t)(demo_guest_end - demo_guest_start);
		cmdline = DEMO_NAME;
	}
	/* A multiboot2 header wins over a multiboot1 one (GRUB's multiboot2 command's choice). */
	rc = mb2load_parse(file, len, &img, &req, err, sizeof(err));
	if (rc == MBLOAD_E_NOHDR) {
		version = 1;
		rc = mbload_parse(file, len, &img, err, sizeof(err));
		if (rc == MBLOAD_E_NOHDR && is_boot_sector(file, len))
			return boot_real_mode(v, file, len, cmdline);
	}
	if (rc || mbload_check_placement(&img, map, nmap, err, sizeof(err))) {
		printk("dbgvisor: refusing the guest \"%s\": %s\n", cmdline, err);
		return -1;
	}
	if (bi->acpi_rsdp_phys)
		acpi_rsdp_copy(phys_to_virt(bi->acpi_rsdp_phys), rsdp);
	if (place_modules(bi, &img, mods, &nmods, err, sizeof(err))) {
		printk("dbgvisor: refusing the guest \"%s\": %s\n", cmdline, err);
		return -1;
	}
	/* Not on the kernel nor on a module: a kernel linked at 0x8000 keeps its code. */
	if (!guest_info_place(map, nmap, img.lowest, img.highest_end, bi->modules, bi->module_count,
			      GUEST_INFO_SIZE, GUEST_INFO_GPA, BOOT_IMAGE_END, LIMIT_4G,
			      &info_gpa) ||
	    !(info_buf = guest_mem_ptr(info_gpa, GUEST_INFO_SIZE))) {
		printk("dbgvisor: refusing the guest \"%s\": no guest RAM for its boot "
		       "information\n",
		       cmdline);
		return -1;
	}
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
	/* Multiboot 0.6.96 3.2, 2.0 3.3: EAX the magic, EBX the info; GDTR/IDTR the OS's to load.
	 */
	entry_flat32(v, img.entry, SEL_GUEST_CODE, SEL_GUEST_DATA, 0, 0);
	v->gpr[GPR_RAX] = version == 2 ? MB2INFO_BOOTLOADER_MAGIC : MB1_GUEST_MAGIC;
	v->kernel_64bit = len > ELF_EI_CLASS && memcmp(file, ELF_MAGIC, ELF_EI_CLASS) == 0 &&
			  file[ELF_EI_CLASS] == ELF_CLASS_64;
	v->gpr[GPR_RBX] = info;
	printk("guest: \"%s\", multiboot%u, %lu bytes, loaded at [0x%x-0x%x), entry 0x%x, %u "
	       "module(s)\n",
	       cmdline, version, (uint64_t)len, img.lowest, img.highest_end, img.entry, nmods);
	return 0;
}
