#!/bin/bash
# The OCI runtime (build/runsc) driven directly, as a shim would: spec,
# create/start/state/kill/delete, run, list, errors in the --log file.
# (containerd, podman and CRI come later: issue 6.)
. "$(dirname -- "$0")/lib.sh"

require_runsc
ROOT=$E2E_TMP/runsc-root
LOG=$E2E_TMP/log.json
B=$E2E_TMP/bundle
mkdir -p "$B"
rs() { timeout -k 1 "$E2E_TIMEOUT" "$RUNSC" --root "$ROOT" --log "$LOG" --log-format json "$@"; }
# However the test ends, no container of it survives.
e2e_cleanup_hook()
{
	local d
	for d in "$ROOT"/*/; do
		[ -d "$d" ] && "$RUNSC" --root "$ROOT" delete --force "$(basename "$d")" >/dev/null 2>&1
	done
	rmdir /sys/fs/cgroup/*/"sentry-e2e-$$" 2>/dev/null
	return 0
}

# config.json with the given command, the host's / as a read-only root.
make_config()
{
	/usr/bin/python3 - "$B/config.json" "$@" <<'PY'
import json, sys
path, args = sys.argv[1], sys.argv[2:]
c = json.load(open(path))
c["process"]["args"] = args
c["process"]["terminal"] = False
c["root"] = {"path": "/", "readonly": True}
json.dump(c, open(path, "w"), indent=2)
PY
}
# edit_config PYTHON...: each PYTHON statement run on c, config.json loaded.
edit_config()
{
	/usr/bin/python3 - "$B/config.json" "$@" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
for stmt in sys.argv[2:]:
    exec(stmt)
json.dump(c, open(sys.argv[1], "w"), indent=2)
PY
}

expect_exit 0 "runsc spec writes a default config.json" rs spec --bundle "$B"
check "  ...it is there" test -s "$B/config.json"
expect_exit 1 "runsc spec again refuses to overwrite it" rs spec --bundle "$B"
capture "$RUNSC" --version
expect_match "runsc --version names itself" '^runsc version ' "$OUT"

# run: the container's output and exit status, state gone afterwards.
make_config /bin/sh -c 'echo hello from the container; exit 3'
expect_run "runsc run: output and exit status 3" 3 "hello from the container" \
	rs run --bundle "$B" c-run
capture rs state c-run
expect_eq "  ...and the container is gone afterwards" 1 "$RC"

# create: created state, pid file without newline, a live pid; start runs it.
make_config /bin/sleep 30
expect_exit 0 "runsc create" rs create --bundle "$B" --pid-file "$E2E_TMP/pid" c1
pid=$(cat "$E2E_TMP/pid")
expect_match "  ...the pid file holds a decimal pid" '^[0-9]+$' "$pid"
check "  ...with no trailing newline" test "$(wc -c <"$E2E_TMP/pid")" -eq "${#pid}"
check "  ...a live process" kill -0 "$pid"
capture rs state c1
expect_match "  ...state says created" '"status": "created"' "$OUT"
expect_match "  ...state gives the pid" "\"pid\": $pid" "$OUT"
expect_match "  ...and the bundle" "\"bundle\": \"$B\"" "$OUT"
expect_exit 1 "a second create with the same id fails" rs create --bundle "$B" c1
expect_exit 0 "runsc start" rs start c1
capture rs state c1
expect_match "  ...state says running" '"status": "running"' "$OUT"
expect_exit 1 "start again fails" rs start c1
capture rs list --format json
expect_match "runsc list --format json shows it" '"id": *"c1"' "$OUT"
capture rs ps --format json c1
expect_match "runsc ps --format json: a JSON array of host pids, the monitor first" \
	"^\\[$pid(,[0-9]+)+\\]\$" "$OUT"
capture rs events --stats c1
expect_match "runsc events --stats: one stats object with memory and pids" \
	'^\{"type":"stats","id":"c1","data":\{"cpu".*"memory":\{"usage":\{"usage":[1-9][0-9]*\}\},"pids":\{"current":[1-9]' "$OUT"
expect_exit 0 "runsc pause" rs pause c1
capture rs state c1
expect_match "  ...state says paused" '"status": "paused"' "$OUT"
stopped=$(for p in $(rs ps --format json c1 | tr -d '[]' | tr , ' '); do
	awk '{ print $3 }' "/proc/$p/stat"; done | sort -u | tr -d '\n')
