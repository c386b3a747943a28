#!/bin/bash
# build/runsc driven by podman 4.3 through conmon (`podman --runtime
# .../runsc`), with podman's storage and state private to the test: run
# with and without a terminal, exit statuses, a missing command (127),
# exec with and without a terminal, stop (SIGTERM ignored by pid 1, then
# SIGKILL; a TERM trap), kill, rm -f; nothing left afterwards.
# (How podman drives a runtime: shared/design/oci-clients.md, section 2.)
#
# podman passes the runtime no --root (and its cleanup process passes no
# --runtime-flag), so the runtime keeps its state in its default root,
# /var/run/runsc: the test checks that every container it made is gone
# from there.
. "$(dirname -- "$0")/lib.sh"

require_runsc
require_tools podman conmon

PD=$E2E_TMP/podman
R=$E2E_TMP/rootfs
copy_rootfs "$R"   # podman adds /etc/mtab to a --rootfs
mkdir -p "$PD/net"
# No systemd here: cgroupfs and a file for events; vfs storage (no overlay
# mounts); the machine's hard limits (podman would raise them, and may not).
PODMAN=(podman --root "$PD/root" --runroot "$PD/runroot" --tmpdir "$PD/tmp" --storage-driver vfs
	--network-config-dir "$PD/net" --cgroup-manager cgroupfs --events-backend file
	--runtime "$RUNSC")
pm() { timeout -k 2 30 "${PODMAN[@]}" "$@"; }
hard() { local v; v=$(ulimit -H"$1"); [ "$v" = unlimited ] && v=1048576; echo "$v"; }
RUN=(--network none --ulimit "nofile=$(hard n):$(hard n)" --ulimit "nproc=$(hard u):$(hard u)"
	--rootfs "$R")

# A process's start time (field 22 of its stat), or nothing if it is gone
# or a zombie.
started() { sed -n 's/.*) [^Z] \([^ ]* \)\{18\}\([0-9]*\) .*/\2/p' "/proc/$1/stat" 2>/dev/null; }
IDS=()     # every container made, for the checks at the end
PIDS=()    # PID:START of their monitors' and sandboxes' host processes
remember()
{
	local id p st
	id=$(pm inspect -f '{{.Id}}' "$1" 2>/dev/null) || return 0
	IDS+=("$id")
	for p in $("$RUNSC" ps --format json "$id" 2>/dev/null | tr -d '[]' | tr , ' '); do
		st=$(started "$p")
		[ -n "$st" ] && PIDS+=("$p:$st")
	done
}

