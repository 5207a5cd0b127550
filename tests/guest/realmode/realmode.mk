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
