#!/bin/bash
# The host's own addresses are never reachable from the guest, whatever the
# policy: servers listening on the host's 127.0.0.1 and ::1, and on the
# host's side of a test host's veth (10.213.X.1, fd99:X::1: a host address
# on a real network), get nothing from the sandbox, whether it aims at
# 127.0.0.1 / ::1 (its own loopback), 0.0.0.0, the gateway 10.0.2.2 and its IPv6 twin
# (the NAT's address for the host), IPv4-mapped forms, or the veth address
# itself; by default and with --cidr-allow covering all of those ranges.
# Controls: the same servers answer natively, and the test host reaches its
# gateway 10.213.X.1.
. "$(dirname -- "$0")/lib.sh"
. "$E2E_DIR/netns.sh"

sandbox_netconf
testhost_new A
read -r P4 P6 PH < <(free_ports 3)
testhost_server host "$P4" 127.0.0.1
testhost_server host "$P6" ::1
testhost_server host "$PH" "$A_HOST4"
testhost_server host "$PH" "$A_HOST6"
echo "  host servers: 127.0.0.1:$P4 [::1]:$P6 $A_HOST4:$PH [$A_HOST6]:$PH"

strip_times()
{
	sed -E 's/ [0-9]+\.[0-9]{3}$//'
}

all_counts()
{
	echo "$(testhost_counts host "$P4" 127.0.0.1); $(testhost_counts host "$P6" ::1);" \
		"$(testhost_counts host "$PH" "$A_HOST4"); $(testhost_counts host "$PH" "$A_HOST6")"
}

# --- controls ----------------------------------------------------------------------------
capture "$NET_PY" "$NET_PROGS/netprobe.py" "tcp/127.0.0.1/$P4" "udp/127.0.0.1/$P4" \
	"tcp/::1/$P6" "tcp/$A_HOST4/$PH" "tcp/$A_HOST6/$PH"
expect_eq "control: natively, the four host servers answer" \
	"tcp 127.0.0.1 $P4 ok:hello host from 127.0.0.1
udp 127.0.0.1 $P4 ok:udp host ping
tcp ::1 $P6 ok:hello host from ::1
tcp $A_HOST4 $PH ok:hello host from $A_HOST4
tcp $A_HOST6 $PH ok:hello host from $A_HOST6" "$(printf '%s\n' "$OUT" | strip_times)"
capture ip netns exec "$A_NS" "$NET_PY" "$NET_PROGS/netprobe.py" "tcp/$A_HOST4/$PH"
expect_eq "control: the test host reaches the host's $A_HOST4:$PH" \
	"tcp $A_HOST4 $PH ok:hello host from $A_IP4" "$(printf '%s\n' "$OUT" | strip_times)"
base=$(all_counts)

# --- from the sandbox ---------------------------------------------------------------------
# A connection that got through would take milliseconds (0.3 s is plenty),
# and one that got through late would still show in the servers' counts.
probes=("tcp/127.0.0.1/$P4/0.3" "udp/127.0.0.1/$P4/0.3" "tcp/$SB_GW4/$P4/0.3"
	"udp/$SB_GW4/$P4/0.3" "tcp/0.0.0.0/$P4/0.3" "tcp/::ffff:127.0.0.1/$P4/0.3"
	"tcp/::ffff:$SB_GW4/$P4/0.3" "tcp/::1/$P6/0.3" "tcp/$SB_GW6/$P6/0.3"
	"tcp/$A_HOST4/$PH/0.3" "udp/$A_HOST4/$PH/0.3" "tcp/$A_HOST6/$PH/0.3"
	"tcp/::ffff:$A_HOST4/$PH/0.3")
for policy in "" "--cidr-allow 10.0.0.0/8 --cidr-allow 127.0.0.0/8 --cidr-allow ::/0"; do
	# shellcheck disable=SC2086 # $policy: several words
	capture srun $policy -- "$NET_PY" "$NET_PROGS/netprobe.py" "${probes[@]}"
	reached=$(printf '%s\n' "$OUT" | awk '$4 ~ /^ok:/ || $4 ~ /^connected/')
	expect_eq "${policy:-default network}: no probe of the host's addresses connects" "" "$reached"
	expect_eq "  ...all ${#probes[@]} probes ran" "${#probes[@]}" "$(printf '%s\n' "$OUT" | grep -c .)"
	echo "  ${policy:-default network}: $(printf '%s\n' "$OUT" | awk '{printf "%s %s:%s %s; ", $1, $2, $3, $4}')"
done

for url in "http://127.0.0.1:$P4/" "http://$SB_GW4:$P4/" "http://[$SB_GW6]:$P6/" "http://[::1]:$P6/" \
	"http://$A_HOST4:$PH/"; do
	capture srun -- curl -sS --max-time 0.5 "$url"
	expect_ne "curl $url from the sandbox fails (exit $RC)" 0 "$RC"
done

sleep 0.5
expect_eq "the host's servers got nothing from the sandboxes" "$base" "$(all_counts)"

e2e_finish
