/* test_dr.c - cmocka tests for debug/dr.c: MOV DR, DR6 merge, #DB, task switch, slot sharing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "debug/dr.h"

/* Architectural values written out from the manuals, independently of the code under test. */
#define ARCH_DR6_RESET	  0xffff0ff0ull
#define ARCH_DR7_RESET	  0x400ull
#define ARCH_B0		  (1ull << 0)
#define ARCH_B1		  (1ull << 1)
#define ARCH_B2		  (1ull << 2)
#define ARCH_B3		  (1ull << 3)
#define ARCH_DR6_BLD	  (1ull << 11)
#define ARCH_DR6_BIT12	  (1ull << 12) /* "enabled breakpoint" in VMX pending-debug format only */
#define ARCH_BD		  (1ull << 13)
#define ARCH_BS		  (1ull << 14)
#define ARCH_BT		  (1ull << 15)
#define ARCH_DR6_RTM	  (1ull << 16)
#define ARCH_L0		  (1ull << 0)
#define ARCH_G0		  (1ull << 1)
#define ARCH_L1		  (1ull << 2)
#define ARCH_G1		  (1ull << 3)
#define ARCH_L2		  (1ull << 4)
#define ARCH_G2		  (1ull << 5)
#define ARCH_L3		  (1ull << 6)
#define ARCH_G3		  (1ull << 7)
#define ARCH_L_ALL	  (ARCH_L0 | ARCH_L1 | ARCH_L2 | ARCH_L3)
#define ARCH_G_ALL	  (ARCH_G0 | ARCH_G1 | ARCH_G2 | ARCH_G3)
#define ARCH_LE		  (1ull << 8)
#define ARCH_GE		  (1ull << 9)
#define ARCH_DR7_BIT10	  (1ull << 10)
#define ARCH_DR7_RTM	  (1ull << 11)
#define ARCH_DR7_BIT12	  (1ull << 12)
#define ARCH_GD		  (1ull << 13)
#define ARCH_DR7_BIT14	  (1ull << 14)
#define ARCH_DR7_BIT15	  (1ull << 15)
#define ARCH_RW_LEN_ALL	  0xffff0000ull /* R/W0-3 and LEN0-3 */
#define ARCH_RW_EXEC	  0u
#define ARCH_RW_WRITE	  1u
#define ARCH_RW_ACCESS	  3u
#define ARCH_LEN_1	  0u
#define ARCH_LEN_2	  1u
#define ARCH_LEN_8	  2u
#define ARCH_LEN_4	  3u
#define ARCH_LBR	  (1ull << 0)
#define ARCH_BTF	  (1ull << 1)
#define ARCH_DEBUGCTL_TR  (1ull << 6) /* a bit #DB does not touch */
#define TS_MASK_INTEL	  0x55ull     /* L0-L3 */
#define TS_MASK_AMD	  0x155ull    /* L0-L3 and LE */
#define HISTORICAL_MASK	  55ull	      /* KVM 2009's decimal "~55": 0x37 */
#define HIGH_HALF	  0xffffffff00000000ull
#define LOW_HALF	  0xffffffffull
#define FIRST_HIGH_BIT	  32
#define LAST_BIT	  63
#define ADDR_A		  0x401000ull
#define ADDR_B		  0x402000ull
#define ADDR_C		  0x7fff1230ull
#define ADDR_D		  0x1234ull
#define ADDR_DBG	  0xc0de00ull
#define ADDR_DBG2	  0xc0de10ull
#define ADDR_64		  0xffff800012345678ull
#define ADDR_NONCANONICAL 0x0123456789abcdefull
#define DR_COUNT	  4
#define DR4		  4
#define DR5		  5
#define DR6		  6
#define DR7		  7
#define DR8		  8
#define CPL_USER	  3
#define NO_DEBUGGER_HITS  0u

static inline uint64_t arch_slot(unsigned rw, unsigned len, unsigned slot)
{
	return (uint64_t)(rw | len << 2) << (16 + 4 * slot);
}

static const struct dr_features feat_none = {0};
static const struct dr_features feat_rtm_bld = {.rtm = true, .bld = true};
static const struct dr_features feat_rtm = {.rtm = true};
static const struct dr_features feat_amd = {.amd = true};

static struct dr_state s;

static int setup(void **state)
{
	(void)state;
	dr_init(&s, &feat_none);
	return 0;
}

static enum dr_result mov(unsigned dr, bool write, unsigned cpl, bool de, bool lm, uint64_t *val)
{
	struct dr_access a = {.dr = dr, .write = write, .cpl = cpl, .cr4_de = de, .long_mode = lm};

	return dr_mov(&s, &a, val);
}

