/* gdb_fake.h - scripted byte stream and fake guest for the GDB stub's unit tests and fuzzer. */
#ifndef DBGVISOR_GDB_FAKE_H
#define DBGVISOR_GDB_FAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "debug/gdb/gdb_stub.h"

#define FAKE_MEM_BASE 0x400000ull
#define FAKE_MEM_SIZE 0x10000u
/* One unmapped page inside the fake memory. */
#define FAKE_HOLE      (FAKE_MEM_BASE + 0x8000)
#define FAKE_HOLE_SIZE 0x1000u
#define FAKE_IN_MAX    0x20000u
#define FAKE_OUT_MAX   0x40000u
#define FAKE_HW_SLOTS  4
#define FAKE_CALLS_MAX 32

struct fake_hw_call {
	bool set; /* set_hw_bp, else clear_hw_bp */
	enum gdb_bp_type type;
	uint64_t addr;
	unsigned len;
};

struct fake {
	size_t in_len, in_pos;
	bool none_at_end; /* GDB_IO_NONE instead of GDB_IO_CLOSED once the input is used up */
	size_t out_len;
	unsigned sends; /* io.write calls (a packet is one burst of three) */
	struct gdb_regs regs;
	bool is64;
	bool fail_regs;
	int hw_used;
	struct fake_hw_call calls[FAKE_CALLS_MAX];
	size_t ncalls;
	char monitor_cmd[256];
	/* The big buffers last: fake_init clears only what is above (the fuzzer runs it a lot). */
	uint8_t mem[FAKE_MEM_SIZE];
	uint8_t in[FAKE_IN_MAX];
	char out[FAKE_OUT_MAX + 1];
};

static inline int fake_getc(void *ctx)
{
	struct fake *f = ctx;

	if (f->in_pos < f->in_len)
		return f->in[f->in_pos++];
	return f->none_at_end ? GDB_IO_NONE : GDB_IO_CLOSED;
}

static inline void fake_putc(void *ctx, char c)
{
	struct fake *f = ctx;

	if (f->out_len < FAKE_OUT_MAX)
		f->out[f->out_len++] = c;
	f->out[f->out_len] = '\0';
}

static inline void fake_send(void *ctx, const char *buf, size_t len)
{
	struct fake *f = ctx;

	f->sends++;
	for (size_t i = 0; i < len; i++)
		fake_putc(ctx, buf[i]);
}

static inline bool fake_is64(void *ctx)
{
	return ((struct fake *)ctx)->is64;
}

static inline int fake_get_regs(void *ctx, struct gdb_regs *r)
{
	struct fake *f = ctx;

	if (f->fail_regs)
		return -1;
	*r = f->regs;
	return 0;
}

static inline int fake_set_regs(void *ctx, const struct gdb_regs *r)
{
	struct fake *f = ctx;

	if (f->fail_regs)
		return -1;
	f->regs = *r;
	return 0;
}

/* The offset of [gva, gva + len) in mem, or -1 if any byte is outside or in the hole. */
static inline long fake_off(uint64_t gva, size_t len)
{
	uint64_t off = gva - FAKE_MEM_BASE;

	if (gva < FAKE_MEM_BASE || off > FAKE_MEM_SIZE || len > FAKE_MEM_SIZE - off)
		return -1;
	if (gva < FAKE_HOLE + FAKE_HOLE_SIZE && gva + len > FAKE_HOLE)
		return -1;
	return (long)off;
}

static inline int fake_read(void *ctx, uint64_t gva, void *buf, size_t len)
{
	struct fake *f = ctx;
	long off = fake_off(gva, len);

	if (off < 0)
		return -1;
	memcpy(buf, f->mem + off, len);
	return 0;
}

static inline int fake_write(void *ctx, uint64_t gva, const void *buf, size_t len)
{
	struct fake *f = ctx;
	long off = fake_off(gva, len);

	if (off < 0)
		return -1;
	memcpy(f->mem + off, buf, len);
	return 0;
}

static inline void fake_record(struct fake *f, bool set, enum gdb_bp_type t, uint64_t a,
			       unsigned len)
{
	if (f->ncalls < FAKE_CALLS_MAX)
		f->calls[f->ncalls++] = (struct fake_hw_call){set, t, a, len};
}

static inline int fake_set_hw(void *ctx, enum gdb_bp_type t, uint64_t addr, unsigned len)
{
	struct fake *f = ctx;

	fake_record(f, true, t, addr, len);
	if (f->hw_used >= FAKE_HW_SLOTS)
		return -1;
	f->hw_used++;
	return 0;
}

static inline int fake_clear_hw(void *ctx, enum gdb_bp_type t, uint64_t addr, unsigned len)
{
	struct fake *f = ctx;

	fake_record(f, false, t, addr, len);
	if (f->hw_used > 0)
		f->hw_used--;
	return 0;
}

/* "regs" prints rip; "long" fills the buffer; anything else is unknown (with a message). */
static inline int fake_monitor(void *ctx, const char *cmd, char *out, size_t outlen)
{
	struct fake *f = ctx;

	snprintf(f->monitor_cmd, sizeof(f->monitor_cmd), "%s", cmd);
	if (strcmp(cmd, "regs") == 0) {
		snprintf(out, outlen, "rip=%llx\n", (unsigned long long)f->regs.rip);
		return 0;
	}
	if (strcmp(cmd, "long") == 0) {
		memset(out, 'x', outlen - 1);
		out[outlen - 1] = '\0';
		return 0;
	}
	snprintf(out, outlen, "unknown command\n");
	return -1;
}

