/* task_switch.h - emulate a hardware task switch through a 32-bit TSS (VMX exits on every one). */
#ifndef DBGVISOR_TASK_SWITCH_H
#define DBGVISOR_TASK_SWITCH_H

#include "vcpu.h"

/* 32-bit TSS layout (SDM vol. 3A, figure 8-2). */
#define TSS32_LINK	0x00
#define TSS32_CR3	0x1c
#define TSS32_EIP	0x20
#define TSS32_EFLAGS	0x24
#define TSS32_EAX	0x28
#define TSS32_ES	0x48
#define TSS32_LDT	0x60
#define TSS32_T_BYTE	0x64
#define TSS32_T_BIT	0x1
#define TSS32_SIZE	0x68
#define TSS32_MIN_LIMIT (TSS32_SIZE - 1)

/* Where the switch came from (VMX exit qualification bits 31:30, SDM 3C table 28-2). */
enum task_switch_source { TS_CALL, TS_IRET, TS_JMP, TS_GATE };

enum exit_result task_switch_emulate(struct vcpu *v, const struct vcpu_exit *e);

#endif
