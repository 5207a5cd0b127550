/*
 * rmsuite.S - a multiboot1 kernel that leaves protected mode for real mode (CR0.PE cleared)
 * and runs 16-bit instruction tests there and in virtual-8086 mode, switching modes again and
 * again; prints PASS/FAIL per check on COM1 and a count. Linked in the first 64 KiB, like
 * test kernels that run 16-bit code, with a page at 0x9000 the loader's boot information must
 * not land on. This file: entry, GDT, mode switches, the report and print helpers, exit.
 */
#include "rmsuite.h"

	.section .text
	.code32
	.align 4
mb_header:
	.long MB1_MAGIC, MB1_FLAGS, -(MB1_MAGIC + MB1_FLAGS)

	.global _start
_start:
	cli
	lgdt gdt_desc
	ljmp $SEL_CODE32, $1f
1:	mov $SEL_DATA32, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	mov $STACK_TOP, %esp
	/* No interrupt from the PIC may reach the tests: STI/POPF run with IF = 1. */
	mov $PIC_MASK_ALL, %al
	out %al, $PIC1_DATA
	out %al, $PIC2_DATA
	call uart_init
	call pm32_to_real
	.code16
	call ivt_setup
	mov $msg_start, %si
	call puts
	call rm_tests_basic
	call rm_tests_calls
	call rm_tests_ints
	call rm_tests_strings
	call rm_tests_modes
	call v86_tests
	jmp finish

/* 115200 8N1 on COM1, as no loader promises it; after what the line still sends. */
uart_init:
	mov $COM1_LSR, %dx
1:	in %dx, %al
	test $LSR_TEMT, %al
	jz 1b
	mov $LCR_DLAB, %al
	mov $COM1_LCR, %dx
	out %al, %dx
	mov $DIVISOR_115200, %al
	mov $COM1_DLL, %dx
	out %al, %dx
	xor %al, %al
	mov $COM1_DLM, %dx
	out %al, %dx
	mov $LCR_8N1, %al
	mov $COM1_LCR, %dx
	out %al, %dx
	ret

/*
 * pm32_to_real: called from 32-bit protected mode, returns in real mode (CS = 0). Through a
 * 16-bit code segment first, so the CPU runs 16-bit code when PE goes (SDM vol. 3A, 10.9.2).
 */
	.code32
	.global pm32_to_real
pm32_to_real:
	movzwl %sp, %esp
	ljmp $SEL_CODE16, $1f
	.code16
1:	mov $SEL_DATA16, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	mov %cr0, %eax
	and $~CR0_PE, %eax
	mov %eax, %cr0
	ljmp $0, $2f
2:	xor %ax, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	lidt ivt_desc
	popl %eax			/* the 32-bit return address, below 64 KiB */
	jmp *%ax

/* real_to_pm32: called from real mode (CS = 0), returns in 32-bit protected mode. */
	.global real_to_pm32
real_to_pm32:
	cli
	lgdtl gdt_desc
	mov %cr0, %eax
	or $CR0_PE, %eax
	mov %eax, %cr0
	ljmpl $SEL_CODE32, $1f
	.code32
1:	mov $SEL_DATA32, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	movzwl %sp, %esp
	movzwl (%esp), %eax		/* the 16-bit return address */
	add $2, %esp
	jmp *%eax

	.code16
/* ivt_setup: every vector of our IVT goes to unexpected_int until a test takes it over. */
ivt_setup:
	xor %bx, %bx
1:	movw $unexpected_int, (%bx)
	movw $0, 2(%bx)
	add $IVT_ENTRY, %bx
	cmp $IVT_LIMIT + 1, %bx
	jne 1b
	lidt ivt_desc
	ret

unexpected_int:
	mov $msg_unexpected, %si
	call puts
	incw fail_count
	jmp finish

/* set_vector: IVT entry AL := 0:DX. */
	.global set_vector
set_vector:
	push %bx
	xor %bx, %bx
	mov %al, %bl
	shl $2, %bx
	mov %dx, (%bx)
	movw $0, 2(%bx)
	pop %bx
	ret

/*
 * report: the check whose result is ZF (set: pass); the name is the string after the call.
 * Prints "rm: PASS name" or "rm: FAIL name", counts, returns after the string. Keeps every
 * register and the flags. Runs in real and virtual-8086 mode (there the monitor does I/O).
 */
	.global report
