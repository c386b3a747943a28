#!/bin/bash
# End-to-end tests: run every tests/e2e/t_*.sh (and tests/e2e/bind_mounts.sh,
# a standalone script that takes the sentry's path as $1, if it exists), print
# PASS or FAIL for each, then one line `e2e: N passed, N failed`; exit
# non-zero if any failed.
#
#   tests/e2e/run.sh [-v] [NAME...]      NAME: t_stdio, stdio, bind_mounts, ...
#
#   SENTRY=path      the sentry to test (default build/sentry)
#   E2E_ROOTFS=dir   where to build the busybox test rootfs (default build/e2e-rootfs)
#   E2E_TEST_TIMEOUT seconds a whole test may take (default 60)
#   -v               show the output of passing tests and each passing check
set -u

E2E_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd -- "$E2E_DIR/../.." && pwd)

verbose=
names=()
for a in "$@"; do
	case $a in
	-v | --verbose) verbose=1 ;;
	-h | --help)
		sed -n '2,/^set -u/{/^set -u/d;s/^# \{0,1\}//;p}' "$0"
		exit 0
		;;
	-*)
		echo "run.sh: unknown option $a" >&2
		exit 2
		;;
	*) names+=("$a") ;;
	esac
done

SENTRY=${SENTRY:-$REPO_ROOT/build/sentry}
case $SENTRY in /*) ;; *) SENTRY=$PWD/$SENTRY ;; esac
E2E_ROOTFS=${E2E_ROOTFS:-$REPO_ROOT/build/e2e-rootfs}
case $E2E_ROOTFS in /*) ;; *) E2E_ROOTFS=$PWD/$E2E_ROOTFS ;; esac
export SENTRY E2E_ROOTFS
[ -n "$verbose" ] && export E2E_VERBOSE=1
timeout_s=${E2E_TEST_TIMEOUT:-60}

if [ ! -x "$SENTRY" ]; then
	echo "e2e: sentry binary $SENTRY not found (run make, or set SENTRY=...)" >&2
	echo "e2e: 0 passed, 1 failed"
	exit 1
fi
if ! "$E2E_DIR/mkrootfs.sh" "$E2E_ROOTFS"; then
	echo "e2e: cannot build the test rootfs at $E2E_ROOTFS" >&2
	echo "e2e: 0 passed, 1 failed"
	exit 1
fi
export E2E_ROOTFS_READY=1

# The tests: name and command.
tests=()
for t in "$E2E_DIR"/t_*.sh; do
	[ -e "$t" ] && tests+=("$(basename "$t" .sh)")
done
[ -f "$E2E_DIR/bind_mounts.sh" ] && tests+=(bind_mounts)

selected=()
if [ ${#names[@]} -eq 0 ]; then
	selected=("${tests[@]}")
else
	for n in "${names[@]}"; do
		n=$(basename -- "$n" .sh)
		found=
		for t in "${tests[@]}"; do
			if [ "$t" = "$n" ] || [ "$t" = "t_$n" ]; then
				selected+=("$t")
				found=1
			fi
		done
		if [ -z "$found" ]; then
			echo "run.sh: no test named $n" >&2
			exit 2
		fi
	done
fi

log=$(mktemp "${TMPDIR:-/tmp}/e2e-run.XXXXXX")
trap 'rm -f -- "$log"' EXIT
trap 'exit 130' INT TERM HUP PIPE

passed=0
failed=0
failed_names=()
for t in "${selected[@]}"; do
	if [ "$t" = bind_mounts ]; then
		cmd=(bash "$E2E_DIR/bind_mounts.sh" "$SENTRY")
	else
		cmd=(bash "$E2E_DIR/$t.sh")
	fi
	start=${EPOCHREALTIME/./}
	# No terminal input, and a time limit for the whole script.
	timeout -k 5 "$timeout_s" "${cmd[@]}" </dev/null >"$log" 2>&1
	rc=$?
	tenths=$(( (${EPOCHREALTIME/./} - start) / 100000 ))
	secs="$((tenths / 10)).$((tenths % 10))"
	if [ $rc -eq 0 ]; then
		passed=$((passed + 1))
		echo "PASS $t"
		if [ -n "$verbose" ]; then
			sed 's/^/    /' "$log"
			echo "    ($t took ${secs}s)"
		fi
	else
		failed=$((failed + 1))
		failed_names+=("$t")
		echo "FAIL $t"
		sed 's/^/    /' "$log"
		if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
			echo "    ($t timed out after ${timeout_s}s)"
		else
			echo "    ($t exited with status $rc after ${secs}s)"
		fi
	fi
	# Each test is meant to take under 5 s.
	if [ "$tenths" -gt 50 ]; then
		echo "    (note: $t took ${secs}s, over its 5 s budget)"
	fi
done

[ $failed -gt 0 ] && echo "failed: ${failed_names[*]}"
echo "e2e: $passed passed, $failed failed"
[ $failed -eq 0 ]
