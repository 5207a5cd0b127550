/* entry.S - multiboot headers; 32-bit entry: check long mode, map 4 GiB + the high image, enter C. */
#include "core/hw/layout.h"

#define PHYS(sym) ((sym) - KERNEL_VMA_BASE)

/* Multiboot 0.6.96, 3.1.1-3.1.3; multiboot2 2.0, 3.1.1-3.1.6. */
#define MB1_HEADER_MAGIC 0x1BADB002
#define MB1_FLAG_PAGE_ALIGN (1 << 0)
#define MB1_FLAG_MEMORY_INFO (1 << 1)
#define MB1_FLAG_AOUT_KLUDGE (1 << 16)
#define MB1_HEADER_FLAGS (MB1_FLAG_PAGE_ALIGN | MB1_FLAG_MEMORY_INFO | MB1_FLAG_AOUT_KLUDGE)
#define MB2_HEADER_MAGIC 0xE85250D6
#define MB2_ARCH_I386 0
#define MB2_TAG_END 0
#define MB2_TAG_ADDRESS 2
#define MB2_TAG_ENTRY 3

#define CPUID_EXT_MAX 0x80000000
#define CPUID_EXT_FEATURES 0x80000001
#define CPUID_EXT1_EDX_LM_BIT 29
#define MSR_EFER 0xC0000080
#define EFER_LME_BIT 8
#define CR4_PAE_BIT 5
#define CR0_PG_PE 0x80000001
#define COM1_DATA 0x3f8
#define COM1_LSR 0x3fd
#define LSR_THRE 0x20
#define PT_ENTRIES 512
#define PDPT_KERNEL_INDEX 510		/* KERNEL_VMA_BASE = -2 GiB: PML4[511], PDPT[510] */

/* Both headers give the physical load range themselves (mb1 "a.out kludge", mb2 address tag), so
 * QEMU's -kernel accepts this 64-bit ELF and GRUB loads it at KERNEL_LOAD_PHYS as it is. */
	.section .multiboot, "a"
	.align 4
mb1_header:
	.long MB1_HEADER_MAGIC
	.long MB1_HEADER_FLAGS
	.long -(MB1_HEADER_MAGIC + MB1_HEADER_FLAGS)
	.long mb1_header		/* header_addr */
	.long __image_phys_start	/* load_addr */
	.long __image_load_end_phys	/* load_end_addr */
	.long __image_bss_end_phys	/* bss_end_addr */
	.long boot_entry32		/* entry_addr */
	.align 8
