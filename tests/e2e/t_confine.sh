#!/bin/bash
# Self-confinement of the runtime's processes (docs/security.md), seen from
# the host while a sandbox runs: the sentry, the gofer, the egress proxy, the
# port forwarder and the stubs each have their seccomp filter, no_new_privs,
# the capabilities and the root and network namespace they are meant to have,
# and the stubs no fd but their fd-passing socket.  Then each confined process
# is made to issue a syscall outside its list (tests/security/inject.c,
# ptrace from outside, as an attacker who took it over would): it dies with a
# one-line message, the run ends non-zero and nothing is left behind.
. "$(dirname -- "$0")/lib.sh"
T=$E2E_TMP
if [ "$(id -u)" != 0 ]; then
	pass "skipped: needs root (ptrace of the runtime's processes)"
	exit 0
fi

INJECT=$T/inject
if ! gcc -O1 -Wall -o "$INJECT" "$REPO_ROOT/tests/security/inject.c" 2>"$T/inject.log"; then
	fail "inject.c compiles" "$(cat "$T/inject.log")"
	exit 1
fi
mkdir -p "$T/bind"
HOST_NET=$(readlink /proc/self/ns/net)
PORT=$((20000 + $$ % 20000))
OUTER=

# descendants PID: every live descendant of PID, with its comm ("pid comm").
descendants()
{
	ps -e -o pid=,ppid=,stat=,comm= | awk -v root="$1" '
		$3 !~ /^Z/ { pid[NR] = $1; pp[NR] = $2; c[NR] = $4 }
		END {
			want[root] = 1
			for (changed = 1; changed; ) {
				changed = 0
				for (i in pid)
					if ((pp[i] in want) && !(pid[i] in want)) {
						want[pid[i]] = 1
						changed = 1
						print pid[i], c[i]
					}
			}
		}'
}

status_field() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status" 2>/dev/null; }
root_listing() { ls -A "/proc/$1/root/" 2>&1 | tr '\n' ' ' | sed 's/ $//'; }
pid_of() { descendants "$OUTER" | awk -v c="$1" '$2 == c { print $1; exit }'; }

# start ARGS...: a sandbox running `sleep 30` in the background, with the
# network, a bind mount and a published port; waits until its guest runs
# (it leaves a file in the bind mount).
start()
{
	"$SENTRY" run --rootfs "$E2E_ROOTFS" --network=sandbox -v "$T/bind:/mnt/b" \
		-p "127.0.0.1:$PORT:80" "$@" -- /bin/sh -c 'touch /mnt/b/ready; exec sleep 30' \
		>"$T/out" 2>"$T/err" &
	OUTER=$!
	local i
	for ((i = 0; i < 100; i++)); do
		[ -e "$T/bind/ready" ] && return 0
		sleep 0.1
	done
	return 1
}

# finish: waits (10 s at most) for the outer process; sets RC.
finish()
{
	local i
	for ((i = 0; i < 100; i++)); do
		kill -0 "$OUTER" 2>/dev/null || break
		sleep 0.1
	done
	kill -9 "$OUTER" 2>/dev/null
	wait "$OUTER"
	RC=$?
}

e2e_cleanup_hook()
{
	[ -n "$OUTER" ] && kill -9 "$OUTER" 2>/dev/null
}

expect_confined()
{
	local what=$1 pid=$2 caps=$3
	expect_eq "$what: seccomp filter" "2" "$(status_field "$pid" Seccomp)"
	expect_eq "$what: no_new_privs" "1" "$(status_field "$pid" NoNewPrivs)"
	expect_eq "$what: effective capabilities" "$caps" "$(status_field "$pid" CapEff)"
	expect_eq "$what: bounding set" "0000000000000000" "$(status_field "$pid" CapBnd)"
}

