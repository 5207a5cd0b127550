/* gdb_query.c - the GDB stub's q packets: qSupported, target.xml transfer, qRcmd, threads. */
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

/* qSupported[:feature;...]: a new connection; gdb reads target.xml next, so choose it now. */
static const char *query_supported(struct gdb_stub *s, const char *feat)
{
	s->is64 = gdb_sample_is64(s);
	s->gdb_swbreak = s->gdb_hwbreak = false;
	while (*feat++) { /* past the ':' or ';' before each feature */
		size_t n = 0;
		while (feat[n] && feat[n] != SEP)
			n++;
		s->gdb_swbreak |= n == strlen(FEAT_SWBREAK) && gdb_starts(feat, FEAT_SWBREAK);
		s->gdb_hwbreak |= n == strlen(FEAT_HWBREAK) && gdb_starts(feat, FEAT_HWBREAK);
		feat += n;
	}
	return SUPPORTED;
}

/* One more byte than the chunk is asked for: if it comes, the chunk is not the last. */
_Static_assert(XFER_CHUNK + 1 <= GDB_MEM_MAX, "target.xml chunk fits the scratch buffer");

static const char *query_xfer(struct gdb_stub *s, const char *arg)
{
	uint64_t off, len;
	size_t n, chunk;
	bool more;
	if (!gdb_parse_hex(&arg, &off) || *arg++ != ',' || !gdb_parse_hex(&arg, &len) || *arg)
		return GDB_E_XFER;
	chunk = len < XFER_CHUNK ? (size_t)len : XFER_CHUNK;
	n = gdb_target_xml(s->is64, off, (char *)s->mem, chunk + 1);
	more = n > chunk;
	gdb_proto_begin(&s->proto);
	gdb_proto_putc(&s->proto, more ? 'm' : 'l');
	gdb_proto_put_bin(&s->proto, s->mem, more ? chunk : n);
	gdb_proto_end(&s->proto);
	return NULL;
}

static const char *query_rcmd(struct gdb_stub *s, const char *hex)
{
	size_t n = strlen(hex) / 2;
	int rc;
	if (!s->tgt.monitor)
		return "";
	if (strlen(hex) % 2 || n >= GDB_MEM_MAX || !gdb_hex_decode(hex, s->mem, n))
		return GDB_E_INVAL;
	s->mem[n] = '\0';
	s->mon[0] = '\0';
	rc = s->tgt.monitor(s->tgt.ctx, (const char *)s->mem, s->mon, sizeof(s->mon));
	s->mon[sizeof(s->mon) - 1] = '\0';
	/* Text is shown even for an unknown command: gdb itself only says "Protocol error". */
	gdb_send_console(s, s->mon);
	return rc < 0 ? GDB_E_MONITOR : GDB_OK;
}

const char *gdb_query(struct gdb_stub *s, const char *pkt)
{
	if (strcmp(pkt, Q_SUPPORTED) == 0 || gdb_starts(pkt, Q_SUPPORTED ":"))
		return query_supported(s, pkt + strlen(Q_SUPPORTED));
	if (gdb_starts(pkt, Q_XFER_XML))
		return query_xfer(s, pkt + strlen(Q_XFER_XML));
	if (gdb_starts(pkt, Q_XFER))
		return GDB_E_XFER; /* another annex */
	if (gdb_starts(pkt, Q_RCMD))
		return query_rcmd(s, pkt + strlen(Q_RCMD));
	if (strcmp(pkt, Q_ATTACHED) == 0 || gdb_starts(pkt, Q_ATTACHED ":"))
		return "1";
	if (strcmp(pkt, "qC") == 0)
		return "QC1";
	if (strcmp(pkt, "qfThreadInfo") == 0)
		return "m1";
	if (strcmp(pkt, "qsThreadInfo") == 0)
		return "l";
	return "";
}
