# shellcheck shell=bash
# Test hosts and sandbox helpers for the network tests (tests/e2e/t_net_*.sh):
# source it after lib.sh.  A test host is a network namespace joined to the
# host by a veth pair, created by the test and removed when it exits
# (e2e_cleanup_hook runs from lib.sh's EXIT trap: on failure, and on SIGTERM
# from run.sh's time limit too; a test that defines its own hook calls
# sandbox_cleanup and net_cleanup from it).  Network tests use only loopback
# and such test hosts.
#
#   testhost_new PFX    creates one and sets, for it:
#       PFX_NS     the namespace          PFX_X      its subnet number X
#       PFX_IP4    10.213.X.2             PFX_HOST4  10.213.X.1 (the host's side)
#       PFX_IP6    fd99:X::2              PFX_HOST6  fd99:X::1
#       PFX_NET4   10.213.X.0/24          PFX_NET6   fd99:X::/64
#       PFX_IF     the veth inside the namespace (default routes via the host)
#   testhost_run PFX CMD...   runs CMD in PFX's namespace in the background
#                             (killed at cleanup)
#   testhost_server PFX PORT [ADDR]
#                             starts progs/testhost_server.py there: TCP and
#                             UDP on PORT, IPv4 and IPv6, counting what it
#                             gets (PFX "host": on the host, bound to ADDR)
#   testhost_counts PFX PORT [ADDR]
#                             prints "tcp N udp M": what that server received
#   testhost_rx PFX           packets received by the veth inside PFX
#   testhost_snmp PFX         "ip4 N tcp N udp N udp6 N": the namespace's own
#                             IPv4 packets, TCP segments and UDP datagrams in
#                             (/proc/net/snmp and snmp6; unlike rx, no IPv6
#                             neighbour discovery or MLD noise in them)
#
#   free_ports N              N free TCP ports of the host's loopback
#   port_bindable ADDR PORT   ADDR:PORT can be bound on the host right now
#   wait_url URL [CURL_ARGS]  polls URL with curl (10 s at most); sets BODY
#   sandbox_netconf           sets SB_ADDR4/6, SB_GW4/6, SB_DNS4/6: the sandbox's
#                             eth0 address, gateway and DNS server
#   sandbox_bg OUT ERR ARGS   `sentry run ARGS` in the background; sets SB_PID
#   sandbox_wait PID SECONDS  waits for it to end; sets SB_RC
#   tree_pids PID             PID and its descendants (a sandbox's processes)
#   sockets_of PIDS...        the `ss -ltnup` lines of sockets PIDS own
#
# X is unique among the 10.213.X.0/24 subnets on this host (chosen under a
# lock, so concurrent runs do not collide); names carry the test's pid, and a
# test host left behind by a test that was SIGKILLed (no trap) is removed by
# the next network test.  Everything needs root (CAP_NET_ADMIN, `ip netns`).

# shellcheck disable=SC2034 # BODY, SB_RC, SB_PID, ...: set for the tests
# curl, natively and in the sandbox (which gets our environment), talks to
# the addresses it is given, not to a proxy the caller's environment names.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY
NET_HOSTS=()  # the prefixes created
NET_PIDS=()   # background processes started in them
NET_PROGS=$E2E_DIR/progs
NET_PY=/usr/bin/python3
NET_LOCK=/run/lock/sentry-e2e-netns.lock

# The sandbox sees the host's / but its own /tmp: the helper programs (the
# repository may be a clone under /tmp) are bind-mounted at their own path.
srun()
{
	timeout -k 1 "$E2E_TIMEOUT" "$SENTRY" run -v "$NET_PROGS:$NET_PROGS:ro" "$@"
}

net_require()
{
	if [ "$(id -u)" -ne 0 ]; then
		echo "e2e: $TEST_NAME needs root (network namespaces and veth pairs)" >&2
		exit 1
	fi
	if ! command -v ip >/dev/null || ! ip netns list >/dev/null 2>&1; then
		echo "e2e: $TEST_NAME needs iproute2 with \`ip netns\`" >&2
		exit 1
	fi
	if [ ! -x "$NET_PY" ] || ! command -v curl >/dev/null; then
		echo "e2e: $TEST_NAME needs $NET_PY and curl" >&2
		exit 1
	fi
	net_reap_stale
}

