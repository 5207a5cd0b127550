/* fuzz_gdb.c - libFuzzer target: arbitrary bytes from "gdb" into the stub over a fake guest. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fuzz_util.h"
#include "gdb_fake.h"

/* First input byte: how the fake guest behaves. The rest is the byte stream from gdb. */
#define CFG_I386     0x01
#define CFG_REGS_ERR 0x02
#define CFG_NO_HW    0x04
#define CFG_NO_MON   0x08
#define CFG_NO_ARCH  0x10
#define STOP_KINDS   (GDB_STOP_INITIAL + 1)
#define MAX_STOPS    100000

/* What the stub sends is checked as it goes: acks, or $data#cs with a right checksum, no bare
 '$' inside a packet, and a run-length '*' only after a data byte, with a count of 3..97 that
 is neither '#' nor '$'. */
enum out_state { OUT_IDLE, OUT_START, OUT_DATA, OUT_ESC, OUT_RLE, OUT_CS1, OUT_CS2 };

static struct {
	enum out_state st;
	uint8_t sum;
	int cs;
} out;

static struct fake F;
static struct gdb_stub S;

static void check_putc(void *ctx, char ch)
{
	uint8_t c = (uint8_t)ch;
	int v = gdb_hex_val(c);

	(void)ctx;
	switch (out.st) {
	case OUT_IDLE:
		CHECK(c == '+' || c == '-' || c == '$');
		if (c == '$') {
			out.st = OUT_START;
			out.sum = 0;
		}
		return;
	case OUT_START:
	case OUT_DATA:
	case OUT_ESC:
		if (c == '#' && out.st != OUT_ESC) {
			out.st = OUT_CS1;
			return;
		}
		CHECK(c != '$' && c != '#' && (c != '*' || out.st != OUT_START));
		out.sum = (uint8_t)(out.sum + c);
		if (c == '*' && out.st == OUT_DATA)
			out.st = OUT_RLE;
		else
			out.st = c == '}' && out.st != OUT_ESC ? OUT_ESC : OUT_DATA;
		return;
	case OUT_RLE:
		CHECK(c >= ' ' && c <= '~' && c != '#' && c != '$');
		out.sum = (uint8_t)(out.sum + c);
		out.st = OUT_DATA;
		return;
	case OUT_CS1:
		CHECK(v >= 0 && !(c >= 'A' && c <= 'F'));
		out.cs = v << 4;
		out.st = OUT_CS2;
		return;
	case OUT_CS2:
		CHECK(v >= 0 && (out.cs | v) == out.sum);
		out.st = OUT_IDLE;
		return;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gdb_io io;
	struct gdb_target t;
	uint8_t cfg;

	if (size < 1 || size > FAKE_IN_MAX)
		return 0;
	cfg = data[0];
	fake_init(&F, &io, &t, !(cfg & CFG_I386));
	F.fail_regs = cfg & CFG_REGS_ERR;
	if (cfg & CFG_NO_HW)
		t.set_hw_bp = t.clear_hw_bp = NULL;
	if (cfg & CFG_NO_MON)
		t.monitor = NULL;
	if (cfg & CFG_NO_ARCH)
		t.is_64bit = NULL;
	io.putc = check_putc;
	io.write = NULL; /* every byte through check_putc */
	out.st = OUT_IDLE;
	gdb_init(&S, &io, &t);
	fake_raw(&F, data + 1, size - 1);

	for (unsigned i = 0; i < MAX_STOPS; i++) {
		struct gdb_stop st = {.kind = (enum gdb_stop_kind)(i % STOP_KINDS),
				      .addr = FAKE_MEM_BASE + i,
				      .why = i & 1 ? "triple fault\n" : NULL};
		int sig = -1;
		enum gdb_action a;

		if (st.kind == GDB_STOP_SIGTRAP_SW && !gdb_owns_sw_bp(&S, F.regs.rip))
			st.kind =
			    GDB_STOP_STEP; /* as the hypervisor: an INT3 not ours is the guest's */
		a = gdb_stopped(&S, &st, &sig);

		CHECK(a != GDB_ACT_NONE && sig >= 0 && sig <= 0xff);
		if (a == GDB_ACT_CONTINUE) /* the guest runs: gdb may interrupt it */
			(void)gdb_poll_interrupt(&S);
		if (F.in_pos >= F.in_len && a == GDB_ACT_DETACH)
			break;
	}
	/* The link closed: every breakpoint is gone from the guest and the debug registers. */
	for (size_t i = 0; i < GDB_SW_BP_MAX; i++)
		CHECK(!S.sw[i].used);
	for (size_t i = 0; i < GDB_HW_BP_MAX; i++)
		CHECK(!S.hw[i].used);
	CHECK(F.hw_used == 0);
	CHECK(!S.attached && !S.proto.no_ack);
	CHECK(out.st == OUT_IDLE);
	return 0;
}
