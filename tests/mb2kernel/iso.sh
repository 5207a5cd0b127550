#!/usr/bin/env bash
# iso.sh - a GRUB ISO (BIOS; UEFI too with grub-efi-amd64-bin) that boots a multiboot2 kernel.
# usage: iso.sh OUT_ISO "KERNEL [ARGS...]" ["MODULE [ARGS...]"...]
#
# The menu's only entry, taken at once:
#     multiboot2 /boot/KERNEL_NAME KERNEL_NAME ARGS...
#     module2    /boot/MODULE_NAME MODULE_NAME ARGS...     (one line per module, in order)
#     boot
# where *_NAME is the file's base name: the command line and every module string start with
# the file's name, as tests/integration/lib.sh (bare_iso, hv_iso) writes them for multiboot1
# and as loaders customarily do, so a kernel prints the same whichever loader started it.
# ARGS go into grub.cfg verbatim: keep them to words without quotes, ';', '$' or braces.
# Files are copied to /boot of the ISO, so base names must differ. Checks with grub-file that
# KERNEL has a multiboot2 header. Needs grub-mkrescue, xorriso, and mtools for the UEFI part.
set -euo pipefail

die() {
	echo "iso.sh: $*" >&2
	exit 1
}

[ $# -ge 2 ] || die "usage: iso.sh OUT_ISO \"KERNEL [ARGS]\" [\"MODULE [ARGS]\"...]"
out=$1
shift

# parse_spec SPEC : sets file (the first word) and args (the rest, with its leading space).
parse_spec() {
	file=${1%% *}
	args=${1#"$file"}
	[ -f "$file" ] || die "no such file: $file"
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mb2iso.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
stage=$tmp/iso
mkdir -p "$stage/boot/grub"
names=" "

# add FILE : copy FILE into /boot, once per base name; sets name.
add() {
	name=$(basename "$1")
	case "$names" in *" $name "*) die "two files named $name" ;; esac
	names="$names$name "
	cp "$1" "$stage/boot/$name"
}

parse_spec "$1"
shift
grub-file --is-x86-multiboot2 "$file" || die "$file has no valid multiboot2 header"
add "$file"
entry="	multiboot2 /boot/$name $name$args"
for spec in "$@"; do
	parse_spec "$spec"
	add "$file"
	entry="$entry
	module2 /boot/$name $name$args"
done

cat >"$stage/boot/grub/grub.cfg" <<CFG
# Written by tests/mb2kernel/iso.sh.
set timeout=0
set default=0
menuentry "multiboot2 test kernel" {
$entry
	boot
}
CFG

[ -d /usr/lib/grub/x86_64-efi ] ||
	echo "iso.sh: grub-efi-amd64-bin is not installed: the ISO boots on BIOS only" >&2
if ! grub-mkrescue -o "$out" "$stage" >"$tmp/grub-mkrescue.log" 2>&1; then
	cat "$tmp/grub-mkrescue.log" >&2
	die "grub-mkrescue failed for $out"
fi
