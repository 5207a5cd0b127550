/* guest_boot.h - load the multiboot1 guest and put the vcpu in the state the spec promises. */
#ifndef DBGVISOR_GUEST_BOOT_H
#define DBGVISOR_GUEST_BOOT_H

#include "core/hw/bootinfo.h"
#include "core/vcpu.h"

/* Where the multiboot information goes in guest memory (conventional RAM, as QEMU does). */
#define GUEST_INFO_GPA	0x9000u
#define GUEST_INFO_END	0x10000u
#define MB1_GUEST_MAGIC 0x2BADB002u

/*
 * Load the first module (or the built-in demo guest when there is none), place the
 * remaining modules after it, build the info structure and set the entry state.
 * Returns 0, or -1 after printing why the guest was refused.
 */
int guest_boot(struct vcpu *v, const struct boot_info *bi);

#endif
