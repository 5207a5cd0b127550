# linux.sh - Debian's cloud kernel bare and under dbgvisor (QEMU BIOS and UEFI, Bochs): the
# userspace marker its /init prints must be the same line. Sourced by run.sh (group linux).

LINUX=$BUILD/linux
# 115200 baud and no crypto self-tests: the same boot, in half the time on Bochs (23 s bare).
LINUX_APPEND="console=ttyS0,115200 nokaslr panic=-1 cryptomgr.notests"
# Bochs 2.7's MWAITX timer never fires (fixed in 2.8): Linux's udelay would wait forever.
LINUX_APPEND_RYZEN="$LINUX_APPEND clearcpuid=mwaitx"
LINUX_MARKER='^dbgvisor-linux-marker: '
LINUX_TIMEOUT_QEMU=${LINUX_TIMEOUT_QEMU:-120}
OVMF_CODE=/usr/share/OVMF/OVMF_CODE_4M.fd
OVMF_VARS=/usr/share/OVMF/OVMF_VARS_4M.fd

# linux_qemu NAME QEMU_ARG... : boot with a timeout, COM1 to $OUT/NAME.log, then check that the
# kernel reached its marker and powered off (its exit status says nothing: -no-reboot makes
# a panic's reboot a clean QEMU exit too).
linux_qemu() {
	local name=$1 log="$OUT/$1.log" status
	shift
	rm -f "$log"
	timeout --foreground -k 5 "$LINUX_TIMEOUT_QEMU" qemu-system-x86_64 -m 512 -no-reboot \
		-display none -monitor none -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		-serial "file:$log" "$@" </dev/null >"$log.qemu" 2>&1
	status=$?
	[ -f "$log" ] || : >"$log"
	[ $status = 124 ] && echo "(timed out after ${LINUX_TIMEOUT_QEMU}s)" >>"$log"
	check "$name" "$log" "$status" any "$LINUX_MARKER" "reboot: Power down" \
		'!Kernel panic|PANIC|unexpected exception|refusing the guest'
}

# ovmf_args NAME : the pflash drives for a UEFI run (a private copy of the variable store).
ovmf_args() {
	cp "$OVMF_VARS" "$OUT/$1.vars.fd"
	echo "-drive if=pflash,format=raw,readonly=on,file=$OVMF_CODE"
	echo "-drive if=pflash,format=raw,file=$OUT/$1.vars.fd"
}

# same_marker NAME BARE_LOG HV_LOG : both runs printed the one identical marker line.
same_marker() {
	local name=$1 a b
	a=$(tr -d '\r' <"$2" | grep -a "$LINUX_MARKER")
	b=$(tr -d '\r' <"$3" | grep -a "$LINUX_MARKER")
	if [ -n "$a" ] && [ "$a" = "$b" ]; then
		passed=$((passed + 1))
		echo "PASS: $name"
	else
		failed=$((failed + 1))
		failed_names+=("$name")
		printf 'FAIL: %s: marker lines differ\n  bare: %s\n  dbgvisor: %s\n' "$name" "$a" "$b"
	fi
}

# linux_isos TAG [APPEND] : GRUB ISOs booting the kernel bare (linux) and under dbgvisor
# (multiboot2), with the same command line.
linux_isos() {
	local append=${2:-$LINUX_APPEND}
	make_iso "$OUT/$1-bare.iso" "linux /boot/vmlinuz $append
initrd /boot/initrd.img" "$LINUX/vmlinuz" "$LINUX/initrd.img"
	make_iso "$OUT/$1-hv.iso" "multiboot2 /boot/dbgvisor.elf log=com1
module2 --nounzip /boot/vmlinuz vmlinuz $append
module2 --nounzip /boot/initrd.img initrd.img" "$HV_ELF" "$LINUX/vmlinuz" "$LINUX/initrd.img"
}

