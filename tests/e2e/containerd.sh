# shellcheck shell=bash
# A private containerd for the end-to-end tests: source it from a t_*.sh
# after lib.sh.
#
#   ctrd_start [EXTRA_TOML]   start containerd with its own config, root,
#                             state and socket under $E2E_TMP/ctrd; wait until
#                             it answers.  EXTRA_TOML is appended to the
#                             config (plugin tables only, e.g.
#                             [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.x]);
#                             the CRI plugin is disabled unless it mentions
#                             io.containerd.grpc.v1.cri.
#   ctrc ARGS...              `ctr --address SOCK ARGS...` with a hard time
#                             limit ($CTRD_TIMEOUT, default 30 s; SIGKILL,
#                             since ctr forwards SIGTERM to the task), in
#                             namespace $CTRD_NS unless -n or
#                             $CONTAINERD_NAMESPACE says otherwise
#   ctrd_cleanup              remove every task and container of the daemon,
#                             kill its shims and what runs under them, stop
#                             it, unmount what is mounted under its dirs,
#                             remove the cgroup parent /$CTRD_NS.
#                             Idempotent; runs from the EXIT trap (this file
#                             defines e2e_cleanup_hook, which calls
#                             ctrd_cleanup_extra first if the test defines it).
#   ctrd_leftovers            what is left of it (shims, their children,
#                             mounts, shim sockets, cgroups of $CTRD_NS);
#                             empty when all is gone
#   ctrd_oci_archive DIR OUT [REF [CMD]]
#                             an OCI image archive (oci-layout, index.json,
#                             manifest, config, one layer = a tarball of DIR)
#                             for `ctr images import`; REF (default
#                             e2e/busybox:latest) is its
#                             org.opencontainers.image.ref.name, CMD (a JSON
#                             array, default ["/bin/sh"]) its config's Cmd
#
# Variables: CTRD_DIR, CTRD_SOCK (the gRPC address), CTRD_PID, CTRD_LOG,
# CTRD_NS (a namespace of this test's own: ctr puts a container in cgroup
# /<namespace>/<id>, and the runtime removes only the leaf),
# CTRD_FIFO_DIR (give it to `ctr run/exec --fifo-dir` so that ctr's fifos
# stay under $CTRD_DIR, not in /run/containerd/fifo).
#
# What a private daemon still puts outside CTRD_DIR: its shims' sockets in
# /run/containerd/s/ (the path is fixed in containerd 1.6: the shim names it
# sha256(address/namespace/id)); a shim removes its own on a clean exit and
# ctrd_cleanup removes those of shims it had to kill.

CTRD_DIR=$E2E_TMP/ctrd
CTRD_SOCK=$CTRD_DIR/containerd.sock
CTRD_LOG=$CTRD_DIR/containerd.log
CTRD_FIFO_DIR=$CTRD_DIR/fifo
CTRD_TIMEOUT=${CTRD_TIMEOUT:-30}
CTRD_PID=
CTRD_NS=$(printf '%s' "${E2E_TMP##*/}" | tr -c 'A-Za-z0-9._-' -)   # e2e-t_NAME.XXXXXX
CTRD_PY=/usr/bin/python3   # Debian's: the pyenv python3 on PATH lacks its modules

ctrc()
{
	CONTAINERD_NAMESPACE=${CONTAINERD_NAMESPACE:-$CTRD_NS} \
		timeout -s KILL "$CTRD_TIMEOUT" ctr --address "$CTRD_SOCK" "$@"
}

ctrd_start()
{
	local extra=${1:-}
	mkdir -p "$CTRD_DIR/root" "$CTRD_DIR/state" "$CTRD_FIFO_DIR"
	{
		echo 'version = 2'
		echo "root = \"$CTRD_DIR/root\""
		echo "state = \"$CTRD_DIR/state\""
		if [[ $extra != *io.containerd.grpc.v1.cri* ]]; then
			echo 'disabled_plugins = ["io.containerd.grpc.v1.cri"]'
		fi
		echo '[grpc]'
		echo "  address = \"$CTRD_SOCK\""
		echo '[ttrpc]'
		echo "  address = \"$CTRD_SOCK.ttrpc\""
		echo '[debug]'
		echo '  level = "debug"'
		# The opt plugin would create /var/lib/containerd/opt.
		echo '[plugins."io.containerd.internal.v1.opt"]'
		echo "  path = \"$CTRD_DIR/opt\""
		printf '%s\n' "$extra"
	} >"$CTRD_DIR/config.toml"
	# Its own session: neither a ^C of the terminal nor run.sh's time limit
	# kills it behind our back (the EXIT trap stops it).
	setsid containerd --config "$CTRD_DIR/config.toml" >"$CTRD_LOG" 2>&1 </dev/null &
	CTRD_PID=$!
	local i
	for i in $(seq 100); do
		if timeout -s KILL 2 ctr --address "$CTRD_SOCK" version >/dev/null 2>&1; then
			return 0
		fi
		if ! kill -0 "$CTRD_PID" 2>/dev/null; then
			break
		fi
		sleep 0.1
	done
	echo "containerd did not start; its log:" >&2
	tail -20 "$CTRD_LOG" >&2
	return 1
}