# net_reap_stale: remove the test hosts of network tests that are gone
# (named e2e-t_net_*-PID-N, PID no longer running), and their veths.
net_reap_stale()
{
	local ns pid
	for ns in $(ip netns list 2>/dev/null | awk '{print $1}'); do
		[[ $ns =~ ^e2e-t_net_[a-z0-9_]+-([0-9]+)-[0-9]+$ ]] || continue
		pid=${BASH_REMATCH[1]}
		kill -0 "$pid" 2>/dev/null && continue
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
		ip -o link show 2>/dev/null | grep -Eo ": e2h${pid}x[0-9]+@" | tr -d ':@ ' |
			xargs -r -n1 ip link del 2>/dev/null
		ip netns del "$ns" 2>/dev/null
		echo "  (removed the stale test host $ns of a network test that is gone)"
	done
}

# net_subnet_used X: some interface of the host already has an address in
# 10.213.X.0/24 or fd99:X::/64.
net_subnet_used()
{
	ip -o addr show 2>/dev/null | grep -Eq " (10\\.213\\.$1\\.[0-9]+/|fd99:$1::[0-9a-f:]*/)"
}

testhost_new()
{
	local pfx=$1 x ns hif nif n=${#NET_HOSTS[@]} tries
	ns=e2e-$TEST_NAME-$$-$n
	hif=e2h$$x$n
	nif=e2n$$x$n
	mkdir -p "$(dirname "$NET_LOCK")"
	exec {lockfd}>"$NET_LOCK"
	flock -w 10 "$lockfd" || true
	for ((tries = 0; tries < 200; tries++)); do
		x=$((RANDOM % 250 + 5))
		net_subnet_used "$x" || break
	done
	NET_HOSTS+=("$pfx")
	printf -v "${pfx}_NS" %s "$ns"
	printf -v "${pfx}_HIF" %s "$hif"
	printf -v "${pfx}_IF" %s "$nif"
	printf -v "${pfx}_X" %s "$x"
	printf -v "${pfx}_IP4" %s "10.213.$x.2"
	printf -v "${pfx}_HOST4" %s "10.213.$x.1"
	printf -v "${pfx}_NET4" %s "10.213.$x.0/24"
	printf -v "${pfx}_IP6" %s "fd99:$x::2"
	printf -v "${pfx}_HOST6" %s "fd99:$x::1"
	printf -v "${pfx}_NET6" %s "fd99:$x::/64"
	if ! {
		ip netns add "$ns" &&
			ip link add "$hif" type veth peer name "$nif" netns "$ns" &&
			ip addr add "10.213.$x.1/24" dev "$hif" &&
			ip addr add "fd99:$x::1/64" dev "$hif" nodad &&
			ip link set "$hif" up &&
			ip -n "$ns" link set lo up &&
			ip -n "$ns" addr add "10.213.$x.2/24" dev "$nif" &&
			ip -n "$ns" addr add "fd99:$x::2/64" dev "$nif" nodad &&
			ip -n "$ns" link set "$nif" up &&
			ip -n "$ns" route add default via "10.213.$x.1" &&
			ip -n "$ns" -6 route add default via "fd99:$x::1"
	} >"$E2E_TMP/.netns.log" 2>&1; then
		exec {lockfd}>&-
		echo "e2e: cannot create the test host $ns (10.213.$x.2):" >&2
		cat "$E2E_TMP/.netns.log" >&2
		exit 1
	fi
	exec {lockfd}>&-
}

testhost_run()
{
	local ns=${1}_NS
	shift
	ip netns exec "${!ns}" "$@" &
	NET_PIDS+=($!)
	disown $! # no "Killed" notice from bash at cleanup
}

# testhost_server PFX PORT [ADDR]: the counting server on PORT (on ADDR only,
# if given) in PFX's namespace, ready when this returns (it writes its state
# file once listening).  PFX "host" runs it on the host itself, outside any
# namespace (give ADDR then: the host's own 127.0.0.1, ::1, or the host side
# of a veth).
testhost_server()
{
	local pfx=$1 port=$2 i st
	st=$(testhost_state "$@")
	rm -f "$st"
	if [ "$pfx" = host ]; then
		"$NET_PY" "$NET_PROGS/testhost_server.py" "$port" "$st" "$pfx" "${3:-::}" &
		NET_PIDS+=($!)
		disown $!
	else
		testhost_run "$pfx" "$NET_PY" "$NET_PROGS/testhost_server.py" "$port" "$st" "$pfx" "${3:-::}"
	fi
	for ((i = 0; i < 100; i++)); do
		[ -s "$st" ] && return 0
		sleep 0.05
	done
	echo "e2e: the test host server $pfx:$port did not start" >&2
	exit 1
}

# testhost_state PFX PORT [ADDR]: the server's state file.
testhost_state()
{
	local a=${3:-}
	printf '%s\n' "$E2E_TMP/testhost-$1-$2-${a//[:.]/_}.state"
}

testhost_counts()
{
	cat "$(testhost_state "$@")" 2>/dev/null
}

testhost_rx()
{
	local ns=${1}_NS nif=${1}_IF
	ip -n "${!ns}" -s -j link show dev "${!nif}" |
		"$NET_PY" -c 'import json,sys; print(json.load(sys.stdin)[0]["stats64"]["rx"]["packets"])'
}

testhost_snmp()
{
	local ns=${1}_NS
	ip netns exec "${!ns}" "$NET_PY" - <<'PY'
def table(path):
    rows = [l.split() for l in open(path)]
    out = {}
    if path.endswith("snmp6"):
        for k, v in rows:
            out[k] = int(v)
        return out
    for names, vals in zip(rows[0::2], rows[1::2]):
        for k, v in zip(names[1:], vals[1:]):
            out[names[0] + k] = int(v)
    return out
s, s6 = table("/proc/net/snmp"), table("/proc/net/snmp6")
print("ip4 %d tcp %d udp %d udp6 %d" % (
    s["Ip:InReceives"], s["Tcp:InSegs"],
    s["Udp:InDatagrams"] + s["Udp:NoPorts"] + s["Udp:InErrors"],
    s6["Udp6InDatagrams"] + s6["Udp6NoPorts"] + s6["Udp6InErrors"]))
PY
}

# net_cleanup: stop what ran in the test hosts, remove them, and check that
# nothing is left: no namespace and no veth of this test.
net_cleanup()
{
	local pfx ns hif p i left
	for p in "${NET_PIDS[@]}"; do
		kill -9 "$p" 2>/dev/null
	done
	for pfx in "${NET_HOSTS[@]}"; do
		ns=${pfx}_NS hif=${pfx}_HIF
		for p in $(ip netns pids "${!ns}" 2>/dev/null); do
			kill -9 "$p" 2>/dev/null
		done
		ip link del "${!hif}" 2>/dev/null
		ip netns del "${!ns}" 2>/dev/null
	done
	[ ${#NET_HOSTS[@]} -eq 0 ] && [ ${#NET_PIDS[@]} -eq 0 ] && return 0
	# Deleting a namespace is asynchronous: give its veth a moment to go.
	for ((i = 0; i < 50; i++)); do
		left=$( { ip netns list; ip -o link show; } 2>/dev/null |
			grep -E "(^e2e-$TEST_NAME-$$-|: e2[hn]$$x[0-9]+[@:])")
		for p in "${NET_PIDS[@]}"; do
			kill -0 "$p" 2>/dev/null && left+=" process $p"
		done
		[ -z "$left" ] && break
		sleep 0.1
	done
	NET_HOSTS=()
	NET_PIDS=()
	if [ -z "$left" ]; then
		pass "cleanup: no test namespace, veth or server left"
	else
		fail "cleanup: no test namespace, veth or server left" "still there: $left"
	fi
}

e2e_cleanup_hook()
{
	sandbox_cleanup
	net_cleanup
}

# --- the sandbox side -------------------------------------------------------------

# free_ports N: N distinct TCP ports nothing on the host's loopback listens
# on now, on one line (bound at the same time, so they differ).
free_ports()
{
	"$NET_PY" -c '
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))' "$1"
}

# port_bindable ADDR PORT: a new socket can bind ADDR:PORT (TCP) right now.
port_bindable()
{
	"$NET_PY" -c '
import socket, sys
s = socket.socket(socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2])))' "$1" "$2" 2>/dev/null
}

