# shellcheck shell=bash
# shellcheck disable=SC2034 # PROG, RC: used by the tests
# Shared by the fault tests (t_faults.sh, t_faults_kill.sh): source it after
# lib.sh.  Sets S (a private copy of the sentry: our processes are those
# that run it), PROG (tests/e2e/progs/faultprog.c, built) and $T/data/f;
# defines procs, child_of, wait_gone, wait_exit and the cleanup hook.
T=$E2E_TMP

# A private copy of the binary: our processes are those that run it.
S=$T/sentry-faults-$$
cp "$SENTRY" "$S"
PROG=$(build_static faultprog <"$E2E_DIR/progs/faultprog.c") || exit 1
mkdir -p "$T/data"
printf hi >"$T/data/f"

# procs [NS]: live pids running our binary (helpers included: they are forks
# of it), or in the pid namespace NS.  (One ls, not a process per pid: the
# host may have many.)
procs()
{
	local ns=${1:-} pid st
	{
		# shellcheck disable=SC2010 # (the names are /proc/PID/exe)
		ls -l /proc/[0-9]*/exe 2>/dev/null | grep -F -- "-> $S"
		# shellcheck disable=SC2010
		[ -z "$ns" ] || ls -l /proc/[0-9]*/ns/pid 2>/dev/null | grep -F -- "-> $ns"
	} | sed -n 's|.* /proc/\([0-9]*\)/.*|\1|p' | sort -un | while read -r pid; do
		st=$(cut -d' ' -f3 "/proc/$pid/stat" 2>/dev/null) || continue
		[ "$st" = Z ] || echo "$pid"
	done
}

# child_of PID [COMM]: the children of PID (named COMM).
child_of()
{
	ps -o pid=,comm= --ppid "$1" | awk -v c="${2:-}" 'c == "" || $2 == c {print $1}'
}

# wait_gone DESC [NS]: within 10 s no process of ours (or in NS) remains.
wait_gone()
{
	local left i
	for ((i = 0; i < 100; i++)); do
		left=$(procs "${2:-}")
		[ -z "$left" ] && break
		sleep 0.1
	done
	if [ -z "$left" ]; then
		pass "$1"
	else
		# shellcheck disable=SC2086
		fail "$1" "still running:" "$(ps -o pid,ppid,stat,comm,args -p "$(echo $left | tr ' ' ,)")"
		e2e_cleanup_hook
	fi
}

# wait_exit PID: up to 20 s for PID (a child of ours) to end; sets RC
# ("running" if it did not).
wait_exit()
{
	local i
	{
		for ((i = 0; i < 200; i++)); do
			kill -0 "$1" || break
			sleep 0.1
		done
		if kill -0 "$1"; then
			RC=running
		else
			wait "$1"
			RC=$?
		fi
	} 2>/dev/null
}

e2e_cleanup_hook()
{
	local p
	for p in $(procs); do
		kill -9 "$p" 2>/dev/null
	done
}

expect_eq "no process of our binary before the test (sanity)" "" "$(procs)"
