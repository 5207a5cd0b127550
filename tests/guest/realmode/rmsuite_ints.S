/* rmsuite_ints.S - real-mode interrupts and exceptions through the IVT, #DB, and intercepted insns. */
#include "rmsuite.h"

#define OTHER(label) ((label) - OTHER_SEG * 16)
#define INT_LIMIT_16 (16 * IVT_ENTRY - 1) /* an IVT that ends after vector 15 */

	.section .text
	.code16

/* Arm the recorder for vector AL with SKIP bytes added to the pushed IP. */
.macro RECORD vec, skip
	mov $\vec, %al
	mov $h_record, %dx
	call set_vector
	movw $\skip, skip_len
	movw $0, rec_count
.endm

	.global rm_tests_ints
rm_tests_ints:
	RECORD VEC_TEST, 0
	sti
	stc
	int $VEC_TEST
1:	cli
	cmpw $1, rec_count
	CHECK "INT n through the IVT"
	cmpw $1b, rec_ip
	CHECK "INT n pushes the next IP"
	cmpw $0, rec_cs
	CHECK "INT n pushes CS"
	testw $FL_CF, rec_flags
	setz %al
	cmp $0, %al
	CHECK "INT n pushes FLAGS"
	testw $(FL_IF | FL_TF), rec_inflags
	CHECK "INT n clears IF and TF"
	mov $VEC_TEST2, %al
	mov $OTHER(h_cs), %dx
	call set_vector
	movw $OTHER_SEG, VEC_TEST2 * IVT_ENTRY + 2
	int $VEC_TEST2
	cmp $OTHER_SEG, %ax
	CHECK "INT n to a handler at CS = 0x800"
	RECORD VEC_BP, 0
	int3
1:	cmpw $1b, rec_ip
	CHECK "INT3 (0xCC) through the IVT"
	int $VEC_BP
1:	cmpw $1b, rec_ip
	CHECK "INT 3 (0xCD 03) through the IVT"
	RECORD VEC_OF, 0
	mov $0x7f, %al
	add $1, %al			/* OF = 1 */
	into
1:	cmpw $1b, rec_ip
	CHECK "INTO with OF = 1"
	xor %al, %al
	into
	cmpw $1, rec_count
	CHECK "INTO with OF = 0 does nothing"
	RECORD VEC_DE, 2
	xor %cl, %cl
1:	div %cl				/* 2 bytes: F6 F1 */
	cmpw $1b, rec_ip
	CHECK "#DE: the IP of DIV"
	RECORD VEC_UD, 2
1:	ud2
	cmpw $1b, rec_ip
	CHECK "#UD: the IP of UD2"
	/* INT beyond the IVT limit: #GP, no error code in real mode (SDM vol. 3A, 21.1.4). */
	RECORD VEC_GP, 2
	lidt ivt_short
1:	int $VEC_TEST
	lidt ivt_desc
	cmpw $1b, rec_ip
	CHECK "INT beyond the IVT limit: #GP at the INT"
	cmpw $0, rec_cs
	CHECK "#GP in real mode pushes no error code"
	call db_tests
	call cpuid_tests
	ret

/* Single-step and debug-register breakpoints in real mode, through #DB's IVT entry. */
db_tests:
	mov $VEC_DB, %al
	mov $h_db, %dx
	call set_vector
	xor %eax, %eax
	mov %eax, %dr6
	movw $0, rec_count
	pushf
	pop %ax
	or $FL_TF, %ax
	push %ax
	popf				/* TF: the trap comes after the next instruction */
	nop
1:	nop
	cmpw $1, rec_count
	CHECK "TF set by POPF: one single-step trap"
	cmpw $1b, rec_ip
	CHECK "single-step trap after the instruction that follows POPF"
	testw $DR6_BS, rec_dr6
	setz %al
	cmp $0, %al
	CHECK "single-step: DR6.BS"
	movw $0, rec_count
	xor %eax, %eax
	mov %eax, %dr6
	mov $bp_target, %eax		/* linear = IP at CS = 0 (QEMU 7.2 crashes at CS = 0x800) */
	mov %eax, %dr0
	mov $DR7_L0, %eax
	mov %eax, %dr7
	call bp_target_near
	cmpw $1, rec_count
	CHECK "execute breakpoint reached by a far CALL"
	cmpw $bp_target, rec_ip
	CHECK "execute breakpoint: the IP of the instruction"
	cmpw $0, rec_cs
	CHECK "execute breakpoint: CS of the far CALL"
	testw $DR6_B0, rec_dr6
	setz %al
	cmp $0, %al
	CHECK "execute breakpoint: DR6.B0"
	movw $0, rec_count
	xor %eax, %eax
	mov %eax, %dr6
	mov $bp_data, %eax
	mov %eax, %dr1
	mov $(DR7_L1 | DR7_RW1_W_LEN1), %eax
	mov %eax, %dr7
	push $OTHER_SEG
	pop %ds
	movb $1, OTHER(bp_data)
1:	push $0
	pop %ds
	cmpw $1b, rec_ip
	CHECK "data breakpoint through DS = 0x800: trap after the write"
	testw $DR6_B1, rec_dr6
	setz %al
	cmp $0, %al
	CHECK "data breakpoint: DR6.B1"
	ret

