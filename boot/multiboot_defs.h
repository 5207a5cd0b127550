/* multiboot_defs.h - multiboot1/2 OS image header constants (shared by asm and C). */
#ifndef DBGVISOR_MULTIBOOT_DEFS_H
#define DBGVISOR_MULTIBOOT_DEFS_H

/* Multiboot 0.6.96, 3.1.1-3.1.2. */
#define MB1_HEADER_MAGIC     0x1BADB002
#define MB1_FLAG_PAGE_ALIGN  (1 << 0)
#define MB1_FLAG_MEMORY_INFO (1 << 1)
#define MB1_FLAG_AOUT_KLUDGE (1 << 16)
#define MB1_HEADER_FLAGS     (MB1_FLAG_PAGE_ALIGN | MB1_FLAG_MEMORY_INFO | MB1_FLAG_AOUT_KLUDGE)

/* Multiboot2 1.0 (spec 2.0), 3.1.1-3.1.6. */
#define MB2_HEADER_MAGIC 0xE85250D6
#define MB2_ARCH_I386	 0
#define MB2_TAG_END	 0
#define MB2_TAG_ADDRESS	 2
#define MB2_TAG_ENTRY	 3

#endif