mb2_header:
	.long MB2_HEADER_MAGIC
	.long MB2_ARCH_I386
	.long mb2_header_end - mb2_header
	.long -(MB2_HEADER_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
	.align 8
	.short MB2_TAG_ADDRESS, 0	/* type, flags */
	.long 24			/* size */
	.long mb2_header		/* header_addr */
	.long __image_phys_start	/* load_addr */
	.long __image_load_end_phys	/* load_end_addr */
	.long __image_bss_end_phys	/* bss_end_addr */
	.align 8
	.short MB2_TAG_ENTRY, 0
	.long 12, boot_entry32		/* size, entry_addr */
	.align 8
	.short MB2_TAG_END, 0
	.long 8
mb2_header_end:

	.section .boot.text, "ax"
	.code32
	.global boot_entry32
boot_entry32:
	cli
	cld
	mov %eax, %edi			/* multiboot magic, kept for core_main */
	mov %ebx, %esi			/* multiboot info physical address */
	/* Zero .bss ourselves: not every loader clears the a.out-kludge bss range. */
	mov $__image_load_end_phys, %edx
	mov $__image_bss_end_phys, %ecx
	sub %edx, %ecx
	push %edi
	mov %edx, %edi
	xor %eax, %eax
	rep stosb
	pop %edi
	mov $PHYS(boot_stack_top), %esp
	/* Long mode present? (SDM vol. 2A, CPUID 80000001h:EDX bit 29) */
	mov $CPUID_EXT_MAX, %eax
	cpuid
	cmp $CPUID_EXT_FEATURES, %eax
	jb no_long_mode
	mov $CPUID_EXT_FEATURES, %eax
	cpuid
	bt $CPUID_EXT1_EDX_LM_BIT, %edx
	jnc no_long_mode
	/* Identity map 0-4 GiB with 2 MiB pages; alias the first 1 GiB at KERNEL_VMA_BASE. */
	mov $PHYS(early_pd), %ebx
	xor %ecx, %ecx
1:	mov %ecx, %eax
	shl $21, %eax			/* entry index * 2 MiB (low 32 bits) */
	or $(PTE_P | PTE_W | PTE_PS), %eax
	mov %eax, (%ebx, %ecx, 8)
	mov %ecx, %eax
	shr $11, %eax			/* bits 63:32 of index * 2 MiB */
	mov %eax, 4(%ebx, %ecx, 8)
	inc %ecx
	cmp $(EARLY_IDENTITY_PDS * PT_ENTRIES), %ecx
	jb 1b
	mov $PHYS(early_pdpt_low), %ebx
	xor %ecx, %ecx
2:	mov %ecx, %eax
	shl $12, %eax
	add $(PHYS(early_pd) + PTE_P + PTE_W), %eax
	mov %eax, (%ebx, %ecx, 8)
	inc %ecx
	cmp $EARLY_IDENTITY_PDS, %ecx
	jb 2b
	movl $(PHYS(early_pd) + PTE_P + PTE_W), PHYS(early_pdpt_high) + PDPT_KERNEL_INDEX * 8
	movl $(PHYS(early_pdpt_low) + PTE_P + PTE_W), PHYS(early_pml4)
	movl $(PHYS(early_pdpt_high) + PTE_P + PTE_W), PHYS(early_pml4) + (PT_ENTRIES - 1) * 8
	/* Enter long mode (SDM vol. 3A, 10.8.5): PAE, CR3, EFER.LME, then paging. */
	mov %cr4, %eax
	bts $CR4_PAE_BIT, %eax
	mov %eax, %cr4
	mov $PHYS(early_pml4), %eax
	mov %eax, %cr3
	mov $MSR_EFER, %ecx
	rdmsr
	bts $EFER_LME_BIT, %eax
	wrmsr
	mov %cr0, %eax
	or $CR0_PG_PE, %eax
	mov %eax, %cr0
	lgdt early_gdt_ptr
	ljmp $SEL_CODE64, $boot_entry64

no_long_mode:
	mov $no_lm_msg, %esi
3:	lodsb
	test %al, %al
	jz 5f
	mov %al, %bl
	mov $COM1_LSR, %dx
4:	inb %dx, %al
	test $LSR_THRE, %al
	jz 4b
	mov %bl, %al
	mov $COM1_DATA, %dx
	outb %al, %dx
	jmp 3b
5:	cli
	hlt
	jmp 5b

	.code64
boot_entry64:
	mov $SEL_DATA, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	xor %eax, %eax
	mov %eax, %fs
	mov %eax, %gs
	movabs $boot_stack_top, %rsp
	xor %ebp, %ebp
	/* rdi = magic, rsi = info (zero-extended by the 32-bit moves above) */
	movabs $core_main, %rax
	call *%rax
6:	cli
	hlt
	jmp 6b

/* void reloc_switch(void *dst, const void *src, uint64_t len, uint64_t new_cr3): copy the running
 * image, then switch CR3 with no stack use between: `ret` finds its address in the copy. */
	.text
	.global reloc_switch
reloc_switch:
	mov %rcx, %r8
	mov %rdx, %rcx
	cld
	rep movsb
	mov %r8, %cr3
	ret

	.section .boot.data, "a"
	.align 8
early_gdt:
	.quad 0
	.quad 0x00209a0000000000	/* 0x08: 64-bit code, present, DPL0 (SDM 3A, 3.4.5) */
	.quad 0x0000920000000000	/* 0x10: data, present, writable */
early_gdt_end:
early_gdt_ptr:
	.short early_gdt_end - early_gdt - 1
	.long early_gdt
no_lm_msg:
	.asciz "dbgvisor: this CPU has no 64-bit long mode (CPUID 80000001h:EDX.LM); halting.\r\n"

	.section .bss
	.align 4096
	.global early_pml4
early_pml4:
	.skip 4096
early_pdpt_low:
	.skip 4096
early_pdpt_high:
	.skip 4096
early_pd:
	.skip 4096 * EARLY_IDENTITY_PDS
	.align 16
	.global boot_stack_top
boot_stack:
	.skip BOOT_STACK_SIZE
boot_stack_top:
