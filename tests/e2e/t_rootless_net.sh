#!/bin/bash
# The network of a rootless sandbox: the same policy as when root.  Root
# makes two test hosts (tests/e2e/netns.sh); the sandbox runs as nobody
# (65534, setpriv) with the host's / as its rootfs: egress to test host A
# over IPv4 and IPv6, TCP and UDP (libslirp needs no privilege), seen from
# the host's side of the veth (NAT); --cidr-allow lets A through and refuses
# B with ECONNREFUSED; --block-network gives ENETUNREACH.
. "$(dirname -- "$0")/lib.sh"
. "$E2E_DIR/netns.sh"
require_tools setpriv

AS_USER=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all)
# usrun ARGS...: `sentry run ARGS...` as nobody, the test programs bound.
usrun()
{
	(cd / && timeout -k 1 "$E2E_TIMEOUT" "${AS_USER[@]}" "$SENTRY" run \
		-v "$NET_PROGS:$NET_PROGS:ro" "$@")
}
if ! "${AS_USER[@]}" test -x "$SENTRY" || ! "${AS_USER[@]}" test -r "$NET_PROGS/netprobe.py"; then
	fail "nobody can run $SENTRY and read $NET_PROGS" "(a path on the way is not searchable)"
	exit 1
fi

strip_times() { sed -E 's/ [0-9]+\.[0-9]{3}$//'; }

testhost_new A
testhost_new B
testhost_server A 8080
testhost_server B 8080

capture usrun -- "$NET_PY" "$NET_PROGS/netprobe.py" \
	"tcp/$A_IP4/8080" "udp/$A_IP4/8080" "tcp/$A_IP6/8080" "udp/$A_IP6/8080" "tcp/$A_IP4/8089"
expect_eq "rootless egress: TCP and UDP to A over IPv4 and IPv6 (NAT), a closed port refused" \
	"tcp $A_IP4 8080 ok:hello A from $A_HOST4
udp $A_IP4 8080 ok:udp A ping
tcp $A_IP6 8080 ok:hello A from $A_HOST6
udp $A_IP6 8080 ok:udp A ping
tcp $A_IP4 8089 ECONNREFUSED" "$(printf '%s\n' "$OUT" | strip_times)"

capture usrun --cidr-allow "$A_NET4" -- "$NET_PY" "$NET_PROGS/netprobe.py" \
	"tcp/$A_IP4/8080" "tcp/$B_IP4/8080"
expect_eq "rootless --cidr-allow $A_NET4: A reachable, B refused" \
	"tcp $A_IP4 8080 ok:hello A from $A_HOST4
tcp $B_IP4 8080 ECONNREFUSED" "$(printf '%s\n' "$OUT" | strip_times)"
expect_eq "  ...B saw nothing" "tcp 0 udp 0" "$(testhost_counts B 8080)"

capture usrun --block-network -- "$NET_PY" "$NET_PROGS/netprobe.py" "tcp/$A_IP4/8080"
expect_eq "rootless --block-network: ENETUNREACH" "tcp $A_IP4 8080 ENETUNREACH" \
	"$(printf '%s\n' "$OUT" | strip_times)"