/* Ring 0, CR4.DE = 0. */
static enum dr_result wr(unsigned dr, uint64_t val, bool lm)
{
	return mov(dr, true, 0, false, lm, &val);
}

static uint64_t rd(unsigned dr, bool lm)
{
	uint64_t val = 0;

	assert_int_equal(mov(dr, false, 0, false, lm, &val), DR_DONE);
	return val;
}

/* --- reset --- */

static void test_init_reset_values(void **state)
{
	(void)state;
	assert_int_equal(s.guest.dr6, ARCH_DR6_RESET);
	assert_int_equal(s.guest.dr7, ARCH_DR7_RESET);
	for (unsigned i = 0; i < DR_COUNT; i++)
		assert_int_equal(s.guest.db[i], 0);
	assert_false(s.guest_touched);
	assert_false(s.native);
	assert_false(s.faked);
	assert_int_equal(rd(DR6, true), ARCH_DR6_RESET);
	assert_int_equal(rd(DR7, true), ARCH_DR7_RESET);

	/* With RTM and BLD, the active-low bits still reset to 1: no event recorded. */
	dr_init(&s, &feat_rtm_bld);
	assert_int_equal(s.guest.dr6, ARCH_DR6_RESET);
	assert_int_equal(s.guest.dr7, ARCH_DR7_RESET);
}

/* --- MOV DR: SDM vol. 2B MOV (debug registers), exceptions in priority order --- */

static void test_mov_dr4_dr5_with_de_is_ud_before_gp(void **state)
{
	(void)state;
	for (unsigned dr = DR4; dr <= DR5; dr++) {
		for (unsigned cpl = 0; cpl <= CPL_USER; cpl++) {
			uint64_t val = ARCH_B1;

			assert_int_equal(mov(dr, true, cpl, true, true, &val), DR_RAISE_UD);
			assert_int_equal(mov(dr, false, cpl, true, true, &val), DR_RAISE_UD);
			assert_int_equal(mov(dr, false, cpl, true, false, &val), DR_RAISE_UD);
		}
	}
	/* Even with DR7.GD set, #UD wins over #DB. */
	assert_int_equal(wr(DR7, ARCH_DR7_RESET | ARCH_GD, true), DR_DONE);
	uint64_t val = 0;
	assert_int_equal(mov(DR4, false, 0, true, true, &val), DR_RAISE_UD);
	assert_int_equal(s.guest.dr6, ARCH_DR6_RESET);
	assert_int_equal(s.guest.dr7, ARCH_DR7_RESET | ARCH_GD);
	/* DR8 and up do not exist (REX.R): #UD. */
	assert_int_equal(mov(DR8, false, 0, false, true, &val), DR_RAISE_UD);
}

static void test_mov_cpl_is_gp_before_gd(void **state)
{
	(void)state;
	assert_int_equal(wr(DR7, ARCH_DR7_RESET | ARCH_GD, true), DR_DONE);
	for (unsigned cpl = 1; cpl <= CPL_USER; cpl++) {
		uint64_t val = ADDR_A;

		assert_int_equal(mov(0, true, cpl, false, true, &val), DR_RAISE_GP);
		assert_int_equal(mov(DR7, false, cpl, false, true, &val), DR_RAISE_GP);
	}
	/* No #DB was delivered: GD still set, BD not recorded, DR0 not written. */
	assert_int_equal(s.guest.dr7, ARCH_DR7_RESET | ARCH_GD);
	assert_int_equal(s.guest.dr6, ARCH_DR6_RESET);
	assert_int_equal(s.guest.db[0], 0);
}

static void test_mov_gd_raises_db_without_writing(void **state)
{
	(void)state;
	s.guest.debugctl = ARCH_LBR;
	assert_int_equal(wr(DR7, ARCH_DR7_RESET | ARCH_GD | ARCH_L0, true), DR_DONE);

	/* A write to DR0 faults: not performed, BD merged, GD cleared (SDM 18.2.4). */
	assert_int_equal(wr(0, ADDR_A, true), DR_RAISE_DB);
	assert_int_equal(s.guest.db[0], 0);
	assert_int_equal(s.guest.dr6, ARCH_DR6_RESET | ARCH_BD);
	assert_int_equal(s.guest.dr7, ARCH_DR7_RESET | ARCH_L0);
	assert_int_equal(s.guest.debugctl, 0);

	/* The handler can now access the debug registers. */
	assert_int_equal(wr(0, ADDR_A, true), DR_DONE);
	assert_int_equal(s.guest.db[0], ADDR_A);

	/* A write to DR7 itself under GD is not performed either. */
	assert_int_equal(wr(DR7, ARCH_DR7_RESET | ARCH_GD | ARCH_L0, true), DR_DONE);
	assert_int_equal(wr(DR7, ARCH_DR7_RESET, true), DR_RAISE_DB);
	assert_int_equal(s.guest.dr7, ARCH_DR7_RESET | ARCH_L0);

	/* Reads fault as well and leave the destination alone. */
	assert_int_equal(wr(DR7, ARCH_DR7_RESET | ARCH_GD, true), DR_DONE);
	uint64_t val = ADDR_D;
	assert_int_equal(mov(0, false, 0, false, true, &val), DR_RAISE_DB);
	assert_int_equal(val, ADDR_D);
}

