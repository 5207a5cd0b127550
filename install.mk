# install.mk - `make install`: dbgvisor.elf into /boot, its GRUB menu helper into /etc/grub.d.
# Included by the top Makefile (whose $(ELF) rule then builds the image first); also usable as
# `make -f install.mk install INSTALL_ELF=... DESTDIR=...`. DESTDIR stages into another root
# (packages, tests). The helper adds one entry per installed kernel at the next update-grub;
# see boot/grub.d/42_dbgvisor for its settings in /etc/default/dbgvisor.

# Evaluated now, while this file is the last one read: the helper is found from here.
INSTALL_MK_DIR := $(dir $(lastword $(MAKEFILE_LIST)))
BUILD          ?= build
INSTALL        ?= install
INSTALL_ELF    ?= $(BUILD)/dbgvisor.elf
INSTALL_GRUBD  ?= $(INSTALL_MK_DIR)boot/grub.d/42_dbgvisor

.PHONY: install uninstall
install: $(INSTALL_ELF) $(INSTALL_GRUBD)
	$(INSTALL) -d "$(DESTDIR)/boot" "$(DESTDIR)/etc/grub.d"
	$(INSTALL) -m 644 "$(INSTALL_ELF)" "$(DESTDIR)/boot/dbgvisor.elf"
	$(INSTALL) -m 755 "$(INSTALL_GRUBD)" "$(DESTDIR)/etc/grub.d/42_dbgvisor"
	$(if $(DESTDIR),,@echo "*** Now run update-grub (or grub-mkconfig -o /boot/grub/grub.cfg) to add the dbgvisor entries.")

# Removes the files; the entries go at the next update-grub.
uninstall:
	rm -f "$(DESTDIR)/boot/dbgvisor.elf" "$(DESTDIR)/etc/grub.d/42_dbgvisor"
	$(if $(DESTDIR),,@echo "*** Now run update-grub to remove the dbgvisor entries.")
