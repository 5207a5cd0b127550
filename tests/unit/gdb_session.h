/* gdb_session.h - the shared fixture of the GDB stub tests: a fake link and guest, and helpers. */
#ifndef DBGVISOR_TEST_GDB_SESSION_H
#define DBGVISOR_TEST_GDB_SESSION_H

#include "debug/gdb/gdb_stub.h"
#include "tests/fuzz/gdb_fake.h"

#define GDB_TEST_HELPER static __attribute__((unused))

static struct fake F;
static struct gdb_stub S;
static char R[FAKE_OUT_MAX + 1];

GDB_TEST_HELPER int setup64(void **state)
{
	struct gdb_io io;
	struct gdb_target t;

	(void)state;
	fake_init(&F, &io, &t, true);
	gdb_init(&S, &io, &t);
	return 0;
}

GDB_TEST_HELPER enum gdb_action stop_at(enum gdb_stop_kind kind, uint64_t addr, const char *why,
					int *sig)
{
	struct gdb_stop st = {.kind = kind, .addr = addr, .why = why};

	return gdb_stopped(&S, &st, sig);
}

/* The action gdb_stopped returns for pkt (a resume, detach or kill). */
GDB_TEST_HELPER enum gdb_action act(const char *pkt, int *sig)
{
	fake_pkt(&F, pkt);
	return stop_at(GDB_STOP_INITIAL, 0, NULL, sig);
}

/* Send pkt, then "c" so gdb_stopped returns; the first reply to pkt. */
GDB_TEST_HELPER const char *ask(const char *pkt)
{
	unsigned before = fake_npackets(&F);
	int sig;

	S.resumed = false; /* not waiting for a stop: only pkt's replies are sent */
	fake_pkt(&F, pkt);
	assert_int_equal(act("c", &sig), GDB_ACT_CONTINUE);
	S.resumed = false;
	return fake_reply(&F, before, R, sizeof(R)) ? R : "<none>";
}

#endif
