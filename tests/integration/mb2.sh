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

# On UEFI (OVMF, GRUB EFI): the built-in demo, a multiboot1 kernel bare vs dbgvisor, and gdb
# attaching to the stub on COM2 (the Linux and multiboot2 cases are in their groups).
group_uefi() {
	local port=$((20000 + RANDOM % 20000)) gout=$OUT/uefi-gdb.gdbout log=$OUT/uefi-gdb.log
	# shellcheck disable=SC2046
	qemu_case qemu-uefi-demo "$OK" "-cpu max $(ovmf_args uefi-demo | tr '\n' ' ') -cdrom $ISO" \
		"boot: multiboot2" "hello from the dbgvisor demo guest" "$GUEST_OK" "$STOP_OK" \
		"$NO_CRASH"
	# A multiboot1 guest (tests/mbkernel's 16 MiB BSS would cover OVMF's ACPI NVS pages at
	# 8 MiB, which GRUB allows and dbgvisor refuses: firmware data the OS must preserve).
	bare_iso "$OUT/uefi-mb1-bare.iso" "$GUESTS/selftest32.elf selftest"
	hv_iso "$OUT/uefi-mb1-hv.iso" "$GUESTS/selftest32.elf selftest"
	# shellcheck disable=SC2046
	qemu_case qemu-uefi-mb1-bare "$OK" \
		"-cpu max $(ovmf_args uefi-mb1-bare | tr '\n' ' ') -cdrom $OUT/uefi-mb1-bare.iso" \
		"$GUEST_OK"
	# shellcheck disable=SC2046
	qemu_case qemu-uefi-mb1-hv "$OK" \
		"-cpu max $(ovmf_args uefi-mb1-hv | tr '\n' ' ') -cdrom $OUT/uefi-mb1-hv.iso" \
		"multiboot1, [0-9]+ bytes" "$GUEST_OK" "$STOP_OK" "$NO_CRASH"

	make_iso "$OUT/uefi-gdb.iso" "multiboot2 /boot/dbgvisor.elf log=com1 gdb=com2,wait
module2 /boot/$(basename "$GDB_GUEST") x" "$HV_ELF" "$GDB_GUEST"
	rm -f "$log"
	# shellcheck disable=SC2046
	timeout -k 5 "$GDB_TIMEOUT" qemu-system-x86_64 -m 256 -no-reboot -display none -monitor none \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 -cpu max -smp 2 \
		$(ovmf_args uefi-gdb) -cdrom "$OUT/uefi-gdb.iso" -serial "file:$log" \
		-serial "tcp:127.0.0.1:$port,server=on,wait=on,nodelay=on" </dev/null >"$log.qemu" 2>&1 &
	sleep 1
	timeout -k 5 "$GDB_TIMEOUT" gdb -nx -batch -ex "set pagination off" -ex "set remotetimeout 60" \
		-ex "file $GDB_GUEST" -ex "target remote 127.0.0.1:$port" -ex "info registers eip" \
		-ex "hbreak gdb_marker" -ex "continue" -ex "delete" -ex "set var gdb_spin_release = 1" \
		-ex "detach" >"$gout" 2>&1
	wait
	check qemu-uefi-gdb "$gout" 0 any '<guest_entry>' 'Breakpoint 1, gdb_marker \(n=1\)' \
		'Inferior 1 \(Remote target\) detached' '!Error|error while|Cannot'
	check qemu-uefi-gdb-guest "$log" 0 any 'guest stopped: guest exit, exit code 0'
}
