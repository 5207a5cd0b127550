/* rmsuite.h - constants and the CHECK macro shared by the real-mode / virtual-8086 suite. */
#ifndef RMSUITE_H
#define RMSUITE_H

/* Multiboot 0.6.96, 3.1.1: magic, flags (none), checksum. */
#define MB1_MAGIC 0x1BADB002
#define MB1_FLAGS 0

#define COM1_DATA	0x3f8
#define COM1_LSR	0x3fd
#define LSR_THRE	0x20
#define LSR_TEMT	0x40
#define QEMU_EXIT_PORT	0xf4
#define BOCHS_EXIT_PORT 0x8900
#define COM1_DLL	0x3f8 /* with LCR.DLAB: divisor latch, low and high byte */
#define COM1_DLM	0x3f9
#define COM1_LCR	0x3fb
#define LCR_DLAB	0x80
#define LCR_8N1		0x03
#define DIVISOR_115200	1
#define PIC1_DATA	0x21
#define PIC2_DATA	0xa1
#define PIC_MASK_ALL	0xff

/* GDT selectors (rmsuite.S): flat 32-bit code/data, 16-bit code/data (limit 64 KiB), the TSS. */
#define SEL_CODE32 0x08
#define SEL_DATA32 0x10
#define SEL_CODE16 0x18
#define SEL_DATA16 0x20
#define SEL_TSS	   0x28

#define CR0_PE	       0x1
#define CR4_VME	       0x1
#define FL_CF	       0x0001
#define FL_FIXED       0x0002 /* EFLAGS bit 1 reads as 1 (SDM vol. 1, 3.4.3) */
#define FL_ZF	       0x0040
#define FL_TF	       0x0100
#define FL_IF	       0x0200
#define FL_OF	       0x0800
#define FL_IOPL3       0x3000
#define FL_VM	       0x20000
#define FL_VIF	       0x80000
#define DR6_BS	       0x4000
#define DR6_B0	       0x1
#define DR6_B1	       0x2
#define DR7_L0	       0x1
#define DR7_L1	       0x4
#define DR7_RW1_W_LEN1 0x00100000 /* DR1: break on data writes, 1 byte (SDM vol. 3B, 18.2.4) */
#define DR7_GE_LE      0x300

/* Real-mode layout: the IVT at 0 (ours, rebuilt), the stack below the image at 0x8000. */
#define IVT_LIMIT     0x3ff
#define IVT_ENTRY     4
#define STACK_TOP     0x7000
#define V86_STACK_TOP 0x6000
#define OTHER_SEG     0x0800 /* CS/DS 0x800: the image seen from a segment with a base */
#define WRAP_SEG      0x2000 /* 0x20000-0x2ffff: scratch for code at IP 0xfffe */
#define WRAP_IP	      0xfffe
#define SCRATCH_SEG   0x3000   /* 0x30000-0x3ffff: stack wrap and string scratch */
#define HIGH_SCRATCH  0x200000 /* 2 MiB, reached from real mode through a 4 GiB FS limit */

#define CANARY_WORDS 64
#define CANARY_VALUE 0x5aa5c33c

#define VEC_DE	     0
#define VEC_DB	     1
#define VEC_BP	     3
#define VEC_OF	     4
#define VEC_UD	     6
#define VEC_GP	     13
#define VEC_TEST     0x40
#define VEC_TEST2    0x41
#define VEC_V86_EXIT 0xff

/* A check: ZF set means pass. report prints the name that follows the call and skips it.
 * Assembler, not C: kept out of clang-format. */
/* clang-format off */
.macro CHECK name
	call report
	.asciz "\name"
.endm
/* clang-format on */

#endif
