#!/bin/bash
# build/runsc under rootless podman: a user of the test's own (useradd, with
# the subordinate id range Debian's useradd gives), podman run as that user
# with vfs storage, cgroupfs and no network (--runtime .../runsc).  podman
# runs the runtime as root of its own user namespace, which runsc treats as
# rootless (docs/architecture.md, "Rootless"): the container's output and
# exit status, pid 1 and uid 0 inside, a file written to a bind mount owned
# by the user on the host; nothing of the runtime left afterwards.
. "$(dirname -- "$0")/lib.sh"

require_runsc
require_tools podman conmon useradd userdel newuidmap setpriv
if [ "$(id -u)" -ne 0 ]; then
	echo "e2e: $TEST_NAME needs root (it adds a user)" >&2
	exit 1
fi

chmod 711 "$E2E_TMP"
D=$E2E_TMP/pd
PU=sentrypd$$
# $XDG_RUNTIME_DIR short: runsc's state is there, and a container's
# control socket path (64-character ids) must fit in sun_path.
X=/tmp/pd$$
mkdir -p "$X" "$D/store/net" "$D/w"
RS=$D/runsc-pd-$$
cp "$RUNSC" "$RS"
cp -a "$E2E_ROOTFS" "$D/rootfs"

# Processes of the test's user (podman's pause process outlives podman).
user_procs()
{
	local d
	[ -n "${PUID:-}" ] || return 0
	for d in /proc/[0-9]*; do
		[ "$(awk '/^Uid:/ { print $2 }' "$d/status" 2>/dev/null)" = "$PUID" ] && echo "${d#/proc/}"
	done
}
e2e_cleanup_hook()
{
	local p
	for p in $(user_procs); do
		kill -9 "$p" 2>/dev/null
	done
	userdel "$PU" 2>/dev/null
	rm -rf -- "$X"
	return 0
}

if ! useradd -M -d "$D" -s /bin/sh "$PU"; then
	fail "useradd $PU"
	exit 1
fi
PUID=$(id -u "$PU")
PGID=$(id -g "$PU")
if ! grep -q "^$PU:" /etc/subuid || ! grep -q "^$PU:" /etc/subgid; then
	fail "useradd gave $PU subordinate ids (/etc/subuid, /etc/subgid)" "rootless podman needs them"
	exit 1
fi
chown -R "$PUID:$PGID" "$D" "$X"
chmod 700 "$X"

# pm ARGS...: podman as the user (its runroot path must stay under 50 bytes).
pm()
{
	(cd "$D" && timeout -k 2 60 setpriv --reuid="$PUID" --regid="$PGID" --init-groups \
		--inh-caps=-all env HOME="$D" USER="$PU" XDG_RUNTIME_DIR="$X" \
		podman --root "$D/store/root" --runroot "$D/r" --tmpdir "$D/store/tmp" \
		--storage-driver vfs --network-config-dir "$D/store/net" --cgroup-manager cgroupfs \
		--events-backend file --runtime "$RS" "$@")
}

capture pm run --rm --network none -v "$D/w:/w" --rootfs "$D/rootfs" /bin/sh -c \
	'echo in-podman $$ $(id -u); echo data >/w/f; exit 5'
expect_eq "rootless podman run: output, pid 1, uid 0, exit status 5" "5 in-podman 1 0" "$RC $OUT"
[ "$RC" -eq 5 ] || printf '  stderr: %s\n' "$ERR"
expect_eq "  ...the file written to the bind mount is the user's on the host" \
	"$PUID:$PGID data" "$(stat -c %u:%g "$D/w/f" 2>&1) $(cat "$D/w/f" 2>&1)"

left=
for d in /proc/[0-9]*; do
	exe=$(readlink "$d/exe" 2>/dev/null) || continue
	[ "$exe" = "$RS" ] && left="$left ${d#/proc/}"
done
expect_eq "  ...and no process of the runtime is left" "" "$left"
