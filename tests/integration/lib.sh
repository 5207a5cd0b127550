# lib.sh - integration-test helpers: boot an image with a timeout, assert on its serial log.
# Sourced by tests/integration/run.sh. Each case prints PASS/FAIL; failures show the log.

BUILD=${BUILD:-build}
OUT=$BUILD/itest
QEMU_TIMEOUT=${QEMU_TIMEOUT:-60}
BOCHS_TIMEOUT=${BOCHS_TIMEOUT:-300}
passed=0
failed=0
failed_names=()
mkdir -p "$OUT"

# QEMU's isa-debug-exit turns a guest write of V into exit status (V << 1) | 1.
qemu_status() { echo $((($1 << 1) | 1)); }

# check NAME LOG STATUS WANT_STATUS PATTERN... ; a pattern starting with '!' must NOT match.
check() {
	local name=$1 log=$2 status=$3 want=$4 why=""
	shift 4
	if [ "$want" != any ] && [ "$status" != "$want" ]; then
		why="exit status $status, expected $want"
	fi
	for pat in "$@"; do
		if [ "${pat:0:1}" = "!" ]; then
			if grep -aEq -- "${pat:1}" "$log"; then
				why="${why:+$why; }log matches forbidden /${pat:1}/"
			fi
		elif ! grep -aEq -- "$pat" "$log"; then
			why="${why:+$why; }log lacks /$pat/"
		fi
	done
	if [ -z "$why" ]; then
		passed=$((passed + 1))
		echo "PASS: $name"
	else
		failed=$((failed + 1))
		failed_names+=("$name")
		echo "FAIL: $name: $why"
		echo "----- serial log of $name ($log) -----"
		tr -d '\r' <"$log" | tail -n 60
		for extra in "$log.bochs" "$log.bochslog"; do
			if [ -s "$extra" ]; then
				echo "----- $extra (tail) -----"
				tail -n 20 "$extra"
			fi
		done
		echo "----- end of log -----"
	fi
}

# check_count NAME LOG N PATTERN : PATTERN matches exactly N lines of LOG.
check_count() {
	local n
	n=$(grep -acE -- "$4" "$2")
	if [ "$n" = "$3" ]; then
		passed=$((passed + 1))
		echo "PASS: $1"
	else
		failed=$((failed + 1))
		failed_names+=("$1")
		echo "FAIL: $1: $n lines match /$4/ in $2, want $3"
	fi
}

# handoff_check NAME LOG FIRST : the log UART was drained before the guest took it over (issue
# 12 point 6: on Bochs a NUL byte joined the hypervisor's last line and the guest's first): no
# NUL byte in LOG, the guest's first line (regex FIRST) whole, a whole "dbgvisor: " line before.
handoff_check() {
	local cut=$OUT/$1.handoff
	{
		tr -d '\r' <"$2" | grep -a -m1 -B1 "^$3" | head -n 2
		echo "NUL bytes: $(tr -d -c '\000' <"$2" | wc -c)"
	} >"$cut"
	check "$1" "$cut" 0 any "^dbgvisor: " "^$3" '^NUL bytes: 0$'
}

# qemu_case NAME WANT_STATUS "QEMU ARGS" PATTERN...
qemu_case() {
	local name=$1 want=$2 args=$3 log="$OUT/$1.log" status
	shift 3
	rm -f "$log"
	local initrd=()
	[ -n "${QEMU_INITRD:-}" ] && initrd=(-initrd "$QEMU_INITRD")
	# shellcheck disable=SC2086
	timeout --foreground -k 5 "$QEMU_TIMEOUT" qemu-system-x86_64 -m 256 -no-reboot \
		-display none -monitor none -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		-serial "file:$log" ${QEMU_EXTRA:-} $args "${initrd[@]}" </dev/null >"$log.qemu" 2>&1
	status=$?
	[ -f "$log" ] || : >"$log"
	[ $status = 124 ] && echo "(timed out after ${QEMU_TIMEOUT}s)" >>"$log"
	check "$name" "$log" "$status" "$want" "$@"
}

# bochs_boot NAME MODEL ISO : boot only, log in $OUT/NAME.log (may run in the background).
bochs_boot() {
	local log="$OUT/$1.log" status
	rm -f "$log"
	timeout --foreground -k 5 "$BOCHS_TIMEOUT" tests/integration/bochs.sh test "$2" "$3" "$log"
	status=$?
	[ -f "$log" ] || : >"$log"
	[ $status = 124 ] && echo "(timed out after ${BOCHS_TIMEOUT}s)" >>"$log"
	return 0
}

