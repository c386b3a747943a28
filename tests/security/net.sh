# shellcheck shell=bash
# shellcheck disable=SC2154,SC2086 # here, work, wrap...: run.sh's; the target lists are split on purpose
# The network area of tests/security/run.sh (sourced by it): the net_*
# programs run once under each policy, against two test hosts and listeners
# on the host, and the listeners' counts prove from the outside that nothing
# forbidden arrived.
#
# Test hosts: network namespaces joined to the host by veth pairs (names carry
# run.sh's pid: sec-net-PID-a / -f, veths s2hPIDa / s2hPIDf; removed at the
# end, on failure and on SIGINT/SIGTERM too; those of a run that was
# SIGKILLed are removed by the next run):
#   A  10.214.X.2 / fd98:X::2   the allowed host of --cidr-allow (its /24 and
#                               /64, which also hold the host's side of the
#                               veth, X.1: an allowed range with a host
#                               address and a broadcast address in it)
#   F  10.214.Y.2 / fd98:Y::2   a host outside the allowlist
# Each runs netcount.py on TCP and UDP port P (a free port) and 53.  On the
# host: netcount.py on TCP and UDP port P on every address (127.0.0.1, ::1,
# eth0's, the veths' host side, and two kinds that no interface lists: the
# veths' subnet-router anycast fd98:X:: with IPv6 forwarding on for them, and
# 10.214.X.64/26 made local by a route), and unix listeners (abstract names,
# a path under WORK, under /run, and in a directory bound into the sandbox).
#
# The sentries run in a mount namespace of their own where /etc/resolv.conf
# names F: libslirp forwards the sandbox resolver's queries to the host's
# resolver from that file, so a forwarded query shows in F's port-53 count
# (the positive control of DNS under the default policy, and the proof that
# none is forwarded under --cidr-allow without --allow-dns).
#
# Policies: --block-network (nothing leaves), --cidr-allow A's ranges, and the
# default network.  After each, the counts are checked (area "net-host"):
# nothing on the host's listeners, nothing on F (nor A, under
# --block-network: not one IPv4 packet, TCP segment, UDP datagram or ICMP
# echo in its namespace's counters), and as controls A (and F, by default)
# did get the allowed probes.  At the end: the host's routes, addresses,
# rules, permanent neighbours and network sysctls are unchanged.

NET_PY=/usr/bin/python3
NET_LOCK=/run/lock/sentry-security-netns.lock
NET_NS=()
NET_VETHS=()
NET_PIDS=()
NET_RUNDIR=

net_cleanup()
{
	local p ns i
	for p in "${NET_PIDS[@]}"; do
		kill -9 "$p" 2>/dev/null
	done
	for ns in "${NET_NS[@]}"; do
		for p in $(ip netns pids "$ns" 2>/dev/null); do
			kill -9 "$p" 2>/dev/null
		done
	done
	for p in "${NET_VETHS[@]}"; do
		ip link del "$p" 2>/dev/null
	done
	for ns in "${NET_NS[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
	[ -n "$NET_RUNDIR" ] && rm -rf "$NET_RUNDIR"
	NET_NS=() NET_VETHS=() NET_PIDS=() NET_RUNDIR=
	# wait for the processes, so that none outlives the run
	for ((i = 0; i < 20; i++)); do
		kill -0 "${NET_WAIT[@]}" 2>/dev/null || break
		sleep 0.1
	done
}
NET_WAIT=()

# The test hosts of runs that are gone (sec-net-PID-*, PID not running).
net_reap_stale()
{
	local ns pid
	for ns in $(ip netns list 2>/dev/null | awk '{print $1}'); do
		[[ $ns =~ ^sec-net-([0-9]+)-[af]$ ]] || continue
		pid=${BASH_REMATCH[1]}
		kill -0 "$pid" 2>/dev/null && continue
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
		ip link del "s2h${pid}${ns: -1}" 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
}

net_subnet_used()
{
	ip -o addr show 2>/dev/null | grep -Eq " (10\\.214\\.$1\\.[0-9]+/|fd98:$1::[0-9a-f:]*/)"
}

