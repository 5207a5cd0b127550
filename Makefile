# dbgvisor - build the hypervisor image, its ISO, the guests, and run the tests.
BUILD    := build
CC       := gcc
HOSTCC   := gcc
OBJCOPY  := objcopy

KCFLAGS  := -std=gnu11 -O2 -g -Wall -Wextra -Werror -ffreestanding -fno-pic -fno-pie \
            -mno-red-zone -mgeneral-regs-only -mcmodel=kernel -fno-stack-protector \
            -fno-asynchronous-unwind-tables -fomit-frame-pointer -fno-builtin \
            -fno-tree-loop-distribute-patterns \
            -I. -MMD -MP
KASFLAGS := -g -I. -MMD -MP -D__ASSEMBLY__
KLDFLAGS := -nostdlib -static -no-pie -z max-page-size=0x1000 -z noexecstack \
            --no-warn-rwx-segments -T linker.ld

# The hypervisor: every .c/.S of its folders (tests/ excluded).
KDIRS    := boot core core/hw core/paging debug debug/gdb guest svm vmx
KSRCS    := $(sort $(foreach d,$(KDIRS),$(wildcard $(d)/*.S $(d)/*.c)))
KOBJS    := $(patsubst %,$(BUILD)/k/%.o,$(KSRCS))

# Hardware-free sources, also compiled for the host and exercised by cmocka.
PURE_SRCS := $(sort core/hw/printf.c boot/cmdline.c boot/multiboot.c core/hw/pmem.c \
             core/hw/cpu_caps.c guest/mbload.c guest/mbload_elf.c guest/mb1info.c \
             guest/mb2info.c guest/mb2load.c guest/modules.c guest/bzimage.c guest/acpi.c \
             guest/mptable.c guest/bios_e820.c core/exit.c \
             core/exit_io.c core/msr_virt.c core/cpuid_view.c core/vcpu_util.c core/exit_fast.c \
             core/paging/guest_map.c core/paging/nested_pt.c core/insn.c core/insn_tables.c \
             core/paging/gwalk.c core/apic_guard.c core/nmi.c debug/vcpu_debug.c core/task_switch.c \
             core/vcpu_names.c debug/vcpu_gdb.c debug/vcpu_gdb_target.c debug/vcpu_gdb_monitor.c debug/debug_hooks.c \
             debug/catch.c debug/catch_exit.c debug/vcpu_npt.c \
             debug/dr.c vmx/vmx_controls.c svm/svm_check.c $(wildcard debug/gdb/*.c))
HOSTCFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror -I. -DHOST_TEST -fsanitize=address,undefined \
              -fno-sanitize-recover=all
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/unit/%,$(UNIT_SRCS))

ELF := $(BUILD)/dbgvisor.elf
ISO := $(BUILD)/dbgvisor.iso

QEMU      := qemu-system-x86_64
QEMU_MEM  := 256
GDB_PORT  ?= 1234
QEMU_GDB_PORT ?= 1235
COMMA     := ,
QEMU_BASE := -m $(QEMU_MEM) -no-reboot -display none \
             -device isa-debug-exit,iobase=0xf4,iosize=0x04
CMDLINE   ?= log=com1 gdb=com2

.PHONY: all unit unit-bins check test layout loc bench profile run run-iso run-bochs run-kvm run-uefi run-linux qemu-gdb debug debug-bochs clean \
        format
all: $(ELF) $(ISO) guests

$(BUILD)/k/%.c.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(KCFLAGS) -c $< -o $@

$(BUILD)/k/%.S.o: %.S
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	@$(CC) $(KASFLAGS) -c $< -o $@

# The demo guest is linked into the image for runs without a module.
DEMO_GUEST := $(BUILD)/guest/hello32.elf
$(BUILD)/k/guest/demo_guest.S.o: KASFLAGS += -DDEMO_GUEST_ELF='"$(DEMO_GUEST)"'
$(BUILD)/k/guest/demo_guest.S.o: $(DEMO_GUEST)

$(ELF): $(KOBJS) linker.ld
	@echo "  LD      $@"
	@ld $(KLDFLAGS) -o $@ $(KOBJS)
	@tests/check-image.sh $@

$(ISO): $(ELF) boot/grub.cfg
	@rm -rf $(BUILD)/iso && mkdir -p $(BUILD)/iso/boot/grub
	cp $(ELF) $(BUILD)/iso/boot/dbgvisor.elf
	cp boot/grub.cfg $(BUILD)/iso/boot/grub/grub.cfg
	grub-mkrescue -o $@ $(BUILD)/iso 2>$(BUILD)/grub-mkrescue.log || \
		{ cat $(BUILD)/grub-mkrescue.log; exit 1; }

# --- unit tests (host, cmocka) ---
# The hardware-free sources are compiled once for the host, into one archive every test links.
HOST_OBJS := $(patsubst %.c,$(BUILD)/host/%.o,$(PURE_SRCS))
HOST_LIB  := $(BUILD)/host/libpure.a
UNIT_HDRS := $(foreach d,$(KDIRS) tests/unit tests/fuzz,$(wildcard $(d)/*.h))

$(BUILD)/host/%.o: %.c $(UNIT_HDRS)
	@mkdir -p $(dir $@)
	@$(HOSTCC) $(HOSTCFLAGS) -c $< -o $@

$(HOST_LIB): $(HOST_OBJS)
	@rm -f $@
	@ar rcs $@ $^

$(BUILD)/unit/%: tests/unit/%.c $(HOST_LIB) $(UNIT_HDRS)
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	@$(HOSTCC) $(HOSTCFLAGS) -o $@ $< $(HOST_LIB) -lcmocka

# The suites build with every CPU unless make was given -j itself: compiling them with the
# sanitizers is most of the time a plain `make unit` takes.
unit-bins: $(UNIT_BINS)

unit:
	@$(MAKE) --no-print-directory $(if $(findstring -j,$(MAKEFLAGS)),,-j$$(nproc)) unit-bins
	@fail=0; for t in $(UNIT_BINS); do $$t || fail=1; done; exit $$fail

# --- fuzzing (host, clang's libFuzzer with ASan/UBSan): what a user or a guest controls ---
# gdb: the GDB stub fed any bytes; insn: the instruction-length decoder; gwalk: the guest page
# walker over page tables from the input; mbload: any bytes as a multiboot2/1 kernel, placed
# and copied; bzimage: any bytes as a Linux bzImage and its zero page. Each target is
# tests/fuzz/fuzz_NAME.c linked with FUZZ_SRCS_NAME, fed inputs of up to FUZZ_MAXLEN_NAME bytes.
FUZZ_CC       ?= clang
FUZZ_SECONDS  ?= 60
FUZZ_QUICK_SECONDS ?= 7
FUZZ_CFLAGS   := -std=gnu11 -g -O1 -Wall -Wextra -Werror -I. -DHOST_TEST \
                 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_TARGETS  := gdb insn gwalk mbload bzimage
FUZZ_SRCS_gdb     := $(wildcard debug/gdb/*.c) core/hw/printf.c
FUZZ_SRCS_insn    := core/insn.c core/insn_tables.c
FUZZ_SRCS_gwalk   := core/paging/gwalk.c
FUZZ_SRCS_mbload  := guest/mbload.c guest/mbload_elf.c guest/mb2load.c core/hw/printf.c core/hw/pmem.c
FUZZ_SRCS_bzimage := guest/bzimage.c core/hw/printf.c
FUZZ_MAXLEN_gdb     := 8192
FUZZ_MAXLEN_insn    := 32
FUZZ_MAXLEN_gwalk   := 24576
FUZZ_MAXLEN_mbload  := 40960
FUZZ_MAXLEN_bzimage := 16384
FUZZ_BINS     := $(FUZZ_TARGETS:%=$(BUILD)/fuzz/fuzz_%)
FUZZ_SEEDS    := $(BUILD)/fuzz/seeds/.stamp

define fuzz_rule
$(BUILD)/fuzz/fuzz_$(1): tests/fuzz/fuzz_$(1).c $(FUZZ_SRCS_$(1)) $(UNIT_HDRS)
	@mkdir -p $$(dir $$@)
	@echo "  FUZZCC  $$@"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -o $$@ tests/fuzz/fuzz_$(1).c $(FUZZ_SRCS_$(1))
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call fuzz_rule,$(t))))

$(FUZZ_SEEDS): tests/fuzz/mkseeds.py
	@rm -rf $(dir $@) && mkdir -p $(dir $@)
	@python3 tests/fuzz/mkseeds.py $(dir $@)
	@touch $@

# Every target for FUZZ_SECONDS each; new inputs go to $(BUILD)/fuzz/corpus_NAME, the seeds
# are $(BUILD)/fuzz/seeds/NAME (generated) and tests/fuzz/corpus_NAME (committed).
.PHONY: fuzz fuzz-quick
fuzz: $(FUZZ_BINS) $(FUZZ_SEEDS)
	@tests/fuzz/run.sh $(BUILD) $(FUZZ_SECONDS) \
		$(foreach t,$(FUZZ_TARGETS),$(t):$(FUZZ_MAXLEN_$(t)))

fuzz-quick:
	@$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=$(FUZZ_QUICK_SECONDS)

# --- integration tests (real image on QEMU and Bochs) ---
check: all
	tests/integration/run.sh

# The layout rules (layers, no include cycles, files under 400 lines), and that every function
# docs/ARCHITECTURE.md names exists.
layout:
	@python3 tests/layout/check_layers.py
	@python3 tests/layout/check_doc.py

loc:
	@python3 tests/layout/loc.py

test: layout unit test-install fuzz-quick check

# Figures only (exit path length per vendor); never asserted on.
bench: all
	tests/bench/run.sh

# One exit's instructions per function (QEMU's gdbstub) and its round trip on each vendor.
PROFILE_EXIT ?= cpuid
PROFILE_BITS ?= 32
PROFILE_DRS  ?= untouched
profile: all
	tests/bench/profile.sh $(PROFILE_EXIT) $(PROFILE_BITS) $(PROFILE_DRS)

# --- running by hand ---
run: $(ELF)
	$(QEMU) $(QEMU_BASE) -cpu max -kernel $(ELF) -append "$(CMDLINE)" \
		-serial stdio -serial tcp:127.0.0.1:$(GDB_PORT),server=on,wait=off,nodelay=on; \
		rc=$$?; echo "qemu exit status $$rc"

run-iso: $(ISO)
	$(QEMU) $(QEMU_BASE) -cpu max -cdrom $(ISO) -serial stdio \
		-serial tcp:127.0.0.1:$(GDB_PORT),server=on,wait=off,nodelay=on; \
		rc=$$?; echo "qemu exit status $$rc"

# The ISO on QEMU with UEFI firmware (OVMF; a private copy of its variable store).
OVMF_CODE := /usr/share/OVMF/OVMF_CODE_4M.fd
OVMF_VARS := /usr/share/OVMF/OVMF_VARS_4M.fd
run-uefi: $(ISO)
	cp $(OVMF_VARS) $(BUILD)/ovmf-vars.fd
	$(QEMU) $(QEMU_BASE) -cpu max -cdrom $(ISO) -serial stdio \
		-drive if=pflash,format=raw,readonly=on,file=$(OVMF_CODE) \
		-drive if=pflash,format=raw,file=$(BUILD)/ovmf-vars.fd \
		-serial tcp:127.0.0.1:$(GDB_PORT),server=on,wait=off,nodelay=on; \
		rc=$$?; echo "qemu exit status $$rc"

# Linux under dbgvisor on QEMU, log on the terminal: Debian's cloud kernel and a busybox
# initramfs (tests/linux/fetch.sh: build/linux whatever BUILD is), or KERNEL=/INITRD= of your own; APPEND its command line
# (a comma in it is doubled: QEMU separates modules with commas).
KERNEL ?=
INITRD ?=
APPEND ?= console=ttyS0 nokaslr panic=-1
LINUX_MEM ?= 1024 # a later -m wins over QEMU_BASE's
run-linux: $(ELF)
	@[ -n "$(KERNEL)" ] || tests/linux/fetch.sh
	$(QEMU) $(QEMU_BASE) -m $(LINUX_MEM) -cpu max -kernel $(ELF) \
		-append "$(CMDLINE)" -serial stdio \
		-serial tcp:127.0.0.1:$(GDB_PORT),server=on,wait=off,nodelay=on \
		-initrd "$(or $(KERNEL),build/linux/vmlinuz) $(subst $(COMMA),$(COMMA)$(COMMA),$(APPEND))$(if $(or $(INITRD),$(if $(KERNEL),,x)),$(COMMA)$(or $(INITRD),build/linux/initrd.img) initrd)"; \
		rc=$$?; echo "qemu exit status $$rc"

run-kvm: $(ELF)
	$(QEMU) $(QEMU_BASE) -enable-kvm -cpu host -kernel $(ELF) -append "$(CMDLINE)" \
		-serial stdio -serial tcp:127.0.0.1:$(GDB_PORT),server=on,wait=off,nodelay=on

run-bochs: $(ISO)
	tests/integration/bochs.sh run corei7_haswell_4770 $(ISO)

# --- debugging a guest with gdb through dbgvisor's stub on COM2 ---
# DEBUG_GUEST: the guest to debug (ELF with symbols); the guest waits at its first
# instruction until gdb connects. Run `make debug` here and `gdb` in a second terminal.
DEBUG_GUEST ?= $(BUILD)/guest/hello32.elf
DEBUG_ISO   = $(BUILD)/debug-$(basename $(notdir $(DEBUG_GUEST))).iso
define write_gdbinit
	@printf 'set remotetimeout 60\nfile %s\ntarget remote 127.0.0.1:%s\n' \
		"$(abspath $(DEBUG_GUEST))" "$(GDB_PORT)" > .gdbinit
	@echo "*** .gdbinit written: run 'gdb' in this directory (allow it with"
	@echo "*** 'set auto-load safe-path /' in ~/.gdbinit, or run 'gdb -x .gdbinit')."
endef

debug: $(ELF) guests
	$(write_gdbinit)
	$(QEMU) $(QEMU_BASE) -cpu max -smp 2 -kernel $(ELF) -append "log=com1 gdb=com2,wait" \
		-initrd "$(DEBUG_GUEST) $(notdir $(DEBUG_GUEST))" -serial stdio \
		-serial tcp:127.0.0.1:$(GDB_PORT),server=on,wait=on,nodelay=on; \
		rc=$$?; echo "qemu exit status $$rc (guest exit code N gives 2N+1)"

$(DEBUG_ISO): $(ELF) $(DEBUG_GUEST)
	@rm -rf $@.d && mkdir -p $@.d/boot/grub
	cp $(ELF) $(DEBUG_GUEST) $@.d/boot/
	printf 'set timeout=0\nmenuentry "dbgvisor + gdb" {\nmultiboot2 /boot/dbgvisor.elf log=com1 gdb=com2,wait\nmodule2 /boot/%s %s\nboot\n}\n' \
		"$(notdir $(DEBUG_GUEST))" "$(notdir $(DEBUG_GUEST))" > $@.d/boot/grub/grub.cfg
	grub-mkrescue -o $@ $@.d 2>$(BUILD)/grub-mkrescue.log || { cat $(BUILD)/grub-mkrescue.log; exit 1; }

# Bochs blocks at start-up until gdb connects to the COM2 socket.
debug-bochs: $(DEBUG_ISO)
	$(write_gdbinit)
	tests/integration/bochs.sh run corei7_haswell_4770 $(DEBUG_ISO) \
		"com2: enabled=1, mode=socket-server, dev=127.0.0.1:$(GDB_PORT)"

qemu-gdb: $(ELF)
	@printf 'file %s\ntarget remote 127.0.0.1:%s\n' "$(abspath $(ELF))" "$(QEMU_GDB_PORT)" > .gdbinit
	@echo "*** Now run 'gdb' in this directory (hypervisor symbols, QEMU's own stub on port $(QEMU_GDB_PORT))."
	$(QEMU) $(QEMU_BASE) -cpu max -kernel $(ELF) -append "$(CMDLINE)" -serial stdio \
		-S -gdb tcp:127.0.0.1:$(QEMU_GDB_PORT)

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) .gdbinit

include deps.mk
include install.mk

# Targets that build, run or test wait for the package check (order-only: never forces a
# rebuild); the objects too, so that `make -j` does not compile before the compiler is there.
all unit check test fuzz layout loc bench profile run run-iso run-bochs run-kvm run-uefi run-linux \
	debug debug-bochs \
	qemu-gdb test-install: | deps
$(KOBJS) $(HOST_OBJS) $(FUZZ_BINS) $(FUZZ_SEEDS): | deps
format: | deps-format

# The /etc/grub.d helper on a fake /boot tree, its output checked with grub-script-check.
.PHONY: test-install
test-install:
	@tests/install/test_grubd.sh

# Guest programs (multiboot1 kernels): runtime, demos, in-guest test suites.
include tests/guest/guest.mk
include tests/guest/realmode/realmode.mk

-include $(KOBJS:.o=.d)
