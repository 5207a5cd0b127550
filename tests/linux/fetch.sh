#!/usr/bin/env bash
# fetch.sh - download Debian's newest cloud kernel and busybox-static, build a one-shot test initramfs.
# usage: tests/linux/fetch.sh     (outputs in build/linux/: vmlinuz, initrd.img, version)
#
# Nothing is installed into the system: both .debs are fetched with `apt-get download` and
# unpacked with `dpkg-deb -x` under build/linux/. A second run reuses the .debs, the unpacked
# trees and the initramfs, so it costs only the apt-cache lookup (under a second).
# LINUX_PKG=linux-image-X-cloud-amd64 skips that lookup and pins the kernel.
set -euo pipefail
cd "$(dirname "$0")/../.."

OUT=build/linux
KFLAVOUR=cloud-amd64 # small (no drivers for real hardware) and has serial, ACPI, devtmpfs built in

# Check the host tools first, before spending time on a 27 MB download. cpio is not essential
# on Debian; `make deps` (deps.mk) installs it, or the command printed here.
for tool in apt-get apt-cache dpkg-deb cpio gzip; do
	if ! command -v "$tool" >/dev/null; then
		echo "fetch: $tool is missing; install it with:" >&2
		echo "  sudo apt-get install -y --no-install-recommends $tool" >&2
		exit 1
	fi
done

# run_as_root CMD... : apt-get update needs root; use sudo only if it needs no password.
run_as_root() {
	if [ "$(id -u)" = 0 ]; then
		"$@"
	elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
		sudo -n "$@"
	else
		echo "fetch: apt has no package lists to resolve the kernel from; run:" >&2
		echo "  sudo apt-get update" >&2
		exit 1
	fi
}

# newest_kernel : the versioned package (linux-image-ABI-cloud-amd64) apt would install.
# The metapackage's Depends is what Debian itself picks as current; if the metapackage is
# unknown (say a mirror without it), take the highest ABI among the versioned packages.
newest_kernel() {
	local pkg
	pkg=$(apt-cache depends "linux-image-$KFLAVOUR" 2>/dev/null |
		sed -n "s/^ *Depends: \(linux-image-[0-9][^ ]*-$KFLAVOUR\)\$/\1/p" | head -n 1)
	if [ -z "$pkg" ]; then
		pkg=$(apt-cache search --names-only "^linux-image-[0-9.]+-[0-9]+-$KFLAVOUR\$" 2>/dev/null |
			cut -d' ' -f1 | sort -V | tail -n 1)
	fi
	echo "$pkg"
}

kpkg=${LINUX_PKG:-$(newest_kernel)}
if [ -z "$kpkg" ]; then
	# Container images often ship without package lists: fetch them once, then look again.
	echo "fetch: apt knows no linux-image-*-$KFLAVOUR; running apt-get update"
	run_as_root apt-get update -q
	kpkg=$(newest_kernel)
	[ -n "$kpkg" ] || { echo "fetch: apt serves no linux-image-*-$KFLAVOUR package" >&2; exit 1; }
fi
kver=${kpkg#linux-image-}
mkdir -p "$OUT"

# As root, apt hands the download to its unprivileged _apt user, which cannot write into this
# tree, and warns that it downloads as root instead: ask for that directly.
apt_opts=()
[ "$(id -u)" != 0 ] || apt_opts=(-o APT::Sandbox::User=root)

# fetch_deb PKG : print the path of PKG's .deb in $OUT, downloading it unless one is there.
# Any cached version counts: kernel package names carry the ABI, which Debian bumps with every
# kernel update, and the busybox version does not matter to the test.
fetch_deb() {
	local pkg=$1 debs
	debs=("$OUT/${pkg}"_*.deb)
	if [ ! -f "${debs[0]}" ]; then
		echo "fetch: downloading $pkg" >&2
		# apt-get download writes to the current directory; its progress goes to stderr so
		# that stdout carries only the path.
		(cd "$OUT" && apt-get download -q "${apt_opts[@]}" "$pkg" >&2)
		debs=("$OUT/${pkg}"_*.deb)
		[ -f "${debs[0]}" ] || { echo "fetch: apt-get download $pkg left no .deb" >&2; exit 1; }
	fi
	# Several cached versions (after a busybox update): the highest one.
	printf '%s\n' "${debs[@]}" | sort -V | tail -n 1
}

# unpack DEB DIR : dpkg-deb -x DEB into DIR, unless DIR already holds exactly that .deb.
unpack() {
	local deb=$1 dir=$2
	if [ "$(cat "$dir/.from-deb" 2>/dev/null)" != "$(basename "$deb")" ]; then
		echo "fetch: unpacking $(basename "$deb")"
		rm -rf "$dir"
		mkdir -p "$dir"
		dpkg-deb -x "$deb" "$dir"
		basename "$deb" >"$dir/.from-deb"
	fi
}

kdeb=$(fetch_deb "$kpkg")
bdeb=$(fetch_deb busybox-static)
unpack "$kdeb" "$OUT/kernel"
unpack "$bdeb" "$OUT/busybox"

kimage=$OUT/kernel/boot/vmlinuz-$kver
busybox=$OUT/busybox/bin/busybox
[ -f "$kimage" ] || { echo "fetch: $kdeb has no boot/vmlinuz-$kver" >&2; exit 1; }
[ -x "$busybox" ] || { echo "fetch: $bdeb has no bin/busybox" >&2; exit 1; }

# replace_if_changed NEW DEST : move NEW over DEST only if the contents differ, so that an
# unchanged output keeps its timestamp (make rules and the Bochs ISO cache look at it).
replace_if_changed() {
	if cmp -s "$1" "$2"; then
		rm -f "$1"
	else
		mv -f "$1" "$2"
	fi
}

# The initramfs tree: busybox and one symlink per applet, so /init can call plain names.
root=$OUT/initramfs
rm -rf "$root"
mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev"
cp "$busybox" "$root/bin/busybox"
for applet in $("$busybox" --list); do
	[ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"
done
# /dev/console needs no node here: the kernel's built-in initramfs (unpacked before this one)
# already has it, and creating one would need root.
#
# /init prints one marker line and powers off. The line must be the same on every boot of the
# same kernel on the same emulator (the hypervisor tests compare bare and virtualized runs), so
# it carries no timing-dependent fields such as bogomips or cpu MHz.
cat >"$root/init" <<'INIT'
#!/bin/sh
# init - dbgvisor Linux test guest: print a marker line (and optionally kernel symbols), power off.
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

# cpuinfo_field NAME : the value of the first "NAME : value" line in /proc/cpuinfo.
cpuinfo_field() {
	sed -n "s/^$1[[:space:]]*: *//p" /proc/cpuinfo | head -n 1
}

cpus=$(grep -c '^processor' /proc/cpuinfo)
# Collapse runs of blanks: some emulators pad the brand string.
model=$(cpuinfo_field 'model name' | tr -s ' ' | sed 's/ $//')
all_flags=" $(cpuinfo_field flags) "
# +name if the kernel reports the feature, -name if not: the ones a hypervisor may change.
flags=
for f in x2apic pae lm nx xsave tsc_deadline_timer; do
	case $all_flags in
	*" $f "*) flags="$flags,+$f" ;;
	*) flags="$flags,-$f" ;;
	esac
