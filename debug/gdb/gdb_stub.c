/* gdb_stub.c - the GDB stub's session: stop replies, the packet loop, q packets, resumes. */
#include "core/hw/string.h"
#include "gdb_internal.h"

#define SIG_INT	      2
#define SIG_TRAP      5
#define SIG_SEGV      11
#define SIG_MAX	      0xff
#define THREAD_ID     1
#define THREAD_ANY    0
#define POLL_MAX      256 /* bytes handled per gdb_poll_interrupt call */
#define VCONT_ACTIONS "vCont;c;C;s;S"
#define V_CONT	      "vCont;"
#define SEP	      ';'
#define SEP_THREAD    ':'
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

void gdb_init(struct gdb_stub *s, const struct gdb_io *io, const struct gdb_target *t)
{
	memset(s, 0, sizeof(*s));
	s->tgt = *t;
	gdb_proto_init(&s->proto, io);
	s->is64 = true; /* sampled again at the first stop, with the guest set up */
	s->stop_kind = GDB_STOP_INITIAL;
}

/* Is the guest in long mode (the description to use for a new session)? */
static bool sample_is64(const struct gdb_stub *s)
{
	return !s->tgt.is_64bit || s->tgt.is_64bit(s->tgt.ctx);
}

static void end_session(struct gdb_stub *s)
{
	gdb_remove_all(s);
	s->attached = s->resumed = s->notice_told = false;
	s->gdb_swbreak = s->gdb_hwbreak = false;
	gdb_proto_reset(&s->proto);
}

static void put_reason(struct gdb_stub *s)
{
	static const char *const watch[] = {
	    [GDB_STOP_WATCH] = "watch", [GDB_STOP_RWATCH] = "rwatch", [GDB_STOP_AWATCH] = "awatch"};
	/* swbreak and hwbreak only to a gdb that asked for them in qSupported */
	if (s->stop_kind == GDB_STOP_SIGTRAP_SW && s->gdb_swbreak)
		gdb_proto_puts(&s->proto, "swbreak:;");
	else if (s->stop_kind == GDB_STOP_SIGTRAP_HW && s->gdb_hwbreak)
		gdb_proto_puts(&s->proto, "hwbreak:;");
	else if (s->stop_kind <= GDB_STOP_AWATCH && watch[s->stop_kind])
		gdb_proto_putf(&s->proto, "%s:%llx;", watch[s->stop_kind],
			       (unsigned long long)s->stop_addr);
}

/* T<sig><reason>thread:1;<pc>;<sp>;<fp>; with register numbers of the description in use. */
static void send_stop_reply(struct gdb_stub *s)
{
	static const unsigned exp64[] = {GDB_AMD64_RIP, GDB_AMD64_RSP, GDB_AMD64_RBP};
	static const unsigned exp32[] = {GDB_I386_EIP, GDB_I386_ESP, GDB_I386_EBP};
	const unsigned *expedite = s->is64 ? exp64 : exp32;
	int sig = s->stop_kind == GDB_STOP_INTERRUPT ? SIG_INT
		  : s->stop_kind == GDB_STOP_FAULT   ? SIG_SEGV
						     : SIG_TRAP;
	struct gdb_regs r;
	gdb_proto_begin(&s->proto);
	gdb_proto_putf(&s->proto, "T%02x", sig);
	put_reason(s);
	gdb_proto_putf(&s->proto, "thread:%x;", THREAD_ID);
	if (s->tgt.get_regs(s->tgt.ctx, &r) == 0) {
		for (size_t i = 0; i < NELEMS(exp64); i++) {
			gdb_proto_putf(&s->proto, "%02x:", expedite[i]);
			gdb_put_reg(s, &r, expedite[i]);
			gdb_proto_putc(&s->proto, SEP);
		}
	}
	gdb_proto_end(&s->proto);
}

/* Send a command's reply (NULL: the command sent its own packet); the guest stays stopped. */
static enum gdb_action reply(struct gdb_stub *s, const char *r)
{
	if (r)
		gdb_proto_send(&s->proto, r);
	return GDB_ACT_NONE;
}

