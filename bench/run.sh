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
#   BENCH_NET        0: no network benchmark (default 1)
#   BENCH_NET_MS     time each TCP stream figure is measured for (default 500)
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
BENCH_NET=${BENCH_NET:-1}
BENCH_NET_MS=${BENCH_NET_MS:-500}
RUNSC=${RUNSC:-runsc}

MICRO=$BENCH_BIN/micro
NET=$BENCH_BIN/net
SPAWNTIME=$BENCH_BIN/spawntime
SIGSYS_FLOOR=$BENCH_BIN/sigsys_floor
DATA=$BENCH_BIN/rootfs-64m.dat
RAW=$BENCH_BIN/raw
# One figure can take long in a slow configuration; a hung run must not
# hang the whole benchmark.
MICRO_TIMEOUT=300

log() { printf 'bench: %s\n' "$*" >&2; }

for f in "$MICRO" "$NET" "$SPAWNTIME" "$SIGSYS_FLOOR" "$SENTRY"; do
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

# --- the network benchmark (bench/micro/net.c) ------------------------------
#
# The test host is a network namespace behind a veth pair, made here and
# removed on exit, with `net -s` serving a sink, an echo server and a source
# in it:
#
#   host (native, sentry)  bbh-PID 10.214.0.1 <-> bbn-PID 10.214.0.2  test host
#   runsc's namespace      bbr-PID 10.214.1.2 <-> bbx-PID 10.214.1.1  test host
#
# Natively the client's packets take the host's stack and the first veth;
# the sentry's take lwIP, the socketpair to its egress proxy, slirp and a
# host socket, then the same veth; runsc's take gVisor's netstack and its
# AF_PACKET endpoint on a veth of the namespace that runsc is given (see
# runsc_net below).  One veth hop each, no forwarding, no NAT.
NET_PORT=47101
NET_HOST=10.214.0.2
NET_RUNSC_HOST=10.214.1.1
NET_HOSTNS=benchhost-$$
NET_RUNSCNS=benchrunsc-$$
NET_SERVER_PID=
NET_REMOTE=   # set when the test host is up
NET_RUNSC=    # how runsc runs the network figures: bundle (sandbox network) or loopback (only, runsc do)

net_cleanup() {
	if [ -n "$NET_SERVER_PID" ]; then
		# The server and the processes it forked for connections: all
		# started here, and the only ones in the test host's namespace.
		local pids
		mapfile -t pids < <(ip netns pids "$NET_HOSTNS" 2>/dev/null)
		kill "${pids[@]}" "$NET_SERVER_PID" 2>/dev/null
		wait "$NET_SERVER_PID" 2>/dev/null
		NET_SERVER_PID=
	fi
	# A veth goes with its namespace, and takes its peer with it.
	ip netns del "$NET_RUNSCNS" 2>/dev/null
	ip netns del "$NET_HOSTNS" 2>/dev/null
	rm -rf "$RAW/runsc-state"
}

# Makes the test host; on failure the reason goes to $RAW/net-na.txt and
# only the loopback figures run.
net_setup() {
	local why=
	if [ "$(id -u)" != 0 ]; then
		why="not root: no test host (network namespaces)"
	elif ! command -v ip >/dev/null; then
		why="ip (iproute2) not installed: no test host"
	elif [ -n "$(ip -4 -o addr show to 10.214.0.0/16)" ]; then
		why="10.214.0.0/16 is in use on this host (another make bench?): no test host"
	fi
	if [ -z "$why" ]; then
		trap net_cleanup EXIT
		if ! net_make_hosts 2>"$RAW/net-setup.err"; then
			why="could not make the test host: $(head -n1 "$RAW/net-setup.err")"
		elif ! net_start_server; then
			why="the test host's server did not start: $(head -n1 "$RAW/net-server.out")"
		fi
	fi
	if [ -n "$why" ]; then
		echo "$why" >"$RAW/net-na.txt"
		log "network: remote figures n/a ($why)"
		return
	fi
	NET_REMOTE=1
}