expect_eq "  ...every process of it is stopped" "T" "$stopped"
expect_exit 1 "pause again fails" rs pause c1
expect_exit 0 "runsc resume" rs resume c1
capture rs state c1
expect_match "  ...state says running again" '"status": "running"' "$OUT"
# exec: a process in the running container, its output and status.
expect_run "runsc exec: a second process in the container" 4 "hi 2" \
	rs exec c1 /bin/sh -c 'echo hi $$; exit 4'
cat >"$E2E_TMP/proc.json" <<'J'
{"args": ["/bin/sh", "-c", "echo $GREETING from $(pwd)"], "env": ["GREETING=hello"],
 "cwd": "/etc", "user": {"uid": 0, "gid": 0}, "terminal": false}
J
expect_run "runsc exec --process FILE: args, env and cwd from it" 0 "hello from /etc" \
	rs exec --process "$E2E_TMP/proc.json" c1
expect_exit 0 "runsc exec --detach --pid-file" \
	rs exec --detach --pid-file "$E2E_TMP/epid" c1 /bin/sleep 0.2
check "  ...the pid file names the exec's process" test -s "$E2E_TMP/epid"
: >"$LOG"
expect_exit 1 "exec of a missing executable fails at once" rs exec c1 /bin/nonexistent
check "  ...the log says why" grep -q 'nonexistent.*no such file' "$LOG"
# A signal to the exec's proxy reaches the exec'd process.
rm -f "$E2E_TMP/xp"
rs exec --pid-file "$E2E_TMP/xp" c1 /bin/sh -c 'trap "exit 9" TERM; echo up; while :; do sleep 0.1; done' \
	>"$E2E_TMP/ex.out" 2>&1 &
runner=$!
for _ in $(seq 100); do
	grep -q up "$E2E_TMP/ex.out" 2>/dev/null && [ -s "$E2E_TMP/xp" ] && break
	sleep 0.1
done
expect_eq "  ...(the exec'd shell is up)" up "$(cat "$E2E_TMP/ex.out")"
kill -TERM "$(cat "$E2E_TMP/xp")"
wait "$runner"
st=$?
expect_eq "a TERM to the exec proxy reaches the process: its handler's exit status 9" 9 "$st"
# kill --all: every process of the container gets the signal.
rs exec --detach c1 /bin/sh -c 'trap "touch /tmp/got-usr1" USR1; while :; do sleep 0.1; done'
sleep 0.3
expect_exit 0 "runsc kill --all c1 USR1" rs kill --all c1 USR1
sleep 0.5
expect_exit 0 "  ...an exec'd process got it" rs exec c1 /bin/test -e /tmp/got-usr1
expect_exit 1 "delete without --force refuses a running container" rs delete c1
expect_exit 0 "runsc kill c1 KILL" rs kill c1 KILL
for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
capture rs state c1
expect_match "  ...state says stopped" '"status": "stopped"' "$OUT"
expect_exit 0 "runsc delete" rs delete c1
capture rs state c1
expect_eq "  ...state of a deleted container fails" 1 "$RC"
expect_exit 0 "delete --force of an unknown id exits 0" rs delete --force nosuch
expect_exit 1 "delete of an unknown id fails" rs delete nosuch
check "  ...with a JSON error line in the --log file" \
	grep -q '"level": *"error".*nosuch' "$LOG"

# wait: the exit status of a container whose monitor is not our child.
make_config /bin/sh -c 'sleep 0.3; exit 5'
rs create --bundle "$B" c5 && rs start c5
expect_run "runsc wait reports the exit status" 0 '{"id":"c5","exitStatus":5}' rs wait c5
rs delete c5
make_config /bin/sleep 30
rs create --bundle "$B" c6 && rs start c6 && rs kill c6 KILL
expect_run "  ...137 for a container killed with SIGKILL" 0 '{"id":"c6","exitStatus":137}' \
	rs wait c6
rs delete c6

# A signal reaches the container's init; its exit status comes back.
make_config /bin/sh -c 'trap "exit 7" TERM; echo ready; while :; do sleep 0.1; done'
rs run --bundle "$B" c2 >"$E2E_TMP/c2.out" 2>&1 &
runner=$!
for _ in $(seq 100); do grep -q ready "$E2E_TMP/c2.out" 2>/dev/null && break; sleep 0.1; done
expect_exit 0 "runsc kill c2 TERM" rs kill c2 TERM
wait "$runner"
expect_eq "  ...the init's TERM handler ran: exit status 7" 7 "$?"