static void test_mov_high_bits_of_dr6_dr7_gp_in_long_mode(void **state)
{
	(void)state;
	assert_int_equal(wr(DR6, ARCH_DR6_RESET | ARCH_B1, true), DR_DONE);
	assert_int_equal(wr(DR7, ARCH_DR7_RESET | ARCH_L0, true), DR_DONE);
	uint64_t eff7 = s.eff_dr7;

	for (unsigned bit = FIRST_HIGH_BIT; bit <= LAST_BIT; bit++) {
		assert_int_equal(wr(DR6, ARCH_DR6_RESET | (1ull << bit), true), DR_RAISE_GP);
		assert_int_equal(wr(DR7, ARCH_DR7_RESET | (1ull << bit), true), DR_RAISE_GP);
		/* DR4/DR5 alias the same registers and the same check. */
		assert_int_equal(wr(DR5, ARCH_DR7_RESET | (1ull << bit), true), DR_RAISE_GP);
	}
	assert_int_equal(s.guest.dr6, ARCH_DR6_RESET | ARCH_B1);
	assert_int_equal(s.guest.dr7, ARCH_DR7_RESET | ARCH_L0);
	assert_int_equal(s.eff_dr7, eff7);
}

static void test_mov_dr0_3_take_any_64bit_value(void **state)
{
	(void)state;
	const uint64_t vals[DR_COUNT] = {ADDR_64, ADDR_NONCANONICAL, HIGH_HALF, ~0ull};

	for (unsigned i = 0; i < DR_COUNT; i++)
		assert_int_equal(wr(i, vals[i], true), DR_DONE);
	for (unsigned i = 0; i < DR_COUNT; i++) {
		assert_int_equal(s.guest.db[i], vals[i]);
		assert_int_equal(rd(i, true), vals[i]);
	}
}

static void test_mov_32bit_truncates(void **state)
{
	(void)state;
	/* Writes: only the low 32 bits of the source; the high half cannot fault. */
	assert_int_equal(wr(0, ADDR_64, false), DR_DONE);
	assert_int_equal(s.guest.db[0], ADDR_64 & LOW_HALF);
	assert_int_equal(wr(DR7, HIGH_HALF | ARCH_DR7_RESET | ARCH_L1, false), DR_DONE);
	assert_int_equal(s.guest.dr7, ARCH_DR7_RESET | ARCH_L1);
	assert_int_equal(wr(DR6, HIGH_HALF | ARCH_DR6_RESET | ARCH_B3, false), DR_DONE);
	assert_int_equal(s.guest.dr6, ARCH_DR6_RESET | ARCH_B3);

	/* Reads: a 64-bit value written in long mode reads back truncated. */
	assert_int_equal(wr(1, ADDR_64, true), DR_DONE);
	assert_int_equal(rd(1, false), ADDR_64 & LOW_HALF);
	assert_int_equal(rd(1, true), ADDR_64);
}

static void test_mov_dr4_dr5_alias_dr6_dr7(void **state)
{
	(void)state;
	/* DR4 -> DR6 and DR5 -> DR7, both directions, when CR4.DE = 0. */
	assert_int_equal(wr(DR4, ARCH_B2, true), DR_DONE);
	assert_int_equal(rd(DR6, true), ARCH_DR6_RESET | ARCH_B2);
	assert_int_equal(wr(DR6, ARCH_B3 | ARCH_BS, true), DR_DONE);
	assert_int_equal(rd(DR4, true), ARCH_DR6_RESET | ARCH_B3 | ARCH_BS);

	assert_int_equal(wr(DR5, ARCH_L1 | ARCH_G3, false), DR_DONE);
	assert_int_equal(rd(DR7, false), ARCH_DR7_RESET | ARCH_L1 | ARCH_G3);
	assert_int_equal(wr(DR7, ARCH_G0, true), DR_DONE);
	assert_int_equal(rd(DR5, true), ARCH_DR7_RESET | ARCH_G0);
	/* Neither alias touched DR0-DR3. */
	for (unsigned i = 0; i < DR_COUNT; i++)
		assert_int_equal(s.guest.db[i], 0);
}

