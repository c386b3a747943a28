#!/bin/bash
# Containers of a pod, build/runsc driven as the CRI's shim drives it: a
# pod sandbox (CRI's sandbox config.json), then containers whose
# linux.namespaces join it by path (/proc/<sandbox pid>/ns/...): they run
# in the pod's sandbox with roots of their own, each with its own pid and
# exit status; their own process attributes, seccomp profile, masked and
# read-only paths, and exec's process.json; exec, kill, kill --all, delete;
# their files released; a
# killed proxy, a never started container, the pod's death; a container
# whose namespace paths name no container of ours gets a sandbox of its own.
# (runsc-compat/pod.h; the CRI itself: t_oci_cri.sh)
. "$(dirname -- "$0")/lib.sh"
. "$E2E_DIR/pod_lib.sh"
copy_rootfs "$E2E_TMP/rootfs-a"
copy_rootfs "$E2E_TMP/rootfs-b"
copy_rootfs "$E2E_TMP/rootfs-c"

# The pod: CRI's sandbox config, its pause process a sleep.
bundle "$E2E_TMP/b-pod" sandbox "$E2E_ROOTFS" - /bin/sleep 1000
expect_exit 0 "create the pod's sandbox" rs create --bundle "$E2E_TMP/b-pod" --pid-file "$E2E_TMP/pod.pid" pod
expect_exit 0 "  ...and start it" rs start pod
POD=$(cat "$E2E_TMP/pod.pid")
# Every host process of the pod's sandbox (the monitor and what is under it).
pod_pids() { rs ps --format json pod | tr -d '[]' | tr , ' '; }
# Is the process gone (or a zombie)?
gone() { ! grep -qv '^[0-9]* (.*) Z ' "/proc/$1/stat" 2>/dev/null; }
# Host fds and mappings of the pod's processes into DIR.
uses_of() { for p in $(pod_pids); do ls -l "/proc/$p/fd" 2>/dev/null; cat "/proc/$p/maps" 2>/dev/null; done | grep -F -- "$1"; }

