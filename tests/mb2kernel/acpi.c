/* acpi.c - mb2kernel's check of the RSDP copies in the ACPI tags (spec 3.6.16, 3.6.17). */
#include "mb2kernel.h"

/*
 * The RSDP as the ACPI specification defines it ("Root System Description Pointer"): the
 * ACPI 1.0 part is 20 bytes whose byte sum is 0; ACPI 2.0 (revision 2) appends a length, the
 * XSDT address and an extended checksum that makes the byte sum of all 'length' bytes 0.
 */
#define RSDP_SIGNATURE	   "RSD PTR "
#define RSDP_SIGNATURE_LEN 8
#define RSDP_OEM_ID_LEN	   6
#define RSDP_REVISION_2	   2

struct rsdp {
	char signature[RSDP_SIGNATURE_LEN];
	uint8_t checksum;
	char oem_id[RSDP_OEM_ID_LEN];
	uint8_t revision;
	uint32_t rsdt_address;
	/* ACPI 2.0 and later */
	uint32_t length;
	uint64_t xsdt_address;
	uint8_t extended_checksum;
	uint8_t reserved[3];
} __attribute__((packed));

_Static_assert(offsetof(struct rsdp, length) == MB2_RSDP_V1_SIZE, "ACPI 1.0 RSDP size");
_Static_assert(sizeof(struct rsdp) == MB2_RSDP_V2_SIZE, "ACPI 2.0 RSDP size");

static uint8_t byte_sum(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	while (len--)
		sum = (uint8_t)(sum + *b++);
	return sum;
}

static bool signature_ok(const struct rsdp *r)
{
	for (unsigned i = 0; i < RSDP_SIGNATURE_LEN; i++)
		if (r->signature[i] != RSDP_SIGNATURE[i])
			return false;
	return true;
}

static void put_ok(const char *what, bool ok)
{
	con_puts(what);
	con_puts(ok ? " ok" : " BAD");
}

/*
 * One line per tag type. 3.6.16 (type 14) holds a copy of the ACPI 1.0 RSDP, 3.6.17 (type 15)
 * a copy of an ACPI 2.0 or later one; mbi.c checked the tag is big enough for either.
 * Returns whether the tag is absent or holds a valid RSDP.
 */
static bool report_tag(const char *label, const struct mb2_tag *t, bool v2)
{
	const struct rsdp *r;
	bool ok;

	con_puts(label);
	if (!t) {
		con_puts("absent\n");
		return true;
	}
	r = (const void *)((const struct mb2_tag_rsdp *)t)->rsdp;
	ok = signature_ok(r) && byte_sum(r, MB2_RSDP_V1_SIZE) == 0;
	con_puts("present,");
	put_ok(" signature", signature_ok(r));
	put_ok(", checksum", byte_sum(r, MB2_RSDP_V1_SIZE) == 0);
	con_puts(", revision ");
	con_putu(r->revision);
	if (v2) {
		/* The copy must hold all 'length' bytes the extended checksum covers. */
		bool fits =
		    r->length >= MB2_RSDP_V2_SIZE && r->length <= t->size - sizeof(struct mb2_tag);
		bool xsum = fits && byte_sum(r, r->length) == 0;

		con_puts(", length ");
		con_putu(r->length);
		put_ok(", extended checksum", xsum);
		ok = ok && xsum && r->revision >= RSDP_REVISION_2;
	}
	con_puts("\n");
	return ok;
}

bool acpi_report(const struct mbi_index *idx)
{
	bool old_ok = report_tag("acpi old RSDP (tag 14): ", idx->first[MB2_TAG_ACPI_OLD], false);
	bool new_ok = report_tag("acpi new RSDP (tag 15): ", idx->first[MB2_TAG_ACPI_NEW], true);

	return old_ok && new_ok;
}
