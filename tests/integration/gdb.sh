#!/usr/bin/env bash
# gdb.sh - Debian's gdb in batch mode against the stub, on QEMU (SVM) and Bochs (VT-x).
# Sourced by run.sh (group "gdb"); needs lib.sh's check/make_iso and the built guests.

GDB_TIMEOUT=${GDB_TIMEOUT:-240}
GDB_GUEST=$GUESTS/gdb_target32.elf

# The session every emulator must pass; @PORT@ and @SYMS@ are filled in per run.
gdb_script() {
	cat <<'EOF'
set pagination off
set confirm off
set remotetimeout 60
file @SYMS@
target remote 127.0.0.1:@PORT@
info registers eip
dump binary memory @CODE@ 0x100000 0x101000
restore @CODE@ binary 0x100000
print/x $dr7
hbreak gdb_marker
continue
jump *gdb_marker
delete
set var gdb_spin_cpuid = 1
watch gdb_counter
continue
delete
awatch gdb_counter
continue
delete
stepi 1000
monitor exits
monitor wire
set var gdb_poke = 0x1234
break *gdb_reg_point
continue
jump *gdb_reg_point
set $eax = 42
delete
hbreak gdb_after_own
watch gdb_never_touched
continue
print gdb_own_hits
print gdb_own_int3
monitor dr
delete
break gdb_reader
continue
print gdb_spin_release
print gdb_spin_cpuids > 100
print/x $eflags & 0x100
set var gdb_spin_release = 1
monitor help
detach
EOF
}

# What gdb must have printed (and must not have).
GDB_EXPECT=(
	'eip +0x[0-9a-f]+ +0x[0-9a-f]+ <guest_entry>'
	# A page of the guest's code written back as it was: gdb fills X packets to PacketSize.
	'Restoring binary file .* into memory \(0x100000 to 0x101000\)'
	'\$1 = 0x400'
	'Breakpoint 1, gdb_marker \(n=1\)'
	'Old value = 0'
	'New value = 1'
	'Hardware access \(read/write\) watchpoint 3: gdb_counter'
	'Value = 1'
	'exception +[0-9]{3,}'
	'gdb line: [0-9]{5,} bytes in, [0-9]{5,} bytes out'
	'Breakpoint 4, 0x[0-9a-f]+ in gdb_reg_point'
	'Breakpoint 5, gdb_after_own'
	'\$2 = 3'
	'\$3 = 1'
	'slot 0: 0+100[0-9a-f]+ guest dr0'
	'Program received signal SIGINT'
	# The spin's CPUID helper is inlined: a stop on that instruction shows its frame.
	'gdb_spin \(\)|x86g_cpuid \([^)]*\) at'
	'\$4 = 0'
	'\$5 = 1'
	# The spin's page holds a break: the Ctrl-C stops it inside a nested-page step, whose TF
	# is not the guest's.
	'\$6 = 0x0'
	'step-irq on\|off'
	'Inferior 1 \(Remote target\) detached'
	'!Error|error while|Cannot|not supported|Remote connection closed|write failed'
)
# What the guest printed.
GDB_GUEST_EXPECT=(
	'poke 0x1234, register result 42'
	'ok 1 - own DR0 breakpoint hits'
	'ok 2 - own INT3 hits'
	'gdb_target: released'
	'guest: [0-9]+ checks, 0 failed'
	'guest stopped: guest exit, exit code 0'
)

