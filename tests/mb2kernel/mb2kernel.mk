# mb2kernel.mk - the standalone multiboot2 test kernel: build/tests/mb2kernel.elf (ELF32, 1 MiB).
# Meant to be included by the top Makefile (or guest/guest.mk) like tests/mbkernel/mbkernel.mk;
# needs only $(BUILD), $(CC) and $(LD). Self-contained on purpose: its own flags, include path
# and linker script, no guest runtime and no hypervisor headers. tests/mb2kernel/iso.sh wraps
# the ELF and its modules into a GRUB (BIOS + UEFI) ISO.

MB2KERNEL_DIR  := tests/mb2kernel
MB2KERNEL_OUT  := $(BUILD)/tests/mb2kernel
MB2KERNEL_ELF  := $(BUILD)/tests/mb2kernel.elf
MB2KERNEL_LDS  := $(MB2KERNEL_DIR)/mb2kernel.ld
MB2KERNEL_SRCS := $(sort $(wildcard $(MB2KERNEL_DIR)/*.c $(MB2KERNEL_DIR)/*.S))
MB2KERNEL_OBJS := $(patsubst $(MB2KERNEL_DIR)/%,$(MB2KERNEL_OUT)/%.o,$(MB2KERNEL_SRCS))

MB2KERNEL_CFLAGS  := -m32 -std=gnu11 -O2 -g -Wall -Wextra -Werror -ffreestanding -fno-pic \
                     -fno-pie -fno-stack-protector -mno-red-zone -mgeneral-regs-only \
                     -fno-asynchronous-unwind-tables -fno-builtin \
                     -fno-tree-loop-distribute-patterns -I$(MB2KERNEL_DIR) -MMD -MP
MB2KERNEL_ASFLAGS := -m32 -g -I$(MB2KERNEL_DIR) -MMD -MP
MB2KERNEL_LDFLAGS := -m elf_i386 -nostdlib -static -no-pie -z max-page-size=0x1000 \
                     -z noexecstack --no-warn-rwx-segments -T $(MB2KERNEL_LDS)

$(MB2KERNEL_OUT)/%.c.o: $(MB2KERNEL_DIR)/%.c
	@mkdir -p $(dir $@)
	$(CC) $(MB2KERNEL_CFLAGS) -c $< -o $@

$(MB2KERNEL_OUT)/%.S.o: $(MB2KERNEL_DIR)/%.S
	@mkdir -p $(dir $@)
	$(CC) $(MB2KERNEL_ASFLAGS) -c $< -o $@

$(MB2KERNEL_ELF): $(MB2KERNEL_OBJS) $(MB2KERNEL_LDS)
	$(LD) $(MB2KERNEL_LDFLAGS) -o $@ $(MB2KERNEL_OBJS)

-include $(MB2KERNEL_OBJS:.o=.d)