# net_host NAME: the namespace sec-net-PID-NAME, 10.214.X.0/24 and
# fd98:X::/64, the host's side .1/::1, the test host .2/::2.  Sets X.
net_host()
{
	local name=$1 ns=sec-net-$$-$1 hif=s2h$$$1 nif=s2n$$$1 tries
	for ((tries = 0; tries < 200; tries++)); do
		X=$((RANDOM % 250 + 5))
		net_subnet_used "$X" || break
	done
	NET_NS+=("$ns")
	NET_VETHS+=("$hif")
	ip netns add "$ns" &&
		ip link add "$hif" type veth peer name "$nif" netns "$ns" &&
		ip addr add "10.214.$X.1/24" dev "$hif" &&
		ip addr add "fd98:$X::1/64" dev "$hif" nodad &&
		ip link set "$hif" up &&
		ip -n "$ns" link set lo up &&
		ip -n "$ns" addr add "10.214.$X.2/24" dev "$nif" &&
		ip -n "$ns" addr add "fd98:$X::2/64" dev "$nif" nodad &&
		ip -n "$ns" link set "$nif" up &&
		ip -n "$ns" route add default via "10.214.$X.1" &&
		ip -n "$ns" -6 route add default via "fd98:$X::1"
}

# net_listen WHERE STATE SPEC...: netcount.py in namespace WHERE ("" for the
# host), ready when this returns.
net_listen()
{
	local where=$1 st=$2 i
	shift 2
	rm -f "$st"
	if [ -n "$where" ]; then
		ip netns exec "$where" "$NET_PY" "$here/netcount.py" "$st" "$where" "$@" &
	else
		"$NET_PY" "$here/netcount.py" "$st" host "$@" &
	fi
	NET_PIDS+=($!)
	NET_WAIT+=($!)
	disown $!
	for ((i = 0; i < 100; i++)); do
		[ -s "$st" ] && return 0
		sleep 0.05
	done
	echo "security: the listener $st did not start" >&2
	return 1
}

# net_count STATE SPEC: what that listener counted.
net_count()
{
	awk -v k="$2" '$1 == k {print $2}' "$1" 2>/dev/null
}

# net_snmp NS: "ip4 N tcp N udp6 N icmp6echo N" of the namespace (IPv4
# packets in, TCP segments in (v4 and v6), UDPv6 datagrams in, ICMPv6 echo
# requests in; IPv6 neighbour discovery is not in them).
net_snmp()
{
	ip netns exec "$1" "$NET_PY" - <<'PY'
rows = [l.split() for l in open("/proc/net/snmp")]
s = {}
for names, vals in zip(rows[0::2], rows[1::2]):
    for k, v in zip(names[1:], vals[1:]):
        s[names[0] + k] = int(v)
s6 = dict((k, int(v)) for k, v in (l.split() for l in open("/proc/net/snmp6")))
print("ip4 %d tcp %d udp6 %d icmp6echo %d" % (
    s["Ip:InReceives"], s["Tcp:InSegs"],
    s6["Udp6InDatagrams"] + s6["Udp6NoPorts"] + s6["Udp6InErrors"], s6["Icmp6InEchos"]))
PY
}

# The host's network configuration an attack could change: routes,
# addresses and links of the interfaces that were there before the run
# (other tests' veths come and go), rules, permanent neighbours, sysctls.
net_host_config()
{
	local i
	for i in "${NET_IFACES[@]}"; do
		ip -o link show dev "$i" 2>&1 | sed -E 's/ qlen [0-9]+//; s/state [A-Z]+//'
		ip -o addr show dev "$i" 2>&1 | sed -E 's/valid_lft.*//'
		ip route show table all dev "$i" 2>&1 | grep -v -E '^(broadcast|multicast) |expires'
		ip -6 route show table all dev "$i" 2>&1 | grep -v -E '^multicast |expires'
	done
	ip rule show
	ip -6 rule show
	ip neigh show nud permanent
	ip -o link show | grep -c pwned
	# (not ping_group_range: tests/conformance/net_icmp_ping changes it for a
	# moment natively, and may run at the same time)
	for i in ipv4/ip_forward ipv4/conf/all/route_localnet ipv4/conf/all/forwarding \
		ipv6/conf/all/forwarding ipv4/ip_unprivileged_port_start \
		ipv4/conf/all/accept_local core/bpf_jit_enable; do
		echo "$i $(cat "/proc/sys/net/$i" 2>&1)"
	done
}

