/* gdb_query.c - the GDB stub's q packets: qSupported, target.xml transfer, qRcmd, threads. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/hw/string.h"
#include "gdb_internal.h"

#define CONSOLE_CHUNK ((GDB_PKT_MAX - 1) / 2)
#define XFER_CHUNK    ((GDB_PKT_MAX - 1) / 2) /* escaping may double every byte */
#define SUPPORTED                                                                                  \
	"PacketSize=" GDB_PKT_MAX_STR ";qXfer:features:read+;swbreak+;hwbreak+;QStartNoAckMode+;"  \
	"vContSupported+"
#define Q_SUPPORTED  "qSupported"
#define Q_XFER	     "qXfer:features:read:"
#define Q_XFER_XML   Q_XFER "target.xml:"
#define Q_RCMD	     "qRcmd,"
#define Q_ATTACHED   "qAttached"
#define FEAT_SWBREAK "swbreak+"
#define FEAT_HWBREAK "hwbreak+"
#define SEP	     ';'

static bool starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Text as console output: O packets of hex. */
void gdb_send_console(struct gdb_stub *s, const char *text)
{
	size_t left = strlen(text);

	while (left) {
		size_t n = left < CONSOLE_CHUNK ? left : CONSOLE_CHUNK;

		gdb_proto_begin(&s->proto);
		gdb_proto_putc(&s->proto, 'O');
		gdb_proto_put_hex(&s->proto, text, n);
		gdb_proto_end(&s->proto);
		text += n;
		left -= n;
	}
}

static void query_supported(struct gdb_stub *s, const char *feat)
{
	/* A new connection: gdb reads target.xml next, so this is when the layout is chosen. */
	s->is64 = gdb_sample_is64(s);
	s->gdb_swbreak = s->gdb_hwbreak = false;
	while (*feat) {
		const char *end = feat;

		while (*end && *end != SEP)
			end++;
		if ((size_t)(end - feat) == strlen(FEAT_SWBREAK) && starts(feat, FEAT_SWBREAK))
			s->gdb_swbreak = true;
		if ((size_t)(end - feat) == strlen(FEAT_HWBREAK) && starts(feat, FEAT_HWBREAK))
			s->gdb_hwbreak = true;
		feat = *end ? end + 1 : end;
	}
	gdb_proto_send(&s->proto, SUPPORTED);
}

/* One more byte than the chunk is asked for: if it comes, the chunk is not the last. */
_Static_assert(XFER_CHUNK + 1 <= GDB_MEM_MAX, "target.xml chunk fits the scratch buffer");

static void query_xfer(struct gdb_stub *s, const char *arg)
{
	uint64_t off, len;
	size_t n, chunk;
	bool more;

	if (!gdb_parse_hex(&arg, &off) || *arg++ != ',' || !gdb_parse_hex(&arg, &len) || *arg) {
		gdb_proto_send(&s->proto, GDB_E_XFER);
		return;
	}
	chunk = len < XFER_CHUNK ? (size_t)len : XFER_CHUNK;
	n = gdb_target_xml(s->is64, off, (char *)s->mem, chunk + 1);
	more = n > chunk;
	gdb_proto_begin(&s->proto);
	gdb_proto_putc(&s->proto, more ? 'm' : 'l');
	gdb_proto_put_bin(&s->proto, s->mem, more ? chunk : n);
	gdb_proto_end(&s->proto);
}

static void query_rcmd(struct gdb_stub *s, const char *hex)
{
	size_t n = strlen(hex) / 2;
	int rc;

	if (!s->tgt.monitor) {
		gdb_proto_send(&s->proto, "");
		return;
	}
	if (strlen(hex) % 2 || n >= GDB_MEM_MAX || !gdb_hex_decode(hex, s->mem, n)) {
		gdb_proto_send(&s->proto, GDB_E_INVAL);
		return;
	}
	s->mem[n] = '\0';
	s->mon[0] = '\0';
	rc = s->tgt.monitor(s->tgt.ctx, (const char *)s->mem, s->mon, sizeof(s->mon));
	s->mon[sizeof(s->mon) - 1] = '\0';
	/* Text is shown even for an unknown command: gdb itself only says "Protocol error". */
	gdb_send_console(s, s->mon);
	gdb_proto_send(&s->proto, rc < 0 ? GDB_E_MONITOR : GDB_OK);
}

void gdb_query(struct gdb_stub *s, const char *pkt)
{
	if (starts(pkt, Q_SUPPORTED) &&
	    (pkt[sizeof(Q_SUPPORTED) - 1] == ':' || pkt[sizeof(Q_SUPPORTED) - 1] == '\0'))
		query_supported(s, pkt[sizeof(Q_SUPPORTED) - 1] ? pkt + sizeof(Q_SUPPORTED) : "");
	else if (starts(pkt, Q_XFER_XML))
		query_xfer(s, pkt + strlen(Q_XFER_XML));
	else if (starts(pkt, Q_XFER))
		gdb_proto_send(&s->proto, GDB_E_XFER); /* another annex */
	else if (starts(pkt, Q_RCMD))
		query_rcmd(s, pkt + strlen(Q_RCMD));
	else if (strcmp(pkt, Q_ATTACHED) == 0 || starts(pkt, Q_ATTACHED ":"))
		gdb_proto_send(&s->proto, "1");
	else if (strcmp(pkt, "qC") == 0)
		gdb_proto_send(&s->proto, "QC1");
	else if (strcmp(pkt, "qfThreadInfo") == 0)
		gdb_proto_send(&s->proto, "m1");
	else if (strcmp(pkt, "qsThreadInfo") == 0)
		gdb_proto_send(&s->proto, "l");
	else
		gdb_proto_send(&s->proto, "");
}
