#!/bin/bash
# Nothing listens on the host for an unpublished sandbox: while a sandbox runs
# guest servers (http.server on TCP 12345, a Python TCP+UDP server on 7001,
# both on all addresses), `ss -ltnup` shows no listening TCP or bound UDP
# socket owned by any process of the sandbox's tree (the outer `sentry run`,
# the sentry, the gofer, the egress proxy, the stubs); not by default and not
# with --network=none.  With -p and --tls-publish it shows exactly the
# published ports, on the addresses asked for, and nothing for the guest
# ports themselves.
. "$(dirname -- "$0")/lib.sh"
. "$E2E_DIR/netns.sh"
T=$E2E_TMP

if ! ss -Hltnup >/dev/null 2>&1; then
	echo "e2e: $TEST_NAME needs ss (iproute2)" >&2
	exit 1
fi

# Guest servers: up (checked from inside) before the guest says so in /ready.
# shellcheck disable=SC2016 # the script's own $1 and $i
guest_script='
	python3 -m http.server 12345 >/dev/null 2>&1 &
	python3 "$1/testhost_server.py" 7001 /tmp/state sb &
	i=0
	until curl -fs -o /dev/null http://127.0.0.1:12345/ && [ -s /tmp/state ]; do
		i=$((i + 1))
		[ $i -ge 100 ] && exit 1
		sleep 0.1
	done
	touch /ready/up
	sleep 30'

# sandbox_sockets DESC EXPECTED SENTRY_ARGS...: start a sandbox running
# $guest_script; once its guest servers are up, the local addresses of the
# host sockets its process tree listens on (sorted, one line) must be
# EXPECTED; then stop it.
sandbox_sockets()
{
	local desc=$1 want=$2 before during new pids mine i
	shift 2
	rm -rf "$T/ready"
	mkdir -p "$T/ready"
	before=$(ss -Hltnup | sort)
	sandbox_bg "$T/out" "$T/err" -v "$T/ready:/ready" -e PATH=/usr/bin:/bin "$@" \
		-- /bin/sh -c "$guest_script" sh "$NET_PROGS"
	for ((i = 0; i < 100; i++)); do
		[ -e "$T/ready/up" ] && break
		kill -0 "$SB_PID" 2>/dev/null || break
		sleep 0.1
	done
	if [ ! -e "$T/ready/up" ]; then
		fail "$desc: the guest servers start" "stderr: $(show "$(cat "$T/err")")"
		sandbox_cleanup
		return
	fi
	# shellcheck disable=SC2207
	pids=($(tree_pids "$SB_PID"))
	during=$(ss -Hltnup | sort)
	new=$(comm -13 <(printf '%s\n' "$before") <(printf '%s\n' "$during"))
	mine=$(sockets_of "${pids[@]}")
	expect_eq "$desc" "$want" "$(printf '%s\n' "$mine" | awk 'NF {print $1, $5}' | sort | tr '\n' ' ' | sed 's/ $//')"
	echo "  $desc: ${#pids[@]} processes in the sandbox's tree; its sockets: $(printf '%s\n' "$mine" | awk 'NF {print $1, $5, $7}' | tr '\n' ';')"
	# Whatever appeared meanwhile that is not the sandbox's is someone else's
	# (other tests may run at once): shown, not checked.
	new=$(comm -23 <(printf '%s\n' "$new") <(printf '%s\n' "$mine" | sort) | grep .)
	[ -n "$new" ] && echo "  (other new sockets on the host meanwhile: $(printf '%s\n' "$new" | awk '{print $1, $5, $7}' | tr '\n' ';'))"
	# All of the tree's inet sockets, listening or not: none but the listeners.
	local all
	all=$(ss -Htuanp | while IFS= read -r line; do
		for p in "${pids[@]}"; do
			[[ $line == *"pid=$p,"* ]] && { printf '%s\n' "$line"; break; }
		done
	done | awk '$2 != "LISTEN" {print $1, $2, $5, $6}')
	expect_eq "  ...and no other TCP or UDP socket of the sandbox's tree" "" "$all"
	kill -9 "$SB_PID"
	sandbox_wait "$SB_PID" 3
	sandbox_cleanup
}

sandbox_sockets "default network, guest servers on 12345 and 7001: nothing listens on the host" ""
sandbox_sockets "--network=none: nothing listens on the host" "" --network=none

read -r P1 P2 P3 P4 < <(free_ports 4)
sandbox_sockets "-p $P1:12345 -p $P2:7001 --tls-publish $P3:12345 -p 127.0.0.2:$P4:7001: exactly those" \
	"$(printf 'tcp %s\n' "127.0.0.1:$P1" "127.0.0.1:$P2" "127.0.0.1:$P3" "127.0.0.2:$P4" | sort | tr '\n' ' ' | sed 's/ $//')" \
	-p "$P1:12345" -p "$P2:7001" --tls-publish "$P3:12345" -p "127.0.0.2:$P4:7001"

e2e_finish