# gdb_run NAME LOG GDBOUT PORT START_EMULATOR_FN: start the emulator (which waits for the
# connection), drive gdb, send it SIGINT (a Ctrl-C) once the guest says it spins.
gdb_run() {
	local name=$1 log=$2 gout=$3 port=$4 start=$5 emu gpid i
	sed -e "s/@PORT@/$port/" -e "s|@SYMS@|$GDB_GUEST|" -e "s|@CODE@|$OUT/$name.code|" \
		<(gdb_script) >"$OUT/$name.gdb"
	rm -f "$log" "$gout"
	: >"$log"
	"$start" &
	emu=$!
	sleep 1
	timeout -k 5 "$GDB_TIMEOUT" gdb -nx -batch -x "$OUT/$name.gdb" >"$gout" 2>&1 &
	gpid=$!
	for ((i = 0; i < GDB_TIMEOUT * 2; i++)); do
		grep -aq "spinning with interrupts off" "$log" && break
		kill -0 "$gpid" 2>/dev/null || break
		sleep 0.5
	done
	sleep 1
	# To gdb itself: timeout(1) would pass SIGINT on to its whole process group as well, and
	# a second Ctrl-C makes gdb give up on the target.
	kill -INT "$(pgrep -P "$gpid" -x gdb || echo "$gpid")" 2>/dev/null
	wait "$gpid"
	wait "$emu"
	cat "$gout" >>"$log"
}

gdb_qemu_start() {
	timeout -k 5 "$GDB_TIMEOUT" qemu-system-x86_64 -m 256 -no-reboot -display none \
		-monitor none -device isa-debug-exit,iobase=0xf4,iosize=0x04 -cpu max -smp 2 \
		-kernel "$HV_ELF" -append "log=com1 gdb=com2,wait" -initrd "$GDB_GUEST x" \
		-serial "file:$GDB_LOG" \
		-serial "tcp:127.0.0.1:$GDB_PORT,server=on,wait=on,nodelay=on" \
		</dev/null >"$GDB_LOG.qemu" 2>&1
}

gdb_bochs_start() {
	timeout --foreground -k 5 "$GDB_TIMEOUT" tests/integration/bochs.sh test "$GDB_MODEL" \
		"$GDB_ISO" "$GDB_LOG" "com2: enabled=1, mode=socket-server, dev=127.0.0.1:$GDB_PORT"
}

gdb_check() {
	local name=$1 log=$2 gout=$3
	check "$name" "$gout" 0 any "${GDB_EXPECT[@]}"
	# A jump to where gdb stopped, the breakpoint still in: the same stop again at once (gdb
	# manual, "Continuing at a Different Address"), as an INT3 or QEMU's stub gives it.
	check_count "$name-jump-hbreak" "$gout" 2 'Breakpoint 1, gdb_marker \(n=1\)'
	check_count "$name-jump-break" "$gout" 2 'Breakpoint 4, 0x[0-9a-f]+ in gdb_reg_point'
	check "$name-guest" "$log" 0 any "${GDB_GUEST_EXPECT[@]}"
}

# Attach to a running 64-bit guest (no gdb=wait): the first packet stops it, and the
# description is amd64 because the guest is in long mode when gdb connects.
gdb_attach64() {
	local name=gdb-qemu-attach64 log=$OUT/gdb-qemu-attach64.log port=$((GDB_PORT + 2)) i
	local syms=$GUESTS/64/gdb_target64.elf64 gout=$OUT/gdb-qemu-attach64.gdbout
	rm -f "$log" "$gout"
	timeout -k 5 "$GDB_TIMEOUT" qemu-system-x86_64 -m 256 -no-reboot -display none \
		-monitor none -device isa-debug-exit,iobase=0xf4,iosize=0x04 -cpu max -smp 2 \
		-kernel "$HV_ELF" -append "log=com1 gdb=com2" -initrd "$GUESTS/gdb_target64.elf x" \
		-serial "file:$log" -serial "tcp:127.0.0.1:$port,server=on,wait=off,nodelay=on" \
		</dev/null >"$log.qemu" 2>&1 &
	for ((i = 0; i < 60; i++)); do
		grep -aq "spinning with interrupts off" "$log" 2>/dev/null && break
		sleep 0.5
	done
	timeout -k 5 "$GDB_TIMEOUT" gdb -nx -batch -ex "set pagination off" \
		-ex "file $syms" -ex "target remote 127.0.0.1:$port" -ex "show architecture" \
		-ex "info registers rip" -ex "print/x \$cs" -ex "set var gdb_spin_release = 1" \
		-ex "detach" >"$gout" 2>&1
	wait
	check "$name" "$gout" 0 any 'i386:x86-64' 'rip +0x[0-9a-f]+ +0x[0-9a-f]+ <gdb_spin' \
		'Inferior 1 \(Remote target\) detached' '!Error|error while|Cannot'
	check "$name-guest" "$log" 0 any "${GDB_GUEST_EXPECT[@]:1}"
}