# podman (cgroupfs) makes /libpod_parent with its conmon group in every
# cgroup hierarchy: the test removes them if they were not there before.
CG_PARENT=$(ls -d /sys/fs/cgroup/*/libpod_parent 2>/dev/null)
tidy_cgroups()
{
	[ -n "$CG_PARENT" ] && return 0
	rmdir /sys/fs/cgroup/*/libpod_parent/conmon /sys/fs/cgroup/*/libpod_parent 2>/dev/null
	return 0
}

# Whatever happens, no container, process or mount of the test stays.
e2e_cleanup_hook()
{
	[ -d "$PD/root" ] || return 0
	pm rm -f -t 0 --all >/dev/null 2>&1
	pm system reset --force >/dev/null 2>&1
	grep -F " $E2E_TMP" /proc/mounts | cut -d' ' -f2 | sort -r | xargs -r -n1 umount -l
	tidy_cgroups
}

# ptyrun CMD...: ptyrun.py (CMD with a terminal as its stdio: podman -t
# wants one), within a time limit.
ptyrun() { timeout -k 2 30 /usr/bin/python3 "$E2E_DIR/ptyrun.py" "$@"; }

# wait_log NAME TEXT: until the container's log shows TEXT (5 s at most).
wait_log()
{
	for _ in $(seq 50); do
		pm logs "$1" 2>/dev/null | grep -q -- "$2" && return 0
		sleep 0.1
	done
	return 1
}

# --- run --------------------------------------------------------------------------------
expect_run "podman run --rm: the output, and exit status 3 for exit 3" 3 "hello from podman" \
	pm run --rm "${RUN[@]}" /bin/sh -c 'echo hello from podman; exit 3'
expect_run "  ...the hostname, /etc/hostname and /run/.containerenv (file bind mounts)" 0 \
	$'box1\nbox1\ncontainerenv' \
	pm run --rm --hostname box1 "${RUN[@]}" /bin/sh -c \
	'hostname; echo $(cat /etc/hostname); test -f /run/.containerenv && echo containerenv'
expect_exit 127 "podman run of a missing executable: 127" \
	pm run --rm "${RUN[@]}" /bin/nonexistent
expect_match "  ...podman says it was not found" 'not found|no such file' "$ERR"
expect_exit 127 "podman run of a command not on PATH: 127" pm run --rm "${RUN[@]}" nonexistent
expect_eq "  ...and no container is left of them" "" "$(pm ps -aq)"
expect_run "podman run -i: stdin reaches the container, and its end" 0 $'piped in\ndone' \
	pm run --rm -i "${RUN[@]}" /bin/sh -c 'cat; echo done' <<<"piped in"

capture ptyrun "${PODMAN[@]}" run --rm -t "${RUN[@]}" \
	/bin/sh -c '[ -t 0 ] && echo stdin is a tty; tty; exit 5'
expect_eq "podman run -t: a terminal (/dev/pts/N), exit status 5" \
	$'stdin is a tty\n/dev/pts/0\nrc 5' "$OUT"$'\n'"rc $RC"

# --- run -d, exec ----------------------------------------------------------------------------
# pid 1 is sleep: no handler, so SIGTERM does nothing to it (init).
expect_exit 0 "podman run -d" pm run -d --name sleeper "${RUN[@]}" /bin/sleep 60
remember sleeper
expect_match "  ...podman ps says it is up" '^sleeper Up' "$(pm ps --format '{{.Names}} {{.Status}}')"
expect_run "podman exec: the output, and exit status 4" 4 "in the container: sleep" \
	pm exec sleeper /bin/sh -c 'echo in the container: $(cat /proc/1/comm); exit 4'
expect_run "podman exec -e, -w" 0 "hello from /etc" \
	pm exec -e GREETING=hello -w /etc sleeper /bin/sh -c 'echo $GREETING from $(pwd)'
expect_exit 127 "podman exec of a missing executable: 127" pm exec sleeper /bin/nonexistent
expect_exit 0 "podman pause" pm pause sleeper
expect_run "  ...podman says it is paused" 0 paused pm inspect -f '{{.State.Status}}' sleeper
expect_exit 0 "podman unpause" pm unpause sleeper
expect_run "  ...and it runs again" 0 "running again" pm exec sleeper echo running again
capture ptyrun "${PODMAN[@]}" exec -t sleeper \
	/bin/sh -c '[ -t 0 ] && echo stdin is a tty; tty; exit 6'
expect_match "podman exec -t: a terminal" '^stdin is a tty$' "$OUT"
expect_match "  ...tty names /dev/pts/N" '^/dev/pts/[0-9]+$' "$OUT"
expect_eq "  ...exit status 6" 6 "$RC"

# --- stop, kill, rm -f ------------------------------------------------------------------------
start=$SECONDS
expect_run "podman stop -t 2 of a container whose pid 1 ignores SIGTERM" 0 sleeper \
	pm stop -t 2 sleeper
took=$((SECONDS - start))
check "  ...it took the 2 s before SIGKILL (${took}s)" test "$took" -ge 2 -a "$took" -le 10
expect_run "  ...exit code 137 (SIGKILL)" 0 137 pm inspect -f '{{.State.ExitCode}}' sleeper
expect_exit 0 "podman rm of the stopped container" pm rm sleeper

pm run -d --name trapper "${RUN[@]}" /bin/sh -c \
	'trap "echo got TERM; exit 7" TERM; echo ready; while :; do sleep 0.1; done' >/dev/null
remember trapper
check "  ...(the TERM-trapping container is up)" wait_log trapper ready
start=$SECONDS
expect_run "podman stop of a container that traps TERM" 0 trapper pm stop -t 20 trapper
took=$((SECONDS - start))
check "  ...it ended at once (${took}s)" test "$took" -le 3
expect_run "  ...its handler's exit status 7" 0 7 pm inspect -f '{{.State.ExitCode}}' trapper
expect_match "  ...and its output" '^got TERM$' "$(pm logs trapper)"

pm run -d --name usr1 "${RUN[@]}" /bin/sh -c \
	'trap "echo got USR1; exit 9" USR1; echo ready; while :; do sleep 0.1; done' >/dev/null
remember usr1
check "  ...(the USR1-trapping container is up)" wait_log usr1 ready
expect_exit 0 "podman kill -s USR1" pm kill -s USR1 usr1
expect_run "  ...the container's handler ran: podman wait gives 9" 0 9 pm wait usr1

pm run -d --name victim "${RUN[@]}" /bin/sleep 60 >/dev/null
remember victim
expect_exit 0 "podman kill" pm kill victim
expect_run "  ...podman wait gives 137" 0 137 pm wait victim

pm run -d --name doomed "${RUN[@]}" /bin/sleep 60 >/dev/null
remember doomed
expect_exit 0 "podman rm -f of a running container" pm rm -f -t 0 doomed
capture pm container exists doomed
expect_eq "  ...it is gone" 1 "$RC"

expect_exit 0 "podman rm of the rest" pm rm -f -t 0 trapper usr1 victim
expect_eq "no container is left" "" "$(pm ps -aq)"

# --- nothing left ------------------------------------------------------------------------------
for _ in $(seq 50); do
	pgrep -f -- "$PD" >/dev/null || break
	sleep 0.1
done
expect_eq "no conmon, runtime or sandbox process of the test is left" "" \
	"$(pgrep -a -f -- "$PD")"
alive=
for p in "${PIDS[@]}"; do
	[ "$(started "${p%%:*}")" = "${p#*:}" ] && alive+="${p%%:*} "
done
expect_eq "  ...none of the containers' host processes (${#PIDS[@]} of them) is alive" "" "$alive"
left=
for id in "${IDS[@]}"; do
	[ -e "/var/run/runsc/$id" ] && left+="/var/run/runsc/$id "
	for d in /sys/fs/cgroup/*/libpod_parent/libpod-"$id"; do
		[ -e "$d" ] && left+="$d "
	done
done
expect_eq "  ...nor runtime state or cgroups of the ${#IDS[@]} containers" "" "$left"
expect_eq "  ...nor mounts under the test's directory" "" "$(grep -F " $E2E_TMP" /proc/mounts)"
expect_exit 0 "podman system reset" pm system reset --force
rm -rf -- "$PD"
tidy_cgroups
expect_eq "  ...and nothing is mounted there afterwards either" "" \
	"$(grep -F " $E2E_TMP" /proc/mounts)"
