# exits.sh - sourced by run.sh: exit round trips per vendor from the exit_bench guest, bare and
# under dbgvisor (guest-measured ticks; 1 tick = 1 instruction under QEMU -icount shift=0 and
# Bochs clock sync=none), so dbgvisor minus bare is the hypervisor's path in instructions.
# exit_run NAME VENDOR(qemu|ryzen|corei7_haswell_4770) BITS KIND DRS bare|hv : log in $OUT/NAME.log
exit_run() {
	local name=$1 vendor=$2 bits=$3 kind=$4 drs=$5 how=$6
	local guest=$GUESTS/exit_bench$bits.elf g hvargs=log=com1
	g=$(basename "$guest")
	[ "$kind" = movdr ] && hvargs="log=com1 drlazy=off" # lazy DRs: only the first MOV DR exits
	if [ "$vendor" = qemu ]; then
		local a=(-kernel "$guest" -append "exit_bench $kind $drs")
		[ "$how" = hv ] && a=(-kernel "$HV_ELF" -append "$hvargs" -initrd "$guest exit_bench $kind $drs")
		timeout -k 5 120 qemu-system-x86_64 -m 256 -no-reboot -display none -monitor none \
			-device isa-debug-exit,iobase=0xf4,iosize=0x04 -cpu max -icount shift=0 \
			-serial "file:$OUT/$name.log" "${a[@]}" </dev/null >"$OUT/$name.log.qemu" 2>&1
		return 0
	fi
	if [ "$how" = hv ]; then
		make_iso "$OUT/$name.iso" "multiboot2 /boot/dbgvisor.elf $hvargs
module2 /boot/$g $g $kind $drs" "$HV_ELF" "$guest"
	else
		make_iso "$OUT/$name.iso" "multiboot /boot/$g $g $kind $drs" "$guest"
	fi
	bochs_boot "$name" "$vendor" "$OUT/$name.iso"
}

exit_ticks() { # exit_ticks LOG KIND -> ticks per round trip
	tr -d '\r' <"$1" 2>/dev/null | sed -n "s/^bench: $2 round trip: \([0-9.]*\) ticks.*/\1/p" | tail -n 1
}

exit_cost() { # exit_cost VENDOR BITS KIND DRS -> dbgvisor minus bare, or n/a
	local b h
	b=$(exit_ticks "$OUT/exit-$1-$2-$3-bare.log" "$3")
	h=$(exit_ticks "$OUT/exit-$1-$2-$3-$4.log" "$3")
	awk -v a="$h" -v b="$b" 'BEGIN { if (a != "" && b != "") printf "%.0f", a - b; else print "n/a" }'
}

# The runs, two at a time (the emulators are single-threaded).
exit_runs() { # exit_runs "VENDOR BITS KIND DRS|bare"...
	local n=0 spec
	for spec in "$@"; do
		set -- $spec
		if [ "$4" = bare ]; then
			exit_run "exit-$1-$2-$3-bare" "$1" "$2" "$3" untouched bare &
		else
			exit_run "exit-$1-$2-$3-$4" "$1" "$2" "$3" "$4" hv &
		fi
		n=$((n + 1))
		[ $((n % 2)) = 0 ] && wait
	done
	wait
}
