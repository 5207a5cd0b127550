/* msr_safe.S - RDMSR/WRMSR/XSETBV that report a #GP (an MSR the CPU lacks, a value it refuses)
 * instead of taking it. */

	.text
/* bool msr_read_safe(uint32_t index, uint64_t *val): EDX:EAX into *val, true; false on #GP. */
	.global msr_read_safe
msr_read_safe:
	mov %edi, %ecx
	.global msr_safe_rdmsr_insn
msr_safe_rdmsr_insn:
	rdmsr
	shl $32, %rdx
	or %rdx, %rax			/* RDMSR zero-extends EAX: the high half is clear */
	mov %rax, (%rsi)
	mov $1, %eax
	ret

/* bool msr_write_safe(uint32_t index, uint64_t val): true, or false on #GP. */
	.global msr_write_safe
msr_write_safe:
	mov %edi, %ecx
	mov %rsi, %rax
	mov %rsi, %rdx
	shr $32, %rdx
	.global msr_safe_wrmsr_insn
msr_safe_wrmsr_insn:
	wrmsr
	mov $1, %eax
	ret

/* bool msr_xsetbv_safe(uint32_t index, uint64_t val): true, or false on #GP (an XCR0 the CPU
 * refuses, SDM vol. 2D, XSETBV: the rules of its state components grow with each CPU). */
	.global msr_xsetbv_safe
msr_xsetbv_safe:
	mov %edi, %ecx
	mov %rsi, %rax
	mov %rsi, %rdx
	shr $32, %rdx
	.global msr_safe_xsetbv_insn
msr_safe_xsetbv_insn:
	xsetbv
	mov $1, %eax
	ret

/* Where the #GP handler resumes a faulting instruction above: its caller gets false. */
	.global msr_safe_failed
msr_safe_failed:
	xor %eax, %eax
	ret
