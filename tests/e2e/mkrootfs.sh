#!/bin/bash
# mkrootfs.sh DIR: build a minimal test root file system in DIR from the
# Debian package busybox-static: DIR/bin/busybox, a symlink for each of its
# applets at the path busybox itself lists (bin/sh, usr/bin/wc, ...), a small
# /etc, and the empty directories the sandbox mounts over (/proc, /dev, /sys,
# /tmp).
#
# Idempotent and cheap: when DIR already holds a complete rootfs built from
# the same busybox by the same script (and nothing was left in its /tmp) it
# is left alone.  The rootfs is built beside DIR and
# renamed into place, so concurrent callers never see half a rootfs.
set -euo pipefail

if [ $# -ne 1 ] || [ -z "$1" ]; then
	echo "usage: $0 DIR" >&2
	exit 2
fi
dir=${1%/}
busybox=${BUSYBOX:-/bin/busybox}

if [ ! -x "$busybox" ]; then
	echo "mkrootfs: $busybox not found: install the Debian package busybox-static (make deps)" >&2
	exit 1
fi
if [ "$(head -c 4 "$busybox" | tail -c 3)" != ELF ]; then
	echo "mkrootfs: $busybox is not an ELF binary" >&2
	exit 1
fi

# What a complete rootfs records: the busybox it was built from and this
# script's own version, so that a change to either rebuilds it.
stamp="$(cksum <"$busybox" | cut -d' ' -f1) $(cksum <"${BASH_SOURCE[0]}" | cut -d' ' -f1)"
complete()
{
	[ -f "$dir/.e2e-rootfs" ] && [ "$(cat "$dir/.e2e-rootfs")" = "$stamp" ] &&
		[ -x "$dir/bin/busybox" ] && [ -d "$dir/tmp" ] && [ -z "$(ls -A "$dir/tmp")" ]
}
complete && exit 0

parent=$(dirname -- "$dir")
mkdir -p -- "$parent"
new=$(mktemp -d "$parent/.$(basename -- "$dir").new.XXXXXX")
trap 'rm -rf -- "$new"' EXIT
chmod 755 "$new"

mkdir -p "$new"/{bin,sbin,usr/bin,usr/sbin,etc,root,home,proc,dev,sys,tmp,var/tmp}
chmod 1777 "$new/tmp" "$new/var/tmp"
chmod 700 "$new/root"
cp "$busybox" "$new/bin/busybox"
chmod 755 "$new/bin/busybox"

# One symlink per applet, where busybox says it lives.
while IFS= read -r applet; do
	case $applet in
	'' | */busybox | /* | *..*) continue ;;
	esac
	[ -e "$new/$applet" ] || [ -L "$new/$applet" ] && continue
	mkdir -p "$new/$(dirname -- "$applet")"
	ln -s /bin/busybox "$new/$applet"
done < <("$busybox" --list-full)
# The few every test relies on, whatever this busybox's --list-full says.
for a in sh cat echo ls wc true false sleep; do
	[ -e "$new/bin/$a" ] || ln -sf busybox "$new/bin/$a"
done

cat >"$new/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
cat >"$new/etc/group" <<'GROUP'
root:x:0:
nogroup:x:65534:
GROUP
echo e2e-rootfs >"$new/etc/hostname"
printf '127.0.0.1\tlocalhost\n::1\tlocalhost\n' >"$new/etc/hosts"
chmod 644 "$new"/etc/*

echo "$stamp" >"$new/.e2e-rootfs"

# Swap it in.  A rootfs another caller finished meanwhile is as good as ours.
complete && exit 0
old=
if [ -e "$dir" ]; then
	old=$(mktemp -d "$parent/.$(basename -- "$dir").old.XXXXXX")
	mv -T -- "$dir" "$old/x"
fi
mv -T -- "$new" "$dir"
trap - EXIT
[ -z "$old" ] || rm -rf -- "$old"
