/* gdb_proto.h - GDB remote serial protocol framing: $data#cs packets, acks, escapes, hex. */
#ifndef DBGVISOR_GDB_PROTO_H
#define DBGVISOR_GDB_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The byte stream to gdb. getc: a byte, GDB_IO_NONE (none waiting) or GDB_IO_CLOSED (gone for
 * good; test harnesses only). write (NULL: putc per byte) lets a UART fill its FIFO per packet. */
#define GDB_IO_NONE   (-1)
#define GDB_IO_CLOSED (-2)

struct gdb_io {
	int (*getc)(void *ctx);
	void (*putc)(void *ctx, char c);
	void (*write)(void *ctx, const char *buf, size_t len);
	void *ctx;
};

/* Largest packet payload accepted or sent; advertised to gdb as PacketSize (hex). */
#define GDB_PKT_MAX	0x1000
#define GDB_PKT_MAX_STR "1000"
/* Polls without a byte after which a missing '+' is taken as lost (a count, not a time). */
#define GDB_ACK_WAIT_POLLS (1u << 22)
#define GDB_CTRL_C	   0x03
#define GDB_ESCAPE	   '}'
#define GDB_ESCAPE_XOR	   0x20
#define GDB_REPLY_OVERFLOW "E01"

/* IDLE: between packets (acks, Ctrl-C, garbage); DATA: after '$'; CSUM_HI: after '#'. */
enum gdb_rx_state { GDB_RX_IDLE, GDB_RX_DATA, GDB_RX_CSUM_HI, GDB_RX_CSUM_LO };

enum gdb_event {
	GDB_EV_NONE,	  /* nothing complete yet (or no byte waiting) */
	GDB_EV_PACKET,	  /* a packet with a good checksum is in rx[0..rx_len), NUL-terminated */
	GDB_EV_INTERRUPT, /* a raw 0x03 between packets */
	GDB_EV_CLOSED,	  /* the io reported GDB_IO_CLOSED */
};

struct gdb_proto {
	struct gdb_io io;
	enum gdb_rx_state rx_state;
	bool no_ack;	  /* QStartNoAckMode accepted: no '+'/'-' either way */
	bool ack_pending; /* the last packet sent has not been acknowledged yet */
	bool closed;	  /* GDB_IO_CLOSED seen; sticky until gdb_proto_reset */
	bool tx_overflow; /* the reply being built did not fit */
	bool rx_oversize; /* the packet being received did not fit: it will be refused */
	uint8_t rx_sum;	  /* running checksum of rx */
	char rx_csum[2];  /* the two checksum digits received */
	size_t rx_len, tx_len;
	/* wire bytes since gdb_proto_init (acks, resends too) and empty polls: monitor wire */
	uint64_t rx_bytes, tx_bytes, idle_polls;
	char rx[GDB_PKT_MAX + 1];
	char tx[GDB_PKT_MAX + 1]; /* the last packet sent, kept for a retransmit on '-' */
};

void gdb_proto_init(struct gdb_proto *p, const struct gdb_io *io);
/* Back to a fresh connection's state (ack mode, nothing pending, not closed). */
void gdb_proto_reset(struct gdb_proto *p);
/* Handle one byte from getc (or GDB_IO_NONE / GDB_IO_CLOSED); poll reads it first. */
enum gdb_event gdb_proto_feed(struct gdb_proto *p, int c);
enum gdb_event gdb_proto_poll(struct gdb_proto *p);

/* Building a reply: begin (waits for the previous packet's ack), put..., end (sends it). */
void gdb_proto_begin(struct gdb_proto *p);
void gdb_proto_putc(struct gdb_proto *p, char c);
void gdb_proto_puts(struct gdb_proto *p, const char *s);
void gdb_proto_putf(struct gdb_proto *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void gdb_proto_put_hex(struct gdb_proto *p, const void *buf, size_t len);
/* Binary data with '#', '$', '}' and '*' escaped ('*' marks run-length encoding). */
void gdb_proto_put_bin(struct gdb_proto *p, const void *buf, size_t len);
void gdb_proto_end(struct gdb_proto *p);
void gdb_proto_send(struct gdb_proto *p, const char *s); /* begin, puts, end */

int gdb_hex_val(int c);
bool gdb_starts(const char *s, const char *prefix);
/* Parse 1..16 hex digits at *s, advancing *s; false if none or too many. */
bool gdb_parse_hex(const char **s, uint64_t *v);
/* Decode exactly 2*len hex characters into out; false on a non-hex character. */
bool gdb_hex_decode(const char *hex, uint8_t *out, size_t len);
/* Undo '}' escapes; false if the result is longer than max or the input ends inside one. */
bool gdb_unescape(const char *in, size_t inlen, uint8_t *out, size_t max, size_t *outlen);

#endif
