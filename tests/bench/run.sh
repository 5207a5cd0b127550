#!/usr/bin/env bash
# run.sh - `make bench`: print the measured figures (nothing here asserts on them).
# Exit path length: guest-measured TSC ticks per CPUID round trip. Under QEMU -icount shift=0
# and Bochs with clock sync=none, one tick is one emulated instruction, so the difference
# between a bare and a dbgvisor run is the hypervisor's exit path length in instructions.
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib.sh
OUT=$BUILD/bench
mkdir -p "$OUT"
quiet() { "$@" >/dev/null 2>&1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else print "n/a" }'; }
QEMU_ICOUNT="-cpu max -icount shift=0"
# BENCH_PARTS picks sections: exits (the exit round trips), gdb (the stub), linux (the boot).
PARTS=" ${BENCH_PARTS:-exits gdb linux} "
part() { [[ $PARTS == *" $1 "* ]]; }
. tests/bench/exits.sh
VENDORS="qemu ryzen corei7_haswell_4770"
vname() {
	case $1 in
	qemu) echo "QEMU 7.2 TCG (SVM, no NRIP)" ;;
	ryzen) echo "Bochs ryzen (SVM, NRIP)" ;;
	*) echo "Bochs corei7_haswell_4770 (VT-x)" ;;
	esac
}
part exits && {
specs=()
for vendor in $VENDORS; do
	for bits in 32 64; do
		specs+=("$vendor $bits cpuid bare" "$vendor $bits cpuid untouched" "$vendor $bits cpuid touched"
			"$vendor $bits cpuid armed")
	done
	for kind in wrmsr io db movdr; do
		specs+=("$vendor 32 $kind bare" "$vendor 32 $kind untouched")
	done
done
exit_runs "${specs[@]}"

echo "Null CPUID exit round trip: hypervisor instructions (guest ticks under dbgvisor minus bare,"
echo "1 tick = 1 emulated instruction; 20000 CPUIDs), guest debug registers untouched / touched"
echo "(the guest read DR7: they run natively) / armed (a guest breakpoint enabled):"
printf '  %-34s %5s %10s %10s %10s\n' platform guest untouched touched armed
for vendor in $VENDORS; do
	for bits in 32 64; do
		printf '  %-34s %5s %10s %10s %10s\n' "$(vname "$vendor")" "$bits-bit" \
			"$(exit_cost "$vendor" "$bits" cpuid untouched)" "$(exit_cost "$vendor" "$bits" cpuid touched)" \
			"$(exit_cost "$vendor" "$bits" cpuid armed)"
	done
done
echo
echo "Other exits (32-bit guest, DRs untouched; make profile EXIT=... shows where they go):"
printf '  %-34s %10s %10s %10s %10s\n' platform "WRMSR EFER" "IN COM2" "guest #DB" "MOV DR"
for vendor in $VENDORS; do
	printf '  %-34s %10s %10s %10s %10s\n' "$(vname "$vendor")" "$(exit_cost "$vendor" 32 wrmsr untouched)" \
		"$(exit_cost "$vendor" 32 io untouched)" "$(exit_cost "$vendor" 32 db untouched)" \
		"$(exit_cost "$vendor" 32 movdr untouched)"
done
echo "  (#DB: intercepted always, routed, merged into the guest's DR6 view and injected; MOV DR:"
echo "  drlazy=off, emulated; HLT and external interrupts are never intercepted: no exit)"

# How many MOV DR exits 1000 guest DR accesses cost once the guest runs its DRs natively.
DRB=$GUESTS/dr_bench32.elf
movdr() { tr -d '\r' <"$1" 2>/dev/null | sed -n 's/.* MOV DR=\([0-9]*\).*/\1/p' | tail -n 1; }
QEMU_INITRD="$DRB dr_bench" quiet qemu_case bench-dr-qemu any \
	"$QEMU_ICOUNT -kernel $HV_ELF -append log=com1"
echo
echo "Lazy debug registers: MOV DR exits for 1000 guest DR accesses (QEMU): $(movdr "$OUT/bench-dr-qemu.log")"
}

