#!/bin/bash
# Rootless mode (docs/architecture.md, "Rootless"): `sentry run` and
# `runsc run` as an unprivileged user (nobody, 65534, through setpriv) put
# the sandbox in a user namespace of its own.  The guest's view is the same
# as when root (uid 0, pid 1, its rootfs); on the host everything is the
# user's: files made in a writable bind mount, every process of the run
# (none left once it ends, also after SIGKILL of the outer process); the
# host's root-only files stay unreadable; published ports work (not below
# 1024).  Also `--rootless` as root, and, where useradd can make a user with
# a subordinate id range, the range mapped through newuidmap.
#
# Run as root (it becomes the user with setpriv); run as another user, the
# checks run as that user and those that need root are left out.
. "$(dirname -- "$0")/lib.sh"
T=$E2E_TMP
require_tools setpriv

if [ "$(id -u)" -eq 0 ]; then
	RUID=65534
	AS_USER=(setpriv --reuid=$RUID --regid=$RUID --clear-groups --inh-caps=-all)
else
	RUID=$(id -u)
	AS_USER=()
fi
RGID=$RUID
[ ${#AS_USER[@]} -eq 0 ] && RGID=$(id -g)

# The user's own directory: private copies of the binaries (so that the
# run's processes are told apart by /proc/PID/exe, and so that the user can
# surely execute them), the rootfs, a writable directory, runsc's state.
chmod 711 "$T"
U=$T/u
mkdir -p "$U/w" "$U/xdg" "$U/bundle"
S=$U/sentry-rl-$$
RS=$U/runsc-rl-$$
cp "$SENTRY" "$S"
require_runsc
cp "$RUNSC" "$RS"
cp -a "$E2E_ROOTFS" "$U/rootfs"
R=$U/rootfs
chown -R "$RUID:$RGID" "$U"
chmod 700 "$U/xdg"

# ur ARGS...: `sentry run ARGS...` as the user.
ur()
{
	(cd "$U" && timeout -k 1 "$E2E_TIMEOUT" "${AS_USER[@]}" "$S" run "$@")
}

# Pids of live processes running our copies of the binaries.
procs()
{
	local d exe st
	for d in /proc/[0-9]*; do
		exe=$(readlink "$d/exe" 2>/dev/null) || continue
		case $exe in "$S" | "$S (deleted)" | "$RS" | "$RS (deleted)") ;; *) continue ;; esac
		st=$(cut -d' ' -f3 "$d/stat" 2>/dev/null) || continue
		[ "$st" = Z ] || echo "${d#/proc/}"
	done
}

SUBUSER=
e2e_cleanup_hook()
{
	local p
	for p in $(procs); do
		kill -9 "$p" 2>/dev/null
	done
	[ -n "$SUBUSER" ] && userdel "$SUBUSER" 2>/dev/null
	return 0
}

# no_leftovers DESC: no process of ours is left (waits up to 10 s: a hang
# detector, not a timing).
no_leftovers()
{
	local i left
	for ((i = 0; i < 100; i++)); do
		left=$(procs)
		[ -z "$left" ] && break
		sleep 0.1
	done
	if [ -z "$left" ]; then
		pass "$1"
	else
		fail "$1" "still running: $(for p in $left; do tr '\0' ' ' <"/proc/$p/cmdline"; echo; done)"
		e2e_cleanup_hook
	fi
}

# --- the guest's view ------------------------------------------------------------------

expect_run "rootless: echo" 0 "hello" ur --rootfs "$R" -- /bin/echo hello
expect_run "rootless: the guest's exit status" 7 "" ur --rootfs "$R" -- /bin/sh -c 'exit 7'
# (init ignores even SIGKILL from inside its namespace: a child dies of it)
expect_run "rootless: killed by SIGKILL is 137" 137 "" \
	ur --rootfs "$R" -- /bin/sh -c 'sh -c "kill -9 \$\$"; exit $?'
expect_run "rootless: the guest is pid 1, uid and gid 0" 0 $'1\n0 0\nUid:\t0\t0\t0\t0' \
	ur --rootfs "$R" -- /bin/sh -c 'echo $$; echo $(id -u) $(id -g); grep ^Uid: /proc/self/status'
expect_run "rootless: the host's processes are not in the guest's /proc" 0 "hidden" \
	ur --rootfs "$R" -- /bin/sh -c '[ -e /proc/$1 ] && echo visible || echo hidden' sh "$$"
