/*
 * rmsuite_v86.S - virtual-8086 mode: a 32-bit monitor whose #GP handler emulates what IOPL 0
 * keeps from v86 code (PUSHF, POPF, CLI, STI, INT n, INT3, IRET, IN, OUT; SDM vol. 3B, 20.2),
 * then the same code with CR4.VME, where CLI/STI/PUSHF use VIF (SDM vol. 3B, 20.3). (INT n
 * redirected by the TSS bitmap still reached the monitor on bare Bochs 2.7: not checked.)
 */
#include "rmsuite.h"

#define OTHER(label) ((label) - OTHER_SEG * 16)
#define TSS_ESP0      4
#define TSS_SS0	      8
#define TSS_IOMAP     102
#define TSS_REDIR     104 /* the 32-byte interrupt redirection bitmap, just below the I/O map */
#define TSS_IOMAP_OFF 136 /* past the limit: every port traps in v86 mode */
#define TSS_LIMIT     (TSS_IOMAP_OFF - 1)
#define TSS_TYPE_P    0x89 /* present, DPL 0, 32-bit available TSS */
#define GATE_INT32    0x8e00
#define IDT_VECTORS   32
#define RING0_STACK   0x5000
#define FRAME	      32 /* PUSHAD */
#define F_EAX	      28
#define F_EDX	      20
#define F_EIP	      (FRAME + 4)
#define F_CS	      (FRAME + 8)
#define F_EFL	      (FRAME + 12)
#define F_ESP	      (FRAME + 16)
#define F_SS	      (FRAME + 20)
#define CPUID1_EDX_VME 0x2
#define BAD_VECTOR    0xee

	.section .text
	.code16
	.global v86_tests
v86_tests:
	call real_to_pm32
	.code32
	mov $tss, %eax
	mov %ax, gdt_tss + 2
	shr $16, %eax
	mov %al, gdt_tss + 4
	mov %ah, gdt_tss + 7
	movw $TSS_LIMIT, gdt_tss
	movb $TSS_TYPE_P, gdt_tss + 5
	mov $SEL_TSS, %ax
	ltr %ax
	movl $RING0_STACK, tss + TSS_ESP0
	movl $SEL_DATA32, tss + TSS_SS0
	movw $TSS_IOMAP_OFF, tss + TSS_IOMAP
	movb $0x80, tss + TSS_REDIR + VEC_V86_EXIT / 8	/* INT 0xff: to the monitor */
	xor %ecx, %ecx
1:	mov $unexpected_pm, %eax
	cmp $VEC_GP, %ecx
	jne 2f
	mov $v86_gp, %eax
2:	mov %ax, idt(, %ecx, 8)
	movw $SEL_CODE32, idt + 2(, %ecx, 8)
	movw $GATE_INT32, idt + 4(, %ecx, 8)
	shr $16, %eax
	mov %ax, idt + 6(, %ecx, 8)
	inc %ecx
	cmp $IDT_VECTORS, %ecx
	jne 1b
	lidt idt_desc
	mov $v86_code, %edx
	call enter_v86
	mov $1, %eax
	cpuid
	test $CPUID1_EDX_VME, %edx
	jz 3f
	mov %cr4, %eax
	or $CR4_VME, %eax
	mov %eax, %cr4
	mov $v86_vme_code, %edx
	call enter_v86
	mov %cr4, %eax
	and $~CR4_VME, %eax
	mov %eax, %cr4
3:	call pm32_to_real
	.code16
	cmpb $0, v86_bad
	CHECK "v86: the monitor saw only instructions it emulates"
	ret

	.code32
/* Run the v86 code at 0:EDX (IOPL 0, IF 0) until it executes INT 0xff; return here then. */
enter_v86:
	mov %esp, v86_saved_esp
	push $0				/* GS, FS, DS, ES, SS */
	push $0
	push $0
	push $0
	push $0
	push $V86_STACK_TOP
	push $(FL_VM | FL_FIXED)
	push $0
	push %edx
	iretl

