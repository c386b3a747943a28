#!/usr/bin/env bash
# The adversarial suite: every program in BINDIR (built from
# tests/security/attacks/*.c) runs inside the sandbox and tries to break out;
# each attempt must be refused.  This script sets up what the attacks aim at
# on the host (a work directory with bind-mount sources and a secret outside
# them, a victim process, a marker path) and checks afterwards that nothing
# happened there.
#
#   tests/security/run.sh --bindir DIR [-v] [NAME...]
#
#   SENTRY=path   the sentry to attack (default build/sentry)
#   -v            print every attempt, not only the failing programs' output
#
# The exhaustion programs (exh_*) run under their limits (sandbox_args), the
# sentry's peak RSS bounded (exh_rss_bound_mib), and while each holds its
# sandbox at a limit, a neighbour sandbox (BINDIR/tools/neighbour) must do its
# work and the host must fork.
#
# Prints one line per program (PASS/FAIL, its attempts and refusals), one
# line per area, and last "security: N attacks, M succeeded".  Exits 0 only
# when no attack succeeded (in the sandbox or on the host).
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bindir=""
verbose=0
names=()
while [ $# -gt 0 ]; do
	case $1 in
	--bindir) bindir=$2; shift 2 ;;
	--bindir=*) bindir=${1#*=}; shift ;;
	-v) verbose=1; shift ;;
	-h | --help) sed -n '2,/^set -u/{/^set -u/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
	*) names+=("$1"); shift ;;
	esac
