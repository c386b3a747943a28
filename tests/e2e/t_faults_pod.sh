#!/bin/bash
# A pod container's gofer killed (issue 7's faults, for the CRI's pod path):
# build/runsc makes a gofer per container of a pod, a child of the
# container's proxy outside the sandbox.  Killed (SIGKILL) while the
# container reads a file of a bind mount in a loop: the container's next
# open fails with EIO, the pod's sentry prints one line naming the
# container, and after the grace period the container's processes are
# killed (its status 137, as runsc's gofer monitor does); the pod and its
# other containers go on.  A container whose proxy is killed (which takes
# its gofer with it) or that ends by itself prints no such line.
# (The sandbox's own gofer: t_faults.sh.)
. "$(dirname -- "$0")/lib.sh"
. "$E2E_DIR/pod_lib.sh"

copy_rootfs "$E2E_TMP/rootfs-g"
mkdir -p "$E2E_TMP/data"
echo hi >"$E2E_TMP/data/f"
gone() { ! grep -qv '^[0-9]* (.*) Z ' "/proc/$1/stat" 2>/dev/null; }

# with_data DIR: the bundle at DIR also binds $E2E_TMP/data at /data.
with_data()
{
	/usr/bin/python3 - "$1/config.json" "$E2E_TMP/data" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["mounts"].append({"destination": "/data", "type": "bind", "source": sys.argv[2],
                    "options": ["rbind", "rw"]})
json.dump(c, open(sys.argv[1], "w"), indent=1)
PY
}

bundle "$E2E_TMP/b-pod" sandbox "$E2E_ROOTFS" - /bin/sleep 1000
rs create --bundle "$E2E_TMP/b-pod" --pid-file "$E2E_TMP/pod.pid" pod 2>"$E2E_TMP/pod.err"
expect_eq "create the pod's sandbox, its sentry's stderr a file" 0 "$?"
expect_exit 0 "  ...and start it" rs start pod
POD=$(cat "$E2E_TMP/pod.pid")

# --- the gofer killed ---------------------------------------------------------------
bundle "$E2E_TMP/b-g" container "$E2E_TMP/rootfs-g" "$POD" /bin/sh -c \
	'cat /data/f; echo ready; while :; do
	 cat /data/f >/dev/null 2>/tmp/e || { [ -e /tmp/seen ] || cat /tmp/e; touch /tmp/seen; }
	 sleep 0.05; done'
with_data "$E2E_TMP/b-g"
rs create --bundle "$E2E_TMP/b-g" --pid-file "$E2E_TMP/g.pid" g >"$E2E_TMP/g.out" 2>&1 &&
	rs start g
proxy=$(cat "$E2E_TMP/g.pid" 2>/dev/null)
if wait_file "$E2E_TMP/g.out" ready; then
	gofer=$(ps -o pid=,comm= --ppid "$proxy" | awk '$2 == "gofer" {print $1}')
	expect_ne "the container's gofer is found: a child of its proxy named gofer (sanity)" "" "$gofer"
	kill -9 "$gofer"
	expect_run "gofer killed: the container ends, status 137 (its processes killed)" 0 \
		'{"id":"g","exitStatus":137}' rs wait g
	expect_match "  ...what it saw: its reads failed with EIO" \
		$'^hi\nready\ncat: can.t open ./data/f.: I/O error' "$(cat "$E2E_TMP/g.out")"
	expect_eq "  ...the pod's sentry said so in one line" \
		"sentry: container g: its gofer died: file operations fail with EIO; ending the container" \
		"$(grep -F gofer "$E2E_TMP/pod.err")"
	for _ in $(seq 50); do gone "$proxy" && break; sleep 0.1; done
	check "  ...its proxy is gone" gone "$proxy"
	expect_exit 0 "  ...and it can be deleted" rs delete g
else
	fail "the container did not start" "$(cat "$E2E_TMP/g.out")"
fi
expect_run "the pod goes on: exec in it" 0 ok rs exec pod /bin/echo ok
bundle "$E2E_TMP/b-h" container "$E2E_TMP/rootfs-g" "$POD" /bin/sh -c 'cat /data/f'
with_data "$E2E_TMP/b-h"
expect_run "  ...a new container of it runs, with files from its own gofer" 0 hi \
	rs run --bundle "$E2E_TMP/b-h" h

# --- no line for a container that ends otherwise ----------------------------------------
bundle "$E2E_TMP/b-k" container "$E2E_TMP/rootfs-g" "$POD" /bin/sleep 1000
rs create --bundle "$E2E_TMP/b-k" --pid-file "$E2E_TMP/k.pid" k >/dev/null 2>&1 && rs start k
sleep 0.3
kill -9 "$(cat "$E2E_TMP/k.pid")"
pod_wait_comm sleep 1 || true   # (the check below says what is left)
expect_eq "a container whose proxy is killed (and its gofer with it) ends" \
	$'COMMAND\nsleep\nps' "$(rs exec pod /bin/ps -o comm)"
rs delete k
expect_eq "  ...and that, and the one that ended by itself, said nothing of a gofer" 1 \
	"$(grep -c gofer "$E2E_TMP/pod.err")"

expect_exit 0 "kill the pod" rs kill pod KILL
for _ in $(seq 50); do gone "$POD" && break; sleep 0.1; done
expect_exit 0 "  ...delete it" rs delete pod
expect_eq "no runtime process left" "" "$(runtime_leftovers)"
