/* dbgregs.h - debug-register layout (SDM 3B ch. 18, APM 2 ch. 13), MOV DR and CR4 helpers. */
#ifndef GUEST_DBGREGS_H
#define GUEST_DBGREGS_H

#include <stdint.h>

/* Breakpoint address registers DR0-DR3. */
#define DR_NUM_BP 4

/* DR6 (debug status). */
#define DR6_B(n)  (1u << (n)) /* breakpoint condition n met */
#define DR6_BMASK 0xfu
#define DR6_BLD	  (1u << 11) /* bus-lock detect: active low, reads 1 unless BLD is supported */
#define DR6_BD	  (1u << 13) /* debug-register access detected (DR7.GD) */
#define DR6_BS	  (1u << 14) /* single step */
#define DR6_BT	  (1u << 15) /* task switch (TSS T bit) */
#define DR6_RTM	  (1u << 16) /* RTM: active low, reads 1 unless RTM is supported */
/*
 * Architectural reset value: every status bit clear, the reserved and active-low bits 1.
 * DR6_INIT and DR7_INIT are plain numbers so tests can paste them into assembly.
 */
#define DR6_INIT 0xffff0ff0

/* DR7 (debug control). */
#define DR7_L(n)	 (1u << (2 * (n))) /* local enable of breakpoint n */
#define DR7_G(n)	 (2u << (2 * (n))) /* global enable of breakpoint n */
#define DR7_LOCAL_MASK	 0x55u		   /* L0-L3 */
#define DR7_GLOBAL_MASK	 0xaau		   /* G0-G3 */
#define DR7_LE		 (1u << 8)
#define DR7_GE		 (1u << 9)
#define DR7_FIXED1	 (1u << 10) /* reads as 1 */
#define DR7_RTM		 (1u << 11)
#define DR7_GD		 (1u << 13) /* general detect: #DB on any MOV DR */
#define DR7_INIT	 0x400	    /* architectural reset value */
#define DR7_RW_SHIFT(n)	 (16 + 4 * (n))
#define DR7_LEN_SHIFT(n) (18 + 4 * (n))

/* R/Wn field values. */
#define DR7_RW_EXEC  0u /* instruction execution (LEN must be 00) */
#define DR7_RW_WRITE 1u /* data writes */
#define DR7_RW_IO    2u /* I/O reads or writes, only with CR4.DE=1 */
#define DR7_RW_RW    3u /* data reads or writes, not instruction fetches */

/* LENn field values (note the encoding of 8 bytes: 10b, defined in 64-bit mode). */
#define DR7_LEN_1 0u
#define DR7_LEN_2 1u
#define DR7_LEN_8 2u
#define DR7_LEN_4 3u

/* CR4.DE: debugging extensions (I/O breakpoints; DR4/DR5 references raise #UD). */
#define CR4_DE (1u << 3)

/* R/W and LEN fields of breakpoint n (no enable bits). */
static inline uintptr_t dr7_rwlen(int n, unsigned rw, unsigned len)
{
	return ((uintptr_t)rw << DR7_RW_SHIFT(n)) | ((uintptr_t)len << DR7_LEN_SHIFT(n));
}

/* LEN encoding for a breakpoint of 1, 2, 4 or 8 bytes. */
static inline unsigned dr7_len_of(unsigned bytes)
{
	switch (bytes) {
	case 1:
		return DR7_LEN_1;
	case 2:
		return DR7_LEN_2;
	case 4:
		return DR7_LEN_4;
	default:
		return DR7_LEN_8;
	}
}

/* MOV from DRn for n in 0-3, 6, 7 (DR4/DR5 need explicit asm: they may raise #UD). */
static inline uintptr_t dr_read(int n)
{
	uintptr_t v = 0;

	switch (n) {
	case 0:
		__asm__ volatile("mov %%dr0, %0" : "=r"(v));
		break;
	case 1:
		__asm__ volatile("mov %%dr1, %0" : "=r"(v));
		break;
	case 2:
		__asm__ volatile("mov %%dr2, %0" : "=r"(v));
		break;
	case 3:
		__asm__ volatile("mov %%dr3, %0" : "=r"(v));
		break;
	case 6:
		__asm__ volatile("mov %%dr6, %0" : "=r"(v));
		break;
	case 7:
		__asm__ volatile("mov %%dr7, %0" : "=r"(v));
		break;
	default:
		break;
	}
	return v;
}

/* MOV to DRn for n in 0-3, 6, 7. */
static inline void dr_write(int n, uintptr_t v)
{
	switch (n) {
	case 0:
		__asm__ volatile("mov %0, %%dr0" ::"r"(v) : "memory");
		break;
	case 1:
		__asm__ volatile("mov %0, %%dr1" ::"r"(v) : "memory");
		break;
	case 2:
		__asm__ volatile("mov %0, %%dr2" ::"r"(v) : "memory");
		break;
	case 3:
		__asm__ volatile("mov %0, %%dr3" ::"r"(v) : "memory");
		break;
	case 6:
		__asm__ volatile("mov %0, %%dr6" ::"r"(v) : "memory");
		break;
	case 7:
		__asm__ volatile("mov %0, %%dr7" ::"r"(v) : "memory");
		break;
	default:
		break;
	}
}

static inline uintptr_t x86g_read_cr4(void)
{
	uintptr_t v;

	__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

static inline void x86g_write_cr4(uintptr_t v)
{
	__asm__ volatile("mov %0, %%cr4" ::"r"(v) : "memory");
}

/* Disable every breakpoint and clear DR6's status bits (write the reset values). */
static inline void dr_reset_all(void)
{
	dr_write(7, DR7_INIT);
	dr_write(6, DR6_INIT);
	for (int n = 0; n < DR_NUM_BP; n++)
		dr_write(n, 0);
}

#endif
