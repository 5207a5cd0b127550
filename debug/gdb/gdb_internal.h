/* gdb_internal.h - shared by the GDB stub's files: register layout, target.xml, commands. */
#ifndef DBGVISOR_GDB_INTERNAL_H
#define DBGVISOR_GDB_INTERNAL_H

#include "gdb_stub.h"

/* Error replies (errno-style numbers in hex, as gdbserver does). */
#define GDB_E_XFER    "E00" /* qXfer: bad annex or malformed request */
#define GDB_E_MONITOR "E01" /* qRcmd: the target does not know the command */
#define GDB_E_TARGET  "E05" /* a register callback failed */
#define GDB_E_FAULT   "E14" /* guest memory not accessible */
#define GDB_E_INVAL   "E22" /* malformed packet or unsupported length */
#define GDB_E_NOSPC   "E28" /* breakpoint table or debug registers full */
#define GDB_OK	      "OK"

/* Register numbers in the descriptions below (GDB's own amd64 and i386 numbering). */
#define GDB_AMD64_RBP 6
#define GDB_AMD64_RSP 7
#define GDB_AMD64_RIP 16
#define GDB_I386_ESP  4
#define GDB_I386_EBP  5
#define GDB_I386_EIP  8

enum gdb_feature { GDB_FEAT_CORE, GDB_FEAT_SYS };

struct gdb_reg_desc {
	const char *name, *type;
	const char *group; /* NULL: the default group */
	uint16_t bits;	   /* width in g/p packets and target.xml */
	uint16_t off;	   /* offset of the backing field in struct gdb_regs */
	uint8_t size;	   /* that field's bytes; 0: no backing (x87: reads 0, writes ignored) */
	uint8_t feature;   /* enum gdb_feature */
};

#define GDB_REG_BYTES_MAX 10 /* the widest register: x87 st0-7, 80 bits */

const struct gdb_reg_desc *gdb_reg_table(bool is64, size_t *count);
/* Copy [off, off + max) of the description into out; returns the bytes copied. */
size_t gdb_target_xml(bool is64, uint64_t off, char *out, size_t max);

/* The commands return the reply to send, or NULL when they sent a packet themselves. */

/* gdb_regs.c: g G p P, and one register for the stop reply. */
const char *gdb_cmd_read_regs(struct gdb_stub *s);
const char *gdb_cmd_write_regs(struct gdb_stub *s, const char *hex, size_t len);
const char *gdb_cmd_read_reg(struct gdb_stub *s, const char *arg);
const char *gdb_cmd_write_reg(struct gdb_stub *s, const char *arg);
void gdb_put_reg(struct gdb_stub *s, const struct gdb_regs *r, unsigned regno);
/* gdb_mem.c: m M X, Z z. */
const char *gdb_cmd_read_mem(struct gdb_stub *s, const char *arg);
const char *gdb_cmd_write_mem(struct gdb_stub *s, const char *arg, size_t len, bool binary);
const char *gdb_cmd_breakpoint(struct gdb_stub *s, const char *arg, bool insert);

#endif
