/* cpu_tables.h - the hypervisor's GDT, TSS (IST stacks) and IDT. */
#ifndef DBGVISOR_CPU_TABLES_H
#define DBGVISOR_CPU_TABLES_H

#include <stdint.h>

#include "x86.h"

/* IST slots (SDM vol. 3A, 7.14.5): exceptions a guest can trigger at a hostile moment. */
#define IST_DB	  1
#define IST_NMI	  2
#define IST_DF	  3
#define IST_MC	  4
#define IST_COUNT 4

/* 64-bit TSS (SDM vol. 3A, figure 8-11). */
struct __attribute__((packed)) tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
};

_Static_assert(sizeof(struct tss64) == 104, "64-bit TSS is 104 bytes");

void gdt_init(void);
void idt_init(void);

uint64_t tss_base(void); /* for the VMCS/VMCB host-state fields */
/* LIDT operands (svm_entry.S): our IDT, and its IST-free copy for while the guest's TR is
 * loaded around VMRUN; LGDT operand for our GDT (VMX exits leave its limit at 0xffff). */
extern const struct x86_dtr idt_host_dtr, idt_window_dtr, gdt_host_dtr;

#endif
