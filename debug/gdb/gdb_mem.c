/* gdb_mem.c - guest memory packets (m, M, X) and breakpoints (Z, z), hiding our INT3 bytes. */
#include "gdb_internal.h"

#define INT3_OPCODE   0xcc
#define GDB_PAGE_SIZE 4096ull
#define SEP_ARG	      ','
#define SEP_DATA      ':'
#define SEP_COND      ';'

static struct gdb_sw_bp *find_sw(struct gdb_stub *s, uint64_t addr)
{
	for (size_t i = 0; i < GDB_SW_BP_MAX; i++)
		if (s->sw[i].used && s->sw[i].addr == addr)
			return &s->sw[i];
	return NULL;
}

/* An INT3 byte of ours is in guest memory at this breakpoint. */
static bool planted(const struct gdb_sw_bp *bp)
{
	return bp->used && !bp->hidden;
}

bool gdb_owns_sw_bp(const struct gdb_stub *s, uint64_t addr)
{
	const struct gdb_sw_bp *bp = find_sw((struct gdb_stub *)s, addr);
	return bp && planted(bp);
}

static bool parse_addr_len(const char **arg, uint64_t *addr, uint64_t *len)
{
	return gdb_parse_hex(arg, addr) && *(*arg)++ == SEP_ARG && gdb_parse_hex(arg, len);
}

/* Read what is mapped of [addr, addr + len), page by page; returns the bytes read. */
static size_t read_prefix(struct gdb_stub *s, uint64_t addr, uint8_t *buf, size_t len)
{
	size_t done = 0;
	while (done < len) {
		uint64_t a = addr + done;
		size_t chunk = (size_t)(GDB_PAGE_SIZE - (a & (GDB_PAGE_SIZE - 1)));
		if (chunk > len - done)
			chunk = len - done;
		if (s->tgt.read_mem(s->tgt.ctx, a, buf + done, chunk) != 0)
			break;
		done += chunk;
	}
	return done;
}

const char *gdb_cmd_read_mem(struct gdb_stub *s, const char *arg)
{
	uint64_t addr, len;
	size_t n;
	if (!parse_addr_len(&arg, &addr, &len) || *arg || len == 0)
		return GDB_E_INVAL;
	if (len > GDB_MEM_MAX)
		len = GDB_MEM_MAX; /* a short reply is allowed; gdb asks for the rest */
	n = read_prefix(s, addr, s->mem, (size_t)len);
	if (n == 0)
		return GDB_E_FAULT;
	for (size_t i = 0; i < GDB_SW_BP_MAX; i++) { /* show the guest's bytes, not our INT3s */
		uint64_t off = s->sw[i].addr - addr;
		if (planted(&s->sw[i]) && off < n)
			s->mem[off] = s->sw[i].orig;
	}
	gdb_proto_begin(&s->proto);
	gdb_proto_put_hex(&s->proto, s->mem, n);
	gdb_proto_end(&s->proto);
	return NULL;
}

/* Write buf to the guest; bytes under our breakpoints update the saved original instead. */
static const char *write_shadowed(struct gdb_stub *s, uint64_t addr, uint8_t *buf, size_t len)
{
	uint8_t newval[GDB_SW_BP_MAX];
	for (size_t i = 0; i < GDB_SW_BP_MAX; i++) {
		uint64_t off = s->sw[i].addr - addr;
		if (planted(&s->sw[i]) && off < len) {
			newval[i] = buf[off];
			buf[off] = INT3_OPCODE;
		}
	}
	if (s->tgt.write_mem(s->tgt.ctx, addr, buf, len) != 0)
		return GDB_E_FAULT;
	for (size_t i = 0; i < GDB_SW_BP_MAX; i++)
		if (planted(&s->sw[i]) && s->sw[i].addr - addr < len)
			s->sw[i].orig = newval[i];
	return GDB_OK;
}

/* M addr,len:hex or X addr,len:binary; len is the bytes from arg to the packet's end. */
const char *gdb_cmd_write_mem(struct gdb_stub *s, const char *arg, size_t len, bool binary)
{
	const char *start = arg;
	uint64_t addr, n;
	size_t got = 0, datalen;
	if (!parse_addr_len(&arg, &addr, &n) || *arg++ != SEP_DATA || n > GDB_WRITE_MAX)
		return GDB_E_INVAL;
	datalen = len - (size_t)(arg - start);
	if (binary ? !gdb_unescape(arg, datalen, s->mem, GDB_WRITE_MAX, &got) || got != n
		   : datalen != 2 * n || !gdb_hex_decode(arg, s->mem, (size_t)n))
		return GDB_E_INVAL;
	if (n == 0) /* gdb probes X support with a zero-length write */
		return GDB_OK;
	return write_shadowed(s, addr, s->mem, (size_t)n);
}

