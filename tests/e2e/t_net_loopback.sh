#!/bin/bash
# A client and a server inside one sandbox: `python3 -m http.server` and curl
# in one `sh -c`, over 127.0.0.1, ::1, the name localhost, and the sandbox's
# own eth0 addresses (10.0.2.100 and its IPv6 one); a Python TCP+UDP server
# (progs/testhost_server.py) and client (progs/netprobe.py) on both loopback
# addresses; the same on loopback under --block-network and --network=none.
. "$(dirname -- "$0")/lib.sh"
. "$E2E_DIR/netns.sh"
T=$E2E_TMP

sandbox_netconf
mkdir -p "$T/www"
echo "served inside the sandbox" >"$T/www/marker.txt"

# in_sandbox BIND HOST [SENTRY_ARGS...]: the script run in the sandbox:
# http.server bound to BIND, polled with curl (at most 10 s), then
# http://HOST:12345/marker.txt fetched and the server stopped.
serve_and_fetch()
{
	local bind=$1 host=$2
	shift 2
	# shellcheck disable=SC2016 # the script's own $1 and $2
	capture srun -v "$T/www:/www:ro" -w /www -e PATH=/usr/bin:/bin "$@" -- /bin/sh -c '
		python3 -m http.server 12345 --bind "$1" >/tmp/server.log 2>&1 &
		srv=$!
		i=0
		until curl -fs -o /dev/null "http://$2:12345/"; do
			i=$((i + 1))
			if [ $i -ge 100 ]; then
				echo "the server is not up after 10 s"
				cat /tmp/server.log
				exit 1
			fi
			sleep 0.1
		done
		curl -fsS "http://$2:12345/marker.txt"
		rc=$?
		curl -fsS "http://$2:12345/" | grep -c "href=\"marker.txt\""
		kill $srv
		wait $srv
		grep -c "GET /marker.txt HTTP/1.1\" 200" /tmp/server.log
		exit $rc' sh "$bind" "$host"
	expect_eq "http.server --bind $bind, curl http://$host:12345/${*:+ ($*)}" \
		"0 served inside the sandbox
1
1" "$RC $OUT"
}

serve_and_fetch 127.0.0.1 127.0.0.1
serve_and_fetch ::1 '[::1]'
serve_and_fetch 127.0.0.1 localhost
serve_and_fetch 0.0.0.0 "$SB_ADDR4"
serve_and_fetch :: "[$SB_ADDR6]"
serve_and_fetch 127.0.0.1 127.0.0.1 --block-network
serve_and_fetch ::1 '[::1]' --network=none

# TCP and UDP, IPv4 and IPv6, from Python, one dual-stack server.
probe_loopback()
{
	# shellcheck disable=SC2016 # the script's own $1
	capture srun -e PATH=/usr/bin:/bin "$@" -- /bin/sh -c '
		python3 "$1/testhost_server.py" 7001 /tmp/state sb &
		i=0
		until [ -s /tmp/state ] || [ $i -ge 100 ]; do i=$((i + 1)); sleep 0.1; done
		python3 "$1/netprobe.py" tcp/127.0.0.1/7001 udp/127.0.0.1/7001 \
			tcp/::1/7001 udp/::1/7001 tcp/127.0.0.1/7002 udp/::1/7002/0.5
		cat /tmp/state' sh "$NET_PROGS"
	expect_eq "python server and client on 127.0.0.1 and ::1${*:+ ($*)}" \
		"tcp 127.0.0.1 7001 ok:hello sb from 127.0.0.1
udp 127.0.0.1 7001 ok:udp sb ping
tcp ::1 7001 ok:hello sb from ::1
udp ::1 7001 ok:udp sb ping
tcp 127.0.0.1 7002 ECONNREFUSED
udp ::1 7002 timeout
tcp 2 udp 2" "$(printf '%s\n' "$OUT" | sed -E 's/ [0-9]+\.[0-9]{3}$//')"
}
probe_loopback
probe_loopback --block-network

e2e_finish
