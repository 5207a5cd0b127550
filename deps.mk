# deps.mk - the Debian packages the build, runs and tests use, and `make deps` to install the missing.
# Included by the top Makefile; `deps` is an order-only prerequisite of the targets that need
# them. It checks with dpkg-query only (no network, no output) while everything is present;
# otherwise it runs apt-get as root or through `sudo -n`, or stops and prints the command to run.
# DEPS_SKIP=1 skips it (a hand-built QEMU or gdb, a non-Debian host).

# Build: kernel, guests (gcc -m32/-m64, freestanding, so no multilib), the cmocka unit tests
# (gcc's ASan/UBSan come with gcc), and the libFuzzer target (clang + its runtime).
DEPS_PACKAGES := build-essential gcc make binutils clang llvm libcmocka-dev libclang-rt-14-dev
# Boot media: grub-mkrescue with BIOS (grub-pc-bin) and UEFI (grub-efi-amd64-bin) images, the
# ISO writer (xorriso) and the EFI FAT image builder (mtools); cpio packs initramfs images.
DEPS_PACKAGES += grub-common grub-pc-bin grub-efi-amd64-bin xorriso mtools cpio
# Emulators: QEMU (seabios and ipxe-qemu come as its dependencies; ovmf, for UEFI runs, is only
# a recommendation, so named here), Bochs with its BIOS, VGA BIOS and the term display.
DEPS_PACKAGES += qemu-system-x86 ovmf bochs bochsbios bochs-term vgabios
# Test drivers: gdb (the stub tests; its embedded Python runs tests/bench/gdb_bench.py),
# procps (pgrep finds the gdb to interrupt), python3 (tests/layout/*.py: `make layout`, `loc`).
# util-linux and bsdextrautils come from .ci/run's list; nothing in the tree calls their
# commands today (setsid, hexdump, column), but they are small and keep CI's set unchanged.
# Not listed: Essential packages, always installed (coreutils: timeout, cksum; bsdutils: script,
# the tty Bochs' term display needs; diffutils, grep, sed, gzip, findutils, dpkg: dpkg-deb),
# apt (apt-get download, apt-cache), and mawk (Priority: required, the awk).
DEPS_PACKAGES += gdb procps python3 util-linux bsdextrautils

# Fetched with `apt-get download` and unpacked by tests/linux/fetch.sh, never installed:
# busybox-static conflicts with busybox, which initramfs-tools brings on most machines. The
# check only makes sure apt has package lists (runs apt-get update when there are none); the
# cloud kernel fetch.sh downloads the same way needs nothing more.
DEPS_DOWNLOADS := busybox-static

# Only for `make format`; not needed to build, run or test.
DEPS_FORMAT_PACKAGES := clang-format

DEPS_SCRIPT := $(dir $(lastword $(MAKEFILE_LIST)))tests/deps.sh
DEPS_SKIP ?=

.PHONY: deps deps-format
deps:
	$(if $(DEPS_SKIP),,@$(DEPS_SCRIPT) $(addprefix -d ,$(DEPS_DOWNLOADS)) $(DEPS_PACKAGES))

deps-format:
	$(if $(DEPS_SKIP),,@$(DEPS_SCRIPT) $(DEPS_FORMAT_PACKAGES))
