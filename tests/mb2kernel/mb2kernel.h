/* mb2kernel.h - the multiboot2 test kernel's shared declarations: state, I/O, report parts. */
#ifndef MB2KERNEL_H
#define MB2KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "mb2.h"

/*
 * Output convention: a line that starts with "* " depends on where or how the loader placed
 * things (addresses, the loader's name, the raw memory map, the list of tags) and may differ
 * between loaders given the same command line and modules; every other line must not.
 */
#define LOADER_SPECIFIC "* "

/* Exit codes written to QEMU's isa-debug-exit port. */
#define EXIT_OK	       0
#define EXIT_CHECK_BAD 1 /* a self-check failed */
#define EXIT_CRASH     3 /* exception or unusable hand-off */

#define ONE_MIB	    0x100000u
#define PAGE_SIZE   0x1000u
#define KIB_SHIFT   10
#define MAX_MODULES 16

/* Registers as the loader handed them over (spec 3.3), recorded by entry.S. */
struct entry_state {
	uint32_t eax;
	uint32_t ebx;
	uint32_t eflags;
	uint32_t cr0;
};
extern const struct entry_state entry_state;

/* Linker-script (mb2kernel.ld) and entry.S symbols. */
extern const char __image_start[], __image_end[], __bss_start[], __bss_end[];
extern const char stack_bottom[], stack_top[];

/* What mbi.c found in the boot information; tags point into the loader's structure. */
struct mbi_index {
	uint32_t addr;	     /* physical address from EBX */
	uint32_t total_size; /* 3.6.2 */
	bool aligned;	     /* 8-byte aligned (3.6.1) */
	bool well_formed;    /* every tag in bounds and sized right, end tag last (3.6.2) */
	unsigned ntags;	     /* tags before the end tag */
	const struct mb2_tag *first[MB2_TAG_TYPES]; /* first tag of each type, or NULL */
	const struct mb2_tag_module *modules[MAX_MODULES];
	unsigned nmodules; /* module tags seen; only MAX_MODULES are kept */
};

/* Called from entry.S. */
void kmain(void);
void exception_report(const uint32_t *frame);

/* console.c: COM1 output and leaving the machine. */
void con_init(void);
void con_puts(const char *s);
void con_putsn(const char *s, size_t max); /* up to max bytes or NUL; '?' for unprintables */
void con_putu(uint32_t v);
void con_putx(uint32_t v);   /* "0x" and 8 hex digits */
void con_putx64(uint64_t v); /* "0x" and 16 hex digits */
void con_yesno(bool v);
__attribute__((noreturn)) void kexit(int code);

/* traps.c: an IDT whose 32 exception gates report and exit. */
void traps_init(void);

/* mbi.c: walk and validate the boot information (spec 3.6.1, 3.6.2). */
void mbi_parse(uint32_t addr, struct mbi_index *idx);

/* modules.c (3.6.6) */
void modules_report(const struct mbi_index *idx);
uint32_t crc32(uint32_t crc, const void *buf, size_t len);

/* memmap.c (3.6.3, 3.6.8) */
void memmap_report(const struct mbi_index *idx);
bool memmap_available(const struct mbi_index *idx, uint64_t lo, uint64_t hi);

/* acpi.c (3.6.16, 3.6.17): returns false if a tag that is present is not a valid RSDP. */
bool acpi_report(const struct mbi_index *idx);

/* checks.c: self-checks; each prints one "check:" line. */
bool bss_is_zero(void);
void check(const char *what, bool ok);
void checks_run(const struct mbi_index *idx, bool bss_was_zero, bool acpi_ok);
unsigned checks_summary(void); /* prints "mb2kernel: N checks, F failed", returns F */

/* Port I/O. */
static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void cli(void)
{
	__asm__ volatile("cli" ::: "memory");
}

#endif
