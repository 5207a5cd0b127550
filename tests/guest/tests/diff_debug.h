/* diff_debug.h - diff_debug.c's instruction snippets and the driver that runs them (one program).
 */
#ifndef DIFF_DEBUG_H
#define DIFF_DEBUG_H

#include <stdint.h>

/*
 * Every snippet is a routine the driver calls with RDI/EDI = a data address, RSI/ESI = a
 * second address (the source of a copy, a load after MOV SS, or where a MOV from DRn puts its
 * value), RCX/ECX = a value or count, RDX/EDX = spare. Snippets may change EAX, ECX, EDX,
 * ESI, EDI (and R8-R11); the driver keeps its own state in EBX and EBP. Each instruction is
 * wrapped in "I", which records its first and last byte in the dd_marks table: the
 * candidates for execute breakpoints (their first byte, or a byte inside), and the fixups a
 * #UD or #GP takes (resume after the instruction).
 */
#ifdef __x86_64__
#define R(x) "%r" #x
#else
#define R(x) "%e" #x
#endif
#define DD_TF_BIT "0x100"

/* clang-format off */
__asm__(".macro I insn:vararg\n"
	" .pushsection .rodata.ddm, \"a\"\n .long 7770f, 7771f\n .popsection\n"
	"7770: \\insn\n7771:\n"
	".endm\n"
	/* IOX: an I/O instruction dbgvisor emulates (COM2); its end goes into dd_io_ends. */
	".macro IOX insn:vararg\n I \\insn\n7773:\n"
	" .pushsection .rodata.ddio, \"a\"\n .long 7773b\n .popsection\n"
	".endm\n"
	".pushsection .rodata.ddm, \"a\"\n.globl dd_marks\ndd_marks:\n.popsection\n"
	".pushsection .rodata.ddio, \"a\"\n.globl dd_io_ends\ndd_io_ends:\n.popsection\n");

#define DDS(name, body) ".globl dds_" #name "\n.p2align 3\ndds_" #name ":\n" body " ret\n"
#define DDS_LIST_COMMON(X)                                                                         \
	X(nop) X(load1) X(load2) X(load4) X(store1) X(store2) X(store4) X(add4) X(incw)        \
	X(xchg1) X(pushmem) X(cmpxchg8b) X(movsb) X(movsl) X(stosb) X(stosb_down) X(int3)      \
	X(int3_cd) X(icebp) X(into) X(movss_nop) X(movss_load) X(movss_store) X(movss_int3)    \
	X(movss_icebp) X(movss_cpuid) X(movss_movdr) X(movss_in_com2) X(popf_tf)              \
	X(popf_tf_cpuid) X(out80) X(in80) X(outw80) X(inl80) X(in_com2) X(out_com2)           \
	X(insb_com2) X(outsb80) X(cpuid) X(rdmsr_efer) X(cr0rw) X(cr4rw) X(rd_dr6) X(rd_dr7)   \
	X(rd_dr0) X(rd_dr4) X(wr_dr6) X(wr_dr7) X(wr_dr0) X(wr_dr3) X(wr_dr5) X(iret)          \
	X(farjmp)

