# gdb_linux.sh - Debian's gdb debugging Debian's kernel under dbgvisor from its first
# instruction (QEMU SVM and Bochs haswell VT-x). Sourced by run.sh (group gdb_linux); needs
# lib.sh, gdb.sh (GDB_TIMEOUT) and linux.sh (LINUX, LINUX_APPEND, linux_qemu).

# The kernel's addresses (nokaslr: fixed from boot to boot), read from /proc/kallsyms by a
# first bare boot and cached beside the kernel: Debian ships no real System.map.
linux_kallsyms() {
	local cache=$LINUX/kallsyms log=$OUT/linux-kallsyms.log
	if [ ! -s "$cache" ] || [ "$cache" -ot "$LINUX/vmlinuz" ] || [ "$cache" -ot "$LINUX/initrd.img" ]; then
		tests/linux/boot-bare.sh qemu "$log" dbgvisor.kallsyms=1 >/dev/null 2>&1
		tr -d '\r' <"$log" | sed -n 's/^dbgvisor-kallsyms: //p' >"$cache"
	fi
	START_KERNEL=$(awk '$3 == "start_kernel" { print $1 }' "$cache")
	JIFFIES=$(awk '$3 == "jiffies" { print $1 }' "$cache")
	[ -n "$START_KERNEL" ] && [ -n "$JIFFIES" ]
}

# gdb_linux_script PORT [BREAK]: BREAK is hbreak (a debug register) or break (the nested page
# tables, pending in a debug register until the decompressor has put the kernel there).
gdb_linux_script() {
	cat <<GDB
set pagination off
set confirm off
set remotetimeout 60
target remote 127.0.0.1:$1
show architecture
info registers rip
${2:-hbreak} *0x$START_KERNEL
continue
print/x \$pc
x/8i \$pc
stepi 100
print/x \$pc
delete
watch *(long *)0x$JIFFIES
continue
delete
continue
print/x \$pc
continue
x/2i \$pc - 1
detach
GDB
}

# gdb_linux_run NAME START_FN [PATTERN...] : start the emulator (it waits for gdb), run the
# script, and interrupt gdb (SIGINT, a Ctrl-C) when the guest says it is busy, then when it
# idles; PATTERNs are further expectations on gdb's output. GDB_LINUX_BREAK: see gdb_linux_script.
gdb_linux_run() {
	local name=$1 start=$2 log=$OUT/$1.log gout=$OUT/$1.gdbout emu gpid line
	shift 2
	gdb_linux_script "$GDB_PORT" "${GDB_LINUX_BREAK:-hbreak}" >"$OUT/$name.gdb"
	rm -f "$log" "$gout"
	: >"$log"
	"$start" &
	emu=$!
	sleep 1
	timeout -k 5 "$GDB_TIMEOUT" gdb -nx -batch -x "$OUT/$name.gdb" >"$gout" 2>&1 &
	gpid=$!
	for line in dbgvisor-linux-busy dbgvisor-linux-idle; do
		while kill -0 "$gpid" 2>/dev/null && ! grep -aq "^$line" "$log"; do
			sleep 0.1
		done
		# Let the kernel finish the marker's console write and settle into its idle HLT.
		[ "$line" = dbgvisor-linux-idle ] && sleep 1
		kill -INT "$(pgrep -P "$gpid" -x gdb || echo "$gpid")" 2>/dev/null
	done
	wait "$gpid"
	wait "$emu"
	check "$name" "$gout" 0 any 'i386:x86-64' 'rip +0x[0-9a-f]+' \
		"Breakpoint 1, 0x0*$START_KERNEL in" "\\\$1 = 0x$START_KERNEL" "=> 0x$START_KERNEL:" \
		"Hardware watchpoint 2: \\*\\(long \\*\\)0x$JIFFIES" 'Old value = [0-9]+' \
		'New value = [0-9]+' 'Program received signal SIGINT' '\$3 = 0x' "$@" \
		'Inferior 1 \(Remote target\) detached' '!Error|error while|Cannot|Remote connection closed'
	local n
	n=$(grep -c 'Program received signal SIGINT' "$gout")
	if [ "$n" = 2 ]; then
		passed=$((passed + 1))
		echo "PASS: $name-two-ctrl-c"
	else
		failed=$((failed + 1))
		failed_names+=("$name-two-ctrl-c")
		echo "FAIL: $name-two-ctrl-c: $n SIGINT stops, want 2 (busy, then idle in HLT)"
	fi
	check "$name-guest" "$log" 0 any "$LINUX_MARKER" 'guest stopped: ACPI power-off' \
		'described as x86-64'
}

