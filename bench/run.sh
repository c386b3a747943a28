#!/bin/bash
# The side-by-side benchmark: the same programs natively, in the sentry on
# each platform (with and without syscall patching) and in gVisor's runsc.
# `make bench` builds everything and runs this; see bench/README.md.
#
# Environment (all optional):
#   SENTRY           the sentry binary (default build/sentry)
#   BENCH_BIN        where micro, spawntime and the 64 MiB rootfs file live
#                    (default build/bench); raw outputs go to BENCH_BIN/raw
#   BENCH_RUNS       runs of each benchmark per configuration (default 5)
#   BENCH_TARGET_MS  time each microbenchmark figure is measured for (default 250)
#   BENCH_CONFIGS    configurations to run (default: all of
#                    "native ptrace systrap systrap-nopatch runsc")
#   BENCH_OUT        where latest.md and latest.png go (default bench/results)
#   RUNSC            the runsc binary (default runsc)
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
SENTRY=$(realpath "${SENTRY:-$top/build/sentry}")
BENCH_BIN=$(realpath "${BENCH_BIN:-$top/build/bench}")
BENCH_RUNS=${BENCH_RUNS:-5}
BENCH_TARGET_MS=${BENCH_TARGET_MS:-250}
BENCH_CONFIGS=${BENCH_CONFIGS:-native ptrace systrap systrap-nopatch runsc}
BENCH_OUT=${BENCH_OUT:-$here/results}
RUNSC=${RUNSC:-runsc}

MICRO=$BENCH_BIN/micro
SPAWNTIME=$BENCH_BIN/spawntime
DATA=$BENCH_BIN/rootfs-64m.dat
RAW=$BENCH_BIN/raw
# One figure can take long in a slow configuration; a hung run must not
# hang the whole benchmark.
MICRO_TIMEOUT=300

log() { printf 'bench: %s\n' "$*" >&2; }

for f in "$MICRO" "$SPAWNTIME" "$SENTRY"; do
	[ -x "$f" ] || { log "missing $f (run make bench)"; exit 1; }
done

