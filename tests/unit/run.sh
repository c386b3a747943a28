#!/bin/sh
# Runs every criterion unit-test binary given and prints one summary line.
passed=0 failed=0
for bin in "$@"; do
	if "$bin" --jobs 1 >"$bin.log" 2>&1; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "FAIL unit $(basename "$bin")"; sed 's/^/    /' "$bin.log"
	fi
	grep -h '^\[====\] Synthesis' "$bin.log" | sed "s|^|$(basename "$bin"): |"
done
echo "unit: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
