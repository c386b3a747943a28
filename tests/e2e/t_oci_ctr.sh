#!/bin/bash
# build/runsc driven by containerd 1.6's runc shim (containerd-shim-runc-v2)
# through `ctr run --runc-binary`, with a private containerd: run with and
# without a terminal, exit statuses, exec, kill, ps, pause/resume, forced
# delete, an image imported from an OCI archive; nothing left afterwards.
# (docs/containerd.md; what the shim expects: shared/design/oci-clients.md.)
. "$(dirname -- "$0")/lib.sh"
. "$E2E_DIR/containerd.sh"

require_runsc
require_tools containerd ctr containerd-shim-runc-v2
if ! ctrd_start; then
	fail "a private containerd starts" "$(tail -5 "$CTRD_LOG")"
	exit 1
fi
pass "a private containerd starts"

# Our own namespace, for ctr run from ptyrun too: cgroups /$CTRD_NS/<id>.
export CONTAINERD_NAMESPACE=$CTRD_NS
R=$E2E_ROOTFS
RT=(--runc-binary "$RUNSC" --runc-root "$CTRD_DIR/runc")
# ctr run with our runtime; ctr's fifos under CTRD_DIR.
crun() { ctrc run --fifo-dir "$CTRD_FIFO_DIR" "${RT[@]}" "$@"; }
cexec() { ctrc task exec --fifo-dir "$CTRD_FIFO_DIR" "$@"; }

# ptyrun CMD...: ptyrun.py (CMD with a terminal as its stdio: ctr -t
# wants one); prints what it wrote there (CRs dropped, without ctr's
# complaints about resizing an exited process), exits with its status.
# With PTY_INPUT set, types that once PTY_WAIT has been printed.
ptyrun()
{
	timeout -s KILL "$CTRD_TIMEOUT" "$CTRD_PY" "$E2E_DIR/ptyrun.py" "$@" |
		grep --line-buffered -v 'resize pty.*cannot resize a stopped container'
	return "${PIPESTATUS[0]}"
}