static const char *insert_sw(struct gdb_stub *s, uint64_t addr)
{
	const uint8_t int3 = INT3_OPCODE;
	struct gdb_sw_bp *bp = NULL;
	uint8_t orig = 0;

	if (find_sw(s, addr))
		return GDB_OK; /* already there: its saved byte is the guest's, keep it */
	for (size_t i = 0; i < GDB_SW_BP_MAX && !bp; i++)
		if (!s->sw[i].used)
			bp = &s->sw[i];
	if (!bp)
		return GDB_E_NOSPC;
	if (s->tgt.set_sw_bp) {
		if (s->tgt.set_sw_bp(s->tgt.ctx, addr) != 0)
			return GDB_E_NOSPC;
	} else if (s->tgt.read_mem(s->tgt.ctx, addr, &orig, 1) != 0 ||
		   s->tgt.write_mem(s->tgt.ctx, addr, &int3, 1) != 0) {
		return GDB_E_FAULT;
	}
	*bp = (struct gdb_sw_bp){
	    .addr = addr, .orig = orig, .used = true, .hidden = s->tgt.set_sw_bp != NULL};
	return GDB_OK;
}

static const char *remove_sw(struct gdb_stub *s, uint64_t addr)
{
	struct gdb_sw_bp *bp = find_sw(s, addr);
	int rc;
	if (!bp)
		return GDB_OK;
	rc = bp->hidden ? s->tgt.clear_sw_bp(s->tgt.ctx, addr)
			: s->tgt.write_mem(s->tgt.ctx, addr, &bp->orig, 1);
	bp->used = false; /* forgotten even if the page went away: it cannot trap any more */
	return rc == 0 ? GDB_OK : GDB_E_FAULT;
}

static struct gdb_hw_bp *find_hw(struct gdb_stub *s, enum gdb_bp_type t, uint64_t a, unsigned len)
{
	for (struct gdb_hw_bp *h = s->hw; h < s->hw + GDB_HW_BP_MAX; h++)
		if (h->used && h->type == t && h->addr == a && h->len == len)
			return h;
	return NULL;
}

static const char *insert_hw(struct gdb_stub *s, enum gdb_bp_type t, uint64_t addr, unsigned len)
{
	struct gdb_hw_bp *h = NULL;
	if (find_hw(s, t, addr, len))
		return GDB_OK;
	for (size_t i = 0; i < GDB_HW_BP_MAX && !h; i++)
		if (!s->hw[i].used)
			h = &s->hw[i];
	if (!h || s->tgt.set_hw_bp(s->tgt.ctx, t, addr, len) != 0)
		return GDB_E_NOSPC;
	*h = (struct gdb_hw_bp){.addr = addr, .type = t, .len = len, .used = true};
	return GDB_OK;
}

static const char *remove_hw(struct gdb_stub *s, enum gdb_bp_type t, uint64_t addr, unsigned len)
{
	struct gdb_hw_bp *h = find_hw(s, t, addr, len);
	if (!h)
		return GDB_OK;
	h->used = false;
	return s->tgt.clear_hw_bp(s->tgt.ctx, t, addr, len) == 0 ? GDB_OK : GDB_E_INVAL;
}

/* Z/z type,addr,kind[;cond...]: kind is the INT3 size for 0/1, the length for 2-4. */
const char *gdb_cmd_breakpoint(struct gdb_stub *s, const char *arg, bool insert)
{
	uint64_t type, addr, kind;
	if (!gdb_parse_hex(&arg, &type) || *arg++ != SEP_ARG)
		return GDB_E_INVAL;
	if (type > GDB_WP_ACCESS)
		return ""; /* a kind of breakpoint we do not know */
	if (!parse_addr_len(&arg, &addr, &kind) || (*arg && *arg != SEP_COND))
		return GDB_E_INVAL;
	if (type == GDB_BP_SW)
		return insert ? insert_sw(s, addr) : remove_sw(s, addr);
	if (!s->tgt.set_hw_bp || !s->tgt.clear_hw_bp)
		return ""; /* unsupported */
	if (kind != 1 && kind != 2 && kind != 4 && kind != 8)
		return GDB_E_INVAL; /* the lengths x86 debug registers have */
	return insert ? insert_hw(s, (enum gdb_bp_type)type, addr, (unsigned)kind)
		      : remove_hw(s, (enum gdb_bp_type)type, addr, (unsigned)kind);
}

void gdb_remove_all(struct gdb_stub *s)
{
	for (size_t i = 0; i < GDB_SW_BP_MAX; i++)
		if (s->sw[i].used)
			(void)remove_sw(s, s->sw[i].addr);
	for (size_t i = 0; i < GDB_HW_BP_MAX; i++) {
		struct gdb_hw_bp *h = &s->hw[i];
		if (h->used && s->tgt.clear_hw_bp)
			(void)s->tgt.clear_hw_bp(s->tgt.ctx, h->type, h->addr, h->len);
		h->used = false;
	}
}