# Nested-page watchpoints and breakpoints (gdb attached): a write to an unwatched variable on
# a watched page, and an instruction on a page holding a breakpoint elsewhere; the watchpoint
# in a debug register (slots free) next to one in the nested tables (slots filled by hbreaks).
# Ticks per operation from the guest; exits per operation from 'monitor exits' around each phase.
# One CPU: a halted watcher CPU would let -icount warp the clock.
NPB=$GUESTS/npt_bench32.elf
npt_gdb_script() { # npt_gdb_script PORT dr|npt
	printf '%s\n' "set pagination off" "set confirm off" "set remotetimeout 60" "file $NPB" \
		"target remote 127.0.0.1:$1" \
		"break bench_ready" "continue" "delete" "hbreak bench_mid" "hbreak bench_done"
	[ "$2" = npt ] && printf '%s\n' "hbreak *bench_unused1" "hbreak *bench_unused2" \
		"break *bench_code_unused"
	printf '%s\n' "watch bench_watched" "monitor exits" "continue" "monitor exits" "continue" \
		"monitor exits" "delete" "continue"
}
npt_bench() { # npt_bench NAME dr|npt START_FN -> writes $OUT/NAME.{log,gdbout}
	local port=$((30000 + RANDOM % 20000))
	npt_gdb_script "$port" "$2" >"$OUT/$1.gdb"
	GDB_PORT=$port GDB_LOG=$OUT/$1.log "$3" &
	sleep 1
	timeout -k 5 240 gdb -nx -batch -x "$OUT/$1.gdb" >"$OUT/$1.gdbout" 2>&1
	wait
}
npt_qemu_start() {
	timeout -k 5 240 qemu-system-x86_64 -m 256 -no-reboot -display none -monitor none \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 $QEMU_ICOUNT -kernel "$HV_ELF" \
		-append "log=com1 gdb=com2,wait" -initrd "$NPB x" -serial "file:$GDB_LOG" \
		-serial "tcp:127.0.0.1:$GDB_PORT,server=on,wait=on,nodelay=on" </dev/null >/dev/null 2>&1
}
npt_bochs_start() {
	timeout --foreground -k 5 240 tests/integration/bochs.sh test corei7_haswell_4770 \
		"$OUT/npt-bench.iso" "$GDB_LOG" "com2: enabled=1, mode=socket-server, dev=127.0.0.1:$GDB_PORT"
}
npt_tick() { tr -d '\r' <"$1" 2>/dev/null | sed -n "s/^bench: per $2: \([0-9.]*\) ticks/\1/p" | tail -n 1; }
npt_exits() { # npt_exits GDBOUT PHASE(1|2) COUNT -> exits per operation in that phase
	grep -aE '^[0-9]+ exits$' "$1" | awk -v p="$2" -v n="$3" '{ e[NR] = $1 }
		END { if (NR >= 3) printf "%.2f", (e[p + 1] - e[p]) / n; else print "n/a" }'
}
quiet qemu_case bench-npt-bare any "$QEMU_ICOUNT -kernel $NPB"
make_iso "$OUT/npt-bench.iso" "multiboot2 /boot/dbgvisor.elf log=com1 gdb=com2,wait
module2 /boot/$(basename "$NPB") x" "$HV_ELF" "$NPB"
for m in dr npt; do
	npt_bench "bench-npt-qemu-$m" "$m" npt_qemu_start
	npt_bench "bench-npt-haswell-$m" "$m" npt_bochs_start
done
echo
echo "gdb watchpoint and breakpoint costs (ticks = instructions, incl. the hypervisor's; exits from monitor exits):"
printf '  %-34s %-18s %8s %7s %12s %7s\n' "platform" "gdb set" "t/write" "exits" "t/insn" "exits"
printf '  %-34s %-18s %8s %7s %12s %7s\n' "QEMU 7.2 TCG -icount (bare)" "-" \
	"$(npt_tick "$OUT/bench-npt-bare.log" "unwatched write on the watched page")" 0 \
	"$(npt_tick "$OUT/bench-npt-bare.log" "instruction on the breakpoint's page")" 0
for p in qemu:"QEMU 7.2 TCG -icount (SVM)" haswell:"Bochs corei7_haswell_4770 (VT-x)"; do
	for m in dr:"watch in a DR" npt:"watch+break in NPT"; do
		n=$OUT/bench-npt-${p%%:*}-${m%%:*}
		printf '  %-34s %-18s %8s %7s %12s %7s\n' "${p#*:}" "${m#*:}" \
			"$(npt_tick "$n.log" "unwatched write on the watched page")" \
			"$(npt_exits "$n.gdbout" 1 1000)" \
			"$(npt_tick "$n.log" "instruction on the breakpoint's page")" \
			"$(npt_exits "$n.gdbout" 2 2000)"
	done
done

