#!/bin/bash
# SIGTERM, SIGINT, SIGHUP and SIGQUIT sent to `sentry run` on the host reach
# the guest's init, which handles them like any signal it has a handler for.
. "$(dirname -- "$0")/lib.sh"
T=$E2E_TMP

for sig in TERM INT HUP QUIT; do
	"$SENTRY" run --rootfs "$E2E_ROOTFS" -- /bin/sh -c \
		"trap 'echo got-$sig; exit 7' $sig; echo ready; while :; do sleep 0.05; done" \
		>"$T/out" 2>"$T/err" &
	pid=$!
	if ! wait_file "$T/out" ready; then
		fail "SIG$sig: the guest did not start" "stderr: $(cat "$T/err")"
		kill -9 "$pid" 2>/dev/null
		continue
	fi
	kill -"$sig" "$pid"
	# (Generous: a loaded machine is slow, and how fast is a benchmark's
	# question, not this test's.)
	for ((i = 0; i < 300; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		fail "SIG$sig to sentry run: the guest's handler ends it (waited 30 s)"
		kill -9 "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		continue
	fi
	wait "$pid"
	rc=$?
	expect_eq "SIG$sig to sentry run reaches the guest's handler" \
		"7 ready got-$sig" "$rc $(tr '\n' ' ' <"$T/out" | sed 's/ $//')"
done
