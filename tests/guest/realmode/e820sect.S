/* e820sect.S - a boot sector that prints what the BIOS's memory functions answer (INT 12h, INT
 * 15h E820h, E801h, 88h) and two others (2402h, C0h) on COM1, then exits. Run bare and under
 * dbgvisor, whose INT 15h hook (guest/bios_e820_hook.S) must show its region reserved. */

#define COM1_DATA 0x3f8
#define COM1_LSR 0x3fd
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define QEMU_EXIT_PORT 0xf4
#define BOOT_ADDR 0x7c00
#define BUF 0x600			/* the E820 buffer, in free conventional memory */
#define SMAP 0x534d4150			/* 'SMAP' (ACPI, INT 15H E820H) */
#define E820_ENTRY 20			/* base, length, type */
#define E820_EXT 24			/* + ACPI 3.0 extended attributes */
#define E820_SHORT 16			/* a buffer too small for an entry */
#define E820_BAD_INDEX -1		/* no BIOS has that many entries */
#define ATTR_UNTOUCHED 0xeeeeeeee	/* what the extended attributes hold until written */
#define PUSHA_AX 14			/* PUSHA's frame from SP: DI SI BP SP BX DX CX AX */
#define PUSHA_BX 8
#define PUSHA_FLAGS 16			/* the PUSHF before PUSHA */

	.code16
	.section .text
	.global _start
_start:
	cli
	xor %ax, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	mov $BOOT_ADDR, %sp		/* (CS:IP 0000:7C00 or 07C0:0000: jumps are relative) */
	sti
	mov $s_int12, %si		/* INT 12h: AX = base memory in KiB */
	call say
	int $0x12
	call show
	xor %ebx, %ebx			/* E820h from entry 0 until EBX = 0 or CF */
2:	call e820
	jc 3f
	cmp $SMAP, %eax
	jne 3f
	mov $s_e820, %si		/* "type length base", 64-bit values high dword first */
	call say
	mov $BUF + 16, %di		/* the type, then downwards */
1:	call hexd
	cmp $BUF - 4, %di
	jne 1b
	call crlf
	test %ebx, %ebx
	jnz 2b
3:	mov $s_e820_bad, %si		/* EBX = -1, past the last entry: CF */
	call say
	or $E820_BAD_INDEX, %ebx
	call e820
	call show
	mov $s_e820_short, %si		/* a buffer of 16 bytes: CF */
	call say
	xor %ebx, %ebx
	mov $E820_SHORT, %cx
	call e820_ecx
	call show
	mov $s_e820_ext, %si		/* a buffer of 24 bytes: the extended attributes too */
	call say
	xor %ebx, %ebx
	mov $E820_EXT, %cx
	call e820_ecx
	call show
	mov $s_attr, %si
	call say
	mov $BUF + E820_ENTRY, %di
	call hexd
	call crlf
	mov $s_e801, %si		/* E801h: AX CX DX BX */
	call say
	mov $0xe801, %ax
	call int15
	mov $s_88, %si			/* 88h: AX */
	call say
	mov $0x8800, %ax
	call int15
	mov $s_a20, %si			/* 2402h: A20 status, chained to the BIOS */
	call say
	mov $0x2402, %ax
	call int15
	mov $s_c0, %si			/* C0h: configuration table at ES:BX, chained */
	call say
	mov $0xc000, %ax
	call int15
	mov $s_es, %si
	call say
	mov %es, %ax
	call hex
	call crlf
	mov $s_done, %si
	call say
	mov $COM1_LSR, %dx
4:	in %dx, %al			/* drain: the last bytes must reach the log */
	test $LSR_TEMT, %al
	jz 4b
	xor %al, %al
	out %al, $QEMU_EXIT_PORT	/* exit code 0 (dbgvisor reports it on Bochs too) */
5:	hlt
	jmp 5b

/* int15: INT 15h with AX as given, BX CX DX zero, and show what comes back. */
int15:
	xor %bx, %bx
	xor %cx, %cx
	xor %dx, %dx
	int $0x15

/* show: "ax=<hex> cx=<hex> dx=<hex> bx=<hex> cf=<0|1>": the 16-bit registers and CF as they are. */
show:
	pushf
	pusha
	mov %sp, %bp
	mov $PUSHA_AX, %di
	mov $s_regs, %si
6:	call puts			/* "ax=", "cx=", ...: SI moves on to the next name */
	movzwl (%bp,%di), %eax
	call hex
	sub $2, %di
	cmp $PUSHA_BX - 2, %di
	jne 6b
	call puts			/* "cf=" */
	mov PUSHA_FLAGS(%bp), %al
	and $1, %al
	add $'0', %al
	call putc
	call crlf
	popa
	popf
	ret

/* e820: E820h for entry EBX into BUF (20 bytes; e820_ecx: CX bytes), the extended attributes
 * preset to ATTR_UNTOUCHED. */
e820:
	mov $E820_ENTRY, %cx
e820_ecx:
	movzx %cx, %ecx
	movl $ATTR_UNTOUCHED, BUF + E820_ENTRY
	mov $SMAP, %edx
	mov $0xe820, %eax
	mov $BUF, %di
	int $0x15
	ret

/* hexd: print the dword at DI in hex; DI moves to the dword before. */
hexd:
	mov (%di), %eax
	sub $4, %di
/* hex: print EAX as 8 hex digits and a space. */
hex:
	mov $8, %cx
7:	rol $4, %eax
	push %ax
	and $0xf, %al			/* the low nibble to '0'-'9', 'A'-'F': */
	add $0x90, %al			/* 0-9: 90-99 (DAA: no carry), A-F: 00-05 and CF */
	daa
	adc $0x40, %al			/* 0-9: '0'-'9'; A-F: 41-46 */
	daa
	call putc
	pop %ax
	loop 7b
	mov $' ', %al
	jmp putc

crlf:
	mov $'\r', %al
	call putc
	mov $'\n', %al
/* putc: AL on COM1, polling THRE; AX and DX kept. */
putc:
	push %dx
	push %ax
	mov $COM1_LSR, %dx
9:	in %dx, %al
	test $LSR_THRE, %al
	jz 9b
	pop %ax
	mov $COM1_DATA, %dx
	out %al, %dx
	pop %dx
	ret

/* say: "e820sect: " and the string at SI. */
say:
	push %si
	mov $s_prefix, %si
	call puts
	pop %si
/* puts: print the NUL-terminated string at DS:SI; SI ends past the NUL. */
puts:
	lodsb
	test %al, %al
	jz 10f
	call putc
	jmp puts
10:	ret

s_prefix:	.asciz "e820sect: "
s_int12:	.asciz "int12 "
s_e820:		.asciz "e820 "
s_e820_bad:	.asciz "e820 past "
s_e820_short:	.asciz "e820 short "
s_e820_ext:	.asciz "e820 ext "
s_attr:		.asciz "e820 attr "
s_e801:		.asciz "e801 "
s_88:		.asciz "88h "
s_a20:		.asciz "2402h "
s_c0:		.asciz "c0h "
s_es:		.asciz "c0h es "
s_regs:		.asciz "ax="
		.asciz "cx="
		.asciz "dx="
		.asciz "bx="
		.asciz "cf="
s_done:		.asciz "done\r\n"

	.org 510
	.byte 0x55, 0xaa