# task_status ID: the STATUS column of `ctr task ls` (empty: no task).
task_status() { ctrc task ls | awk -v id="$1" '$1 == id { print $3 }'; }
task_pid() { ctrc task ls | awk -v id="$1" '$1 == id { print $2 }'; }
# wait_status ID STATUS: up to 5 s for the task to reach it.
wait_status()
{
	local i
	for i in $(seq 50); do
		[ "$(task_status "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	return 1
}
# --- ctr run, no terminal ------------------------------------------------------
expect_run "ctr run: the container's stdout and exit status 3" 3 "out" \
	crun --rm --rootfs "$R" r1 /bin/sh -c 'echo out; echo err >&2; exit 3'
expect_eq "  ...its stderr on ctr's stderr" "err" "$ERR"
expect_run "ctr run: exit 0, args and the default cwd" 0 "a b /" \
	crun --rm --rootfs "$R" r2 /bin/sh -c 'echo "$0 $1 $(pwd)"' a b
expect_run "ctr run --env --cwd" 0 "v=42 /etc" \
	crun --rm --env V=42 --cwd /etc --rootfs "$R" r3 /bin/sh -c 'echo "v=$V $(pwd)"'
capture crun --rm --rootfs "$R" r4 /bin/nonexistent
expect_ne "ctr run of a missing executable fails" 0 "$RC"
expect_match "  ...with the runtime's reason" 'nonexistent.*(no such file|not found)' "$ERR"
expect_eq "  ...and leaves no task or container" "" \
	"$(ctrc task ls -q; ctrc containers ls -q)"

stdin_run() { printf 'abcdef' | crun --rm --rootfs "$R" s1 /bin/sh -c 'head -c 3; echo'; }
expect_run "ctr run: the container reads ctr's stdin" 0 "abc" stdin_run

# SIGKILL to a running container: ctr run returns 137.
crun --rm --rootfs "$R" r5 /bin/sh -c 'echo up; exec sleep 60' >"$E2E_TMP/r5.out" 2>&1 &
runner=$!
wait_file "$E2E_TMP/r5.out" up
wait_status r5 RUNNING
expect_exit 0 "ctr task kill -s 9 (SIGKILL) of a running task" ctrc task kill -s 9 r5
wait "$runner"
expect_eq "  ...ctr run returns 137" 137 "$?"

# --- ctr run -t -----------------------------------------------------------------
capture ptyrun ctr --address "$CTRD_SOCK" run --fifo-dir "$CTRD_FIFO_DIR" "${RT[@]}" -t --rm \
	--rootfs "$R" t1 /bin/sh -c 'tty; [ -t 0 ] && [ -t 1 ] && echo "term=$TERM"; exit 3'
expect_eq "ctr run -t: exit status 3" 3 "$RC"
expect_eq "  ...the container's stdio is a terminal" $'/dev/pts/0\nterm=xterm' "$OUT"

ptyrun ctr --address "$CTRD_SOCK" run --fifo-dir "$CTRD_FIFO_DIR" "${RT[@]}" -t --rm \
	--rootfs "$R" t2 /bin/sh -c 'echo up; exec sleep 60' >"$E2E_TMP/t2.out" 2>&1 &
runner=$!
wait_file "$E2E_TMP/t2.out" up
wait_status t2 RUNNING
expect_exit 0 "ctr task kill -s 9 of a terminal task" ctrc task kill -s 9 t2
wait "$runner"
expect_eq "  ...ctr run -t returns 137" 137 "$?"

# --- ctr run -d, exec, kill, ps, pause/resume -------------------------------------
LOGF=$E2E_TMP/d1.log
expect_exit 0 "ctr run -d" crun -d --log-uri "file://$LOGF" --rootfs "$R" d1 \
	/bin/sh -c 'i=0; while :; do i=$((i+1)); echo "tick $i"; sleep 0.1; done'
expect_eq "  ...the task runs" RUNNING "$(task_status d1)"
init=$(task_pid d1)
expect_run "ctr task exec: output and exit status 5" 5 "in d1" \
	cexec --exec-id e1 d1 /bin/sh -c 'echo in d1; exit 5'
expect_run "ctr task exec: exit 0, stderr separate" 0 "o" \
	cexec --exec-id e2 d1 /bin/sh -c 'echo o; echo e >&2'
expect_eq "  ...stderr on ctr's stderr" "e" "$ERR"
capture ptyrun ctr --address "$CTRD_SOCK" task exec --fifo-dir "$CTRD_FIFO_DIR" -t --exec-id e3 \
	d1 /bin/sh -c 'tty; [ -t 0 ] && echo terminal; exit 4'
expect_eq "ctr task exec -t: exit status 4" 4 "$RC"
expect_match "  ...with a terminal of its own: tty(1) names a pty of the sandbox" \
	'^/dev/pts/[0-9]+$' "$OUT"
expect_match "  ...isatty() holds" '^terminal$' "$OUT"
PTY_WAIT='say:' PTY_INPUT=$'hello\r' capture ptyrun ctr --address "$CTRD_SOCK" task exec \
	--fifo-dir "$CTRD_FIFO_DIR" -t --exec-id e3b d1 /bin/sh -c 'printf "say:"; read x; echo "got $x"'
expect_eq "ctr task exec -t: typed input is a line (ICRNL), with echo" \
	$'say:hello\ngot hello' "$OUT"
expect_run "ctr task exec of a process killed by SIGKILL: 137" 137 "" \
	cexec --exec-id e4 d1 /bin/sh -c 'kill -9 $$'
cexec --exec-id e6 d1 /bin/sh -c 'echo up; exec sleep 60' >"$E2E_TMP/e6.out" 2>&1 &
runner=$!
wait_file "$E2E_TMP/e6.out" up
expect_exit 0 "ctr task kill --exec-id -s 9 of a running exec" ctrc task kill --exec-id e6 -s 9 d1
wait "$runner"
expect_eq "  ...its ctr task exec returns 137" 137 "$?"
for i in $(seq 20); do
	procs=$(cexec --exec-id "e7-$i" d1 /bin/ps -o args)
	[[ $procs == *"sleep 60"* ]] || break
	sleep 0.1
done
expect_nomatch "  ...and its process is gone from the sandbox" 'sleep 60' "$procs"
expect_eq "  ...and the task goes on" RUNNING "$(task_status d1)"
capture cexec --exec-id e5 d1 /bin/nonexistent
expect_ne "ctr task exec of a missing executable fails" 0 "$RC"
expect_match "  ...with the reason" 'nonexistent.*(no such file|not found)' "$ERR"

# ps: host pids, the init (the runtime's monitor) first.
capture ctrc task ps d1
pids=$(printf '%s\n' "$OUT" | awk 'NR > 1 { print $1 }')
expect_match "ctr task ps lists the init's host pid" "^$init\$" "$pids"
# The others are the sandbox's (the sentry, its stubs: some come and go
# with the init's `sleep 0.1`s): host processes under the init.
under_init()
{
	local p=$1
	while [ "$p" -gt 1 ]; do
		[ "$p" = "$init" ] && return 0
		p=$(sed 's/.*) [A-Za-z] \([0-9]*\).*/\1/' 2>/dev/null <"/proc/$p/stat")
		[ -n "$p" ] || return 0   # gone meanwhile
	done
	return 1
}
alive=0 outside=
for p in $pids; do
	[ -d "/proc/$p" ] || continue
	alive=$((alive + 1))
	under_init "$p" || outside="$outside $p"
done
check "  ...and more of them ($alive still alive)" test "$alive" -ge 2
expect_eq "  ...all host processes under the init" "" "$outside"

# pause: no progress while paused; resume: progress again.
wait_file "$LOGF" "tick 3"
expect_exit 0 "ctr task pause" ctrc task pause d1
expect_eq "  ...the task is PAUSED" PAUSED "$(task_status d1)"
sleep 0.3
n1=$(wc -l <"$LOGF")
sleep 0.7
n2=$(wc -l <"$LOGF")
expect_eq "  ...and makes no progress" "$n1" "$n2"
expect_exit 0 "ctr task resume" ctrc task resume d1
expect_eq "  ...the task is RUNNING" RUNNING "$(task_status d1)"
wait_file "$LOGF" "tick $((n2 + 3))"
n3=$(wc -l <"$LOGF")
check "  ...and makes progress again ($n2 -> $n3 ticks)" test "$n3" -gt "$n2"

# kill: a pid 1 without a handler ignores SIGTERM (as on Linux).
expect_exit 0 "ctr task kill -s 15 of an init without a handler" ctrc task kill -s 15 d1
sleep 0.5
expect_eq "  ...is ignored: the task still runs" RUNNING "$(task_status d1)"
# delete -f of a running task: killed and removed, its processes gone.
expect_exit 0 "ctr task delete -f of a running task" ctrc task delete -f d1
expect_eq "  ...the task is gone" "" "$(task_status d1)"
check "  ...and so is its init process" test ! -d "/proc/$init"
expect_exit 0 "ctr container delete" ctrc containers delete d1

# delete -f of a task that has stopped already (the shim's kill must find
# the container "not running", not fail).
crun -d --rootfs "$R" d2 /bin/sleep 60 >/dev/null 2>&1
ctrc task kill -s 9 d2 >/dev/null 2>&1
wait_status d2 STOPPED
capture ctrc task delete -f d2
expect_eq "ctr task delete -f of a stopped task" 0 "$RC"
expect_match "  ...reports its exit status 137" 'exit code 137' "$ERR"
ctrc containers delete d2 >/dev/null 2>&1

# A TERM handler of the init runs; its exit status comes back.
crun --rm --rootfs "$R" k1 /bin/sh -c 'trap "echo got TERM; exit 7" TERM; echo ready
	while :; do sleep 0.1; done' >"$E2E_TMP/k1.out" 2>&1 &
runner=$!
wait_file "$E2E_TMP/k1.out" ready
wait_status k1 RUNNING
expect_exit 0 "ctr task kill (SIGTERM) of an init with a handler" ctrc task kill k1
wait "$runner"
expect_eq "  ...ctr run returns the handler's exit status 7" 7 "$?"
expect_eq "  ...and the handler's output" $'ready\ngot TERM' "$(cat "$E2E_TMP/k1.out")"
# A numeric signal other than TERM/KILL: USR1 to a handler.
expect_exit 0 "ctr run -d for ctr task kill -s 10" crun -d --rootfs "$R" k2 \
	/bin/sh -c 'trap "exit 10" USR1; while :; do sleep 0.1; done'
sleep 0.3
expect_exit 0 "ctr task kill -s 10 (SIGUSR1)" ctrc task kill -s 10 k2
wait_status k2 STOPPED
expect_eq "  ...the task stops" STOPPED "$(task_status k2)"
capture ctrc task delete k2
expect_match "  ...with the handler's exit status 10" 'exit code 10' "$ERR"
ctrc containers delete k2 >/dev/null 2>&1

# --- the sandbox's policy: annotations, or global flags through a wrapper --------------
expect_run "default network: lo and eth0" 0 2 \
	crun --rm --rootfs "$R" n1 /bin/sh -c 'ip -o link | wc -l'
expect_run "ctr run --annotation dev.sentry.network.block=true: lo only" 0 1 \
	crun --rm --annotation dev.sentry.network.block=true --rootfs "$R" n2 \
	/bin/sh -c 'ip -o link | wc -l'
printf '#!/bin/sh\nexec %q --block-network "$@"\n' "$RUNSC" >"$E2E_TMP/runsc-blocked"
chmod +x "$E2E_TMP/runsc-blocked"
expect_run "--runc-binary a wrapper adding --block-network: lo only" 0 1 \
	ctrc run --rm --fifo-dir "$CTRD_FIFO_DIR" --runc-binary "$E2E_TMP/runsc-blocked" \
	--runc-root "$CTRD_DIR/runc" --rootfs "$R" n3 /bin/sh -c 'ip -o link | wc -l'

# --- an image from an OCI archive ----------------------------------------------
ctrd_oci_archive "$R" "$E2E_TMP/busybox.tar" e2e.local/busybox:1
capture ctrc images import "$E2E_TMP/busybox.tar"
expect_eq "ctr images import of the OCI archive" 0 "$RC"
capture ctrc images ls -q
expect_match "  ...the image is listed" '^e2e.local/busybox:1$' "$OUT"
expect_run "ctr run IMAGE: the image's files, env and working directory" 0 \
	"$(head -1 "$R/.e2e-rootfs") / /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
	crun --rm e2e.local/busybox:1 i1 /bin/sh -c 'echo $(head -1 /.e2e-rootfs) $(pwd) $PATH'
# root.path is "rootfs", relative to the bundle, where containerd has
# mounted the snapshot (overlayfs) before create.
expect_exit 0 "ctr run -d IMAGE" crun -d e2e.local/busybox:1 i2 \
	/bin/sh -c 'echo x >/newfile; sleep 60'
B=$CTRD_DIR/state/io.containerd.runtime.v2.task/$CTRD_NS/i2
expect_eq "  ...its config's root.path is relative" rootfs \
	"$("$CTRD_PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))["root"]["path"])' \
		"$B/config.json" 2>&1)"