net_setup()
{
	if [ "$(id -u)" -ne 0 ] || ! ip netns list >/dev/null 2>&1 || [ ! -x "$NET_PY" ]; then
		echo "security: the net area needs root, iproute2 with \`ip netns\` and $NET_PY" >&2
		return 1
	fi
	net_reap_stale
	mapfile -t NET_IFACES < <(ip -o link show | awk -F': ' '{sub(/@.*/, "", $2); print $2}' |
		grep -v -E '^(e2[hn]|s2[hn]|veth)')
	NET_CONFIG_BEFORE=$(net_host_config)
	mkdir -p "$(dirname "$NET_LOCK")"
	exec {lockfd}>"$NET_LOCK"
	flock -w 10 "$lockfd" || true
	net_host a && A=$X && net_host f && F=$X
	local rc=$?
	exec {lockfd}>&-
	[ $rc -eq 0 ] || { echo "security: cannot create the test hosts" >&2; return 1; }
	A4=10.214.$A.2 A6=fd98:$A::2 AH4=10.214.$A.1 AH6=fd98:$A::1 ABC=10.214.$A.255
	F4=10.214.$F.2 F6=fd98:$F::2 FH4=10.214.$F.1 FH6=fd98:$F::1 FBC=10.214.$F.255
	# Host addresses that no interface lists: with IPv6 forwarding on for
	# the veths (as on a Docker or Kubernetes host), their prefixes'
	# subnet-router anycast addresses fd98:X:: are the host's; and a local
	# route makes 10.214.X.64/26 the host's (AnyIP).  Both on the veths, so
	# they go with them.
	AAC=fd98:$A:: FAC=fd98:$F:: ALR=10.214.$A.77 FLR=10.214.$F.77
	sysctl -q -w "net.ipv6.conf.s2h$$a.forwarding=1" "net.ipv6.conf.s2h$$f.forwarding=1" &&
		ip route add local "10.214.$A.64/26" dev "s2h$$a" table local &&
		ip route add local "10.214.$F.64/26" dev "s2h$$f" table local ||
		{ echo "security: cannot add the anycast and local addresses" >&2; return 1; }
	# The host's own addresses on its other interfaces (eth0's...).
	HOST4=$(ip -o -4 addr show scope global | grep -v -E ' (e2[hn]|s2[hn]|veth)' |
		awk '{sub(/\/.*/, "", $4); print $4; exit}')
	HOST6=$(ip -o -6 addr show scope global | grep -v -E ' (e2[hn]|s2[hn]|veth)' |
		awk '{sub(/\/.*/, "", $4); print $4; exit}')
	# (none: F's host side stands in, forbidden under every policy but the
	# default, where it is a soft target as these are)
	HOST4=${HOST4:-$FH4} HOST6=${HOST6:-$FH6}
	NET_PORT=$("$NET_PY" -c 'import socket; s = socket.socket(socket.AF_INET6); s.bind(("::", 0)); print(s.getsockname()[1])')
	P=$NET_PORT
	NET_RUNDIR=/run/sentry-security-$$
	mkdir -p "$NET_RUNDIR" "$work/sock"
	NET_ABSTRACT=sentry-security-$$
	unix_specs=()
	for path in "$work/ctl.sock" "$NET_RUNDIR/ctl.sock" "$work/sock/ctl.sock"; do
		unix_specs+=("unix:$path" "useq:$path.seq" "udgram:$path.dgram")
	done
	net_listen "sec-net-$$-a" "$work/count-a" "tcp:$P" "udp:$P" tcp:53 udp:53 &&
		net_listen "sec-net-$$-f" "$work/count-f" "tcp:$P" "udp:$P" tcp:53 udp:53 &&
		net_listen "" "$work/count-host" "tcp:$P" "udp:$P" "abstract:$NET_ABSTRACT" \
			"aseq:$NET_ABSTRACT-seq" "adgram:$NET_ABSTRACT-dgram" "${unix_specs[@]}" || return 1
	# The sentries' own /etc/resolv.conf names F (see the top).
	printf 'nameserver %s\nnameserver %s\n' "$F4" "$F6" >"$work/resolv.conf"
	wrap=(unshare --mount --propagation private sh -c
		'mount --bind "$0" /etc/resolv.conf && exec "$@"' "$work/resolv.conf")
	NET_DNS=1
	if ! "${wrap[@]}" true 2>/dev/null; then
		echo "security: no mount namespace for the DNS redirect; DNS forwarding is not checked"
		wrap=()
		NET_DNS=0
	fi
	echo "security: test hosts A $A4 $A6 (allowed by --cidr-allow), F $F4 $F6; host $HOST4 $HOST6; port $P"
}

