#!/bin/bash
# Published ports, the README's example: `python3 -m http.server 12345` in
# the sandbox, published with --tls-publish (TLS terminated on the host: a
# self-signed certificate, or the user's with --tls-cert/--tls-key) and with
# -p (plain http, also on an explicit host address), fetched from the host
# with curl; the URL lines on stderr and the --tunnels-json file; a busy
# host port is an error at start; and once the sandbox is stopped (SIGINT,
# which http.server handles; or SIGKILL of the outer process) its host ports
# are free again.  Host ports are picked free; the issue's exact command
# (--tls-publish 8443:12345) runs too when 8443 is free.
. "$(dirname -- "$0")/lib.sh"
. "$E2E_DIR/netns.sh"
T=$E2E_TMP

mkdir -p "$T/www/sub"
marker=marker-$$.txt
echo "hello from the sandbox's web root" >"$T/www/$marker"
read -r PT PP PQ PK PB < <(free_ports 5)
echo "  host ports: tls $PT, plain $PP, plain on 127.0.0.2 $PQ, kill test $PK, busy $PB"

# listing BODY: the directory listing http.server makes of $T/www.
is_listing()
{
	[[ $1 == *"<title>Directory listing for /</title>"* && $1 == *"href=\"$marker\""* &&
		$1 == *'href="sub/"'* ]]
}

# --- TLS and plain, one sandbox ---------------------------------------------------
sandbox_bg "$T/out" "$T/err" --tls-publish "$PT:12345" -p "$PP:12345" \
	-p "127.0.0.2:$PQ:12345" --tunnels-json "$T/tunnels.json" \
	-v "$T/www:/www:ro" -- /usr/bin/python3 -m http.server 12345 -d /www
sb=$SB_PID
if wait_url "https://127.0.0.1:$PT/" -k; then
	pass "curl -k https://127.0.0.1:$PT/ answers (within 10 s)"
	if is_listing "$BODY"; then
		pass "  ...with the directory listing of the guest's http.server"
	else
		fail "  ...with the directory listing of the guest's http.server" "body: $(show "$BODY")"
	fi
else
	fail "curl -k https://127.0.0.1:$PT/ answers (within 10 s)" \
		"stderr of the sandbox: $(show "$(cat "$T/err")")" \
		"curl: $(curl -sSk --max-time 2 "https://127.0.0.1:$PT/" 2>&1 | head -5)"
fi

capture curl -sS --max-time 5 "http://127.0.0.1:$PP/"
if [ "$RC" -eq 0 ] && is_listing "$OUT"; then
	pass "-p $PP:12345: curl http://127.0.0.1:$PP/ gets the listing"
else
	fail "-p $PP:12345: curl http://127.0.0.1:$PP/ gets the listing" "exit $RC" \
		"stdout: $(show "$OUT")" "stderr: $(show "$ERR")"
fi
expect_run "  ...and a file: curl http://127.0.0.1:$PP/$marker" 0 \
	"hello from the sandbox's web root" curl -sS --max-time 5 "http://127.0.0.1:$PP/$marker"
expect_run "  ...and over TLS: curl -k https://127.0.0.1:$PT/$marker" 0 \
	"hello from the sandbox's web root" curl -sSk --max-time 5 "https://127.0.0.1:$PT/$marker"
capture curl -sS --max-time 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PP/no-such-file"
expect_eq "  ...a missing file is the guest's 404" 404 "$OUT"
capture curl -sS --max-time 5 "http://127.0.0.2:$PQ/$marker"
expect_eq "-p 127.0.0.2:$PQ:12345: served on 127.0.0.2" \
	"0 hello from the sandbox's web root" "$RC $OUT"
expect_eq "  ...and not on 127.0.0.1:$PQ" "" "$(ss -Hltn "src 127.0.0.1 and sport = :$PQ")"

# Ten requests at once through each tunnel.
par_ok=0
pids=()
for i in $(seq 10); do
	curl -fsS --max-time 5 -o "$T/par-tls-$i" -k "https://127.0.0.1:$PT/$marker" &
	pids+=($!)
	curl -fsS --max-time 5 -o "$T/par-plain-$i" "http://127.0.0.1:$PP/$marker" &
	pids+=($!)
