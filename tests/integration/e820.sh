# e820.sh - the memory-map boot sector (tests/guest/realmode/e820sect.S) bare and under dbgvisor,
# whose INT 15h hook must show its region reserved: E820h, E801h, 88h and INT 12h checked against
# the bare run and the region the log names. Sourced by run.sh (group guest).

E820SECT=$GUESTS/e820sect.bin
# What the boot sector prints under dbgvisor: extended attributes, CF for a bad index or buffer.
E820_HV_LINES=("starting in real mode" "e820sect: e820 ext .*cx=00000018 .*cf=0"
	"e820sect: e820 attr 00000001" "e820sect: e820 past .*cf=1" "e820sect: e820 short .*cf=1"
	"e820sect: done")

# e820_entries LOG : "base end type" (decimal) of each E820 entry the boot sector printed.
e820_entries() {
	local b l t
	tr -d '\r' <"$1" | awk '$1 == "e820sect:" && $2 == "e820" && NF == 7 { print $6$7, $4$5, $3 }' |
		while read -r b l t; do echo "$((16#$b)) $((16#$b + 16#$l)) $((16#$t))"; done
}

# e820_reg LOG LABEL REG : REG's value (decimal) on the boot sector's LABEL line.
e820_reg() {
	local v
	v=$(tr -d '\r' <"$1" | sed -n "s/^e820sect: $2 .*$3=\([0-9A-F]*\).*/\1/p" | head -n 1)
	echo $((16#${v:-0}))
}

# e820_expect BARE_LOG HV_START BASE_LO_KIB BASE_HI_KIB : the bare run's entries below dbgvisor's
# region (clipped to it), the KiB between the two INT 12h sizes made reserved.
e820_expect() {
	local b e t lo=$(($3 * 1024)) hi=$(($4 * 1024))
	e820_entries "$1" | while read -r b e t; do
		[ "$b" -lt "$2" ] || continue
		[ "$e" -le "$2" ] || e=$2
		if [ "$t" = 1 ] && [ "$b" -le "$lo" ] && [ "$hi" -le "$e" ] && [ "$lo" -lt "$hi" ]; then
			[ "$b" -lt "$lo" ] && echo "$b $lo 1"
			echo "$lo $hi 2"
			[ "$hi" -lt "$e" ] && echo "$hi $e 1"
		else
			echo "$b $e $t"
		fi
	done
}

# e820_compare NAME BARE_LOG HV_LOG : the hypervisor run's answers against dbgvisor's region and
# the bare run's (BARE_LOG -: against the region only).
e820_compare() {
	local out=$OUT/$1.check s e b en t k12b k12h v problems=()
	read -r s e < <(tr -d '\r' <"$3" |
		sed -n 's/.*reserved for dbgvisor: \[0x\([0-9a-f]*\)-0x\([0-9a-f]*\)).*/\1 \2/p')
	s=$((16#${s:-0})) e=$((16#${e:-0}))
	e820_entries "$3" | grep -q "^$s $e [^1]$" || problems+=("no non-usable entry [$s-$e)")
	while read -r b en t; do
		[ "$t" = 1 ] && [ "$b" -lt "$e" ] && [ "$en" -gt "$s" ] &&
			problems+=("usable [$b-$en) overlaps dbgvisor's region")
	done < <(e820_entries "$3")
	# E801h: BX = DX 64 KiB blocks from 16 MiB up to the region; 88h: AX KiB from 1 MiB, at
	# most 63 MiB (SeaBIOS). (dbgvisor's region lies above 16 MiB on these machines.)
	v=$(((s - 0x1000000) >> 16))
	for k in bx dx; do [ "$(e820_reg "$3" e801 $k)" = "$v" ] || problems+=("E801h $k not $v"); done
	v=$(((s - 0x100000) >> 10)) && [ "$v" -gt $((0xfc00)) ] && v=$((0xfc00))
	[ "$(e820_reg "$3" 88h ax)" = "$v" ] || problems+=("88h AX not $v")
	if [ "$2" != - ]; then
		k12b=$(e820_reg "$2" int12 ax) k12h=$(e820_reg "$3" int12 ax)
		[ "$k12h" = $((k12b - 1)) ] || problems+=("INT 12h $k12h KiB, bare $k12b KiB")
		[ "$(e820_expect "$2" "$s" "$k12h" "$k12b")" = \
			"$(e820_entries "$3" | awk -v s="$s" '$1 < s')" ] ||
			problems+=("entries below the region differ from the bare run's")
		for k in ax cx; do [ "$(e820_reg "$3" e801 $k)" = "$(e820_reg "$2" e801 $k)" ] ||
			problems+=("E801h $k differs from the bare run's"); done
		# Chained to the BIOS: the same answers.
		[ "$(grep -a -E '^e820sect: (2402h|c0h)' "$2")" = \
			"$(grep -a -E '^e820sect: (2402h|c0h)' "$3")" ] ||
			problems+=("2402h/C0h answers differ")
	fi
	{
		[ ${#problems[@]} = 0 ] || printf '%s\n' "${problems[@]}"
		echo "e820 problems: ${#problems[@]}"
	} >"$out"
	check "$1" "$out" 0 any '^e820 problems: 0$'
}

group_e820() {
	qemu_case qemu-e820sect-bare "$OK" "-cpu max -drive file=$E820SECT,format=raw,if=ide" \
		"e820sect: done"
	hv_qemu qemu-e820sect-hv "$OK" "$E820SECT e820sect" "" "${E820_HV_LINES[@]}" "$STOP_OK" \
		"$NO_CRASH"
	e820_compare qemu-e820sect-same "$OUT/qemu-e820sect-bare.log" "$OUT/qemu-e820sect-hv.log"
	# Bochs's BIOS (via GRUB): its map reserves conventional memory from 636 KiB, below the
	# 639 KiB of the BIOS data area; no bare run to compare with.
	hv_bochs bochs-haswell-e820sect corei7_haswell_4770 "$E820SECT" "${E820_HV_LINES[@]}" \
		"$STOP_OK" "$NO_CRASH"
	e820_compare bochs-haswell-e820sect-map - "$OUT/bochs-haswell-e820sect.log"
}