net_make_hosts() {
	local h=$NET_HOSTNS r=$NET_RUNSCNS
	ip netns add "$h" &&
		ip netns add "$r" &&
		ip -n "$h" link set lo up &&
		ip -n "$r" link set lo up &&
		ip link add "bbh-$$" type veth peer name "bbn-$$" netns "$h" &&
		ip addr add 10.214.0.1/24 dev "bbh-$$" &&
		ip link set "bbh-$$" up &&
		ip -n "$h" addr add "$NET_HOST/24" dev "bbn-$$" &&
		ip -n "$h" link set "bbn-$$" up &&
		ip -n "$r" link add "bbr-$$" type veth peer name "bbx-$$" netns "$h" &&
		ip -n "$h" addr add "$NET_RUNSC_HOST/24" dev "bbx-$$" &&
		ip -n "$h" link set "bbx-$$" up &&
		ip -n "$r" link set "bbr-$$" up
}

net_start_server() {
	ip netns exec "$NET_HOSTNS" "$NET" -s "$NET_PORT" >"$RAW/net-server.out" 2>&1 &
	NET_SERVER_PID=$!
	for _ in $(seq 100); do
		grep -q '^ready' "$RAW/net-server.out" 2>/dev/null && return 0
		kill -0 "$NET_SERVER_PID" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

# runsc with its own netstack on the test host's second veth.  `runsc do
# --network=sandbox` would make its own veth, but needs iptables for its NAT
# (and sets net.ipv4.ip_forward host-wide); instead the figures run as an
# OCI bundle (`runsc run`, as Docker runs runsc) whose network namespace is
# $NET_RUNSCNS: gVisor takes over the namespace's interfaces (and removes
# their addresses, so they are put back before each run).  The bundle is
# the host's / read-only, with /proc and a tmpfs /tmp, like `runsc do`.
net_runsc_bundle() {
	local dir=$RAW/runsc-bundle
	mkdir -p "$dir"
	python3 - "$dir/config.json" "/var/run/netns/$NET_RUNSCNS" "$@" <<-'EOF'
	import json, sys
	out, netns, args = sys.argv[1], sys.argv[2], sys.argv[3:]
	caps = ["CAP_NET_BIND_SERVICE"]
	json.dump({
	    "ociVersion": "1.0.0",
	    "process": {"user": {"uid": 0, "gid": 0}, "args": args, "cwd": "/",
	                "env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
	                "capabilities": {k: caps for k in ("bounding", "effective", "permitted")},
	                "noNewPrivileges": True},
	    "root": {"path": "/", "readonly": True},
	    "hostname": "runsc",
	    "mounts": [{"destination": "/proc", "type": "proc", "source": "proc"},
	               {"destination": "/tmp", "type": "tmpfs", "source": "tmpfs"}],
	    "linux": {"namespaces": [{"type": "pid"}, {"type": "ipc"}, {"type": "uts"},
	                             {"type": "mount"}, {"type": "network", "path": netns}]},
	}, open(out, "w"), indent=1)
	EOF
}

# Runs the bundle (container id $2) under timeout $1.  runsc 2022's test for
# "the root network namespace" is whether /proc/sys/net/core/rmem_default
# exists, which it does in every namespace on newer kernels (so it refuses
# to start); there, runsc runs in a private mount namespace whose /proc/sys
# has no net/.  Only that check sees the difference: the sandbox reads no
# host sysctl.
runsc_net() {
	local limit=$1 id=$2
	ip -n "$NET_RUNSCNS" addr replace 10.214.1.2/24 dev "bbr-$$" || return 1
	local cmd=(timeout "$limit" "$RUNSC" --platform=ptrace --network=sandbox
		--root "$RAW/runsc-state" run --bundle "$RAW/runsc-bundle" "$id")
	if ! ip netns exec "$NET_RUNSCNS" test -e /proc/sys/net/core/rmem_default; then
		"${cmd[@]}"
		return
	fi
	mkdir -p "$RAW/runsc-sysctl"
	unshare -m --propagation private /bin/sh -c '
		d=$1; shift
		set -e
		subdirs=$(ls /proc/sys)
		mount --bind /proc/sys "$d"
		mount -t tmpfs -o size=64k,mode=0555 none /proc/sys
		for s in $subdirs; do
			[ "$s" = net ] && continue
			mkdir "/proc/sys/$s"
			mount --bind "$d/$s" "/proc/sys/$s"
		done
		umount -l "$d"
		exec "$@"' sh "$RAW/runsc-sysctl" "${cmd[@]}"
}

# The arguments of net for one run: loopback, and the test host at $1.
net_args() {
	NET_ARGS=("$NET" -t "$BENCH_TARGET_MS" -d "$BENCH_NET_MS" lo)
	[ -n "$NET_REMOTE" ] && NET_ARGS+=(-c "$1:$NET_PORT")
}

# How runsc runs the network figures: with its sandbox network on the test
# host when the bundle starts, else loopback only through `runsc do`.
net_probe_runsc() {
	NET_RUNSC=loopback
	[ -n "$NET_REMOTE" ] || return 0
	net_runsc_bundle /bin/true
	if runsc_net 60 "bench-probe-$$" </dev/null >/dev/null 2>"$RAW/runsc/net-probe.err"; then
		NET_RUNSC=bundle
	else
		log "runsc: no sandbox network ($(head -n1 "$RAW/runsc/net-probe.err")): loopback figures only"
		echo "runsc's sandbox network did not start: $(head -n1 "$RAW/runsc/net-probe.err")" >"$RAW/runsc/net-na.txt"
	fi
}

run_net() {
	local c=$1 i=$2 dir=$RAW/$1
	if [ "$c" = runsc ]; then
		if [ "$NET_RUNSC" = bundle ]; then
			net_args "$NET_RUNSC_HOST"
			net_runsc_bundle "${NET_ARGS[@]}"
			runsc_net "$MICRO_TIMEOUT" "bench-net-$$-$i" </dev/null 2>"$dir/net.$i.err" |
				cat >"$dir/net.$i.txt"
		else
			NET_ARGS=("$NET" -t "$BENCH_TARGET_MS" -d "$BENCH_NET_MS" lo)
			set_cmd "$c"
			timeout "$MICRO_TIMEOUT" "${CMD[@]}" "${NET_ARGS[@]}" </dev/null 2>"$dir/net.$i.err" |
				cat >"$dir/net.$i.txt"
		fi
	else
		net_args "$NET_HOST"
		set_cmd "$c"
		timeout "$MICRO_TIMEOUT" "${CMD[@]}" "${NET_ARGS[@]}" </dev/null 2>"$dir/net.$i.err" |
			cat >"$dir/net.$i.txt"
	fi
	local rc=${PIPESTATUS[0]}
	[ "$rc" = 0 ] || log "$c run $i: net exited with $rc (see $dir/net.$i.err)"
}

describe_net() {
	[ "$BENCH_NET" = 1 ] || return 0
	echo "network: TCP streams ${BENCH_NET_MS} ms each (after a 4 MiB warm-up), 64 KiB writes/reads"
	if [ -n "$NET_REMOTE" ]; then
		echo "network test host: a network namespace behind a veth pair (native and sentry: $NET_HOST through the host; runsc: $NET_RUNSC_HOST from its own namespace)"
	else
		echo "network test host: n/a ($(cat "$RAW/net-na.txt"))"
	fi
	case $BENCH_CONFIGS in *runsc*)
		if [ "$NET_RUNSC" = bundle ]; then
			echo "runsc network figures: runsc --platform=ptrace --network=sandbox run (an OCI bundle in its own network namespace; gVisor's netstack)"
		else
			echo "runsc network figures: loopback only, runsc --platform=ptrace --network=none do"
		fi
	esac
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
	if [ "$BENCH_NET" = 1 ]; then
		net_setup
		case " ${avail[*]} " in *" runsc "*) net_probe_runsc ;; esac
		for i in $(seq "$BENCH_RUNS"); do
			for c in "${avail[@]}"; do
				log "network run $i/$BENCH_RUNS: $c"
				run_net "$c" "$i"
			done
		done
		net_cleanup
		trap - EXIT
	fi
	describe_net >>"$RAW/host.txt"
	for c in "${avail[@]}"; do
		log "start-up, exit and RSS: $c"
		run_whole "$c"
	done
	# The floor under the unpatched path: a SIGSYS round trip with no
	# sandbox behind it (bench/tools/sigsys_floor.c), natively.
	log "the SIGSYS floor"
	for i in $(seq "$BENCH_RUNS"); do
		"$SIGSYS_FLOOR" -t "$BENCH_TARGET_MS" >"$RAW/floor.$i.txt" 2>>"$RAW/floor.err" ||
			log "sigsys_floor failed (see $RAW/floor.err)"
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
