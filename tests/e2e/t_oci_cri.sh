#!/bin/bash
# build/runsc as a Kubernetes runtime: containerd 1.6's CRI plugin with a
# runtime handler "sentry" (runtime_type io.containerd.runc.v2, BinaryName
# build/runsc), driven by a CRI client (tests/e2e/cri/client.py, runtime.v1
# over gRPC, as a kubelet).  One pod, two containers: they run in the pod's
# sandbox (one sentry: shared localhost and processes) with roots of their
# own, and each reports its own exit status; ExecSync; stop and removal;
# nothing left afterwards.  (docs/kubernetes.md)
. "$(dirname -- "$0")/lib.sh"
. "$E2E_DIR/containerd.sh"

require_runsc
require_tools containerd ctr containerd-shim-runc-v2
if ! "$CTRD_PY" -c 'import grpc, grpc_tools' 2>/dev/null; then
	fail "python3-grpcio and python3-grpc-tools are installed (make deps)" "cannot import them"
	exit 1
fi

# The CRI client, compiled from the proto subset.
GEN=$E2E_TMP/cri
mkdir -p "$GEN"
if ! "$CTRD_PY" -m grpc_tools.protoc -I "$E2E_DIR/cri" --python_out="$GEN" \
	--grpc_python_out="$GEN" "$E2E_DIR/cri/api.proto" 2>"$GEN/protoc.err"; then
	fail "the CRI proto compiles" "$(cat "$GEN/protoc.err")"
	exit 1
fi
# (Short limits: a hung call must leave time, within run.sh's limit for the
# whole test, for the daemon to be cleaned up.)
cri()
{
	timeout -s KILL 12 "$CTRD_PY" "$E2E_DIR/cri/client.py" --socket "$CTRD_SOCK" --gen "$GEN" \
		--timeout 10 "$@"
}

# One image for the pod sandbox ("pause": sleeps) and the containers (which
# give their own commands): the busybox rootfs.
IMAGE=localhost/e2e-busybox:latest
ctrd_oci_archive "$E2E_ROOTFS" "$E2E_TMP/busybox.tar" "$IMAGE" '["/bin/sleep", "2147483647"]'