done
[ -d "$bindir" ] || { echo "security: --bindir DIR is required" >&2; exit 2; }
bindir=$(cd "$bindir" && pwd)
SENTRY=${SENTRY:-$root/build/sentry}
case $SENTRY in /*) ;; *) SENTRY=$root/$SENTRY ;; esac
[ -x "$SENTRY" ] || { echo "security: no sentry at $SENTRY" >&2; exit 2; }

# The work directory is on the host's disk, not under /tmp (the sandbox has
# its own /tmp); the fs attacks run on an empty rootfs, so they cannot see it
# but through the bind mounts.
work=$(mktemp -d /var/tmp/sentry-security.XXXXXX)
victim_pid=
cleanup()
{
	[ -n "$victim_pid" ] && kill -9 "$victim_pid" 2>/dev/null
	# the network area's test hosts and listeners (net.sh), if it ran
	declare -F net_cleanup >/dev/null && net_cleanup
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$work/rootfs" "$work/rw" "$work/ro/sub" "$work/ro/empty" "$work/outside" \
	"$work/exhroot"
# exh_overlay's lower layer: a sparse file larger than its quota (no disk used).
truncate -s 64M "$work/exhroot/big"
echo "SECRET-$RANDOM-$RANDOM" >"$work/outside/secret"
echo original >"$work/ro/victim"
echo file >"$work/ro/sub/file"
chmod 0644 "$work/ro/victim"
python3 -c 'import os,sys; os.setxattr(sys.argv[1], "user.keep", b"1")' "$work/ro/victim" 2>/dev/null
marker=$work/outside/pwned-marker

# A host process the attacks try to kill, in a process group of its own.
setsid sleep 1000 </dev/null >/dev/null 2>&1 &
victim_pid=$!
disown "$victim_pid"
host_name=$(hostname)

# snapshot DIR: everything about DIR that a write could change.
snapshot()
{
	(cd "$1" && find . -printf '%p %y %m %u %g %s %T@ %l\n' | LC_ALL=C sort &&
		find . -type f -exec sha256sum {} + | LC_ALL=C sort &&
		python3 -c 'import os,sys
for d, _, fs in os.walk("."):
    for f in fs:
        p = os.path.join(d, f)
        try: print(p, sorted(os.listxattr(p, follow_symlinks=False)))
        except OSError as e: print(p, e)')
}
ro_before=$(snapshot "$work/ro")
outside_before=$(snapshot "$work/outside")

# The limits the exhaustion programs run under (sentry run flags), given to
# each program too, so that it knows what must hold.
EXH_NOFILE=256      # exh_limits: --nofile
EXH_PIDS=128        # exh_forkbomb: --pids (and --cpus 1)
EXH_MEMORY=256      # exh_membomb: --memory, MiB
EXH_MEM_QUOTA=16    # exh_membomb: --overlay-size, MiB (files stop before memory does)
EXH_QUOTA=4         # exh_overlay: --overlay-size, MiB

# The bound on the sentry's own peak RSS (VmHWM, --rusage-file) in each, in
# MiB: a size, not a timing.  16 MiB for the sentry itself (about 7 MiB
# measured for one static process), plus what the limit lets the guest make
# it hold: per guest task 128 KiB (its sentry thread's stack pages and its
# 64 KiB systrap slot; about 35 KiB measured); the quota's files once (their
# data is held once; a name costs the sentry less than the 512 bytes it is
# charged); full 64 KiB pipes on every fd; unix sockets closed while in
# flight until the collection runs at 16000 of them (about 2 KiB each
# measured; 3 KiB allowed: 48 MiB).  Guest memory is never the sentry's:
# the memory bombs take 256 MiB each against a bound of 48 MiB.
exh_rss_bound_mib()
{
	case $1 in
	exh_limits) echo $((16 + EXH_NOFILE * 64 / 1024 + 48)) ;;
	exh_forkbomb) echo $((16 + EXH_PIDS * 128 / 1024)) ;;
	exh_membomb) echo $((16 + EXH_MEM_QUOTA + 16)) ;;
	exh_overlay) echo $((16 + 2 * EXH_QUOTA)) ;;
	esac
}

# The sandbox arguments of each program (by name).
sandbox_args()
{
	case $1 in
	fs_*) echo "--rootfs $work/rootfs -v $work/rw:/rw -v $work/ro:/ro:ro -v $work/outside:/view:ro" ;;
	exh_limits) echo "--nofile $EXH_NOFILE" ;;
	exh_forkbomb) echo "--pids $EXH_PIDS --cpus 1 -v $work/rw:/rw" ;;
	exh_membomb) echo "--memory ${EXH_MEMORY}m --overlay-size ${EXH_MEM_QUOTA}m -v $work/rw:/rw" ;;
	exh_overlay) echo "--rootfs $work/exhroot --overlay-size ${EXH_QUOTA}m -v $work/rw:/rw" ;;
	esac
}
prog_args()
{
	case $1 in
	fs_escape) echo "$work" ;;
	fs_race) echo "$work 2" ;;
	proc_attacks) echo "$victim_pid $host_name" ;;
	proc_stub) echo "$victim_pid $marker" ;;
	exh_limits) echo "$EXH_NOFILE" ;;
	exh_forkbomb) echo "$EXH_PIDS" ;;
	exh_membomb) echo "$EXH_MEMORY $EXH_MEM_QUOTA" ;;
	exh_overlay) echo "$EXH_QUOTA" ;;
	esac
}

declare -A area_att area_ref
total_att=0
total_ref=0
failed=0
host_failures=()
out=$(mktemp)
t0=$SECONDS

# A host-side racer for fs_race: flips WORK/rw/race/d between a directory
# and a symlink to WORK/outside while the guest walks through it.
host_racer()
{
	python3 - "$work" <<'PY' &
import ctypes, os, sys, time
w = sys.argv[1]
r = os.path.join(w, "rw", "race")
os.makedirs(os.path.join(r, "h"), exist_ok=True)
try:
    os.symlink(os.path.join(w, "outside"), os.path.join(r, "hl"))
except OSError:
    pass
libc = ctypes.CDLL(None, use_errno=True)
a, b = os.path.join(r, "h").encode(), os.path.join(r, "hl").encode()
end = time.time() + 2.5
while time.time() < end:
    libc.renameat2(-100, a, -100, b, 2)  # RENAME_EXCHANGE
PY
	racer_pid=$!
}

# host_check WHAT OK [AREA]: one check on the host side (area "host" by
# default), counted as an attack that OK (1) says was refused.
host_check()
{
	local what=$1 ok=$2 area=${3:-host}
	total_att=$((total_att + 1))
	area_att[$area]=$((${area_att[$area]:-0} + 1))
	if [ "$ok" = 1 ]; then
		total_ref=$((total_ref + 1))
		area_ref[$area]=$((${area_ref[$area]:-0} + 1))
		[ $verbose -eq 0 ] || echo "host check $what: ok"
	else
		echo "host check $what: ESCAPED"
		host_failures+=("$what")
	fi
}
ok() { if "$@"; then echo 1; else echo 0; fi; }

# neighbour_at_peak NAME PID: the partner of an exhaustion program (PID:
# its sentry run).  When the program says it holds its sandbox at a limit
# (WORK/rw/NAME.peak), another, independent sandbox does a fixed amount of
# work (tools/neighbour: files, forks, a pipe, loopback TCP) and must get
# every result right; the host must still fork.  Then the program is
# released (WORK/rw/NAME.release).  Hang bounds only, no timing.
neighbour_at_peak()
{
	local name=$1 pid=$2 i nout nrc hout
	for ((i = 0; i < 3000; i++)); do
		[ -e "$work/rw/$name.peak" ] && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if [ ! -e "$work/rw/$name.peak" ]; then
		host_check "$name: the attack reached its peak" 0 exhaustion
		return
	fi
	nout=$(timeout -k 5 240 "$SENTRY" run --rootfs "$work/rootfs" --network none \
		-v "$bindir:$bindir:ro" -- "$bindir/tools/neighbour" 2>&1 </dev/null)
	nrc=$?
	host_check "$name at its peak: a neighbour sandbox did its work (exit $nrc: $nout)" \
		"$(ok test "$nrc" = 0 -a "$nout" = "neighbour: ok (files 200, forks 50, pipe 4194304, tcp 1048576)")" \
		exhaustion
	hout=$(for ((i = 0; i < 20; i++)); do /bin/echo "$i"; done | tail -1)
	host_check "$name at its peak: the host forks (20 processes)" "$(ok test "$hout" = 19)" exhaustion
	: >"$work/rw/$name.release"
}

# check_rss NAME FILE: the sentry's peak RSS (FILE from --rusage-file)
# within the program's bound.
check_rss()
{
	local name=$1 file=$2 bound kib
	bound=$(exh_rss_bound_mib "$name")
	kib=$(awk '$1 == "sentry_peak_rss_kib" { print $2 }' "$file" 2>/dev/null)
	host_check "$name: the sentry's peak RSS (${kib:-?} KiB) within $bound MiB" \
		"$(ok test -n "$kib" -a "${kib:-0}" -gt 0 -a "${kib:-0}" -le $((bound * 1024)))" exhaustion
	[ $verbose -eq 0 ] || echo "    $name: sentry peak RSS ${kib:-?} KiB (bound $((bound * 1024)) KiB)," \
		"gofer $(awk '$1 == "gofer_peak_rss_kib" { print $2 }' "$file" 2>/dev/null) KiB"
}

# run_prog LABEL PROG SANDBOX_ARGS -- PROG_ARGS: one program in a sandbox,
# its PASS/FAIL line, its attempts added to the totals.  WRAP (an array)
# runs before the sentry, if set; PARTNER (a function) runs meanwhile, given
# LABEL and the run's pid; RUSAGE, if set, is the run's --rusage-file;
# HANG_BOUND is its timeout (seconds).
wrap=()
partner=
rusage=
hang_bound=60
run_prog()
{
	local label=$1 prog=$2 sargs=() pargs=() rc att ref spid
	shift 2
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		sargs+=("$1")
		shift
	done
	[ $# -gt 0 ] && shift
	pargs=("$@")
	[ -n "$rusage" ] && sargs+=(--rusage-file "$rusage")
	timeout -k 5 "$hang_bound" "${wrap[@]}" "$SENTRY" run "${sargs[@]}" -v "$bindir:$bindir:ro" -- \
		"$prog" "${pargs[@]}" </dev/null >"$out" 2>&1 &
	spid=$!
	[ -n "$partner" ] && "$partner" "$label" "$spid"
	wait "$spid"
	rc=$?
	[ -n "$racer_pid" ] && wait "$racer_pid" 2>/dev/null
	att=0 ref=0
	while read -r _ area _ a _ r; do
		att=$((att + a))
		ref=$((ref + r))
		area_att[$area]=$((${area_att[$area]:-0} + a))
		area_ref[$area]=$((${area_ref[$area]:-0} + r))
	done < <(grep '^summary ' "$out")
	total_att=$((total_att + att))
	total_ref=$((total_ref + ref))
	if [ $rc -eq 0 ] && [ "$att" -gt 0 ] && [ "$att" -eq "$ref" ] && ! grep -q ESCAPED "$out"; then
		echo "PASS $label ($att attempts, all refused)"
		[ $verbose -eq 0 ] || sed 's/^/    /' "$out"
	else
		failed=$((failed + 1))
		echo "FAIL $label (exit $rc, $att attempts, $ref refused)"
		sed 's/^/    /' "$out"
	fi
}

net_progs=()
for prog in "$bindir"/*; do
	[ -f "$prog" ] && [ -x "$prog" ] || continue
	name=${prog##*/}
	if [ ${#names[@]} -gt 0 ]; then
		case " ${names[*]} " in *" $name "*) ;; *) continue ;; esac
	fi
	# The network attacks run once per policy, against test hosts (net.sh).
	if [[ $name == net_* ]]; then
		net_progs+=("$prog")
		continue
	fi
	# exh_membomb expects the per-process OOM kills of a v1 memory cgroup;
	# on a v2 host the run's cgroup has memory.oom.group: an OOM kill ends
	# the whole sandbox (as a container), so there is nothing to check inside.
	if [ "$name" = exh_membomb ] && ! grep -Eq '^[0-9]+:([^:]*,)?memory(,[^:]*)?:' /proc/self/cgroup; then
		echo "SKIP $name (no v1 memory cgroup here: on cgroup v2 an OOM kill ends the whole sandbox)"
		continue
	fi
	racer_pid=
	[ "$name" = fs_race ] && host_racer
	partner='' rusage='' hang_bound=60
	if [[ $name == exh_* ]]; then
		rusage=$work/rusage.$name hang_bound=600
		case $name in exh_forkbomb | exh_membomb | exh_overlay) partner=neighbour_at_peak ;; esac
	fi
	# shellcheck disable=SC2046 # word splitting wanted
	run_prog "$name" "$prog" $(sandbox_args "$name") -- $(prog_args "$name")
	[ -n "$rusage" ] && check_rss "$name" "$rusage"
