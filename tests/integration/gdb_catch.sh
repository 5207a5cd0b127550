#!/usr/bin/env bash
# gdb_catch.sh - monitor catch and monitor mode through Debian's gdb, on QEMU (SVM) and Bochs
# haswell (VT-x): each catchpoint kind stops at its instruction with its values. Group "catch".
# Sourced by run.sh; needs lib.sh's check/make_iso and the built guests.

CATCH_TIMEOUT=${CATCH_TIMEOUT:-240}

# The session; @PORT@ @SYMS@ @VEC@ @PC@ are filled in per run.
catch_script() {
	cat <<'EOF_GDB'
set pagination off
set confirm off
set remotetimeout 60
file @SYMS@
target remote 127.0.0.1:@PORT@
monitor mode
hbreak catch_begin
continue
delete
monitor mode
monitor catch io 0x3ff out
monitor catch msr 0xc0000080 write
monitor catch cpuid 0x1
monitor catch exception @VEC@
monitor catch triple-fault
monitor catch msr 0xc0000103
monitor catch msr 0x1fff read
monitor catch io 0x3ff-0x3f0
monitor catch msr 0x10
monitor catch exception 1
monitor catch list
continue
x/i $pc
printf "at catch_out_insn: %d\n", $pc == (unsigned long)&catch_out_insn
stepi
printf "stepped over the caught OUT: %d\n", $pc == (unsigned long)&catch_out_insn + 1
continue
x/i $pc
printf "at catch_wrmsr_insn: %d\n", $pc == (unsigned long)&catch_wrmsr_insn
continue
x/i $pc
printf "at catch_cpuid_insn: %d\n", $pc == (unsigned long)&catch_cpuid_insn
continue
x/i $pc
printf "at catch_fault_insn: %d\n", $pc == (unsigned long)&catch_fault_insn
monitor catch delete 4
monitor catch delete 1
monitor catch list
continue
printf "at catch_aux_wrmsr_insn: %d\n", $pc == (unsigned long)&catch_aux_wrmsr_insn
continue
printf "at catch_aux_rdmsr_insn: %d\n", $pc == (unsigned long)&catch_aux_rdmsr_insn
continue
x/i $pc
continue
info registers @PC@
printf "at catch_triple_insn: %d\n", $pc == (unsigned long)&catch_triple_insn
monitor mode
continue
kill
EOF_GDB
}

# What gdb must print, for either width; then per width.
CATCH_EXPECT=(
	'^protected mode, 32-bit code, CPL 0'
	'catch 1: io 0x3ff out'
	'catch 2: msr 0xc0000080 write'
	'catch 3: cpuid leaf 0x1'
	'catch 5: triple-fault'
	"catch io: bad port or range '0x3ff-0x3f0'"
	'catch msr: MSR 0x10 holds guest state in the VMCS/VMCB'
	'catch 6: msr 0xc0000103$'
	'catch 6: wrmsr 0xc0000103 <- 0x1234$'
	'at catch_aux_wrmsr_insn: 1'
	'catch 6: rdmsr 0xc0000103$'
	'at catch_aux_rdmsr_insn: 1'
	'catch 7: rdmsr 0x1fff$'
	'=> 0x[0-9a-f]+ <read_absent_msr\+[0-9]+>:\s+rdmsr'
	'catch exception: vector 1 \(#DB\) cannot be caught'
	'catch 1: out 0x3ff <- 0x41 \(1 byte\)'
	'<do_out\+[0-9]+>:\s+out +%al,\(%dx\)'
	'at catch_out_insn: 1'
	'stepped over the caught OUT: 1'
	'catch 2: wrmsr 0xc0000080 <- 0x[0-9a-f]+'
	'<do_wrmsr\+[0-9]+>:\s+wrmsr'
	'at catch_wrmsr_insn: 1'
	'catch 3: cpuid leaf 0x1 subleaf 0x0'
	'<do_cpuid\+[0-9]+>:\s+cpuid'
	'at catch_cpuid_insn: 1'
	'<do_fault\+[0-9]+>:\s+mov'
	'at catch_fault_insn: 1'
	'at catch_triple_insn: 1'
	'!at catch_[a-z]+_insn: 0|stepped over the caught OUT: 0'
	'catch 4 deleted'
	'catch 2: msr 0xc0000080 write, 1 hit$'
	'catch 5: triple fault .*; the guest cannot run on'
	'Program received signal SIGTRAP'
	'!SIGSEGV|Error|error while|Cannot|not supported|Remote connection closed'
)
CATCH_EXPECT_32=('catch 4: exception 13 \(#GP\) error code 0x1230$' 'eip +0x[0-9a-f]+'
	'paging: none')
CATCH_EXPECT_64=('catch 4: exception 14 \(#PF\) error code 0x0 cr2 0x100000000$'
	'^long mode, 64-bit code, CPL 0' 'paging: 4-level' 'rip +0x[0-9a-f]+')
CATCH_GUEST_EXPECT=(
	'ok 1 - the caught OUT happened'
	'ok 2 - the caught WRMSR happened, EFER kept'
	'ok 3 - the caught CPUID answered leaf 1'
	'ok 4 - the caught fault reached the guest'
	'ok [56] - the caught TSC_AUX write and read happened'
	'ok [67] - a caught RDMSR of an absent MSR faults as natively'
	'ok [78] - and reads the same'
	'gdb_catch: [0-9]+ checks, 0 failed; triple fault now'
	'guest stopped: killed by the debugger'
	'!still running after the triple fault'
)

