#!/bin/bash
# Symlinks and .. stay inside the rootfs: absolute links resolve against the
# sandbox's root, relative ones cannot climb above it, and whatever a guest
# reads or writes through them is the rootfs's own, never the host's.
. "$(dirname -- "$0")/lib.sh"
T=$E2E_TMP

# The rootfs sits four levels below $T, so that ../../../.. from its root is
# $T on the host, where the outside marker lives.
R=$T/a/b/c/rootfs
copy_rootfs "$R"
echo OUTSIDE >"$T/marker"
echo OUTSIDE-a >"$T/a/marker"
echo INSIDE >"$R/marker"
echo ROOTFS-SHADOW >"$R/etc/shadow"
chmod 640 "$R/etc/shadow"
mkdir -p "$R/sub/dir"
ln -s /etc/shadow "$R/etc_shadow"
ln -s ../../../.. "$R/up"
ln -s / "$R/abs"
ln -s ../../../../../../../../marker "$R/sub/dir/upmarker"
ln -s ../../../../../../../../etc/shadow "$R/sub/dir/upshadow"
ln -s "$T/marker" "$R/hostpath"
ln -s "$T" "$R/hostdir"
ln -s /up/up/up/marker "$R/chain"
ln -s loop2 "$R/loop1"
ln -s loop1 "$R/loop2"

host_shadow=$(sha256sum /etc/shadow)

# read PATH in the guest; print its content or ENOENT.
run_reads()
{
	srun --rootfs "$R" -- /bin/sh -c '
for p in "$@"; do
	if [ -e "$p" ]; then printf "%s: %s\n" "$p" "$(cat "$p")"; else echo "$p: ENOENT"; fi
done' sh "$@"
}

capture run_reads /etc_shadow /up/marker /up/etc/shadow /abs/marker /abs/etc/shadow \
	/sub/dir/upmarker /sub/dir/upshadow /chain /up/up/up/up/marker \
	/../../../../marker /sub/../../../marker /abs/up/abs/up/marker
expect_eq "symlinks and .. resolve inside the rootfs" \
	"/etc_shadow: ROOTFS-SHADOW
/up/marker: INSIDE
/up/etc/shadow: ROOTFS-SHADOW
/abs/marker: INSIDE
/abs/etc/shadow: ROOTFS-SHADOW
/sub/dir/upmarker: INSIDE
/sub/dir/upshadow: ROOTFS-SHADOW
/chain: INSIDE
/up/up/up/up/marker: INSIDE
/../../../../marker: INSIDE
/sub/../../../marker: INSIDE
/abs/up/abs/up/marker: INSIDE" "$OUT"
expect_nomatch "no host file is ever read" "OUTSIDE|root:" "$OUT"

# An absolute link to a host path names a path of the guest's own tree,
# which does not exist there.
capture run_reads /hostpath /hostdir/marker "$T/marker"
expect_eq "a link to the host's absolute path finds nothing" \
	"/hostpath: ENOENT
/hostdir/marker: ENOENT
$T/marker: ENOENT" "$OUT"

# The guest's view of the symlinks themselves.
capture srun --rootfs "$R" -- /bin/sh -c 'for l in /etc_shadow /up /abs; do readlink "$l"; done; cd /up/up && pwd && cat marker; cd /abs/sub/dir/../../up && pwd -P; ls /up/up | grep -c marker'
expect_eq "readlink, cd and pwd through the links" "/etc/shadow
../../../..
/
/up/up
INSIDE
/
1" "$OUT"
capture srun --rootfs "$R" -- /bin/cat /loop1
expect_match "a symlink loop fails with ELOOP" "[Ss]ymbolic links|ELOOP|loop" "$ERR"
expect_ne "  ...and cat fails" 0 "$RC"

# Writes through the links land in the sandbox, not on the host.
capture srun --rootfs "$R" -- /bin/sh -c '
echo GUEST > /up/newfile && cat /newfile
echo GUEST-SHADOW > /etc_shadow && cat /etc/shadow
echo GUEST2 > /sub/dir/upmarker && cat /marker
mkdir /up/up/newdir && ls -d /newdir
echo GUEST3 2>/dev/null > /hostdir/created; echo "rc=$?"
rm /abs/up/marker && { [ -e /marker ] || echo marker-gone; }'
expect_eq "writes through the links stay in the sandbox" "GUEST
GUEST-SHADOW
GUEST2
/newdir
rc=1
marker-gone" "$OUT"
expect_eq "the outside marker is untouched" OUTSIDE "$(cat "$T/marker")"
expect_eq "the marker above the rootfs is untouched" OUTSIDE-a "$(cat "$T/a/marker")"
expect_eq "the rootfs's marker is untouched" INSIDE "$(cat "$R/marker")"
expect_eq "nothing created above the rootfs" "" \
	"$(ls "$T/newfile" "$T/newdir" "$T/created" "$T/a/b/newfile" 2>/dev/null)"
expect_eq "the host's /etc/shadow is untouched" "$host_shadow" "$(sha256sum /etc/shadow)"
expect_eq "the rootfs's /etc/shadow is untouched" ROOTFS-SHADOW "$(cat "$R/etc/shadow")"

# The command itself through a relative link that climbs out of the root.
mkdir -p "$R/usr/local/bin"
ln -s ../../../../../../bin/busybox "$R/usr/local/bin/echo"
capture srun --rootfs "$R" -- /usr/local/bin/echo via-link
expect_eq "exec through a relative link climbing out of the root" via-link "$OUT"
