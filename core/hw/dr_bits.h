/* dr_bits.h - the x86 debug registers' architectural bits: DR6, DR7 and DEBUGCTL fields. */
#ifndef DBGVISOR_DR_BITS_H
#define DBGVISOR_DR_BITS_H

#define DR_SLOTS 4

/* DR6 (SDM vol. 3B, 18.2.3; APM vol. 2, 13.1.1.3). BLD and RTM are active-low. */
#define DR6_B(n)       (1ull << (n))
#define DR6_B_MASK     0xfull
#define DR6_BLD	       (1ull << 11)
#define DR6_BD	       (1ull << 13)
#define DR6_BS	       (1ull << 14)
#define DR6_BT	       (1ull << 15)
#define DR6_RTM	       (1ull << 16)
#define DR6_INIT       0xffff0ff0ull /* the value with no debug event recorded */
#define DR6_ACTIVE_LOW (DR6_BLD | DR6_RTM)
#define DR6_ENABLED_BP (1ull << 12) /* only in VMX pending-debug format; reserved 0 in DR6 */

/* DR7 (SDM vol. 3B, 18.2.4). */
#define DR7_L(n)	 (1ull << (2 * (n)))
#define DR7_G(n)	 (1ull << (2 * (n) + 1))
#define DR7_ENABLE(n)	 (DR7_L(n) | DR7_G(n))
#define DR7_L_ALL	 (DR7_L(0) | DR7_L(1) | DR7_L(2) | DR7_L(3))
#define DR7_LE		 (1ull << 8)
#define DR7_GE		 (1ull << 9)
#define DR7_FIXED_1	 (1ull << 10)
#define DR7_RTM		 (1ull << 11)
#define DR7_GD		 (1ull << 13)
#define DR7_RW_SHIFT(n)	 (16 + 4 * (n))
#define DR7_LEN_SHIFT(n) (18 + 4 * (n))
#define DR7_FIELD_MASK	 0x3ull
#define DR7_INIT	 0x400ull
#define DR7_VOLATILE	 0xffff2bffull
#define DR_HIGH_MASK	 0xffffffff00000000ull

/* R/W field encodings. */
#define DR7_RW_EXEC   0
#define DR7_RW_WRITE  1
#define DR7_RW_IO     2
#define DR7_RW_ACCESS 3

/* LEN field encodings: 1, 2, 8 and 4 bytes (8 is defined in 64-bit mode). */
#define DR7_LEN_1 0
#define DR7_LEN_2 1
#define DR7_LEN_8 2
#define DR7_LEN_4 3

/* IA32_DEBUGCTL bits a #DB delivery clears (SDM 17.4.1; APM 13.1.1.6). */
#define DEBUGCTL_LBR (1ull << 0)
#define DEBUGCTL_BTF (1ull << 1)

#endif
