#!/usr/bin/env bash
# boot-bare.sh - boot the Linux test guest (tests/linux/fetch.sh) without the hypervisor; serial log to a file.
# usage: boot-bare.sh qemu LOG [APPEND...]          QEMU TCG, -cpu max, -kernel/-initrd
#        boot-bare.sh bochs MODEL LOG [APPEND...]   Bochs MODEL, from a GRUB ISO
# APPEND words go after the fixed "console=ttyS0 nokaslr panic=-1" (e.g. dbgvisor.kallsyms=1).
# Exit status 0 when the log has the guest's marker line and the kernel powered off, 1 if
# not, 124 on timeout (LINUX_TIMEOUT seconds: 60 for QEMU, 300 for Bochs by default).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
OUT=$top/build/linux
KERNEL=$OUT/vmlinuz
INITRD=$OUT/initrd.img
# nokaslr: fixed kernel addresses, so /proc/kallsyms matches the ELF symbols and runs compare.
# panic=-1: reboot at once on a panic, which -no-reboot turns into a QEMU exit.
BASE_APPEND="console=ttyS0 nokaslr panic=-1"
MEGS=512 # the cloud kernel and the 1 MB initramfs fit in far less; 512 leaves slack for the hypervisor

usage() {
	echo "usage: $0 qemu LOG [APPEND...] | $0 bochs MODEL LOG [APPEND...]" >&2
	exit 2
}

emu=${1:-} model=
case $emu in
qemu)
	[ $# -ge 2 ] || usage
	log=$2
	shift 2
	# TCG reaches /init in about 2 s; 60 s only matters on a loaded machine.
	limit=${LINUX_TIMEOUT:-60}
	;;
bochs)
	[ $# -ge 3 ] || usage
	model=$2 log=$3
	shift 3
	# Bochs needs about 35 s (haswell) to reach /init; 300 s leaves room for a busy host.
	limit=${LINUX_TIMEOUT:-300}
	;;
*) usage ;;
esac
append="$BASE_APPEND${*:+ $*}"
# Bochs 2.7's ryzen (its only model with MONITORX/MWAITX) never ends a timed MWAITX: apic.cc's
# set_mwaitx_timer arms timer handle 0 instead of the MWAITX timer (fixed upstream after 2.7,
# commit 26914d005). Linux delays with MWAITX on such CPUs, so the first udelay() with
# interrupts off (init_8259A, before the console comes up) sleeps forever. Hide the feature.
if [ "$emu" = bochs ] && [ "$model" = ryzen ]; then
	append="$append clearcpuid=mwaitx"
fi

for f in "$KERNEL" "$INITRD"; do
	[ -f "$f" ] || { echo "boot-bare: $f is missing; run tests/linux/fetch.sh" >&2; exit 1; }
done
mkdir -p "$(dirname "$log")"
rm -f "$log"

# bochs_iso : print the path of a GRUB ISO with the kernel, initrd and $append, building it
# only if the kernel, initrd or menu changed (grub-mkrescue takes a few seconds). One ISO per
# command line (named by its checksum), so runs with different parameters can go in parallel.
bochs_iso() {
	local key dir iso cfg
	key=$(printf '%s' "$append" | cksum | cut -d' ' -f1)
	dir=$OUT/iso-$key
	iso=$dir.iso
	cfg=$dir.cfg
	printf 'set timeout=0\nset default=0\nmenuentry "linux" {\n\tlinux /boot/vmlinuz %s\n\tinitrd /boot/initrd.img\n\tboot\n}\n' \
		"$append" >"$cfg.new"
	if [ -f "$iso" ] && cmp -s "$cfg.new" "$cfg" && [ "$iso" -nt "$KERNEL" ] && [ "$iso" -nt "$INITRD" ]; then
		rm -f "$cfg.new"
	else
		mv -f "$cfg.new" "$cfg"
		rm -rf "$dir"
		mkdir -p "$dir/boot/grub"
		cp "$KERNEL" "$INITRD" "$dir/boot/"
		cp "$cfg" "$dir/boot/grub/grub.cfg"
		grub-mkrescue -o "$iso" "$dir" >"$dir.mkrescue.log" 2>&1 ||
			{ echo "boot-bare: grub-mkrescue failed, see $dir.mkrescue.log" >&2; exit 1; }
		# The tree only feeds grub-mkrescue; the ISO holds all of it.
		rm -rf "$dir"
	fi
	echo "$iso"
}

start=$(date +%s.%N)
status=0
case $emu in
qemu)
	# -k: SIGKILL 5 s after the TERM if QEMU ignores it, so no emulator outlives the run.
	timeout -k 5 "$limit" qemu-system-x86_64 -cpu max -m "$MEGS" -display none -monitor none \
		-no-reboot -serial "file:$log" -kernel "$KERNEL" -initrd "$INITRD" -append "$append" \
		</dev/null >"$log.qemu" 2>&1 || status=$?
	;;
bochs)
	iso=$(bochs_iso)
	# bochs.sh (the integration-test helper) writes Bochs' own output to LOG.bochs and its
	# log to LOG.bochslog; Bochs exits on the ACPI power-off.
	BOCHS_MEGS=$MEGS timeout -k 5 "$limit" "$top/tests/integration/bochs.sh" test "$model" "$iso" "$log" \
		</dev/null || status=$?
	;;
esac
elapsed=$(echo "$start $(date +%s.%N)" | awk '{ printf "%.1f", $2 - $1 }')
[ -f "$log" ] || : >"$log"
if [ "$status" = 124 ] || [ "$status" = 137 ]; then
	echo "(timed out after ${limit}s)" >>"$log"
	echo "boot-bare: $emu${model:+ $model}: timed out after ${limit}s; log in $log" >&2
	exit 124
fi

marker=$(tr -d '\r' <"$log" | grep -a '^dbgvisor-linux-marker: ' || true)
if [ -n "$marker" ] && grep -aq 'reboot: Power down' "$log"; then
	echo "boot-bare: $emu${model:+ $model}: marker and power-off in ${elapsed}s"
	echo "$marker"
	exit 0
fi
echo "boot-bare: $emu${model:+ $model}: ${marker:+marker but }no ${marker:+power-off}${marker:-marker} after ${elapsed}s; log in $log" >&2
exit 1
