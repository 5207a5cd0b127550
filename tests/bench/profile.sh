#!/usr/bin/env bash
# profile.sh - `make profile`: where the hypervisor's instructions go over one chosen VM exit.
# usage: tests/bench/profile.sh [KIND] [BITS] [DRS]
#        (make profile PROFILE_EXIT=KIND PROFILE_BITS=BITS PROFILE_DRS=DRS)
#   KIND: cpuid (default), wrmsr (WRMSR to EFER, its own value), io (IN from COM2, hidden),
#         db (a guest single-step #DB), movdr (MOV to DR0, booted with drlazy=off so it exits)
#   BITS: 32 (default) or 64;  DRS: untouched (default), touched (the guest read DR7), armed
# QEMU (SVM, no NRIP): QEMU's gdbstub under -icount shift=0 stops at the #VMEXIT landing of
# the exit the guest takes at the chosen instruction, and gdb steps to the next VMRUN, counting
# instructions per function of build/dbgvisor.elf (tests/bench/profile.py). Bochs (ryzen: SVM
# with NRIP; corei7_haswell_4770: VT-x) has no debugger in Debian's build: per exit, the
# guest-measured ticks bare and under dbgvisor (1 tick = 1 instruction with clock sync=none).
# HLT and external interrupts are never intercepted by either backend: they have no exit.
# VENDORS=qemu skips the Bochs runs. Figures only, nothing asserted.
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib.sh
KIND=${1:-cpuid}
BITS=${2:-32}
DRS=${3:-untouched}
OUT=$BUILD/profile
mkdir -p "$OUT"
case $KIND in
cpuid | wrmsr | io | db | movdr) ;;
hlt | intr)
	echo "profile: $KIND is never intercepted (README, Exits): no VM exit to profile"
	exit 0
	;;
*)
	echo "profile: unknown exit '$KIND' (cpuid wrmsr io db movdr)" >&2
	exit 2
	;;
esac
GUEST=$GUESTS/exit_bench$BITS.elf
[ -f "$GUEST" ] || { echo "profile: $GUEST missing (make BUILD=$BUILD first)" >&2; exit 2; }
ARGS="exit_bench $KIND $DRS"
HVARGS=log=com1
[ "$KIND" = movdr ] && HVARGS="log=com1 drlazy=off" # lazy DRs: only the first MOV DR exits
SYMS=$GUESTS/exit_bench$BITS.elf
[ "$BITS" = 64 ] && SYMS=$GUESTS/64/exit_bench64.elf64
SITE=$(nm "$SYMS" | sed -n "s/^0*\([0-9a-f]*\) T bench_site_$KIND\$/\1/p")
figure() { tr -d '\r' <"$1" 2>/dev/null | sed -n "s/^bench: $KIND round trip: \([0-9.]*\) ticks.*/\1/p" | tail -n 1; }
sub() { awk -v a="$1" -v b="$2" 'BEGIN { if (a != "" && b != "") printf "%.0f", a - b; else print "n/a" }'; }

echo "profile: one $KIND exit, $BITS-bit guest, guest DRs $DRS"
port=$((30000 + RANDOM % 20000))
timeout -k 5 300 qemu-system-x86_64 -m 256 -no-reboot -display none -monitor none \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 -cpu max -icount shift=0 -smp 2 \
	-serial "file:$OUT/qemu.log" -kernel "$HV_ELF" -append "$HVARGS" \
	-initrd "$GUEST $ARGS" -S -gdb "tcp:127.0.0.1:$port" >"$OUT/qemu.err" 2>&1 &
qpid=$!
sleep 1
PROFILE_SITE=$SITE PROFILE_ELF=$HV_ELF timeout -k 5 300 gdb -nx -batch \
	-ex "file $HV_ELF" -ex "target remote 127.0.0.1:$port" -x tests/bench/profile.py \
	>"$OUT/gdb.log" 2>&1
kill "$qpid" 2>/dev/null
wait "$qpid" 2>/dev/null
if grep -q '^PROFILE total' "$OUT/gdb.log"; then
	echo "QEMU 7.2 TCG -cpu max (SVM, no NRIP): instructions per function, #VMEXIT to VMRUN"
	sed -n 's/^PROFILE /  /p' "$OUT/gdb.log"
else
	echo "QEMU: no profile; gdb said:"
	tail -n 20 "$OUT/gdb.log"
fi
# Round-trip figures (guest ticks, bare subtracted): what the guest pays, entry and exit included.
qemu_run() { # qemu_run LOG ARGS...
	local log=$1
	shift
	timeout -k 5 120 qemu-system-x86_64 -m 256 -no-reboot -display none -monitor none \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 -cpu max -icount shift=0 \
		-serial "file:$log" "$@" </dev/null >"$log.qemu" 2>&1
}
qemu_run "$OUT/qemu-bare.log" -kernel "$GUEST" -append "$ARGS"
qemu_run "$OUT/qemu-hv.log" -kernel "$HV_ELF" -append "$HVARGS" -initrd "$GUEST $ARGS"
echo "Round trip of one $KIND exit, guest ticks (1 tick = 1 instruction), bare subtracted:"
printf '  %-34s %10s %10s %10s\n' platform bare dbgvisor exit
b=$(figure "$OUT/qemu-bare.log")
h=$(figure "$OUT/qemu-hv.log")
printf '  %-34s %10s %10s %10s\n' "QEMU 7.2 TCG (SVM, no NRIP)" "${b:-n/a}" "${h:-n/a}" "$(sub "$h" "$b")"
[ "${VENDORS:-all}" = qemu ] && exit 0
bochs_run() { # bochs_run NAME MODEL "GRUB MENU BODY" FILE...
	local name=$1 model=$2 body=$3
	shift 3
	make_iso "$OUT/$name.iso" "$body" "$@"
	bochs_boot "$name" "$model" "$OUT/$name.iso"
}
g=$(basename "$GUEST")
for m in ryzen:"Bochs ryzen (SVM, NRIP)" corei7_haswell_4770:"Bochs corei7_haswell_4770 (VT-x)"; do
	model=${m%%:*}
	bochs_run "$model-bare" "$model" "multiboot /boot/$g $g $KIND $DRS" "$GUEST" &
	bochs_run "$model-hv" "$model" "multiboot2 /boot/dbgvisor.elf $HVARGS
module2 /boot/$g $g $KIND $DRS" "$HV_ELF" "$GUEST"
	wait
	b=$(figure "$OUT/$model-bare.log")
	h=$(figure "$OUT/$model-hv.log")
	printf '  %-34s %10s %10s %10s\n' "${m#*:}" "${b:-n/a}" "${h:-n/a}" "$(sub "$h" "$b")"
done
