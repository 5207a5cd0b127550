/* guest_boot.c - load a multiboot1 kernel into guest memory and hand over per the multiboot spec.
 */
#include "guest_boot.h"

#include "core/hw/console.h"
#include "core/hw/layout.h"
#include "core/hw/mem.h"
#include "core/hw/pmem.h"
#include "core/hw/string.h"
#include "core/hw/x86.h"
#include "core/paging/guest_mem.h"
#include "mb1info.h"
#include "mbload.h"

#define ERR_MAX	       160
#define FLAT_LIMIT     0xffffffffu
#define SEL_GUEST_CODE 0x08
#define SEL_GUEST_DATA 0x10
/* 32-bit flat segments (multiboot 0.6.96, 3.2): code exec/read accessed, data r/w accessed. */
#define ATTR_CODE32	(0xb | SEG_ATTR_S | SEG_ATTR_P | SEG_ATTR_DB | SEG_ATTR_G)
#define ATTR_DATA32	(0x3 | SEG_ATTR_S | SEG_ATTR_P | SEG_ATTR_DB | SEG_ATTR_G)
#define ATTR_LDT	(0x2 | SEG_ATTR_P)
#define ATTR_TSS32_BUSY (0xb | SEG_ATTR_P)
#define RESET_SEG_LIMIT 0xffffu
#define DEMO_NAME	"demo"
/* A BIOS loads a boot sector at 0000:7C00 and checks the 55 AA signature (bytes 510-511). */
#define BOOT_SECTOR_GPA	      0x7c00u
#define BOOT_SECTOR_SIZE      512u
#define BOOT_SIGNATURE_OFFSET 510u
#define BOOT_SIGNATURE_0      0x55u
#define BOOT_SIGNATURE_1      0xaau
#define BOOT_IMAGE_END	      0x9f000u /* conventional memory below the EBDA */
#define BOOT_DRIVE_HDD0	      0x80u
#define REAL_MODE_IVT_LIMIT   0x3ffu
#define ATTR_CODE16	      (0xb | SEG_ATTR_S | SEG_ATTR_P)
#define ATTR_DATA16	      (0x3 | SEG_ATTR_S | SEG_ATTR_P)

/* The demo guest linked into the image (core/demo_guest.S). */
extern const uint8_t demo_guest_start[], demo_guest_end[];

static uint8_t *gpa_ptr(uint32_t gpa, uint32_t len, void *ctx)
{
	(void)ctx;
	return guest_mem_ptr(gpa, len);
}

static void set_entry_state(struct vcpu *v, uint32_t entry, uint32_t info)
{
	const struct vcpu_segment code = {SEL_GUEST_CODE, ATTR_CODE32, FLAT_LIMIT, 0};
	const struct vcpu_segment data = {SEL_GUEST_DATA, ATTR_DATA32, FLAT_LIMIT, 0};
	const struct vcpu_segment ldt = {0, ATTR_LDT, RESET_SEG_LIMIT, 0};
	const struct vcpu_segment tr = {0, ATTR_TSS32_BUSY, RESET_SEG_LIMIT, 0};
	const struct vcpu_dtable none = {0, 0};

	v->ops->set_seg(v, SEG_CS, &code);
	v->ops->set_seg(v, SEG_DS, &data);
	v->ops->set_seg(v, SEG_ES, &data);
	v->ops->set_seg(v, SEG_FS, &data);
	v->ops->set_seg(v, SEG_GS, &data);
	v->ops->set_seg(v, SEG_SS, &data);
	v->ops->set_seg(v, SEG_LDTR, &ldt);
	v->ops->set_seg(v, SEG_TR, &tr);
	/* GDTR/IDTR are undefined for the OS image; it must load its own (3.2). */
	v->ops->set_dtable(v, DTABLE_GDT, &none);
	v->ops->set_dtable(v, DTABLE_IDT, &none);
	v->ops->set_reg(v, REG_CR0, CR0_PE | CR0_ET);
	v->ops->set_reg(v, REG_CR3, 0);
	v->ops->set_reg(v, REG_CR4, 0);
	v->ops->set_reg(v, REG_EFER, 0);
	v->ops->set_reg(v, REG_RFLAGS, RFLAGS_FIXED1); /* IF = 0, VM = 0 */
	v->ops->set_reg(v, REG_RIP, entry);
	memset(v->gpr, 0, sizeof(v->gpr));
	v->gpr[GPR_RAX] = MB1_GUEST_MAGIC;
	v->gpr[GPR_RBX] = info;
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
	const struct vcpu_segment code = {0, ATTR_CODE16, RESET_SEG_LIMIT, 0};
	const struct vcpu_segment data = {0, ATTR_DATA16, RESET_SEG_LIMIT, 0};
	const struct vcpu_segment ldt = {0, ATTR_LDT, RESET_SEG_LIMIT, 0};
	const struct vcpu_segment tr = {0, ATTR_TSS32_BUSY, RESET_SEG_LIMIT, 0};
	const struct vcpu_dtable ivt = {0, REAL_MODE_IVT_LIMIT};
	const struct vcpu_dtable gdt = {0, 0};
	uint8_t *dst = guest_mem_ptr(BOOT_SECTOR_GPA, len);

	if (!dst) {
		printk("dbgvisor: refusing the guest \"%s\": no guest RAM at 0x%x\n", name,
		       BOOT_SECTOR_GPA);
		return -1;
	}
	memcpy(dst, file, len);
	v->ops->set_seg(v, SEG_CS, &code);
	v->ops->set_seg(v, SEG_DS, &data);
	v->ops->set_seg(v, SEG_ES, &data);
	v->ops->set_seg(v, SEG_FS, &data);
	v->ops->set_seg(v, SEG_GS, &data);
	v->ops->set_seg(v, SEG_SS, &data);
	v->ops->set_seg(v, SEG_LDTR, &ldt);
	v->ops->set_seg(v, SEG_TR, &tr);
	v->ops->set_dtable(v, DTABLE_GDT, &gdt);
	v->ops->set_dtable(v, DTABLE_IDT, &ivt);
	v->ops->set_reg(v, REG_CR0, CR0_ET);
	v->ops->set_reg(v, REG_CR3, 0);
	v->ops->set_reg(v, REG_CR4, 0);
	v->ops->set_reg(v, REG_EFER, 0);
	v->ops->set_reg(v, REG_RFLAGS, RFLAGS_FIXED1);
	v->ops->set_reg(v, REG_RIP, BOOT_SECTOR_GPA);
	memset(v->gpr, 0, sizeof(v->gpr));
	v->gpr[GPR_RDX] = BOOT_DRIVE_HDD0;
	v->gpr[GPR_RSP] = BOOT_SECTOR_GPA;
	printk("guest: \"%s\", %lu-byte boot sector image at 0x%x, starting in real mode\n", name,
	       (uint64_t)len, BOOT_SECTOR_GPA);
	return 0;
}

