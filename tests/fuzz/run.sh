#!/bin/sh
# Runs libFuzzer harnesses: run.sh BUILD_FUZZ_DIR SECONDS NAME...
# Each runs SECONDS on a working corpus ($dir/corpus/NAME, seeded from
# tests/fuzz/corpus/NAME) and prints "fuzz NAME: N execs, C crashes".
# A crash, leak, timeout or out-of-memory fails the run; the input is kept
# in $dir/crashes/ and libFuzzer's output in $dir/NAME.log.
# tests/fuzz/NAME.dict, if there is one, is the harness's dictionary.
set -u
dir=$1 secs=$2
shift 2
src=$(dirname "$0")
status=0
mkdir -p "$dir/crashes"
for name in "$@"; do
	mkdir -p "$dir/corpus/$name"
	log=$dir/$name.log
	before=$(ls "$dir/crashes" | grep -c "^$name-" || true)
	dict=
	if [ -f "$src/$name.dict" ]; then dict=-dict=$src/$name.dict; fi
	"$dir/$name" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 $dict \
		-print_final_stats=1 -artifact_prefix="$dir/crashes/$name-" \
		"$dir/corpus/$name" "$src/corpus/$name" >"$log" 2>&1
	rc=$?
	after=$(ls "$dir/crashes" | grep -c "^$name-" || true)
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	crashes=$((after - before))
	if [ "$rc" != 0 ] && [ "$crashes" = 0 ]; then crashes=1; fi
	echo "fuzz $name: ${execs:-0} execs, $crashes crashes"
	if [ "$crashes" != 0 ]; then
		status=1
		grep -m 3 -E '^==[0-9]+==ERROR|^SUMMARY|runtime error|deadly signal|Test unit written' "$log" | sed 's/^/  /'
		echo "  (full output: $log)"
	fi
done
exit $status
