#!/bin/bash
# --cidr-allow: two test hosts, A inside the allowlist and B outside it.  A is
# reachable (TCP and UDP, IPv4 and IPv6, curl); B is refused at once inside
# the sandbox with ECONNREFUSED (curl: exit 7), over IPv4, IPv6 and as an
# IPv4-mapped IPv6 address (::ffff:10.213.Y.2), and neither a broadcast nor a
# multicast datagram gets out instead; B's namespace sees not one packet.
# The allowlist is per family (an IPv4-only list refuses all IPv6 and the
# other way round), and a /32 is one host.  DNS to the sandbox's resolver
# (10.0.2.3 and its IPv6 twin) is refused under an allowlist unless --allow-dns.
. "$(dirname -- "$0")/lib.sh"
. "$E2E_DIR/netns.sh"

sandbox_netconf
testhost_new A
testhost_new B
testhost_server A 8080
testhost_server B 8080
echo "  allowed test host A: $A_IP4 $A_IP6; other test host B: $B_IP4 $B_IP6"

strip_times()
{
	sed -E 's/ [0-9]+\.[0-9]{3}$//'
}

# refused_at_once DESC: every line of $OUT that is not "ok" took < 0.5 s (a
# packet dropped on the way would leave the guest waiting for seconds).
refused_at_once()
{
	local slow
	slow=$(printf '%s\n' "$OUT" | awk '$4 !~ /^ok:/ && $NF >= 0.5')
	expect_eq "$1" "" "$slow"
}

# curl_errors ERR: the connect errors curl -v reported, as strerror texts
# (at once, "Immediate connect fail for ...: TEXT"; or later, "connect to
# ... failed: TEXT").
curl_errors()
{
	sed -nE 's/^\* (Immediate connect fail for .*|connect to .* failed): (.*)$/\2/p' <<<"$1" | sort -u
}

allow=(--cidr-allow "$A_NET4" --cidr-allow "$A_NET6")

# --- A allowed, B refused -----------------------------------------------------------------
# (IPv6 TCP before IPv6 UDP: a sandbox's very first IPv6 packet is
# t_net_egress's business.)
capture srun "${allow[@]}" -- "$NET_PY" "$NET_PROGS/netprobe.py" \
	"tcp/$A_IP4/8080" "udp/$A_IP4/8080" "tcp/$A_IP6/8080" "udp/$A_IP6/8080" \
	"tcp/$B_IP4/8080" "udp/$B_IP4/8080" "tcp/$B_IP6/8080" "udp/$B_IP6/8080" \
	"tcp/::ffff:$B_IP4/8080" "udp/::ffff:$B_IP4/8080" "tcp/$B_IP4/8089"
expect_eq "--cidr-allow $A_NET4 --cidr-allow $A_NET6: A reachable, B refused (ECONNREFUSED)" \
	"tcp $A_IP4 8080 ok:hello A from $A_HOST4
udp $A_IP4 8080 ok:udp A ping
tcp $A_IP6 8080 ok:hello A from $A_HOST6
udp $A_IP6 8080 ok:udp A ping
tcp $B_IP4 8080 ECONNREFUSED
udp $B_IP4 8080 ECONNREFUSED
tcp $B_IP6 8080 ECONNREFUSED
udp $B_IP6 8080 ECONNREFUSED
tcp ::ffff:$B_IP4 8080 ECONNREFUSED
udp ::ffff:$B_IP4 8080 ECONNREFUSED
tcp $B_IP4 8089 ECONNREFUSED" "$(printf '%s\n' "$OUT" | strip_times)"
refused_at_once "  ...refused at once (each under 0.5 s)"

capture srun "${allow[@]}" -- /bin/sh -c "curl -sS --max-time 5 http://$A_IP4:8080/; echo \$?;
	curl -sS --max-time 5 'http://[$A_IP6]:8080/'; echo \$?"
expect_eq "curl to A over IPv4 and IPv6 works" \
	"testhost A from $A_HOST4
0
testhost A from $A_HOST6
0" "$OUT"
for url in "http://$B_IP4:8080/" "http://[$B_IP6]:8080/" "http://[::ffff:$B_IP4]:8080/"; do
	start=${EPOCHREALTIME/./}
	capture srun "${allow[@]}" -- curl -sSv --max-time 5 "$url"
	ms=$(((${EPOCHREALTIME/./} - start) / 1000))
	expect_eq "curl $url: exit 7 (connection refused)" "7 Connection refused" \
		"$RC $(curl_errors "$ERR")"
	if [ "$ms" -lt 2000 ]; then
		pass "  ...at once (the whole run took $ms ms)"
	else
		fail "  ...at once" "the whole run took $ms ms"
	fi
done

