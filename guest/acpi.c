/* acpi.c - find the ACPI tables, hide every CPU but the boot CPU in the MADT, route ISA IRQs. */
#include <stdbool.h>

#include "acpi.h"
#include "core/hw/le.h"
#include "core/hw/string.h"

/* ACPI 6.5, 5.2.5.1 "Finding the RSDP on IA-PC Systems". */
#define BDA_EBDA_SEGMENT 0x40E /* 40:0Eh holds the EBDA's real-mode segment */
#define EBDA_SEARCH_LEN	 1024
#define EBDA_MIN	 0x400 /* sanity bounds on that segment, as ACPICA uses */
#define EBDA_MAX	 0xA0000
#define BIOS_ROM_START	 0xE0000
#define BIOS_ROM_END	 0x100000
#define RSDP_ALIGN	 16
/* 5.2.5.3 "Root System Description Pointer (RSDP) Structure". */
#define RSDP_SIGNATURE	     "RSD PTR "
#define RSDP_SIGNATURE_LEN   8
#define RSDP_REVISION	     15
#define RSDP_RSDT_ADDRESS    16
#define RSDP_LENGTH	     20
#define RSDP_XSDT_ADDRESS    24
#define RSDP_CHECKSUM_LENGTH 20 /* 'checksum' covers the ACPI 1.0 fields only */
#define RSDP_V2_LENGTH	     36 /* through 'reserved': minimum when revision >= 2 */
#define RSDP_REVISION_XSDT   2	/* ACPI 2.0+: XSDT address and extended checksum valid */
/* 5.2.6 "System Description Table Header"; 5.2.7 RSDT, 5.2.8 XSDT entries. */
#define SDT_SIGNATURE	0
#define SDT_LENGTH	4
#define SDT_CHECKSUM	9
#define SDT_HEADER_SIZE 36
#define RSDT_ENTRY_SIZE 4
#define XSDT_ENTRY_SIZE 8
/* 5.2.12 "Multiple APIC Description Table (MADT)": Interrupt Controller Structures. */
#define MADT_ENTRIES	      44 /* header, Local Interrupt Controller Address, Flags */
#define ICS_TYPE	      0
#define ICS_LENGTH	      1
#define ICS_HEADER_SIZE	      2
#define MADT_LOCAL_APIC	      0 /* 5.2.12.2 */
#define LAPIC_APIC_ID	      3
#define LAPIC_FLAGS	      4
#define LAPIC_SIZE	      8
#define MADT_LOCAL_X2APIC     9 /* 5.2.12.12 */
#define X2APIC_ID	      4
#define X2APIC_FLAGS	      8
#define X2APIC_SIZE	      16
#define LAPIC_FLAG_ENABLED    (1u << 0) /* Table 5.23 "Local APIC Flags" */
#define LAPIC_FLAG_ONLINE_CAP (1u << 1)
#define MADT_IOAPIC	      1 /* 5.2.12.3 */
#define IOAPIC_LEN	      12
#define IOAPIC_ADDRESS	      4
#define IOAPIC_GSI_BASE	      8
#define MADT_OVERRIDE	      2 /* 5.2.12.5 */
#define OVERRIDE_LEN	      10
#define OVERRIDE_BUS	      2
#define OVERRIDE_SOURCE	      3
#define OVERRIDE_GSI	      4
#define OVERRIDE_FLAGS	      8
#define OVERRIDE_BUS_ISA      0
/* 5.2.9 "Fixed ACPI Description Table": PM1a_CNT_BLK, a 32-bit I/O port address. */
#define FADT_PM1A_CNT_BLK 64
#define FADT_MIN_LEN	  (FADT_PM1A_CNT_BLK + 4)
#define IO_PORT_MAX	  0xffffu

struct rsdp_info {
	uint8_t revision;
	uint32_t rsdt;
	uint64_t xsdt;
};

uint8_t acpi_sum8(const uint8_t *p, size_t len)
{
	uint8_t s = 0;
	while (len--)
		s = (uint8_t)(s + *p++);
	return s;
}

static const uint8_t *map_ro(acpi_map_fn map, void *ctx, uint64_t gpa, size_t len)
{
	if (gpa > UINT64_MAX - len)
		return NULL;
	return map(gpa, len, ctx);
}

