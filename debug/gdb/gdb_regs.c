/* gdb_regs.c - the g, G, p and P packets: registers in the target description's order and width. */
#include "core/hw/string.h"
#include "gdb_internal.h"

#define BITS_PER_BYTE 8

/* Register values travel in target (x86, little-endian) byte order: host order here. */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "little-endian host assumed");

static size_t reg_bytes(const struct gdb_reg_desc *d)
{
	return d->bits / BITS_PER_BYTE;
}

/* Narrower registers (i386 eax as gpr[0]) see the low bytes; wider ones (st0) pad with 0. */
static void put_reg(struct gdb_stub *s, const struct gdb_regs *r, const struct gdb_reg_desc *d)
{
	uint8_t val[GDB_REG_BYTES_MAX] = {0};
	memcpy(val, (const uint8_t *)r + d->off, d->size < reg_bytes(d) ? d->size : reg_bytes(d));
	gdb_proto_put_hex(&s->proto, val, reg_bytes(d));
}

/* Writes replace only the bytes the register covers: an i386 write keeps the upper half. */
static void reg_set(struct gdb_regs *r, const struct gdb_reg_desc *d, const uint8_t *val)
{
	size_t n = reg_bytes(d);
	memcpy((uint8_t *)r + d->off, val, d->size < n ? d->size : n);
}

void gdb_put_reg(struct gdb_stub *s, const struct gdb_regs *r, unsigned regno)
{
	size_t count;
	const struct gdb_reg_desc *regs = gdb_reg_table(s->is64, &count);
	if (regno < count)
		put_reg(s, r, &regs[regno]);
}

const char *gdb_cmd_read_regs(struct gdb_stub *s)
{
	struct gdb_regs r;
	size_t count;
	if (s->tgt.get_regs(s->tgt.ctx, &r) != 0)
		return GDB_E_TARGET;
	(void)gdb_reg_table(s->is64, &count);
	gdb_proto_begin(&s->proto);
	for (unsigned i = 0; i < count; i++)
		gdb_put_reg(s, &r, i);
	gdb_proto_end(&s->proto);
	return NULL;
}

const char *gdb_cmd_write_regs(struct gdb_stub *s, const char *hex, size_t len)
{
	size_t count, total = 0;
	const struct gdb_reg_desc *regs = gdb_reg_table(s->is64, &count);
	uint8_t val[GDB_REG_BYTES_MAX];
	struct gdb_regs r;
	for (size_t i = 0; i < count; i++)
		total += reg_bytes(&regs[i]);
	if (len != 2 * total)
		return GDB_E_INVAL;
	if (s->tgt.get_regs(s->tgt.ctx, &r) != 0)
		return GDB_E_TARGET;
	for (size_t i = 0; i < count; i++) {
		size_t n = reg_bytes(&regs[i]);
		if (!gdb_hex_decode(hex, val, n))
			return GDB_E_INVAL;
		reg_set(&r, &regs[i], val);
		hex += 2 * n;
	}
	return s->tgt.set_regs(s->tgt.ctx, &r) == 0 ? GDB_OK : GDB_E_TARGET;
}

/* "n" (p) or "n=value" (P): the register number, checked against the layout. */
static const struct gdb_reg_desc *parse_regno(struct gdb_stub *s, const char **arg)
{
	size_t count;
	const struct gdb_reg_desc *regs = gdb_reg_table(s->is64, &count);
	uint64_t n;
	return gdb_parse_hex(arg, &n) && n < count ? &regs[n] : NULL;
}

const char *gdb_cmd_read_reg(struct gdb_stub *s, const char *arg)
{
	const struct gdb_reg_desc *d = parse_regno(s, &arg);
	struct gdb_regs r;
	if (!d || *arg)
		return GDB_E_INVAL;
	if (s->tgt.get_regs(s->tgt.ctx, &r) != 0)
		return GDB_E_TARGET;
	gdb_proto_begin(&s->proto);
	put_reg(s, &r, d);
	gdb_proto_end(&s->proto);
	return NULL;
}

const char *gdb_cmd_write_reg(struct gdb_stub *s, const char *arg)
{
	const struct gdb_reg_desc *d = parse_regno(s, &arg);
	uint8_t val[GDB_REG_BYTES_MAX];
	struct gdb_regs r;
	if (!d || *arg++ != '=' || strlen(arg) != 2 * reg_bytes(d) ||
	    !gdb_hex_decode(arg, val, reg_bytes(d)))
		return GDB_E_INVAL;
	if (d->size == 0) /* x87: accepted and ignored */
		return GDB_OK;
	if (s->tgt.get_regs(s->tgt.ctx, &r) != 0)
		return GDB_E_TARGET;
	reg_set(&r, d, val);
	return s->tgt.set_regs(s->tgt.ctx, &r) == 0 ? GDB_OK : GDB_E_TARGET;
}