done
wait "${pids[@]}"
for f in "$T"/par-*; do
	[ "$(cat "$f")" = "hello from the sandbox's web root" ] && par_ok=$((par_ok + 1))
done
expect_eq "20 concurrent requests (10 TLS, 10 plain) all answered" 20 "$par_ok"

# It is TLS, with a certificate curl does not know (self-signed).
capture curl -sS --max-time 5 "https://127.0.0.1:$PT/"
expect_eq "without -k, curl rejects the self-signed certificate (exit 60)" 60 "$RC"
capture curl -sS --max-time 5 "http://127.0.0.1:$PT/"
expect_ne "plain http to the TLS port gets no page" 0 "$RC"
capture openssl s_client -connect "127.0.0.1:$PT" -brief </dev/null
expect_match "openssl s_client: a TLS handshake" '^(CONNECTION ESTABLISHED|Protocol version: TLSv1\.[23])' "$OUT
$ERR"

# What the CLI said, and the JSON for programs.
expect_eq "stderr: one URL line per published port, in order" \
	"https://127.0.0.1:$PT -> guest port 12345
http://127.0.0.1:$PP -> guest port 12345
http://127.0.0.2:$PQ -> guest port 12345" "$(grep -E '^https?://' "$T/err")"
capture "$NET_PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
for t in d["tunnels"]:
    print(t["url"], t["host"], t["host_port"], t["guest_port"], t["tls"])' "$T/tunnels.json"
expect_eq "--tunnels-json: url, host, host_port, guest_port, tls for each" \
	"https://127.0.0.1:$PT 127.0.0.1 $PT 12345 True
http://127.0.0.1:$PP 127.0.0.1 $PP 12345 False
http://127.0.0.2:$PQ 127.0.0.2 $PQ 12345 False" "$OUT"

# Only the sentry listens on those ports, and only there.
expect_eq "the published ports listen on the host (ss)" \
	"$(printf '%s\n' "127.0.0.1:$PT" "127.0.0.1:$PP" "127.0.0.2:$PQ" | sort | tr '\n' ' ' | sed 's/ $//')" \
	"$(ss -Hltn "sport = :$PT or sport = :$PP or sport = :$PQ" | awk '{print $4}' | sort | tr '\n' ' ' | sed 's/ $//')"

# Stop it: SIGINT to `sentry run` reaches http.server (pid 1 in the
# sandbox, with Python's KeyboardInterrupt handler), which exits 0.
kill -INT "$sb"
sandbox_wait "$sb" 5
expect_eq "SIGINT to sentry run: http.server exits 0 (within 5 s)" 0 "$SB_RC"
expect_match "  ...through its KeyboardInterrupt handler" 'Keyboard interrupt received' "$(cat "$T/out")"
free=
for p in $PT $PP; do
	port_bindable 127.0.0.1 "$p" && free+="$p "
done
port_bindable 127.0.0.2 "$PQ" && free+="$PQ "
expect_eq "  ...and the host ports are free again" "$PT $PP $PQ " "$free"
expect_eq "  ...nothing listens there" "" "$(ss -Hltn "sport = :$PT or sport = :$PP or sport = :$PQ")"

# --- the user's certificate ----------------------------------------------------------
if openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost \
	-addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
	-keyout "$T/key.pem" -out "$T/cert.pem" >"$T/openssl.log" 2>&1; then
	sandbox_bg "$T/out2" "$T/err2" --tls-publish "$PT:12345" \
		--tls-cert "$T/cert.pem" --tls-key "$T/key.pem" \
		-v "$T/www:/www:ro" -- /usr/bin/python3 -m http.server 12345 -d /www
	if wait_url "https://127.0.0.1:$PT/$marker" --cacert "$T/cert.pem"; then
		pass "--tls-cert/--tls-key: curl --cacert (no -k) verifies the user's certificate"
	else
		fail "--tls-cert/--tls-key: curl --cacert (no -k) verifies the user's certificate" \
			"curl: $(curl -sS --max-time 2 --cacert "$T/cert.pem" "https://127.0.0.1:$PT/" 2>&1 | head -3)" \
			"stderr of the sandbox: $(show "$(cat "$T/err2")")"
	fi
	capture curl -sS --max-time 5 --cacert "$T/cert.pem" "https://localhost:$PT/$marker"
	expect_eq "  ...also by name (https://localhost:$PT)" \
		"0 hello from the sandbox's web root" "$RC $OUT"
	kill -INT "$SB_PID"
	sandbox_wait "$SB_PID" 5
	expect_eq "  ...SIGINT ends it (exit 0)" 0 "$SB_RC"
