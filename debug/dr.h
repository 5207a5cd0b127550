/* dr.h - debug-register virtualization: the guest's view, the debugger's slots, the hardware's. */
#ifndef DBGVISOR_DR_H
#define DBGVISOR_DR_H

#include <stdbool.h>
#include <stdint.h>

#include "core/hw/dr_bits.h"

/* What the CPU under us implements: DR6's writable bits and #DB side effects. */
struct dr_features {
	bool rtm; /* DR6.RTM / DR7.RTM exist (CPUID.7.0:EBX.RTM) */
	bool bld; /* DR6.BLD exists (CPUID.7.0:ECX.BUS_LOCK_DETECT) */
	bool amd; /* AMD: #DB also clears DEBUGCTL.BTF; a task switch also clears DR7.LE */
};

/* #DB status bits that say something happened (BLD and RTM are active-low, not news). */
#define DB_STATUS_BITS (DR6_B_MASK | DR6_BD | DR6_BS | DR6_BT)

/* The guest's architectural debug state, as the guest reads it. */
struct dr_guest {
	uint64_t db[DR_SLOTS];
	uint64_t dr6, dr7, debugctl;
};

/* A debugger (gdb) breakpoint: exec or data. */
struct dr_debugger_bp {
	bool used;
	uint64_t addr;
	uint8_t rw;	  /* DR7_RW_* */
	uint8_t len_code; /* DR7_LEN_* */
};

enum dr_slot_owner { DR_SLOT_FREE, DR_SLOT_GUEST, DR_SLOT_DEBUGGER };

struct dr_state {
	struct dr_features feat;
	struct dr_guest guest;
	struct dr_debugger_bp dbg[DR_SLOTS];
	/* Hardware slot s holds guest DR slot_index[s] or debugger breakpoint slot_index[s]. */
	uint8_t slot_owner[DR_SLOTS];
	uint8_t slot_index[DR_SLOTS];
	uint64_t eff_db[DR_SLOTS];
	uint64_t eff_dr7;
	bool faked;		/* some enabled guest breakpoint has no hardware slot */
	bool guest_touched;	/* the guest accessed a debug register at least once */
	bool native;		/* guest DRs live in the CPU; MOV DR runs without exits */
	bool debugger_attached; /* DRs stay emulated: gdb's own #DBs never reach the guest's DR6 */
	bool emulate_only;	/* never native (drlazy=off): every MOV DR exits */
	uint64_t mov_dr_exits;
};

/* Outcome of an emulated MOV to/from DRn, in the SDM's priority order. */
enum dr_result { DR_DONE, DR_RAISE_UD, DR_RAISE_GP, DR_RAISE_DB };

struct dr_access {
	unsigned dr;	/* 0-7 as encoded */
	bool write;	/* MOV to DRn */
	unsigned cpl;	/* 3 in virtual-8086 mode */
	bool cr4_de;	/* CR4.DE: DR4/DR5 are reserved instead of aliases */
	bool long_mode; /* 64-bit operands; otherwise the value is 32 bits */
};

void dr_init(struct dr_state *s, const struct dr_features *f);
/* Apply a MOV DR; reads return the guest's view in *val. */
enum dr_result dr_mov(struct dr_state *s, const struct dr_access *a, uint64_t *val);
/* Merge #DB status bits (VMX pending-debug format) into a DR6 value. */
uint64_t dr6_merge(uint64_t dr6, uint64_t pending, const struct dr_features *f);
/* One #DB delivered to the guest: DR6 merge, DR7.GD, DEBUGCTL.LBR/BTF; the second without
 * the merge, when the CPU already wrote the guest's DR6. */
void dr_deliver_db(struct dr_state *s, uint64_t pending);
void dr_db_delivered(struct dr_state *s);
/* A hardware task switch: clear the local enables (and LE on AMD), nothing else. */
uint64_t dr7_task_switch_mask(const struct dr_features *f);
void dr_task_switch(struct dr_state *s);
/* Allocate hardware slots (debugger first) and compute eff_db/eff_dr7 and native mode. */
void dr_recompute(struct dr_state *s);
/* Split a hardware #DB's B0-B3 into the guest's (returned) and the debugger's (a bit per dbg[]). */
uint64_t dr_route_hits(const struct dr_state *s, uint64_t hw_bits, unsigned *debugger_hits);
/* Debugger slots: the slot, or -1 (all four taken, or no such breakpoint to clear). */
int dr_debugger_set(struct dr_state *s, uint64_t addr, uint8_t rw, uint8_t len_code);
int dr_debugger_clear(struct dr_state *s, uint64_t addr, uint8_t rw, uint8_t len_code);
void dr_debugger_clear_all(struct dr_state *s);
/* B0-B3 of the guest's enabled breakpoints an emulated access hits: I/O breakpoints (with
 * CR4.DE) on @port, or data breakpoints on @len bytes at @addr (writes: R/W 01b and 11b). */
uint64_t dr_io_hits(const struct dr_guest *g, bool cr4_de, uint16_t port, unsigned size);
uint64_t dr_mem_hits(const struct dr_guest *g, uint64_t addr, uint64_t len, bool write);
/* ... and execute breakpoints, enabled or not, on the instruction at linear @ip. */
uint64_t dr_exec_hits(const struct dr_guest *g, uint64_t ip);
/* Hardware slots neither the debugger nor an enabled guest breakpoint uses. */
unsigned dr_free_slots(const struct dr_state *s);

#endif
