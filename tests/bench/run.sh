#!/usr/bin/env bash
# run.sh - `make bench`: print the measured figures (nothing here asserts on them).
# Exit path length: guest-measured TSC ticks per CPUID round trip. Under QEMU -icount shift=0
# and Bochs with clock sync=none, one tick is one emulated instruction, so the difference
# between a bare and a dbgvisor run is the hypervisor's exit path length in instructions.
# Arguments pick sections (exit dr gdb linux; default all): `tests/bench/run.sh gdb`.
set -u
cd "$(dirname "$0")/../.."
SECTIONS=${*:-exit dr gdb linux}
want() { [[ " $SECTIONS " == *" $1 "* ]]; }
. tests/integration/lib.sh
OUT=$BUILD/bench
mkdir -p "$OUT"
BENCH=$GUESTS/cpuid_bench32.elf

figure() { # figure LOG -> the per-CPUID tick count, or "n/a"
	local v
	v=$(tr -d '\r' <"$1" 2>/dev/null | sed -n 's/^bench: cpuid round trip: \([0-9.]*\) ticks.*/\1/p' | tail -n 1)
	echo "${v:-n/a}"
}

quiet() { "$@" >/dev/null 2>&1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else print "n/a" }'; }

QEMU_ICOUNT="-cpu max -icount shift=0"
if want exit; then
quiet qemu_case bench-qemu-bare any "$QEMU_ICOUNT -kernel $BENCH"
QEMU_INITRD="$BENCH cpuid_bench" quiet qemu_case bench-qemu-hv any \
	"$QEMU_ICOUNT -kernel $HV_ELF -append log=com1"
quiet bare_bochs bench-ryzen-bare ryzen "$BENCH"
quiet hv_bochs bench-ryzen-hv ryzen "$BENCH"
quiet bare_bochs bench-haswell-bare corei7_haswell_4770 "$BENCH"
quiet hv_bochs bench-haswell-hv corei7_haswell_4770 "$BENCH"

echo "CPUID round trip, guest-measured TSC ticks (1 tick = 1 emulated instruction), 100000 CPUIDs:"
printf '  %-34s %10s %10s\n' "platform" "bare" "dbgvisor"
printf '  %-34s %10s %10s\n' "QEMU 7.2 TCG -cpu max (SVM, no NRIP)" \
	"$(figure "$OUT/bench-qemu-bare.log")" "$(figure "$OUT/bench-qemu-hv.log")"
printf '  %-34s %10s %10s\n' "Bochs ryzen (SVM, NRIP)" \
	"$(figure "$OUT/bench-ryzen-bare.log")" "$(figure "$OUT/bench-ryzen-hv.log")"
printf '  %-34s %10s %10s\n' "Bochs corei7_haswell_4770 (VT-x)" \
	"$(figure "$OUT/bench-haswell-bare.log")" "$(figure "$OUT/bench-haswell-hv.log")"
fi

# Debug registers: the exit path with guest breakpoints inactive vs active (the lazy switch
# loads nothing until a breakpoint is in use), and how many MOV DR exits 1000 guest DR
# accesses cost once the guest runs its DRs natively.
if want dr; then
DRB=$GUESTS/dr_bench32.elf
dr_figure() { # dr_figure LOG WHAT
	tr -d '\r' <"$1" 2>/dev/null | sed -n "s/^bench: cpuid round trip, $2: \([0-9.]*\) ticks.*/\1/p" | tail -n 1
}
movdr() { tr -d '\r' <"$1" 2>/dev/null | sed -n 's/.* MOV DR=\([0-9]*\).*/\1/p' | tail -n 1; }
QEMU_INITRD="$DRB dr_bench" quiet qemu_case bench-dr-qemu any \
	"$QEMU_ICOUNT -kernel $HV_ELF -append log=com1"
quiet hv_bochs bench-dr-ryzen ryzen "$DRB"
quiet hv_bochs bench-dr-haswell corei7_haswell_4770 "$DRB"
echo
echo "Debug registers under dbgvisor (ticks per CPUID round trip; MOV DR exits for 1000 guest DR accesses):"
printf '  %-34s %10s %10s %14s\n' "platform" "bp off" "bp on" "MOV DR exits"
for p in qemu:"QEMU 7.2 TCG -cpu max (SVM)" ryzen:"Bochs ryzen (SVM)" haswell:"Bochs corei7_haswell_4770 (VT-x)"; do
	log="$OUT/bench-dr-${p%%:*}.log"
	printf '  %-34s %10s %10s %14s\n' "${p#*:}" "$(dr_figure "$log" "breakpoints inactive")" \
		"$(dr_figure "$log" "one guest breakpoint active")" "$(movdr "$log")"
done
fi