# Broadcast and multicast cannot carry anything to B either.
capture srun "${allow[@]}" -- "$NET_PY" "$NET_PROGS/netprobe.py" \
	"udpb/10.213.$B_X.255/8080/0.5" "udpb/255.255.255.255/8080/0.5" \
	"udp/224.0.0.1/8080/0.5" "udp/239.1.2.3/8080/0.5" "udp/ff02::1/8080/0.5" \
	"udp/ff0e::1234/8080/0.5"
bad=$(printf '%s\n' "$OUT" | awk '$4 ~ /^ok:/ || $4 == "timeout"')
expect_eq "broadcast (B's subnet, 255.255.255.255) and multicast: sendto fails" "" "$bad"
expect_eq "  ...B's subnet broadcast with ECONNREFUSED (outside the allowlist)" \
	"udpb 10.213.$B_X.255 8080 ECONNREFUSED" "$(printf '%s\n' "$OUT" | head -1 | strip_times)"
echo "  broadcast/multicast errnos: $(printf '%s\n' "$OUT" | awk '{printf "%s %s; ", $2, $4}')"

# --- per family, and single hosts ----------------------------------------------------------------
capture srun --cidr-allow "$A_IP4/32" -- "$NET_PY" "$NET_PROGS/netprobe.py" \
	"tcp/$A_IP4/8080" "tcp/::ffff:$A_IP4/8080" "tcp/$A_IP6/8080" "udp/$A_IP6/8080" \
	"tcp/10.213.$A_X.3/8080"
expect_eq "--cidr-allow $A_IP4/32 (IPv4 only): A's IPv4 (also IPv4-mapped) yes; IPv6 and .3 refused" \
	"tcp $A_IP4 8080 ok:hello A from $A_HOST4
tcp ::ffff:$A_IP4 8080 ok:hello A from $A_HOST4
tcp $A_IP6 8080 ECONNREFUSED
udp $A_IP6 8080 ECONNREFUSED
tcp 10.213.$A_X.3 8080 ECONNREFUSED" "$(printf '%s\n' "$OUT" | strip_times)"
refused_at_once "  ...refused at once"
capture srun --cidr-allow "$A_NET6" -- "$NET_PY" "$NET_PROGS/netprobe.py" \
	"tcp/$A_IP6/8080" "tcp/$A_IP4/8080" "udp/$A_IP4/8080" "tcp/::ffff:$A_IP4/8080"
expect_eq "--cidr-allow $A_NET6 (IPv6 only): A's IPv6 yes; IPv4 (also IPv4-mapped) refused" \
	"tcp $A_IP6 8080 ok:hello A from $A_HOST6
tcp $A_IP4 8080 ECONNREFUSED
udp $A_IP4 8080 ECONNREFUSED
tcp ::ffff:$A_IP4 8080 ECONNREFUSED" "$(printf '%s\n' "$OUT" | strip_times)"
refused_at_once "  ...refused at once"

# --- DNS ---------------------------------------------------------------------------------------
capture srun "${allow[@]}" -- "$NET_PY" "$NET_PROGS/netprobe.py" \
	"udp/$SB_DNS4/53" "udp/$SB_DNS6/53" "tcp/$SB_DNS4/53"
expect_eq "no --allow-dns: DNS to $SB_DNS4 and $SB_DNS6 refused (ECONNREFUSED)" \
	"udp $SB_DNS4 53 ECONNREFUSED
udp $SB_DNS6 53 ECONNREFUSED
tcp $SB_DNS4 53 ECONNREFUSED" "$(printf '%s\n' "$OUT" | strip_times)"
refused_at_once "  ...at once"
# With --allow-dns the resolver takes the datagram (whether an answer comes
# back depends on the host's own DNS, so only the refusal is checked).
capture srun "${allow[@]}" --allow-dns -- "$NET_PY" "$NET_PROGS/netprobe.py" \
	"udp/$SB_DNS4/53/0.5" "udp/$B_IP4/8080"
expect_eq "--allow-dns: sendto $SB_DNS4:53 is not refused; B still is" \
	"udp $SB_DNS4 53 not-refused
udp $B_IP4 8080 ECONNREFUSED" \
	"$(printf '%s\n' "$OUT" | strip_times | sed -E "s/^(udp ${SB_DNS4//./\\.} 53) (ok:.*|timeout)\$/\\1 not-refused/")"

# --- what the other test host saw ---------------------------------------------------------------
sleep 0.3
expect_eq "B's server got nothing" "tcp 0 udp 0" "$(testhost_counts B 8080)"
expect_eq "B's stack received no IPv4 packet, TCP segment or UDP datagram" \
	"ip4 0 tcp 0 udp 0 udp6 0" "$(testhost_snmp B)"
# (2 + 2 TCP and 2 UDP in the first runs, then 2 + 1 TCP in the per-family ones)
expect_eq "A's server got what the sandboxes sent it" "tcp 7 udp 2" "$(testhost_counts A 8080)"

e2e_finish
