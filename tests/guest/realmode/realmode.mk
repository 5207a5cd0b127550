# realmode.mk - the real-mode guests: the boot sectors (flat binaries at 0x7c00, started as a BIOS
# would) and the real-mode / virtual-8086 suite. Included from the top Makefile.

# bootsect.bin: the real-mode checks; e820sect.bin: what INT 12h and INT 15h answer.
BOOTSECT_BINS := $(BUILD)/guest/bootsect.bin $(BUILD)/guest/e820sect.bin
BOOTSECT_OBJS := $(patsubst $(BUILD)/guest/%.bin,$(BUILD)/guest/realmode/%.o,$(BOOTSECT_BINS))
REALMODE_LOAD_ADDR := 0x7c00

$(BOOTSECT_OBJS): $(BUILD)/guest/realmode/%.o: tests/guest/realmode/%.S
	@mkdir -p $(dir $@)
	$(CC) -m32 -c $< -o $@

$(BOOTSECT_BINS): $(BUILD)/guest/%.bin: $(BUILD)/guest/realmode/%.o
	$(LD) -m elf_i386 -nostdlib -static -Ttext=$(REALMODE_LOAD_ADDR) --oformat binary -o $@ $<

guests: $(BOOTSECT_BINS)

# The real-mode / virtual-8086 suite: build/guest/rmsuite.elf, a multiboot1 kernel at 0x8000.
RMSUITE_ELF  := $(BUILD)/guest/rmsuite.elf
RMSUITE_SRCS := $(addprefix tests/guest/realmode/,rmsuite.S rmsuite_basic.S rmsuite_calls.S \
                rmsuite_ints.S rmsuite_modes.S rmsuite_v86.S)
RMSUITE_OBJS := $(patsubst tests/guest/realmode/%.S,$(BUILD)/guest/realmode/%.o,$(RMSUITE_SRCS))

$(RMSUITE_OBJS): $(BUILD)/guest/realmode/%.o: tests/guest/realmode/%.S tests/guest/realmode/rmsuite.h
	@mkdir -p $(dir $@)
	$(CC) -m32 -Itests/guest/realmode -c $< -o $@

$(RMSUITE_ELF): $(RMSUITE_OBJS) tests/guest/realmode/rmsuite.ld
	$(LD) -m elf_i386 -nostdlib -static -z noexecstack -z max-page-size=0x10 --no-warn-rwx-segments \
		-T tests/guest/realmode/rmsuite.ld -o $@ $(RMSUITE_OBJS)

guests: $(RMSUITE_ELF)