# A terminal: the pty master comes over --console-socket (SCM_RIGHTS), the
# container's stdio is a terminal of the sandbox with the configured size.
cat >"$E2E_TMP/console.py" <<'PY'
import array, os, select, socket, subprocess, sys, time
path = sys.argv[1]
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(path)
srv.listen(1)
p = subprocess.Popen(sys.argv[2:])
c, _ = srv.accept()
msg, anc, _, _ = c.recvmsg(64, socket.CMSG_SPACE(4))
fds = array.array('i')
for level, typ, data in anc:
    fds.frombytes(data[:4])
print("create", p.wait(), "fds", len(fds), flush=True)
out, end = b'', time.time() + 10
resized = not os.environ.get("RESIZE")
while time.time() < end and b'done' not in out:
    if not resized and b'ready' in out:
        # As the shim does for `ctr` resizes: TIOCSWINSZ on the master.
        import fcntl, struct, termios
        rows, cols = map(int, os.environ["RESIZE"].split("x"))
        fcntl.ioctl(fds[0], termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        resized = True
    r, _, _ = select.select([fds[0]], [], [], 0.2)
    if r:
        try:
            out += os.read(fds[0], 4096)
        except OSError:
            break
print(out.decode().replace('\r', ''))
PY
make_config /bin/sh -c 'tty; stty size; echo done'
edit_config 'c["process"]["terminal"] = True' \
	'c["process"]["consoleSize"] = {"height": 30, "width": 100}'
timeout 20 /usr/bin/python3 "$E2E_TMP/console.py" "$E2E_TMP/cs.sock" \
	"$RUNSC" --root "$ROOT" --log "$LOG" create --bundle "$B" --console-socket "$E2E_TMP/cs.sock" c4 \
	>"$E2E_TMP/c4.out" 2>&1 &
con=$!
for _ in $(seq 100); do grep -q '^create' "$E2E_TMP/c4.out" 2>/dev/null && break; sleep 0.1; done
expect_exit 0 "start of a terminal container" rs start c4
wait "$con"
expect_eq "  ...the master came over the console socket; the container's tty and size" \
	$'create 0 fds 1\n/dev/pts/0\n30 100\ndone' "$(cat "$E2E_TMP/c4.out")"
rs delete --force c4

# A resize of the master reaches the container (SIGWINCH, the new size).
make_config /bin/sh -c 'trap "stty size; echo done; exit" WINCH; echo ready; while :; do sleep 0.1; done'
edit_config 'c["process"]["terminal"] = True'
RESIZE=40x120 timeout 20 /usr/bin/python3 "$E2E_TMP/console.py" "$E2E_TMP/cs5.sock" \
	"$RUNSC" --root "$ROOT" --log "$LOG" create --bundle "$B" --console-socket "$E2E_TMP/cs5.sock" c5 \
	>"$E2E_TMP/c5.out" 2>&1 &
con=$!
for _ in $(seq 100); do grep -q '^create' "$E2E_TMP/c5.out" 2>/dev/null && break; sleep 0.1; done
expect_exit 0 "start of a terminal container that traps SIGWINCH" rs start c5
wait "$con"
expect_match "  ...resizing the master to 40x120 gives it SIGWINCH and the new size" \
	'^40 120$' "$(cat "$E2E_TMP/c5.out")"
rs delete --force c5

# --preserve-fds N (go-runc's create ... --preserve-fds N): the caller's
# fds 3..3+N-1 are the container's; any other fd it left open is not.
echo "from fd 3" >"$E2E_TMP/pfd.in"
make_config /bin/sh -c 'cat <&3; echo "to fd 4" >&4; ls /proc/$$/fd'
expect_run "runsc run --preserve-fds 2: the init reads fd 3; it has fds 0-4, not the caller's 5" \
	0 $'from fd 3\n0\n1\n2\n3\n4' \
	rs run --preserve-fds 2 --bundle "$B" p1 3<"$E2E_TMP/pfd.in" 4>"$E2E_TMP/pfd.out" \
	5<"$E2E_TMP/pfd.in"
expect_eq "  ...and it wrote the caller's fd 4" "to fd 4" "$(cat "$E2E_TMP/pfd.out")"
make_config /bin/sh -c 'ls /proc/$$/fd'
expect_run "without --preserve-fds a stray fd 3 of the caller stays out" 0 $'0\n1\n2' \
	rs run --bundle "$B" p2 3<"$E2E_TMP/pfd.in"
# Once the guest closes a preserved pipe, no copy is left: the reader sees
# EOF while the container still runs.
mkfifo "$E2E_TMP/pfd.fifo"
make_config /bin/sh -c 'echo piped >&3; exec 3>&-; sleep 2'
# (no `timeout` here: it would hold a copy of fd 3 itself)
"$RUNSC" --root "$ROOT" --log "$LOG" run --preserve-fds 1 --bundle "$B" p3 3>"$E2E_TMP/pfd.fifo" &
runner=$!
expect_run "  ...a pipe the guest writes and closes ends for the reader" 0 piped \
	timeout 1.5 cat "$E2E_TMP/pfd.fifo"
wait "$runner"
: >"$LOG"
expect_exit 1 "create --preserve-fds 3 with the caller's fd 5 closed fails" \
	rs create --preserve-fds 3 --bundle "$B" p4 3<"$E2E_TMP/pfd.in" 4<"$E2E_TMP/pfd.in"
check "  ...the log says why" grep -q 'preserve-fds' "$LOG"

# The sandbox's network policy: a flag, or an annotation of the bundle.
make_config /bin/sh -c 'ip -o link | wc -l'
expect_run "default network: lo and eth0" 0 2 rs run --bundle "$B" n1
expect_run "--block-network: lo only" 0 1 \
	timeout -k 1 "$E2E_TIMEOUT" "$RUNSC" --root "$ROOT" --block-network run --bundle "$B" n2
edit_config 'c.setdefault("annotations", {})["dev.sentry.network.block"] = "true"'
expect_run "annotation dev.sentry.network.block=true: lo only" 0 1 rs run --bundle "$B" n3

# create fails at once for a command that does not exist, with the reason
# in the log file (what containerd shows the user).
: >"$LOG"
make_config /bin/nonexistent
expect_exit 1 "create of a missing executable fails" rs create --bundle "$B" c3
check "  ...the log says why" grep -q 'nonexistent' "$LOG"
capture rs state c3
expect_eq "  ...and leaves no container" 1 "$RC"


# linux.cgroupsPath and linux.resources: every host process of the
# container is in the cgroup (what containerd's metrics read), with the
# memory and pids limits; delete removes it.
CG=/sentry-e2e-$$/cg1
make_config /bin/sleep 30
edit_config "c['linux']['cgroupsPath'] = '$CG'" \
	'c["linux"].setdefault("resources", {})["memory"] = {"limit": 268435456}' \
	'c["linux"]["resources"]["pids"] = {"limit": 300}'
expect_exit 0 "create with linux.cgroupsPath $CG" rs create --bundle "$B" --pid-file "$E2E_TMP/cgpid" cg1
cgpid=$(cat "$E2E_TMP/cgpid")
for h in memory pids cpu; do
	if [ -d "/sys/fs/cgroup/$h" ]; then
		expect_match "  ...the container's pid is in $CG ($h)" ":$CG\$" \
			"$(grep -E "^[0-9]+:([a-z_,]*,)?$h(,[a-z_,]*)?:" "/proc/$cgpid/cgroup")"
	fi
done
if [ -d /sys/fs/cgroup/memory ]; then
	expect_eq "  ...memory.limit_in_bytes from linux.resources" 268435456 \
		"$(cat "/sys/fs/cgroup/memory$CG/memory.limit_in_bytes")"
	n_in=$(wc -l <"/sys/fs/cgroup/memory$CG/cgroup.procs")
	check "  ...with the sandbox's processes (monitor, sentry, gofer, stub: $n_in)" test "$n_in" -ge 4
fi
[ -d /sys/fs/cgroup/pids ] && expect_eq "  ...pids.max from linux.resources" 300 \
	"$(cat "/sys/fs/cgroup/pids$CG/pids.max")"
expect_exit 0 "  ...delete --force" rs delete --force cg1
check "  ...removes the cgroup, and the parent it made" \
	test ! -e "/sys/fs/cgroup/memory$CG" -a ! -e "/sys/fs/cgroup/pids/sentry-e2e-$$"
edit_config 'c["linux"]["cgroupsPath"] = "/a/../../escape"'
expect_exit 1 "a cgroupsPath with .. is refused" rs create --bundle "$B" cg2
