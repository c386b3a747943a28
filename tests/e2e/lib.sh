# shellcheck shell=bash
# Shared helpers for the end-to-end tests: source it from a tests/e2e/t_*.sh.
#
# Each test is a bash script that runs the sentry like a user would and checks
# what comes out.  A failed check prints what was run, what was expected and
# what came out, and the test goes on to its other checks; the script exits
# non-zero at the end if any check failed.
#
# Environment:
#   SENTRY      the sentry binary (default: build/sentry of this checkout)
#   E2E_ROOTFS  the busybox test rootfs (default: build/e2e-rootfs; built by
#               tests/e2e/mkrootfs.sh when missing)
#   E2E_TIMEOUT seconds one sentry run may take before it is killed (default 20)
#   E2E_VERBOSE print passing checks too

set -u
set -o pipefail

E2E_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd -- "$E2E_DIR/../.." && pwd)
TEST_NAME=$(basename -- "$0" .sh)

SENTRY=${SENTRY:-$REPO_ROOT/build/sentry}
case $SENTRY in /*) ;; *) SENTRY=$PWD/$SENTRY ;; esac
E2E_ROOTFS=${E2E_ROOTFS:-$REPO_ROOT/build/e2e-rootfs}
case $E2E_ROOTFS in /*) ;; *) E2E_ROOTFS=$PWD/$E2E_ROOTFS ;; esac
E2E_TIMEOUT=${E2E_TIMEOUT:-20}
export SENTRY E2E_ROOTFS

E2E_FAILURES=0
E2E_CHECKS=0

# --- reporting ------------------------------------------------------------------

# pass MSG: a check that held.
pass()
{
	E2E_CHECKS=$((E2E_CHECKS + 1))
	if [ -n "${E2E_VERBOSE:-}" ]; then
		printf '  ok: %s\n' "$*"
	fi
	return 0
}

# fail MSG [DETAIL...]: a check that did not; each DETAIL is printed on its
# own indented line.
fail()
{
	E2E_CHECKS=$((E2E_CHECKS + 1))
	E2E_FAILURES=$((E2E_FAILURES + 1))
	printf '  FAIL: %s\n' "$1"
	shift
	local d
	for d in "$@"; do
		printf '%s\n' "$d" | sed 's/^/        /'
	done
	return 1
}

# show STRING: STRING quoted on one line (newlines as \n), cut at 2000 bytes.
show()
{
	local s
	s=$(printf '%s' "$1" | head -c 2000)
	if [[ $s == *[![:print:]]* ]]; then
		printf '%q' "$s"
	else
		printf "'%s'" "$s"
	fi
}

# --- checks ---------------------------------------------------------------------

# expect_eq DESC EXPECTED ACTUAL
expect_eq()
{
	if [ "$2" == "$3" ]; then
		pass "$1"
	elif [[ $2 == *$'\n'* || $3 == *$'\n'* ]]; then
		fail "$1" "diff expected actual:" \
			"$(diff -u <(printf '%s\n' "$2") <(printf '%s\n' "$3") | tail -n +3 | head -60)"
	else
		fail "$1" "expected: $(show "$2")" "actual:   $(show "$3")"
	fi
}

# expect_ne DESC UNEXPECTED ACTUAL
expect_ne()
{
	if [ "$2" != "$3" ]; then
		pass "$1"
	else
		fail "$1" "expected anything but: $(show "$2")"
	fi
}

# expect_match DESC ERE STRING: some line of STRING matches the regex.
expect_match()
{
	if printf '%s\n' "$3" | grep -Eq -- "$2"; then
		pass "$1"
	else
		fail "$1" "expected a line matching: $2" "actual: $(show "$3")"
	fi
}

# expect_nomatch DESC ERE STRING: no line of STRING matches the regex.
expect_nomatch()
{
	if ! printf '%s\n' "$3" | grep -Eq -- "$2"; then
		pass "$1"
	else
		fail "$1" "expected no line matching: $2" \
			"matching: $(printf '%s\n' "$3" | grep -E -- "$2" | head -5)"
	fi
}

# check DESC CMD...: CMD succeeds.
check()
{
	local desc=$1
	shift
	local out rc
	out=$("$@" 2>&1)
	rc=$?
	if [ $rc -eq 0 ]; then
		pass "$desc"
	else
		fail "$desc" "command: $(printf '%q ' "$@")" "exit status $rc, output: $(show "$out")"
	fi
}

# capture CMD...: run CMD (a command or a function; srun and friends bring
# their own time limit), stdin as the caller has it (run.sh gives each test
# /dev/null); sets OUT and ERR (its stdout and stderr, trailing newlines removed
# as by $(...)), RAW_OUT (stdout exactly) and RC (its exit status; 124 or 137
# if it had to be killed).
capture()
{
	local o=$E2E_TMP/.capture.out e=$E2E_TMP/.capture.err
	"$@" >"$o" 2>"$e"
	RC=$?
	RAW_OUT=$(cat "$o"; echo .)
	RAW_OUT=${RAW_OUT%.}
	OUT=$(cat "$o")
	ERR=$(cat "$e")
	if [ $RC -eq 124 ] || [ $RC -eq 137 ]; then
		ERR="$ERR [killed: still running after the ${E2E_TIMEOUT}s time limit?]"
	fi
	LAST_CMD=$(printf '%q ' "$@")
}

# expect_exit N DESC CMD...: CMD exits with status N.
expect_exit()
{
	local want=$1 desc=$2
	shift 2
	capture "$@"
	if [ "$RC" -eq "$want" ]; then
		pass "$desc"
	else
		fail "$desc" "command: $LAST_CMD" "expected exit status $want, got $RC" \
			"stdout: $(show "$OUT")" "stderr: $(show "$ERR")"
	fi
}

# expect_run DESC WANT_RC WANT_STDOUT CMD...: CMD prints exactly WANT_STDOUT
# (trailing newlines aside) and exits with WANT_RC.  Stderr is not checked.
expect_run()
{
	local desc=$1 want_rc=$2 want_out=$3
	shift 3
	capture "$@"
	if [ "$RC" -eq "$want_rc" ] && [ "$OUT" == "$want_out" ]; then
		pass "$desc"
	else
		fail "$desc" "command: $LAST_CMD" \
			"expected: exit $want_rc, stdout $(show "$want_out")" \
			"actual:   exit $RC, stdout $(show "$OUT")" "stderr: $(show "$ERR")"
	fi
}

# --- running the sentry ----------------------------------------------------------

# sentry ARGS...: `sentry ARGS...` with the test's time limit.
sentry()
{
	timeout -k 1 "$E2E_TIMEOUT" "$SENTRY" "$@"
}

# srun ARGS...: `sentry run ARGS...` with the test's time limit.
srun()
{
	timeout -k 1 "$E2E_TIMEOUT" "$SENTRY" run "$@"
}

# bbrun ARGS...: `sentry run --rootfs $E2E_ROOTFS ARGS...`.
bbrun()
{
	srun --rootfs "$E2E_ROOTFS" "$@"
}

# --- fixtures --------------------------------------------------------------------

# require_runsc: sets RUNSC to the OCI runtime built beside $SENTRY; the
# test fails and ends here if there is none.
require_runsc()
{
	RUNSC=$(dirname -- "$SENTRY")/runsc
	if [ ! -x "$RUNSC" ]; then
		fail "build/runsc exists" "not found beside $SENTRY"
		exit 1
	fi
}

# require_tools TOOL...: each is on PATH, or the test fails and ends here.
require_tools()
{
	local tool
	for tool in "$@"; do
		if ! command -v "$tool" >/dev/null; then
			fail "$tool is installed (make deps)" "not on PATH"
			exit 1
		fi
	done
}

# wait_file FILE TEXT: up to 5 s for TEXT to show up in FILE (1 if it
# does not).
wait_file()
{
	local i
	for ((i = 0; i < 50; i++)); do
		grep -q -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# private_sentry NAME: a private copy of the sentry binary in $E2E_TMP; its
# processes (outer, sentry, gofer, stubs: all forked from it) are told apart
# from any other sentry's on this host by /proc/PID/exe.  Prints its path.
private_sentry()
{
	local s=$E2E_TMP/sentry-$1-$$-$RANDOM
	cp "$SENTRY" "$s" && printf '%s\n' "$s"
}

# procs_of BIN [NS]: pids of live (non-zombie) processes running BIN, or in
# the pid namespace NS (a /proc/PID/ns/pid link text) if given.
procs_of()
{
	local bin=$1 ns=${2:-} d exe pid st
	for d in /proc/[0-9]*; do
		pid=${d#/proc/}
		exe=$(readlink "$d/exe" 2>/dev/null) || exe=
		if [ "$exe" = "$bin" ] || [ "$exe" = "$bin (deleted)" ] ||
			{ [ -n "$ns" ] && [ "$(readlink "$d/ns/pid" 2>/dev/null)" = "$ns" ]; }; then
			st=$(cut -d' ' -f3 "$d/stat" 2>/dev/null) || continue
			[ "$st" = Z ] || echo "$pid"
		fi
	done
}

# copy_rootfs DIR: a private copy of the busybox rootfs at DIR, for tests that
# add files to it or check it is left alone.
copy_rootfs()
{
	mkdir -p -- "$(dirname -- "$1")"
	cp -a -- "$E2E_ROOTFS" "$1"
}

# build_static NAME: compile C source from stdin into a static binary
# $E2E_TMP/bin/NAME; prints its path.
build_static()
{
	mkdir -p "$E2E_TMP/bin" "$E2E_TMP/src"
	cat >"$E2E_TMP/src/$1.c"
	if ! gcc -static -O1 -w -o "$E2E_TMP/bin/$1" "$E2E_TMP/src/$1.c" >"$E2E_TMP/src/$1.log" 2>&1; then
		echo "e2e: cannot compile $1:" >&2
		cat "$E2E_TMP/src/$1.log" >&2
		return 1
	fi
	printf '%s\n' "$E2E_TMP/bin/$1"
}

# e2e_cleanup_hook: tests may define it; it runs before the temporary
# directory is removed.
e2e_finish()
{
	local rc=$?
	trap - EXIT
	if declare -F e2e_cleanup_hook >/dev/null; then
		e2e_cleanup_hook || true
	fi
	if [ -n "${E2E_TMP:-}" ] && [ -d "$E2E_TMP" ]; then
		rm -rf -- "$E2E_TMP"
	fi
	if [ "$E2E_FAILURES" -gt 0 ]; then
		echo "  $TEST_NAME: $E2E_FAILURES of $E2E_CHECKS checks failed"
		exit 1
	fi
	if [ $rc -ne 0 ]; then
		echo "  $TEST_NAME: the test script itself failed (exit status $rc)"
		exit $rc
	fi
	if [ "$E2E_CHECKS" -eq 0 ]; then
		echo "  $TEST_NAME: no check ran"
		exit 1
	fi
	exit 0
}

# --- setup ----------------------------------------------------------------------

if [ ! -x "$SENTRY" ]; then
	echo "e2e: sentry binary $SENTRY not found (make, or set SENTRY=...)" >&2
	exit 1
fi
if [ ! -f "$E2E_ROOTFS/.e2e-rootfs" ] || [ -z "${E2E_ROOTFS_READY:-}" ]; then
	# run.sh builds it once and says so; a test run on its own builds (or
	# revalidates) it here.
	"$E2E_DIR/mkrootfs.sh" "$E2E_ROOTFS" || exit 1
fi

E2E_TMP=$(mktemp -d "${TMPDIR:-/tmp}/e2e-$TEST_NAME.XXXXXX") || exit 1
trap e2e_finish EXIT
# E2E_ABORTED tells cleanup hooks to be quick: run.sh's SIGKILL follows its
# SIGTERM within 5 s.
trap 'E2E_ABORTED=1; exit 130' INT TERM