# Inside the sentry /tmp is the sandbox's own tmpfs, so a tree under the
# host's /tmp must be bind-mounted to be seen.  Elsewhere it is read
# through the rootfs, which is what the rootfs read figure is about.
SENTRY_VOL=()
case $BENCH_BIN/ in
/tmp/*) SENTRY_VOL=(-v "$BENCH_BIN:$BENCH_BIN:ro") ;;
esac

# CMD=(...): the command prefix of configuration $1; further arguments are
# sentry options (ignored by the other configurations).
set_cmd() {
	local c=$1
	shift
	case $c in
	native) CMD=() ;;
	ptrace) CMD=("$SENTRY" run --platform=ptrace "${SENTRY_VOL[@]}" "$@" --) ;;
	systrap) CMD=("$SENTRY" run --platform=systrap "${SENTRY_VOL[@]}" "$@" --) ;;
	systrap-nopatch) CMD=("$SENTRY" run --platform=systrap --no-patch "${SENTRY_VOL[@]}" "$@" --) ;;
	# runsc do: the host's / read-only with a tmpfs overlay, as the
	# sentry's default rootfs.  As root it needs no further flags.
	runsc) CMD=("$RUNSC" --platform=ptrace --network=none "do") ;;
	*) log "unknown configuration $c"; exit 2 ;;
	esac
}

is_sentry() { case $1 in native | runsc) return 1 ;; esac; }

make_data_file() {
	[ "$(stat -c %s "$DATA" 2>/dev/null)" = 67108864 ] && return
	log "creating $DATA"
	head -c 67108864 /dev/urandom >"$DATA.tmp" && mv "$DATA.tmp" "$DATA"
}

# A configuration is available when it runs /bin/true; otherwise its
# reason (the first line of its error output) goes to na.txt.
probe() {
	local c=$1 dir=$RAW/$1
	mkdir -p "$dir"
	if [ "$c" = runsc ] && ! command -v "$RUNSC" >/dev/null; then
		echo "$RUNSC not installed" >"$dir/na.txt"
		return 1
	fi
	set_cmd "$c"
	if ! timeout 60 "${CMD[@]}" /bin/true </dev/null >/dev/null 2>"$dir/probe.err"; then
		{ head -n1 "$dir/probe.err"; echo; } | head -n1 >"$dir/na.txt"
		[ -s "$dir/na.txt" ] || echo "/bin/true failed" >"$dir/na.txt"
		return 1
	fi
}

# Run $2 of configuration $1.  The output goes through a pipe, so that
# the file is complete even if the runtime returns before its sandbox has
# written everything (all writers must close the pipe first).
run_micro() {
	local c=$1 i=$2 dir=$RAW/$1
	set_cmd "$c"
	timeout "$MICRO_TIMEOUT" "${CMD[@]}" "$MICRO" -t "$BENCH_TARGET_MS" -r "$DATA" \
		</dev/null 2>"$dir/micro.$i.err" | cat >"$dir/micro.$i.txt"
	local rc=${PIPESTATUS[0]}
	[ "$rc" = 0 ] || log "$c run $i: micro exited with $rc (see $dir/micro.$i.err)"
}

run_whole() {
	local c=$1 dir=$RAW/$1
	set_cmd "$c"
	"$SPAWNTIME" -n $((BENCH_RUNS * 4)) -w 2 -- "${CMD[@]}" /bin/true \
		>"$dir/start.txt" 2>"$dir/start.err" ||
		log "$c: start-up figure failed (see $dir/start.err)"
	is_sentry "$c" || return 0
	for i in $(seq "$BENCH_RUNS"); do
		set_cmd "$c" --rusage-file "$dir/rusage.$i.txt"
		"${CMD[@]}" /bin/true </dev/null >/dev/null 2>>"$dir/rusage.err" ||
			log "$c: --rusage-file run failed (see $dir/rusage.err)"
	done
}

describe_host() {
	echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "host: $(uname -sr), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
	echo "sentry: $(cd "$top" && git rev-parse --short HEAD 2>/dev/null || echo '?')$(cd "$top" && git diff --quiet HEAD 2>/dev/null || echo ' (with local changes)')"
	if command -v "$RUNSC" >/dev/null; then
		echo "runsc: $("$RUNSC" --version 2>/dev/null | head -n1)"
	fi
	echo "runs: $BENCH_RUNS per configuration (medians), ${BENCH_TARGET_MS} ms per microbenchmark figure"
	echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) (anything else running skews the figures)"
}

main() {
	local start=$SECONDS
	rm -rf "$RAW"
	mkdir -p "$RAW" "$BENCH_OUT"
	make_data_file
	local avail=()
	for c in $BENCH_CONFIGS; do
		if probe "$c"; then
			avail+=("$c")
		else
			log "$c: n/a ($(cat "$RAW/$c/na.txt"))"
		fi
		echo "$c" >>"$RAW/configs.txt"
	done
	describe_host >"$RAW/host.txt"
	# Runs interleave the configurations, so that a slow spell of the
	# machine does not land on one of them only.
	for i in $(seq "$BENCH_RUNS"); do
		for c in "${avail[@]}"; do
			log "run $i/$BENCH_RUNS: $c"
			run_micro "$c" "$i"
		done
	done
	for c in "${avail[@]}"; do
		log "start-up, exit and RSS: $c"
		run_whole "$c"
	done
	echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$RAW/host.txt"
	python3 "$here/report.py" "$RAW" "$BENCH_OUT" || exit 1
	if command -v gnuplot >/dev/null; then
		gnuplot -e "datafile='$BENCH_OUT/latest.dat'; outfile='$BENCH_OUT/latest.png'" \
			"$here/ratios.gp" || log "gnuplot failed"
	else
		log "gnuplot not installed: no chart"
	fi
	cat "$BENCH_OUT/latest.md"
	log "done in $((SECONDS - start)) s: $BENCH_OUT/latest.md, $BENCH_OUT/latest.png"
}

main