done
# And every other flag, as one digest, minus those a hypervisor changes by design (README): it
# keeps VMX and SVM for itself, with the features Linux derives from them (VMX: ept, vpid, ...;
# SVM's leaf 8000000Ah: npt, vgif, ...), and may show CPUID.1:ECX.hypervisor.
virt_flags='hypervisor|vmx|ept|ept_ad|flexpriority|tpr_shadow|vpid|vnmi|svm|npt|lbrv|svm_lock'
virt_flags="$virt_flags|nrip_save|tsc_scale|vmcb_clean|flushbyasid|decodeassists|pausefilter"
virt_flags="$virt_flags|pfthreshold|avic|v_vmsave_vmload|vgif|v_spec_ctrl|x2avic"
others=$(for f in $all_flags; do echo "$f"; done | grep -vxE "$virt_flags" | sort | md5sum)
# The kernel prints synchronously, straight to the UART, while these lines go out from the tty
# buffer under interrupts, a character at a time at 9600 baud: a late kernel message (the TSC
# recalibration, say) would land in the middle of them. Only emergencies until they are out.
read -r console_level _ </proc/sys/kernel/printk
echo 1 >/proc/sys/kernel/printk

echo "dbgvisor-linux-marker: kernel=$(uname -r) cpus=$cpus model=$model flags=${flags#,} others=${others%% *}"

case " $(cat /proc/cmdline) " in
*" dbgvisor.kallsyms=1 "*)
	grep -E ' (start_kernel|jiffies|jiffies_64)$' /proc/kallsyms | sed 's/^/dbgvisor-kallsyms: /'
	;;
esac

# dbgvisor.busy=S dbgvisor.idle=T (the gdb tests): S seconds busy in a loop, then T idle (the
# kernel halts the CPU), each announced first, so a debugger can interrupt the kernel in either
# state. Bochs fast-forwards an idle CPU's clock, so its T must be far longer than QEMU's.
busy=$(sed -n 's/.*dbgvisor\.busy=\([0-9]*\).*/\1/p' /proc/cmdline)
idle=$(sed -n 's/.*dbgvisor\.idle=\([0-9]*\).*/\1/p' /proc/cmdline)
if [ -n "$busy$idle" ]; then
	echo "dbgvisor-linux-busy"
	end=$(($(date +%s) + ${busy:-0}))
	while [ "$(date +%s)" -lt "$end" ]; do :; done
	echo "dbgvisor-linux-idle"
	sleep "${idle:-0}"
	echo "dbgvisor-linux-awake"
fi

# Power-off discards whatever the UART has not sent yet (on Bochs that was most of the marker).
# stty sets the mode with TCSETSW, which first waits until the tty buffer and the UART are empty;
# onlcr is already on, so nothing changes.
stty onlcr
echo "$console_level" >/proc/sys/kernel/printk
# -f: no init system to ask; straight to reboot(2) (ACPI S5 on QEMU and Bochs).
poweroff -f
INIT
chmod 755 "$root/init"

# A reproducible archive (fixed owner, sorted names, no timestamps in the gzip header; cpio's
# --reproducible drops inode and device numbers), so an unchanged tree gives the same bytes.
# The tree's mtimes vary, so they are pinned first.
find "$root" -exec touch -h -d @0 {} +
(cd "$root" && find . -mindepth 1 | LC_ALL=C sort |
	cpio --quiet -o -H newc -R 0:0 --reproducible) | gzip -n -9 >"$OUT/initrd.img.new"
replace_if_changed "$OUT/initrd.img.new" "$OUT/initrd.img"

cp "$kimage" "$OUT/vmlinuz.new"
replace_if_changed "$OUT/vmlinuz.new" "$OUT/vmlinuz"
echo "$kver" >"$OUT/version.new"
replace_if_changed "$OUT/version.new" "$OUT/version"

echo "kernel:  $OUT/vmlinuz ($kver)"
echo "initrd:  $OUT/initrd.img"
echo "version: $OUT/version"