__asm__(".text\n.p2align 4\n.globl dds__first\ndds__first:\n"
	DDS(nop, "I nop\n")
	DDS(load1, "I mov (" R(di) "), %al\n")
	DDS(load2, "I mov 0(" R(di) "), %ax\n")
	DDS(load4, "I mov (" R(di) "), %eax\n")
	DDS(store1, "I mov %cl, (" R(di) ")\n")
	DDS(store2, "I mov %cx, (" R(di) ")\n")
	DDS(store4, "I mov %ecx, (" R(di) ")\n")
	DDS(add4, "I addl %ecx, (" R(di) ")\n")
	DDS(incw, "I incw (" R(di) ")\n")
	DDS(xchg1, "I xchg %cl, (" R(di) ")\n")
	DDS(pushmem, "I push (" R(di) ")\n I pop " R(ax) "\n")
	DDS(cmpxchg8b, "I push " R(bx) "\n I xor %eax, %eax\n I xor %edx, %edx\n"
		       " I xor %ebx, %ebx\n I cmpxchg8b (" R(di) ")\n I pop " R(bx) "\n")
	DDS(movsb, "I rep movsb\n")
	DDS(movsl, "I rep movsl\n")
	DDS(stosb, "I mov $0x5a, %al\n I rep stosb\n")
	DDS(stosb_down, "I mov $0xa5, %al\n I std\n I rep stosb\n I cld\n")
	DDS(int3, "I int3\n")
	DDS(int3_cd, "I .byte 0xcd, 0x03\n")
	DDS(icebp, "I .byte 0xf1\n")
	DDS(into, "I mov $0x7f, %al\n I add $1, %al\n I .byte 0xce\n")
	DDS(movss_nop, "I mov (" R(di) "), %ss\n I nop\n")
	DDS(movss_load, "I mov (" R(di) "), %ss\n I mov (" R(si) "), %eax\n")
	DDS(movss_store, "I mov (" R(di) "), %ss\n I mov %ecx, (" R(si) ")\n")
	DDS(movss_int3, "I mov (" R(di) "), %ss\n I int3\n")
	DDS(movss_icebp, "I mov (" R(di) "), %ss\n I .byte 0xf1\n")
	DDS(movss_cpuid, "I push " R(bx) "\n I xor %eax, %eax\n I mov (" R(di) "), %ss\n"
			 " I cpuid\n I pop " R(bx) "\n")
	DDS(movss_movdr, "I mov (" R(di) "), %ss\n I mov %dr6, " R(ax) "\n")
	DDS(movss_in_com2, "I mov $0x2f8, %edx\n I mov (" R(di) "), %ss\n IOX in %dx, %al\n")
	DDS(popf_tf, "I pushf\n I orl $" DD_TF_BIT ", (" R(sp) ")\n I popf\n I nop\n I pushf\n"
		     " I andl $~" DD_TF_BIT ", (" R(sp) ")\n I popf\n")
	DDS(popf_tf_cpuid, "I push " R(bx) "\n I xor %eax, %eax\n I pushf\n"
			   " I orl $" DD_TF_BIT ", (" R(sp) ")\n I popf\n I cpuid\n I pushf\n"
			   " I andl $~" DD_TF_BIT ", (" R(sp) ")\n I popf\n I pop " R(bx) "\n")
	DDS(out80, "I mov %ecx, %eax\n I out %al, $0x80\n")
	DDS(in80, "I in $0x80, %al\n")
	DDS(outw80, "I mov %ecx, %eax\n I out %ax, $0x80\n")
	DDS(inl80, "I in $0x80, %eax\n")
	DDS(in_com2, "I mov $0x2f8, %edx\n IOX in %dx, %al\n")
	DDS(out_com2, "I mov $0x2ff, %edx\n I mov %ecx, %eax\n IOX out %al, %dx\n")
	DDS(insb_com2, "I mov $0x2f8, %edx\n IOX rep insb\n")
	DDS(outsb80, "I mov $0x80, %edx\n I rep outsb\n")
	DDS(cpuid, "I push " R(bx) "\n I mov %ecx, %eax\n I xor %ecx, %ecx\n I cpuid\n"
		   " I pop " R(bx) "\n")
	DDS(rdmsr_efer, "I mov $0xc0000080, %ecx\n I rdmsr\n")
	DDS(cr0rw, "I mov %cr0, " R(ax) "\n I mov " R(ax) ", %cr0\n")
	DDS(cr4rw, "I mov %cr4, " R(ax) "\n I mov " R(ax) ", %cr4\n")
	DDS(rd_dr6, "I mov %dr6, " R(ax) "\n I mov " R(ax) ", (" R(si) ")\n")
	DDS(rd_dr7, "I mov %dr7, " R(ax) "\n I mov " R(ax) ", (" R(si) ")\n")
	DDS(rd_dr0, "I mov %dr0, " R(ax) "\n I mov " R(ax) ", (" R(si) ")\n")
	DDS(rd_dr4, "I mov %dr4, " R(ax) "\n I mov " R(ax) ", (" R(si) ")\n")
	DDS(wr_dr6, "I mov " R(cx) ", %dr6\n")
	DDS(wr_dr7, "I mov " R(cx) ", %dr7\n")
	DDS(wr_dr0, "I mov " R(cx) ", %dr0\n")
	DDS(wr_dr3, "I mov " R(cx) ", %dr3\n")
	DDS(wr_dr5, "I mov " R(cx) ", %dr5\n")
#ifdef __x86_64__
	DDS(iret, "I mov %rsp, %rax\n I mov %ss, %edx\n I push %rdx\n I push %rax\n I pushfq\n"
		  " I or %rcx, (%rsp)\n I mov %cs, %edx\n I push %rdx\n I push $7772f\n I iretq\n"
		  "7772: I nop\n")
#else
	DDS(iret, "I pushf\n I or %ecx, (%esp)\n I push %cs\n I push $7772f\n I iret\n"
		  "7772: I nop\n")
#endif
	DDS(farjmp, "I ljmp *(" R(di) ")\n.globl dds_farjmp_to\ndds_farjmp_to: I nop\n")
#ifdef __x86_64__
	DDS(load8, "I mov (%rdi), %rax\n")
	DDS(store8, "I mov %rcx, (%rdi)\n")
#else
	DDS(popss_load, "I pushl (%edi)\n I popl %ss\n I mov (%esi), %eax\n")
	DDS(popss_icebp, "I pushl (%edi)\n I popl %ss\n I .byte 0xf1\n")
#endif
	".globl dds__end\ndds__end:\n");