/* Check the RSDP at @gpa (signature, checksum, extended checksum) and pick out its fields. */
static int rsdp_check(acpi_map_fn map, void *ctx, uint64_t gpa, struct rsdp_info *out)
{
	const uint8_t *p = map_ro(map, ctx, gpa, RSDP_CHECKSUM_LENGTH);
	uint32_t len;

	if (!p || memcmp(p, RSDP_SIGNATURE, RSDP_SIGNATURE_LEN) != 0)
		return ACPI_E_NOT_FOUND;
	if (acpi_sum8(p, RSDP_CHECKSUM_LENGTH) != 0)
		return ACPI_E_CHECKSUM;
	out->revision = p[RSDP_REVISION];
	out->rsdt = le32(p + RSDP_RSDT_ADDRESS);
	out->xsdt = 0;
	if (out->revision < RSDP_REVISION_XSDT)
		return ACPI_OK;
	p = map_ro(map, ctx, gpa, RSDP_V2_LENGTH);
	if (!p)
		return ACPI_E_TRUNCATED;
	len = le32(p + RSDP_LENGTH);
	if (len < RSDP_V2_LENGTH)
		return ACPI_E_MALFORMED;
	p = map_ro(map, ctx, gpa, len);
	if (!p)
		return ACPI_E_TRUNCATED;
	if (acpi_sum8(p, len) != 0) /* 'extended checksum': all 'length' bytes */
		return ACPI_E_CHECKSUM;
	out->xsdt = le64(p + RSDP_XSDT_ADDRESS);
	return ACPI_OK;
}

/* Scan [start, end) on 16-byte boundaries; @worst keeps the error of a corrupt candidate. */
static bool rsdp_scan(acpi_map_fn map, void *ctx, uint64_t start, uint64_t end, uint64_t *found,
		      int *worst)
{
	struct rsdp_info info;
	for (uint64_t a = start; a + RSDP_CHECKSUM_LENGTH <= end; a += RSDP_ALIGN) {
		int rc = rsdp_check(map, ctx, a, &info);
		if (rc == ACPI_OK) {
			*found = a;
			return true;
		}
		if (rc != ACPI_E_NOT_FOUND)
			*worst = rc;
	}
	return false;
}

int acpi_find_rsdp(acpi_map_fn map, void *ctx, uint64_t *rsdp_gpa)
{
	const uint8_t *bda;
	uint64_t found = 0, ebda;
	int worst = ACPI_E_NOT_FOUND;

	if (!map || !rsdp_gpa)
		return ACPI_E_NOT_FOUND;
	bda = map_ro(map, ctx, BDA_EBDA_SEGMENT, 2);
	ebda = bda ? (uint64_t)le16(bda) << 4 : 0;
	if (!(ebda >= EBDA_MIN && ebda < EBDA_MAX &&
	      rsdp_scan(map, ctx, ebda, ebda + EBDA_SEARCH_LEN, &found, &worst)) &&
	    !rsdp_scan(map, ctx, BIOS_ROM_START, BIOS_ROM_END, &found, &worst))
		return worst;
	*rsdp_gpa = found;
	return ACPI_OK;
}

/* Map the whole table at @gpa (valid until the next map call): length sane and backed,
 * checksum zero, signature @sig when given. */
static int sdt_map(acpi_map_fn map, void *ctx, uint64_t gpa, const char *sig, uint8_t **t,
		   uint32_t *len)
{
	const uint8_t *h = map_ro(map, ctx, gpa, SDT_HEADER_SIZE);
	if (!h)
		return ACPI_E_TRUNCATED;
	if (sig && memcmp(h + SDT_SIGNATURE, sig, 4) != 0)
		return ACPI_E_MALFORMED;
	*len = le32(h + SDT_LENGTH);
	if (*len < SDT_HEADER_SIZE)
		return ACPI_E_MALFORMED;
	*t = (uint8_t *)map_ro(map, ctx, gpa, *len);
	if (!*t)
		return ACPI_E_TRUNCATED;
	return acpi_sum8(*t, *len) == 0 ? ACPI_OK : ACPI_E_CHECKSUM;
}

/* Check the RSDP at @rsdp_gpa, find the first table signed @sig in its root table (XSDT, else
 * RSDT) and map it with sdt_map. */
static int table_map(acpi_map_fn map, void *ctx, uint64_t rsdp_gpa, const char *sig, uint8_t **t,
		     uint32_t *len)
{
	struct rsdp_info rsdp;
	bool x;
	uint64_t root;
	unsigned esize;
	uint32_t n;
	int rc = map ? rsdp_check(map, ctx, rsdp_gpa, &rsdp) : ACPI_E_NOT_FOUND;

	if (rc)
		return rc;
	x = rsdp.revision >= RSDP_REVISION_XSDT && rsdp.xsdt != 0;
	root = x ? rsdp.xsdt : rsdp.rsdt;
	esize = x ? XSDT_ENTRY_SIZE : RSDT_ENTRY_SIZE;
	if (root == 0)
		return ACPI_E_NOT_FOUND;
	rc = sdt_map(map, ctx, root, x ? "XSDT" : "RSDT", t, len);
	if (rc)
		return rc;
	n = (*len - SDT_HEADER_SIZE) / esize;
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *e =
		    map_ro(map, ctx, root + SDT_HEADER_SIZE + (uint64_t)i * esize, esize);
		uint64_t addr;
		const uint8_t *h;
		if (!e)
			return ACPI_E_TRUNCATED;
		addr = esize == XSDT_ENTRY_SIZE ? le64(e) : le32(e);
		/* Null or unbacked entries cannot be the table we want; skip them. */
		h = addr ? map_ro(map, ctx, addr, SDT_HEADER_SIZE) : NULL;
		if (h && memcmp(h + SDT_SIGNATURE, sig, 4) == 0)
			return sdt_map(map, ctx, addr, sig, t, len);
	}
	return ACPI_E_NOT_FOUND;
}

static int madt_map(acpi_map_fn map, void *ctx, uint64_t rsdp_gpa, uint8_t **t, uint32_t *len)
{
	int rc = table_map(map, ctx, rsdp_gpa, "APIC", t, len);
	return !rc && *len < MADT_ENTRIES ? ACPI_E_MALFORMED : rc;
}

/* 5.2.12: walk the entries, checking every length; count the boot CPU's in @kept, the others
 * enabled or online capable in @disabled, and with @apply clear those two flags in them. */
static int madt_walk(uint8_t *t, uint32_t len, uint32_t bsp, bool apply, unsigned *disabled,
		     unsigned *kept)
{
	const uint32_t clear = LAPIC_FLAG_ENABLED | LAPIC_FLAG_ONLINE_CAP;
	uint32_t off, elen;

	*disabled = *kept = 0;
	for (off = MADT_ENTRIES; off < len; off += elen) {
		uint32_t id, flags_off;
		if (len - off < ICS_HEADER_SIZE)
			return ACPI_E_TRUNCATED;
		elen = t[off + ICS_LENGTH];
		if (elen < ICS_HEADER_SIZE)
			return ACPI_E_MALFORMED; /* would loop forever or misparse */
		if (elen > len - off)
			return ACPI_E_TRUNCATED;
		if (t[off + ICS_TYPE] == MADT_LOCAL_APIC) {
			if (elen < LAPIC_SIZE)
				return ACPI_E_MALFORMED;
			id = t[off + LAPIC_APIC_ID];
			flags_off = off + LAPIC_FLAGS;
		} else if (t[off + ICS_TYPE] == MADT_LOCAL_X2APIC) {
			if (elen < X2APIC_SIZE)
				return ACPI_E_MALFORMED;
			id = le32(t + off + X2APIC_ID);
			flags_off = off + X2APIC_FLAGS;
		} else {
			continue;
		}
		if (id == bsp) {
			(*kept)++;
		} else if (le32(t + flags_off) & clear) {
			(*disabled)++;
			if (apply)
				put_le32(t + flags_off, le32(t + flags_off) & ~clear);
		}
	}
	return ACPI_OK;
}

