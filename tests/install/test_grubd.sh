#!/usr/bin/env bash
# test_grubd.sh - `make -f install.mk install` into a fake root, then check the menu its grub.d helper writes.
# Needs no build (a fake dbgvisor.elf) and no root: grub-probe and grub-mkrelpath are stubs
# describing a disk, everything else (grub-mkconfig_lib, grub-script-check) is the real GRUB's.
set -euo pipefail
cd "$(dirname "$0")/../.."

tmp=$(mktemp -d /tmp/dbgvisor-grubd.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
cfg=$tmp/grub.cfg
uuid=0b4e5c3a-7d1f-4c2e-9a6b-1f2e3d4c5b6a
new=6.1.0-2-cloud-amd64 # has an initrd
old=6.1.0-1-cloud-amd64 # has none
passed=0
failed=0

pass() { passed=$((passed + 1)); echo "PASS: $1"; }
fail() { failed=$((failed + 1)); echo "FAIL: $1"; }
# expect NAME COMMAND... : PASS when the command succeeds.
expect() {
	local name=$1
	shift
	if "$@"; then pass "$name"; else fail "$name"; fi
}
# lacks REGEX / count REGEX N : on the generated config.
lacks() { ! grep -Eq -- "$1" "$cfg"; }
count() { [ "$(grep -Ec -- "$1" "$cfg")" = "$2" ]; }
# entry VERSION: that kernel's menu entry, from its menuentry line to its closing brace.
entry() { awk -v t="'Linux $1 under dbgvisor" 'index($0, "menuentry " t) == 1 { on = 1 } on { print } on && /^}/ { on = 0 }' "$cfg"; }
# (A here-string, not a pipe: grep -q closing it early would fail the pipe under pipefail.)
entry_has() { grep -Eq -- "$2" <<<"$(entry "$1")"; }
entry_count() { [ "$(entry "$1" | grep -Ec -- "$2")" = "$3" ]; }

# --- the fake machine: /boot with two kernels, dpkg leftovers, and stub GRUB probes ---
mkdir -p "$root/boot" "$root/etc/default" "$tmp/bin"
echo "not really an ELF" >"$tmp/dbgvisor.elf"
for v in "$new" "$old"; do echo "kernel $v" >"$root/boot/vmlinuz-$v"; done
echo "initrd $new" >"$root/boot/initrd.img-$new"
echo "half-unpacked" >"$root/boot/vmlinuz-$old.dpkg-tmp" # grub_file_is_not_garbage skips it
# What grub-mkconfig's grub-probe calls would report for an ext4 root on /dev/vda1 (msdos).
cat >"$tmp/bin/grub-probe" <<EOF
#!/bin/sh
for a; do case \$a in --target=*) target=\${a#--target=} ;; esac; done
case \$target in
device) echo /dev/vda1 ;;
partmap) echo msdos ;;
fs) echo ext2 ;;
fs_uuid) echo $uuid ;;
compatibility_hint) echo hd0,msdos1 ;;
hints_string) echo "--hint-bios=hd0,msdos1 --hint-efi=hd0,msdos1 --hint-baremetal=ahci0,msdos1" ;;
abstraction | cryptodisk_uuid) ;;
*) exit 1 ;;
esac
EOF
# grub-mkrelpath: the fake root is "/"; with FAKE_BOOT_PART=1, /boot is a partition of its own.
cat >"$tmp/bin/grub-mkrelpath" <<EOF
#!/bin/sh
p=\${1#"$root"}
if [ "\${FAKE_BOOT_PART:-0}" = 1 ]; then p=\${p#/boot}; fi
echo "\${p:-/}"
EOF
chmod +x "$tmp/bin/grub-probe" "$tmp/bin/grub-mkrelpath"

# run_helper [VAR=VALUE...] : the installed helper with the environment grub-mkconfig exports
# (and nothing from the caller's), its output in $cfg; then grub-script-check on it.
run_helper() {
	env -i PATH="$PATH" pkgdatadir=/usr/share/grub \
		grub_probe="$tmp/bin/grub-probe" grub_mkrelpath="$tmp/bin/grub-mkrelpath" \
		GRUB_DEVICE=/dev/vda1 GRUB_DEVICE_UUID="$uuid" GRUB_DEVICE_BOOT=/dev/vda1 \
		GRUB_DEVICE_BOOT_UUID="$uuid" GRUB_CMDLINE_LINUX="net.ifnames=0" \
		GRUB_CMDLINE_LINUX_DEFAULT="quiet splash" \
		DBGVISOR_BOOT_DIR="$root/boot" DBGVISOR_DEFAULTS="$root/etc/default/dbgvisor" "$@" \
		"$root/etc/grub.d/42_dbgvisor" >"$cfg" 2>"$cfg.err"
}
show_cfg_on_failure() {
	if [ "$1" != "$failed" ]; then
		echo "----- generated config -----"
		cat "$cfg" "$cfg.err"
		echo "----- end -----"
	fi
}

# --- make install ---
staged_install() {
	make -s -f install.mk install DESTDIR="$root" INSTALL_ELF="$tmp/dbgvisor.elf" >"$tmp/install.log" 2>&1
}
expect "install: make -f install.mk install DESTDIR=<fake root>" staged_install
installed_elf() {
	cmp -s "$tmp/dbgvisor.elf" "$root/boot/dbgvisor.elf" && [ "$(stat -c %a "$root/boot/dbgvisor.elf")" = 644 ]
}
expect "install: /boot/dbgvisor.elf is the image, mode 644" installed_elf
expect "install: /etc/grub.d/42_dbgvisor, mode 755" \
	test "$(stat -c %a "$root/etc/grub.d/42_dbgvisor")" = 755
expect "install: no update-grub advice with DESTDIR" \
	test ! -s "$tmp/install.log"
# -n only prints the commands: nothing is written to this machine's /boot.
make -n -f install.mk install DESTDIR= INSTALL_ELF="$tmp/dbgvisor.elf" >"$tmp/install-n.log"
system_install() {
	grep -q '^install -m 644 .* "/boot/dbgvisor.elf"$' "$tmp/install-n.log" &&
		grep -q '^install -m 755 .* "/etc/grub.d/42_dbgvisor"$' "$tmp/install-n.log" &&
		grep -q 'update-grub' "$tmp/install-n.log"
}
expect "install: without DESTDIR it targets /boot and /etc/grub.d and advises update-grub" system_install

# --- defaults: two entries, newest first ---
before=$failed
expect "defaults: helper exits 0" run_helper
expect "defaults: grub-script-check accepts the config" grub-script-check "$cfg"
expect "defaults: exactly two menu entries" count '^menuentry ' 2
expect "defaults: titles in version order, newest first" test "$(grep '^menuentry ' "$cfg" | cut -d"'" -f2 | tr '\n' '|')" = \
	"Linux $new under dbgvisor (gdb on COM2)|Linux $old under dbgvisor (gdb on COM2)|"
expect "defaults: every entry loads dbgvisor with log=com1 gdb=com2" \
	count "^	multiboot2 /boot/dbgvisor.elf log=com1 gdb=com2\$" 2
expect "defaults: every entry finds /boot's file system by UUID" count "search --no-floppy --fs-uuid --set=root $uuid\$" 2
expect "defaults: $new is module 0 with root=UUID (it has an initrd)" entry_has "$new" \
	"^	module2 --nounzip /boot/vmlinuz-$new vmlinuz-$new root=UUID=$uuid ro net.ifnames=0 console=ttyS0,115200 nokaslr\$"
expect "defaults: $new has its initrd as module 1" entry_has "$new" \
	"^	module2 --nounzip /boot/initrd.img-$new initrd.img-$new\$"
expect "defaults: $old is module 0 with root=/dev/vda1 (no initrd to resolve UUID=)" entry_has "$old" \
	"^	module2 --nounzip /boot/vmlinuz-$old vmlinuz-$old root=/dev/vda1 ro net.ifnames=0 console=ttyS0,115200 nokaslr\$"
expect "defaults: $old has no initrd module" entry_count "$old" 'module2' 1
expect "defaults: GRUB_CMDLINE_LINUX_DEFAULT (quiet splash) is left out" lacks 'quiet|splash'
expect "defaults: the .dpkg-tmp leftover is no kernel" lacks 'dpkg-tmp'
show_cfg_on_failure "$before"

# --- /etc/default/dbgvisor and GRUB_DISABLE_LINUX_UUID ---
before=$failed
cat >"$root/etc/default/dbgvisor" <<'EOF'
DBGVISOR_CMDLINE="log=com1 gdb=com2,wait baud=115200"
DBGVISOR_LINUX_APPEND="loglevel=8 earlyprintk=serial,ttyS0,115200"
EOF
expect "settings: helper exits 0" run_helper GRUB_DISABLE_LINUX_UUID=true
expect "settings: grub-script-check accepts the config" grub-script-check "$cfg"
expect "settings: DBGVISOR_CMDLINE is dbgvisor's command line" \
	count "^	multiboot2 /boot/dbgvisor.elf log=com1 gdb=com2,wait baud=115200\$" 2
expect "settings: DBGVISOR_LINUX_APPEND ends each kernel's command line, root by device" \
	count "^	module2 --nounzip /boot/vmlinuz-[^ ]+ vmlinuz-[^ ]+ root=/dev/vda1 ro net.ifnames=0 console=ttyS0,115200 nokaslr loglevel=8 earlyprintk=serial,ttyS0,115200\$" 2
rm "$root/etc/default/dbgvisor"
show_cfg_on_failure "$before"

# --- /boot on its own partition: paths are relative to it ---
before=$failed
expect "boot partition: helper exits 0" run_helper FAKE_BOOT_PART=1
expect "boot partition: grub-script-check accepts the config" grub-script-check "$cfg"
expect "boot partition: dbgvisor.elf at the partition's root" count "^	multiboot2 /dbgvisor.elf " 2
boot_part_modules() {
	entry_has "$new" "^	module2 --nounzip /vmlinuz-$new vmlinuz-$new " &&
		entry_has "$new" "^	module2 --nounzip /initrd.img-$new initrd.img-$new\$"
}
expect "boot partition: kernel and initrd at the partition's root" boot_part_modules
expect "boot partition: no /boot/ path left" lacks ' /boot/'
show_cfg_on_failure "$before"

# --- no /boot/dbgvisor.elf: no entries ---
before=$failed
rm "$root/boot/dbgvisor.elf"
expect "no dbgvisor.elf: helper exits 0" run_helper
expect "no dbgvisor.elf: empty output" test ! -s "$cfg"
show_cfg_on_failure "$before"

# --- make uninstall ---
cp "$tmp/dbgvisor.elf" "$root/boot/dbgvisor.elf"
make -s -f install.mk uninstall DESTDIR="$root" >/dev/null
uninstalled() {
	[ ! -e "$root/boot/dbgvisor.elf" ] && [ ! -e "$root/etc/grub.d/42_dbgvisor" ] && [ -e "$root/boot/vmlinuz-$new" ]
}
expect "uninstall: both files removed, kernels kept" uninstalled

echo "${passed} passed, ${failed} failed"
[ "$failed" = 0 ]