# catch_session NAME WIDTH START_FN: start the emulator (waiting for gdb), run the session.
catch_session() {
	local name=$1 width=$2 start=$3 log=$OUT/$1.log gout=$OUT/$1.gdbout emu
	local syms=$GUESTS/gdb_catch32.elf vec=13 pc=eip
	if [ "$width" = 64 ]; then
		syms=$GUESTS/64/gdb_catch64.elf64 vec=PF pc=rip
	fi
	catch_script | sed -e "s/@PORT@/$CATCH_PORT/" -e "s|@SYMS@|$syms|" -e "s/@VEC@/$vec/" \
		-e "s/@PC@/$pc/" >"$OUT/$name.gdb"
	rm -f "$log" "$gout"
	: >"$log"
	CATCH_LOG=$log "$start" &
	emu=$!
	sleep 1
	timeout -k 5 "$CATCH_TIMEOUT" gdb -nx -batch -x "$OUT/$name.gdb" >"$gout" 2>&1
	wait "$emu"
	cat "$gout" >>"$log"
	local -n width_expect=CATCH_EXPECT_$width
	check "$name" "$gout" 0 any "${CATCH_EXPECT[@]}" "${width_expect[@]}"
	check "$name-guest" "$log" 0 any "${CATCH_GUEST_EXPECT[@]}"
}

catch_qemu_start() {
	timeout -k 5 "$CATCH_TIMEOUT" qemu-system-x86_64 -m 256 -no-reboot -display none \
		-monitor none -device isa-debug-exit,iobase=0xf4,iosize=0x04 -cpu max -smp 2 \
		-kernel "$HV_ELF" -append "log=com1 gdb=com2,wait,arch=$CATCH_ARCH" \
		-initrd "$CATCH_GUEST x" -serial "file:$CATCH_LOG" \
		-serial "tcp:127.0.0.1:$CATCH_PORT,server=on,wait=on,nodelay=on" \
		</dev/null >"$CATCH_LOG.qemu" 2>&1
}

catch_bochs_start() {
	timeout --foreground -k 5 "$CATCH_TIMEOUT" tests/integration/bochs.sh test \
		corei7_haswell_4770 "$CATCH_ISO" "$CATCH_LOG" \
		"com2: enabled=1, mode=socket-server, dev=127.0.0.1:$CATCH_PORT"
}

catch_realmode_qemu() {
	timeout -k 5 "$CATCH_TIMEOUT" qemu-system-x86_64 -m 256 -no-reboot -display none \
		-monitor none -device isa-debug-exit,iobase=0xf4,iosize=0x04 -cpu max -smp 2 \
		-kernel "$HV_ELF" -append "log=com1 gdb=com2,wait" -initrd "$BOOTSECT bootsect" \
		-serial "file:$CATCH_LOG" \
		-serial "tcp:127.0.0.1:$CATCH_PORT,server=on,wait=on,nodelay=on" \
		</dev/null >"$CATCH_LOG.qemu" 2>&1
}

# monitor mode at a boot sector's first instruction: real mode, CS:IP and its linear address.
catch_realmode() {
	local name=$1 start=$2 log=$OUT/$1.log gout=$OUT/$1.gdbout emu
	rm -f "$log" "$gout"
	: >"$log"
	CATCH_LOG=$log "$start" &
	emu=$!
	sleep 1
	timeout -k 5 "$CATCH_TIMEOUT" gdb -nx -batch -ex "set confirm off" -ex "set remotetimeout 60" \
		-ex "target remote 127.0.0.1:$CATCH_PORT" -ex "monitor mode" -ex "kill" >"$gout" 2>&1
	wait "$emu"
	check "$name" "$gout" 0 any '^real mode, 16-bit code, CPL 0' 'paging: none' \
		'cs:ip 0000:7c00 = linear 0x7c00' '!Error|Cannot|not supported'
	check "$name-guest" "$log" 0 any 'starting in real mode' 'guest stopped: killed by'
}

group_catch() {
	CATCH_PORT=$((20000 + RANDOM % 20000))
	for w in 32 64; do
		CATCH_GUEST=$GUESTS/gdb_catch$w.elf
		CATCH_ARCH=$([ $w = 64 ] && echo x86-64 || echo i386)
		catch_session "catch-qemu-$w" $w catch_qemu_start
		CATCH_PORT=$((CATCH_PORT + 1))
		CATCH_ISO=$OUT/catch-bochs-$w.iso
		make_iso "$CATCH_ISO" "multiboot2 /boot/dbgvisor.elf log=com1 gdb=com2,wait,arch=$CATCH_ARCH
module2 /boot/gdb_catch$w.elf x" "$HV_ELF" "$CATCH_GUEST"
		catch_session "catch-bochs-haswell-$w" $w catch_bochs_start
		CATCH_PORT=$((CATCH_PORT + 1))
	done
	catch_realmode catch-qemu-realmode catch_realmode_qemu
	CATCH_PORT=$((CATCH_PORT + 1))
	CATCH_ISO=$OUT/catch-bochs-realmode.iso
	make_iso "$CATCH_ISO" "multiboot2 /boot/dbgvisor.elf log=com1 gdb=com2,wait
module2 /boot/bootsect.bin bootsect" "$HV_ELF" "$BOOTSECT"
	catch_realmode catch-bochs-haswell-realmode catch_bochs_start
}
