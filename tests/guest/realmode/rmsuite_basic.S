/* rmsuite_basic.S - real-mode checks: flags, stack, segments, 32-bit prefixes, CALL/RET/JMP/IRET. */
#include "rmsuite.h"

	.section .text
	.code16

	.global rm_tests_basic
rm_tests_basic:
	mov $canary, %si
	mov $CANARY_WORDS, %cx
1:	cmpl $CANARY_VALUE, (%si)
	jne 2f
	add $4, %si
	loop 1b
2:	test %cx, %cx
	CHECK "the image's page at 0x9000 holds what the ELF file says"
	mov %cr0, %eax
	and $CR0_PE, %eax		/* ZF: PE is clear */
	CHECK "MOV from CR0: PE = 0"
	smsw %ax
	test $CR0_PE, %al
	CHECK "SMSW: PE = 0"
	/* POPF in real mode loads IOPL and NT; bits 15, 5 and 3 read 0, bit 1 reads 1. */
	push $0xfeff
	popf
	pushf
	pop %ax
	push $FL_FIXED
	popf
	cmp $0x7ed7, %ax
	CHECK "PUSHF/POPF: IOPL, NT and the fixed bits"
	pushfl
	popl %eax
	and $(FL_VM | FL_VIF), %eax
	CHECK "PUSHFD: VM and VIF clear"
	/* 16-bit pushes wrap SP at 0 (the stack segment is 64 KiB). */
	mov %sp, %di
	mov $SCRATCH_SEG, %ax
	mov %ax, %ss
	xor %sp, %sp
	push $0x1234
	mov %sp, %bx
	pop %cx
	mov %sp, %dx
	xor %ax, %ax
	mov %ax, %ss
	mov %di, %sp
	cmp $0xfffe, %bx
	CHECK "PUSH at SP = 0 wraps to 0xfffe"
	cmp $0x1234, %cx
	CHECK "POP at SP = 0xfffe reads what PUSH wrote"
	test %dx, %dx
	CHECK "POP at SP = 0xfffe wraps SP to 0"
	/* A 16-bit stack uses SP: ESP's high half stays (SDM vol. 1, 6.2.3). */
	mov %esp, %edi
	or $0x12340000, %esp
	push $0x5678
	pop %ax
	mov %esp, %edx
	mov %edi, %esp
	shr $16, %edx
	cmp $0x1234, %dx
	CHECK "PUSH/POP with ESP[31:16] set keeps them"
	/* Segment loads: base = selector * 16. */
	mov $(OTHER_SEG), %ax
	mov %ax, %ds
	mov (rm_marker - OTHER_SEG * 16), %ax
	xor %bx, %bx
	mov %bx, %ds
	cmp $0x5aa5, %ax
	CHECK "MOV DS: base = selector * 16"
	les far_marker, %bx
	mov %es:(%bx), %ax
	mov %es, %cx
	xor %dx, %dx
	mov %dx, %es
	cmp $0x5aa5, %ax
	CHECK "LES loads ES and the offset"
	cmp $OTHER_SEG, %cx
	CHECK "LES: the selector as written"
	lfs far_marker, %bx
	mov %fs:(%bx), %ax
	cmp $0x5aa5, %ax
	CHECK "LFS through a far pointer"
	lgs far_marker, %bx
	mov %gs:(%bx), %ax
	cmp $0x5aa5, %ax
	CHECK "LGS through a far pointer"
	mov %sp, %di
	lss stack_ptr, %sp
	mov %ss, %ax
	mov %sp, %dx
	push %ax
	pop %bx
	xor %cx, %cx
	mov %cx, %ss
	mov %di, %sp
	cmp $OTHER_SEG, %bx
	CHECK "LSS: SS and SP, then the stack works"
	push $OTHER_SEG
	pop %es
	push %es
	pop %ax
	push $0
	pop %es
	cmp $OTHER_SEG, %ax
	CHECK "PUSH/POP ES"
	/* 32-bit operand-size prefixes. */
	mov $0x12345678, %eax
	push %eax
	pop %ebx
	cmp $0x12345678, %ebx
	CHECK "PUSH/POP EAX (0x66)"
	mov $0x80000000, %eax
	add %eax, %eax
	setc %al
	cmp $1, %al
	CHECK "ADD EAX: carry out of bit 31"
	mov $0x10000, %ecx
	mov $3, %eax
	mul %ecx
	cmp $0x30000, %eax
	CHECK "MUL ECX"
	mov $0xff80, %ax
	movsx %al, %ecx
	cmp $0xffffff80, %ecx
	CHECK "MOVSX ECX, AL"
	mov $0x11223344, %eax
	bswap %eax
	cmp $0x44332211, %eax
	CHECK "BSWAP EAX"
	mov $0x12345678, %eax
	mov $0xabcd0000, %edx
	shld $16, %edx, %eax
	cmp $0x5678abcd, %eax
	CHECK "SHLD EAX, EDX"
	mov $rm_marker - 4, %esi
	mov 4(%esi), %ax		/* 0x67: a 32-bit address */
	cmp $0x5aa5, %ax
	CHECK "MOV AX, [ESI+4] (0x67)"
	/* LOOP counts CX, or ECX with an address-size prefix. */
	mov $0x10005, %ecx
	xor %ax, %ax
1:	inc %ax
	loop 1b
	cmp $5, %ax
	CHECK "LOOP counts CX only"
	cmp $0x10000, %ecx
	CHECK "LOOP leaves ECX[31:16]"
	mov $0x10002, %ecx
	xor %eax, %eax
1:	inc %eax
	addr32 loop 1b
	cmp $0x10002, %eax
	CHECK "LOOP with 0x67 counts ECX"
	mov $3, %cx
	mov $1, %ax
1:	dec %ax
	loope 1b
	cmp $1, %cx
	CHECK "LOOPE stops on ZF = 0"
	xor %cx, %cx
	jcxz 1f
	inc %cx
1:	test %cx, %cx
	CHECK "JCXZ"
	mov $0x4321, %ax
	pusha
	mov %sp, %bp
	mov 14(%bp), %ax		/* AX, pushed first */
	mov %ax, scratch_word
	popa
	cmpw $0x4321, scratch_word
	CHECK "PUSHA/POPA"
	mov $0x1111, %ax
	mov $0x2222, %dx
	xchg %ax, %dx
	cmp $0x2222, %ax
	CHECK "XCHG AX, DX"
	mov $0xfffe, %ax
	cwd
	cmp $0xffff, %dx
	CHECK "CWD"
	mov $0x0a05, %ax
	aad
	cmp $105, %ax
	CHECK "AAD"
	mov $xlat_table, %bx
	mov $2, %al
	xlat
	cmp $0x33, %al
	CHECK "XLAT"
	mov %sp, %dx
	enter $4, $0
	mov %sp, %ax
	leave
	add $6, %ax			/* BP and 4 bytes of locals */
	cmp %dx, %ax
	CHECK "ENTER/LEAVE with a 16-bit frame"
	ret

	.section .data
	.global rm_marker
	.align 2
rm_marker:	.word 0x5aa5
far_marker:	.word rm_marker - OTHER_SEG * 16, OTHER_SEG
stack_ptr:	.word 0xf000, OTHER_SEG	/* linear 0x17000, above the image */
	.global scratch_word
scratch_word:	.word 0
xlat_table:	.byte 0x11, 0x22, 0x33, 0x44
