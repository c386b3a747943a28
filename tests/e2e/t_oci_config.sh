#!/bin/bash
# config.json honoured by the OCI runtime (build/runsc, driven directly):
# process user (uid, gid, additionalGids, umask), rlimits, noNewPrivileges,
# capabilities, hostname, root.readonly, mounts (tmpfs with options, file and
# directory binds, order), maskedPaths, readonlyPaths, and linux.seccomp
# (podman's profile and hand-made rules: ERRNO, argument comparisons,
# KILL_PROCESS, TRAP).  The host's / is the read-only root (python3 is there
# for the raw syscalls).
. "$(dirname -- "$0")/lib.sh"

require_runsc
ROOT=$E2E_TMP/runsc-root
B=$E2E_TMP/bundle
mkdir -p "$B"
rs() { timeout -k 1 "$E2E_TIMEOUT" "$RUNSC" --root "$ROOT" "$@"; }
rs spec --bundle "$B" && mv "$B/config.json" "$E2E_TMP/base.json"

N=0
# write_config PYTHON CMD...: config.json for CMD: `runsc spec`'s with the
# host's / as a read-only root, changed by the python code PYTHON (c is the
# config, E the test's directory, mount() appends a mount).
write_config()
{
	local code=$1
	shift
	/usr/bin/python3 - "$E2E_TMP/base.json" "$B/config.json" "$E2E_TMP" "$code" "$@" <<'PY'
import json, sys
base, path, E, code, args = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]
c = json.load(open(base))
c["process"]["args"] = args
c["process"]["terminal"] = False
c["root"] = {"path": "/", "readonly": True}
def mount(dest, typ, src, *opts):
    c["mounts"].append({"destination": dest, "type": typ, "source": src, "options": list(opts)})
exec(code)
json.dump(c, open(path, "w"), indent=1)
PY
}

# crun DESC WANT_RC WANT_OUT PYTHON CMD...: CMD run in a container so
# configured prints WANT_OUT and exits with WANT_RC.
crun()
{
	local desc=$1 rc=$2 out=$3
	shift 3
	write_config "$@"
	N=$((N + 1))
	expect_run "$desc" "$rc" "$out" rs run --bundle "$B" "c$N"
}

# --- the process -------------------------------------------------------------------

crun "runsc spec's defaults: its 3 capabilities, no_new_privs, NOFILE 1024, umask 0022" 0 \
	"$(printf 'CapPrm:\t0000000020000420\nCapEff:\t0000000020000420\nCapBnd:\t0000000020000420\nNoNewPrivs:\t1\nSeccomp:\t0\n1024 1024 0022')" \
	'' /bin/sh -c 'grep -E "^(CapPrm|CapEff|CapBnd|NoNewPrivs|Seccomp):" /proc/self/status;
		echo $(ulimit -n) $(ulimit -Hn) $(umask)'

crun "process.user: uid, gid, additionalGids, umask; rlimits" 0 \
	"$(printf '1000\n1000\n1000 10 20\n0027\n123 456\n640\nCapEff:\t0000000000000000')" \
	'c["process"]["user"] = {"uid": 1000, "gid": 1000, "additionalGids": [20, 10], "umask": 0o27}
c["process"]["rlimits"] = [{"type": "RLIMIT_NOFILE", "soft": 123, "hard": 456}]' \
	/bin/sh -c 'id -u; id -g; id -G; umask; echo $(ulimit -n) $(ulimit -Hn);
		touch /tmp/f; stat -c %a /tmp/f; grep CapEff /proc/self/status'

crun "  ...a soft limit above the hard one is refused" 1 "" \
	'c["process"]["rlimits"] = [{"type": "RLIMIT_NOFILE", "soft": 10, "hard": 5}]' /bin/true

crun "hostname" 0 "cfg-host" 'c["hostname"] = "cfg-host"' /bin/hostname