# The GDB stub: stepi per second and the 'g' round trip through dbgvisor's stub (guest under
# SVM on QEMU, COM2 over TCP) and through QEMU's own gdbstub on the same guest, bare.
if part gdb; then
# Both stubs share the machine with whatever else runs, so they take turns, GDB_ROUNDS times
# each, and the medians are compared; every round is printed too.
GDBG=$GUESTS/gdb_target32.elf
GDB_ROUNDS=${GDB_ROUNDS:-3}
gdb_bench() { # gdb_bench NAME TARGET GDB_ARCH QEMU_ARGS... -> "stepi/s g-rtt-us wire-in wire-out idle-polls"
	local name=$1 target=$2 arch=$3 i
	shift 3
	timeout -k 5 120 qemu-system-x86_64 -m 256 -no-reboot -display none -monitor none \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 "$@" >"$OUT/$name.qemu" 2>&1 &
	sleep 1
	if [ "$target" = pty ]; then # QEMU names the pseudo-terminal it made when it starts
		for i in $(seq 50); do
			target=$(sed -n 's/.*redirected to \(\/dev\/pts\/[0-9]*\).*/\1/p' "$OUT/$name.qemu")
			[ -n "$target" ] && break
			sleep 0.1
		done
	fi
	timeout -k 5 120 gdb -nx -batch -ex "set pagination off" -ex "set confirm off" \
		-ex "file $GDBG" -ex "set architecture $arch" -ex "target remote $target" -x tests/bench/gdb_bench.py \
		>"$OUT/$name.gdb" 2>&1
	wait
	sed -n 's/^BENCH stepi\/s \([0-9]*\) g-rtt-us \([0-9]*\) wire-in \([0-9.]*\) wire-out \([0-9.]*\) idle-polls \([0-9]*\)/\1 \2 \3 \4 \5/p' "$OUT/$name.gdb"
}
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print "n/a" }'; }
our_steps="" our_gs="" pty_steps="" pty_gs="" q_steps="" q_gs="" rounds=""
for r in $(seq "$GDB_ROUNDS"); do
	port=$((30000 + RANDOM % 20000))
	# One CPU, as QEMU's stub runs the guest below (QEMU's default): on a 2-core host a second
	# vCPU thread (the Ctrl-C watcher's) competes with gdb and QEMU's main loop.
	ours=$(BENCH_WIRE=1 gdb_bench "bench-gdb-dbgvisor-$r" "127.0.0.1:$port" auto -cpu max -smp 1 \
		-kernel "$HV_ELF" -append "log=com1 gdb=com2,wait" -initrd "$GDBG x" -serial null \
		-serial "tcp:127.0.0.1:$port,server=on,wait=on,nodelay=on")
	# The same COM2 on a pseudo-terminal: QEMU's 16550 hands each byte to its back end on its
	# own (hw/char/serial.c, serial_xmit), which over TCP is one segment per byte.
	pty=$(gdb_bench "bench-gdb-dbgvisor-pty-$r" pty auto -cpu max -smp 1 -kernel "$HV_ELF" \
		-append "log=com1 gdb=com2,wait" -initrd "$GDBG x" -serial null -serial pty)
	# qemu-system-x86_64's stub always describes the CPU in its 64-bit layout.
	theirs=$(gdb_bench "bench-gdb-qemu-$r" "127.0.0.1:$((port + 1))" i386:x86-64 -cpu max \
		-kernel "$GDBG" -serial null -S -gdb "tcp:127.0.0.1:$((port + 1))")
	read -r s g wire_in wire_out idle <<<"${ours:-n/a n/a n/a n/a n/a}"
	read -r ps pg _ <<<"${pty:-n/a n/a}"
	read -r qs qg _ <<<"${theirs:-n/a n/a}"
	our_steps+=" $s" our_gs+=" $g" pty_steps+=" $ps" pty_gs+=" $pg" q_steps+=" $qs" q_gs+=" $qg"
	rounds+=$(printf '\n  round %s: %s/%s/%s stepi/s, %s/%s/%s us' "$r" "$s" "$ps" "$qs" "$g" "$pg" "$qg")
done
our_step=$(median <<<"$our_steps") our_g=$(median <<<"$our_gs")
pty_step=$(median <<<"$pty_steps") pty_g=$(median <<<"$pty_gs")
q_step=$(median <<<"$q_steps") q_g=$(median <<<"$q_gs")
echo
echo "GDB stub on QEMU 7.2 TCG -smp 1 (1000 stepi, 300 'g' packets; same guest, same gdb; medians of $GDB_ROUNDS):"
printf '  %-34s %12s %14s\n' "stub" "stepi/s" "g round trip"
printf '  %-34s %12s %11s us\n' "dbgvisor (COM2 over TCP, SVM)" "$our_step" "$our_g"
printf '  %-34s %12s %11s us\n' "dbgvisor (COM2 on a pty, SVM)" "$pty_step" "$pty_g"
printf '  %-34s %12s %11s us\n' "QEMU's own gdbstub (bare guest)" "$q_step" "$q_g"
printf '  %-34s %12s %14s\n' "ratio dbgvisor TCP / QEMU" "$(ratio "$our_step" "$q_step")" "$(ratio "$our_g" "$q_g")"
printf '  %-34s %12s %14s\n' "ratio dbgvisor pty / QEMU" "$(ratio "$pty_step" "$q_step")" "$(ratio "$pty_g" "$q_g")"
echo "  each round, dbgvisor TCP/pty/QEMU:$rounds"
# Real hardware: a byte is 10 bit times (8N1), so the line alone bounds the rate.
awk -v i="$wire_in" -v o="$wire_out" 'BEGIN { if (i + o > 0) {
	t = (i + o) * 10 / 115200
	printf "  dbgvisor line per stepi: %.1f bytes from gdb, %.1f to gdb; at 115200 baud %.2f ms, at most %.0f stepi/s\n", i, o, t * 1000, 1 / t } }'