gdb_linux_qemu_start() {
	timeout -k 5 "$GDB_TIMEOUT" qemu-system-x86_64 -m 512 -no-reboot -display none \
		-monitor none -device isa-debug-exit,iobase=0xf4,iosize=0x04 -cpu max -smp 2 \
		-kernel "$HV_ELF" -append "log=com1 gdb=com2,wait" \
		-initrd "$LINUX/vmlinuz ${LINUX_APPEND//,/,,} dbgvisor.busy=3 dbgvisor.idle=3,$LINUX/initrd.img initrd" \
		-serial "file:$OUT/gdb-linux-qemu.log" \
		-serial "tcp:127.0.0.1:$GDB_PORT,server=on,wait=on,nodelay=on" \
		</dev/null >"$OUT/gdb-linux-qemu.log.qemu" 2>&1
}

gdb_linux_bochs_start() {
	BOCHS_MEGS=512 timeout --foreground -k 5 "$GDB_TIMEOUT" tests/integration/bochs.sh test \
		corei7_haswell_4770 "$OUT/gdb-linux-bochs.iso" "$OUT/gdb-linux-bochs.log" \
		"com2: enabled=1, mode=socket-server, dev=127.0.0.1:$GDB_PORT"
}

# Attach to a Linux that is already running (no gdb=wait): the first packet stops it.
gdb_linux_attach() {
	local name=gdb-linux-attach log=$OUT/gdb-linux-attach.log gout=$OUT/gdb-linux-attach.gdbout
	rm -f "$log" "$gout"
	: >"$log"
	timeout -k 5 "$GDB_TIMEOUT" qemu-system-x86_64 -m 512 -no-reboot -display none \
		-monitor none -device isa-debug-exit,iobase=0xf4,iosize=0x04 -cpu max -smp 2 \
		-kernel "$HV_ELF" -append "log=com1 gdb=com2" \
		-initrd "$LINUX/vmlinuz ${LINUX_APPEND//,/,,} dbgvisor.busy=5,$LINUX/initrd.img initrd" \
		-serial "file:$log" -serial "tcp:127.0.0.1:$GDB_PORT,server=on,wait=off,nodelay=on" \
		</dev/null >"$log.qemu" 2>&1 &
	for ((i = 0; i < GDB_TIMEOUT * 10; i++)); do
		grep -aq "^dbgvisor-linux-busy" "$log" && break
		sleep 0.1
	done
	timeout -k 5 "$GDB_TIMEOUT" gdb -nx -batch -ex "set pagination off" \
		-ex "target remote 127.0.0.1:$GDB_PORT" -ex "show architecture" \
		-ex "info registers rip cs" -ex "x/i \$pc" -ex "detach" >"$gout" 2>&1
	wait
	check "$name" "$gout" 0 any 'i386:x86-64' 'rip +0x[0-9a-f]+' 'cs +0x(10|33)' '=> 0x' \
		'Inferior 1 \(Remote target\) detached' '!Error|error while|Cannot'
	check "$name-guest" "$log" 0 any "$LINUX_MARKER" 'guest stopped: ACPI power-off'
}