static void test_dr6_write_keeps_fixed_bits(void **state)
{
	(void)state;
	assert_int_equal(wr(DR6, 0, true), DR_DONE);
	assert_int_equal(rd(DR6, true), ARCH_DR6_RESET);
	assert_int_equal(wr(DR6, LOW_HALF, true), DR_DONE);
	assert_int_equal(rd(DR6, true), ARCH_DR6_RESET | ARCH_B0 | ARCH_B1 | ARCH_B2 | ARCH_B3 |
					    ARCH_BD | ARCH_BS | ARCH_BT);
	assert_int_equal(rd(DR6, true) & ARCH_DR6_BIT12, 0);

	/* With RTM and bus-lock detection, bits 16 and 11 become writable. */
	dr_init(&s, &feat_rtm_bld);
	assert_int_equal(wr(DR6, 0, true), DR_DONE);
	assert_int_equal(rd(DR6, true), ARCH_DR6_RESET & ~ARCH_DR6_RTM & ~ARCH_DR6_BLD);
	assert_int_equal(wr(DR6, LOW_HALF, true), DR_DONE);
	assert_int_equal(rd(DR6, true), ARCH_DR6_RESET | 0xfull | ARCH_BD | ARCH_BS | ARCH_BT);

	/* Each feature governs only its own bit. */
	dr_init(&s, &feat_rtm);
	assert_int_equal(wr(DR6, 0, true), DR_DONE);
	assert_int_equal(rd(DR6, true), ARCH_DR6_RESET & ~ARCH_DR6_RTM);
}

static void test_dr7_write_keeps_fixed_bits(void **state)
{
	(void)state;
	assert_int_equal(wr(DR7, 0, true), DR_DONE);
	assert_int_equal(rd(DR7, true), ARCH_DR7_RESET);
	assert_int_equal(wr(DR7, LOW_HALF, true), DR_DONE);

	uint64_t dr7 = s.guest.dr7; /* GD is now set: a MOV would fault */

	assert_true(dr7 & ARCH_DR7_BIT10);
	assert_int_equal(dr7 & (ARCH_DR7_BIT12 | ARCH_DR7_BIT14 | ARCH_DR7_BIT15), 0);
	assert_int_equal(dr7, LOW_HALF & ~(ARCH_DR7_BIT12 | ARCH_DR7_BIT14 | ARCH_DR7_BIT15));
}

/* --- DR6 merge (SDM 18.2.3) --- */

static void test_dr6_merge_b0_b3_replaced(void **state)
{
	(void)state;
	/* A breakpoint hit replaces B0-B3; a single step leaves them (as Bochs and QEMU do). */
	assert_int_equal(dr6_merge(ARCH_DR6_RESET | ARCH_B0 | ARCH_B2, ARCH_B1, &feat_none),
			 ARCH_DR6_RESET | ARCH_B1);
	assert_int_equal(dr6_merge(ARCH_DR6_RESET | ARCH_B3, ARCH_BS, &feat_none),
			 ARCH_DR6_RESET | ARCH_B3 | ARCH_BS);
}

static void test_dr6_merge_bd_bs_bt_accumulate(void **state)
{
	(void)state;
	uint64_t dr6 = dr6_merge(ARCH_DR6_RESET, ARCH_BS, &feat_none);

	dr6 = dr6_merge(dr6, ARCH_BD, &feat_none);
	assert_int_equal(dr6, ARCH_DR6_RESET | ARCH_BS | ARCH_BD);
	dr6 = dr6_merge(dr6, ARCH_BT | ARCH_B0, &feat_none);
	assert_int_equal(dr6, ARCH_DR6_RESET | ARCH_BS | ARCH_BD | ARCH_BT | ARCH_B0);
}

static void test_dr6_merge_active_low(void **state)
{
	(void)state;
	/* A pending RTM/BLD bit (positive polarity) clears the DR6 bit. */
	assert_int_equal(dr6_merge(ARCH_DR6_RESET, ARCH_DR6_RTM | ARCH_B0, &feat_rtm_bld),
			 (ARCH_DR6_RESET & ~ARCH_DR6_RTM) | ARCH_B0);
	assert_int_equal(dr6_merge(ARCH_DR6_RESET, ARCH_DR6_BLD, &feat_rtm_bld),
			 ARCH_DR6_RESET & ~ARCH_DR6_BLD);
	/* The pending bit never shows up as a plain 1 and never sets anything else. */
	assert_int_equal(dr6_merge(ARCH_DR6_RESET & ~ARCH_DR6_BLD, ARCH_DR6_BLD, &feat_rtm_bld),
			 ARCH_DR6_RESET & ~ARCH_DR6_BLD);
	/* Without the features the bits are fixed at 1. */
	assert_int_equal(dr6_merge(ARCH_DR6_RESET, ARCH_DR6_RTM | ARCH_DR6_BLD, &feat_none),
			 ARCH_DR6_RESET);
}

