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

# qemu_case NAME WANT_STATUS "QEMU ARGS" PATTERN...
qemu_case() {
	local name=$1 want=$2 args=$3 log="$OUT/$1.log" status
	shift 3
	rm -f "$log"
	# shellcheck disable=SC2086
	timeout --foreground -k 5 "$QEMU_TIMEOUT" qemu-system-x86_64 -m 256 -no-reboot \
		-display none -monitor none -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		-serial "file:$log" $args </dev/null >"$log.qemu" 2>&1
	status=$?
	[ -f "$log" ] || : >"$log"
	[ $status = 124 ] && echo "(timed out after ${QEMU_TIMEOUT}s)" >>"$log"
	check "$name" "$log" "$status" "$want" "$@"
}

# bochs_case NAME MODEL ISO PATTERN...   (Bochs gives no useful exit status: the log decides)
bochs_case() {
	local name=$1 model=$2 iso=$3 log="$OUT/$1.log" status
	shift 3
	rm -f "$log"
	timeout --foreground -k 5 "$BOCHS_TIMEOUT" tests/integration/bochs.sh test "$model" "$iso" "$log"
	status=$?
	[ -f "$log" ] || : >"$log"
	[ $status = 124 ] && echo "(timed out after ${BOCHS_TIMEOUT}s)" >>"$log"
	check "$name" "$log" "$status" any "$@"
}

summary() {
	echo
	echo "integration: ${passed} passed, ${failed} failed"
	for n in "${failed_names[@]}"; do echo "  failed: $n"; done
	echo "${passed} passed, ${failed} failed"
	[ "$failed" = 0 ]
}
