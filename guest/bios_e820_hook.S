/* bios_e820_hook.S - the INT 15h hook a boot sector gets (guest/bios_e820.c copies it to the top
 * of conventional memory, runs at segment:0): it answers the memory-size functions from the
 * guest's memory map, where the hypervisor's region is reserved, and chains to the BIOS for the
 * rest. E820h: ACPI spec, "INT 15H, E820H - Query System Address Map"; E801h and 88h: Ralf
 * Brown's interrupt list (INT 15/AX=E801h, INT 15/AH=88h). Real mode, 386 instructions. */
#include "guest/bios_e820.h"

#define FN_E820	     0xe820	/* EAX: query system address map */
#define SMAP	     0x534d4150	/* 'SMAP': EDX on entry, EAX on return */
#define FN_E801	     0xe801	/* AX: get memory size for large configurations */
#define FN_EXT_MEM   0x88	/* AH: get extended memory size */
#define ERR_UNSUPP   0x86	/* AH with CF set: function not supported (as SeaBIOS) */
#define ATTR_ENABLED 1		/* ACPI 3.0 extended attributes bit 0: entry is valid */
#define FLAGS_CF     1		/* carry, bit 0 of FLAGS */
/* FLAGS of the INT frame from BP: saved BP (2), entry PUSHF (2), IP (2), CS (2). */
#define FRAME_FLAGS  8
#define TABLE	     (bios_e820_hook_end - bios_e820_hook_start)

	.section .rodata
	.code16
	.global bios_e820_hook_start, bios_e820_hook_end
bios_e820_hook_start:
	.org BIOS_E820_OLD_VECTOR
	.long 0				/* old INT 15h vector, filled in by bios_e820_install() */
	.org BIOS_E820_COUNT
	.long 0				/* E820 entries */
	.org BIOS_E820_E801_LOW
	.word 0				/* E801h AX/CX */
	.org BIOS_E820_E801_HIGH
	.word 0				/* E801h BX/DX */
	.org BIOS_E820_EXT_KIB
	.word 0				/* 88h AX */
	.org BIOS_E820_ENTRY
	pushf				/* the entry flags, restored for the BIOS when chaining */
	cmp $FN_E820, %eax		/* E820h wants EAX = 0000E820h ... */
	jne 1f
	cmp $SMAP, %edx			/* ... and EDX = 'SMAP'; else the BIOS's */
	je .Le820
1:	cmp $FN_E801, %ax
	je .Le801
	cmp $FN_EXT_MEM, %ah
	je .Lext_mem
	popf				/* registers and flags as the caller left them: */
	ljmp *%cs:BIOS_E820_OLD_VECTOR	/* the BIOS's INT 15h returns to the caller */

.Le801:	/* AX = CX: KiB from 1 MiB up to 16 MiB; BX = DX: 64 KiB blocks above 16 MiB */
	mov %cs:BIOS_E820_E801_LOW, %ax
	mov %ax, %cx
	mov %cs:BIOS_E820_E801_HIGH, %bx
	mov %bx, %dx
	jmp .Lok

.Lext_mem: /* AX: KiB above 1 MiB */
	mov %cs:BIOS_E820_EXT_KIB, %ax
	jmp .Lok

.Le820:	/* EBX: the entry asked for (0 first); ES:DI its buffer of ECX bytes */
	cmp %cs:BIOS_E820_COUNT, %ebx	/* no such entry: CF */
	jae .Lfail
	cmp $BIOS_E820_ENTRY_SIZE, %ecx	/* buffer too small for an entry: CF */
	jb .Lfail
	push %ds
	push %esi
	push %di
	cmp $BIOS_E820_EXT_SIZE, %ecx	/* room for the extended attributes? */
	mov $BIOS_E820_ENTRY_SIZE, %ecx	/* ECX returns the bytes written (MOV keeps CF) */
	jb 2f
	movl $ATTR_ENABLED, %es:BIOS_E820_ENTRY_SIZE(%di)	/* ACPI 3.0: enabled */
	mov $BIOS_E820_EXT_SIZE, %cl
2:	push %cs
	pop %ds
	imul $BIOS_E820_ENTRY_SIZE, %ebx, %esi	/* DS:SI = the table's entry EBX */
	add $TABLE, %si
	cld				/* copy upwards (IRET restores the caller's DF) */
	.rept BIOS_E820_ENTRY_SIZE / 4
	movsl				/* base, length, type: 20 bytes to ES:DI */
	.endr
	pop %di
	pop %esi
	pop %ds
	inc %ebx			/* EBX = the next entry, 0 after the last */
	cmp %cs:BIOS_E820_COUNT, %ebx
	jb 3f
	xor %ebx, %ebx
3:	mov $SMAP, %eax			/* EAX = 'SMAP': the caller checks it */
.Lok:	/* CF clear in the FLAGS IRET restores (the caller's IF and the rest kept) */
	push %bp
	mov %sp, %bp
	andb $~FLAGS_CF, FRAME_FLAGS(%bp)
	jmp 4f
.Lfail:	/* CF set, AH = error code */
	mov $ERR_UNSUPP, %ah
	push %bp
	mov %sp, %bp
	orb $FLAGS_CF, FRAME_FLAGS(%bp)
4:	pop %bp
	add $2, %sp			/* drop the entry PUSHF */
	iret
bios_e820_hook_end:			/* the E820 table follows */
	.code64
