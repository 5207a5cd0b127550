#!/usr/bin/env bash
# run.sh - boot the real image on QEMU (SVM) and Bochs (VMX and SVM) and check what it prints.
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib.sh

ELF=$BUILD/dbgvisor.elf
ISO=$BUILD/dbgvisor.iso
HV_EXIT_OK=0
HV_EXIT_NO_VIRT=2

# An ISO whose GRUB boots the multiboot1 entry, to cover GRUB's other loader.
ISO_MB1=$OUT/dbgvisor-mb1.iso
rm -rf "$OUT/iso-mb1" && mkdir -p "$OUT/iso-mb1/boot/grub"
cp "$ELF" "$OUT/iso-mb1/boot/dbgvisor.elf"
sed 's/^set default=0/set default=1/' boot/grub.cfg >"$OUT/iso-mb1/boot/grub/grub.cfg"
grub-mkrescue -o "$ISO_MB1" "$OUT/iso-mb1" >/dev/null 2>&1 || echo "grub-mkrescue failed for $ISO_MB1"

BANNER='dbgvisor [0-9.]+: debug-register-virtualizing hypervisor'
RESERVED='reserved for dbgvisor: \[0x[0-9a-f]+-0x[0-9a-f]+\)'
SVM_OK='SVM \(revision 1\): NPT yes'
VMX_OK='VT-x \(VMCS revision 0x[0-9a-f]+\): EPT yes, unrestricted guest yes'

qemu_case qemu-kernel-mb1 "$(qemu_status $HV_EXIT_OK)" "-cpu max -kernel $ELF -append log=com1" \
	"$BANNER" "boot: multiboot1" "$RESERVED" "$SVM_OK" "!PANIC|unexpected exception"
qemu_case qemu-iso-mb2 "$(qemu_status $HV_EXIT_OK)" "-cpu max -cdrom $ISO" \
	"$BANNER" "boot: multiboot2" "$RESERVED" "$SVM_OK" "!PANIC|unexpected exception"
qemu_case qemu-iso-mb1 "$(qemu_status $HV_EXIT_OK)" "-cpu max -cdrom $ISO_MB1" \
	"$BANNER" "boot: multiboot1" "$RESERVED" "$SVM_OK"
qemu_case qemu-no-svm "$(qemu_status $HV_EXIT_NO_VIRT)" "-cpu qemu64,-svm -kernel $ELF" \
	"$BANNER" "cannot run a guest: CPU has neither VT-x .* nor SVM"
qemu_case qemu-bad-cmdline "$(qemu_status $HV_EXIT_OK)" \
	"-cpu max -kernel $ELF -append bogus=1,baud=7" \
	"command line: unknown option 'bogus=1,baud=7'" "$SVM_OK"

bochs_case bochs-haswell-vmx corei7_haswell_4770 "$ISO" "$BANNER" "boot: multiboot2" "$RESERVED" \
	"GenuineIntel" "$VMX_OK" "VT-x usable" "!PANIC|unexpected exception"
bochs_case bochs-ryzen-svm ryzen "$ISO" "$BANNER" "$RESERVED" "AuthenticAMD" \
	"SVM \(revision 1\): NPT yes, NRIP save yes" "SVM usable" "!PANIC|unexpected exception"

summary
