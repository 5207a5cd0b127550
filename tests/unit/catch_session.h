/* catch_session.h - the fixture of the catchpoint tests: a vcpu with gdb attached over a fake
 * line, and monitor commands sent to it. */
#ifndef DBGVISOR_TEST_CATCH_SESSION_H
#define DBGVISOR_TEST_CATCH_SESSION_H

#include "fake_vcpu.h"

#include <stdio.h>

#include "core/exit.h"
#include "core/vcpu_util.h"
#include "debug/vcpu_debug.h"
#include "debug/vcpu_gdb.h"

#define CATCH_TEST_HELPER static __attribute__((unused))
#define LINK_MAX	  8192
#define COM1		  0x3f8
#define COM1_LAST	  0x3ff
#define EXIT_PORT	  0xf4
#define ARCH_EFER	  0xc0000080u
#define ARCH_TSC	  0x10u
#define ARCH_TSC_AUX	  0xc0000103u
#define ARCH_MISC_ENABLE  0x1a0u
#define ARCH_VEC_GP	  13
#define TSC_AUX_VAL	  0x1234u
#define ARCH_VEC_DB	  1
#define ARCH_VEC_BP	  3
#define ARCH_VEC_DF	  8
#define ARCH_VEC_PF	  14
#define INSN_LEN	  2
#define PF_ADDR		  0xdead000
#define PF_WRITE	  2
#define IDE_DATA	  0x1f0
#define POST_PORT	  0x80
#define STR_DST		  0x3000
#define STR_SRC		  0x3100

static struct fake_vcpu fv;
static struct vcpu *const v = &fv.v;
static struct vcpu_gdb g;
static char out[GDB_MONITOR_MAX];

static struct {
	char in[LINK_MAX];
	size_t in_len, in_pos;
	char out[LINK_MAX];
	size_t out_len;
} link;

static int link_getc(void *ctx)
{
	(void)ctx;
	return link.in_pos < link.in_len ? (unsigned char)link.in[link.in_pos++] : GDB_IO_NONE;
}

static void link_putc(void *ctx, char c)
{
	(void)ctx;
	if (link.out_len + 1 < LINK_MAX)
		link.out[link.out_len++] = c;
	link.out[link.out_len] = '\0';
}

CATCH_TEST_HELPER void send_pkt(const char *p)
{
	unsigned sum = 0;

	for (const char *c = p; *c; c++)
		sum += (unsigned char)*c;
	link.in_len += (size_t)snprintf(link.in + link.in_len, LINK_MAX - link.in_len, "+$%s#%02x",
					p, sum & 0xff);
}

/* A vcpu with gdb attached (stopped at the first instruction, then continued). */
CATCH_TEST_HELPER int setup(void **state)
{
	(void)state;
	fake_vcpu_init(&fv, true, 0);
	memset(&link, 0, sizeof(link));
	exit_setup_intercepts(v);
	vcpu_debug_setup(v, &(struct dr_features){.amd = true});
	vcpu_gdb_init(&g, v, &(struct gdb_io){.getc = link_getc, .putc = link_putc}, true);
	send_pkt("qSupported:swbreak+;hwbreak+");
	send_pkt("c");
	assert_true(vcpu_gdb_service(v));
	return 0;
}

CATCH_TEST_HELPER const char *mon(const char *cmd)
{
	assert_int_equal(vcpu_gdb_monitor(&g, cmd, out, sizeof(out)), 0);
	return out;
}

#endif
