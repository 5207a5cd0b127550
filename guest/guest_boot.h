/* guest_boot.h - load the guest by its boot protocol and put the vcpu in the state it promises. */
#ifndef DBGVISOR_GUEST_BOOT_H
#define DBGVISOR_GUEST_BOOT_H

#include "core/hw/bootinfo.h"
#include "core/vcpu.h"

/* Where the multiboot information goes in guest memory (conventional RAM, as QEMU does),
 * unless the kernel or a module is there: then the highest free block below 640 KiB. */
#define GUEST_INFO_GPA	0x9000u
#define GUEST_INFO_SIZE 0x7000u
/* Load the first module (or the demo guest) by its format, bzImage, multiboot2/1 or boot
 * sector, moving modules out of its way (@bi->modules is updated), build its boot information
 * and set the entry state. 0, or -1 after printing why the guest was refused. */
int guest_boot(struct vcpu *v, struct boot_info *bi);

#endif