static inline void fake_init(struct fake *f, struct gdb_io *io, struct gdb_target *t, bool is64)
{
	static uint8_t pattern[FAKE_MEM_SIZE];
	static bool have_pattern;

	if (!have_pattern) {
		for (size_t i = 0; i < FAKE_MEM_SIZE; i++)
			pattern[i] = (uint8_t)(i * 7 + 3);
		have_pattern = true;
	}
	memset(f, 0, offsetof(struct fake, mem));
	memcpy(f->mem, pattern, sizeof(pattern));
	f->out[0] = '\0';
	f->is64 = is64;
	for (unsigned i = 0; i < 16; i++)
		f->regs.gpr[i] = 0x1111111111111111ull * (i % 15 + 1) + i;
	f->regs.rip = FAKE_MEM_BASE + 0x100;
	f->regs.eflags = 0x246;
	f->regs.cs = 0x10;
	f->regs.ss = 0x18;
	f->regs.cr3 = 0x1000;
	f->regs.dr[7] = 0x400;
	*io = (struct gdb_io){.getc = fake_getc, .putc = fake_putc, .write = fake_send, .ctx = f};
	*t = (struct gdb_target){.ctx = f,
				 .is_64bit = fake_is64,
				 .get_regs = fake_get_regs,
				 .set_regs = fake_set_regs,
				 .read_mem = fake_read,
				 .write_mem = fake_write,
				 .set_hw_bp = fake_set_hw,
				 .clear_hw_bp = fake_clear_hw,
				 .monitor = fake_monitor};
}

static inline void fake_raw(struct fake *f, const void *data, size_t len)
{
	if (len > FAKE_IN_MAX - f->in_len)
		len = FAKE_IN_MAX - f->in_len;
	memcpy(f->in + f->in_len, data, len);
	f->in_len += len;
}

/* Append $data#checksum (data may hold any byte, already escaped by the caller). */
static inline void fake_pkt_n(struct fake *f, const void *data, size_t len)
{
	const uint8_t *d = data;
	uint8_t sum = 0;
	char tail[4];

	for (size_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + d[i]);
	fake_raw(f, "$", 1);
	fake_raw(f, data, len);
	snprintf(tail, sizeof(tail), "#%02x", sum);
	fake_raw(f, tail, 3);
}

static inline void fake_pkt(struct fake *f, const char *data)
{
	fake_pkt_n(f, data, strlen(data));
}

/* Expand run-length encoding as gdb does: "X*c" is X and c - 29 more X's. */
static inline bool fake_unrle(const char *in, size_t len, char *buf, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		if (in[i] == '*') {
			int rep;

			if (n == 0 || ++i >= len)
				return false;
			rep = (uint8_t)in[i] - 29;
			if (rep < 3 || n + (size_t)rep >= max)
				return false;
			memset(buf + n, buf[n - 1], (size_t)rep);
			n += (size_t)rep;
		} else {
			if (n + 1 >= max)
				return false;
			buf[n++] = in[i];
		}
	}
	buf[n] = '\0';
	return true;
}

/* Walk the output: the n-th packet's payload (0-based, run-length encoding expanded) into buf;
 * false if there is none or its checksum is wrong. The bytes outside packets (acks) go to acks when
 * it is not NULL. */
static inline bool fake_walk(const struct fake *f, unsigned n, char *buf, size_t max, char *acks,
			     size_t acks_max)
{
	size_t i = 0, na = 0;
	bool found = false;

	for (;;) {
		size_t start, len;
		uint8_t sum = 0;
		unsigned cs;

		while (i < f->out_len && f->out[i] != '$') {
			if (acks && na + 1 < acks_max)
				acks[na++] = f->out[i];
			i++;
		}
		if (acks)
			acks[na] = '\0';
		if (i >= f->out_len)
			return found;
		start = ++i;
		while (i < f->out_len && f->out[i] != '#')
			sum = (uint8_t)(sum + (uint8_t)f->out[i++]);
		if (i + 3 > f->out_len)
			return false;
		len = i - start;
		if (sscanf(f->out + i + 1, "%2x", &cs) != 1 || cs != sum)
			return false;
		i += 3;
		if (buf && !found && n-- == 0) {
			if (!fake_unrle(f->out + start, len, buf, max))
				return false;
			found = true;
			if (!acks)
				return true;
		}
	}
}

static inline bool fake_reply(const struct fake *f, unsigned n, char *buf, size_t max)
{
	return fake_walk(f, n, buf, max, NULL, 0);
}

/* Everything sent outside packets: the '+' and '-' acks. */
static inline const char *fake_acks(const struct fake *f)
{
	static char acks[FAKE_OUT_MAX + 1];

	fake_walk(f, 0, NULL, 0, acks, sizeof(acks));
	return acks;
}

/* How many well-formed packets the stub sent. */
static inline unsigned fake_npackets(const struct fake *f)
{
	static char scratch[FAKE_OUT_MAX + 1];
	unsigned n = 0;

	while (fake_reply(f, n, scratch, sizeof(scratch)))
		n++;
	return n;
}

#endif
