# mb2.sh - the multiboot2 test kernel (tests/mb2kernel) under GRUB bare and under dbgvisor, on
# BIOS and on UEFI (OVMF): the same report. Sourced by run.sh (group mb2). Its lines starting
# with "* " say where the loader put things and are not compared.

MB2K=$BUILD/tests/mb2kernel.elf
MB2K_ARGS="foo=bar some args"
MB2K_OK='mb2kernel: [0-9]+ checks, 0 failed'
MB2K_START='^mb2kernel: minimal multiboot2 kernel'
MB2K_END='^mb2kernel: exit code'

# mb2_report LOG : the kernel's own report, without the loader-dependent "* " lines.
mb2_report() {
	guest_section "$1" "$MB2K_START" "$MB2K_END" | grep -av '^\* '
}

# same_report NAME BARE_LOG HV_LOG
same_report() {
	local d
	d=$(diff <(mb2_report "$2") <(mb2_report "$3"))
	if [ -z "$d" ] && [ -n "$(mb2_report "$2")" ]; then
		passed=$((passed + 1))
		echo "PASS: $1"
	else
		failed=$((failed + 1))
		failed_names+=("$1")
		echo "FAIL: $1: the report differs between GRUB and dbgvisor (or is empty)"
		echo "$d" | head -n 40
	fi
}

group_mb2() {
	local fw ovmf
	tests/mb2kernel/iso.sh "$OUT/mb2k-bare.iso" "$MB2K $MB2K_ARGS" "$EXTRA_MODULE first module" \
		"$BOOTSECT" >"$OUT/mb2k-iso.log" 2>&1
	make_iso "$OUT/mb2k-hv.iso" "multiboot2 /boot/dbgvisor.elf log=com1
module2 /boot/mb2kernel.elf mb2kernel.elf $MB2K_ARGS
module2 /boot/$(basename "$EXTRA_MODULE") $(basename "$EXTRA_MODULE") first module
module2 /boot/$(basename "$BOOTSECT") $(basename "$BOOTSECT")" "$HV_ELF" "$MB2K" "$EXTRA_MODULE" \
		"$BOOTSECT"
	for fw in bios uefi; do
		ovmf=""
		# shellcheck disable=SC2046
		[ $fw = uefi ] && ovmf="$(ovmf_args "mb2k-$fw" | tr '\n' ' ')"
		qemu_case "qemu-$fw-mb2kernel-bare" "$OK" "-cpu max $ovmf -cdrom $OUT/mb2k-bare.iso" \
			"$MB2K_OK"
		qemu_case "qemu-$fw-mb2kernel-hv" "$OK" "-cpu max $ovmf -cdrom $OUT/mb2k-hv.iso" \
			"$MB2K_OK" "multiboot2, [0-9]+ bytes" "$STOP_OK" "$NO_CRASH"
		same_report "qemu-$fw-mb2kernel-same" "$OUT/qemu-$fw-mb2kernel-bare.log" \
			"$OUT/qemu-$fw-mb2kernel-hv.log"
	done
	bochs_case bochs-haswell-mb2kernel-bare corei7_haswell_4770 "$OUT/mb2k-bare.iso" "$MB2K_OK"
	bochs_case bochs-haswell-mb2kernel-hv corei7_haswell_4770 "$OUT/mb2k-hv.iso" "$MB2K_OK" \
		"$NO_CRASH"
	same_report bochs-haswell-mb2kernel-same "$OUT/bochs-haswell-mb2kernel-bare.log" \
		"$OUT/bochs-haswell-mb2kernel-hv.log"
}