report:
	pushf
	pusha
	push %ds
	xor %ax, %ax
	mov %ax, %ds
	mov %sp, %bp
	mov $msg_pass, %si
	testw $FL_ZF, 18(%bp)
	jnz 1f
	mov $msg_fail, %si
	incw fail_count
	jmp 2f
1:	incw pass_count
2:	call puts
	mov 20(%bp), %si		/* the name, at the return address */
	call puts
	mov %si, 20(%bp)		/* return after its NUL */
	mov $msg_nl, %si
	call puts
	pop %ds
	popa
	popf
	ret

/* puts: print the string at DS:SI on COM1; SI ends after its NUL. */
	.global puts
puts:
	push %ax
	push %dx
1:	lodsb
	test %al, %al
	jz 3f
	mov %al, %ah
	mov $COM1_LSR, %dx
2:	in %dx, %al
	test $LSR_THRE, %al
	jz 2b
	mov %ah, %al
	mov $COM1_DATA, %dx
	out %al, %dx
	jmp 1b
3:	pop %dx
	pop %ax
	ret

/* putdec: print AX in decimal. */
putdec:
	mov $numbuf_end, %di
	movb $0, (%di)
	mov $10, %cx
1:	xor %dx, %dx
	div %cx
	add $'0', %dl
	dec %di
	mov %dl, (%di)
	test %ax, %ax
	jnz 1b
	mov %di, %si
	jmp puts

finish:
	xor %ax, %ax
	mov %ax, %ds
	mov %ax, %ss
	mov $STACK_TOP, %sp
	mov $msg_total, %si
	call puts
	mov pass_count, %ax
	call putdec
	mov $msg_passed, %si
	call puts
	mov fail_count, %ax
	call putdec
	mov $msg_failed, %si
	call puts
	mov $msg_exit, %si
	call puts
	mov fail_count, %ax
	test %ax, %ax
	jz 1f
	mov $1, %ax
1:	mov %al, %bl
	mov $COM1_LSR, %dx
2:	in %dx, %al			/* drain: the last bytes must reach the log */
	test $LSR_TEMT, %al
	jz 2b
	mov %bl, %al
	out %al, $QEMU_EXIT_PORT
	mov $msg_shutdown, %si
	mov $BOCHS_EXIT_PORT, %dx
3:	lodsb
	test %al, %al
	jz 4f
	out %al, %dx
	jmp 3b
4:	hlt
	jmp 4b

	/* Part of the image at 0x9000 (rmsuite.ld): nobody else may write there. */
	.section .canary, "a"
	.global canary
canary:
	.rept CANARY_WORDS
	.long CANARY_VALUE
	.endr

	.section .data
	.align 8
gdt:
	.quad 0
	.quad 0x00cf9b000000ffff	/* 0x08: code, base 0, 4 GiB, 32-bit */
	.quad 0x00cf93000000ffff	/* 0x10: data, base 0, 4 GiB */
	.quad 0x00009b000000ffff	/* 0x18: code, base 0, 64 KiB, 16-bit */
	.quad 0x000093000000ffff	/* 0x20: data, base 0, 64 KiB, 16-bit */
	.global gdt_tss
gdt_tss:
	.quad 0				/* 0x28: the TSS, filled by rmsuite_v86.S */
gdt_end:
	.global gdt_desc
gdt_desc:
	.word gdt_end - gdt - 1
	.long gdt
	.global ivt_desc
ivt_desc:
	.word IVT_LIMIT
	.long 0
	.global pass_count, fail_count
pass_count:	.word 0
fail_count:	.word 0
numbuf:		.space 8
numbuf_end:	.byte 0
msg_start:	.asciz "rm: real mode reached (CR0.PE cleared by the kernel)\n"
msg_pass:	.asciz "rm: PASS "
msg_fail:	.asciz "rm: FAIL "
msg_nl:		.asciz "\n"
msg_unexpected:	.asciz "rm: FAIL an unexpected interrupt or exception through the IVT\n"
msg_total:	.asciz "rm: "
msg_passed:	.asciz " passed, "
msg_failed:	.asciz " failed\n"
msg_exit:	.asciz "rm: exit\n"
msg_shutdown:	.asciz "Shutdown"
