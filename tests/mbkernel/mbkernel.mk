# mbkernel.mk - the standalone multiboot1 test kernel: build/tests/mbkernel.elf (ELF32, 4 MiB).
# Included from guest/guest.mk (part of `make guests`). Self-contained on purpose: its own
# flags, include path and linker script, no guest runtime and no hypervisor headers.

MBKERNEL_DIR  := tests/mbkernel
MBKERNEL_OUT  := $(BUILD)/tests/mbkernel
MBKERNEL_ELF  := $(BUILD)/tests/mbkernel.elf
MBKERNEL_LDS  := $(MBKERNEL_DIR)/mbkernel.ld
MBKERNEL_SRCS := $(sort $(wildcard $(MBKERNEL_DIR)/*.c $(MBKERNEL_DIR)/*.S))
MBKERNEL_OBJS := $(patsubst $(MBKERNEL_DIR)/%,$(MBKERNEL_OUT)/%.o,$(MBKERNEL_SRCS))

MBKERNEL_CFLAGS  := -m32 -std=gnu11 -O2 -g -Wall -Wextra -Werror -ffreestanding -fno-pic \
                    -fno-pie -fno-stack-protector -mno-red-zone -mgeneral-regs-only \
                    -fno-asynchronous-unwind-tables -fno-builtin \
                    -fno-tree-loop-distribute-patterns -I$(MBKERNEL_DIR) -MMD -MP
MBKERNEL_ASFLAGS := -m32 -g -I$(MBKERNEL_DIR) -MMD -MP
MBKERNEL_LDFLAGS := -m elf_i386 -nostdlib -static -no-pie -z max-page-size=0x1000 \
                    -z noexecstack --no-warn-rwx-segments -T $(MBKERNEL_LDS)

$(MBKERNEL_OUT)/%.c.o: $(MBKERNEL_DIR)/%.c
	@mkdir -p $(dir $@)
	$(CC) $(MBKERNEL_CFLAGS) -c $< -o $@

$(MBKERNEL_OUT)/%.S.o: $(MBKERNEL_DIR)/%.S
	@mkdir -p $(dir $@)
	$(CC) $(MBKERNEL_ASFLAGS) -c $< -o $@

$(MBKERNEL_ELF): $(MBKERNEL_OBJS) $(MBKERNEL_LDS)
	$(LD) $(MBKERNEL_LDFLAGS) -o $@ $(MBKERNEL_OBJS)

-include $(MBKERNEL_OBJS:.o=.d)