else
	fail "openssl req makes a test certificate" "$(cat "$T/openssl.log")"
fi

# --- SIGKILL of the outer process -----------------------------------------------------
sandbox_bg "$T/out3" "$T/err3" -p "$PK:12345" -v "$T/www:/www:ro" -- /usr/bin/python3 -m http.server 12345 -d /www
sb=$SB_PID
if wait_url "http://127.0.0.1:$PK/$marker"; then
	pass "-p $PK:12345: up"
	procs=$(tree_pids "$sb")
	kill -9 "$sb"
	sandbox_wait "$sb" 2
	expect_eq "SIGKILL to sentry run: it dies with 137" 137 "$SB_RC"
	for ((i = 0; i < 30; i++)); do
		port_bindable 127.0.0.1 "$PK" && break
		sleep 0.1
	done
	if port_bindable 127.0.0.1 "$PK"; then
		pass "  ...and host port $PK is free again within 3 s"
	else
		fail "  ...and host port $PK is free again within 3 s" \
			"still: $(ss -Hltnp "sport = :$PK")"
	fi
	left=
	for p in $procs; do
		[ -d "/proc/$p" ] && [ "$(cut -d' ' -f3 "/proc/$p/stat" 2>/dev/null)" != Z ] && left+="$p "
	done
	expect_eq "  ...and none of its processes is left" "" "$left"
else
	fail "-p $PK:12345: up" "stderr of the sandbox: $(show "$(cat "$T/err3")")"
fi

# --- a host port that is taken ---------------------------------------------------------
testhost_server host "$PB" 127.0.0.1
capture srun -p "$PB:12345" -- /bin/true
expect_eq "-p on a busy host port: the sandbox does not start (125)" 125 "$RC"
expect_match "  ...and says why" "127\\.0\\.0\\.1:$PB.*Address already in use" "$ERR"
expect_eq "  ...and the other listener got no connection" "tcp 0 udp 0" \
	"$(testhost_counts host "$PB" 127.0.0.1)"

# --- the issue's exact command: --tls-publish 8443:12345 -----------------------------------
if port_bindable 127.0.0.1 8443; then
	sandbox_bg "$T/out4" "$T/err4" -e PATH=/usr/bin:/bin --tls-publish 8443:12345 \
		-v "$T/www:/www:ro" -w /www -- python3 -m http.server 12345
	if wait_url https://127.0.0.1:8443/ -k && is_listing "$BODY"; then
		pass "--tls-publish 8443:12345: curl -k https://127.0.0.1:8443/ gets the listing"
	else
		fail "--tls-publish 8443:12345: curl -k https://127.0.0.1:8443/ gets the listing" \
			"body: $(show "$BODY")" "stderr of the sandbox: $(show "$(cat "$T/err4")")"
	fi
	expect_match "  ...and prints its URL" '^https://127\.0\.0\.1:8443 -> guest port 12345$' \
		"$(cat "$T/err4")"
	kill -INT "$SB_PID"
	sandbox_wait "$SB_PID" 5
	expect_eq "  ...SIGINT ends it (exit 0)" 0 "$SB_RC"
else
	echo "  note: host port 8443 is in use ($(ss -Hltnp 'sport = :8443' | head -1 | awk '{print $4, $6}')):" \
		"the exact --tls-publish 8443:12345 variant is skipped (the same runs on port $PT above)"
fi

e2e_finish
