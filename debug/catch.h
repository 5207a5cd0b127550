/* catch.h - gdb catchpoints: port I/O, MSR, CPUID, exception and triple-fault stops. */
#ifndef DBGVISOR_CATCH_H
#define DBGVISOR_CATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/vcpu.h"

#define CATCH_MAX     16
#define CATCH_MSG_MAX 160

enum catch_kind { CATCH_IO, CATCH_MSR, CATCH_CPUID, CATCH_EXCEPTION, CATCH_TRIPLE_FAULT };

/* Directions a catchpoint stops on: IN/RDMSR, OUT/WRMSR. */
#define CATCH_DIR_READ	1u
#define CATCH_DIR_WRITE 2u
#define CATCH_DIR_BOTH	(CATCH_DIR_READ | CATCH_DIR_WRITE)

struct catchpoint {
	bool used;
	unsigned id; /* the number gdb's user sees in "catch N:" and deletes by */
	enum catch_kind kind;
	uint32_t lo, hi; /* ports lo..hi, the MSR, the CPUID leaf, the vector */
	bool any;	 /* cpuid without a leaf: every leaf */
	uint8_t dir;	 /* CATCH_DIR_*, for I/O and MSRs */
	uint64_t hits;
};

struct catch_table {
	struct catchpoint c[CATCH_MAX];
	unsigned count, next_id;
	/* The caught event is let through once on resume, so continue or stepi executes it. */
	bool skip_valid;
	enum exit_kind skip_kind;
	uint64_t skip_rip;
	char msg[CATCH_MSG_MAX]; /* the last catch's text, sent to gdb's console */
};

/* "monitor catch ARGS": add, list or delete; text (or a one-line error) into @out.
 * @bp_intercepted: #BP is intercepted for the debugger's INT3s (kept on delete). */
void catch_command(struct vcpu *v, struct catch_table *t, bool bp_intercepted, const char *args,
		   char *out, size_t outlen);
/* Delete every catchpoint, each intercept back as it was (gdb detached or killed). */
void catch_clear(struct vcpu *v, struct catch_table *t, bool bp_intercepted);
/* An exit that may be caught: NULL, or the text of what was caught (hits counted); then the
 * caller resumes without handling @e, which is let through once when re-executed.
 * @gdb_bp: the guest is at one of the debugger's own INT3s (never an exception catch). */
const char *catch_event(struct vcpu *v, struct catch_table *t, const struct vcpu_exit *e,
			bool gdb_bp);
/* A triple fault: the text of the catchpoint that asks for it (hits counted), else NULL. */
const char *catch_triple_fault(struct catch_table *t, const char *detail);
/* The mnemonic of exception @vec ("PF"), "" for reserved ones. */
const char *catch_vector_name(uint32_t vec);

#endif