v86_leave:
	mov $SEL_DATA32, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	mov v86_saved_esp, %esp
	ret

unexpected_pm:
	mov $SEL_DATA32, %eax
	mov %eax, %ds
	movb $BAD_VECTOR, v86_bad
	jmp v86_leave

/* Push the 16-bit word AX on the v86 stack. */
v86_push:
	movzwl F_SS + 4(%esp), %edi
	shl $4, %edi
	subw $2, F_ESP + 4(%esp)
	movzwl F_ESP + 4(%esp), %ecx
	mov %ax, (%edi, %ecx)
	ret

/* Pop a 16-bit word from the v86 stack into AX. */
v86_pop:
	movzwl F_SS + 4(%esp), %edi
	shl $4, %edi
	movzwl F_ESP + 4(%esp), %ecx
	mov (%edi, %ecx), %ax
	addw $2, F_ESP + 4(%esp)
	ret

/* The FLAGS image v86 code sees: IF is the virtual one. */
v86_flags:
	mov F_EFL + 4(%esp), %eax
	and $~FL_IF, %eax
	or vif, %eax
	ret

/* Take FLAGS from AX; IF goes to the virtual IF, IOPL stays. */
v86_set_flags:
	mov %eax, %ecx
	and $FL_IF, %ecx
	mov %ecx, vif
	and $~(FL_IF | FL_IOPL3), %eax
	movzwl %ax, %eax
	andl $~0xffff, F_EFL + 4(%esp)
	mov F_EFL + 4(%esp), %ecx
	or %eax, %ecx
	or $FL_VM, %ecx
	mov %ecx, F_EFL + 4(%esp)
	ret

v86_gp:
	pushal
	mov $SEL_DATA32, %eax
	mov %eax, %ds
	mov %eax, %es
	incl gp_count
	movzwl F_CS(%esp), %esi
	shl $4, %esi
	movzwl F_EIP(%esp), %eax
	add %eax, %esi
	movzbl (%esi), %eax
	movl $1, %ebx			/* the instruction's length */
	cmp $0x9c, %al
	je 10f
	cmp $0x9d, %al
	je 11f
	cmp $0xfa, %al
	je 12f
	cmp $0xfb, %al
	je 13f
	cmp $0xcf, %al
	je 14f
	cmp $0xec, %al
	je 15f
	cmp $0xee, %al
	je 16f
	cmp $0xcc, %al
	je 17f
	inc %ebx
	movzbl 1(%esi), %edx
	cmp $0xe4, %al
	je 18f
	cmp $0xe6, %al
	je 19f
	cmp $0xcd, %al
	je 20f
	mov %al, v86_bad
	jmp v86_leave
10:	call v86_flags			/* PUSHF */
	call v86_push
	jmp 9f
11:	call v86_pop			/* POPF */
	call v86_set_flags
	jmp 9f
12:	movl $0, vif			/* CLI */
	jmp 9f
13:	movl $FL_IF, vif		/* STI */
	jmp 9f
14:	call v86_pop			/* IRET */
	mov %ax, F_EIP(%esp)
	call v86_pop
	mov %ax, F_CS(%esp)
	call v86_pop
	call v86_set_flags
	xor %ebx, %ebx
	jmp 9f
15:	mov F_EDX(%esp), %edx		/* IN AL, DX */
18:	in %dx, %al			/* IN AL, imm8 */
	mov %al, F_EAX(%esp)
	jmp 9f
16:	mov F_EDX(%esp), %edx		/* OUT DX, AL */
19:	mov F_EAX(%esp), %eax		/* OUT imm8, AL */
	out %al, %dx
	jmp 9f