expect_match "  ...and containerd mounted the image there" "^$B/rootfs\$" \
	"$(awk '{ print $5 }' /proc/self/mountinfo)"
expect_run "  ...a write in the container is its own" 0 x cexec --exec-id x1 i2 \
	/bin/sh -c 'until [ -e /newfile ]; do sleep 0.05; done; cat /newfile'
expect_exit 0 "  ...ctr task delete -f" ctrc task delete -f i2
check "  ...unmounted" test -z "$(awk -v b="$B/rootfs" '$5 == b' /proc/self/mountinfo)"
ctrc containers delete i2 >/dev/null 2>&1
expect_exit 1 "  ...and the write is not in the image" \
	crun --rm e2e.local/busybox:1 i3 /bin/test -e /newfile

# --- nothing left ---------------------------------------------------------------
expect_eq "no task or container left" "" "$(ctrc task ls -q; ctrc containers ls -q)"
expect_eq "  ...nor a container's cgroup (the runtime's delete removes them)" "" \
	"$(find /sys/fs/cgroup/*/"$CTRD_NS" /sys/fs/cgroup/"$CTRD_NS" -mindepth 1 -type d 2>/dev/null)"
ctrd_cleanup
expect_eq "after stopping the daemon: no shim, sandbox process or mount left" "" \
	"$(ctrd_leftovers)"
