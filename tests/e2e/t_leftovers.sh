#!/bin/bash
# Nothing the sandbox started outlives it on the host: not after a normal
# exit, not when the guest leaves processes behind, and not when the outer
# `sentry` process is killed with SIGKILL (bounded: 10 s here, a hang detector, not a timing).
#
# The sentry runs from a private copy of its binary, so that its processes
# (the outer one, the sentry, the gofer and the stubs, all forked from the
# binary) are told apart from any other sentry running on this host by
# /proc/PID/exe; the members of the sandbox's pid namespace are checked too.
. "$(dirname -- "$0")/lib.sh"
T=$E2E_TMP

S=$(private_sentry leftovers)

# Our processes, or those of the pid namespace $1 (if given).
procs() { procs_of "$S" "$@"; }

describe()
{
	local p
	for p in "$@"; do
		printf '%s: %s\n' "$p" "$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null) [$(cut -d' ' -f2-4 "/proc/$p/stat" 2>/dev/null)]"
	done
}

e2e_cleanup_hook()
{
	local p
	for p in $(procs); do
		kill -9 "$p" 2>/dev/null
	done
}

# wait_gone DESC SECONDS [NS]: no process of ours remains within SECONDS.
wait_gone()
{
	local desc=$1 secs=$2 ns=${3:-} left i
	for ((i = 0; i < secs * 10; i++)); do
		left=$(procs "$ns")
		[ -z "$left" ] && break
		sleep 0.1
	done
	if [ -z "$left" ]; then
		pass "$desc"
	else
		# shellcheck disable=SC2086
		fail "$desc" "still running after ${secs}s:" "$(describe $left)"
		e2e_cleanup_hook
	fi
}

# child_of PID: the pids whose parent is PID.
child_of()
{
	local i c
	# The kernel's own lists of children (of every thread); a scan of
	# /proc/*/stat once found nothing on a loaded machine, so retried too.
	for ((i = 0; i < 50; i++)); do
		c=$(cat /proc/"$1"/task/*/children 2>/dev/null | tr ' ' '\n' | sed '/^$/d')
		[ -n "$c" ] && { echo "$c"; return; }
		sleep 0.1
	done
}

# sandbox_ns OUTER: the pid namespace of the sentry that the outer process
# OUTER started, if it is not ours (as it should be: the outer process starts
# the sentry as the init of a new pid namespace).
sandbox_ns()
{
	local inner ns
	inner=$(child_of "$1" | head -1)
	ns=$(readlink "/proc/$inner/ns/pid" 2>/dev/null)
	if [ -n "$inner" ] && [ -n "$ns" ] && [ "$ns" != "$(readlink /proc/self/ns/pid)" ]; then
		echo "$ns"
	fi
}

expect_eq "no process of our binary before the test (sanity)" "" "$(procs)"

# 1. A normal run.
capture timeout -k 1 10 "$S" run --rootfs "$E2E_ROOTFS" -- /bin/true
expect_eq "a normal run exits 0" 0 "$RC"
wait_gone "nothing remains after a normal run" 10

# 2. The guest leaves children behind.
capture timeout -k 1 10 "$S" run --rootfs "$E2E_ROOTFS" -- /bin/sh -c 'sleep 100 & sleep 100 & (sleep 100 &) ; echo started'
expect_eq "a guest that leaves background processes returns at once" "0 started" "$RC $OUT"
wait_gone "nothing remains after a guest left processes behind" 10

# 3. The outer sentry killed with SIGKILL while the guest sleeps.
kill_outer()
{
	local desc=$1
	shift
	"$S" run "$@" >"$T/ready" 2>"$T/err" &
	local outer=$!
	if ! wait_file "$T/ready" ready; then
		fail "$desc: the guest did not start" "stderr: $(cat "$T/err")"
		e2e_cleanup_hook
		return
	fi
	local ns
	ns=$(sandbox_ns "$outer")
	local n
	n=$(procs | wc -l)
	# outer, sentry, gofer, stub at least.
	expect_eq "$desc: the sandbox's processes are found (sanity: >= 4)" 1 "$((n >= 4))"
	kill -9 "$outer"
	wait "$outer" 2>/dev/null
	wait_gone "$desc: nothing remains (no sentry, gofer or stub)" 10 "$ns"
}
kill_outer "SIGKILL to sentry run, busybox rootfs" \
	--rootfs "$E2E_ROOTFS" -- /bin/sh -c 'echo ready; exec /bin/sleep 100'
kill_outer "SIGKILL to sentry run, host root, /bin/sleep 100" \
	-- /bin/sh -c 'echo ready; exec /bin/sleep 100'
kill_outer "SIGKILL to sentry run, several guest processes" \
	--rootfs "$E2E_ROOTFS" -- /bin/sh -c 'sleep 100 & sleep 100 & echo ready; wait'

# 4. The sentry itself (the init of the sandbox's pid namespace, child of
# the outer process) killed with SIGKILL: everything goes, and the outer
# process exits with an error.
"$S" run --rootfs "$E2E_ROOTFS" -- /bin/sh -c 'sleep 100 & echo ready; exec sleep 100' >"$T/ready" 2>"$T/err" &
outer=$!
if wait_file "$T/ready" ready; then
	inner=$(child_of "$outer" | head -1)
	ns=$(sandbox_ns "$outer")
	kill -9 "$inner"
	for ((i = 0; i < 100; i++)); do
		kill -0 "$outer" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$outer" 2>/dev/null; then
		fail "SIGKILL to the sentry: the outer sentry run exits (10 s bound)"
	else
		wait "$outer"
		rc=$?
		expect_ne "SIGKILL to the sentry: sentry run exits with an error" 0 "$rc"
	fi
	wait_gone "SIGKILL to the sentry: nothing remains" 10 "$ns"
else
	fail "SIGKILL to the sentry: the guest did not start" "stderr: $(cat "$T/err")"
fi
e2e_cleanup_hook