#ifdef __x86_64__
#define DDS_LIST(X) DDS_LIST_COMMON(X) X(load8) X(store8)
#else
#define DDS_LIST(X) DDS_LIST_COMMON(X) X(popss_load) X(popss_icebp)
#endif

/*
 * The driver: dd_run(steps, count, tf) calls each step's routine with its operands, with
 * EFLAGS.TF set from the first call to the last if tf. dd_abort is where a handler sends a
 * trial that went astray: back to dd_run's caller with its registers.
 */
#ifdef __x86_64__
__asm__(".text\n.p2align 4\n.globl dd_run\n.globl dd_abort\n.globl dd_drv\n.globl dd_drv_end\n"
	"dd_run: push %rbx\n push %rbp\n push %r12\n push %r13\n push %r14\n push %r15\n"
	" mov %rsp, dd_saved_sp(%rip)\n mov %rdi, %rbx\n mov %rsi, %rbp\n"
	" pushf\n or %rdx, (%rsp)\n"
	"dd_drv: I popf\n"
	"1: I mov 8(%rbx), %rdi\n I mov 16(%rbx), %rsi\n I mov 24(%rbx), %rcx\n"
	" I mov 32(%rbx), %rdx\n I call *(%rbx)\n I add $40, %rbx\n I dec %rbp\n I jnz 1b\n"
	" I pushf\n I andq $~" DD_TF_BIT ", (%rsp)\n I popf\n"
	"dd_drv_end:\n"
	"dd_abort: mov dd_saved_sp(%rip), %rsp\n cld\n"
	" pop %r15\n pop %r14\n pop %r13\n pop %r12\n pop %rbp\n pop %rbx\n ret\n");
#else
__asm__(".text\n.p2align 4\n.globl dd_run\n.globl dd_abort\n.globl dd_drv\n.globl dd_drv_end\n"
	"dd_run: push %ebx\n push %ebp\n push %esi\n push %edi\n"
	" mov %esp, dd_saved_sp\n mov 20(%esp), %ebx\n mov 24(%esp), %ebp\n mov 28(%esp), %edx\n"
	" pushf\n or %edx, (%esp)\n"
	"dd_drv: I popf\n"
	"1: I mov 4(%ebx), %edi\n I mov 8(%ebx), %esi\n I mov 12(%ebx), %ecx\n"
	" I mov 16(%ebx), %edx\n I call *(%ebx)\n I add $20, %ebx\n I dec %ebp\n I jnz 1b\n"
	" I pushf\n I andl $~" DD_TF_BIT ", (%esp)\n I popf\n"
	"dd_drv_end:\n"
	"dd_abort: mov dd_saved_sp, %esp\n cld\n"
	" pop %edi\n pop %esi\n pop %ebp\n pop %ebx\n ret\n");
#endif
__asm__(".pushsection .rodata.ddm, \"a\"\n.globl dd_marks_end\ndd_marks_end:\n.popsection\n"
	".pushsection .rodata.ddio, \"a\"\n.globl dd_io_ends_end\ndd_io_ends_end:\n.popsection\n");
/* clang-format on */

/* One call of the driver: the routine and its RDI, RSI, RCX, RDX. */
struct dd_step {
	uintptr_t fn, di, si, cx, dx;
};

/* An instruction of a snippet or of the driver: [start, end). */
struct dd_mark {
	uint32_t start, end;
};

uintptr_t dd_saved_sp;
void dd_run(const struct dd_step *steps, uintptr_t n, uintptr_t tf);
extern const char dd_abort[], dd_drv[], dd_drv_end[], dds__first[], dds__end[], dds_farjmp_to[];
extern const struct dd_mark dd_marks[], dd_marks_end[];
extern const uint32_t dd_io_ends[], dd_io_ends_end[];

#define DD_DECL(name) extern const char dds_##name[];
DDS_LIST(DD_DECL)

struct dd_snip {
	const char *name;
	const char *at;
};
#define DD_SNIP(name) {#name, dds_##name},
static const struct dd_snip dd_snips[] = {DDS_LIST(DD_SNIP)};
#define DD_NSNIPS (sizeof(dd_snips) / sizeof(dd_snips[0]))

#endif
