/* mptable.c - find the Intel MP table and hide every CPU but the boot CPU in it (MP spec 1.4). */
#include <stdbool.h>

#include "acpi.h"
#include "core/hw/le.h"
#include "core/hw/string.h"

/* MP spec 1.4, 4.1 "MP Floating Pointer Structure". */
#define FP_SIGNATURE   "_MP_"
#define FP_SIZE	       16
#define FP_PHYS_PTR    4
#define FP_FEATURE1    11 /* non-zero: a default configuration, no table */
#define FP_ALIGN       16
#define BDA_EBDA_SEG   0x40E
#define EBDA_SEARCH    1024
#define BASE_MEM_TOP   0xA0000 /* 640 KiB: its last KiB is searched without an EBDA */
#define BIOS_ROM_START 0xF0000
#define BIOS_ROM_END   0x100000
/* 4.2 "MP Configuration Table Header". */
#define CFG_SIGNATURE	"PCMP"
#define CFG_BASE_LEN	4
#define CFG_CHECKSUM	7
#define CFG_ENTRY_COUNT 34
#define CFG_HEADER_SIZE 44
#define CFG_MAX_LEN	0x10000 /* a 16-bit length */
/* 4.3: a processor entry is 20 bytes, the others 8. */
#define ENTRY_PROCESSOR	  0
#define PROCESSOR_SIZE	  20
#define OTHER_ENTRY_SIZE  8
#define PROCESSOR_APIC_ID 1
#define PROCESSOR_FLAGS	  3
#define PROCESSOR_FLAG_EN (1u << 0)
#define SIGNATURE_LEN	  4

static bool scan(acpi_map_fn map, void *ctx, uint64_t start, uint64_t end, const uint8_t **fp)
{
	for (uint64_t a = start; a + FP_SIZE <= end; a += FP_ALIGN) {
		const uint8_t *p = map(a, FP_SIZE, ctx);
		if (p && memcmp(p, FP_SIGNATURE, SIGNATURE_LEN) == 0 &&
		    acpi_sum8(p, FP_SIZE) == 0) {
			*fp = p;
			return true;
		}
	}
	return false;
}

int mptable_find(acpi_map_fn map, void *ctx, uint64_t *cfg_gpa, uint32_t *cfg_len)
{
	const uint8_t *fp = 0, *bda = map ? map(BDA_EBDA_SEG, 2, ctx) : 0;
	uint64_t ebda = bda ? (uint64_t)le16(bda) << 4 : 0;
	const uint8_t *h;
	if (!map)
		return ACPI_E_NOT_FOUND;
	if (!(ebda && ebda < BASE_MEM_TOP && scan(map, ctx, ebda, ebda + EBDA_SEARCH, &fp)) &&
	    !scan(map, ctx, BASE_MEM_TOP - EBDA_SEARCH, BASE_MEM_TOP, &fp) &&
	    !scan(map, ctx, BIOS_ROM_START, BIOS_ROM_END, &fp))
		return ACPI_E_NOT_FOUND;
	if (fp[FP_FEATURE1] || !le32(fp + FP_PHYS_PTR))
		return ACPI_E_NOT_FOUND;
	*cfg_gpa = le32(fp + FP_PHYS_PTR);
	h = map(*cfg_gpa, CFG_HEADER_SIZE, ctx);
	if (!h)
		return ACPI_E_TRUNCATED;
	if (memcmp(h, CFG_SIGNATURE, SIGNATURE_LEN) != 0)
		return ACPI_E_MALFORMED;
	*cfg_len = le16(h + CFG_BASE_LEN);
	return *cfg_len < CFG_HEADER_SIZE ? ACPI_E_MALFORMED : ACPI_OK;
}

/* 4.3: walk the entries, checking every size; with @apply, clear the others' EN flag. */
static int walk(uint8_t *cfg, uint32_t len, uint8_t bsp, bool apply, unsigned *disabled,
		unsigned *kept)
{
	uint32_t off = CFG_HEADER_SIZE;
	*disabled = *kept = 0;
	for (unsigned i = 0; i < le16(cfg + CFG_ENTRY_COUNT); i++) {
		uint32_t size;
		if (off >= len)
			return ACPI_E_TRUNCATED;
		size = cfg[off] == ENTRY_PROCESSOR ? PROCESSOR_SIZE : OTHER_ENTRY_SIZE;
		if (len - off < size)
			return ACPI_E_TRUNCATED;
		if (cfg[off] == ENTRY_PROCESSOR &&
		    (cfg[off + PROCESSOR_FLAGS] & PROCESSOR_FLAG_EN)) {
			if (cfg[off + PROCESSOR_APIC_ID] == bsp) {
				(*kept)++;
			} else {
				(*disabled)++;
				if (apply)
					cfg[off + PROCESSOR_FLAGS] &= (uint8_t)~PROCESSOR_FLAG_EN;
			}
		}
		off += size;
	}
	return ACPI_OK;
}

int mptable_disable_aps(uint8_t *cfg, uint32_t len, uint8_t bsp_apic_id, unsigned *disabled)
{
	unsigned kept;
	int rc;
	*disabled = 0;
	if (len < CFG_HEADER_SIZE || len > CFG_MAX_LEN || le16(cfg + CFG_BASE_LEN) != len ||
	    memcmp(cfg, CFG_SIGNATURE, SIGNATURE_LEN) != 0)
		return ACPI_E_MALFORMED;
	if (acpi_sum8(cfg, len) != 0)
		return ACPI_E_CHECKSUM;
	rc = walk(cfg, len, bsp_apic_id, false, disabled, &kept);
	if (rc)
		return rc;
	if (!kept)
		return ACPI_E_NO_BSP;
	if (*disabled) {
		walk(cfg, len, bsp_apic_id, true, disabled, &kept);
		cfg[CFG_CHECKSUM] = 0;
		cfg[CFG_CHECKSUM] = (uint8_t)(0x100 - acpi_sum8(cfg, len));
	}
	return ACPI_OK;
}