expect_run "rootless: /proc/self/root is the sandbox's root, and .. stays in it" 0 $'/\nsame' \
	ur --rootfs "$R" -- /bin/sh -c \
	'readlink /proc/self/root; [ "$(ls /proc/self/root/../../..)" = "$(ls /)" ] && echo same'

# --- files ---------------------------------------------------------------------------

expect_run "rootless: files made in a writable bind mount are root's inside" 0 "0 0 0 0" \
	ur --rootfs "$R" -v "$U/w:/w" -- /bin/sh -c \
	'echo data >/w/f && mkdir /w/d && echo $(stat -c "%u %g" /w/f) $(stat -c "%u %g" /w/d)'
expect_eq "  ...and the user's on the host" "$RUID:$RGID $RUID:$RGID data" \
	"$(stat -c %u:%g "$U/w/f") $(stat -c %u:%g "$U/w/d") $(cat "$U/w/f" 2>&1)"
expect_run "rootless: chown to root (the user) in the bind mount works" 0 "" \
	ur --rootfs "$R" -v "$U/w:/w" -- /bin/chown 0:0 /w/f
if ! grep -qE "^(nobody|$RUID):" /etc/subuid 2>/dev/null; then
	capture ur --rootfs "$R" -v "$U/w:/w" -- /bin/chown 1234:1234 /w/f
	expect_ne "rootless: chown to an id the host cannot map fails" 0 "$RC"
	expect_match "  ...with EPERM" 'Operation not permitted' "$ERR"
	expect_eq "  ...and the file is still the user's" "$RUID:$RGID" "$(stat -c %u:%g "$U/w/f")"
fi