# --- a container that runs and exits --------------------------------------------
bundle "$E2E_TMP/b-a" container "$E2E_TMP/rootfs-a" "$POD" /bin/sh -c \
	'echo "$FOO $(cat /etc/hostname) $(grep -c from-the-pod /etc/hosts)"; echo a >/only-a;
	 for f in /bin/* /etc/*; do cat $f >/dev/null; done; ps -o comm | grep -c sleep; exit 3'
expect_run "runsc run of a container of the pod: its output (env, bind mounts) and status 3" 3 \
	$'bar pod-host 1\n1' rs run --bundle "$E2E_TMP/b-a" a
check "  ...its rootfs on the host is left alone" test ! -e "$E2E_TMP/rootfs-a/only-a"
expect_eq "  ...the pod's processes hold nothing of its rootfs any more" "" \
	"$(uses_of "$E2E_TMP/rootfs-a")"
capture rs state a
expect_eq "  ...and it is gone" 1 "$RC"

# --- /proc and /sys of a container made after the sandbox confined itself -------------
# The sandbox can open no host path by then (docs/security.md): the host's
# cpuinfo and CPU lists were read at its start, the rest comes from syscalls.
copy_rootfs "$E2E_TMP/rootfs-h"
gcc -static -O1 -I "$REPO_ROOT/tests/conformance" -o "$E2E_TMP/rootfs-h/bin/proc_host_files" \
	"$REPO_ROOT/tests/conformance/proc_host_files.c"
bundle "$E2E_TMP/b-h" container "$E2E_TMP/rootfs-h" "$POD" /bin/sh -c \
	'grep -c "^processor" /proc/cpuinfo; grep -m1 "^model name" /proc/cpuinfo;
	 cat /sys/devices/system/cpu/online /sys/devices/system/cpu/present; /bin/proc_host_files && echo ok'
expect_run "a pod container's /proc/cpuinfo and CPU lists are the host's, its meminfo, stat, \
uptime and loadavg sensible" 0 \
	"$(grep -c '^processor' /proc/cpuinfo; grep -m1 '^model name' /proc/cpuinfo
	   cat /sys/devices/system/cpu/online /sys/devices/system/cpu/present; echo ok)" \
	rs run --bundle "$E2E_TMP/b-h" h

# --- a long-running container: exec, ps, kill ---------------------------------------
bundle "$E2E_TMP/b-b" container "$E2E_TMP/rootfs-b" "$POD" /bin/sh -c \
	'echo b >/only-b; echo B up; exec sleep 1000'
expect_exit 0 "create a second container in the pod" \
	rs create --bundle "$E2E_TMP/b-b" --pid-file "$E2E_TMP/b.pid" b
capture rs state b
expect_match "  ...created" '"status": "created"' "$OUT"
BP=$(cat "$E2E_TMP/b.pid")
expect_ne "  ...its pid is its own" "$POD" "$BP"
capture rs exec b /bin/true
expect_ne "  ...no exec before it starts" 0 "$RC"
expect_exit 0 "start it" rs start b
for _ in $(seq 50); do rs exec b /bin/sh -c "test -e /only-b" 2>/dev/null && break; sleep 0.1; done
expect_run "exec in it: its root, its status" 4 "b" rs exec b /bin/sh -c 'cat /only-b; exit 4'
capture rs exec pod /bin/sh -c "test -e /only-b"
expect_eq "  ...the pod's own root does not have its files" 1 "$RC"
capture rs exec b /bin/ps -o comm
expect_match "  ...it shares the pod's processes (the pod's sleep, its own)" \
	$'^COMMAND\nsleep\nsleep\nps$' "$OUT"
rs exec --detach b /bin/sh -c 'trap "" TERM; exec sleep 1000'
sleep 0.3
# ps of a pod's container: the host processes (stubs) that run its two
# processes, found among the pod sandbox's, not its proxy.
capture rs ps --format json b
expect_match "ps --format json b: two host pids (its init and the exec'd sleep)" \
	'^\[[0-9]+,[0-9]+\]$' "$OUT"
bpids=$(printf '%s' "$OUT" | tr -d '[]' | tr , ' ')
inpod=$(for p in $bpids; do [ "$p" != "$BP" ] && [[ " $(pod_pids) " == *" $p "* ]] && echo y; done)
expect_eq "  ...both of them processes of the pod's sandbox, neither the proxy" $'y\ny' "$inpod"
capture rs events --stats b
expect_match "  ...events --stats b counts them" '"pids":\{"current":2\}' "$OUT"
expect_exit 0 "kill --all b KILL: every process of b" rs kill --all b KILL
for _ in $(seq 50); do gone "$BP" && break; sleep 0.1; done
capture rs state b
expect_match "  ...it is stopped" '"status": "stopped"' "$OUT"
expect_run "  ...with status 137" 0 '{"id":"b","exitStatus":137}' rs wait b
capture rs exec pod /bin/ps -o comm
expect_eq "  ...and none of its processes is left in the pod" $'COMMAND\nsleep\nps' "$OUT"
expect_exit 0 "  ...kill --all of it once stopped is no error (the shim sends it)" \
	rs kill --all b KILL
expect_exit 0 "delete it" rs delete b
expect_eq "  ...nothing of its rootfs is held" "" "$(uses_of "$E2E_TMP/rootfs-b")"

# A signal reaches the container's init: TERM.  It shares the pod's pid
# namespace (the sample joins it by path), so its init is no pid 1.
expect_exit 0 "a container whose init gets SIGTERM" \
	rs create --bundle "$E2E_TMP/b-b" --pid-file "$E2E_TMP/t.pid" t
rs start t
sleep 0.3
expect_exit 0 "  ...runsc kill t TERM" rs kill t TERM
expect_run "  ...its status 143" 0 '{"id":"t","exitStatus":143}' rs wait t
rs delete t
# With a pid namespace of its own (CRI's default: no path), its init is a
# pid namespace's: SIGTERM without a handler is ignored, SIGKILL from
# outside still ends it.
cp -r "$E2E_TMP/b-b" "$E2E_TMP/b-ownpid"
/usr/bin/python3 - "$E2E_TMP/b-ownpid/config.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
for n in c["linux"]["namespaces"]:
    if n["type"] == "pid":
        n.pop("path", None)
json.dump(c, open(sys.argv[1], "w"))
PY
expect_exit 0 "a container with its own pid namespace" \
	rs create --bundle "$E2E_TMP/b-ownpid" --pid-file "$E2E_TMP/o.pid" o
rs start o
sleep 0.3
expect_exit 0 "  ...runsc kill o TERM" rs kill o TERM
sleep 0.5
expect_match "  ...its init (no handler) ignores it, as a pid namespace's init" \
	'"status": "running"' "$(rs state o)"
expect_exit 0 "  ...runsc kill o KILL" rs kill o KILL
expect_run "  ...its status 137" 0 '{"id":"o","exitStatus":137}' rs wait o
rs delete o

# --- a container's own config.json: process, seccomp, masked/read-only paths ------------
# cfg_bundle DIR ARGS...: the CRI sample, with capabilities CHOWN and KILL,
# RLIMIT_NOFILE 321/654, umask 027, groups 10 and 20, noNewPrivileges, a
# profile refusing mkdir with EPERM, /etc/passwd and /var masked, /usr
# read-only.
cfg_bundle()
{
	local dir=$1
	shift
	bundle "$dir" container "$E2E_TMP/rootfs-c" "$POD" "$@"
	/usr/bin/python3 - "$dir/config.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
p = c["process"]
caps = ["CAP_CHOWN", "CAP_KILL"]
p["capabilities"] = {k: caps for k in ("bounding", "effective", "permitted")}
p["rlimits"] = [{"type": "RLIMIT_NOFILE", "soft": 321, "hard": 654}]
p["user"]["umask"] = 0o027
p["user"]["additionalGids"] = [10, 20]
p["noNewPrivileges"] = True
c["linux"]["seccomp"] = {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"],
    "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}
c["linux"]["maskedPaths"] = ["/etc/passwd", "/var", "/no/such/path"]
c["linux"]["readonlyPaths"] = ["/usr"]
json.dump(c, open(sys.argv[1], "w"), indent=1)
PY
}
cfg_bundle "$E2E_TMP/b-cfg" /bin/sh -c \
	'grep CapEff /proc/self/status; ulimit -n; ulimit -Hn; umask; id -G;
	 grep -E "^(NoNewPrivs|Seccomp):" /proc/self/status; mkdir /tmp/d 2>&1;
	 echo "passwd[$(cat /etc/passwd)] var[$(ls -A /var)]"; touch /usr/x 2>&1; exit 0'
expect_run "a pod container honours its config.json: capabilities, rlimits, umask, groups, \
no_new_privs, seccomp, masked and read-only paths" 0 \
	$'CapEff:\t0000000000000021\n321\n654\n0027\n0 10 20\nNoNewPrivs:\t1\nSeccomp:\t2
mkdir: can\'t create directory \'/tmp/d\': Operation not permitted\npasswd[] var[]
touch: /usr/x: Read-only file system' rs run --bundle "$E2E_TMP/b-cfg" cfg
cfg_bundle "$E2E_TMP/b-cfg2" /bin/sleep 1000
expect_exit 0 "a long-running one" rs create --bundle "$E2E_TMP/b-cfg2" --pid-file "$E2E_TMP/cfg2.pid" cfg2
expect_exit 0 "  ...started" rs start cfg2
expect_run "  ...exec without --process: its config's settings (groups too), its seccomp" 0 \
	$'CapEff:\t0000000000000021\n321\n0027\n0 10 20\nNoNewPrivs:\t1\nEPERM' \
	rs exec cfg2 /bin/sh -c 'grep CapEff /proc/self/status; ulimit -n; umask; id -G;
	grep NoNewPrivs /proc/self/status; mkdir /tmp/d 2>/dev/null || echo EPERM'
/usr/bin/python3 - "$E2E_TMP/process.json" <<'PY'
import json, sys
caps = ["CAP_KILL", "CAP_NET_RAW"]
json.dump({"args": ["/bin/sh", "-c", "grep -E '^(CapEff|NoNewPrivs):' /proc/self/status; "
                    "ulimit -n; ulimit -Hn; umask; id -G; mkdir /tmp/d 2>/dev/null || echo EPERM"],
           "cwd": "/", "env": ["PATH=/bin:/usr/bin"],
           "user": {"uid": 0, "gid": 0, "additionalGids": [30], "umask": 0o077},
           "capabilities": {k: caps for k in ("bounding", "effective", "permitted")},
           "rlimits": [{"type": "RLIMIT_NOFILE", "soft": 100, "hard": 200}],
           "noNewPrivileges": False}, open(sys.argv[1], "w"))
PY
expect_run "  ...exec --process: the process.json's capabilities, rlimits, umask, groups, \
no_new_privs; the container's seccomp" 0 \
	$'CapEff:\t0000000000002020\nNoNewPrivs:\t0\n100\n200\n0077\n0 30\nEPERM' \
	rs exec --process "$E2E_TMP/process.json" cfg2
expect_run "  ...the pod's own processes keep the pod's (no seccomp, its masked paths unmasked)" 0 \
	$'Seccomp:\t0\nok' rs exec pod /bin/sh -c 'grep ^Seccomp: /proc/self/status;
	mkdir /tmp/d-pod && test -s /etc/passwd && echo ok'
expect_run "exec --process in a standalone container (the pod's sandbox, no seccomp)" 0 \
	$'CapEff:\t0000000000002020\nNoNewPrivs:\t0\n100\n200\n0077\n0 30' \
	rs exec --process "$E2E_TMP/process.json" pod
expect_exit 0 "  ...kill cfg2" rs kill cfg2 KILL
expect_run "  ...its status 137" 0 '{"id":"cfg2","exitStatus":137}' rs wait cfg2
rs delete cfg2

# linux.cgroupsPath of a pod container: its proxy (the pid containerd's
# metrics read) and its gofer are there; delete removes it and its parent.
CG=/sentry-e2e-pod-$$/cg
cp -r "$E2E_TMP/b-b" "$E2E_TMP/b-cg"
/usr/bin/python3 - "$E2E_TMP/b-cg/config.json" "$CG" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["linux"]["cgroupsPath"] = sys.argv[2]
json.dump(c, open(sys.argv[1], "w"))
PY
expect_exit 0 "a pod container with linux.cgroupsPath" \
	rs create --bundle "$E2E_TMP/b-cg" --pid-file "$E2E_TMP/cg.pid" cg
cgpid=$(cat "$E2E_TMP/cg.pid")
expect_match "  ...its proxy is in $CG" ":memory:$CG\$" "$(cat "/proc/$cgpid/cgroup")"
check "  ...with its gofer" test "$(wc -l <"/sys/fs/cgroup/memory$CG/cgroup.procs")" -ge 2
expect_exit 0 "  ...delete --force" rs delete --force cg
check "  ...removes the cgroup and the parent it made" test ! -e "/sys/fs/cgroup/memory/sentry-e2e-pod-$$"

# --- endings -------------------------------------------------------------------------
expect_exit 0 "a container created and never started" \
	rs create --bundle "$E2E_TMP/b-b" --pid-file "$E2E_TMP/n.pid" never
expect_exit 0 "  ...delete --force removes it" rs delete --force never
check "  ...its proxy is gone" gone "$(cat "$E2E_TMP/n.pid")"
rs create --bundle "$E2E_TMP/b-b" --pid-file "$E2E_TMP/k.pid" k9 >/dev/null && rs start k9
sleep 0.3
kill -KILL "$(cat "$E2E_TMP/k.pid")"
pod_wait_comm sleep 1 || true   # (the check below says what is left)
expect_eq "SIGKILL of a container's proxy: its processes in the pod are killed" \
	$'COMMAND\nsleep\nps' "$(rs exec pod /bin/ps -o comm)"
expect_exit 0 "  ...and it can be deleted" rs delete k9
expect_eq "  ...nothing of its rootfs is held" "" "$(uses_of "$E2E_TMP/rootfs-b")"

# Namespace paths that name no container of ours: a sandbox of its own.
bundle "$E2E_TMP/b-own" container "$E2E_ROOTFS" 1 /bin/sh -c 'ps -o comm | grep -c sleep; true'
expect_run "a container joining namespaces of no container of ours runs on its own" 0 0 \
	rs run --bundle "$E2E_TMP/b-own" own

# The pod's end ends its containers.
rs create --bundle "$E2E_TMP/b-b" --pid-file "$E2E_TMP/c.pid" c >/dev/null && rs start c
sleep 0.3
expect_exit 0 "kill the pod's sandbox while a container of it runs" rs kill pod KILL
for _ in $(seq 50); do gone "$(cat "$E2E_TMP/c.pid")" && break; sleep 0.1; done
expect_run "  ...the container ends too, status 137" 0 '{"id":"c","exitStatus":137}' rs wait c
expect_exit 0 "  ...delete the container" rs delete c
expect_exit 0 "  ...delete the pod" rs delete pod
capture rs list --format json
expect_eq "nothing left in the runtime's root" "[]" "$OUT"
expect_eq "no runtime process left" "" "$(runtime_leftovers)"
