/* main.c - mb2kernel: a minimal multiboot2 kernel that reports its hand-off and checks it. */
#include "mb2kernel.h"

/*
 * Written against the Multiboot2 specification 2.0 alone. The report, on COM1:
 *   the magic and the boot information's alignment, then every tag (3.6);
 *   the boot command line (3.6.5) and the loader's name (3.6.9);
 *   each module's string, size, CRC-32 and page alignment (3.6.6);
 *   mem_lower (3.6.3), the memory map (3.6.8) and the available RAM below 1 MiB;
 *   which ACPI RSDP tags came and whether each RSDP is valid (3.6.16, 3.6.17);
 *   the self-checks, "mb2kernel: N checks, F failed", and the exit (0 if none failed).
 * Lines starting with LOADER_SPECIFIC ("* ") may differ between loaders given the same
 * command line and modules; the others may not.
 */

/* 3.6.5, 3.6.9: zero-terminated strings (mbi.c checked the terminator is inside the tag). */
static void report_string(const char *label, const struct mb2_tag *t)
{
	const struct mb2_tag_string *s = (const void *)t;

	con_puts(label);
	if (!t) {
		con_puts("no tag\n");
		return;
	}
	con_puts("'");
	con_putsn(s->string, t->size - sizeof(*s));
	con_puts("'\n");
}

static __attribute__((noreturn)) void refuse(const char *why, uint32_t value)
{
	con_puts("mb2kernel: ");
	con_puts(why);
	con_puts(" ");
	con_putx(value);
	con_puts(", not a multiboot2 hand-off\n");
	check("EAX held the multiboot2 magic (3.3)", false);
	checks_summary();
	kexit(EXIT_CRASH);
}

void kmain(void)
{
	/* First, before anything in C writes a static variable. */
	bool bss_was_zero = bss_is_zero();
	struct mbi_index idx;
	bool acpi_ok;

	con_init();
	traps_init();
	con_puts("mb2kernel: minimal multiboot2 kernel\nmultiboot2 magic: ");
	/* 3.3: without the magic, EBX means nothing: do not read through it. */
	if (entry_state.eax != MB2_BOOTLOADER_MAGIC)
		refuse("bad magic in EAX:", entry_state.eax);
	con_puts("ok\n");

	mbi_parse(entry_state.ebx, &idx);
	report_string("command line: ", idx.first[MB2_TAG_CMDLINE]);
	report_string(LOADER_SPECIFIC "boot loader: ", idx.first[MB2_TAG_LOADER_NAME]);
	modules_report(&idx);
	memmap_report(&idx);
	acpi_ok = acpi_report(&idx);

	checks_run(&idx, bss_was_zero, acpi_ok);
	kexit(checks_summary() ? EXIT_CHECK_BAD : EXIT_OK);
}
