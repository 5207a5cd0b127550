/* guest.h - API of the guest runtime: serial output, checks, exceptions, exit, boot info. */
#ifndef GUEST_GUEST_H
#define GUEST_GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "layout.h"
#include "multiboot1.h"

/* Exit codes (QEMU's isa-debug-exit turns code C into process status (C << 1) | 1). */
#define GUEST_EXIT_OK	  0 /* every check passed */
#define GUEST_EXIT_FAILED 1 /* at least one check failed */
#define GUEST_EXIT_FATAL  2 /* unexpected exception, bad boot, broken runtime */

/* Exception vectors tests hook or expect. */
#define GUEST_VEC_DE  0
#define GUEST_VEC_DB  1
#define GUEST_VEC_NMI 2
#define GUEST_VEC_BP  3
#define GUEST_VEC_UD  6
#define GUEST_VEC_DF  8
#define GUEST_VEC_GP  13
#define GUEST_VEC_PF  14

/* The program: called once by the runtime; its return value becomes the exit code. */
int test_main(void);

/* Formatted output on COM1 (the core/printf.h subset). */
int gprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "32-bit protected mode" or "64-bit long mode". */
const char *guest_mode_name(void);

/* What the loader passed: EAX and the boot information (NULL if the magic was wrong). */
uint32_t guest_mb_magic(void);
const struct mb1_info *guest_mbi(void);
/* Physical address from the boot information as a pointer (the low 4 GiB are identity-mapped). */
static inline const void *guest_phys(uint32_t addr)
{
	return (const void *)(uintptr_t)addr;
}

/*
 * Interrupt frame as the exception stubs lay it out. Hooks may change the registers, ip and
 * flags (e.g. set RF after a #DB fault, or step past an instruction); they take effect on IRET.
 */
struct gframe {
#ifdef GUEST_64BIT
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t di, si, bp, bx, dx, cx, ax;
#else
	uint32_t es, ds;
	uint32_t di, si, bp, pusha_sp, bx, dx, cx, ax; /* PUSHA order; pusha_sp is not restored */
#endif
	uintptr_t vector;
	uintptr_t error; /* the CPU's error code, 0 for vectors without one */
	uintptr_t ip;
	uintptr_t cs;
	uintptr_t flags;
#ifdef GUEST_64BIT
	uint64_t sp, ss; /* always pushed in long mode, restored by IRETQ */
#endif
};

/* A per-vector hook runs with interrupts off and returns to resume at frame->ip. */
typedef void (*guest_hook_fn)(struct gframe *frame);
/* Install (or with NULL remove) the hook for @vector; returns the previous one. */
guest_hook_fn guest_set_hook(int vector, guest_hook_fn hook);

/* What guest_try saw: the first exception inside fn, if any. */
struct gfault {
	int vector;
	uint64_t error;
	uintptr_t ip;
	bool happened;
	uint16_t cs;
	uintptr_t flags;
};

/*
 * Run fn(arg). If an exception without a hook occurs inside it, record it in *f and resume
 * right after guest_try, which then returns true. Nests; an exception while a handler or
 * hook runs is fatal.
 */
bool guest_try(void (*fn)(void *), void *arg, struct gfault *f);

/*
 * guest_try for a routine run at CPL 3 (flat user segments, a TSS for the way back, and in
 * long mode user access to the 2 MiB pages of @entry and the user stack), its RFLAGS the
 * caller's | @flags_or. The routine must end in an exception (e.g. a privileged instruction):
 * its first one is recorded in *f. Not for 32-bit programs that turn paging on.
 */
bool guest_try_user(void (*entry)(void), uintptr_t flags_or, struct gfault *f);

/* TAP-style checks: "ok N - name" or "not ok N - name: got 0x.. want 0x..". */
bool guest_expect_eq(const char *name, uint64_t got, uint64_t want);
bool guest_expect_true(const char *name, bool cond, const char *cond_text);
#define EXPECT_EQ(name, got, want) guest_expect_eq((name), (uint64_t)(got), (uint64_t)(want))
#define EXPECT_TRUE(name, cond)	   guest_expect_true((name), (cond) ? true : false, #cond)

/* A check name built with printf formatting; valid until the next call. */
const char *guest_name(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Checks run and failed so far. */
unsigned guest_checks_run(void);
unsigned guest_checks_failed(void);

/* Print "guest: N checks, M failed" and exit with GUEST_EXIT_FAILED if M, else GUEST_EXIT_OK. */
__attribute__((noreturn)) void guest_finish(void);

/* Print "guest: exit code N", drain COM1, then exit through QEMU's and Bochs' exit ports. */
__attribute__((noreturn)) void guest_exit(int code);

/* True if CPUID says we run under dbgvisor (hypervisor bit, leaf 0x40000000 "dbgvisor"). */
bool guest_under_dbgvisor(void);

/* Freestanding string helpers (also what the compiler may call implicitly). */
void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);

#endif