/* c [addr], s [addr], C sig[;addr], S sig[;addr]. */
static enum gdb_action resume(struct gdb_stub *s, const char *pkt, int *signal)
{
	bool step = pkt[0] == 's' || pkt[0] == 'S';
	const char *arg = pkt + 1;
	uint64_t sig = 0, addr;
	struct gdb_regs r;
	if ((pkt[0] == 'C' || pkt[0] == 'S') &&
	    (!gdb_parse_hex(&arg, &sig) || sig > SIG_MAX || (*arg && *arg++ != SEP) ||
	     (arg[-1] == SEP && !*arg)))
		return reply(s, GDB_E_INVAL);
	if (*arg) {
		if (!gdb_parse_hex(&arg, &addr) || *arg)
			return reply(s, GDB_E_INVAL);
		if (s->tgt.get_regs(s->tgt.ctx, &r) != 0)
			return reply(s, GDB_E_TARGET);
		r.rip = addr;
		if (s->tgt.set_regs(s->tgt.ctx, &r) != 0)
			return reply(s, GDB_E_TARGET);
	}
	*signal = (int)sig;
	return step ? GDB_ACT_STEP : GDB_ACT_CONTINUE;
}

/* vCont;action[:thread]...: one thread, so the first action for thread 1 (or all) wins. */
static enum gdb_action vcont(struct gdb_stub *s, const char *arg, int *signal)
{
	for (;;) {
		char act = *arg++;
		uint64_t sig = 0, thread = THREAD_ID;
		bool all = true;

		if (act != 'c' && act != 's' && act != 'C' && act != 'S')
			break;
		if ((act == 'C' || act == 'S') && (!gdb_parse_hex(&arg, &sig) || sig > SIG_MAX))
			break;
		if (*arg == SEP_THREAD) {
			arg++;
			if (arg[0] == '-' && arg[1] == '1')
				arg += 2;
			else if (gdb_parse_hex(&arg, &thread))
				all = thread == THREAD_ANY;
			else
				break;
		}
		if (*arg && *arg != SEP)
			break;
		if (all || thread == THREAD_ID) {
			*signal = (int)sig;
			return act == 's' || act == 'S' ? GDB_ACT_STEP : GDB_ACT_CONTINUE;
		}
		if (!*arg++)
			break;
	}
	return reply(s, GDB_E_INVAL);
}

static enum gdb_action detach(struct gdb_stub *s, bool kill)
{
	gdb_remove_all(s);
	if (!kill)
		gdb_proto_send(&s->proto, GDB_OK);
	end_session(s);
	return kill ? GDB_ACT_KILL : GDB_ACT_DETACH;
}

static void send_console(struct gdb_stub *s, const char *text)
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
	/* A gdb that went without D (killed, or its line dropped while the guest ran: a UART
	 * cannot tell) left its breakpoints in; the new one knows none and would only see
	 * unexplained stops. gdb inserts its own again before it resumes. */
	gdb_remove_all(s);
	s->is64 = sample_is64(s);
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
	send_console(s, s->mon);
	return rc < 0 ? GDB_E_MONITOR : GDB_OK;
}

static const char *query(struct gdb_stub *s, const char *pkt)
{
	static const char *const threads[][2] = {
	    {"qC", "QC1"}, {"qfThreadInfo", "m1"}, {"qsThreadInfo", "l"}};
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
	for (size_t i = 0; i < NELEMS(threads); i++)
		if (strcmp(pkt, threads[i][0]) == 0)
			return threads[i][1];
	return "";
}

static enum gdb_action dispatch(struct gdb_stub *s, int *signal)
{
	const char *pkt = s->proto.rx;
	size_t len = s->proto.rx_len;