static void test_dr6_merge_rtm_set_by_other_db_bld_sticky(void **state)
{
	(void)state;
	/*
	 * RTM "is set for any other debug exception"; BLD: "other debug exceptions do not
	 * modify this bit" (SDM 18.2.3).
	 */
	assert_int_equal(dr6_merge(ARCH_DR6_RESET & ~ARCH_DR6_RTM, ARCH_BS, &feat_rtm_bld),
			 ARCH_DR6_RESET | ARCH_BS);
	assert_int_equal(dr6_merge(ARCH_DR6_RESET & ~ARCH_DR6_BLD, ARCH_BS, &feat_rtm_bld),
			 (ARCH_DR6_RESET & ~ARCH_DR6_BLD) | ARCH_BS);
}

static void test_dr6_merge_drops_enabled_bp_bit(void **state)
{
	(void)state;
	assert_int_equal(dr6_merge(ARCH_DR6_RESET, ARCH_DR6_BIT12 | ARCH_B2, &feat_none),
			 ARCH_DR6_RESET | ARCH_B2);
	assert_int_equal(dr6_merge(ARCH_DR6_RESET, ARCH_DR6_BIT12 | ARCH_BS, &feat_rtm_bld),
			 ARCH_DR6_RESET | ARCH_BS);
}

/* --- #DB delivery --- */

static void test_deliver_db_intel(void **state)
{
	(void)state;
	s.guest.dr7 = ARCH_DR7_RESET | ARCH_GD | ARCH_L0 | ARCH_GE;
	s.guest.debugctl = ARCH_LBR | ARCH_BTF | ARCH_DEBUGCTL_TR;
	dr_deliver_db(&s, ARCH_B0);
	assert_int_equal(s.guest.dr6, ARCH_DR6_RESET | ARCH_B0);
	assert_int_equal(s.guest.dr7, ARCH_DR7_RESET | ARCH_L0 | ARCH_GE);
	assert_int_equal(s.guest.debugctl, ARCH_BTF | ARCH_DEBUGCTL_TR);
}

static void test_deliver_db_amd_clears_btf(void **state)
{
	(void)state;
	dr_init(&s, &feat_amd);
	s.guest.dr7 = ARCH_DR7_RESET | ARCH_GD;
	s.guest.debugctl = ARCH_LBR | ARCH_BTF | ARCH_DEBUGCTL_TR;
	dr_deliver_db(&s, ARCH_BS);
	assert_int_equal(s.guest.dr6, ARCH_DR6_RESET | ARCH_BS);
	assert_int_equal(s.guest.dr7, ARCH_DR7_RESET);
	assert_int_equal(s.guest.debugctl, ARCH_DEBUGCTL_TR);
}

/* --- task switch (SDM 18.2.4; APM 13.1.1.5) --- */

static void test_task_switch_mask_values(void **state)
{
	(void)state;
	assert_int_equal(dr7_task_switch_mask(&feat_none), TS_MASK_INTEL);
	assert_int_equal(dr7_task_switch_mask(&feat_rtm_bld), TS_MASK_INTEL);
	assert_int_equal(dr7_task_switch_mask(&feat_amd), TS_MASK_AMD);
	assert_int_not_equal(dr7_task_switch_mask(&feat_none), HISTORICAL_MASK);
}

static void check_task_switch(const struct dr_features *f, bool le_cleared)
{
	const uint64_t before =
	    ARCH_DR7_RESET | ARCH_L_ALL | ARCH_G_ALL | ARCH_LE | ARCH_GE | ARCH_RW_LEN_ALL;

	dr_init(&s, f);
	s.guest.dr7 = before;
	dr_task_switch(&s);
	/* The decimal mask would clear G0 and G2 and keep L3: check each bit by name. */
	assert_int_equal(s.guest.dr7 & ARCH_G_ALL, ARCH_G_ALL);
	assert_int_equal(s.guest.dr7 & ARCH_L_ALL, 0);
	assert_true(s.guest.dr7 & ARCH_GE);
	assert_true(s.guest.dr7 & ARCH_DR7_BIT10);
	assert_int_equal(s.guest.dr7 & ARCH_RW_LEN_ALL, ARCH_RW_LEN_ALL);
	assert_int_equal(!(s.guest.dr7 & ARCH_LE), le_cleared);
	assert_int_equal(s.guest.dr7, before & ~ARCH_L_ALL & ~(le_cleared ? ARCH_LE : 0));
	/* The effective value follows. */
	assert_int_equal(s.eff_dr7 & ARCH_L_ALL, 0);
	assert_int_equal(s.eff_dr7 & ARCH_G_ALL, ARCH_G_ALL);
}

