/* rmsuite_modes.S - string instructions, then protected-mode round trips, unreal mode, CS != 0. */
#include "rmsuite.h"

#define OTHER(label) ((label) - OTHER_SEG * 16)
#define CR0_NE	     0x20
#define ROUND_TRIPS  5
#define HIDDEN_PORT  0x2f8 /* COM2: dbgvisor's, skipped without the device under it */
#define PATTERN	     0xcafe1234

	.section .text
	.code16

	.global rm_tests_strings
rm_tests_strings:
	cld
	push $SCRATCH_SEG
	pop %es
	mov $str_src, %si
	mov $0x100, %di
	mov $8, %cx
	rep movsb
	cmpb $'E', %es:0x104
	CHECK "REP MOVSB copies"
	cmp $0x108, %di
	CHECK "REP MOVSB: DI advanced"
	std
	mov $str_src + 7, %si
	mov $0x207, %di
	mov $8, %cx
	rep movsb
	cld
	cmp $0x1ff, %di
	CHECK "REP MOVSB with DF = 1: DI goes down"
	cmpb $'A', %es:0x200
	CHECK "REP MOVSB with DF = 1 copies"
	mov $0xabcd, %ax
	mov $0x300, %di
	mov $4, %cx
	rep stosw
	cmpw $0xabcd, %es:0x306
	CHECK "REP STOSW"
	push %ds
	pop %es
	mov $str_src, %si
	mov $str_cmp, %di
	mov $8, %cx
	repe cmpsb
	cmp $4, %cx
	CHECK "REPE CMPSB stops at the difference"
	mov $'D', %al
	mov $str_src, %di
	mov $8, %cx
	repne scasb
	cmp $str_src + 4, %di
	CHECK "REPNE SCASB finds the byte"
	push $OTHER_SEG
	pop %fs
	push $SCRATCH_SEG
	pop %es
	mov $OTHER(str_src), %si
	mov $0x400, %di
	movsb %fs:(%si), %es:(%di)
	cmpb $'A', %es:0x400
	CHECK "MOVSB with an FS override"
	mov $0x12340002, %ecx
	mov $str_src, %si
	mov $0x500, %di
	rep movsb
	cmp $0x12340000, %ecx
	CHECK "REP MOVSB counts CX: ECX[31:16] stay"
	mov $3, %ecx
	mov $str_src, %esi
	mov $0x600, %edi
	addr32 rep movsb
	cmp $0x603, %edi
	CHECK "REP MOVSB with 0x67: EDI advanced"
	push $0
	pop %es
	/* String I/O to a port with no device: the count and the index move all the same. */
	mov $3, %cx
	mov $str_src, %si
	mov $HIDDEN_PORT, %dx
	rep outsb
	cmp $str_src + 3, %si
	CHECK "REP OUTSB to an absent port: SI advanced"
	mov $2, %cx
	mov $0x700, %di
	push $SCRATCH_SEG
	pop %es
	rep insb
	push $0
	pop %es
	cmp $0x702, %di
	CHECK "REP INSB from an absent port: DI advanced"
	ret

/* Back and forth between real and protected mode, checking each side. */
	.global rm_tests_modes
rm_tests_modes:
	movw $ROUND_TRIPS, trips
1:	call real_to_pm32
	.code32
	mov %cr0, %eax
	and $CR0_PE, %eax
	mov %eax, pm_pe
	movl $PATTERN, HIGH_SCRATCH
	mov $SEL_DATA32, %eax
	mov %eax, %fs			/* a 4 GiB limit that real mode keeps */
	call pm32_to_real
	.code16
	cmpl $CR0_PE, pm_pe
	CHECK "round trip: PE = 1 in protected mode"
	mov %cr0, %eax
	and $CR0_PE, %eax
	CHECK "round trip: PE = 0 back in real mode"
	mov $HIGH_SCRATCH, %ebx
	cmpl $PATTERN, %fs:(%ebx)
	CHECK "unreal mode: FS reaches 2 MiB with its protected-mode limit"
	decw trips
	jnz 1b
	/* With FS's 4 GiB limit ESI may pass 64 KiB: string I/O with 0x67 counts ECX and ESI. */
	mov $0x10003, %ecx
	mov $HIGH_SCRATCH, %esi
	mov $HIDDEN_PORT, %dx
	addr32 rep outsb %fs:(%esi), (%dx)
	test %ecx, %ecx
	CHECK "REP OUTSB with 0x67 to an absent port counts ECX"
	cmp $HIGH_SCRATCH + 0x10003, %esi
	CHECK "REP OUTSB with 0x67 to an absent port advances ESI"
	xor %ax, %ax
	mov %ax, %fs
	/* Into protected mode with LMSW, out toggling CR0.NE: exits under VT-x's CR0 mask. */
	cli
	lgdtl gdt_desc
	smsw %ax
	or $CR0_PE, %ax
	lmsw %ax
	ljmp $SEL_CODE16, $1f
1:	mov $SEL_DATA16, %ax
	mov %ax, %ds
	xor %eax, %eax
	xor %si, %si
	cpuid				/* in 16-bit protected mode */
	mov $0x77, %si
	mov %cr0, %eax
	xor $(CR0_PE | CR0_NE), %eax
	mov %eax, %cr0
	ljmp $OTHER_SEG, $OTHER(2f)
2:	mov %cs, %bx
	call 3f				/* a near call in CS = 0x800 */
	ljmp $0, $4f
3:	mov $0x4242, %dx
	ret
4:	xor %ax, %ax
	mov %ax, %ds
	mov %cr0, %eax
	xor $CR0_NE, %eax
	mov %eax, %cr0
	cmp $0x77, %si
	CHECK "LMSW into 16-bit protected mode, CPUID there"
	cmp $OTHER_SEG, %bx
	CHECK "real mode entered at CS = 0x800"
	cmp $0x4242, %dx
	CHECK "near CALL at CS = 0x800"
	mov %cr0, %eax
	and $CR0_PE, %eax
	CHECK "CR0.PE = 0 after the NE-toggling switch"
	ret

	.section .data
	.align 4
pm_pe:		.long 0
trips:		.word 0
str_src:	.ascii "ABCDEFGH"
str_cmp:	.ascii "ABCxEFGH"
