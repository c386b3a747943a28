#!/bin/bash
# Faults from outside (issue 7): the gofer killed, and the sentry stopped.
#
# 1. The gofer killed (SIGKILL) while the guest stats a file on a bind mount
#    in a loop: the guest's next stat and open fail with EIO, a file it had
#    open and its mapping still read (the sentry holds their host fds), the
#    sentry prints one "gofer died" line, and the run ends by itself with
#    status 125 (the sandbox failed); nothing of it is left.
# 2. SIGSTOP and SIGCONT of the sentry, of the outer process, and of the
#    sandbox's whole process group (sentry, gofer, proxy, stubs), a second
#    each, while 9 guest threads in 3 processes make syscalls: the guest
#    finishes with the right output and status, on systrap and ptrace.
#
# SIGKILL of the sentry and of `sentry run`: t_faults_kill.sh; the network
# helpers killed: t_faults_net.sh.  No check here is about timing: bounds
# are generous.
. "$(dirname -- "$0")/lib.sh"
. "$E2E_DIR/faults_lib.sh"
# --- 1. the gofer killed ----------------------------------------------------------------
"$S" run --rootfs "$E2E_ROOTFS" -v "$T/data:/data" -v "$(dirname "$PROG"):/t:ro" -- \
	/t/faultprog gofer >"$T/out" 2>"$T/err" &
outer=$!
if wait_file "$T/out" ready; then
	inner=$(child_of "$outer")
	gofer=$(child_of "$inner" gofer)
	expect_ne "the gofer is found: a child of the sentry named gofer (sanity)" "" "$gofer"
	ns=$(readlink "/proc/$inner/ns/pid")
	kill -9 "$gofer"
	wait_exit "$outer"
	expect_eq "gofer killed: the run ends by itself, status 125 (the sandbox failed)" 125 "$RC"
	expect_eq "gofer killed: what the guest saw" "ready
stat: EIO
open: EIO
read of the open file: hi
its mapping: hi" "$(cat "$T/out")"
	expect_eq "gofer killed: one line on stderr says so" \
		"sentry: gofer died (killed by signal 9): file operations fail with EIO; ending the sandbox" \
		"$(cat "$T/err")"
	wait_gone "gofer killed: nothing of the run is left" "$ns"
else
	fail "gofer: the guest did not start" "stdout: $(cat "$T/out")" "stderr: $(cat "$T/err")"
	e2e_cleanup_hook
fi

# --- 2. SIGSTOP and SIGCONT ---------------------------------------------------------------

stop_case()
{
	local platform=$1
	rm -f "$T/data/done" "$T/out"
	"$S" run --platform="$platform" --rootfs "$E2E_ROOTFS" -v "$T/data:/data" \
		-v "$(dirname "$PROG"):/t:ro" -- /t/faultprog busy >"$T/out" 2>"$T/err" &
	local outer=$!
	if ! wait_file "$T/out" started; then
		fail "$platform: SIGSTOP/SIGCONT: the guest did not start" "stderr: $(cat "$T/err")"
		e2e_cleanup_hook
		return
	fi
	local inner
	inner=$(child_of "$outer")
	# The sentry, then the outer process, then the sandbox's whole
	# process group (the sentry leads its own session).
	kill -STOP "$inner"
	sleep 1
	kill -CONT "$inner"
	sleep 0.3
	kill -STOP "$outer"
	sleep 1
	kill -CONT "$outer"
	sleep 0.3
	kill -STOP -- "-$inner"
	sleep 1
	kill -CONT -- "-$inner"
	sleep 0.3
	touch "$T/data/done"
	wait_exit "$outer"
	expect_eq "$platform: stopped and continued 3 times, the guest finishes: its status and output" \
		"7 started
workers 9 ok" "$RC $(cat "$T/out")"
	expect_eq "$platform: ...and the sentry said nothing" "" "$(cat "$T/err")"
}
stop_case systrap
stop_case ptrace
wait_gone "after the SIGSTOP tests nothing is left"