done
partner='' rusage='' hang_bound=60
racer_pid=
if [ ${#net_progs[@]} -gt 0 ]; then
	. "$here/net.sh"
	net_run "${net_progs[@]}"
fi
rm -f "$out"

# --- the host side ------------------------------------------------------------

host_check "the victim process $victim_pid is alive" "$(ok kill -0 "$victim_pid")"
host_check "the host name is still $host_name" "$(ok test "$(hostname)" = "$host_name")"
host_check "the read-only bind source is unchanged" "$(ok test "$(snapshot "$work/ro")" = "$ro_before")"
if [ "$(snapshot "$work/outside")" = "$outside_before" ]; then
	host_check "nothing appeared in or changed under WORK/outside" 1
else
	host_check "nothing appeared in or changed under WORK/outside" 0
	ls -la "$work/outside" | sed 's/^/    /'
fi
stray=$(find "$work" -path "$work/rw" -prune -o -name 'pwned*' -print)
host_check "no pwned* file outside WORK/rw" "$(ok test -z "$stray")"
[ -z "$stray" ] || printf '    %s\n' "$stray"
devs=$(find "$work" \( -type b -o -type c \) -print)
host_check "no device node made on the host" "$(ok test -z "$devs")"
[ -z "$devs" ] || printf '    %s\n' "$devs"
host_check "no marker directory from a stub" "$(ok test ! -e "$marker")"

echo
for area in $(printf '%s\n' "${!area_att[@]}" | sort); do
	echo "security: area $area: ${area_att[$area]} attempts, ${area_ref[$area]} refused"
done
echo "security: $total_att attacks, $((total_att - total_ref)) succeeded ($failed failing programs, $((SECONDS - t0)) s)"
[ $failed -eq 0 ] && [ $total_att -eq $total_ref ] && [ ${#host_failures[@]} -eq 0 ]