int acpi_madt_disable_aps(acpi_map_fn map, void *ctx, uint64_t rsdp_gpa, uint32_t bsp_apic_id,
			  unsigned *disabled, unsigned *kept)
{
	unsigned ndis = 0, nkept = 0;
	uint8_t *t;
	uint32_t len;
	int rc = madt_map(map, ctx, rsdp_gpa, &t, &len);

	if (!rc) /* validate everything before writing anything */
		rc = madt_walk(t, len, bsp_apic_id, false, &ndis, &nkept);
	if (!rc && nkept == 0)
		rc = ACPI_E_NO_BSP;
	if (!rc && ndis) {
		madt_walk(t, len, bsp_apic_id, true, &ndis, &nkept);
		t[SDT_CHECKSUM] = 0;
		t[SDT_CHECKSUM] = (uint8_t)(0x100 - acpi_sum8(t, len));
	}
	if (disabled)
		*disabled = rc ? 0 : ndis;
	if (kept)
		*kept = rc ? 0 : nkept;
	return rc;
}

int acpi_isa_irq_route(acpi_map_fn map, void *ctx, uint64_t rsdp_gpa, uint8_t irq,
		       struct acpi_isa_route *out)
{
	uint8_t *t;
	uint32_t len, off, elen;
	bool found = false;
	int rc = madt_map(map, ctx, rsdp_gpa, &t, &len);

	if (rc)
		return rc;
	*out = (struct acpi_isa_route){.gsi = irq};
	/* The override first: it names the GSI the I/O APIC is then chosen for. */
	for (off = MADT_ENTRIES; off + ICS_HEADER_SIZE <= len; off += elen) {
		elen = t[off + ICS_LENGTH];
		if (elen < ICS_HEADER_SIZE || off + elen > len)
			return ACPI_E_MALFORMED;
		if (t[off + ICS_TYPE] == MADT_OVERRIDE && elen >= OVERRIDE_LEN &&
		    t[off + OVERRIDE_BUS] == OVERRIDE_BUS_ISA && t[off + OVERRIDE_SOURCE] == irq) {
			out->gsi = le32(t + off + OVERRIDE_GSI);
			out->flags = le16(t + off + OVERRIDE_FLAGS);
		}
	}
	/* The I/O APIC whose range starts closest below the GSI serves it. */
	for (off = MADT_ENTRIES; off + ICS_HEADER_SIZE <= len; off += elen) {
		elen = t[off + ICS_LENGTH];
		if (t[off + ICS_TYPE] != MADT_IOAPIC || elen < IOAPIC_LEN)
			continue;
		uint32_t base = le32(t + off + IOAPIC_GSI_BASE);
		if (base <= out->gsi && (!found || base > out->gsi_base)) {
			out->gsi_base = base;
			out->ioapic = le32(t + off + IOAPIC_ADDRESS);
			found = true;
		}
	}
	return found ? ACPI_OK : ACPI_E_NOT_FOUND;
}

int acpi_pm1a_cnt_port(acpi_map_fn map, void *ctx, uint64_t rsdp_gpa, uint16_t *port)
{
	uint8_t *t;
	uint32_t len, blk;
	int rc = table_map(map, ctx, rsdp_gpa, "FACP", &t, &len);
	if (rc)
		return rc;
	if (len < FADT_MIN_LEN)
		return ACPI_E_MALFORMED;
	blk = le32(t + FADT_PM1A_CNT_BLK);
	if (blk == 0 || blk > IO_PORT_MAX)
		return ACPI_E_NOT_FOUND; /* hardware-reduced ACPI, or only an MMIO block */
	*port = (uint16_t)blk;
	return ACPI_OK;
}

const char *acpi_strerror(int err)
{
	static const char *const msg[] = {
	    [-ACPI_OK] = "ok",
	    [-ACPI_E_NOT_FOUND] = "ACPI table not found",
	    [-ACPI_E_CHECKSUM] = "ACPI table has a bad checksum",
	    [-ACPI_E_TRUNCATED] = "ACPI table truncated or unmapped",
	    [-ACPI_E_MALFORMED] = "ACPI table malformed",
	    [-ACPI_E_NO_BSP] = "MADT does not list the boot CPU",
	};
	if (err > 0 || err <= -(int)(NELEMS(msg)))
		return "unknown ACPI error";
	return msg[-err];
}

size_t acpi_rsdp_copy(const uint8_t *rsdp, uint8_t out[ACPI_RSDP_MAX])
{
	size_t len = RSDP_CHECKSUM_LENGTH;
	if (rsdp[RSDP_REVISION] >= RSDP_REVISION_XSDT && le32(rsdp + RSDP_LENGTH) == RSDP_V2_LENGTH)
		len = RSDP_V2_LENGTH;
	memcpy(out, rsdp, len);
	return len;
}