# Everything the sandbox must never reach, whatever the policy.
net_always_denied()
{
	local g4=10.0.2.2 g6=fd53:6e74::2 d4=10.0.2.3 d6=fd53:6e74::3
	echo deny=127.0.0.1 deny=::1 deny=0.0.0.0 deny=:: deny=127.1.2.3 \
		deny=$g4 deny=$g6 "deny=$g4#53" "deny=$g6#53" "deny=$d4#$P" "deny=$d6#$P" \
		deny=10.0.2.1 deny=10.0.2.4 deny=10.0.2.254 deny=10.0.2.0 deny=fd53:6e74::1 \
		deny=fd53:6e74::4 deny=fd53:6e74::ffff \
		deny=255.255.255.255 deny=10.0.2.255 deny=224.0.0.1 deny=239.255.255.250 \
		deny=ff02::1 deny=ff05::1:3 deny=ff0e::1 deny=fe80::2 deny=fe80::1 \
		deny=169.254.169.254 deny=0.1.2.3
}

# net_egress_args POLICY: the targets of net_egress under POLICY.
net_egress_args()
{
	local d4=10.0.2.3 d6=fd53:6e74::3
	case $1 in
	none)
		# F first: the socket tricks aim at the first deny target
		echo mode=none port=$P deny=$F4 deny=$F6 deny=$A4 deny=$A6 "deny=$F4#53" \
			"deny=$F6#53" deny=$AH4 deny=$AH6 deny=$FH4 deny=$HOST4 deny=$HOST6 \
			deny=$ABC deny=$FBC deny=$AAC deny=$ALR "deny=$d4#53" "deny=$d6#53" \
			$(net_always_denied) ;;
	cidr)
		echo mode=cidr port=$P allow=$A4 allow=$A6 deny=$F4 deny=$F6 "deny=$F4#53" \
			"deny=$F6#53" deny=$FH4 deny=$FH6 deny=$HOST4 deny=$HOST6 deny=$FBC \
			deny=$FAC deny=$FLR "deny=$d4#53" "deny=$d6#53" soft=$AH4 soft=$AH6 \
			soft=$ABC soft=$AAC soft=$ALR $(net_always_denied) ;;
	default)
		local dns=
		[ "$NET_DNS" = 1 ] && dns="allow=$d4#53 allow=$d6#53"
		echo mode=default port=$P allow=$A4 allow=$A6 allow=$F4 allow=$F6 $dns \
			soft=$AH4 soft=$AH6 soft=$FH4 soft=$FH6 soft=$HOST4 soft=$HOST6 \
			soft=$ABC soft=$FBC soft=$AAC soft=$FAC soft=$ALR soft=$FLR \
			$(net_always_denied) ;;
	esac
}

net_policy_args()
{
	case $1 in
	none) echo --block-network ;;
	cidr) echo "--cidr-allow 10.214.$A.0/24 --cidr-allow fd98:$A::/64" ;;
	default) ;;
	esac
}

# net_counts: every listener's counts and both namespaces' counters, one
# "NAME VALUE" per line.
net_counts()
{
	local h
	for h in a f; do
		sed "s/^/$h:/" "$work/count-$h"
		net_snmp "sec-net-$$-$h" | awk -v h=$h '{for (i = 1; i < NF; i += 2) print h ":" $i, $(i + 1)}'
	done
	sed 's/^/host:/' "$work/count-host"
}