# The pids of the shims of this daemon (their command line names its
# socket), one "pid namespace id" per line.
_ctrd_shims()
{
	local f args
	for f in $(grep -lsaF -- "$CTRD_SOCK" /proc/[0-9]*/cmdline); do
		args=$(tr '\0' ' ' 2>/dev/null <"$f") || continue
		[[ $args == *containerd-shim* ]] || continue
		[[ " $args " == *" -address $CTRD_SOCK "* ]] || continue
		local ns= id= a prev=
		for a in $args; do
			case $prev in -namespace) ns=$a ;; -id) id=$a ;; esac
			prev=$a
		done
		f=${f#/proc/}
		echo "${f%/cmdline} $ns $id"
	done
}

# Every descendant of the given pids (not the pids themselves).
_ctrd_descendants()
{
	local -A want=() parent=()
	local p pid ppid
	for p in "$@"; do want[$p]=1; done
	while read -r pid ppid; do
		parent[$pid]=$ppid
	done < <(cat /proc/[0-9]*/stat 2>/dev/null |
		sed -n 's/^\([0-9]*\) (.*) [A-Za-z] \([0-9]*\) .*/\1 \2/p')
	local more=1
	while [ -n "$more" ]; do
		more=
		for pid in "${!parent[@]}"; do
			[ -n "${want[$pid]:-}" ] && continue
			if [ -n "${want[${parent[$pid]}]:-}" ]; then
				want[$pid]=2
				more=1
			fi
		done
	done
	for p in "${!want[@]}"; do
		[ "${want[$p]}" = 2 ] && echo "$p"
	done
	return 0
}

# The shim socket of namespace $1, id $2 (see the comment at the top).
_ctrd_shim_socket()
{
	printf '/run/containerd/s/%s' \
		"$(printf '%s' "$CTRD_SOCK/$1/$2" | sha256sum | cut -d' ' -f1)"
}