# A set-user-ID-root copy of id(1) on a bind mount.
mkdir -p "$E2E_TMP/suid"
cp /usr/bin/id "$E2E_TMP/suid/id"
chown 0:0 "$E2E_TMP/suid/id"
chmod 4755 "$E2E_TMP/suid/id"
crun "noNewPrivileges: a set-user-ID program does not raise the euid; NoNewPrivs 1" 0 \
	"$(printf '1000\nNoNewPrivs:\t1')" \
	'c["process"]["user"] = {"uid": 1000, "gid": 1000}
mount("/suid", "bind", E + "/suid", "rbind", "ro")' \
	/bin/sh -c '/suid/id -u; grep NoNewPrivs /proc/self/status'
crun "  ...without it, the program runs with euid 0; NoNewPrivs 0" 0 \
	"$(printf '0\nNoNewPrivs:\t0')" \
	'c["process"]["user"] = {"uid": 1000, "gid": 1000}
c["process"]["noNewPrivileges"] = False
mount("/suid", "bind", E + "/suid", "rbind", "ro")' \
	/bin/sh -c '/suid/id -u; grep NoNewPrivs /proc/self/status'

# --- capabilities --------------------------------------------------------------------

echo "secret text" >"$E2E_TMP/secret"
chown 1000:1000 "$E2E_TMP/secret"
chmod 0600 "$E2E_TMP/secret"
crun "capabilities: root without CAP_DAC_OVERRIDE cannot read another user's 0600 file" 1 \
	"$(printf 'cat: /secret: Permission denied\nchown: changing ownership of '"'"'/tmp/f'"'"': Operation not permitted')" \
	'mount("/secret", "bind", E + "/secret", "rbind", "ro")' \
	/bin/sh -c 'cat /secret 2>&1; touch /tmp/f; chown 1 /tmp/f 2>&1'
crun "  ...with CAP_DAC_OVERRIDE and CAP_CHOWN it can; capget shows the configured sets" 0 \
	"$(printf 'secret text\n1\nCapInh:\t0000000000000000\nCapPrm:\t0000000000000003\nCapEff:\t0000000000000003\nCapBnd:\t0000000000000003')" \
	'caps = ["CAP_CHOWN", "CAP_DAC_OVERRIDE"]
c["process"]["capabilities"] = {"bounding": caps, "effective": caps, "permitted": caps}
mount("/secret", "bind", E + "/secret", "rbind", "ro")' \
	/bin/sh -c 'cat /secret; touch /tmp/f; chown 1 /tmp/f; stat -c %u /tmp/f;
		grep -E "^Cap(Inh|Prm|Eff|Bnd):" /proc/self/status'
crun "  ...no capabilities in the config: uid 0 has them all" 0 \
	"$(printf 'secret text\nCapEff:\t000001ffffffffff')" \
	'del c["process"]["capabilities"]
mount("/secret", "bind", E + "/secret", "rbind", "ro")' \
	/bin/sh -c 'cat /secret; grep CapEff /proc/self/status'

# --- the root and the mounts --------------------------------------------------------

crun "root.readonly: writing to / fails with EROFS (the tmpfs /tmp stays writable)" 0 \
	"$(printf "touch: cannot touch '/x': Read-only file system\ntmp ok")" \
	'' /bin/sh -c 'touch /x 2>&1; touch /tmp/x && echo tmp ok'
crun "  ...root.readonly false: / is writable" 0 "ok" \
	'c["root"]["readonly"] = False' /bin/sh -c 'touch /x && echo ok'
ln -sfn "$E2E_ROOTFS" "$B/rootfs"
crun "root.path relative to the bundle" 0 "the busybox rootfs" \
	'c["root"] = {"path": "rootfs"}' /bin/sh -c 'test -e /.e2e-rootfs && echo the busybox rootfs'

