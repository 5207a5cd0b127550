/* guest_mem.h - what physical memory the guest owns, and the hypervisor's access to it. */
#ifndef DBGVISOR_GUEST_MEM_H
#define DBGVISOR_GUEST_MEM_H

#include <stdbool.h>
#include <stdint.h>

#include "core/hw/bootinfo.h"
#include "nested_pt.h"

/* Build the guest's memory map from the loader's, with the hypervisor region reserved. */
void guest_mem_init(const struct boot_info *bi);
const struct mem_range *guest_mem_map(unsigned *count);

/* These three shape the nested tables built afterwards (guest_mem_build_nested). */
/* Map [start, start + len) read-only. */
void guest_mem_set_readonly(uint64_t start, uint64_t len);
/* Leave [start, start + len) out, so that every guest access to it exits. */
void guest_mem_set_unmapped(uint64_t start, uint64_t len);
/* Show the guest a copy of the 4 KiB page at @gpa, to patch what cannot be written in place
 * (the BIOS ROM shadow). Returns the copy, or 0 when no more pages can be shadowed. */
void *guest_mem_shadow_page(uint64_t gpa);

/* Identity nested page tables over everything but the hypervisor; returns the root. */
uint64_t guest_mem_build_nested(const struct nested_pt_format *f);

/* Deny NESTED_DENY_* on the guest's 4 KiB page at @gpa in the tables under @root (0: as
 * built); -1 outside what the tables map. NESTED_MAP_DEVICE instead maps device memory at
 * @gpa above the built map (-1 below it, or out of tables). The caller flushes the TLB. */
int guest_mem_nested_protect(uint64_t root, const struct nested_pt_format *f, uint64_t gpa,
			     unsigned deny);

/* Host pointer to guest RAM [gpa, gpa + len), or 0 if any byte is not the guest's RAM. */
void *guest_mem_ptr(uint64_t gpa, uint64_t len);
bool guest_mem_read(uint64_t gpa, void *buf, uint64_t len);
bool guest_mem_write(uint64_t gpa, const void *buf, uint64_t len);
bool guest_mem_hv_owns(uint64_t gpa);

#endif
