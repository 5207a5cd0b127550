# guest.mk - guest programs (multiboot1 kernels), 32- and 64-bit variants, into build/guest/.
# Included by the top Makefile. Every .c in GUEST_PROG_DIRS is one program NAME.c, linked
# against the runtime in guest/lib/ as $(BUILD)/guest/NAME32.elf and NAME64.elf.

GUEST_OUT       := $(BUILD)/guest
GUEST_PROG_DIRS := guest/demo tests/guest/tests tests/guest/bench
GUEST_LDS       := tests/guest/lib/guest.ld

GUEST_CFLAGS  := -std=gnu11 -O2 -g -Wall -Wextra -Werror -ffreestanding -fno-pic -fno-pie \
                 -fno-stack-protector -mno-red-zone -mgeneral-regs-only \
                 -fno-asynchronous-unwind-tables -fno-omit-frame-pointer -fno-builtin \
                 -fno-tree-loop-distribute-patterns -I. -MMD -MP
GUEST_ASFLAGS := -g -I. -MMD -MP
# Per-variant code generation. The 64-bit runtime uses the default small code model: all of
# it is linked at 1 MiB, so absolute addresses fit sign-extended 32-bit immediates.
GUEST_CFLAGS_32 := -m32
GUEST_CFLAGS_64 := -m64 -mcmodel=small -DGUEST_64BIT
GUEST_LDEMU_32  := elf_i386
GUEST_LDEMU_64  := elf_x86_64
GUEST_LDFLAGS   := -nostdlib -static -no-pie -z max-page-size=0x1000 -z noexecstack \
                   --no-warn-rwx-segments -T $(GUEST_LDS)

# Runtime sources, shared by both variants; *32.[cS] are 32-bit only, *64.[cS] 64-bit only.
# core/hw/printf.c and core/hw/string.c are the hypervisor's, compiled once more per variant.
GUEST_LIB_SRCS    := $(sort $(wildcard tests/guest/lib/*.c tests/guest/lib/*.S)) core/hw/printf.c \
                     core/hw/string.c
GUEST_LIB_SRCS_32 := $(filter-out %64.c %64.S,$(GUEST_LIB_SRCS))
GUEST_LIB_SRCS_64 := $(filter-out %32.c %32.S,$(GUEST_LIB_SRCS))
GUEST_LIB_OBJS_32 := $(patsubst %,$(GUEST_OUT)/32/%.o,$(GUEST_LIB_SRCS_32))
GUEST_LIB_OBJS_64 := $(patsubst %,$(GUEST_OUT)/64/%.o,$(GUEST_LIB_SRCS_64))

GUEST_PROG_SRCS  := $(sort $(wildcard $(addsuffix /*.c,$(GUEST_PROG_DIRS))))
GUEST_PROG_NAMES := $(basename $(notdir $(GUEST_PROG_SRCS)))
ifneq ($(words $(GUEST_PROG_NAMES)),$(words $(sort $(GUEST_PROG_NAMES))))
$(error guest.mk: two guest programs share a file name: $(GUEST_PROG_NAMES))
endif
GUEST_ELFS := $(foreach n,$(GUEST_PROG_NAMES),$(GUEST_OUT)/$(n)32.elf $(GUEST_OUT)/$(n)64.elf)

.PHONY: guests
guests: $(GUEST_ELFS)

# Objects: build/guest/{32,64}/<source path>.o, one pattern per variant and language.
$(GUEST_OUT)/32/%.c.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $< ($@)"
	@$(CC) $(GUEST_CFLAGS) $(GUEST_CFLAGS_32) -c $< -o $@
$(GUEST_OUT)/64/%.c.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $< ($@)"
	@$(CC) $(GUEST_CFLAGS) $(GUEST_CFLAGS_64) -c $< -o $@
$(GUEST_OUT)/32/%.S.o: %.S
	@mkdir -p $(dir $@)
	@echo "  AS      $< ($@)"
	@$(CC) $(GUEST_ASFLAGS) $(GUEST_CFLAGS_32) -c $< -o $@
$(GUEST_OUT)/64/%.S.o: %.S
	@mkdir -p $(dir $@)
	@echo "  AS      $< ($@)"
	@$(CC) $(GUEST_ASFLAGS) $(GUEST_CFLAGS_64) -c $< -o $@

# Program NAME from SOURCE: 32-bit ELF directly; 64-bit linked as ELF64 (kept, with symbols,
# for gdb) and converted to ELF32, the only ELF class QEMU's multiboot loader accepts.
define GUEST_PROG_RULES
$(GUEST_OUT)/$(1)32.elf: $(GUEST_OUT)/32/$(2).o $(GUEST_LIB_OBJS_32) $(GUEST_LDS)
	$(LD) -m $(GUEST_LDEMU_32) $(GUEST_LDFLAGS) -o $$@ $$(filter %.o,$$^)
$(GUEST_OUT)/64/$(1)64.elf64: $(GUEST_OUT)/64/$(2).o $(GUEST_LIB_OBJS_64) $(GUEST_LDS)
	$(LD) -m $(GUEST_LDEMU_64) $(GUEST_LDFLAGS) -o $$@ $$(filter %.o,$$^)
$(GUEST_OUT)/$(1)64.elf: $(GUEST_OUT)/64/$(1)64.elf64
	$(OBJCOPY) -O elf32-i386 $$< $$@
endef
$(foreach s,$(GUEST_PROG_SRCS),$(eval $(call GUEST_PROG_RULES,$(basename $(notdir $(s))),$(s))))

-include $(GUEST_LIB_OBJS_32:.o=.d) $(GUEST_LIB_OBJS_64:.o=.d)
-include $(patsubst %,$(GUEST_OUT)/32/%.d,$(GUEST_PROG_SRCS))
-include $(patsubst %,$(GUEST_OUT)/64/%.d,$(GUEST_PROG_SRCS))

# The standalone multiboot1 test kernel (no guest runtime): build/tests/mbkernel.elf.
include tests/mbkernel/mbkernel.mk
include tests/mb2kernel/mb2kernel.mk
guests: $(MBKERNEL_ELF) $(MB2KERNEL_ELF)
