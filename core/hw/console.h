/* console.h - hypervisor log output (printk) and machine exit. */
#ifndef DBGVISOR_CONSOLE_H
#define DBGVISOR_CONSOLE_H

#include <stdarg.h>
#include <stdint.h>

#include "uart.h"

/* Exit status conventions, also used by the integration tests. */
#define HV_EXIT_OK	    0
#define HV_EXIT_NO_VIRT	    2 /* no usable VT-x/SVM */
#define HV_EXIT_BAD_BOOT    3 /* bad boot info, module or command line */
#define HV_EXIT_PANIC	    4 /* internal error: panic() or an unexpected exception */
#define HV_EXIT_GUEST_FAULT 5 /* the guest died: triple fault, forbidden memory, ... */
#define HV_EXIT_KILLED	    6 /* gdb killed the machine */

/* QEMU isa-debug-exit (-device isa-debug-exit,iobase=0xf4) and Bochs' shutdown port. */
#define QEMU_DEBUG_EXIT_PORT 0xf4
#define BOCHS_SHUTDOWN_PORT  0x8900

void console_init(struct uart *log); /* the log UART; printk output before it is dropped */
void printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void vprintk(const char *fmt, va_list ap);
/* Formatted output to another UART (the GDB port), with the same newline handling. */
void uart_printf(struct uart *u, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Drain, write isa-debug-exit (QEMU exits with (code << 1) | 1) and Bochs' port, else halt. */
void hv_exit(int code) __attribute__((noreturn));
void console_add_drain(struct uart *u); /* another UART to drain before exiting (GDB's) */
void console_drain(void);		/* until every registered UART has sent all (LSR.TEMT) */

#endif