# The cgroups of namespace CTRD_NS (every hierarchy), deepest first.
_ctrd_cgroups()
{
	local d
	for d in /sys/fs/cgroup/"$CTRD_NS" /sys/fs/cgroup/*/"$CTRD_NS"; do
		[ -d "$d" ] && find "$d" -depth -type d
	done
	return 0
}

# What the shim's runtime left: `BINARY --root ROOT/NS delete --force ID`
# for each task bundle (options.json names the runtime: --runc-binary,
# --runc-root or a CRI handler's options).
_ctrd_runtime_delete()
{
	local b opts bin root id ns
	for b in "$CTRD_DIR"/state/io.containerd.runtime.v2.task/*/*; do
		opts=$b/options.json
		[ -f "$opts" ] || continue
		bin=$(sed -n 's/.*"binary_name":"\([^"]*\)".*/\1/p' "$opts")
		root=$(sed -n 's/.*"root":"\([^"]*\)".*/\1/p' "$opts")
		[ -n "$bin" ] || continue
		id=${b##*/}
		ns=${b%/*}
		ns=${ns##*/}
		(cd "$b" && timeout -s KILL 5 "$bin" --root "${root:-/run/containerd/runc}/$ns" \
			delete --force "$id") >/dev/null 2>&1
	done
	return 0
}

# Mount points under CTRD_DIR, deepest first.
_ctrd_mounts()
{
	awk -v d="$CTRD_DIR/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r
}

ctrd_leftovers()
{
	local line pid ns id
	local -a shims=()
	while read -r pid ns id; do
		[ -n "$pid" ] || continue
		shims+=("$pid")
		echo "shim $pid ($ns/$id): $(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline")"
	done < <(_ctrd_shims)
	if [ ${#shims[@]} -gt 0 ]; then
		for pid in $(_ctrd_descendants "${shims[@]}"); do
			echo "under a shim: $pid $(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline")"
		done
	fi
	if [ -n "$CTRD_PID" ] && kill -0 "$CTRD_PID" 2>/dev/null; then
		echo "containerd $CTRD_PID still runs"
	fi
	for line in $(_ctrd_mounts); do
		echo "mount: $line"
	done
	# The runtime's processes (a monitor is a fork of `runsc --root
	# $CTRD_DIR/... create`), whoever their parent is now.
	for line in $(grep -lsaF -- "$CTRD_DIR/" /proc/[0-9]*/cmdline); do
		pid=${line#/proc/}
		pid=${pid%/cmdline}
		line=$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") || continue
		case $line in grep\ *) continue ;; esac
		echo "process $pid: $line"
	done
	for line in "${_CTRD_SOCKETS[@]}"; do
		[ -e "$line" ] && echo "shim socket: $line"
	done
	for line in $(_ctrd_cgroups); do
		echo "cgroup: $line"
	done
	return 0
}

_CTRD_SOCKETS=()

ctrd_cleanup()
{
	[ -n "$CTRD_PID" ] || [ -d "$CTRD_DIR" ] || return 0
	local ns t c pid id
	# Politely first: containerd's own task/container removal unmounts the
	# image rootfs and runs the runtime's delete (not when the test is being
	# stopped: there are seconds left, and the forced way below suffices).
	if [ -z "${E2E_ABORTED:-}" ] && [ -n "$CTRD_PID" ] && kill -0 "$CTRD_PID" 2>/dev/null; then
		for ns in $(CTRD_TIMEOUT=5 ctrc namespaces ls -q 2>/dev/null); do
			for t in $(CTRD_TIMEOUT=5 ctrc -n "$ns" tasks ls -q 2>/dev/null); do
				CTRD_TIMEOUT=10 ctrc -n "$ns" tasks delete -f "$t" >/dev/null 2>&1
			done
			for c in $(CTRD_TIMEOUT=5 ctrc -n "$ns" containers ls -q 2>/dev/null); do
				CTRD_TIMEOUT=10 ctrc -n "$ns" containers delete "$c" >/dev/null 2>&1
			done
		done
	fi
	# Then by force: shims that are still there and everything under them.
	local -a shims=() victims=()
	while read -r pid ns id; do
		[ -n "$pid" ] || continue
		shims+=("$pid")
		_CTRD_SOCKETS+=("$(_ctrd_shim_socket "$ns" "$id")")
	done < <(_ctrd_shims)
	if [ ${#shims[@]} -gt 0 ]; then
		mapfile -t victims < <(_ctrd_descendants "${shims[@]}")
		kill -KILL "${shims[@]}" "${victims[@]}" 2>/dev/null
		_ctrd_runtime_delete
	fi
	if [ -n "$CTRD_PID" ]; then
		kill -TERM "$CTRD_PID" 2>/dev/null
		local i
		for i in $(seq "$([ -n "${E2E_ABORTED:-}" ] && echo 5 || echo 50)"); do
			kill -0 "$CTRD_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$CTRD_PID" 2>/dev/null
		wait "$CTRD_PID" 2>/dev/null
		CTRD_PID=
	fi
	local m i
	for m in $(_ctrd_mounts); do
		umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
	done
	for m in "${_CTRD_SOCKETS[@]}"; do
		rm -f -- "$m"
	done
	for m in $(_ctrd_cgroups); do
		for i in $(seq 10); do   # until the last killed processes are reaped
			rmdir "$m" 2>/dev/null && break
			sleep 0.1
		done
	done
	# Empty directories a private daemon's shims and ctr create.
	rmdir /run/containerd/s /run/containerd/fifo /run/containerd 2>/dev/null
	return 0
}

e2e_cleanup_hook()
{
	if declare -F ctrd_cleanup_extra >/dev/null; then
		ctrd_cleanup_extra || true
	fi
	ctrd_cleanup
}

ctrd_oci_archive()
{
	"$CTRD_PY" - "$1" "$2" "${3:-e2e/busybox:latest}" "${4:-[\"/bin/sh\"]}" <<'PY'
import hashlib, io, json, os, sys, tarfile
src, out, ref = sys.argv[1:4]
cmd = json.loads(sys.argv[4])

def blob(t, data):
    d = hashlib.sha256(data).hexdigest()
    info = tarfile.TarInfo("blobs/sha256/" + d)
    info.size = len(data)
    info.mtime = 0
    t.addfile(info, io.BytesIO(data))
    return "sha256:" + d

layer = io.BytesIO()
with tarfile.open(fileobj=layer, mode="w", format=tarfile.PAX_FORMAT) as lt:
    for name in sorted(os.listdir(src)):
        lt.add(os.path.join(src, name), arcname=name)
layer = layer.getvalue()
with tarfile.open(out, "w") as t:
    ldigest = blob(t, layer)
    config = json.dumps({
        "architecture": "amd64", "os": "linux",
        "config": {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
                   "Cmd": cmd, "WorkingDir": "/"},
        "rootfs": {"type": "layers", "diff_ids": [ldigest]},
    }).encode()
    cdigest = blob(t, config)
    manifest = json.dumps({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": cdigest, "size": len(config)},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar",
                    "digest": ldigest, "size": len(layer)}],
    }).encode()
    mdigest = blob(t, manifest)
    index = json.dumps({
        "schemaVersion": 2,
        "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
                       "digest": mdigest, "size": len(manifest),
                       "annotations": {"org.opencontainers.image.ref.name": ref},
                       "platform": {"architecture": "amd64", "os": "linux"}}],
    }).encode()
    for name, data in (("oci-layout", b'{"imageLayoutVersion":"1.0.0"}'),
                       ("index.json", index)):
        info = tarfile.TarInfo(name)
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))
PY
}
