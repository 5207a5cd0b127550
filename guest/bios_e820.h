/* bios_e820.h - hide the hypervisor's memory from a boot sector: an INT 15h hook (E820h, E801h,
 * 88h) in the top KiB of conventional memory, as SYSLINUX's MEMDISK hides its own. */
#ifndef DBGVISOR_BIOS_E820_H
#define DBGVISOR_BIOS_E820_H

/* The hook's layout (guest/bios_e820_hook.S), offsets from its segment:0 origin; the E820 table
 * follows its code (bios_e820_hook_end - bios_e820_hook_start bytes in). */
#define BIOS_E820_OLD_VECTOR 0	/* dword: the INT 15h vector it chains to (offset, segment) */
#define BIOS_E820_COUNT	     4	/* dword: entries in the table, compared with EBX */
#define BIOS_E820_E801_LOW   8	/* word: E801h AX = CX, KiB between 1 and 16 MiB */
#define BIOS_E820_E801_HIGH  10 /* word: E801h BX = DX, 64 KiB blocks above 16 MiB */
#define BIOS_E820_EXT_KIB    12 /* word: 88h AX, KiB above 1 MiB */
#define BIOS_E820_ENTRY	     14 /* the handler: the new INT 15h vector's offset */
/* ACPI "INT 15H, E820H": base (qword), length (qword), type (dword); ACPI 3.0 adds the
 * extended attributes (dword) for a buffer of 24 bytes. */
#define BIOS_E820_ENTRY_SIZE 20
#define BIOS_E820_EXT_SIZE   24

#ifndef __ASSEMBLY__
#include <stdint.h>

#include "core/hw/bootinfo.h"

/* The hook's code (guest/bios_e820_hook.S), linked into the image. */
extern const uint8_t bios_e820_hook_start[], bios_e820_hook_end[];

/* What E801h and 88h answer, from the map's usable RAM (Ralf Brown's list, SeaBIOS's caps). */
struct bios_e820_sizes {
	uint16_t e801_low_kib;	/* contiguous from 1 MiB, up to 16 MiB */
	uint16_t e801_high_64k; /* contiguous from 16 MiB, in 64 KiB blocks */
	uint16_t ext_kib;	/* contiguous from 1 MiB, at most 63 MiB */
};
void bios_e820_sizes(const struct mem_range *map, unsigned n, struct bios_e820_sizes *s);

struct bios_e820_hook {
	uint32_t gpa;	       /* where the hook went: segment gpa >> 4, offset 0 */
	uint16_t base_mem_kib; /* the BIOS data area's base memory size after */
	unsigned count;	       /* entries in its E820 table */
	struct bios_e820_sizes sizes;
};

/* Take whole KiB for @code and its E820 table off the top of conventional memory (the BIOS
 * data area's base memory size), put them there with @map (the reserved KiB added) and point
 * INT 15h at the hook, which chains to the old vector for the other functions. @gpa_ptr gives
 * guest memory. 0, or -1 when conventional memory is not the guest's or too small. */
int bios_e820_install(const struct mem_range *map, unsigned nmap, const uint8_t *code,
		      uint32_t code_len, uint8_t *(*gpa_ptr)(uint32_t gpa, uint32_t len, void *ctx),
		      void *ctx, struct bios_e820_hook *out);
#endif

#endif
