#!/bin/bash
# Runs the syscall fuzzer (sysfuzz.c) in a sandbox and judges the sentry:
#
#   run.sh [--platform P] [--seed N] [--procs N] [--threads N] [--env VAR=VAL]
#          NAME SENTRY SYSFUZZ SECONDS
#
# NAME names the run in the output ("fuzz NAME: N syscalls, C crashes");
# --env passes VAR=VAL to the sentry (ASAN_OPTIONS for the ASan build).
# The guest sees the host's / (read-only to it: writes stay in the
# sandbox's memory), a writable scratch directory of the host at /scratch,
# and the fuzzer at /fuzz.  The run passes only if
#   - the sandbox ended by itself within SECONDS+120 s with the fuzzer's
#     status 0: the sentry neither crashed nor hung, and a probe process
#     started after the fuzzing worked;
#   - the sentry printed no sanitizer report;
#   - a canary directory on the host (beside the scratch directory, and
#     named to the fuzzer as a path to attack) is exactly as it was;
#   - no process of the run is left (a private copy of the sentry binary
#     tells them apart).
# The seed is random unless given; it is printed, with the fuzzer's output,
# in $WORK/out (WORK: build/fuzz/syscall-NAME), the sentry's stderr in
# $WORK/err.
set -u
platform=systrap seed='' procs=4 threads=4 envs=()
while [ $# -gt 4 ]; do
	case $1 in
	--platform) platform=$2 ;;
	--seed) seed=$2 ;;
	--procs) procs=$2 ;;
	--threads) threads=$2 ;;
	--env) envs+=("$2") ;;
	*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift 2
done
if [ $# -ne 4 ]; then
	sed -n '2,/^set -u/{/^set -u/d;s/^# \{0,1\}//;p}' "$0" >&2
	exit 2
fi
name=$1 sentry=$2 fuzzer=$3 secs=$4
[ -n "$seed" ] || seed=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
work=$(cd "$(dirname "$fuzzer")" && pwd)/syscall-$name
rm -rf "$work"
mkdir -p "$work/canary/sub" "$work/scratch" "$work/bin"
echo "do not change" >"$work/canary/file"
echo secret >"$work/canary/sub/deep"
ln -s file "$work/canary/link"
chmod 0755 "$work/canary"
cp "$sentry" "$work/bin/sentry-$name-$$"
cp "$fuzzer" "$work/bin/sysfuzz"
S=$work/bin/sentry-$name-$$

snapshot()
{
	(cd "$work/canary" && find . -printf '%p %y %s %m %U %G %T@ %l\n' | sort &&
		find . -type f -exec sha256sum {} + | sort)
}
procs()
{
	local d exe
	for d in /proc/[0-9]*; do
		exe=$(readlink "$d/exe" 2>/dev/null) || continue
		if [ "$exe" = "$S" ] || [ "$exe" = "$S (deleted)" ]; then
			[ "$(cut -d' ' -f3 "$d/stat" 2>/dev/null)" = Z ] || echo "${d#/proc/}"
		fi
	done
}
before=$(snapshot)

env "${envs[@]}" SYSFUZZ_CANARY="$work/canary" \
	timeout -k 5 $((secs + 120)) "$S" run --platform="$platform" \
	--memory 2g --overlay-size 256m --pids 1024 \
	-v "$work/bin:/fuzz:ro" -v "$work/scratch:/scratch" -- \
	/fuzz/sysfuzz "$secs" "$seed" "$procs" "$threads" \
	</dev/null >"$work/out" 2>"$work/err"
rc=$?

problems=()
case $rc in
0) ;;
124 | 137) problems+=("the sandbox did not end within $((secs + 120)) s (a hang)") ;;
*) problems+=("exit status $rc, not the fuzzer's 0") ;;
esac
last=$(tail -n 1 "$work/out")
calls=$(sed -n 's/^sysfuzz: .*, \([0-9]*\) syscalls,.*/\1/p' "$work/out" | tail -n 1)
[[ $last == *"probe ok" ]] || problems+=("the fuzzer's last line: ${last:-(none)}")
if grep -Eq 'AddressSanitizer|LeakSanitizer|runtime error:|SUMMARY: ' "$work/err"; then
	problems+=("a sanitizer report: $(grep -Em 2 'ERROR|runtime error' "$work/err" | tr '\n' ' ')")
fi
after=$(snapshot)
if [ "$before" != "$after" ]; then
	problems+=("the host canary changed: $(diff <(echo "$before") <(echo "$after") | head -5 | tr '\n' ' ')")
fi
for ((i = 0; i < 50; i++)); do
	left=$(procs)
	[ -z "$left" ] && break
	sleep 0.1
done
if [ -n "$left" ]; then
	problems+=("processes left: $(tr '\n' ' ' <<<"$left")")
	for p in $left; do kill -9 "$p" 2>/dev/null; done
fi

echo "fuzz $name: ${calls:-0} syscalls, ${#problems[@]} crashes (seed $seed, $platform, ${secs} s)"
if [ ${#problems[@]} -gt 0 ]; then
	for p in "${problems[@]}"; do echo "  $p"; done
	echo "  sentry stderr: $(grep -Ev '^worker ' "$work/err" | head -5 | tr '\n' ' ')"
	echo "  (output: $work/out, $work/err; again with --seed $seed)"
	exit 1
fi
rm -rf "$work/scratch" "$work/canary"
exit 0
