#!/bin/bash
# The network helpers killed from outside (issue 7; the rest is t_faults.sh).
# A guest (tests/e2e/progs/netfault.py) holds a connection to a test host
# (netns.sh), listens on loopback and on a published port; the host fetches
# from the published port; then the egress proxy and the port forwarder are
# SIGKILLed.  The guest's open connection out is reset (ECONNRESET, or EPIPE),
# a new connection out fails at once with ENETUNREACH (no hang: the guest's
# own waits are bounded), loopback in the sandbox still works, and the guest
# finishes normally (status 0); the sentry said one line for each helper;
# the published port refuses connections from the host afterwards.
. "$(dirname -- "$0")/lib.sh"
. "$E2E_DIR/netns.sh"
T=$E2E_TMP

testhost_new A
testhost_server A 8080
read -r PP < <(free_ports 1)

sandbox_bg "$T/out" "$T/err" -v "$T:$T" -p "127.0.0.1:$PP:9001" -- \
	"$NET_PY" "$NET_PROGS/netfault.py" "$A_IP4" 8080 "$T/killed"
sb=$SB_PID
if ! wait_line "$T/out" '^ready$'; then
	fail "the guest did not start" "stdout: $(cat "$T/out")" "stderr: $(cat "$T/err")"
	exit 1
fi
capture timeout 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PP && cat <&3"
expect_eq "the published port answers from the host (sanity)" "0 pong" "$RC $OUT"

# The sentry's children by name (common/helper.c names them).
inner=$(tree_pids "$sb" | while read -r p; do
	[ "$(cut -d' ' -f4 "/proc/$p/stat" 2>/dev/null)" = "$sb" ] && echo "$p"
done)
helper()
{
	local d
	for d in /proc/[0-9]*; do
		[ "$(cut -d' ' -f4 "$d/stat" 2>/dev/null)" = "$inner" ] &&
			[ "$(cat "$d/comm" 2>/dev/null)" = "$1" ] && echo "${d#/proc/}"
	done
}
proxy=$(helper netproxy)
forwarder=$(helper publish)
expect_ne "the egress proxy and the forwarder are found (sanity)" "" "$proxy,$forwarder"
kill -9 "$proxy" "$forwarder"
touch "$T/killed"

sandbox_wait "$sb" 40
expect_eq "the guest finishes by itself, status 0" 0 "$SB_RC"
if [[ $(sed -n 2p "$T/out") =~ ^"existing connection: "(ECONNRESET|EPIPE)$ ]]; then
	pass "the open connection out is reset"
else
	fail "the open connection out is reset" "stdout: $(show "$(cat "$T/out")")"
fi
expect_eq "a new connection out fails at once; loopback works" \
	"new connection: ENETUNREACH
loopback: over loopback" "$(sed -n '3,$p' "$T/out")"
expect_eq "the sentry said one line for each" \
	"1 1" "$(grep -c 'egress proxy died' "$T/err") $(grep -c 'port forwarder died' "$T/err")"
expect_eq "...and nothing else" "" "$(grep -Ev 'egress proxy died|port forwarder died|-> guest port 9001' "$T/err")"
capture timeout 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PP && cat <&3"
expect_ne "the published port no longer answers" "0 pong" "$RC $OUT"
