/*
 * gdb_npt.c - the guest the nested-page breakpoint tests debug: it checksums a function gdb
 * has a break in, runs code it copied where gdb had a break, touches ten watched variables
 * in a fixed order and keeps its own DR0 breakpoint armed meanwhile.
 */
#include <stdbool.h>
#include <stdint.h>

#include "core/hw/string.h"
#include "tests/guest/lib/dbgregs.h"
#include "tests/guest/lib/guest.h"
#include "tests/guest/lib/x86g.h"

#define SUM_BYTES     32 /* bytes of npt_sum_func checksummed, the break inside them */
#define COPY_AREA     64
#define COPY_RESULT   42
#define OWN_BP_CALLS  4
#define VEC_DB	      1

/* Watched by the gdb script: eight with watch, two with rwatch. */
volatile uint32_t npt_w0, npt_w1, npt_w2, npt_w3, npt_w4, npt_w5, npt_w6, npt_w7;
volatile uint32_t npt_r0 = 5, npt_r1 = 6;
volatile uint32_t npt_sink, npt_own_hits;
/* Code lands here at run time; gdb breaks on it before (page-aligned: nothing else runs there). */
__attribute__((aligned(4096))) uint8_t npt_copy_area[COPY_AREA];

/* clang-format off */
/* A function on a page of its own; gdb breaks at npt_sum_inside. Encodings are the same in
 * 32- and 64-bit mode. npt_copy_src is what gets copied (position-independent). */
__asm__(".text\n"
	".globl npt_sum_func, npt_sum_inside, npt_copy_src, npt_copy_end, npt_own_target\n"
	".p2align 12\n"
	"npt_sum_func: movl $3, %eax\n"
	"npt_sum_inside: addl $4, %eax\n"
	" addl $5, %eax\n"
	" ret\n"
	".p2align 4\n"
	"npt_copy_src: movl $42, %eax\n ret\n"
	"npt_copy_end:\n"
	".p2align 4\n"
	"npt_own_target: nop\n ret\n"
	".p2align 12\n");
/* clang-format on */
uint32_t npt_sum_func(void);
extern const uint8_t npt_sum_inside[], npt_copy_src[], npt_copy_end[];
void npt_own_target(void);

static void own_db_hook(struct gframe *f)
{
	if (dr_read(6) & DR6_B(0))
		npt_own_hits++;
	dr_write(6, DR6_INIT);
	f->flags |= X86G_FLAGS_RF; /* an instruction breakpoint is a fault: resume past it */
}

/* gdb stops here first and sets its watchpoints (the guest's DR0 is armed by then). */
__attribute__((noinline)) void npt_watch_marker(void)
{
	__asm__ volatile("" ::: "memory");
}

static void watched_accesses(void)
{
	npt_w0 = 1;
	npt_w1 = 2;
	npt_own_target();
	npt_w2 = 3;
	npt_w3 = 4;
	npt_sink = npt_r0;
	npt_own_target();
	npt_w4 = 5;
	npt_w5 = 6;
	npt_own_target();
	npt_w6 = 7;
	npt_w7 = 8;
	npt_sink = npt_r1;
	npt_own_target();
}

int test_main(void)
{
	const uint8_t *code = (const uint8_t *)npt_sum_func;
	uint32_t sum = 0;
	guest_hook_fn old_db;

	for (unsigned i = 0; i < SUM_BYTES; i++)
		sum = sum * 31 + code[i];
	/* 0x83 (ADD r/m32, imm8) on bare metal; gdb's INT3 would show 0xcc. */
	gprintf("gdb_npt: checksum 0x%x, byte at the break 0x%x\n", sum, npt_sum_inside[0]);
	gprintf("gdb_npt: function returns %u\n", npt_sum_func());

	memcpy(npt_copy_area, npt_copy_src, (size_t)(npt_copy_end - npt_copy_src));
	gprintf("gdb_npt: copied code returns %u\n", ((uint32_t(*)(void))npt_copy_area)());
	EXPECT_EQ("copied code runs", ((uint32_t(*)(void))npt_copy_area)(), COPY_RESULT);

	old_db = guest_set_hook(VEC_DB, own_db_hook);
	dr_write(0, (uintptr_t)npt_own_target);
	dr_write(7, DR7_INIT | DR7_L(0) | dr7_rwlen(0, DR7_RW_EXEC, DR7_LEN_1));
	npt_watch_marker();
	watched_accesses();
	dr_write(7, DR7_INIT);
	guest_set_hook(VEC_DB, old_db);
	EXPECT_EQ("own DR0 breakpoint hits", npt_own_hits, OWN_BP_CALLS);
	gprintf("gdb_npt: watched %u %u %u %u %u %u %u %u, read %u\n", npt_w0, npt_w1, npt_w2,
		npt_w3, npt_w4, npt_w5, npt_w6, npt_w7, npt_sink);
	guest_finish();
}
