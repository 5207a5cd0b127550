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
#define IVT_BASE 0x500		/* a private IVT in free conventional memory */
#define IVT_ENTRY 4
#define VEC_DF 8
#define VEC_GP 13
#define IVT_TO_DF (VEC_DF * IVT_ENTRY + IVT_ENTRY - 1)	/* a limit that ends at #DF's entry */
#define INT_BEYOND 0x40
#define CR0_NE 0x20
#define CR0_NW_BIT 29
#define CR0_CD_BIT 30
#define MOV_CR0_LEN 3		/* 0F 22 C0 */
#define INT_LEN 2
#define FLAGS_IF_BIT 9

	.code16
	.section .text
	.global _start
_start:
	pushf				/* the flags the BIOS handed over, kept in DI */
	pop %di
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
	/* A BIOS jumps to a boot sector with interrupts on (IBM's INT 19h begins with STI). */
	bt $FLAGS_IF_BIT, %di
	adcb $0, msg_if_digit
	mov $msg_if, %si
	call puts
	/* 32-bit operand-size instructions work in real mode: ask CPUID for the HV bit. */
	mov $CPUID_FEATURES, %eax
	cpuid
	mov $msg_hv_no, %si
	bt $CPUID1_ECX_HYPERVISOR_BIT, %ecx
	jnc 2f
	mov $msg_hv_yes, %si
2:	call puts
	/*
	 * Exceptions through a private IVT: in real mode they push no error code (SDM vol. 3A,
	 * 21.1.4), also when a hypervisor injects them. MOV to CR0 with NW but not CD is #GP
	 * (SDM vol. 2B, MOV); NE flips too, so that VT-x exits and injects it. Then an INT beyond
	 * a short IVT: #GP, whose own entry is beyond it too, so #DF (SDM vol. 3A, table 7-5).
	 */
	xor %ax, %ax
	movw $gp_handler, IVT_BASE + VEC_GP * IVT_ENTRY
	movw $df_handler, IVT_BASE + VEC_DF * IVT_ENTRY
	movw %ax, IVT_BASE + VEC_GP * IVT_ENTRY + 2	/* segment 0 */
	movw %ax, IVT_BASE + VEC_DF * IVT_ENTRY + 2
	lidt ivt_full
	mov %cr0, %ebx
	mov %ebx, %eax
	xor $CR0_NE, %al
	bts $CR0_NW_BIT, %eax
	btr $CR0_CD_BIT, %eax
	mov %eax, %cr0
	mov %ebx, %cr0			/* where no #GP comes (QEMU 7.2), undo it at once */
	lidt ivt_short
	int $INT_BEYOND
	lidt ivt_full
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

/* The handlers report and resume after the faulting instruction (IP is the top word). */
gp_handler:
	mov $msg_gp, %si
	mov $MOV_CR0_LEN, %cx
	jmp 8f
df_handler:
	mov $msg_df, %si
	mov $INT_LEN, %cx
8:	call puts
	mov %sp, %bp
	add %cx, (%bp)
	iret

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

msg_hello:	.asciz "realmode: hello from 0x7c00\r\n"
msg_real:	.asciz "realmode: CR0.PE = 0\r\n"
msg_if:		.ascii "realmode: entry IF = "
msg_if_digit:	.asciz "0\r\n"
msg_hv_yes:	.asciz "realmode: CPUID hypervisor bit set\r\n"
msg_hv_no:	.asciz "realmode: CPUID hypervisor bit clear\r\n"
msg_gp:		.asciz "realmode: #GP via the IVT\r\n"
msg_df:		.asciz "realmode: #DF via the IVT\r\n"
msg_done:	.asciz "realmode: done\r\n"
msg_fail:	.asciz "realmode: FAILED: PE\r\n"
msg_shutdown:	.asciz "Shutdown"
ivt_full:	.word 0x3ff
		.long IVT_BASE
ivt_short:	.word IVT_TO_DF
		.long IVT_BASE

	.org 510
	.byte 0x55, 0xaa