static void test_task_switch_keeps_global_bits(void **state)
{
	(void)state;
	check_task_switch(&feat_none, false);
	check_task_switch(&feat_amd, true);
}

/* --- slot allocation and native mode --- */

static void test_recompute_identity_without_debugger(void **state)
{
	(void)state;
	const uint64_t addrs[DR_COUNT] = {ADDR_A, ADDR_B, ADDR_C, ADDR_D};
	/* Slot 0 local, slot 1 global, slots 2 and 3 disabled but with R/W and LEN set. */
	const uint64_t dr7 =
	    ARCH_DR7_RESET | ARCH_L0 | ARCH_G1 | ARCH_LE | ARCH_GE |
	    arch_slot(ARCH_RW_WRITE, ARCH_LEN_4, 0) | arch_slot(ARCH_RW_ACCESS, ARCH_LEN_8, 1) |
	    arch_slot(ARCH_RW_WRITE, ARCH_LEN_2, 2) | arch_slot(ARCH_RW_ACCESS, ARCH_LEN_1, 3);

	for (unsigned i = 0; i < DR_COUNT; i++)
		assert_int_equal(wr(i, addrs[i], true), DR_DONE);
	assert_int_equal(wr(DR7, dr7, true), DR_DONE);
	for (unsigned i = 0; i < DR_COUNT; i++) {
		assert_int_equal(s.eff_db[i], addrs[i]);
		assert_int_equal(s.slot_owner[i], DR_SLOT_GUEST);
		assert_int_equal(s.slot_index[i], i);
	}
	assert_int_equal(s.eff_dr7, dr7);
	assert_false(s.faked);

	/* GD is emulated: never part of the effective value. */
	assert_int_equal(wr(DR7, dr7 | ARCH_GD, true), DR_DONE);
	assert_int_equal(s.eff_dr7, dr7);
}

static void test_recompute_native_decision(void **state)
{
	(void)state;
	/* Breakpoints the guest never set itself (fresh state) do not make it native. */
	s.guest.db[0] = ADDR_A;
	s.guest.dr7 = ARCH_DR7_RESET | ARCH_L0;
	dr_recompute(&s);
	assert_false(s.native);

	/* Any access counts, a read included. */
	rd(0, true);
	assert_true(s.guest_touched);
	assert_true(s.native);

	/* Not while GD is set: the next access must exit and fault. */
	assert_int_equal(wr(DR7, ARCH_DR7_RESET | ARCH_GD, true), DR_DONE);
	assert_false(s.native);
	dr_deliver_db(&s, ARCH_BD);
	assert_true(s.native);

	/* Not while the debugger owns a breakpoint. */
	assert_int_equal(dr_debugger_set(&s, ADDR_DBG, ARCH_RW_EXEC, ARCH_LEN_1), 0);
	assert_false(s.native);
	assert_int_equal(dr_debugger_clear(&s, ADDR_DBG, ARCH_RW_EXEC, ARCH_LEN_1), 0);
	assert_true(s.native);
}

/* Debugger breakpoint in dbg[0]; guest breakpoints on DR0 and DR2; DR1 holds a disabled one. */
static uint64_t setup_shared_slots(void)
{
	const uint64_t guest_dr7 =
	    ARCH_DR7_RESET | ARCH_L0 | ARCH_G2 | arch_slot(ARCH_RW_WRITE, ARCH_LEN_2, 0) |
	    arch_slot(ARCH_RW_ACCESS, ARCH_LEN_8, 1) | arch_slot(ARCH_RW_ACCESS, ARCH_LEN_4, 2);

	assert_int_equal(wr(0, ADDR_A, true), DR_DONE);
	assert_int_equal(wr(1, ADDR_B, true), DR_DONE);
	assert_int_equal(wr(2, ADDR_C, true), DR_DONE);
	assert_int_equal(wr(DR7, guest_dr7, true), DR_DONE);
	assert_int_equal(dr_debugger_set(&s, ADDR_DBG, ARCH_RW_WRITE, ARCH_LEN_4), 0);
	return guest_dr7;
}