# One CPU (QEMU's default) and SVM: no spare CPU, no preemption timer. COM2's IRQ reaches the
# guest's CPU as an NMI through the I/O APIC: gdb attaches to a guest spinning with interrupts
# off, continues it, and a Ctrl-C stops it again in the spin.
gdb_ctrlc_smp1() {
	local name=gdb-qemu-ctrlc-smp1 log=$OUT/gdb-qemu-ctrlc-smp1.log port=$((GDB_PORT + 3)) i
	local syms=$GUESTS/64/gdb_target64.elf64 gout=$OUT/gdb-qemu-ctrlc-smp1.gdbout gpid
	rm -f "$log" "$gout"
	timeout -k 5 "$GDB_TIMEOUT" qemu-system-x86_64 -m 256 -no-reboot -display none \
		-monitor none -device isa-debug-exit,iobase=0xf4,iosize=0x04 -cpu max -smp 1 \
		-kernel "$HV_ELF" -append "log=com1 gdb=com2" -initrd "$GUESTS/gdb_target64.elf x" \
		-serial "file:$log" -serial "tcp:127.0.0.1:$port,server=on,wait=off,nodelay=on" \
		</dev/null >"$log.qemu" 2>&1 &
	for ((i = 0; i < 60; i++)); do
		grep -aq "spinning with interrupts off" "$log" 2>/dev/null && break
		sleep 0.5
	done
	printf '%s\n' "set pagination off" "file $syms" "target remote 127.0.0.1:$port" \
		"info registers rip" "continue" "info registers rip" "monitor exits" \
		"set var gdb_spin_release = 1" "detach" >"$OUT/$name.gdb"
	timeout -k 5 "$GDB_TIMEOUT" gdb -nx -batch -x "$OUT/$name.gdb" >"$gout" 2>&1 &
	gpid=$!
	for ((i = 0; i < GDB_TIMEOUT * 2; i++)); do
		grep -aq "^rip" "$gout" && break
		kill -0 "$gpid" 2>/dev/null || break
		sleep 0.5
	done
	sleep 2 # gdb has sent the continue
	kill -INT "$(pgrep -P "$gpid" -x gdb || echo "$gpid")" 2>/dev/null
	wait
	local rip='rip +0x[0-9a-f]+ +0x[0-9a-f]+ <gdb_spin'
	check "$name" "$gout" 0 any "$rip" 'Program received signal SIGINT' \
		'^(0x[0-9a-f]+ in )?gdb_spin \(\) at' 'NMI +[1-9]' 'Inferior 1 \(Remote target\) detached' \
		'!Error|error while|Cannot|cannot stop'
	check "$name-guest" "$log" 0 any "the line's IRQ arrives as an NMI" \
		"${GDB_GUEST_EXPECT[@]:1}"
}

