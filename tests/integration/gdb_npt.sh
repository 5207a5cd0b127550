#!/usr/bin/env bash
# gdb_npt.sh - gdb's break, watch and rwatch through the nested page tables, on QEMU (SVM),
# Bochs haswell (VT-x) and Bochs ryzen (SVM). Sourced by run.sh (group "gdb_npt", also run by group "gdb").

NPT_GUEST=$GUESTS/gdb_npt32.elf
# The ten watchpoints' hits in the guest's program order (tests/guest/tests/gdb_npt.c).
NPT_ORDER='npt_w0 npt_w1 npt_w2 npt_w3 npt_r0 npt_w4 npt_w5 npt_w6 npt_w7 npt_r1'

npt_script() {
	cat <<'EOF'
set pagination off
set confirm off
set remotetimeout 60
file @SYMS@
target remote 127.0.0.1:@PORT@
break *npt_sum_inside
break *npt_copy_area
x/1xb npt_copy_area
continue
x/2i $pc
continue
print $pc == (long)&npt_copy_area
delete
break npt_watch_marker
continue
delete
watch npt_w0
watch npt_w1
watch npt_w2
watch npt_w3
watch npt_w4
watch npt_w5
watch npt_w6
watch npt_w7
rwatch npt_r0
rwatch npt_r1
continue
continue
continue
continue
continue
continue
continue
continue
continue
continue
monitor dr
monitor exits
delete
continue
EOF
}

NPT_EXPECT=(
	'Breakpoint 1 at 0x[0-9a-f]+'
	'0x[0-9a-f]+ <npt_copy_area>:[[:space:]]+0x00'
	'Breakpoint 1, 0x[0-9a-f]+ in npt_sum_inside'
	'=> 0x[0-9a-f]+ <npt_sum_inside>:[[:space:]]+add +\$0x4,%eax'
	'Breakpoint 2, 0x[0-9a-f]+ in npt_copy_area'
	'\$1 = 1'
	'Breakpoint 3, npt_watch_marker'
	'Hardware read watchpoint 13: npt_r1'
	'Old value = 0'
	'New value = 8'
	'Value = 6'
	'slot 0: 0+101[0-9a-f]+ guest dr0'
	'nested page fault +[1-9]'
	'Inferior 1 \(Remote target\) exited normally'
	'!Error|error while|Cannot|not supported|Remote connection closed|SIGSEGV'
)
NPT_GUEST_EXPECT=(
	'gdb_npt: checksum 0x[0-9a-f]+, byte at the break 0x83'
	'gdb_npt: copied code returns 42'
	'ok 1 - copied code runs'
	'ok 2 - own DR0 breakpoint hits'
	'gdb_npt: watched 1 2 3 4 5 6 7 8, read 6'
	'guest: [0-9]+ checks, 0 failed'
	'guest stopped: guest exit, exit code 0'
	"!PANIC|unexpected exception"
)

# npt_run NAME START_FN: start the emulator (waiting for gdb), run the script, check.
npt_run() {
	local name=$1 start=$2 emu gout=$OUT/$1.gdbout
	GDB_LOG=$OUT/$name.log
	sed -e "s/@PORT@/$GDB_PORT/" -e "s|@SYMS@|$NPT_GUEST|" <(npt_script) >"$OUT/$name.gdb"
	rm -f "$GDB_LOG" "$gout"
	: >"$GDB_LOG"
	GDB_GUEST=$NPT_GUEST "$start" &
	emu=$!
	sleep 1
	timeout -k 5 "$GDB_TIMEOUT" gdb -nx -batch -x "$OUT/$name.gdb" >"$gout" 2>&1
	wait "$emu"
	cat "$gout" >>"$GDB_LOG"
	check "$name" "$gout" 0 any "${NPT_EXPECT[@]}"
	check "$name-guest" "$GDB_LOG" 0 any "${NPT_GUEST_EXPECT[@]}"
	# The hits after the ten 'watch'/'rwatch' confirmations, in order.
	grep -aoE '^Hardware (read )?watchpoint [0-9]+: npt_[wr][0-9]$' "$gout" | tail -n +11 |
		awk '{printf "%s ", $NF}' >"$OUT/$name.order"
	check "$name-order" "$OUT/$name.order" 0 any "^$NPT_ORDER \$"
	# The guest read its function with gdb's break in it: the bare checksum.
	same_output "$name-checksum" "$OUT/gdb-npt-bare.log" "$GDB_LOG" 'gdb_npt: checksum' \
		'gdb_npt: function returns'
}

group_gdb_npt() {
	qemu_case gdb-npt-bare "$(qemu_status 0)" "-cpu max -kernel $NPT_GUEST" \
		'gdb_npt: checksum 0x[0-9a-f]+, byte at the break 0x83' "$GUEST_OK"
	GDB_PORT=$((20000 + RANDOM % 20000))
	npt_run gdb-npt-qemu gdb_qemu_start

	GDB_PORT=$((GDB_PORT + 1))
	GDB_MODEL=corei7_haswell_4770
	GDB_ISO=$OUT/gdb-npt-bochs.iso
	make_iso "$GDB_ISO" "multiboot2 /boot/dbgvisor.elf log=com1 gdb=com2,wait
module2 /boot/$(basename "$NPT_GUEST") x" "$HV_ELF" "$NPT_GUEST"
	npt_run gdb-npt-bochs-haswell gdb_bochs_start

	GDB_PORT=$((GDB_PORT + 1))
	GDB_MODEL=ryzen
	GDB_ISO=$OUT/gdb-npt-ryzen.iso
	make_iso "$GDB_ISO" "multiboot2 /boot/dbgvisor.elf log=com1 gdb=com2,wait
module2 /boot/$(basename "$NPT_GUEST") x" "$HV_ELF" "$NPT_GUEST"
	npt_run gdb-npt-bochs-ryzen gdb_bochs_start
}