# The host's root-only files, through a read-only bind of / (and with the
# host's / as the rootfs, the default): unreadable, as for the user.
if [ ${#AS_USER[@]} -gt 0 ] && ! "${AS_USER[@]}" cat /etc/shadow >/dev/null 2>&1 &&
	! "${AS_USER[@]}" ls /root >/dev/null 2>&1; then
	capture ur --rootfs "$R" -v /:/host:ro -- /bin/sh -c \
		'cat /host/etc/shadow; cat /host/root/.profile; ls /host/root/.'
	expect_eq "rootless: /etc/shadow and /root of the host are not readable" "" "$OUT"
	expect_match "  ...cat /etc/shadow: EACCES" "shadow': Permission denied" "$ERR"
	expect_match "  ...cat /root/.profile: EACCES" "profile': Permission denied" "$ERR"
	# (busybox ls says nothing when getdents fails: GNU ls, on the host's /)
	capture ur -- /bin/sh -c 'cat /etc/shadow; ls /root'
	expect_match "rootless, the host's / as rootfs: /etc/shadow is EACCES" \
		"shadow: Permission denied" "$ERR"
	expect_match "  ...and listing /root is EACCES" "'/root': Permission denied" "$ERR"
	expect_exit 1 "  ...and a read-only bind of / is read-only" \
		ur --rootfs "$R" -v /:/host:ro -- /bin/touch "/host/$(basename "$T")-x"
fi

# --- processes on the host -----------------------------------------------------------------

# host_view WHO UID DIR CMD...: CMD starts a run whose guest leaves two
# sleeps running and makes DIR/ready (DIR, writable by UID, is its /w); then
# every process of it but the outer one is UID in a user namespace that is
# not ours, and a SIGKILL of the outer process ends them all.
host_view()
{
	local who=$1 uid=$2 dir=$3 p outer n=0 bad=
	shift 3
	"$@" -v "$dir:/w" -- /bin/sh -c 'sleep 1000 & sleep 1000 & touch /w/ready; sleep 1000' \
		</dev/null >/dev/null 2>&1 &
	outer=$!
	for ((p = 0; p < 100; p++)); do
		[ -e "$dir/ready" ] && break
		sleep 0.1
	done
	check "$who: the guest started" test -e "$dir/ready"
	local ours
	ours=$(readlink /proc/self/ns/user)
	for p in $(procs); do
		[ "$p" = "$outer" ] && continue
		n=$((n + 1))
		[ "$(awk '/^Uid:/ { print $3 }' "/proc/$p/status" 2>/dev/null)" = "$uid" ] ||
			bad="$bad $p:uid"
		[ "$(readlink "/proc/$p/ns/user" 2>/dev/null)" != "$ours" ] || bad="$bad $p:userns"
	done
	if [ "$n" -ge 3 ] && [ -z "$bad" ]; then
		pass "$who: $n processes of the run, each uid $uid in a user namespace of its own"
	else
		fail "$who: each process of the run is uid $uid in a user namespace of its own" \
			"$n processes; wrong: $bad"
	fi
	kill -9 "$outer"
	wait "$outer" 2>/dev/null
	no_leftovers "$who: SIGKILL of the outer process ends every process of the run"
}

# (run in the background: the job's pid becomes the outer sentry's)
urun_bg() { cd "$U" && exec "${AS_USER[@]}" "$S" run --rootfs "$R" "$@"; }
mkdir "$U/hv" "$T/hv"
chown "$RUID:$RGID" "$U/hv"
host_view "rootless" "$RUID" "$U/hv" urun_bg
if [ "$(id -u)" -eq 0 ]; then
	# (root's own directory: root of a user namespace has no power over
	# the user's files, which are not mapped there)
	host_view "--rootless as root" 0 "$T/hv" "$S" run --rootless --rootfs "$R"
	expect_run "--rootless as root: pid 1, uid 0" 0 $'1\n0' \
		"$S" run --rootless --rootfs "$R" -- /bin/sh -c 'echo $$; id -u'
fi
no_leftovers "rootless: nothing is left after the runs"

# --- limits ----------------------------------------------------------------------------

capture ur --rootfs "$R" --memory 64m --pids 20 -- /bin/sh -c \
	'i=0; while [ $i -lt 40 ]; do sleep 4246 & i=$((i + 1)); done; echo spawned-all'
if [ "$RC" -ne 0 ] && [[ $OUT != *spawned-all* ]] &&
	[[ $ERR == *"Cannot fork"* || $ERR == *"Resource temporarily unavailable"* ]]; then
	pass "rootless --pids 20: the sentry refuses the 20th fork"
else
	fail "rootless --pids 20: the sentry refuses the 20th fork" "exit $RC, out $(show "$OUT")" \
		"err $(show "$ERR")"
fi
# (Where the user's cgroup is delegated and writable there is no warning.)
if [[ $ERR == *"warning: no cgroup"* ]]; then
	expect_match "  ...and one line says --memory is not enforced, --pids is" \
		'^sentry: warning: no cgroup for the sandbox \(rootless: .*--memory and --cpus are not enforced \(--pids is, by the sentry\)$' \
		"$ERR"
fi
no_leftovers "rootless --pids: nothing is left"

# --- the network: published ports ------------------------------------------------------------

PORT=$(/usr/bin/python3 -c '
import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
ur --rootfs "$R" -p "$PORT:8080" -- /bin/sh -c \
	'printf "HTTP/1.0 200 OK\r\n\r\nrootless-ok\n" | nc -l -p 8080 >/dev/null' \
	>/dev/null 2>"$T/pub.err" &
pub=$!
body=
for ((i = 0; i < 100; i++)); do
	body=$(curl -fsS --noproxy '*' --max-time 2 "http://127.0.0.1:$PORT/" 2>/dev/null) && break
	sleep 0.1
done
expect_eq "rootless -p $PORT:8080: the guest's server answers on the host" "rootless-ok" "$body"
wait "$pub"
expect_eq "  ...and the run ends with the guest (status 0)" 0 "$?"
expect_match "  ...its URL printed" "^http://127\.0\.0\.1:$PORT -> guest port 8080$" \
	"$(cat "$T/pub.err")"
capture ur --rootfs "$R" -p 80:8080 -- /bin/true
expect_eq "rootless -p 80:8080: refused (status 125)" 125 "$RC"
expect_match "  ...in one line saying why" \
	'^sentry: cannot publish host port 80: rootless, and ports below [0-9]+ need privilege' "$ERR"

# --- runsc ------------------------------------------------------------------------------

# rsu ARGS...: runsc as the user, $XDG_RUNTIME_DIR its own.
rsu()
{
	(cd "$U" && timeout -k 1 "$E2E_TIMEOUT" "${AS_USER[@]}" env XDG_RUNTIME_DIR="$U/xdg" \
		"$RS" "$@")
}
B=$U/bundle
expect_exit 0 "runsc spec as the user" rsu spec --bundle "$B"
/usr/bin/python3 - "$B/config.json" "$R" "sentry-rl-$$" <<'PY'
import json, sys
path, rootfs, cg = sys.argv[1:]
c = json.load(open(path))
c["process"]["args"] = ["/bin/sh", "-c", "echo in-container $$ $(id -u); exit 3"]
c["process"]["terminal"] = False
c["root"] = {"path": rootfs, "readonly": False}
c["linux"]["cgroupsPath"] = "/" + cg
json.dump(c, open(path, "w"), indent=2)
PY
capture rsu --root "$U/state" run --bundle "$B" rl1
expect_eq "runsc run as the user: output, pid 1, uid 0, exit status 3" \
	"3 in-container 1 0" "$RC $OUT"
if [[ $ERR == *warning* ]]; then
	expect_match "  ...an unwritable cgroupsPath is ignored with a warning" \
		'^runsc: warning: cgroupsPath ignored \(rootless: ' "$ERR"
fi
expect_exit 1 "  ...and the container is gone afterwards" rsu --root "$U/state" state rl1
expect_exit 0 "runsc create as the user" rsu --root "$U/state" create --bundle "$B" rl2
expect_exit 0 "runsc start as the user" rsu --root "$U/state" start rl2
expect_run "  ...runsc wait: its exit status" 0 '{"id":"rl2","exitStatus":3}' \
	rsu --root "$U/state" wait rl2
expect_exit 0 "  ...runsc delete" rsu --root "$U/state" delete rl2
expect_exit 0 "runsc create without --root: state under \$XDG_RUNTIME_DIR/runsc" \
	rsu create --bundle "$B" rl3
check "  ...it is there" test -f "$U/xdg/runsc/rl3/state.json"
expect_exit 0 "  ...runsc delete --force" rsu delete --force rl3
check "  ...and gone" test ! -e "$U/xdg/runsc/rl3"
/usr/bin/python3 - "$B/config.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["process"]["args"] = ["/bin/sleep", "1000"]
json.dump(c, open(sys.argv[1], "w"), indent=2)
PY
expect_exit 0 "runsc create+start of a long-running container as the user" \
	rsu --root "$U/state" create --bundle "$B" rl4
rsu --root "$U/state" start rl4
expect_run "  ...runsc exec in it: uid 0, pid 2" 0 $'0 2' \
	rsu --root "$U/state" exec rl4 /bin/sh -c 'echo $(id -u) $$'
expect_exit 0 "  ...runsc kill KILL" rsu --root "$U/state" kill rl4 KILL
expect_exit 0 "  ...runsc delete --force" rsu --root "$U/state" delete --force rl4
no_leftovers "runsc rootless: nothing is left"

# --- a subordinate id range (newuidmap) --------------------------------------------------------

# A user of our own, with the ranges useradd gives (Debian: /etc/subuid and
# /etc/subgid, 65536 ids each); skipped where it gives none.
if [ "$(id -u)" -eq 0 ] && command -v useradd >/dev/null && command -v newuidmap >/dev/null; then
	SUBUSER=sentryrl$$
	if useradd -M -s /usr/sbin/nologin "$SUBUSER" 2>/dev/null &&
		grep -q "^$SUBUSER:" /etc/subuid && grep -q "^$SUBUSER:" /etc/subgid; then
		suid=$(id -u "$SUBUSER")
		sgid=$(id -g "$SUBUSER")
		base=$(awk -F: -v u="$SUBUSER" '$1 == u { print $2; exit }' /etc/subuid)
		gbase=$(awk -F: -v u="$SUBUSER" '$1 == u { print $2; exit }' /etc/subgid)
		mkdir "$U/sw"
		chown "$suid:$sgid" "$U/sw"
		expect_run "subordinate ids: the guest's chown to 1000:1000 works" 0 "1000 1000" \
			timeout -k 1 "$E2E_TIMEOUT" setpriv --reuid="$suid" --regid="$sgid" \
			--clear-groups --inh-caps=-all "$S" run --rootfs "$R" -v "$U/sw:/w" -- \
			/bin/sh -c 'echo x >/w/f && chown 1000:1000 /w/f && stat -c "%u %g" /w/f'
		expect_eq "  ...on the host, the file is the range's 1000th id" \
			"$((base + 999)):$((gbase + 999))" "$(stat -c %u:%g "$U/sw/f" 2>&1)"
	else
		echo "  (note: useradd gives no subordinate ids here: that part is left out)"
	fi
	userdel "$SUBUSER" 2>/dev/null
	SUBUSER=
	no_leftovers "subordinate ids: nothing is left"
fi