# gdb's break (not hbreak) on start_kernel from the 32-bit entry, long before the
# decompressor writes the kernel there: a pending breakpoint (a debug-register one until
# the address has a page). Stopped there, a break a few instructions on is placed in the
# nested page tables at once (the page is mapped now) and fires too.
gdb_linux_break() {
	local name=gdb-linux-break log=$OUT/gdb-linux-break.log gout=$OUT/gdb-linux-break.gdbout
	rm -f "$log" "$gout"
	: >"$log"
	cat >"$OUT/$name.gdb" <<GDB
set pagination off
set confirm off
set remotetimeout 60
target remote 127.0.0.1:$GDB_PORT
break *0x$START_KERNEL
continue
print/x \$pc
x/2xb \$pc
python
pc = int(gdb.parse_and_eval("\$pc"))
gdb.execute("break *%d" % gdb.selected_frame().architecture().disassemble(pc, count=4)[3]["addr"])
end
continue
info breakpoints
monitor exits
delete
detach
GDB
	timeout -k 5 "$GDB_TIMEOUT" qemu-system-x86_64 -m 512 -no-reboot -display none \
		-monitor none -device isa-debug-exit,iobase=0xf4,iosize=0x04 -cpu max -smp 2 \
		-kernel "$HV_ELF" -append "log=com1 gdb=com2,wait" \
		-initrd "$LINUX/vmlinuz ${LINUX_APPEND//,/,,},$LINUX/initrd.img initrd" \
		-serial "file:$log" -serial "tcp:127.0.0.1:$GDB_PORT,server=on,wait=on,nodelay=on" \
		</dev/null >"$log.qemu" 2>&1 &
	sleep 1
	timeout -k 5 "$GDB_TIMEOUT" gdb -nx -batch -x "$OUT/$name.gdb" >"$gout" 2>&1
	wait
	check "$name" "$gout" 0 any "Breakpoint 1 at 0x0*$START_KERNEL" \
		"Breakpoint 1, 0x0*$START_KERNEL in" "\\\$1 = 0x$START_KERNEL" \
		"0x0*$START_KERNEL:[[:space:]]+0x[0-9a-f]{2}[[:space:]]+0x[0-9a-f]{2}" \
		'Breakpoint 2, 0x[0-9a-f]+ in' 'nested page fault +[1-9]' \
		'Inferior 1 \(Remote target\) detached' '!0xcc|Error|error while|Cannot|Remote connection closed'
	check "$name-guest" "$log" 0 any "$LINUX_MARKER" 'guest stopped: ACPI power-off'
	# The second stop is where the second breakpoint was set.
	sed -n 's/^Breakpoint 2 at \(0x[0-9a-f]*\)$/Breakpoint 2, \1 in/p' "$gout" >"$OUT/$name.want"
	check "$name-second" "$gout" 0 any "$(cat "$OUT/$name.want")" '^Breakpoint 2 at 0x'
}

group_gdb_linux() {
	if ! tests/linux/fetch.sh >"$OUT/linux-fetch.log" 2>&1 || ! linux_kallsyms; then
		check gdb-linux-kallsyms "$OUT/linux-kallsyms.log" 1 0
		return
	fi
	GDB_PORT=$((20000 + RANDOM % 20000))
	# The watcher CPU's NMI interrupts the CPU in HLT: the stop is right after the HLT. On
	# Bochs VT-x the stop comes at the first exit after the CPU leaves HLT (the idle loop).
	gdb_linux_run gdb-linux-qemu gdb_linux_qemu_start '\shlt'
	GDB_PORT=$((GDB_PORT + 1))
	gdb_linux_attach
	GDB_PORT=$((GDB_PORT + 1))
	make_iso "$OUT/gdb-linux-bochs.iso" "multiboot2 /boot/dbgvisor.elf log=com1 gdb=com2,wait
module2 --nounzip /boot/vmlinuz vmlinuz $LINUX_APPEND dbgvisor.busy=3 dbgvisor.idle=900
module2 --nounzip /boot/initrd.img initrd.img" "$HV_ELF" "$LINUX/vmlinuz" "$LINUX/initrd.img"
	# On VT-x, gdb's break (not hbreak) on start_kernel, set at the first instruction.
	GDB_LINUX_BREAK=break gdb_linux_run gdb-linux-bochs gdb_linux_bochs_start
	GDB_PORT=$((GDB_PORT + 1))
	gdb_linux_break
}

# The break on start_kernel alone (QEMU): run.sh gdb_linux_break.
group_gdb_linux_break() {
	if ! tests/linux/fetch.sh >"$OUT/linux-fetch.log" 2>&1 || ! linux_kallsyms; then
		check gdb-linux-kallsyms "$OUT/linux-kallsyms.log" 1 0
		return
	fi
	GDB_PORT=$((20000 + RANDOM % 20000))
	gdb_linux_break
}