static void test_recompute_debugger_first_guest_moved(void **state)
{
	(void)state;
	const uint64_t guest_dr7 = setup_shared_slots();

	assert_int_equal(s.slot_owner[0], DR_SLOT_DEBUGGER);
	assert_int_equal(s.slot_index[0], 0);
	assert_int_equal(s.eff_db[0], ADDR_DBG);
	assert_int_equal(s.slot_owner[1], DR_SLOT_GUEST);
	assert_int_equal(s.slot_index[1], 0);
	assert_int_equal(s.eff_db[1], ADDR_A);
	assert_int_equal(s.slot_owner[2], DR_SLOT_GUEST);
	assert_int_equal(s.slot_index[2], 2);
	assert_int_equal(s.eff_db[2], ADDR_C);
	assert_int_equal(s.slot_owner[3], DR_SLOT_FREE);
	assert_int_equal(s.eff_dr7, ARCH_DR7_RESET | ARCH_G0 |
					arch_slot(ARCH_RW_WRITE, ARCH_LEN_4, 0) | ARCH_L1 |
					arch_slot(ARCH_RW_WRITE, ARCH_LEN_2, 1) | ARCH_G2 |
					arch_slot(ARCH_RW_ACCESS, ARCH_LEN_4, 2));
	assert_false(s.faked);
	assert_false(s.native);

	/* The guest still reads its own numbering. */
	assert_int_equal(rd(0, true), ADDR_A);
	assert_int_equal(rd(1, true), ADDR_B);
	assert_int_equal(rd(2, true), ADDR_C);
	assert_int_equal(rd(DR7, true), guest_dr7);
}

static void test_recompute_debugger_full_fakes_guest(void **state)
{
	(void)state;
	const uint64_t guest_dr7 =
	    ARCH_DR7_RESET | ARCH_L0 | arch_slot(ARCH_RW_WRITE, ARCH_LEN_4, 0);

	assert_int_equal(wr(0, ADDR_A, true), DR_DONE);
	assert_int_equal(wr(DR7, guest_dr7, true), DR_DONE);
	for (unsigned i = 0; i < DR_COUNT; i++)
		assert_int_equal(dr_debugger_set(&s, ADDR_DBG + i, ARCH_RW_EXEC, ARCH_LEN_1),
				 (int)i);
	assert_true(s.faked);
	for (unsigned i = 0; i < DR_COUNT; i++) {
		assert_int_equal(s.slot_owner[i], DR_SLOT_DEBUGGER);
		assert_int_equal(s.eff_db[i], ADDR_DBG + i);
	}
	assert_int_equal(s.eff_dr7 & (ARCH_L_ALL | ARCH_G_ALL), ARCH_G_ALL);
	/* The guest's view is intact. */
	assert_int_equal(rd(0, true), ADDR_A);
	assert_int_equal(rd(DR7, true), guest_dr7);

	/* Three debugger breakpoints leave one slot: the second guest breakpoint is faked. */
	assert_int_equal(dr_debugger_clear(&s, ADDR_DBG + 3, ARCH_RW_EXEC, ARCH_LEN_1), 3);
	assert_false(s.faked);
	assert_int_equal(s.slot_owner[3], DR_SLOT_GUEST);
	assert_int_equal(s.eff_db[3], ADDR_A);
	assert_int_equal(wr(1, ADDR_B, true), DR_DONE);
	assert_int_equal(wr(DR7, guest_dr7 | ARCH_G1, true), DR_DONE);
	assert_true(s.faked);
	assert_int_equal(s.eff_db[3], ADDR_A);
}

/* --- routing hardware hits --- */

static void test_route_hits(void **state)
{
	(void)state;
	unsigned dbg;

	setup_shared_slots();
	assert_int_equal(dr_route_hits(&s, ARCH_B1, &dbg), ARCH_B0);
	assert_int_equal(dbg, NO_DEBUGGER_HITS);
	assert_int_equal(dr_route_hits(&s, ARCH_B2, &dbg), ARCH_B2);
	assert_int_equal(dbg, NO_DEBUGGER_HITS);
	assert_int_equal(dr_route_hits(&s, ARCH_B0, &dbg), 0);
	assert_int_equal(dbg, 1u << 0);
	/* A free slot reports nothing; BS/BD/BT pass through. */
	assert_int_equal(dr_route_hits(&s, ARCH_B3 | ARCH_BS, &dbg), ARCH_BS);
	assert_int_equal(dbg, NO_DEBUGGER_HITS);
	assert_int_equal(
	    dr_route_hits(&s, ARCH_B0 | ARCH_B1 | ARCH_B2 | ARCH_BS | ARCH_BD | ARCH_BT, &dbg),
	    ARCH_B0 | ARCH_B2 | ARCH_BS | ARCH_BD | ARCH_BT);
	assert_int_equal(dbg, 1u << 0);

	/* Debugger hits are numbered by breakpoint, not by hardware slot. */
	assert_int_equal(dr_debugger_set(&s, ADDR_DBG2, ARCH_RW_EXEC, ARCH_LEN_1), 1);
	assert_int_equal(dr_debugger_clear(&s, ADDR_DBG, ARCH_RW_WRITE, ARCH_LEN_4), 0);
	assert_int_equal(s.slot_owner[0], DR_SLOT_DEBUGGER);
	assert_int_equal(s.slot_index[0], 1);
	assert_int_equal(dr_route_hits(&s, ARCH_B0, &dbg), 0);
	assert_int_equal(dbg, 1u << 1);
}