echo "  dbgvisor's empty polls of the line per stepi (last TCP round): ${idle:-n/a}"
fi

# Ctrl-C on one CPU (QEMU's default, SVM: no spare CPU, no preemption timer): the guest spins
# with interrupts off and makes no exits; COM2's IRQ reaches its CPU as an NMI. A bare protocol
# client (tests/bench/ctrlc.py) continues it, sends 0x03 and times the stop reply. Without
# -icount QEMU's virtual clock is the host's, so the wall time bounds the guest's.
if part gdb; then
port=$((30000 + RANDOM % 20000))
log=$OUT/bench-ctrlc.log
rm -f "$log"
timeout -k 5 120 qemu-system-x86_64 -m 256 -no-reboot -display none -monitor none -cpu max -smp 1 \
	-kernel "$HV_ELF" -append "log=com1 gdb=com2" -initrd "$GUESTS/gdb_target64.elf x" \
	-serial "file:$log" -serial "tcp:127.0.0.1:$port,server=on,wait=off,nodelay=on" \
	</dev/null >"$log.qemu" 2>&1 &
qpid=$!
for _ in $(seq 120); do grep -aq "spinning with interrupts off" "$log" 2>/dev/null && break; sleep 0.5; done
read -r _ _ c_med c_max c_n <<<"$(timeout 120 tests/bench/ctrlc.py "$port" 20 2>"$OUT/bench-ctrlc.err" || echo "CTRLC ms n/a n/a 0")"
kill "$qpid" 2>/dev/null
wait "$qpid" 2>/dev/null
echo
echo "Ctrl-C to stop reply, QEMU -smp 1, guest spinning with interrupts off (no exits), $c_n rounds:"
echo "  median $c_med ms, max $c_max ms (wall clock, which QEMU's virtual clock follows without -icount)"
fi

# Linux boot (Debian's cloud kernel, tests/linux/fetch.sh): the kernel's own timestamp at
# "Run /init as init process", bare and under dbgvisor, in runs where one emulated instruction
# is one nanosecond of guest time (QEMU -icount shift=0; Bochs clock sync=none at its ips), and
# the exits per reason dbgvisor counted over the whole run (reported at the guest's power-off).
. tests/integration/linux.sh
init_ts() { tr -d '\r' <"$1" 2>/dev/null | sed -n 's/^\[ *\([0-9.]*\)\] Run \/init as init process.*/\1/p' | head -n 1; }
exits() { tr -d '\r' <"$1" 2>/dev/null | sed -n 's/^dbgvisor: guest RIP 0x[0-9a-f]*, \(.*\)/\1/p' | tail -n 1; }
if part linux && tests/linux/fetch.sh >"$OUT/linux-fetch.log" 2>&1; then
	quiet linux_qemu bench-linux-qemu-bare -cpu max -icount shift=0 -kernel "$LINUX/vmlinuz" \
		-initrd "$LINUX/initrd.img" -append "$LINUX_APPEND"
	quiet linux_qemu bench-linux-qemu-hv -cpu max -icount shift=0 -kernel "$HV_ELF" \
		-append log=com1 -initrd "$LINUX/vmlinuz ${LINUX_APPEND//,/,,},$LINUX/initrd.img initrd"
	quiet linux_bochs corei7_haswell_4770 "$LINUX_APPEND"
	quiet linux_bochs ryzen "$LINUX_APPEND_RYZEN"
	echo
	echo "Linux $(cat "$LINUX/version") boot: kernel timestamp at 'Run /init' (s; 1 ns = 1 instruction):"
	printf '  %-34s %10s %10s %7s  %s\n' "platform" "bare" "dbgvisor" "ratio" "dbgvisor's exits over the run"
	for p in qemu-linux:bench-linux-qemu:"QEMU 7.2 TCG -icount shift=0 (SVM)" \
		haswell:bochs-corei7_haswell_4770-linux:"Bochs corei7_haswell_4770 (VT-x)" \
		ryzen:bochs-ryzen-linux:"Bochs ryzen (SVM)"; do
		rest=${p#*:}
		pre=${rest%%:*}
		b=$(init_ts "$OUT/$pre-bare.log")
		h=$(init_ts "$OUT/$pre-hv.log")
		printf '  %-34s %10s %10s %7s  %s\n' "${rest#*:}" "${b:-n/a}" "${h:-n/a}" \
			"$(ratio "$h" "$b")" "$(exits "$OUT/$pre-hv.log")"
	done
fi
