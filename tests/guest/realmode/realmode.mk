# realmode.mk - the real-mode boot-sector guest: build/guest/bootsect.bin (512 bytes at 0x7c00).
# Included from the top Makefile; a flat binary, so the hypervisor starts it as a BIOS would.

REALMODE_BIN := $(BUILD)/guest/bootsect.bin
REALMODE_OBJ := $(BUILD)/guest/realmode/bootsect.o
REALMODE_LOAD_ADDR := 0x7c00

$(REALMODE_OBJ): tests/guest/realmode/bootsect.S
	@mkdir -p $(dir $@)
	$(CC) -m32 -c $< -o $@

$(REALMODE_BIN): $(REALMODE_OBJ)
	$(LD) -m elf_i386 -nostdlib -static -Ttext=$(REALMODE_LOAD_ADDR) --oformat binary -o $@ $<

guests: $(REALMODE_BIN)

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

# The memory-map boot sector: build/guest/e820sect.bin, what INT 12h and INT 15h answer.
E820SECT_BIN := $(BUILD)/guest/e820sect.bin
E820SECT_OBJ := $(BUILD)/guest/realmode/e820sect.o

$(E820SECT_OBJ): tests/guest/realmode/e820sect.S
	@mkdir -p $(dir $@)
	$(CC) -m32 -c $< -o $@

$(E820SECT_BIN): $(E820SECT_OBJ)
	$(LD) -m elf_i386 -nostdlib -static -Ttext=$(REALMODE_LOAD_ADDR) --oformat binary -o $@ $<

guests: $(E820SECT_BIN)
