/* bootsect.S - a 512-byte real-mode guest: prints on COM1 without a BIOS and exits with code 0. */

#define COM1_DATA 0x3f8
#define COM1_LSR 0x3fd
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define QEMU_EXIT_PORT 0xf4
#define BOCHS_SHUTDOWN_PORT 0x8900
#define BOOT_ADDR 0x7c00
#define CR0_PE 1
#define CPUID_FEATURES 1
#define CPUID1_ECX_HYPERVISOR_BIT 31

	.code16
	.section .text
	.global _start
_start:
	cli
	xor %ax, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	mov $BOOT_ADDR, %sp
	ljmp $0, $1f			/* normalise CS:IP to 0000:7cxx */
1:	mov $msg_hello, %si
	call puts
	/* Still in real mode? CR0.PE must read 0. */
	mov %cr0, %eax
	test $CR0_PE, %al
	jnz fail
	mov $msg_real, %si
	call puts
	/* 32-bit operand-size instructions work in real mode: ask CPUID for the HV bit. */
	mov $CPUID_FEATURES, %eax
	cpuid
	mov $msg_hv_no, %si
	bt $CPUID1_ECX_HYPERVISOR_BIT, %ecx
	jnc 2f
	mov $msg_hv_yes, %si
2:	call puts
	mov $msg_done, %si
	call puts
	xor %al, %al
	jmp exit
fail:
	mov $msg_fail, %si
	call puts
	mov $1, %al
exit:
	mov %al, %bl
	mov $COM1_LSR, %dx
3:	in %dx, %al			/* drain: the last bytes must reach the log */
	test $LSR_TEMT, %al
	jz 3b
	mov %bl, %al
	out %al, $QEMU_EXIT_PORT
	mov $msg_shutdown, %si
	mov $BOCHS_SHUTDOWN_PORT, %dx
4:	lodsb
	test %al, %al
	jz 5f
	out %al, %dx
	jmp 4b
5:	hlt
	jmp 5b

/* puts: print the NUL-terminated string at DS:SI on COM1, polling THRE. */
puts:
	lodsb
	test %al, %al
	jz 7f
	mov %al, %bl
	mov $COM1_LSR, %dx
6:	in %dx, %al
	test $LSR_THRE, %al
	jz 6b
	mov %bl, %al
	mov $COM1_DATA, %dx
	out %al, %dx
	jmp puts
7:	ret

msg_hello:	.asciz "realmode: hello from a 16-bit boot sector at 0x7c00\r\n"
msg_real:	.asciz "realmode: CR0.PE = 0\r\n"
msg_hv_yes:	.asciz "realmode: CPUID hypervisor bit set\r\n"
msg_hv_no:	.asciz "realmode: CPUID hypervisor bit clear\r\n"
msg_done:	.asciz "realmode: done\r\n"
msg_fail:	.asciz "realmode: FAILED: not in real mode\r\n"
msg_shutdown:	.asciz "Shutdown"

	.org 510
	.byte 0x55, 0xaa
