/* gdb_watch.S - the watcher CPU: real-mode trampoline, then a 32-bit halt/poll loop (no paging). */
#include "gdb_watch.h"

#define LAPIC_EOI	 0xb0
#define LAPIC_SVR	 0xf0
#define LAPIC_ICR_LOW	 0x300
#define LAPIC_ICR_HIGH	 0x310
#define LAPIC_LVT_TIMER	 0x320
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_DIV	 0x3e0
#define SVR_ENABLE	 0x100
#define SPURIOUS_VECTOR	 0x2f
#define TIMER_VECTOR	 0x20
#define TIMER_PERIODIC	 (1 << 17)
#define TIMER_DIV_1	 0xb
#define ICR_NMI		 0x400 /* delivery mode 100b, physical destination */
#define ICR_BUSY	 (1 << 12)
#define UART_LSR_DR	 0x01
#define CR0_PE		 1
#define SEL_CODE32	 0x08
#define SEL_DATA32	 0x10

	.section .rodata
	.globl gdb_watch_tramp, gdb_watch_tramp_end, gdb_watch_tramp_params
/* Copied to WATCH_TRAMP_PHYS; the STARTUP IPI starts it at CS:IP = WATCH_TRAMP_PHYS/16:0. */
	.code16
gdb_watch_tramp:
	cli
	cld
	movw %cs, %ax
	movw %ax, %ds
	lgdtl tramp_gdtr - gdb_watch_tramp
	movl %cr0, %eax
	orl $CR0_PE, %eax
	movl %eax, %cr0
	ljmpl $SEL_CODE32, $(WATCH_TRAMP_PHYS + tramp32 - gdb_watch_tramp)
	.code32
tramp32:
	movw $SEL_DATA32, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movl WATCH_TRAMP_PHYS + gdb_watch_tramp_params - gdb_watch_tramp, %ebx
	jmp *WATCH_TRAMP_PHYS + tramp_entry - gdb_watch_tramp
	.p2align 3
tramp_gdt:
	.quad 0
	.quad 0x00cf9a000000ffff /* flat 32-bit code */
	.quad 0x00cf92000000ffff /* flat 32-bit data */
tramp_gdtr:
	.word tramp_gdtr - tramp_gdt - 1
	.long WATCH_TRAMP_PHYS + tramp_gdt - gdb_watch_tramp
gdb_watch_tramp_params:
	.long 0 /* physical address of struct gdb_watch_params (filled in by C) */
tramp_entry:
	.long 0 /* physical address of gdb_watch_main (filled in by C) */
gdb_watch_tramp_end:

/* Runs at its physical address, so position-independent; EBX holds the parameter block's
 * physical address throughout, interrupts included. */
	.text
	.code32
	.globl gdb_watch_main, gdb_watch_isr
gdb_watch_main:
	movl WP_STACK(%ebx), %esp /* in our memory: the CALL below needs a stack */
	lgdt WP_GDTR + 2(%ebx)
	call 1f
1:	popl %eax
	addl $(2f - 1b), %eax
	pushl $SEL_CODE32
	pushl %eax
	lret
2:	movw $SEL_DATA32, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movw %ax, %fs
	movw %ax, %gs
	lidt WP_IDTR + 2(%ebx)
	/* One CPU watches; any other one started by the same IPI parks for good. */
	movl $1, %eax
	xchgl %eax, WP_OWNER(%ebx)
	testl %eax, %eax
	jnz park
	movl WP_LAPIC(%ebx), %edi
	movl $(SVR_ENABLE | SPURIOUS_VECTOR), LAPIC_SVR(%edi)
	movl $TIMER_DIV_1, LAPIC_TIMER_DIV(%edi)
	movl $(TIMER_PERIODIC | TIMER_VECTOR), LAPIC_LVT_TIMER(%edi)
	movl WP_COUNT(%ebx), %eax
	movl %eax, LAPIC_TIMER_INIT(%edi)
	movl $1, WP_STATE(%ebx)
	sti
watch:
	hlt
	movl WP_LSR_PORT(%ebx), %edx
	inb %dx, %al
	testb $UART_LSR_DR, %al
	jz watch
	/* One NMI in flight at a time: the next only once the guest's CPU took this one. */
	movl WP_KICKS(%ebx), %eax
	cmpl WP_TAKEN(%ebx), %eax
	jne watch
	incl WP_KICKS(%ebx)
3:	testl $ICR_BUSY, LAPIC_ICR_LOW(%edi)
	jnz 3b
	movl WP_BSP_ID(%ebx), %eax
	shll $24, %eax
	movl %eax, LAPIC_ICR_HIGH(%edi)
	movl $ICR_NMI, LAPIC_ICR_LOW(%edi)
	jmp watch
park:
	cli
	hlt
	jmp park

/* Every vector: count, acknowledge (a spurious EOI is ignored), return. */
gdb_watch_isr:
	pushl %eax
	incl WP_TICKS(%ebx)
	movl WP_LAPIC(%ebx), %eax
	movl $0, LAPIC_EOI(%eax)
	popl %eax
	iret
