#!/bin/bash
# --block-network (and --network=none): a connect or sendto to a test host
# fails at once with ENETUNREACH, over IPv4 and IPv6, TCP and UDP (curl:
# exit 7, "Couldn't connect"), and the test host sees no packet.  "No
# packet" is checked three ways on the test host's side: its server counts
# no connection and no datagram; the namespace's own IPv4, TCP and UDP
# counters (/proc/net/snmp, snmp6) do not move; and its veth receives no
# more than a few packets (see below).  The same probes from a sandbox with
# the default network first show that those counters do see the traffic.
. "$(dirname -- "$0")/lib.sh"
. "$E2E_DIR/netns.sh"

testhost_new A
testhost_server A 8080
echo "  test host A: $A_IP4 and $A_IP6 (namespace $A_NS)"

# 8 probes: TCP and UDP, IPv4 and IPv6, to the server (8080) and a closed port.
probes=("tcp/$A_IP4/8080" "udp/$A_IP4/8080/1" "tcp/$A_IP4/8089" "udp/$A_IP4/8089/1"
	"tcp/$A_IP6/8080" "udp/$A_IP6/8080/1" "tcp/$A_IP6/8089" "udp/$A_IP6/8089/1")

# snapshot: what the test host has seen so far, on one line: its server's
# counts (srv_tcp, srv_udp), its stack's counters (ip4, tcp, udp, udp6: see
# testhost_snmp) and the packets its veth received (rx).
snapshot()
{
	echo "$(testhost_counts A 8080 | sed 's/tcp/srv_tcp/; s/udp/srv_udp/') $(testhost_snmp A) rx $(testhost_rx A)"
}

# field SNAPSHOT NAME: the number after NAME in SNAPSHOT.
field()
{
	awk -v k="$2" '{ for (i = 1; i < NF; i++) if ($i == k) { print $(i + 1); exit } }' <<<"$1"
}

# fields SNAPSHOT NAME...: "NAME N" for each NAME.
fields()
{
	local s=$1 k
	shift
	for k in "$@"; do
		printf '%s %s ' "$k" "$(field "$s" "$k")"
	done
}

# --- the control: the default network reaches the test host ---------------------------------
s0=$(snapshot)
capture srun -- "$NET_PY" "$NET_PROGS/netprobe.py" "${probes[@]}"
expect_eq "control (default network): all 8 probes reach the test host" \
	"tcp $A_IP4 8080 ok:hello A from $A_HOST4
udp $A_IP4 8080 ok:udp A ping
tcp $A_IP4 8089 ECONNREFUSED
udp $A_IP4 8089 timeout
tcp $A_IP6 8080 ok:hello A from $A_HOST6
udp $A_IP6 8080 ok:udp A ping
tcp $A_IP6 8089 ECONNREFUSED
udp $A_IP6 8089 timeout" "$(printf '%s\n' "$OUT" | sed -E 's/ [0-9]+\.[0-9]{3}$//')"
s1=$(snapshot)
echo "  before the control: $s0"
echo "  after the control:  $s1"
for k in srv_tcp srv_udp ip4 tcp udp udp6 rx; do
	if [ "$(field "$s1" "$k")" -gt "$(field "$s0" "$k")" ]; then
		pass "control: the test host's '$k' counter saw it"
	else
		fail "control: the test host's '$k' counter saw it" "before: $s0" "after:  $s1"
	fi
done

# --- blocked ----------------------------------------------------------------------------------
for mode in --block-network --network=none; do
	capture srun "$mode" -- "$NET_PY" "$NET_PROGS/netprobe.py" "${probes[@]}"
	expect_eq "$mode: every probe fails with ENETUNREACH" \
		"$(printf '%s ENETUNREACH\n' "tcp $A_IP4 8080" "udp $A_IP4 8080" "tcp $A_IP4 8089" \
			"udp $A_IP4 8089" "tcp $A_IP6 8080" "udp $A_IP6 8080" "tcp $A_IP6 8089" \
			"udp $A_IP6 8089")" \
		"$(printf '%s\n' "$OUT" | sed -E 's/ [0-9]+\.[0-9]{3}$//')"
	slow=$(printf '%s\n' "$OUT" | awk '$NF >= 0.5')
	expect_eq "  ...at once (each under 0.5 s)" "" "$slow"
	for url in "http://$A_IP4:8080/" "http://[$A_IP6]:8080/"; do
		start=${EPOCHREALTIME/./}
		capture srun "$mode" -- curl -sSv --max-time 5 "$url"
		ms=$(((${EPOCHREALTIME/./} - start) / 1000))
		expect_eq "$mode: curl $url fails with exit 7 (couldn't connect)" 7 "$RC"
		expect_match "  ...Network is unreachable" \
			'^\* (Immediate connect fail for .*|connect to .* failed): Network is unreachable$' "$ERR"
		if [ "$ms" -lt 2000 ]; then
			pass "  ...at once (the whole run took $ms ms)"
		else
			fail "  ...at once" "the whole run took $ms ms"
		fi
	done
done

# Give a packet that did leak time to arrive, then compare.
sleep 0.5
s2=$(snapshot)
echo "  after the blocked runs: $s2"
expect_eq "the test host's server got no connection and no datagram" \
	"$(fields "$s1" srv_tcp srv_udp)" "$(fields "$s2" srv_tcp srv_udp)"
expect_eq "its stack received no IPv4 packet, TCP segment or UDP datagram (/proc/net/snmp)" \
	"$(fields "$s1" ip4 tcp udp udp6)" "$(fields "$s2" ip4 tcp udp udp6)"
# The veth's rx counter also counts what the host's kernel sends on its own:
# IPv6 MLD reports and router solicitations for a link that came up a moment
# ago, neighbour probes.  A few packets of that are tolerated; the 2 x 12
# blocked attempts above would each have cost at least one packet (plus ARP
# or neighbour discovery), far more than that.
rx1=$(field "$s1" rx) rx2=$(field "$s2" rx)
if [ $((rx2 - rx1)) -le 3 ]; then
	pass "its veth received at most 3 packets (kernel IPv6 noise): $((rx2 - rx1))"
else
	fail "its veth received at most 3 packets (kernel IPv6 noise)" "got $((rx2 - rx1)): $s1 -> $s2"
fi

e2e_finish