# port_listening PORT: something on the host listens on TCP PORT.
port_listening()
{
	ss -Hltn "sport = :$1" 2>/dev/null | grep -q .
}

# wait_url URL [CURL_ARGS...]: poll URL with curl until it answers 200
# (at most 10 s); sets BODY.
wait_url()
{
	local url=$1 i
	shift
	for ((i = 0; i < 100; i++)); do
		if BODY=$(curl -fsS --max-time 2 "$@" "$url" 2>/dev/null); then
			return 0
		fi
		sleep 0.1
	done
	BODY=
	return 1
}

# tree_pids PID: PID and all its descendants.
tree_pids()
{
	local d all=() ppid pid changed=1 p
	# shellcheck disable=SC2034 # read as ${in[...]}
	declare -A in=([$1]=1)
	while [ -n "$changed" ]; do
		changed=
		for d in /proc/[0-9]*; do
			pid=${d#/proc/}
			[ -n "${in[$pid]:-}" ] && continue
			# comm may hold spaces: the field after the last ')'
			ppid=$(sed 's/.*) [A-Za-z] \([0-9]*\).*/\1/' "$d/stat" 2>/dev/null) || continue
			if [ -n "${in[$ppid]:-}" ]; then
				in[$pid]=1
				changed=1
			fi
		done
	done
	for p in "${!in[@]}"; do
		all+=("$p")
	done
	printf '%s\n' "${all[@]}" | sort -n
}

# sockets_of PIDS...: the lines of `ss -ltnup` (listening TCP and bound UDP
# sockets of the host) owned by one of PIDS.
sockets_of()
{
	local line p
	ss -Hltnup 2>/dev/null | while IFS= read -r line; do
		for p in "$@"; do
			if [[ $line == *"pid=$p,"* ]]; then
				printf '%s\n' "$line"
				break
			fi
		done
	done
}

# sandbox_netconf: what a sandbox with the default network has, asked of one
# (ip, /etc/resolv.conf), so that the tests follow the sentry's choice of
# addresses: SB_ADDR4 SB_GW4 SB_DNS4 (10.0.2.100, .2, .3) and SB_ADDR6
# SB_GW6 SB_DNS6 (its IPv6 prefix's ::100, ::2, ::3).
sandbox_netconf()
{
	local conf
	conf=$(srun -- /bin/sh -c 'ip -o -4 addr show dev eth0; ip -o -6 addr show dev eth0 scope global
		ip -4 route show default; ip -6 route show default; cat /etc/resolv.conf' 2>&1)
	SB_ADDR4=$(awk '$3 == "inet" {sub(/\/.*/, "", $4); print $4; exit}' <<<"$conf")
	SB_ADDR6=$(awk '$3 == "inet6" {sub(/\/.*/, "", $4); print $4; exit}' <<<"$conf")
	SB_GW4=$(awk '$1 == "default" && $3 !~ /:/ {print $3; exit}' <<<"$conf")
	SB_GW6=$(awk '$1 == "default" && $3 ~ /:/ {print $3; exit}' <<<"$conf")
	SB_DNS4=$(awk '$1 == "nameserver" && $2 !~ /:/ {print $2; exit}' <<<"$conf")
	SB_DNS6=$(awk '$1 == "nameserver" && $2 ~ /:/ {print $2; exit}' <<<"$conf")
	if [ -z "$SB_ADDR4" ] || [ -z "$SB_ADDR6" ] || [ -z "$SB_GW4" ] || [ -z "$SB_GW6" ] ||
		[ -z "$SB_DNS4" ] || [ -z "$SB_DNS6" ]; then
		echo "e2e: cannot tell the sandbox's addresses (see t_net_config); it says:" >&2
		printf '%s\n' "$conf" >&2
		exit 1
	fi
	echo "  the sandbox: eth0 $SB_ADDR4 $SB_ADDR6, gateway $SB_GW4 $SB_GW6, DNS $SB_DNS4 $SB_DNS6"
}

# sandbox_bg OUT ERR ARGS...: `sentry run ARGS...` in the background (stdin
# /dev/null, stdout to OUT, stderr to ERR); sets SB_PID, its outer process.
# Whatever of it still runs at cleanup is killed.
NET_SANDBOXES=()
sandbox_bg()
{
	local out=$1 err=$2
	shift 2
	"$SENTRY" run -v "$NET_PROGS:$NET_PROGS:ro" "$@" </dev/null >"$out" 2>"$err" &
	SB_PID=$!
	NET_SANDBOXES+=("$SB_PID")
}

# sandbox_wait PID SECONDS: wait up to SECONDS for the sandbox to end; sets
# SB_RC to its exit status, or to "running".
sandbox_wait()
{
	local i
	# (stderr off: bash's "Killed" notice about the job, when it dies by a
	# signal the test sent, is printed while it waits here)
	{
		for ((i = 0; i < $2 * 20; i++)); do
			kill -0 "$1" || break
			sleep 0.05
		done
		if kill -0 "$1"; then
			SB_RC=running
		else
			wait "$1"
			SB_RC=$?
		fi
	} 2>/dev/null
}

# wait_line FILE ERE: wait up to 10 s for a line of FILE to match ERE.
wait_line()
{
	local i
	for ((i = 0; i < 100; i++)); do
		grep -Eq -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

sandbox_cleanup()
{
	local p q
	for p in "${NET_SANDBOXES[@]}"; do
		kill -0 "$p" 2>/dev/null || continue
		for q in $(tree_pids "$p"); do
			kill -9 "$q" 2>/dev/null
		done
		sandbox_wait "$p" 3
	done
	NET_SANDBOXES=()
}

net_require