static int place_modules(const struct boot_info *bi, const struct mbload_image *img,
			 struct mb1info_module *mods, unsigned *nmods)
{
	uint64_t at = (img->highest_end + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);

	*nmods = 0;
	for (unsigned i = 1; i < bi->module_count; i++) {
		const struct boot_module *m = &bi->modules[i];
		uint64_t len = m->end - m->start;
		void *dst = guest_mem_ptr(at, len ? len : 1);

		if (!dst) {
			printk("dbgvisor: guest module %u (%lu bytes) does not fit in guest RAM at "
			       "0x%lx\n",
			       i, len, at);
			return -1;
		}
		memcpy(dst, phys_to_virt(m->start), len);
		mods[*nmods] =
		    (struct mb1info_module){(uint32_t)at, (uint32_t)(at + len), m->cmdline};
		(*nmods)++;
		at = (at + len + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	}
	return 0;
}

int guest_boot(struct vcpu *v, const struct boot_info *bi)
{
	static struct mbload_image img;
	struct mb1info_module mods[BOOT_MAX_MODULES];
	struct mb1info_builder b;
	char err[ERR_MAX];
	const uint8_t *file;
	const char *cmdline;
	size_t len;
	unsigned nmap, nmods;
	const struct mem_range *map = guest_mem_map(&nmap);
	uint8_t *info_buf = guest_mem_ptr(GUEST_INFO_GPA, GUEST_INFO_END - GUEST_INFO_GPA);
	uint32_t info;

	if (bi->module_count) {
		file = phys_to_virt(bi->modules[0].start);
		len = bi->modules[0].end - bi->modules[0].start;
		cmdline = bi->modules[0].cmdline[0] ? bi->modules[0].cmdline : "guest";
	} else {
		file = demo_guest_start;
		len = (size_t)(demo_guest_end - demo_guest_start);
		cmdline = DEMO_NAME;
	}
	if (mbload_parse(file, len, &img, err, sizeof(err)) == MBLOAD_E_NOHDR &&
	    is_boot_sector(file, len))
		return boot_real_mode(v, file, len, cmdline);
	if (mbload_parse(file, len, &img, err, sizeof(err)) ||
	    mbload_check_placement(&img, map, nmap, err, sizeof(err))) {
		printk("dbgvisor: refusing the guest \"%s\": %s\n", cmdline, err);
		return -1;
	}
	if (!info_buf || place_modules(bi, &img, mods, &nmods))
		return -1;
	mbload_copy(&img, file, gpa_ptr, 0);
	mb1info_init(&b, info_buf, GUEST_INFO_GPA, GUEST_INFO_END - GUEST_INFO_GPA);
	info = mb1info_build(&b, cmdline, map, nmap, mods, nmods, "dbgvisor");
	if (!info) {
		printk("dbgvisor: multiboot information for the guest does not fit in 0x%x bytes\n",
		       GUEST_INFO_END - GUEST_INFO_GPA);
		return -1;
	}
	set_entry_state(v, img.entry, info);
	printk("guest: \"%s\", %lu bytes, loaded at [0x%x-0x%x), entry 0x%x, %u module(s)\n",
	       cmdline, (uint64_t)len, img.lowest, img.highest_end, img.entry, nmods);
	return 0;
}
