/* modules.c - mb2kernel's module report (spec 3.6.6): string, size, CRC32, page alignment. */
#include "mb2kernel.h"

/*
 * CRC-32 as zlib, gzip and Python's zlib.crc32 compute it (reflected polynomial 0x04c11db7,
 * initial and final XOR with all ones), so a test can compute the expected value on the host.
 */
#define CRC32_POLY_REFLECTED 0xedb88320u
#define BITS_PER_BYTE	     8

/* zlib-style: start with 0, feed the previous result to continue over another range. */
uint32_t crc32(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	crc = ~crc;
	while (len--) {
		crc ^= *p++;
		for (int b = 0; b < BITS_PER_BYTE; b++)
			crc = (crc >> 1) ^ (CRC32_POLY_REFLECTED & (0u - (crc & 1)));
	}
	return ~crc;
}

/*
 * 3.6.6: one tag per module, in the order the loader was given them; the module occupies
 * [mod_start, mod_end) and its string is what followed the file name on the loader's module
 * line. 3.1.11: with the module alignment tag in the header, mod_start must be page aligned.
 */
static void report_one(unsigned i, const struct mb2_tag_module *m)
{
	size_t string_max = m->tag.size - sizeof(*m);

	con_puts("module ");
	con_putu(i);
	con_puts(": '");
	con_putsn(m->string, string_max);
	con_puts("' ");
	if (m->mod_end < m->mod_start) {
		con_puts("ends before it starts\n");
	} else {
		uint32_t size = m->mod_end - m->mod_start;

		con_putu(size);
		con_puts(" bytes, crc32 ");
		con_putx(crc32(0, (const void *)m->mod_start, size));
		con_puts(", page-aligned ");
		con_yesno(m->mod_start % PAGE_SIZE == 0);
		con_puts("\n");
	}
	con_puts(LOADER_SPECIFIC "module ");
	con_putu(i);
	con_puts(" at [");
	con_putx(m->mod_start);
	con_puts(", ");
	con_putx(m->mod_end);
	con_puts(")\n");
}

void modules_report(const struct mbi_index *idx)
{
	unsigned shown = idx->nmodules < MAX_MODULES ? idx->nmodules : MAX_MODULES;

	con_puts("modules: ");
	con_putu(idx->nmodules);
	if (shown < idx->nmodules) {
		con_puts(", the first ");
		con_putu(shown);
		con_puts(" reported");
	}
	con_puts("\n");
	for (unsigned i = 0; i < shown; i++)
		report_one(i, idx->modules[i]);
}