# net_delta BEFORE AFTER KEY: how much KEY grew.
net_delta()
{
	local b a
	b=$(awk -v k="$3" '$1 == k {print $2}' <<<"$1")
	a=$(awk -v k="$3" '$1 == k {print $2}' <<<"$2")
	echo $((${a:-0} - ${b:-0}))
}

# net_check_counts POLICY BEFORE AFTER
net_check_counts()
{
	local pol=$1 b=$2 a=$3 k d bad=() h
	# the host's listeners: nothing, ever
	for k in $(awk '$1 ~ /^host:/ {print $1}' <<<"$a"); do
		d=$(net_delta "$b" "$a" "$k")
		[ "$d" -eq 0 ] || bad+=("$k +$d")
	done
	host_check "[$pol] the host's listeners (TCP/UDP $P on every host address, unix) got nothing${bad:+: ${bad[*]}}" \
		"$(ok test ${#bad[@]} -eq 0)" net-host
	# the forbidden test hosts: not a packet
	local forbidden=(f)
	[ "$pol" = none ] && forbidden=(a f)
	[ "$pol" = default ] && forbidden=()
	for h in "${forbidden[@]}"; do
		bad=()
		for k in "$h:tcp:$P" "$h:udp:$P" "$h:tcp:53" "$h:udp:53" "$h:ip4" "$h:tcp" "$h:udp6" \
			"$h:icmp6echo"; do
			d=$(net_delta "$b" "$a" "$k")
			[ "$d" -eq 0 ] || bad+=("$k +$d")
		done
		host_check "[$pol] the forbidden test host ${h^^} got nothing (connections, datagrams, IPv4 packets, TCP segments, UDPv6, ICMPv6 echo)${bad:+: ${bad[*]}}" \
			"$(ok test ${#bad[@]} -eq 0)" net-host
	done
	# controls: what was allowed did arrive
	local reached=()
	[ "$pol" = cidr ] && reached=(a)
	[ "$pol" = default ] && reached=(a f)
	for h in "${reached[@]}"; do
		if [ "$(net_delta "$b" "$a" "$h:tcp:$P")" -gt 0 ] && [ "$(net_delta "$b" "$a" "$h:udp:$P")" -gt 0 ]; then
			echo "control [$pol] the allowed test host ${h^^} got the probes: ok"
		else
			echo "control [$pol] the allowed test host ${h^^} got the probes: FAILED"
			failed=$((failed + 1))
		fi
	done
	if [ "$pol" = default ] && [ "$NET_DNS" = 1 ]; then
		if [ "$(net_delta "$b" "$a" "f:udp:53")" -gt 0 ]; then
			echo "control [$pol] the sandbox resolver forwarded to F:53: ok"
		else
			echo "control [$pol] the sandbox resolver forwarded to F:53: FAILED"
			failed=$((failed + 1))
		fi
	fi
}

net_run()
{
	local pol prog name before after args
	if ! net_setup; then
		failed=$((failed + 1))
		echo "FAIL net (no test hosts)"
		return
	fi
	for pol in none cidr default; do
		before=$(net_counts)
		for prog in "$@"; do
			name=${prog##*/}
			case $name in
			net_egress) args=$(net_egress_args $pol) ;;
			net_kernel)
				if [ $pol = default ]; then args="$AH4 $AH6"; else args="$F4 $F6"; fi ;;
			net_unix) args="$NET_ABSTRACT $work/ctl.sock $NET_RUNDIR/ctl.sock /hostsock/ctl.sock" ;;
			*) args= ;;
			esac
			# shellcheck disable=SC2046,SC2086 # word splitting wanted
			run_prog "$name[$pol]" "$prog" $(net_policy_args $pol) -v "$work/sock:/hostsock" \
				-- $args
		done
		# a datagram slirp let through late would still be counted
		sleep 0.3
		after=$(net_counts)
		net_check_counts $pol "$before" "$after"
	done
	host_check "the host's routes, addresses, links, rules, permanent neighbours and network sysctls are unchanged" \
		"$(ok test "$(net_host_config)" = "$NET_CONFIG_BEFORE")" net-host
	wrap=()
}