# The runtime's root: short, as the sockets of its containers
# (<root>/k8s.io/<64 hex>/control.sock) must fit in a sockaddr_un.
RROOT=$(mktemp -d /tmp/rsc.XXXXXX)
ctrd_cleanup_extra() { ctrd_cleanup; rm -rf -- "$RROOT"; }
mkdir -p "$CTRD_DIR/cni/bin" "$CTRD_DIR/cni/net.d" "$E2E_TMP/logs"
CRI_TOML="[plugins.\"io.containerd.grpc.v1.cri\"]
  sandbox_image = \"$IMAGE\"
  restrict_oom_score_adj = true
  [plugins.\"io.containerd.grpc.v1.cri\".cni]
    bin_dir = \"$CTRD_DIR/cni/bin\"
    conf_dir = \"$CTRD_DIR/cni/net.d\"
  [plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runc]
    runtime_type = \"io.containerd.runc.v2\"
  [plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.sentry]
    runtime_type = \"io.containerd.runc.v2\"
    pod_annotations = [\"dev.sentry.network.*\"]
    [plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.sentry.options]
      BinaryName = \"$RUNSC\"
      Root = \"$RROOT\""
if ! ctrd_start "$CRI_TOML"; then
	fail "a private containerd with the CRI plugin starts" "$(tail -5 "$CTRD_LOG")"
	exit 1
fi
pass "a private containerd with the CRI plugin starts"
capture ctrc -n k8s.io images import "$E2E_TMP/busybox.tar"
expect_eq "the image is imported into the CRI's namespace" 0 "$RC"

capture cri version
expect_match "CRI Version over runtime.v1" '^containerd .* v1$' "$OUT"
img=
for _ in $(seq 50); do
	img=$(cri image-status "$IMAGE" 2>/dev/null)
	[ -n "$img" ] && break
	sleep 0.1
done
expect_match "CRI ImageStatus knows the image" '^sha256:' "$img"

rs() { "$RUNSC" --root "$RROOT/k8s.io" "$@"; }
# A container's log as the CRI wrote it, one stream: only the messages.
cri_log() { sed -nE "s/^[^ ]+ $2 [FP] //p" "$E2E_TMP/logs/$1.log" 2>/dev/null; }
wait_log()
{
	local i
	for i in $(seq 100); do
		grep -q -- "$2" "$E2E_TMP/logs/$1.log" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
wait_state()
{
	local i
	for i in $(seq 100); do
		cri cstatus "$1" 2>/dev/null | grep -q "\"state\": \"$2\"" && return 0
		sleep 0.1
	done
	return 1
}

# --- the pod ----------------------------------------------------------------------
# (The pod's sandbox policy comes from its annotations, passed through.)
capture cri runp pod1 sentry "$E2E_TMP/logs" dev.sentry.network.block=true
POD=$OUT
expect_match "RunPodSandbox with the runtime handler sentry" '^[0-9a-f]{64}$' "$POD"
if [ "$RC" -ne 0 ]; then
	fail "  ...(cannot go on without a pod)" "$ERR" "$(grep -i error "$CTRD_LOG" | tail -5)"
	exit 1
fi
expect_eq "  ...the pod is ready" SANDBOX_READY "$(cri podstatus "$POD")"
capture rs state "$POD"
expect_match "  ...its sandbox container runs in build/runsc" '"status": "running"' "$OUT"

# B: a web server on the pod's localhost; its root has /www.
capture cri create "$POD" b "$IMAGE" --env WHO=b -- /bin/sh -c \
	'mkdir /www && echo "served by B" >/www/index.html && echo B up &&
	 exec httpd -f -p 127.0.0.1:8080 -h /www'
B=$OUT
expect_match "CreateContainer B" '^[0-9a-f]{64}$' "$B"
# A: fetches from B over localhost, looks for B's /www, exits 3.
capture cri create "$POD" a "$IMAGE" -- /bin/sh -c \
	'echo hello from A; wget -q -O - http://127.0.0.1:8080/;
	 [ -e /www ] && echo "A sees B/www"; echo to stderr >&2; exit 3'
A=$OUT
expect_match "CreateContainer A" '^[0-9a-f]{64}$' "$A"
expect_eq "  ...A is created" CONTAINER_CREATED "$(cri cstatus "$A" | sed -E 's/.*"state": "([A-Z_]+)".*/\1/')"

expect_exit 0 "StartContainer B" cri start "$B"
wait_log b "B up"
expect_eq "  ...B's output reaches its CRI log" "B up" "$(cri_log b stdout)"
for _ in $(seq 50); do
	cri exec "$B" 5 -- wget -q -O /dev/null http://127.0.0.1:8080/ >/dev/null 2>&1 && break
	sleep 0.1
done
expect_exit 0 "StartContainer A" cri start "$A"
wait_state "$A" CONTAINER_EXITED
capture cri cstatus "$A"
expect_match "ContainerStatus of A: exited" '"state": "CONTAINER_EXITED"' "$OUT"
expect_match "  ...with its own exit status 3" '"exit_code": 3,' "$OUT"
wait_log a "to stderr"
expect_eq "  ...its stdout in its log: B's page over the pod's localhost, not B's root" \
	$'hello from A\nserved by B' "$(cri_log a stdout)"
expect_eq "  ...its stderr too" "to stderr" "$(cri_log a stderr)"
capture cri cstatus "$B"
expect_match "  ...while B still runs" '"state": "CONTAINER_RUNNING"' "$OUT"

# ExecSync in B: stdout, stderr and the status apart; B's root, the pod's processes.
capture cri exec "$B" 10 -- /bin/sh -c 'echo "out $WHO $(cat /www/index.html)"; echo err >&2; exit 5'
expect_eq "ExecSync in B: stdout, stderr and exit status 5" \
	'{"stdout": "out b served by B\n", "stderr": "err\n", "exit_code": 5}' "$OUT"
capture cri exec "$B" 10 -- /bin/ps -o comm
OUT=$(printf '%s' "$OUT" | "$CTRD_PY" -c 'import json, sys; print(json.load(sys.stdin)["stdout"])')
expect_match "  ...B runs in the pod's sandbox: its ps shows the pod's pause process" '^sleep$' "$OUT"
expect_match "  ...and B's web server" '^httpd$' "$OUT"
capture cri exec "$B" 10 -- /bin/sh -c 'ip -o link | wc -l'
expect_match "  ...and the pod's network policy (its annotation: blocked: lo only)" \
	'"stdout": "1\\n"' "$OUT"

# The runtime's view: three containers, one sandbox, each its own host pid.
capture rs list --format json
pids=$(printf '%s' "$OUT" | "$CTRD_PY" -c 'import json,sys; print(" ".join(str(c["pid"]) for c in json.load(sys.stdin) if c["status"] == "running"))')
expect_eq "runsc list: the pod and B run, each with a pid of its own" 2 \
	"$(printf '%s\n' $pids | sort -u | wc -l)"

# StopContainer B: B has a pid namespace of its own (CRI's default), so its
# init (httpd, no TERM handler) ignores SIGTERM as runc's would; the kubelet's
# grace period ends and SIGKILL does it: 137.
expect_exit 0 "StopContainer B (timeout 2 s)" cri stop "$B" 2
capture cri cstatus "$B"
expect_match "  ...B exited" '"state": "CONTAINER_EXITED"' "$OUT"
expect_match "  ...its init ignored SIGTERM; SIGKILL after the grace period: 137" \
	'"exit_code": 137,' "$OUT"
expect_eq "  ...and the pod is still ready" SANDBOX_READY "$(cri podstatus "$POD")"

expect_exit 0 "RemoveContainer A" cri rm "$A"
expect_exit 0 "RemoveContainer B" cri rm "$B"
expect_eq "  ...no container left in the pod" '{}' "$(cri list "$POD")"
expect_exit 0 "StopPodSandbox" cri stopp "$POD"
expect_exit 0 "RemovePodSandbox" cri rmp "$POD"
capture rs list --format json
expect_eq "  ...and nothing left in the runtime's root" '[]' "$OUT"

ctrd_cleanup
expect_eq "after stopping the daemon: no shim, sandbox process or mount left" "" \
	"$(ctrd_leftovers)"