# bochs_case NAME MODEL ISO PATTERN...   (Bochs gives no useful exit status: the log decides)
bochs_case() {
	local name=$1
	bochs_boot "$1" "$2" "$3"
	shift 3
	check "$name" "$OUT/$name.log" 0 any "$@"
}

summary() {
	echo
	echo "integration: ${passed} passed, ${failed} failed"
	for n in "${failed_names[@]}"; do echo "  failed: $n"; done
	echo "${passed} passed, ${failed} failed"
	[ "$failed" = 0 ]
}

# make_iso ISO "GRUB MENU BODY" FILE... : an ISO whose only entry runs the body; FILEs go to /boot.
make_iso() {
	local iso=$1 body=$2 dir
	shift 2
	dir="$iso.d"
	rm -rf "$dir" && mkdir -p "$dir/boot/grub"
	for f in "$@"; do cp "$f" "$dir/boot/"; done
	printf 'set timeout=0\nset default=0\nmenuentry "test" {\n%s\nboot\n}\n' "$body" \
		>"$dir/boot/grub/grub.cfg"
	grub-mkrescue -o "$iso" "$dir" >/dev/null 2>&1 || echo "make_iso: grub-mkrescue failed for $iso"
}

# guest_section LOG START_RE END_RE : the guest's own lines, from START to END inclusive.
guest_section() {
	tr -d '\r' <"$1" | sed -n "/$2/,/$3/p"
}

# same_output NAME LOG_BARE LOG_HV START_RE END_RE : the guest printed the same both times.
same_output() {
	local name=$1 bare=$2 hv=$3 start=$4 end=$5 d
	d=$(diff <(guest_section "$bare" "$start" "$end") <(guest_section "$hv" "$start" "$end"))
	if [ -z "$d" ] && [ -n "$(guest_section "$bare" "$start" "$end")" ]; then
		passed=$((passed + 1))
		echo "PASS: $name"
	else
		failed=$((failed + 1))
		failed_names+=("$name")
		echo "FAIL: $name: guest output differs between bare and hypervisor runs (or is empty)"
		echo "$d" | head -n 40
	fi
}

HV_ELF=$BUILD/dbgvisor.elf
GUESTS=$BUILD/guest

# hv_qemu NAME WANT_STATUS "GUEST ARGS" "EXTRA QEMU ARGS" PATTERN... : guest as module 0.
hv_qemu() {
	local name=$1 want=$2 guest=$3 extra=$4
	shift 4
	QEMU_INITRD=$guest qemu_case "$name" "$want" "-cpu max $extra -kernel $HV_ELF -append log=com1" "$@"
}

# hv_iso ISO "GUEST_FILE [ARGS]" : GRUB multiboot2 loads dbgvisor with the guest as module.
hv_iso() {
	local file=${2%% *} args
	args=${2#"$file"}
	make_iso "$1" "multiboot2 /boot/dbgvisor.elf log=com1
module2 /boot/$(basename "$file") $(basename "$file")$args" "$HV_ELF" "$file"
}

# bare_iso ISO "GUEST_FILE [ARGS]" : GRUB multiboot loads the guest itself.
bare_iso() {
	local file=${2%% *} args
	args=${2#"$file"}
	make_iso "$1" "multiboot /boot/$(basename "$file") $(basename "$file")$args" "$file"
}

# hv_bochs NAME MODEL "GUEST_FILE [ARGS]" PATTERN... : GRUB multiboot2 loads dbgvisor and the guest.
hv_bochs() {
	local name=$1 model=$2 guest=$3 file args iso="$OUT/$1.iso"
	shift 3
	file=${guest%% *}
	args=${guest#"$file"}
	make_iso "$iso" "multiboot2 /boot/dbgvisor.elf log=com1
module2 /boot/$(basename "$file") $(basename "$file")$args${EXTRA_MOD:+
module2 /boot/$(basename "$EXTRA_MOD") $(basename "$EXTRA_MOD")}" "$HV_ELF" "$file" ${EXTRA_MOD:+"$EXTRA_MOD"}
	bochs_case "$name" "$model" "$iso" "$@"
}

# bare_bochs NAME MODEL "GUEST_FILE [ARGS]" PATTERN... : the same guest without the hypervisor.
bare_bochs() {
	local name=$1 model=$2 guest=$3 file args iso="$OUT/$1.iso"
	shift 3
	file=${guest%% *}
	args=${guest#"$file"}
	make_iso "$iso" "multiboot /boot/$(basename "$file") $(basename "$file")$args${EXTRA_MOD:+
module /boot/$(basename "$EXTRA_MOD") $(basename "$EXTRA_MOD")}" "$file" ${EXTRA_MOD:+"$EXTRA_MOD"}
	bochs_case "$name" "$model" "$iso" "$@"
}
