/* gdb_watch.h - a spare CPU watches the GDB line and interrupts the guest's CPU with an NMI. */
#ifndef DBGVISOR_GDB_WATCH_H
#define DBGVISOR_GDB_WATCH_H

/* The page the STARTUP IPI starts at (vector = page number); guest RAM, at boot only. */
#define WATCH_TRAMP_PHYS  0x8000
#define WATCH_SIPI_VECTOR (WATCH_TRAMP_PHYS >> 12)

/* Offsets in struct gdb_watch_params, shared with gdb_watch.S. */
#define WP_GDTR	    0 /* 6-byte pseudo-descriptor at +2 */
#define WP_IDTR	    8 /* 6-byte pseudo-descriptor at +10 */
#define WP_STACK    16
#define WP_LSR_PORT 20
#define WP_LAPIC    24
#define WP_BSP_ID   28
#define WP_STATE    32
#define WP_KICKS    36 /* NMIs the watcher sent (it increments) */
#define WP_OWNER    40 /* 1 once a CPU became the watcher */
#define WP_TICKS    44
#define WP_COUNT    48
#define WP_TAKEN    52 /* kicks the guest's CPU has taken (it increments) */

#ifndef __ASSEMBLY__
#include <stdbool.h>
#include <stdint.h>

#include "core/hw/trap.h"

/* Start the watcher on one spare CPU for the UART at @port; false when none answered. */
bool gdb_watch_start(uint16_t port);
/* An NMI reached the guest's CPU (exit or host IDT): true if it is the watcher's kick. */
bool gdb_watch_take(void);
/* The host NMI handler: a kick while the hypervisor ran (or the tail of one SVM's intercept
 * took, held pending until STGI). Always handled. */
bool gdb_watch_host_nmi(struct trap_frame *f);
/* True (once) when such a kick arrived in the hypervisor: poll the line now. */
bool gdb_watch_host_kicked(void);
/* The GDB UART's IRQ comes as an NMI (I/O APIC): enable it; NMIs while data waits are kicks. */
void gdb_watch_irq_mode(uint16_t port);
/* That receive interrupt on or off (off while the stub talks to gdb). */
void gdb_watch_line_irq(bool on);
/* NMIs the host IDT took that were not kicks, since the last call: the guest's. */
unsigned gdb_watch_host_nmis(void);
/* A kick or an NMI is waiting for the above (nothing consumed): the fast exit path yields. */
bool gdb_watch_host_events(void);
/* The flag an NMI in the hypervisor's IDT clears (the null-exit fast path's go-ahead). */
void gdb_watch_fast_flag(volatile bool *flag);
/* Timer ticks the watcher has seen (liveness, for reports). */
uint32_t gdb_watch_ticks(void);
#endif

#endif