static void test_route_hits_identity(void **state)
{
	(void)state;
	unsigned dbg = ~0u;

	assert_int_equal(dr_route_hits(&s, ARCH_B0 | ARCH_B3 | ARCH_BS, &dbg),
			 ARCH_B0 | ARCH_B3 | ARCH_BS);
	assert_int_equal(dbg, NO_DEBUGGER_HITS);
}

/* --- debugger slots --- */

static void test_debugger_set_clear(void **state)
{
	(void)state;
	for (unsigned i = 0; i < DR_COUNT; i++)
		assert_int_equal(dr_debugger_set(&s, ADDR_DBG + i, ARCH_RW_WRITE, ARCH_LEN_4),
				 (int)i);
	assert_int_equal(dr_debugger_set(&s, ADDR_A, ARCH_RW_EXEC, ARCH_LEN_1), -1);

	/* Clearing must match address, type and length. */
	assert_int_equal(dr_debugger_clear(&s, ADDR_DBG + 2, ARCH_RW_ACCESS, ARCH_LEN_4), -1);
	assert_int_equal(dr_debugger_clear(&s, ADDR_DBG + 2, ARCH_RW_WRITE, ARCH_LEN_1), -1);
	assert_int_equal(dr_debugger_clear(&s, ADDR_A, ARCH_RW_WRITE, ARCH_LEN_4), -1);
	assert_int_equal(dr_debugger_clear(&s, ADDR_DBG + 2, ARCH_RW_WRITE, ARCH_LEN_4), 2);
	assert_false(s.dbg[2].used);
	assert_int_equal(s.slot_owner[3], DR_SLOT_FREE);
	assert_int_equal(s.eff_db[2], ADDR_DBG + 3);

	/* The freed slot is reused. */
	assert_int_equal(dr_debugger_set(&s, ADDR_A, ARCH_RW_EXEC, ARCH_LEN_1), 2);
	assert_true(s.dbg[2].used);
	assert_int_equal(s.dbg[2].addr, ADDR_A);
	assert_int_equal(s.dbg[2].rw, ARCH_RW_EXEC);
	assert_int_equal(s.dbg[2].len_code, ARCH_LEN_1);

	dr_debugger_clear_all(&s);
	for (unsigned i = 0; i < DR_COUNT; i++) {
		assert_false(s.dbg[i].used);
		assert_int_equal(s.slot_owner[i], DR_SLOT_GUEST);
	}
	assert_int_equal(s.eff_dr7, ARCH_DR7_RESET);
}

#define T(t) cmocka_unit_test_setup(t, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_init_reset_values),
	    T(test_mov_dr4_dr5_with_de_is_ud_before_gp),
	    T(test_mov_cpl_is_gp_before_gd),
	    T(test_mov_gd_raises_db_without_writing),
	    T(test_mov_high_bits_of_dr6_dr7_gp_in_long_mode),
	    T(test_mov_dr0_3_take_any_64bit_value),
	    T(test_mov_32bit_truncates),
	    T(test_mov_dr4_dr5_alias_dr6_dr7),
	    T(test_dr6_write_keeps_fixed_bits),
	    T(test_dr7_write_keeps_fixed_bits),
	    T(test_dr6_merge_b0_b3_replaced),
	    T(test_dr6_merge_bd_bs_bt_accumulate),
	    T(test_dr6_merge_active_low),
	    T(test_dr6_merge_rtm_set_by_other_db_bld_sticky),
	    T(test_dr6_merge_drops_enabled_bp_bit),
	    T(test_deliver_db_intel),
	    T(test_deliver_db_amd_clears_btf),
	    T(test_task_switch_mask_values),
	    T(test_task_switch_keeps_global_bits),
	    T(test_recompute_identity_without_debugger),
	    T(test_recompute_native_decision),
	    T(test_recompute_debugger_first_guest_moved),
	    T(test_recompute_debugger_full_fakes_guest),
	    T(test_route_hits),
	    T(test_route_hits_identity),
	    T(test_debugger_set_clear),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