echo hello >"$E2E_TMP/hello.txt"
echo "read only" >"$E2E_TMP/ro.txt"
mkdir -p "$E2E_TMP/dir/sub" "$B/relsrc"
echo inner >"$E2E_TMP/dir/sub/inner"
echo rel >"$B/relsrc/file"
crun "mounts: tmpfs with size and mode, file binds rw and ro, directory binds, in order" 0 \
	"$(printf '700\ntmpfs /mnt/t tmpfs rw,nosuid\nno space\nhello\nrefused\nread only\ninner\nrel\nmqueue /dev/mqueue mqueue\ncgroup /sys/fs/cgroup cgroup ro')" \
	'mount("/mnt/t", "tmpfs", "tmpfs", "nosuid", "size=64k", "mode=0700")
mount("/etc/hello.txt", "bind", E + "/hello.txt", "rbind")
mount("/etc/ro.txt", "bind", E + "/ro.txt", "rbind", "ro")
mount("/mnt/o", "tmpfs", "tmpfs")
mount("/mnt/o/d", "none", E + "/dir", "bind", "ro")
mount("/rel", "bind", "relsrc", "rbind")' \
	/bin/sh -c 'stat -c %a /mnt/t; grep -o "^tmpfs /mnt/t tmpfs rw,nosuid" /proc/mounts
		dd if=/dev/zero of=/mnt/t/f bs=1k count=100 2>/dev/null || echo no space
		cat /etc/hello.txt; echo bye >/etc/hello.txt
		(echo x >/etc/ro.txt) 2>/dev/null || echo refused; cat /etc/ro.txt
		cat /mnt/o/d/sub/inner; cat /rel/file
		grep -o "^mqueue /dev/mqueue mqueue" /proc/mounts
		grep -o "^cgroup /sys/fs/cgroup cgroup ro" /proc/mounts'
expect_eq "  ...a write to a rw file bind reaches the host file" "bye" "$(cat "$E2E_TMP/hello.txt")"
crun "  ...a bind mount of a missing source is refused" 1 "" \
	'mount("/m", "bind", E + "/missing", "rbind")' /bin/true
crun "  ...so is a mount type the sandbox cannot provide" 1 "" \
	'mount("/m", "nfs", "server:/export")' /bin/true

mkdir -p "$E2E_TMP/data/mdir/deep" "$E2E_TMP/data/ro"
echo visible >"$E2E_TMP/data/mfile"
echo deep >"$E2E_TMP/data/mdir/deep/f"
crun "maskedPaths: a file reads empty (/dev/null), a directory is empty and read-only" 0 \
	"$(printf '0\ncharacter special file\n0\ntouch: cannot touch '"'"'/data/mdir/x'"'"': Read-only file system\n0\nkcore ok')" \
	'mount("/data", "bind", E + "/data", "rbind")
c["linux"]["maskedPaths"] += ["/data/mfile", "/data/mdir", "/proc/meminfo"]' \
	/bin/sh -c 'wc -c </data/mfile; stat -c %F /data/mfile; ls -A /data/mdir
		echo x >/data/mfile; echo $?; touch /data/mdir/x 2>&1; wc -c </proc/meminfo
		test ! -s /proc/kcore && echo kcore ok'
expect_eq "  ...the masked host file is untouched" "visible" "$(cat "$E2E_TMP/data/mfile")"
crun "readonlyPaths: writes there fail with EROFS, elsewhere they work" 0 \
	"$(printf "touch: cannot touch '/data/ro/x': Read-only file system\ntouch: cannot touch '/etc/x': Read-only file system\nok")" \
	'c["root"]["readonly"] = False
mount("/data", "bind", E + "/data", "rbind")
c["linux"]["readonlyPaths"] += ["/data/ro", "/etc"]' \
	/bin/sh -c 'touch /data/ro/x 2>&1; touch /etc/x 2>&1; touch /data/x /x && echo ok'

# --- seccomp ---------------------------------------------------------------------------

SYSCALLS='import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
def sc(*a):
    r = libc.syscall(*a)
    return r if r >= 0 else -ctypes.get_errno()