check_processes()
{
	local platform=$1
	rm -f "$T/bind/ready"
	if ! start --platform="$platform"; then
		fail "$platform: the sandbox starts" "$(cat "$T/err")"
		finish
		return
	fi
	local sentry gofer proxy fwd
	sentry=$(pid_of sentry)
	gofer=$(pid_of gofer)
	proxy=$(pid_of netproxy)
	fwd=$(pid_of publish)
	expect_confined "$platform: sentry" "$sentry" 0000000000000000
	# the first filter and the last (no executable memory, no processes)
	expect_eq "$platform: sentry: two filters" "2" "$(status_field "$sentry" Seccomp_filters)"
	# /fd, its own /proc/self/fd (read-only re-opens of its memfds)
	expect_eq "$platform: sentry: its root holds /fd only" "fd" "$(root_listing "$sentry")"
	expect_eq "$platform: sentry: /fd is its own fds" "$(readlink "/proc/$sentry/fd/0")" \
		"$(readlink "/proc/$sentry/root/fd/0" 2>&1)"
	expect_ne "$platform: sentry: not in the host's network namespace" "$HOST_NET" \
		"$(readlink "/proc/$sentry/ns/net")"
	# chown, dac_override, dac_read_search, fowner, fsetid, mknod
	expect_confined "$platform: gofer" "$gofer" 000000000800001f
	expect_eq "$platform: gofer: its root holds the rootfs, the bind mount and /fd" \
		"fd m0 m1" "$(root_listing "$gofer" | tr ' ' '\n' | sort | tr '\n' ' ' | sed 's/ $//')"
	expect_eq "$platform: gofer: sees the bind mount's source" "$(ls -A "$T/bind")" \
		"$(ls -A "/proc/$gofer/root/m1" 2>&1)"
	expect_ne "$platform: gofer: not in the host's network namespace" "$HOST_NET" \
		"$(readlink "/proc/$gofer/ns/net")"
	expect_confined "$platform: egress proxy" "$proxy" 0000000000000000
	expect_match "$platform: egress proxy: its root holds resolv.conf at most" '^(etc)?$' \
		"$(root_listing "$proxy")"
	expect_eq "$platform: egress proxy: in the host's network namespace" "$HOST_NET" \
		"$(readlink "/proc/$proxy/ns/net")"
	# The network helpers are undumpable: a process of the same uid with no
	# capabilities, as the confined sentry is, cannot ptrace them; a
	# capability-less process that is dumpable it can (the control).
	local nocaps="setpriv --bounding-set -all --inh-caps -all" ctl
	$nocaps sleep 30 &
	ctl=$!
	# (until setpriv, which has them all, has become sleep, which has none,
	# and sleep waits in its nanosleep, where inject expects a syscall)
	for ((i = 0; i < 100; i++)); do
		[ "$(cat "/proc/$ctl/comm" 2>/dev/null)" = sleep ] &&
			[ "$(awk '{ print $3 }' "/proc/$ctl/stat" 2>/dev/null)" = S ] && break
		sleep 0.05
	done
	expect_eq "$platform: without capabilities, a dumpable process can be ptraced" 0 \
		"$($nocaps "$INJECT" "$ctl" 39 >/dev/null 2>&1; echo $?)"
	kill -9 "$ctl" 2>/dev/null
	wait "$ctl" 2>/dev/null
	expect_match "$platform: egress proxy: undumpable" "Operation not permitted" \
		"$($nocaps "$INJECT" "$proxy" 39 2>&1)"
	expect_match "$platform: port forwarder: undumpable" "Operation not permitted" \
		"$($nocaps "$INJECT" "$fwd" 39 2>&1)"
	expect_confined "$platform: port forwarder" "$fwd" 0000000000000000
	expect_eq "$platform: port forwarder: empty root" "" "$(root_listing "$fwd")"
	local stub n=0 socks=
	for stub in $(descendants "$OUTER" | awk '$2 == "sentry-stub" { print $1 }'); do
		n=$((n + 1))
		socks="$socks$(readlink "/proc/$stub/fd/3")
"
		expect_eq "$platform: stub $n: seccomp filter" "2" "$(status_field "$stub" Seccomp)"
		# the sentry's first filter and the stub's own, not the sentry's last
		expect_eq "$platform: stub $n: two filters" "2" \
			"$(status_field "$stub" Seccomp_filters)"
		expect_eq "$platform: stub $n: only the fd-passing socket" "3" \
			"$(ls "/proc/$stub/fd" 2>&1 | tr '\n' ' ' | sed 's/ $//')"
		# the sentry's (the stubs' filter has no openat)
		expect_eq "$platform: stub $n: the sentry's root" "fd" "$(root_listing "$stub")"
		expect_eq "$platform: stub $n: no capabilities" "0000000000000000" \
			"$(status_field "$stub" CapEff)"
	done
	[ $n -gt 0 ] && pass "$platform: $n stubs checked" || fail "$platform: stubs found" "none"
	# systrap: each stub process its own fd-passing socket (guest code can
	# receive on its fd 3); ptrace: one for all (guest code cannot)
	local want=1
	[ "$platform" = systrap ] && want=$n
	expect_eq "$platform: distinct fd-passing sockets of the $n stubs" "$want" \
		"$(printf '%s' "$socks" | sort -u | grep -c .)"
	kill -KILL "$OUTER"
	finish
}

# violation COMM NR ARGS...: makes process COMM issue syscall NR.
violation()
{
	local comm=$1 name=$2
	shift 2
	rm -f "$T/bind/ready"
	if ! start ${PLATFORM:+--platform=$PLATFORM}; then
		fail "$comm: the sandbox starts" "$(cat "$T/err")"
		finish
		return
	fi
	local pids target
	pids=$(descendants "$OUTER" | awk '{ print $1 }')
	target=$(pid_of "$comm")
	if ! "$INJECT" "$target" "$@" 2>"$T/inject.err"; then
		fail "$comm: syscall injected" "$(cat "$T/inject.err")"
	fi
	finish
	expect_ne "$comm: $name: the run ends non-zero" 0 "$RC"
	expect_match "$comm: $name: one line says why" \
		"$comm: seccomp violation: syscall $name\\($1\\)" "$(cat "$T/err")"
	local p left=
	for ((i = 0; i < 20; i++)); do
		left=
		for p in $pids; do
			if [ -e "/proc/$p" ] && [ "$(awk '{ print $3 }' "/proc/$p/stat" 2>/dev/null)" != Z ]; then
				left="$left $p"
			fi
		done
		[ -z "$left" ] && break
		sleep 0.1
	done
	expect_eq "$comm: $name: nothing left behind" "" "$left"
}

check_processes systrap
check_processes ptrace
# socket(AF_INET, SOCK_STREAM, 0): the sentry may make AF_UNIX sockets only.
violation sentry socket 41 2 1 0
# The sentry's last filter: no executable memory (mprotect(0x10000, 4096,
# PROT_READ|PROT_EXEC); mmap(NULL, 4096, PROT_READ|PROT_WRITE|PROT_EXEC,
# MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)), on either platform, and no process but
# threads (clone(SIGCHLD)), no further filter (seccomp(SET_MODE_FILTER)).
violation sentry mprotect 10 0x10000 4096 5
PLATFORM=ptrace violation sentry mmap 9 0 4096 7 0x22 -1 0
violation sentry clone 56 17 0 0
violation sentry seccomp 317 1 0 0
violation gofer socket 41 2 1 0
violation netproxy execve 59 0 0 0
violation publish execve 59 0 0 0
e2e_finish