bp_target_near:
	lcall $0, $bp_target
	ret
bp_target:
	nop
	lret

/* CPUID and IN exit to the hypervisor: each must resume at the next instruction. */
cpuid_tests:
	xor %eax, %eax
	xor %si, %si
	cpuid
	mov $0x77, %si
	cmp $0x77, %si
	CHECK "CPUID in real mode"
	xor %eax, %eax
	xor %si, %si
	.byte 0x66
	cpuid
	mov $0x77, %si
	cmp $0x77, %si
	CHECK "CPUID with a 0x66 prefix"
	xor %eax, %eax
	xor %si, %si
	.byte 0x67, 0x66, 0x2e
	cpuid
	mov $0x77, %si
	cmp $0x77, %si
	CHECK "CPUID with 0x67 0x66 0x2E prefixes"
	lcall $OTHER_SEG, $OTHER(cpuid_far)
	cmp $0x77, %si
	CHECK "CPUID at CS = 0x800"
	xor %eax, %eax
	cpuid
	test %ebx, %ebx
	setz %al
	cmp $0, %al
	CHECK "CPUID leaf 0: a vendor string"
	/* CPUID, then IN, at IP 0xfffe: where does IP go? Printed, compared with bare. */
	mov $WRAP_SEG, %ax
	mov %ax, %es
	movw $0xa20f, %es:WRAP_IP	/* CPUID */
	call wrap_run
	mov $WRAP_SEG, %ax
	mov %ax, %es
	movw $(0xe4 | QEMU_EXIT_PORT << 8), %es:WRAP_IP	/* IN AL, 0xf4 */
	call wrap_run
	in $PIC1_DATA, %al
	cmp $PIC_MASK_ALL, %al
	CHECK "IN from the PIC: the mask written at entry"
	sidt idt_buf
	cmpw $IVT_LIMIT, idt_buf
	CHECK "SIDT in real mode"
	ret

cpuid_far:
	xor %eax, %eax
	xor %si, %si
	cpuid
	mov $0x77, %si
	lret

/*
 * Run the 2-byte instruction at WRAP_SEG:0xfffe. The next IP is 0x10000, past the limit:
 * #GP (SDM vol. 3A, 21.1.3; Bochs). QEMU 7.2 wraps IP to 0 and fetches there, so IP 0 and
 * IP 0x10000 hold the same code: only a #GP tells, and a hypervisor must not hide it.
 */
wrap_run:
	movw $(0xb0 | 1 << 8), %es:0	/* MOV AL, 1 ; at IP 0 */
	movb $0xcb, %es:2		/* RETF */
	mov $(WRAP_SEG + 0x1000), %ax
	mov %ax, %es
	movw $(0xb0 | 1 << 8), %es:0	/* the same at IP 0x10000, for QEMU 7.2 */
	movb $0xcb, %es:2
	xor %ax, %ax
	mov %ax, %es
	mov $VEC_GP, %al
	mov $h_wrap_gp, %dx
	call set_vector
	xor %al, %al
	lcall $WRAP_SEG, $WRAP_IP
	mov $msg_wrap, %si
	call puts
	add $'0', %al
	mov %al, wrap_digit
	mov $wrap_digit, %si
	jmp puts

/* #GP from an IP past the limit: drop the frame and return to wrap_run's far call. */
h_wrap_gp:
	add $6, %sp
	mov $3, %al
	lret

h_cs:
	mov %cs, %ax
	iret

h_record:
	push %bp
	push %ax
	mov %sp, %bp
	pushf
	pop %ax
	mov %ax, %cs:rec_inflags
	mov 4(%bp), %ax
	mov %ax, %cs:rec_ip
	mov 6(%bp), %ax
	mov %ax, %cs:rec_cs
	mov 8(%bp), %ax
	mov %ax, %cs:rec_flags
	incw %cs:rec_count
	mov %cs:skip_len, %ax
	add %ax, 4(%bp)
	pop %ax
	pop %bp
	iret

/* #DB: record, then clear TF in the image and DR7, so that one event is one count. */
h_db:
	push %bp
	push %eax
	mov %sp, %bp
	mov 6(%bp), %ax
	mov %ax, %cs:rec_ip
	mov 8(%bp), %ax
	mov %ax, %cs:rec_cs
	mov %dr6, %eax
	mov %ax, %cs:rec_dr6
	xor %eax, %eax
	mov %eax, %dr7
	andw $~FL_TF, 10(%bp)
	incw %cs:rec_count
	pop %eax
	pop %bp
	iret

	.section .data
	.align 2
ivt_short:	.word INT_LIMIT_16
		.long 0
idt_buf:	.space 6
skip_len:	.word 0
rec_count:	.word 0
rec_ip:		.word 0
rec_cs:		.word 0
rec_flags:	.word 0
rec_inflags:	.word 0
rec_dr6:	.word 0
bp_data:	.byte 0
msg_wrap:	.asciz "rm: INFO after a 2-byte instruction at IP 0xfffe (1: on, 3: #GP): "
wrap_digit:	.asciz "0\n"