# The GDB stub: stepi per second and the 'g' round trip through dbgvisor's stub (guest under
# SVM on QEMU, COM2 over TCP) and through QEMU's own gdbstub on the same guest, bare.
if want gdb; then
# Both stubs share the machine with whatever else runs, so they take turns, GDB_ROUNDS times
# each, and the medians are compared; every round is printed too.
GDBG=$GUESTS/gdb_target32.elf
GDB_ROUNDS=${GDB_ROUNDS:-3}
gdb_bench() { # gdb_bench NAME PORT GDB_ARCH QEMU_ARGS... -> "stepi/s g-rtt-us wire-in wire-out idle-polls"
	local name=$1 port=$2 arch=$3
	shift 3
	timeout -k 5 120 qemu-system-x86_64 -m 256 -no-reboot -display none -monitor none \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 "$@" >"$OUT/$name.qemu" 2>&1 &
	sleep 1
	timeout -k 5 120 gdb -nx -batch -ex "set pagination off" -ex "set confirm off" \
		-ex "file $GDBG" -ex "set architecture $arch" -ex "target remote 127.0.0.1:$port" -x tests/bench/gdb_bench.py \
		>"$OUT/$name.gdb" 2>&1
	wait
	sed -n 's/^BENCH stepi\/s \([0-9]*\) g-rtt-us \([0-9]*\) wire-in \([0-9.]*\) wire-out \([0-9.]*\) idle-polls \([0-9]*\)/\1 \2 \3 \4 \5/p' "$OUT/$name.gdb"
}
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print "n/a" }'; }
our_steps="" our_gs="" q_steps="" q_gs="" rounds=""
for r in $(seq "$GDB_ROUNDS"); do
	port=$((30000 + RANDOM % 20000))
	ours=$(BENCH_WIRE=1 gdb_bench "bench-gdb-dbgvisor-$r" "$port" auto -cpu max -smp 2 -kernel "$HV_ELF" \
		-append "log=com1 gdb=com2,wait" -initrd "$GDBG x" -serial null \
		-serial "tcp:127.0.0.1:$port,server=on,wait=on,nodelay=on")
	# qemu-system-x86_64's stub always describes the CPU in its 64-bit layout.
	theirs=$(gdb_bench "bench-gdb-qemu-$r" $((port + 1)) i386:x86-64 -cpu max -kernel "$GDBG" -serial null \
		-S -gdb "tcp:127.0.0.1:$((port + 1))")
	read -r s g wire_in wire_out idle <<<"${ours:-n/a n/a n/a n/a n/a}"
	read -r qs qg _ <<<"${theirs:-n/a n/a}"
	our_steps+=" $s" our_gs+=" $g" q_steps+=" $qs" q_gs+=" $qg"
	rounds+=$(printf '\n  round %s: %s/%s stepi/s, %s/%s us' "$r" "$s" "$qs" "$g" "$qg")
done
our_step=$(median <<<"$our_steps") our_g=$(median <<<"$our_gs")
q_step=$(median <<<"$q_steps") q_g=$(median <<<"$q_gs")
echo
echo "GDB stub on QEMU 7.2 TCG (1000 stepi, 300 'g' packets; same guest, same gdb; medians of $GDB_ROUNDS):"
printf '  %-34s %12s %14s\n' "stub" "stepi/s" "g round trip"
printf '  %-34s %12s %11s us\n' "dbgvisor (COM2 over TCP, SVM)" "$our_step" "$our_g"
printf '  %-34s %12s %11s us\n' "QEMU's own gdbstub (bare guest)" "$q_step" "$q_g"
printf '  %-34s %12s %14s\n' "ratio dbgvisor / QEMU" "$(ratio "$our_step" "$q_step")" "$(ratio "$our_g" "$q_g")"
echo "  each round, dbgvisor/QEMU:$rounds"
# Real hardware: a byte is 10 bit times (8N1), so the line alone bounds the rate.
awk -v i="$wire_in" -v o="$wire_out" 'BEGIN { if (i + o > 0) {
	t = (i + o) * 10 / 115200
	printf "  dbgvisor line per stepi: %.1f bytes from gdb, %.1f to gdb; at 115200 baud %.2f ms, at most %.0f stepi/s\n", i, o, t * 1000, 1 / t } }'
echo "  dbgvisor's empty polls of the line per stepi (last round): ${idle:-n/a}"
fi

# Linux boot (Debian's cloud kernel, tests/linux/fetch.sh): the kernel's own timestamp at
# "Run /init as init process", bare and under dbgvisor, in runs where one emulated instruction
# is one nanosecond of guest time (QEMU -icount shift=0; Bochs clock sync=none at its ips), and
# the exits per reason dbgvisor counted over the whole run (reported at the guest's power-off).
if want linux; then
. tests/integration/linux.sh
init_ts() { tr -d '\r' <"$1" 2>/dev/null | sed -n 's/^\[ *\([0-9.]*\)\] Run \/init as init process.*/\1/p' | head -n 1; }
exits() { tr -d '\r' <"$1" 2>/dev/null | sed -n 's/^dbgvisor: guest RIP 0x[0-9a-f]*, \(.*\)/\1/p' | tail -n 1; }
if tests/linux/fetch.sh >"$OUT/linux-fetch.log" 2>&1; then
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
fi
