/* gdb_proto.c - GDB remote serial protocol framing: packet parser, acks, retransmit, escapes. */
#include <stdarg.h>

#include "core/hw/printf.h"
#include "core/hw/string.h"
#include "gdb_proto.h"

#define HEX_DIGITS  "0123456789abcdef"
#define U64_HEX_MAX 16
#define QSUPPORTED  "qSupported"
#define PKT_START   '$'
#define PKT_END	    '#'
#define ACK	    '+'
#define NAK	    '-'
#define RLE_MARK    '*'
#define NIBBLE_BITS 4
#define NIBBLE_MASK 0xf

void gdb_proto_reset(struct gdb_proto *p)
{
	p->rx_state = GDB_RX_IDLE;
	p->no_ack = p->ack_pending = p->closed = p->tx_overflow = false;
	p->rx_len = p->tx_len = 0;
}

void gdb_proto_init(struct gdb_proto *p, const struct gdb_io *io)
{
	memset(p, 0, sizeof(*p)); /* the reset state */
	p->io = *io;
}

int gdb_hex_val(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool gdb_starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static void put_raw(struct gdb_proto *p, const char *buf, size_t len)
{
	p->tx_bytes += len;
	if (p->io.write)
		p->io.write(p->io.ctx, buf, len);
	else
		for (size_t i = 0; i < len; i++)
			p->io.putc(p->io.ctx, buf[i]);
}

/* Replies are run-length encoded (gdb manual, "Overview"): "X*c" is X and c - 29 more X's; the
 * count must be printable, never '#' or '$' (6 and 7 say 5). Binary data escapes a raw '*'. */
#define RLE_MARK_MIN 3
#define RLE_BIAS     29
#define RLE_MAX	     ('~' - RLE_BIAS)
#define TX_CHUNK     64 /* bytes handed to io.write at a time */

/* How many copies following tx[i] one count can stand for (0: not worth it). */
static size_t rle_repeats(const struct gdb_proto *p, size_t i)
{
	size_t n = 0;
	while (i + 1 + n < p->tx_len && n < RLE_MAX && p->tx[i + 1 + n] == p->tx[i])
		n++;
	if (n < RLE_MARK_MIN)
		return 0;
	while (n + RLE_BIAS == PKT_START || n + RLE_BIAS == PKT_END)
		n--;
	return n;
}

struct tx_buf {
	char b[TX_CHUNK];
	size_t n;
	uint8_t sum; /* over what follows '$' */
};

static void tx_put(struct gdb_proto *p, struct tx_buf *t, char c)
{
	if (t->n == sizeof(t->b)) {
		put_raw(p, t->b, t->n);
		t->n = 0;
	}
	t->b[t->n++] = c;
	t->sum = (uint8_t)(t->sum + (uint8_t)c);
}

/* $payload#cs, one io.write per TX_CHUNK bytes; tx keeps the payload as built, for a resend. */
static void transmit(struct gdb_proto *p)
{
	struct tx_buf t = {.b = {PKT_START}, .n = 1};
	uint8_t sum;
	for (size_t i = 0; i < p->tx_len;) {
		size_t rep = rle_repeats(p, i);
		tx_put(p, &t, p->tx[i]);
		if (rep) {
			tx_put(p, &t, RLE_MARK);
			tx_put(p, &t, (char)(rep + RLE_BIAS));
		}
		i += 1 + rep;
	}
	sum = t.sum;
	tx_put(p, &t, PKT_END);
	tx_put(p, &t, HEX_DIGITS[sum >> NIBBLE_BITS]);
	tx_put(p, &t, HEX_DIGITS[sum & NIBBLE_MASK]);
	put_raw(p, t.b, t.n);
}

/* The acknowledgement byte, + or -, unless gdb turned them off (QStartNoAckMode). */
static void send_ack_byte(struct gdb_proto *p, char c)
{
	if (!p->no_ack)
		put_raw(p, &c, 1);
}

static void start_packet(struct gdb_proto *p)
{
	p->rx_state = GDB_RX_DATA;
	p->rx_len = 0;
	p->rx_sum = 0;
	p->rx_oversize = false;
}

static enum gdb_event idle_byte(struct gdb_proto *p, uint8_t ch)
{
	if (ch == PKT_START)
		start_packet(p);
	else if (ch == ACK)
		p->ack_pending = false;
	else if (ch == NAK && p->ack_pending && !p->no_ack)
		transmit(p); /* only a packet still waiting for its ack: another '-' is stray */
	else if (ch == GDB_CTRL_C)
		return GDB_EV_INTERRUPT;
	return GDB_EV_NONE; /* garbage between packets is ignored */
}

static enum gdb_event packet_done(struct gdb_proto *p)
{
	uint8_t csum;
	p->rx_state = GDB_RX_IDLE;
	if (p->rx_oversize || !gdb_hex_decode(p->rx_csum, &csum, 1) || csum != p->rx_sum) {
		send_ack_byte(p, NAK); /* act on nothing */
		return GDB_EV_NONE;
	}
	p->rx[p->rx_len] = '\0';
	p->ack_pending = false; /* gdb only sends a new packet once it has our reply */
	/* qSupported opens every connection: a previous session's no-ack mode must not stick. */
	if (p->no_ack && gdb_starts(p->rx, QSUPPORTED))
		p->no_ack = false;
	send_ack_byte(p, ACK);
	return GDB_EV_PACKET;
}

enum gdb_event gdb_proto_feed(struct gdb_proto *p, int c)
{
	uint8_t ch = (uint8_t)c;

	if (c == GDB_IO_CLOSED)
		p->closed = true;
	if (p->closed)
		return GDB_EV_CLOSED;
	if (c < 0) {
		p->idle_polls++;
		return GDB_EV_NONE;
	}
	p->rx_bytes++;
	switch (p->rx_state) {
	case GDB_RX_IDLE:
		return idle_byte(p, ch);
	case GDB_RX_DATA:
		if (ch == PKT_START) {
			if (p->rx_oversize)
				send_ack_byte(p, NAK);
			start_packet(p); /* the previous one was cut short: resync here */
		} else if (ch == PKT_END) {
			p->rx_state = GDB_RX_CSUM_HI;
		} else if (p->rx_len >= GDB_PKT_MAX) {
			p->rx_oversize = true; /* skipped to its '#' (or a new '$'), then refused */
		} else {
			p->rx[p->rx_len++] = (char)ch;
			p->rx_sum = (uint8_t)(p->rx_sum + ch);
		}
		break;
	case GDB_RX_CSUM_HI:
		p->rx_csum[0] = (char)ch;
		p->rx_state = GDB_RX_CSUM_LO;
		break;
	case GDB_RX_CSUM_LO:
		p->rx_csum[1] = (char)ch;
		return packet_done(p);
	}
	return GDB_EV_NONE;
}

enum gdb_event gdb_proto_poll(struct gdb_proto *p)
{
	if (p->closed)
		return GDB_EV_CLOSED;
	return gdb_proto_feed(p, p->io.getc(p->io.ctx));
}

/* Wait for the ack of the previous packet (resending it on '-'), unless gdb has moved on. */
static void wait_ack(struct gdb_proto *p)
{
	unsigned idle = 0;
	while (p->ack_pending && !p->no_ack && !p->closed && p->rx_state == GDB_RX_IDLE &&
	       idle < GDB_ACK_WAIT_POLLS) {
		int c = p->io.getc(p->io.ctx);
		idle = c == GDB_IO_NONE ? idle + 1 : 0;
		(void)gdb_proto_feed(p, c); /* counts empty polls; Ctrl-C: the guest is stopped */
	}
	p->ack_pending = false;
}

void gdb_proto_begin(struct gdb_proto *p)
{
	wait_ack(p);
	p->tx_len = 0;
	p->tx_overflow = false;
}

void gdb_proto_putc(struct gdb_proto *p, char c)
{
	if (p->tx_len < GDB_PKT_MAX)
		p->tx[p->tx_len++] = c;
	else
		p->tx_overflow = true;
}

void gdb_proto_puts(struct gdb_proto *p, const char *s)
{
	while (*s)
		gdb_proto_putc(p, *s++);
}

void gdb_proto_putf(struct gdb_proto *p, const char *fmt, ...)
{
	size_t room = GDB_PKT_MAX - p->tx_len;
	va_list ap;
	int n;
	va_start(ap, fmt);
	n = fmt_vsnprintf(p->tx + p->tx_len, room + 1, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n > room) {
		p->tx_len = GDB_PKT_MAX;
		p->tx_overflow = true;
	} else {
		p->tx_len += (size_t)n;
	}
}

void gdb_proto_put_hex(struct gdb_proto *p, const void *buf, size_t len)
{
	const uint8_t *b = buf;
	for (size_t i = 0; i < len; i++) {
		gdb_proto_putc(p, HEX_DIGITS[b[i] >> NIBBLE_BITS]);
		gdb_proto_putc(p, HEX_DIGITS[b[i] & NIBBLE_MASK]);
	}
}

void gdb_proto_put_bin(struct gdb_proto *p, const void *buf, size_t len)
{
	const uint8_t *b = buf;
	for (size_t i = 0; i < len; i++) {
		uint8_t c = b[i];
		if (c == PKT_START || c == PKT_END || c == GDB_ESCAPE || c == RLE_MARK) {
			gdb_proto_putc(p, GDB_ESCAPE);
			c ^= GDB_ESCAPE_XOR;
		}
		gdb_proto_putc(p, (char)c);
	}
}

void gdb_proto_end(struct gdb_proto *p)
{
	if (p->tx_overflow) {
		p->tx_len = sizeof(GDB_REPLY_OVERFLOW) - 1;
		memcpy(p->tx, GDB_REPLY_OVERFLOW, p->tx_len);
	}
	transmit(p);
	p->ack_pending = !p->no_ack;
}

void gdb_proto_send(struct gdb_proto *p, const char *s)
{
	gdb_proto_begin(p);
	gdb_proto_puts(p, s);
	gdb_proto_end(p);
}

bool gdb_parse_hex(const char **s, uint64_t *v)
{
	uint64_t val = 0;
	size_t n;
	int d;
	for (n = 0; (d = gdb_hex_val((unsigned char)(*s)[n])) >= 0; n++) {
		if (n == U64_HEX_MAX)
			return false;
		val = (val << NIBBLE_BITS) | (uint64_t)d;
	}
	if (n == 0)
		return false;
	*s += n;
	*v = val;
	return true;
}

bool gdb_hex_decode(const char *hex, uint8_t *out, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		int hi = gdb_hex_val((unsigned char)hex[2 * i]);
		int lo = hi < 0 ? -1 : gdb_hex_val((unsigned char)hex[2 * i + 1]);
		if (lo < 0)
			return false;
		out[i] = (uint8_t)(hi << NIBBLE_BITS | lo);
	}
	return true;
}

bool gdb_unescape(const char *in, size_t inlen, uint8_t *out, size_t max, size_t *outlen)
{
	size_t n = 0;
	for (size_t i = 0; i < inlen; i++) {
		uint8_t c = (uint8_t)in[i];
		if (c == GDB_ESCAPE) {
			if (++i >= inlen)
				return false;
			c = (uint8_t)in[i] ^ GDB_ESCAPE_XOR;
		}
		if (n >= max)
			return false;
		out[n++] = c;
	}
	*outlen = n;
	return true;
}
