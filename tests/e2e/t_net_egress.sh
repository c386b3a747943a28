#!/bin/bash
# Egress by default (--network=sandbox): a test host (a network namespace
# behind a veth, tests/e2e/netns.sh) is reachable from the sandbox over IPv4
# and IPv6: curl http://10.213.X.2:PORT/ and http://[fd99:X::2]:PORT/, TCP
# and UDP from Python, a closed port refused (the test host's RST comes back
# through the NAT), 4 MiB downloaded and 4 MiB uploaded intact; the test host
# sees the connections come from the host (user-mode NAT), and counts exactly
# what the sandbox sent.  IPv6 works from the first packet.
. "$(dirname -- "$0")/lib.sh"
. "$E2E_DIR/netns.sh"
T=$E2E_TMP

testhost_new A
testhost_server A 8080
echo "  test host A: $A_IP4 and $A_IP6 (namespace $A_NS)"

# strip_times: netprobe's lines without their durations.
strip_times()
{
	sed -E 's/ [0-9]+\.[0-9]{3}$//'
}

# --- IPv6 from the start ---------------------------------------------------------------
# The very first thing a fresh sandbox does: UDP then TCP over IPv6.
capture srun -- "$NET_PY" "$NET_PROGS/netprobe.py" "udp/$A_IP6/8080" "tcp/$A_IP6/8080"
expect_eq "a fresh sandbox's first IPv6 packets: UDP and TCP to $A_IP6 get through" \
	"udp $A_IP6 8080 ok:udp A ping
tcp $A_IP6 8080 ok:hello A from $A_HOST6" "$(printf '%s\n' "$OUT" | strip_times)"
t=$(printf '%s\n' "$OUT" | awk '$1 == "tcp" {print $NF}')
if awk -v t="${t:-9}" 'BEGIN { exit !(t < 0.5) }'; then
	pass "  ...the TCP connect takes under 0.5 s ($t s)"
else
	fail "  ...the TCP connect takes under 0.5 s" "it took ${t:-?} s"
fi
capture srun -- "$NET_PY" "$NET_PROGS/netprobe.py" "tcp/$A_IP4/8080"
expect_eq "a fresh sandbox's first IPv4 connection" "tcp $A_IP4 8080 ok:hello A from $A_HOST4" \
	"$(printf '%s\n' "$OUT" | strip_times)"
base=$(testhost_counts A 8080)

# --- curl, and Python's sockets ------------------------------------------------------------
capture srun -- curl -sS --max-time 5 "http://$A_IP4:8080/"
expect_eq "curl http://$A_IP4:8080/ (seen from the host's $A_HOST4: NAT)" \
	"0 testhost A from $A_HOST4" "$RC $OUT"
capture srun -- curl -sS --max-time 5 "http://[$A_IP6]:8080/"
expect_eq "curl http://[$A_IP6]:8080/ (seen from $A_HOST6)" \
	"0 testhost A from $A_HOST6" "$RC $OUT"

capture srun -- "$NET_PY" "$NET_PROGS/netprobe.py" \
	"tcp/$A_IP4/8080" "udp/$A_IP4/8080" "tcp/$A_IP4/8089" \
	"tcp/$A_IP6/8080" "udp/$A_IP6/8080" "tcp/$A_IP6/8089" \
	"tcp/::ffff:$A_IP4/8080"
expect_eq "python: TCP and UDP over IPv4 and IPv6 and IPv4-mapped; a closed port refused" \
	"tcp $A_IP4 8080 ok:hello A from $A_HOST4
udp $A_IP4 8080 ok:udp A ping
tcp $A_IP4 8089 ECONNREFUSED
tcp $A_IP6 8080 ok:hello A from $A_HOST6
udp $A_IP6 8080 ok:udp A ping
tcp $A_IP6 8089 ECONNREFUSED
tcp ::ffff:$A_IP4 8080 ok:hello A from $A_HOST4" "$(printf '%s\n' "$OUT" | strip_times)"

# What the test host got since the first two runs: 2 curls + 4 TCP
# (8089 is closed) and 2 UDP.
expect_eq "the test host counted exactly the sandbox's connections and datagrams" \
	"$(awk '{print "tcp", $2 + 5, "udp", $4 + 2}' <<<"$base")" "$(testhost_counts A 8080)"

# --- bulk data, both ways ------------------------------------------------------------------
mkdir -p "$T/files"
head -c $((4 << 20)) /dev/urandom >"$T/files/blob"
sum=$(sha256sum <"$T/files/blob" | cut -d' ' -f1)
testhost_run A "$NET_PY" -m http.server 8081 --bind :: -d "$T/files" >"$T/http.log" 2>&1
if wait_url "http://$A_IP4:8081/" >/dev/null; then
	capture srun -- /bin/sh -c "curl -fsS --max-time 10 http://$A_IP4:8081/blob | sha256sum;
		curl -fsS --max-time 10 'http://[$A_IP6]:8081/blob' | sha256sum"
	expect_eq "4 MiB downloaded over IPv4 and over IPv6, intact (sha256)" \
		"$sum  -
$sum  -" "$OUT"
else
	fail "the test host's http.server on 8081 starts"
fi
capture srun -- "$NET_PY" "$NET_PROGS/netprobe.py" "sha/$A_IP4/8080/$((4 << 20))" \
	"sha/$A_IP6/8080/$((4 << 20))"
expect_eq "4 MiB uploaded over IPv4 and over IPv6, intact (sha256 on the test host)" \
	"sha $A_IP4 8080 ok:sha256-match
sha $A_IP6 8080 ok:sha256-match" "$(printf '%s\n' "$OUT" | strip_times)"

e2e_finish