'
crun "linux.seccomp (podman's profile): rule errnos, argument rules, defaultErrnoRet" 0 \
	"$(printf 'Seccomp:\t2\nnetlink audit -22\nnetlink route ok\nkexec_load -1\npersonality(1) -38\ngetpid ok')" \
	'c["linux"]["seccomp"] = json.load(open("'"$REPO_ROOT"'/tests/unit/data/oci/podman-rootfs-config.json"))["linux"]["seccomp"]' \
	/bin/sh -c "grep ^Seccomp: /proc/self/status; exec /usr/bin/python3 -c '$SYSCALLS
print(\"netlink audit\", sc(41, 16, 3, 9))
print(\"netlink route\", \"ok\" if sc(41, 16, 3, 0) >= 0 else \"failed\")
print(\"kexec_load\", sc(246, 0, 0, 0, 0))
print(\"personality(1)\", sc(135, 1))
print(\"getpid\", \"ok\" if sc(39) == os.getpid() else \"failed\")'"

PROFILE='c["linux"]["seccomp"] = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
 {"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 77},
 {"names": ["prctl"], "action": "SCMP_ACT_ERRNO", "errnoRet": 33,
  "args": [{"index": 0, "value": 3, "op": "SCMP_CMP_EQ"}]},
 {"names": ["sched_yield"], "action": "SCMP_ACT_KILL_PROCESS"},
 {"names": ["getcpu"], "action": "SCMP_ACT_KILL"},
 {"names": ["getsid"], "action": "SCMP_ACT_TRAP"},
 {"names": ["getpgrp"], "action": "SCMP_ACT_LOG"}]}'
crun "linux.seccomp (hand-made): ERRNO, an argument comparison, LOG" 0 \
	"$(printf 'getppid -77\nprctl(PR_GET_DUMPABLE) -33\nprctl(PR_GET_NO_NEW_PRIVS) 1\ngetpgrp ok')" "$PROFILE" \
	/usr/bin/python3 -c "$SYSCALLS
print('getppid', sc(110))
print('prctl(PR_GET_DUMPABLE)', sc(157, 3))
print('prctl(PR_GET_NO_NEW_PRIVS)', sc(157, 39, 0, 0, 0, 0))
print('getpgrp', 'ok' if sc(111) == os.getpgrp() else 'failed')"
crun "  ...KILL_PROCESS and KILL end the process with SIGSYS" 0 "159 159" "$PROFILE" \
	/bin/sh -c "/usr/bin/python3 -c '$SYSCALLS
sc(24)'; a=\$?; /usr/bin/python3 -c '$SYSCALLS
sc(309, 0, 0, 0)'; echo \$a \$?"
crun "  ...TRAP: a SIGSYS, and the syscall returns its own number" 0 "124 SIGSYS" "$PROFILE" \
	/usr/bin/python3 -c "$SYSCALLS
import signal
got = []
signal.signal(signal.SIGSYS, lambda s, f: got.append(s))
r = sc(124, 0)
print(r, signal.Signals(got[0]).name if got else 'none')"

# --- exec'd processes ------------------------------------------------------------------

write_config 'c["linux"]["seccomp"] = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
 {"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 77}]}' /bin/sleep 30
N=$((N + 1))
rs run --bundle "$B" "c$N" >/dev/null 2>&1 &
runner=$!
for _ in $(seq 100); do
	rs state "c$N" 2>/dev/null | grep -q '"running"' && break
	sleep 0.1
done
expect_run "an exec'd process gets the container's capabilities, no_new_privs, seccomp" 0 \
	"$(printf 'CapEff:\t0000000020000420\nNoNewPrivs:\t1\nSeccomp:\t2\n-77')" \
	rs exec "c$N" /bin/sh -c "grep -E '^(CapEff|NoNewPrivs|Seccomp):' /proc/self/status;
		/usr/bin/python3 -c '$SYSCALLS
print(sc(110))'"
rs kill "c$N" KILL >/dev/null 2>&1
wait "$runner"

# --- sentry run --read-only ----------------------------------------------------------------

expect_run "sentry run --read-only: / is read-only, /tmp is not" 0 \
	"$(printf "touch: /x: Read-only file system\nok")" \
	bbrun --read-only -- /bin/sh -c 'touch /x 2>&1; touch /tmp/x && echo ok'

