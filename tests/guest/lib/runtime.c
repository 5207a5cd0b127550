/* runtime.c - C side of guest start-up: boot-info checks, a quiet PIC, then test_main(). */
#include <stdint.h>

#include "runtime.h"
#include "x86g.h"

/* Legacy 8259 PICs: mask every IRQ line (the BIOS leaves the timer on vector 8 = #DF). */
#define PIC_MASTER_DATA 0x21
#define PIC_SLAVE_DATA	0xa1
#define PIC_MASK_ALL	0xff

static uint32_t boot_magic;
static const struct mb1_info *boot_info;

uint32_t guest_mb_magic(void)
{
	return boot_magic;
}

const struct mb1_info *guest_mbi(void)
{
	return boot_info;
}

const char *guest_mode_name(void)
{
#ifdef GUEST_64BIT
	return "64-bit long mode";
#else
	return "32-bit protected mode";
#endif
}

/*
 * Programs run with IF=0 as the loader left them. Masking the PICs means a test that sets IF
 * (e.g. to study interrupt shadows) is not hit by a BIOS-programmed IRQ on an exception vector.
 */
static void mask_legacy_pics(void)
{
	x86g_outb(PIC_MASTER_DATA, PIC_MASK_ALL);
	x86g_outb(PIC_SLAVE_DATA, PIC_MASK_ALL);
}

void guest_runtime_start(uint32_t magic, uint32_t mbi)
{
	int rc;

	guest_serial_init();
	guest_idt_init();
	boot_magic = magic;
	if (magic != MB1_BOOTLOADER_MAGIC) {
		gprintf("guest: not started by a multiboot1 loader: EAX was 0x%x, expected 0x%x\n",
			magic, MB1_BOOTLOADER_MAGIC);
		guest_exit(GUEST_EXIT_FATAL);
	}
	boot_info = guest_phys(mbi);
	mask_legacy_pics();
	gprintf("guest: start (%s)\n", guest_mode_name());
	rc = test_main();
	guest_exit(rc);
}
