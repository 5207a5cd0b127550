/* demo_guest.S - the built-in demo guest (guest/demos/hello), run when no module is given. */
	.section .rodata
	.balign 16
	.global demo_guest_start, demo_guest_end
demo_guest_start:
	.incbin DEMO_GUEST_ELF
demo_guest_end:
