/* cmdline.h - the hypervisor's own multiboot command line (log=, gdb=, baud=). */
#ifndef DBGVISOR_CMDLINE_H
#define DBGVISOR_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define COM1_PORT	  0x3f8
#define COM2_PORT	  0x2f8
#define COM3_PORT	  0x3e8
#define COM4_PORT	  0x2e8
#define UART_DEFAULT_BAUD 115200

struct hv_config {
	uint16_t log_port; /* 0 = no log UART */
	uint16_t gdb_port; /* 0 = no GDB stub */
	uint32_t baud;
	bool gdb_wait;	   /* stop the guest at its first instruction until gdb attaches */
	bool host_dr_test; /* hostdr=on: break on our exit path with DR0 (isolation self-test) */
	bool dr_lazy;	   /* drlazy=off: never hand the guest its DRs natively; emulate MOV DR */
	/* arch=: what gdb is told; AUTO: x86-64 for a 64-bit kernel, else the mode at attach */
	enum hv_gdb_arch { HV_GDB_ARCH_AUTO, HV_GDB_ARCH_I386, HV_GDB_ARCH_X86_64 } gdb_arch;
};

/* The defaults: log=com1 gdb=com2 baud=115200. */
void cmdline_defaults(struct hv_config *cfg);

/* Parse space-separated words, ignoring those without '=' (the image path some loaders prepend):
 * log=com1..com4|0xPORT|none, gdb= a port as for log=, wait and arch=x86-64|i386 (gdb=com2,wait),
 * baud=N (50..115200, dividing 115200), hostdr=on|off, drlazy=on|off. Returns the number of
 * problems, the first described in @err; a bad word changes nothing. */
int cmdline_parse(const char *s, struct hv_config *cfg, char *err, size_t errlen);

#endif
