/* linux_boot.h - start a Linux bzImage guest by the x86 32-bit boot protocol. */
#ifndef DBGVISOR_LINUX_BOOT_H
#define DBGVISOR_LINUX_BOOT_H

#include <stddef.h>
#include <stdint.h>

#include "core/hw/bootinfo.h"
#include "core/vcpu.h"

/*
 * Module 0 of @bi is the bzImage, its string the kernel's name and command line; module 1,
 * if any, the initrd. Modules may move (bi->modules is updated). 0, or -1 after printing.
 */
int linux_boot(struct vcpu *v, struct boot_info *bi);

#endif