group_linux() {
	if ! tests/linux/fetch.sh >"$OUT/linux-fetch.log" 2>&1; then
		check linux-fetch "$OUT/linux-fetch.log" 1 0
		return
	fi
	# QEMU BIOS: -kernel both ways (QEMU's own Linux loader bare; multiboot1 for dbgvisor).
	# The command line longer than 256 bytes, as a distribution's root=UUID=... and options
	# make it: Linux takes 2047 (boot.rst, cmdline_size) and must see all of it.
	local append
	append="$LINUX_APPEND dbgvisor.pad=$(printf '%0300d' 0)"
	linux_qemu qemu-linux-bare -cpu max -kernel "$LINUX/vmlinuz" -initrd "$LINUX/initrd.img" \
		-append "$append"
	# QEMU's module list is comma-separated: a comma inside a module string is doubled.
	linux_qemu qemu-linux-hv -cpu max -kernel "$HV_ELF" -append log=com1 \
		-initrd "$LINUX/vmlinuz ${append//,/,,},$LINUX/initrd.img initrd"
	same_marker qemu-linux-marker "$OUT/qemu-linux-bare.log" "$OUT/qemu-linux-hv.log"
	# QEMU's multiboot gives no RSDP: no page reserved for a copy, the low 640 KiB whole. The
	# VGA text mode SeaBIOS left is the kernel's console, as after its real-mode setup.
	check qemu-linux-hv-cmdline "$OUT/qemu-linux-hv.log" 0 any "Command line: $append" \
		'BIOS-e820: \[mem 0x0000000000000000-0x000000000009fbff\] usable' \
		'Console: colour VGA\+ 80x25'
	# The modules (14 MB here) stay in guest RAM: the reserved region does not grow with them.
	check qemu-linux-reserved-under-8mib "$OUT/qemu-linux-hv.log" 0 any \
		'reserved for dbgvisor: \[0x[0-9a-f]+-0x[0-9a-f]+\) ([1-7]?[0-9]{1,3}|80[0-9][0-9]|81[0-8][0-9]|819[01]) KiB'

	# QEMU with OVMF: GRUB EFI boots the kernel by its EFI stub bare, dbgvisor by multiboot2.
	# With an NVMe controller, whose 64-bit BAR OVMF puts at 0xe000000000, far above RAM and
	# the nested tables built at boot; Linux (nvme built in) drives it.
	linux_isos linux-grub
	local k
	for k in bare hv; do
		truncate -s 1M "$OUT/uefi-$k-nvme.img"
		# shellcheck disable=SC2046
		linux_qemu "qemu-uefi-linux-$k" -cpu max $(ovmf_args "uefi-$k") \
			-cdrom "$OUT/linux-grub-$k.iso" -device nvme,serial=dbgvisor,drive=nv \
			-drive "file=$OUT/uefi-$k-nvme.img,if=none,id=nv,format=raw"
		check "qemu-uefi-linux-$k-nvme" "$OUT/qemu-uefi-linux-$k.log" 0 any \
			'pci .* BAR 0 \[mem 0xe000000000-0xe000003fff 64bit\]' 'nvme nvme0: .* queues'
		# Told of UEFI as the EFI stub tells it (efi_info): SMBIOS through the system table,
		# the boot-services data it reads early (the memory attributes table) intact.
		check "qemu-uefi-linux-$k-efi" "$OUT/qemu-uefi-linux-$k.log" 0 any \
			'efi: EFI v2\.[0-9]+ by EDK II' 'DMI: QEMU Standard PC' \
			'Registered efivars operations' '!memattr: Unexpected|DMI not present' \
			'!ACPI: RSDP 0x000000000000C000|BIOS-e820: \[mem 0x000000000000c000'
	done
	same_marker qemu-uefi-linux-marker "$OUT/qemu-uefi-linux-bare.log" "$OUT/qemu-uefi-linux-hv.log"

	# That ISO as a hard disk, its first sector the guest: GRUB's hybrid MBR reads GRUB through
	# INT 13h, GRUB boots Linux, both by the memory map INT 15h gives. Without dbgvisor's hook
	# (guest/bios_e820.c) GRUB itself runs into the hypervisor's region.
	local disk="file=$OUT/linux-grub-bare.iso,format=raw,if=ide"
	linux_qemu qemu-linux-chain-bare -cpu max -drive "$disk"
	linux_qemu qemu-linux-chain-hv -cpu max -drive "$disk" -kernel "$HV_ELF" -append log=com1 \
		-initrd "$OUT/linux-grub-bare.iso mbr"
	local hv_start
	hv_start=$(tr -d '\r' <"$OUT/qemu-linux-chain-hv.log" |
		sed -n 's/.*reserved for dbgvisor: \[0x\([0-9a-f]*\)-.*/\1/p')
	check qemu-linux-chain-hv-hook "$OUT/qemu-linux-chain-hv.log" 0 any \
		'guest: INT 15h hook at 0x[0-9a-f]+' 'starting in real mode' \
		"BIOS-e820: \\[mem 0x0*${hv_start:-none}-0x[0-9a-f]+\\] reserved"
	same_marker qemu-linux-chain-marker "$OUT/qemu-linux-chain-bare.log" \
		"$OUT/qemu-linux-chain-hv.log"

	linux_bochs corei7_haswell_4770 "$LINUX_APPEND"
	linux_bochs ryzen "$LINUX_APPEND_RYZEN"
}

# linux_bochs MODEL APPEND : the two GRUB ISOs (BIOS) on a Bochs model, side by side (one
# core each), markers compared.
linux_bochs() {
	local m=$1 pre="bochs-$1-linux"
	linux_isos "$pre" "$2"
	BOCHS_MEGS=512 bochs_boot "$pre-bare" "$m" "$OUT/$pre-bare.iso" &
	BOCHS_MEGS=512 bochs_boot "$pre-hv" "$m" "$OUT/$pre-hv.iso"
	wait
	check "$pre-bare" "$OUT/$pre-bare.log" 0 any "$LINUX_MARKER" "reboot: Power down"
	# GRUB hands over a copy of the RSDP the BIOS keeps where the kernel's own scan finds it:
	# no copy then, the low 640 KiB whole and 'ACPI: RSDP' at the BIOS's address, as bare.
	check "$pre-hv" "$OUT/$pre-hv.log" 0 any "$LINUX_MARKER" "reboot: Power down" \
		'!Kernel panic|PANIC|unexpected exception|refusing the guest' \
		'ACPI: RSDP 0x00000000000[EF]' '!BIOS-e820: \[mem 0x000000000000c000'
	same_marker "$pre-marker" "$OUT/$pre-bare.log" "$OUT/$pre-hv.log"
}
