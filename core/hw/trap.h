/* trap.h - the register frame built by the exception stubs, and the dump printer. */
#ifndef DBGVISOR_TRAP_H
#define DBGVISOR_TRAP_H

#include <stdbool.h>
#include <stdint.h>

/* Layout must match the push order in isr.S and capture.S. */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss; /* as pushed by the CPU (SDM 3A, 7.14.2) */
};

/* Exception vectors (SDM vol. 3A, table 7-1). */
#define VEC_DE	       0
#define VEC_DB	       1
#define VEC_NMI	       2
#define VEC_BP	       3
#define VEC_OF	       4
#define VEC_BR	       5
#define VEC_UD	       6
#define VEC_NM	       7
#define VEC_DF	       8
#define VEC_TS	       10
#define VEC_NP	       11
#define VEC_SS	       12
#define VEC_GP	       13
#define VEC_PF	       14
#define VEC_MF	       16
#define VEC_AC	       17
#define VEC_MC	       18
#define VEC_XM	       19
#define VEC_VE	       20
#define VEC_CP	       21
#define NUM_EXCEPTIONS 32

/* Fill @f with the caller's registers (capture.S), vector and error 0. */
void trap_capture(struct trap_frame *f);
void trap_dump(const struct trap_frame *f); /* @f and CR0/CR2/CR3/CR4 to the log */
const char *trap_vector_name(uint64_t vector);
/* For an exception in the hypervisor: true when handled (resume from @f), else dump and stop. */
typedef bool (*trap_handler_fn)(struct trap_frame *f);
void trap_set_handler(uint8_t vector, trap_handler_fn fn);

/* The VM-exit window, from just before VM entry until the exit is decoded: an exception there
 * that nothing absorbs makes trap_window_enter() return again, nonzero, and the backend stops
 * the guest (which brought the CPU there) instead of the machine. */
#define TRAP_WINDOW_CTX_WORDS 8 /* RBX, RBP, R12-R15, RSP, RIP: see capture.S */
struct trap_window {
	uint64_t ctx[TRAP_WINDOW_CTX_WORDS];
	trap_handler_fn absorb;		  /* an exception the backend expects: true when absorbed */
	uint64_t vector, error, cr2, rip; /* the exception that ended the window */
};
/* Save the caller's context, open @w; 0 now, 1 when an exception ended the window. */
int trap_window_enter(struct trap_window *w) __attribute__((returns_twice));
void trap_window_close(void);
/* For the IDT dispatcher: the open window's absorb(), or false. */
bool trap_window_absorbs(struct trap_frame *f);
/* Nothing handled @f: end the open window (not for an NMI: its blocking lasts until IRET), or
 * dump and stop with HV_EXIT_PANIC. */
void trap_unexpected(struct trap_frame *f) __attribute__((noreturn));
/* Print, dump the caller's registers, stop the machine with HV_EXIT_PANIC. */
void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