17:	mov $VEC_BP, %edx		/* INT3 */
20:	cmp $VEC_V86_EXIT, %edx		/* INT n */
	je v86_leave
	call v86_flags			/* reflect through the v86 IVT */
	call v86_push
	mov F_CS(%esp), %eax
	call v86_push
	mov F_EIP(%esp), %eax
	add %ebx, %eax
	call v86_push
	movl $0, vif
	andl $~FL_TF, F_EFL(%esp)
	mov (, %edx, IVT_ENTRY), %eax
	mov %ax, F_EIP(%esp)
	shr $16, %eax
	mov %ax, F_CS(%esp)
	xor %ebx, %ebx
9:	add %ebx, F_EIP(%esp)
	popal
	add $4, %esp			/* the error code */
	iretl

/* The v86 code: real-mode instructions at CS = 0, the sensitive ones through the monitor. */
	.code16
v86_code:
	smsw %ax
	and $CR0_PE, %ax
	cmp $CR0_PE, %ax
	CHECK "v86: SMSW reads PE = 1"
	mov gp_count, %bx
	cli
	mov gp_count, %cx
	sub %bx, %cx
	cmp $1, %cx
	CHECK "v86: CLI with IOPL 0 traps to the monitor"
	sti
	pushf
	pop %ax
	test $FL_IF, %ax
	setz %al
	cmp $0, %al
	CHECK "v86: STI, PUSHF through the monitor: IF = 1"
	cli
	pushf
	pop %ax
	test $FL_IF, %ax
	CHECK "v86: CLI, PUSHF through the monitor: IF = 0"
	call v86_common
	int $VEC_V86_EXIT

/* Checks that hold with and without VME. */
v86_common:
	mov $VEC_TEST2, %al
	mov $v86_int_handler, %dx
	call set_vector
	xor %bx, %bx
	int $VEC_TEST2
	cmp $0x4141, %bx
	CHECK "v86: INT n through the v86 IVT, IRET back"
	xor %eax, %eax
	xor %si, %si
	cpuid
	mov $0x77, %si
	cmp $0x77, %si
	CHECK "v86: CPUID"
	xor %eax, %eax
	xor %si, %si
	.byte 0x66, 0x2e
	cpuid
	mov $0x77, %si
	cmp $0x77, %si
	CHECK "v86: CPUID with 0x66 0x2E prefixes"
	lcall $OTHER_SEG, $OTHER(v86_far)
	cmp $OTHER_SEG, %ax
	CHECK "v86: far CALL to CS = 0x800 and RETF"
	push $OTHER_SEG
	pop %ds
	mov OTHER(rm_marker), %ax
	push $0
	pop %ds
	cmp $0x5aa5, %ax
	CHECK "v86: DS = 0x800 has base 0x8000"
	in $PIC1_DATA, %al
	cmp $PIC_MASK_ALL, %al
	CHECK "v86: IN through the monitor (I/O map beyond the TSS limit)"
	ret

/* VME: the instruction must not trap to the monitor (gp_count unchanged). */
.macro NOTRAP name, insn:vararg
	mov gp_count, %bx
	\insn
	mov gp_count, %cx
	sub %bx, %cx
	CHECK "\name"
.endm

v86_vme_code:
	sti
	pushf
	pop %ax
	test $FL_IF, %ax
	setz %al
	cmp $0, %al
	CHECK "VME: STI, PUSHF: IF = VIF = 1"
	NOTRAP "VME: CLI without the monitor", cli
	NOTRAP "VME: STI without the monitor", sti
	NOTRAP "VME: PUSHF without the monitor", pushf
	pop %ax
	call v86_common
	int $VEC_V86_EXIT

v86_int_handler:
	mov $0x4141, %bx
	iret

v86_far:
	mov %cs, %ax
	lret

	.section .data
	.align 8
idt:		.space IDT_VECTORS * 8
idt_desc:	.word IDT_VECTORS * 8 - 1
		.long idt
	.align 4
tss:		.space TSS_IOMAP_OFF
v86_saved_esp:	.long 0
vif:		.long 0
	.global gp_count, v86_bad
gp_count:	.long 0
v86_bad:	.byte 0
