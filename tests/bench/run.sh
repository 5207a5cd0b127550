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
BENCH=$GUESTS/cpuid_bench32.elf

figure() { # figure LOG -> the per-CPUID tick count, or "n/a"
	local v
	v=$(tr -d '\r' <"$1" 2>/dev/null | sed -n 's/^bench: cpuid round trip: \([0-9.]*\) ticks.*/\1/p' | tail -n 1)
	echo "${v:-n/a}"
}

quiet() { "$@" >/dev/null 2>&1; }

QEMU_ICOUNT="-cpu max -icount shift=0"
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
