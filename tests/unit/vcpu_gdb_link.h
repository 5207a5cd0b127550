/* vcpu_gdb_link.h - the fixture of the vcpu GDB stub tests: a fake vcpu, a fake serial link. */
#ifndef DBGVISOR_TEST_VCPU_GDB_LINK_H
#define DBGVISOR_TEST_VCPU_GDB_LINK_H

#define LINK_HELPER static __attribute__((unused))

#include "fake_vcpu.h"

#include <stdio.h>

#include "core/exit.h"
#include "core/paging/nested_pt.h"
#include "core/vcpu_util.h"
#include "debug/vcpu_debug.h"
#include "debug/vcpu_gdb.h"

#define ARCH_VEC_DB 1
#define ARCH_VEC_BP 3
#define LINK_MAX    8192
#define BP_ADDR	    0x1010
#define DATA_ADDR   0x2000
#define OTHER_PAGE  0x5000
#define CTRL_C	    0x03

static struct fake_vcpu fv;
static struct vcpu *const v = &fv.v;
static struct vcpu_gdb g;

/* The serial line: bytes gdb sent (consumed by getc) and everything the stub wrote. */
static struct {
	char in[LINK_MAX];
	size_t in_len, in_pos;
	char out[LINK_MAX];
	size_t out_len;
	bool kicked, kicked_in_host;
} link;

LINK_HELPER int link_getc(void *ctx)
{
	(void)ctx;
	return link.in_pos < link.in_len ? (unsigned char)link.in[link.in_pos++] : GDB_IO_NONE;
}

LINK_HELPER void link_putc(void *ctx, char c)
{
	(void)ctx;
	if (link.out_len + 1 < LINK_MAX)
		link.out[link.out_len++] = c;
	link.out[link.out_len] = '\0';
}

LINK_HELPER bool link_kick(void)
{
	bool k = link.kicked;

	link.kicked = false;
	return k;
}

LINK_HELPER bool link_kicked_in_host(void)
{
	bool k = link.kicked_in_host;

	link.kicked_in_host = false;
	return k;
}

static struct vcpu_host host_with_kick;

/* Queue one packet from gdb, framed with its checksum, and the ack of our last reply. */
LINK_HELPER void send_pkt(const char *p)
{
	unsigned sum = 0;

	for (const char *c = p; *c; c++)
		sum += (unsigned char)*c;
	link.in_len += (size_t)snprintf(link.in + link.in_len, LINK_MAX - link.in_len, "+$%s#%02x",
					p, sum & 0xff);
}

LINK_HELPER int setup(bool wait)
{
	fake_vcpu_init(&fv, true, 0);
	memset(&link, 0, sizeof(link));
	host_with_kick = fake_vcpu_host;
	host_with_kick.gdb_kick = link_kick;
	host_with_kick.gdb_kicked_in_host = link_kicked_in_host;
	v->host = &host_with_kick;
	vcpu_debug_setup(v, &(struct dr_features){.amd = true});
	vcpu_gdb_init(&g, v, &(struct gdb_io){.getc = link_getc, .putc = link_putc}, wait);
	return 0;
}

LINK_HELPER int setup_wait(void **state)
{
	(void)state;
	return setup(true);
}

LINK_HELPER uint64_t rflags(void)
{
	return fv.b.regs[REG_RFLAGS];
}

/* Attach at the initial stop and resume with @resume ("c" or "s"). */
LINK_HELPER void attach_and(const char *resume)
{
	send_pkt("qSupported:swbreak+;hwbreak+");
	send_pkt(resume);
	assert_true(vcpu_gdb_service(v));
	assert_true(g.stub.attached);
}

LINK_HELPER enum exit_result db_exit(uint64_t pending)
{
	struct vcpu_exit e = {.kind = EXIT_EXCEPTION, .raw_name = "test"};

	e.exc.vector = ARCH_VEC_DB;
	e.exc.dr6_pending = pending;
	return exit_dispatch(v, &e);
}

#endif
