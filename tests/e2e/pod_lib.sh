# shellcheck shell=bash
# Shared by the tests of pod containers (t_runsc_pod.sh, t_faults_pod.sh):
# source it after lib.sh.  Requires build/runsc; sets ROOT and LOG (the
# runtime's --root and --log), defines rs (build/runsc with them, bounded)
# and bundle, and makes what the CRI gives a pod's containers to bind
# ($E2E_TMP/pod: hostname, hosts, shm).
require_runsc
ROOT=$E2E_TMP/root
LOG=$E2E_TMP/log.json
rs() { timeout -k 1 "$E2E_TIMEOUT" "$RUNSC" --root "$ROOT" --log "$LOG" --log-format json "$@"; }

mkdir -p "$E2E_TMP/pod/shm"
echo pod-host >"$E2E_TMP/pod/hostname"
printf '127.0.0.1 localhost\n10.9.9.9 from-the-pod\n' >"$E2E_TMP/pod/hosts"

# bundle DIR SAMPLE ROOTFS NSPID ARGS...: a bundle from the CRI's sample
# config (tests/unit/data/oci/cri-*-config.json), its namespace paths
# naming NSPID ("-": none), its bind mounts our files.
bundle()
{
	mkdir -p "$1"
	/usr/bin/python3 - "$@" "$E2E_TMP/pod" "$REPO_ROOT/tests/unit/data/oci" <<'PY'
import json, sys
args = sys.argv[1:]
data, pod = args.pop(), args.pop()
path, sample, root, nspid, cmd = args[0], args[1], args[2], args[3], args[4:]
c = json.load(open("%s/cri-%s-config.json" % (data, sample)))
c["process"]["args"] = cmd
c["root"] = {"path": root}
for m in c["mounts"]:
    if m["type"] == "bind":
        name = m["destination"].rsplit("/", 1)[1]
        m["source"] = "%s/%s" % (pod, name if name != "resolv.conf" else "hosts")
for n in c["linux"]["namespaces"]:
    if "path" in n:
        if nspid == "-":
            del n["path"]
        else:
            n["path"] = "/proc/%s/ns/%s" % (nspid, {"network": "net"}.get(n["type"], n["type"]))
c["linux"].pop("cgroupsPath", None)
json.dump(c, open(path + "/config.json", "w"), indent=1)
PY
}

# pod_wait_comm COMM N: waits (5 s at most) until the pod's `ps` shows N
# processes named COMM (a killed container's processes are gone).
pod_wait_comm()
{
	local _
	for _ in $(seq 50); do
		[ "$(rs exec pod /bin/ps -o comm | grep -c -- "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

# runtime_leftovers: the processes still running whose command line names the
# runtime's root ($ROOT), one "cmdline-file: command" line each.
runtime_leftovers()
{
	local f cmd left=
	for f in $(grep -lsaF -- "$ROOT" /proc/[0-9]*/cmdline); do
		cmd=$({ tr '\0' ' ' <"$f"; } 2>/dev/null) || continue
		case $cmd in grep\ * | '') ;; *) left+="$f: $cmd"$'\n' ;; esac
	done
	printf '%s' "$left"
}
