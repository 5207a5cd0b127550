/* reloc_switch.S - copy the running image to its new frames and switch CR3 with no stack use between. */
	.text
/*
 * void reloc_switch(void *dst, const void *src, uint64_t len, uint64_t new_cr3)
 * The return address is on the stack before the copy, so after the CR3 switch (which
 * maps the same virtual addresses onto the copy) `ret` finds it in the new frames.
 */
	.global reloc_switch
reloc_switch:
	mov %rcx, %r8
	mov %rdx, %rcx
	cld
	rep movsb
	mov %r8, %cr3
	ret