	switch (len ? pkt[0] : '\0') {
	case '?':
		send_stop_reply(s);
		return GDB_ACT_NONE;
	case 'g':
		return reply(s, gdb_cmd_read_regs(s));
	case 'G':
		return reply(s, gdb_cmd_write_regs(s, pkt + 1, len - 1));
	case 'p':
		return reply(s, gdb_cmd_read_reg(s, pkt + 1));
	case 'P':
		return reply(s, gdb_cmd_write_reg(s, pkt + 1));
	case 'm':
		return reply(s, gdb_cmd_read_mem(s, pkt + 1));
	case 'M':
	case 'X':
		return reply(s, gdb_cmd_write_mem(s, pkt + 1, len - 1, pkt[0] == 'X'));
	case 'Z':
	case 'z':
		return reply(s, gdb_cmd_breakpoint(s, pkt + 1, pkt[0] == 'Z'));
	case 'c':
	case 's':
	case 'C':
	case 'S':
		return resume(s, pkt, signal);
	case 'D':
		return detach(s, false);
	case 'k':
		return detach(s, true);
	case 'H':
		return reply(s, pkt[1] == 'g' || pkt[1] == 'c' ? GDB_OK : "");
	case 'T':
		return reply(s, strcmp(pkt + 1, "1") == 0 ? GDB_OK : GDB_E_INVAL);
	case 'q':
		return reply(s, query(s, pkt));
	case 'Q':
		if (strcmp(pkt, "QStartNoAckMode") != 0)
			return reply(s, "");
		gdb_proto_send(&s->proto, GDB_OK); /* still acked: gdb acks this OK */
		s->proto.no_ack = true;
		s->proto.ack_pending = false;
		return GDB_ACT_NONE;
	case 'v':
		if (gdb_starts(pkt, V_CONT))
			return vcont(s, pkt + strlen(V_CONT), signal);
		return reply(s, strcmp(pkt, "vCont?") == 0 ? VCONT_ACTIONS : "");
	default:
		return reply(s, ""); /* unknown: the empty reply */
	}
}

enum gdb_action gdb_stopped(struct gdb_stub *s, const struct gdb_stop *why, int *signal)
{
	enum gdb_action act = GDB_ACT_NONE;

	*signal = 0;
	s->stop_kind = why->kind;
	s->stop_addr = why->addr;
	if (!s->attached)
		s->is64 = sample_is64(s);
	if (s->resumed) { /* gdb is waiting for this stop; otherwise it asks with '?' */
		if (why->why)
			send_console(s, why->why);
		send_stop_reply(s);
		s->resumed = false;
	}
	while (act == GDB_ACT_NONE) { /* ignoring no byte yet or a Ctrl-C while already stopped */
		enum gdb_event ev = gdb_proto_poll(&s->proto);
		if (ev == GDB_EV_PACKET) {
			s->attached = true;
			act = dispatch(s, signal);
		} else if (ev == GDB_EV_CLOSED) {
			end_session(s); /* as a detach: the guest must not meet our INT3s alone */
			act = GDB_ACT_DETACH;
		}
	}
	s->resumed = act == GDB_ACT_CONTINUE || act == GDB_ACT_STEP;
	/* gdb shows O packets only while it waits for a stop: the first resume is the earliest
	 * place for what the user must know (Ctrl-C that cannot work, say). */
	if (s->resumed && s->notice && !s->notice_told) {
		send_console(s, s->notice);
		s->notice_told = true;
	}
	return act;
}

void gdb_exited(struct gdb_stub *s, int code)
{
	if (s->attached && s->resumed) {
		gdb_proto_begin(&s->proto);
		gdb_proto_putf(&s->proto, "W%02x", (unsigned)code & SIG_MAX);
		gdb_proto_end(&s->proto);
	}
	end_session(s);
}

bool gdb_poll_interrupt(struct gdb_stub *s)
{
	for (unsigned i = 0; i < POLL_MAX; i++) {
		int c = s->proto.io.getc(s->proto.io.ctx);
		if (c == GDB_IO_NONE)
			return false;
		if (c == GDB_IO_CLOSED) {
			if (s->attached)
				end_session(s);
			return false;
		}
		/* a Ctrl-C, or a packet begins: gdb attaching to the running guest */
		if (gdb_proto_feed(&s->proto, c) == GDB_EV_INTERRUPT ||
		    s->proto.rx_state != GDB_RX_IDLE)
			return true;
	}
	return false;
}
