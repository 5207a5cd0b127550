/* gdb_stub.h - hardware-free GDB remote stub: commands over a byte stream, guest via callbacks. */
#ifndef DBGVISOR_GDB_STUB_H
#define DBGVISOR_GDB_STUB_H

#include "gdb_proto.h" /* struct gdb_io, GDB_IO_NONE, GDB_IO_CLOSED */

#define GDB_SW_BP_MAX 64
/* Hardware breakpoints/watchpoints: 4 debug registers, and nested-page-table watchpoints beyond. */
#define GDB_HW_BP_MAX 32
/* Largest m/M transfer per packet: a reply of hex digits fills the packet. */
#define GDB_MEM_MAX (GDB_PKT_MAX / 2)
/* Largest X write: binary data may fill a whole packet (gdb sends what PacketSize allows). */
#define GDB_WRITE_MAX	GDB_PKT_MAX
#define GDB_MONITOR_MAX 1024 /* output buffer handed to target->monitor */

/* The Z/z packets' type numbers 0-4. */
enum gdb_bp_type { GDB_BP_SW, GDB_BP_HW, GDB_WP_WRITE, GDB_WP_READ, GDB_WP_ACCESS };

struct gdb_regs {
	uint64_t gpr[16]; /* rax rbx rcx rdx rsi rdi rbp rsp r8..r15 in GDB's amd64 order */
	uint64_t rip, eflags;
	uint32_t cs, ss, ds, es, fs, gs;
	uint64_t fs_base, gs_base;
	uint64_t cr0, cr2, cr3, cr4, efer;
	uint64_t dr[8]; /* dr0-3, dr6 at [6], dr7 at [7]: the GUEST's view */
};

/* The guest at guest-virtual addresses; 0 on success, -1 on failure (unmapped, hypervisor's).
 * NULL is_64bit: 64-bit; NULL hw-bp or monitor callbacks: no Z1-Z4/qRcmd; the rest required. */
struct gdb_target {
	void *ctx;
	bool (*is_64bit)(void *ctx); /* guest in long mode (EFER.LMA && CS.L) at connect/stop */
	int (*get_regs)(void *ctx, struct gdb_regs *r);
	int (*set_regs)(void *ctx, const struct gdb_regs *r);
	int (*read_mem)(void *ctx, uint64_t gva, void *buf, size_t len);
	int (*write_mem)(void *ctx, uint64_t gva, const void *buf, size_t len);
	int (*set_hw_bp)(void *ctx, enum gdb_bp_type t, uint64_t addr, unsigned len);
	int (*clear_hw_bp)(void *ctx, enum gdb_bp_type t, uint64_t addr, unsigned len);
	/* Z0/z0 without touching guest memory (NULL: an INT3 is written there). */
	int (*set_sw_bp)(void *ctx, uint64_t addr);
	int (*clear_sw_bp)(void *ctx, uint64_t addr);
	/* qRcmd: cmd is NUL-terminated; write NUL-terminated text to out; -1: unknown command. */
	int (*monitor)(void *ctx, const char *cmd, char *out, size_t outlen);
};

enum gdb_action { GDB_ACT_NONE, GDB_ACT_CONTINUE, GDB_ACT_STEP, GDB_ACT_DETACH, GDB_ACT_KILL };

enum gdb_stop_kind {
	GDB_STOP_SIGTRAP_SW, /* INT3 we own; report rip = the INT3's address */
	GDB_STOP_SIGTRAP_HW,
	GDB_STOP_WATCH,
	GDB_STOP_RWATCH,
	GDB_STOP_AWATCH,
	GDB_STOP_STEP,
	GDB_STOP_INTERRUPT, /* Ctrl-C: T02 */
	GDB_STOP_FAULT,	    /* T0b, guest died: triple fault etc. */
	GDB_STOP_INITIAL,   /* gdb=wait, first instruction: T05 */
	GDB_STOP_CATCH,	    /* a catchpoint (monitor catch): T05, what was caught in why */
};

struct gdb_stop {
	enum gdb_stop_kind kind;
	uint64_t addr;	 /* watch address */
	const char *why; /* FAULT, CATCH: sent as an O packet (hex) before the stop reply */
};

struct gdb_sw_bp {
	uint64_t addr;
	uint8_t orig;	   /* the guest's byte under our 0xCC */
	bool used, hidden; /* hidden: the target's set_sw_bp placed it, no 0xCC in guest memory */
};

struct gdb_hw_bp {
	uint64_t addr;
	enum gdb_bp_type type;
	unsigned len;
	bool used;
};

struct gdb_stub {
	struct gdb_target tgt;
	struct gdb_proto proto;
	struct gdb_sw_bp sw[GDB_SW_BP_MAX];
	struct gdb_hw_bp hw[GDB_HW_BP_MAX];
	enum gdb_stop_kind stop_kind; /* the last stop, for '?' */
	uint64_t stop_addr;
	bool attached; /* a gdb session is open (a packet arrived since the last detach) */
	bool resumed;  /* gdb resumed the guest and waits for a stop reply */
	bool is64;     /* the description in use: amd64, else i386 (fixed per session) */
	bool gdb_swbreak, gdb_hwbreak; /* gdb announced swbreak+ / hwbreak+ in qSupported */
	uint8_t mem[GDB_WRITE_MAX];    /* scratch for memory transfers and target.xml chunks */
	char mon[GDB_MONITOR_MAX];
	const char *notice; /* told on gdb's console once a session first resumes (or NULL) */
	bool notice_told;   /* ... in this session */
};

void gdb_init(struct gdb_stub *s, const struct gdb_io *io, const struct gdb_target *t);
/* The guest stopped: send the stop reply if gdb waits for it, then serve packets until gdb resumes
 * (its signal in *signal), detaches or kills. A closed link ends the session as a detach does. */
enum gdb_action gdb_stopped(struct gdb_stub *s, const struct gdb_stop *why, int *signal);
/* While the guest runs, without blocking: true on a Ctrl-C or a packet (gdb attaching). */
bool gdb_poll_interrupt(struct gdb_stub *s);
/* The guest ended with @code: a waiting gdb gets W<code>; the session is over. */
void gdb_exited(struct gdb_stub *s, int code);
/* Is addr one of our software breakpoints (an INT3 the debugger owns)? */
bool gdb_owns_sw_bp(const struct gdb_stub *s, uint64_t addr);
/* Remove all software breakpoints (restore bytes) and clear hardware ones: for detach/kill. */
void gdb_remove_all(struct gdb_stub *s);

#endif