# The same on Bochs ryzen (SVM, one CPU), the spin executing CPUID (the fast exit path, so
# the NMI mostly lands in the hypervisor): held for gdb at the first instruction, continued
# into the spin, stopped by a Ctrl-C through COM2's IRQ.
gdb_ctrlc_ryzen() {
	local name=gdb-bochs-ryzen-ctrlc log=$OUT/gdb-bochs-ryzen-ctrlc.log i gpid
	local gout=$OUT/gdb-bochs-ryzen-ctrlc.gdbout iso=$OUT/gdb-bochs-ryzen-ctrlc.iso
	GDB_PORT=$((GDB_PORT + 4))
	make_iso "$iso" "multiboot2 /boot/dbgvisor.elf log=com1 gdb=com2,wait,arch=x86-64
module2 /boot/gdb_target64.elf x" "$HV_ELF" "$GUESTS/gdb_target64.elf"
	rm -f "$log" "$gout"
	: >"$log"
	GDB_MODEL=ryzen GDB_ISO=$iso GDB_LOG=$log gdb_bochs_start &
	sleep 1
	printf '%s\n' "set pagination off" "set remotetimeout 60" \
		"file $GUESTS/64/gdb_target64.elf64" "target remote 127.0.0.1:$GDB_PORT" \
		"hbreak gdb_marker" "continue" "delete" "set var gdb_spin_cpuid = 1" "continue" \
		"info registers rip" "monitor exits" \
		"set var gdb_spin_release = 1" "detach" >"$OUT/$name.gdb"
	timeout -k 5 "$GDB_TIMEOUT" gdb -nx -batch -x "$OUT/$name.gdb" >"$gout" 2>&1 &
	gpid=$!
	for ((i = 0; i < GDB_TIMEOUT * 2; i++)); do
		grep -aq "spinning with interrupts off" "$log" && break
		kill -0 "$gpid" 2>/dev/null || break
		sleep 0.5
	done
	sleep 2
	kill -INT "$(pgrep -P "$gpid" -x gdb || echo "$gpid")" 2>/dev/null
	wait
	# The stop is in gdb_spin (rip), shown as its inlined CPUID helper when it lands there.
	check "$name" "$gout" 0 any 'Program received signal SIGINT' \
		'^(0x[0-9a-f]+ in )?(gdb_spin \(\)|x86g_cpuid \([^)]*\)) at' \
		'rip +0x[0-9a-f]+ +0x[0-9a-f]+ <gdb_spin' 'CPUID +[0-9]{3,}' \
		'Inferior 1 \(Remote target\) detached' '!Error|error while|Cannot|cannot stop'
	check "$name-guest" "$log" 0 any "the line's IRQ arrives as an NMI" \
		"${GDB_GUEST_EXPECT[@]:1}"
}

group_gdb() {
	GDB_PORT=$((20000 + RANDOM % 20000))
	GDB_LOG=$OUT/gdb-qemu.log
	gdb_run gdb-qemu "$GDB_LOG" "$OUT/gdb-qemu.gdbout" "$GDB_PORT" gdb_qemu_start
	check gdb-qemu-ctrlc-source "$GDB_LOG" 0 any "a spare CPU watches the line"
	gdb_check gdb-qemu "$GDB_LOG" "$OUT/gdb-qemu.gdbout"
	gdb_attach64
	gdb_ctrlc_smp1
	gdb_ctrlc_ryzen

	GDB_PORT=$((GDB_PORT + 1))
	GDB_MODEL=corei7_haswell_4770
	GDB_LOG=$OUT/gdb-bochs-haswell.log
	GDB_ISO=$OUT/gdb-bochs.iso
	make_iso "$GDB_ISO" "multiboot2 /boot/dbgvisor.elf log=com1 gdb=com2,wait
module2 /boot/$(basename "$GDB_GUEST") x" "$HV_ELF" "$GDB_GUEST"
	gdb_run gdb-bochs-haswell "$GDB_LOG" "$OUT/gdb-bochs-haswell.gdbout" "$GDB_PORT" \
		gdb_bochs_start
	check gdb-bochs-haswell-ctrlc-source "$GDB_LOG" 0 any "polled on VMX-preemption-timer"
	gdb_check gdb-bochs-haswell "$GDB_LOG" "$OUT/gdb-bochs-haswell.gdbout"
	group_gdb_npt
}
