/* runtime.h - internal interfaces between the guest runtime's assembly and C parts. */
#ifndef GUEST_RUNTIME_H
#define GUEST_RUNTIME_H

#include <stdint.h>

#include "guest.h"

/* Callee-saved registers, stack pointer, resume address and flags (see try.S). */
#define GUEST_JMPBUF_WORDS 10
struct guest_jmpbuf {
	uintptr_t words[GUEST_JMPBUF_WORDS];
};

/* Save the caller's context: returns 0, and 1 again when guest_longjmp resumes it. */
int guest_setjmp(struct guest_jmpbuf *jb) __attribute__((returns_twice));
/* Resume a context saved by guest_setjmp; its stack frame must still be live. */
__attribute__((noreturn)) void guest_longjmp(const struct guest_jmpbuf *jb);

/* Entry stubs for vectors 0..GUEST_NUM_VECTORS-1 (vectors.S), in vector order. */
extern const uintptr_t guest_trap_stubs[GUEST_NUM_VECTORS];
/* Called by every stub with the frame it built; returning resumes through IRET. */
void guest_trap_dispatch(struct gframe *frame);

/* Load an IDT whose gates 0..GUEST_NUM_VECTORS-1 point at guest_trap_stubs (idt.c). */
void guest_idt_init(void);

/* COM1, polled (serial.c). */
void guest_serial_init(void);
void guest_serial_putc(char c);
/* Wait until the transmitter is empty so nothing is lost when the machine stops. */
void guest_serial_drain(void);

/* Called by the entry code on the runtime's stack with EAX and EBX from the loader. */
__attribute__((noreturn)) void guest_runtime_start(uint32_t magic, uint32_t mbi);

#endif
