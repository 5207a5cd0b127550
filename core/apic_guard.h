/* apic_guard.h - guarded APIC accesses: foreign IPIs refused, GDB IRQ's I/O APIC entry shadowed. */
#ifndef DBGVISOR_APIC_GUARD_H
#define DBGVISOR_APIC_GUARD_H

#include "core/hw/apic.h"
#include "vcpu.h"

/* May an IPI with this ICR low word and destination go? INIT, STARTUP, NMI, SMI only to the
 * sender itself (by shorthand, or physically to @self_id). */
bool apic_icr_allowed(uint32_t icr_low, uint32_t dest, uint32_t self_id);

/* A guest write hit the write-protected local APIC page: emulate it, minus refused IPIs. */
enum exit_result apic_guard_write(struct vcpu *v, const struct vcpu_exit *e);

/* I/O APIC registers (82093AA datasheet, 3.0 and 3.2.4; ICH/PCH datasheets agree). */
#define IOAPIC_MMIO_SIZE     0x1000
#define IOAPIC_REGSEL	     0x00
#define IOAPIC_WINDOW	     0x10
#define IOAPIC_REG_VERSION   0x01
#define IOAPIC_REDTBL(pin)   (0x10u + 2u * (pin))
#define IOAPIC_MAX_PIN_SHIFT 16 /* version register: maximum redirection entry in 23:16 */
#define IOAPIC_MAX_PIN_MASK  0xffu
/* Redirection entry: low word delivery mode 10:8, polarity 13, mask 16; high word dest 31:24. */
#define IOREDTBL_DELIVERY_NMI (4u << 8)
#define IOREDTBL_ACTIVE_LOW   (1u << 13)
#define IOREDTBL_MASKED	      (1u << 16)
#define IOREDTBL_DEST_SHIFT   24

/* Registers the I/O APIC is reached through (real hardware, or a test's fake). */
struct ioapic_hw {
	uint32_t (*read32)(uint64_t gpa);
	void (*write32)(uint64_t gpa, uint32_t val);
};

/* A guest's 32-bit access at @offset in the I/O APIC page: the index register is @g's, the
 * window reaches the selected real register except for @g's shadowed entry. Returns what a
 * read reads (0 for a write). */
uint32_t ioapic_guard_access(struct vcpu_ioapic *g, const struct ioapic_hw *hw, uint32_t offset,
			     bool write, uint32_t val);

/* A nested page fault in the guarded I/O APIC page: decode the MOV and emulate it. */
enum exit_result ioapic_guard_npf(struct vcpu *v, const struct vcpu_exit *e);

#endif
