/* rmsuite_calls.S - real-mode control transfers: near/far CALL and RET, far JMP, IRET, 16/32-bit. */
#include "rmsuite.h"

#define OTHER(label) ((label) - OTHER_SEG * 16)

	.section .text
	.code16

	.global rm_tests_calls
rm_tests_calls:
	xor %ax, %ax
	call 1f
	jmp 2f
1:	mov $0x1234, %ax
	ret
2:	cmp $0x1234, %ax
	CHECK "CALL rel16 / RET"
	call near_ret_addr
3:	cmp $3b, %ax
	CHECK "CALL rel16 pushes the next IP"
	mov $near_ret_addr, %bx
	call *%bx
3:	cmp $3b, %ax
	CHECK "CALL r16"
	call *near_ptr
3:	cmp $3b, %ax
	CHECK "CALL m16"
	mov %sp, %dx
	calll near32
3:	cmp $3b, %eax
	CHECK "CALL rel32 (0x66) pushes a 32-bit EIP"
	cmp %sp, %dx
	CHECK "RET (0x66) pops 4 bytes"
	lcall $0, $far_ret_cs
	test %ax, %ax
	CHECK "CALL ptr16:16 to CS = 0"
	lcall $OTHER_SEG, $OTHER(far_ret_cs)
3:	cmp $OTHER_SEG, %ax
	CHECK "CALL ptr16:16 to CS = 0x800"
	cmp $3b, %bx
	CHECK "far CALL pushes the return IP"
	mov %cs, %cx
	cmp $0, %cx
	CHECK "RETF back to CS = 0"
	lcall *far_ptr
	cmp $OTHER_SEG, %ax
	CHECK "CALL m16:16"
	mov %sp, %dx
	lcalll $OTHER_SEG, $OTHER(far32)
	cmp $OTHER_SEG, %ax
	CHECK "CALL ptr16:32 (0x66) to CS = 0x800"
	test %bx, %bx
	CHECK "CALL ptr16:32 (0x66) pushes the old CS"
	cmp %sp, %dx
	CHECK "RETF (0x66) pops 8 bytes"
	mov %sp, %dx
	push $1
	push $2
	call 1f
	jmp 2f
1:	ret $4
2:	cmp %sp, %dx
	CHECK "RET imm16"
	mov %sp, %dx
	push $1
	push $2
	push $3
	lcall $OTHER_SEG, $OTHER(far_ret_imm)
	cmp %sp, %dx
	CHECK "RETF imm16 from CS = 0x800"
	/* Far jumps. */
	ljmp $OTHER_SEG, $OTHER(1f)
1:	mov %cs, %ax
	ljmp $0, $2f
2:	cmp $OTHER_SEG, %ax
	CHECK "JMP ptr16:16 to CS = 0x800 and back"
	ljmp *far_jmp_ptr
fjmp_target:
	mov %cs, %ax
	ljmpl $0, $2f
2:	cmp $OTHER_SEG, %ax
	CHECK "JMP m16:16, JMP ptr16:32 (0x66)"
	mov %cs, %ax
	test %ax, %ax
	CHECK "CS = 0 after the far jumps"
	/* IRET pops IP, CS and FLAGS; with 0x66 EIP, CS and EFLAGS. */
	push $(FL_FIXED | FL_CF)
	push $OTHER_SEG
	push $OTHER(1f)
	iret
1:	mov %cs, %ax
	ljmp $0, $2f
2:	setc %bl
	cmp $OTHER_SEG, %ax
	CHECK "IRET to CS = 0x800"
	cmp $1, %bl
	CHECK "IRET loads FLAGS"
	pushl $(FL_FIXED | FL_CF)
	pushl $0
	pushl $1f
	iretl
1:	setc %bl
	cmp $1, %bl
	CHECK "IRETD (0x66)"
	clc
	ret

near_ret_addr:
	mov %sp, %bp
	mov (%bp), %ax
	ret

near32:
	mov %sp, %bp
	mov (%bp), %eax
	retl

/* Far routines, reached at CS = 0 and at CS = 0x800 (position-independent bodies). */
far_ret_cs:
	mov %cs, %ax
	mov %sp, %bp
	mov (%bp), %bx
	lret

far32:
	mov %cs, %ax
	mov %sp, %bp
	mov 4(%bp), %bx			/* the caller's CS, pushed as a doubleword */
	lretl

far_ret_imm:
	lret $6

	.section .data
	.align 2
near_ptr:	.word near_ret_addr
far_ptr:	.word OTHER(far_ret_cs), OTHER_SEG
far_jmp_ptr:	.word OTHER(fjmp_target), OTHER_SEG
