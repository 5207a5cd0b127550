#!/bin/bash
# run.sh - run libFuzzer targets one after another, each for a bounded time, and print per
# target its executions and findings (libFuzzer's -print_final_stats) plus a summary line.
# Usage: tests/fuzz/run.sh BUILD_DIR SECONDS NAME:MAX_LEN...
# Target NAME is BUILD_DIR/fuzz/fuzz_NAME; its corpus BUILD_DIR/fuzz/corpus_NAME (new inputs),
# then the seeds BUILD_DIR/fuzz/seeds/NAME (mkseeds.py) and tests/fuzz/corpus_NAME (committed
# seeds and reproducers) when they exist; tests/fuzz/NAME.dict is its dictionary if present.
# The full log is BUILD_DIR/fuzz/NAME.log; a finding leaves BUILD_DIR/fuzz/NAME-crash-* etc.
set -u
build=$1 secs=$2
shift 2
here=$(dirname "$0")
failed=0 start=$SECONDS

stat() { sed -n "s/^stat::$1: *//p" "$2"; }

for spec in "$@"; do
	name=${spec%%:*} maxlen=${spec#*:}
	log=$build/fuzz/$name.log
	args=(-max_total_time="$secs" -max_len="$maxlen" -print_final_stats=1
		-artifact_prefix="$build/fuzz/$name-")
	dirs=("$build/fuzz/corpus_$name")
	[ -f "$here/$name.dict" ] && args+=(-dict="$here/$name.dict")
	[ -d "$build/fuzz/seeds/$name" ] && dirs+=("$build/fuzz/seeds/$name")
	[ -d "$here/corpus_$name" ] && dirs+=("$here/corpus_$name")
	mkdir -p "${dirs[0]}"
	t0=$SECONDS
	if "$build/fuzz/fuzz_$name" "${args[@]}" "${dirs[@]}" >"$log" 2>&1; then
		found="no findings"
	else
		failed=$((failed + 1))
		grep -v '^stat::' "$log" | tail -n 60
		artifact=$(sed -n 's/.*Test unit written to //p' "$log" | tail -n 1)
		found="FINDING (reproduce: $build/fuzz/fuzz_$name ${artifact:-"(no artifact)"})"
	fi
	grep '^stat::' "$log" | sed "s/^/fuzz $name: /"
	printf 'fuzz %s: %s executions in %ss, %s new inputs, %s\n' "$name" \
		"$(stat number_of_executed_units "$log")" "$((SECONDS - t0))" \
		"$(stat new_units_added "$log")" "$found"
done
printf 'fuzz: %d target(s) in %ss, %d with findings (logs in %s/fuzz/*.log)\n' "$#" \
	"$((SECONDS - start))" "$failed" "$build"
[ "$failed" -eq 0 ]
