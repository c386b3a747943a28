#!/bin/bash
# Write isolation: whatever the guest does to its root file system, it sees
# its own changes and the host sees none.  Checked on the host's own root
# (the default rootfs) and on the busybox rootfs.
. "$(dirname -- "$0")/lib.sh"
T=$E2E_TMP

# --- the host's root -------------------------------------------------------------
# Files the guest changes, and paths it creates.  Should the sentry let a
# change through, the test puts the host back from a backup (and fails).
changed=(/etc/passwd /usr/bin/ls /etc/shells /etc/debian_version /etc/issue
	/usr/share/doc/busybox-static)
created=(/newdir-e2e /root/e2e-created /root/.e2e-dir /usr/bin/e2e-new-prog
	/etc/shells.e2e-moved /etc/passwd.e2e-link /etc/e2e-symlink)
for p in "${changed[@]}"; do
	if [ ! -e "$p" ]; then
		echo "e2e: $p is missing on this host; cannot run the test" >&2
		exit 1
	fi
done
for p in "${created[@]}"; do
	if [ -e "$p" ] || [ -L "$p" ]; then
		echo "note: removing $p, left on the host by an earlier run"
		rm -rf -- "$p"
	fi
done
for p in "${changed[@]}"; do
	mkdir -p "$T/backup$(dirname "$p")"
	cp -a "$p" "$T/backup$p" || exit 1
done

host_state()
{
	{
		find /etc /usr/bin /usr/share/doc /root/.e2e-dir /newdir-e2e -xdev \
			-printf '%p %y %s %m %U:%G %T@ %l\n' 2>/dev/null
		find / -maxdepth 1 -printf '%p %y %m %U:%G\n'
		local p
		for p in "${created[@]}"; do
			[ -e "$p" ] || [ -L "$p" ] && echo "EXISTS $p"
		done
		sha256sum /etc/passwd /usr/bin/ls /etc/shells /etc/debian_version /etc/issue \
			/usr/share/doc/busybox-static/* 2>&1
	} | LC_ALL=C sort
}

restore_host()
{
	local p
	for p in "${created[@]}"; do
		rm -rf -- "$p"
	done
	for p in "${changed[@]}"; do
		if ! diff -rq --no-dereference "$T/backup$p" "$p" >/dev/null 2>&1 ||
			[ "$(stat -c '%a %u %g %Y' "$T/backup$p")" != "$(stat -c '%a %u %g %Y' "$p" 2>/dev/null)" ]; then
			echo "note: restoring $p on the host"
			rm -rf -- "$p"
			cp -a -- "$T/backup$p" "$p"
		fi
	done
}

before=$(host_state)

# The guest (host tools: dash and coreutils) changes things all over, then
# reports what it sees.  /usr/bin/ls is overwritten last but one, so nothing
# after it needs ls.
guest_script='
set -e
echo "guest-was-here:x:4242:4242::/:/bin/false" >> /etc/passwd
mv /etc/shells /etc/shells.e2e-moved
chmod 600 /etc/debian_version
chown 65534:65534 /etc/debian_version
touch -d "2001-02-03 04:05:06" /etc/debian_version
rm /etc/issue
rm -rf /usr/share/doc/busybox-static
mkdir -p /newdir-e2e/sub
echo new-content > /newdir-e2e/sub/file
ln /etc/passwd /etc/passwd.e2e-link
ln -s /newdir-e2e/sub/file /etc/e2e-symlink
echo created > /root/e2e-created
mkdir -p /root/.e2e-dir/deep
printf "#!/bin/sh\necho new-prog\n" > /usr/bin/e2e-new-prog
chmod 755 /usr/bin/e2e-new-prog
chmod 700 /usr/bin/ls
echo overwritten > /usr/bin/ls
# What the guest sees now.
tail -n 1 /etc/passwd
tail -n 1 /etc/passwd.e2e-link
stat -c "%h" /etc/passwd
test ! -e /etc/shells && echo "shells gone"
head -n 1 /etc/shells.e2e-moved
stat -c "%a %u %g %Y" /etc/debian_version
test ! -e /etc/issue && echo "issue gone"
test ! -e /usr/share/doc/busybox-static && echo "doc gone"
cat /etc/e2e-symlink
cat /root/e2e-created
test -d /root/.e2e-dir/deep && echo "deep dir"
/usr/bin/e2e-new-prog
cat /usr/bin/ls
stat -c "%a %s" /usr/bin/ls
'
expected_guest="guest-was-here:x:4242:4242::/:/bin/false
guest-was-here:x:4242:4242::/:/bin/false
2
shells gone
$(head -n 1 /etc/shells)
600 65534 65534 $(date -d '2001-02-03 04:05:06' +%s)
issue gone
doc gone
new-content
created
deep dir
new-prog
overwritten
700 12"
capture srun -- /bin/sh -c "$guest_script"
expect_eq "host root: the guest's changes all succeed" 0 "$RC"
[ "$RC" -eq 0 ] || echo "  guest stderr: $ERR"
expect_eq "host root: the guest sees its own changes" "$expected_guest" "$OUT"

after=$(host_state)
if [ "$before" == "$after" ]; then
	pass "host root: nothing changed on the host"
else
	fail "host root: the guest's writes reached the host" \
		"$(diff <(printf '%s\n' "$before") <(printf '%s\n' "$after") | head -40)"
	restore_host
fi

# Writes vanish when the sandbox ends: a new sandbox sees the host's files.
capture srun -- /bin/sh -c 'tail -n 1 /etc/passwd; test -e /newdir-e2e && echo newdir; sha256sum /usr/bin/ls'
expect_eq "host root: the next sandbox starts from the pristine root" \
	"$(tail -n 1 /etc/passwd)
$(sha256sum /usr/bin/ls)" "$OUT"

# --- the busybox rootfs -----------------------------------------------------------
R=$T/rootfs
copy_rootfs "$R"
tree_state()
{
	(cd "$1" && find . -printf '%p %y %s %m %U:%G %T@ %l\n' | LC_ALL=C sort &&
		find . -type f -exec sha256sum {} + | LC_ALL=C sort)
}
rbefore=$(tree_state "$R")
passwd_line=$(tail -n 1 "$R/etc/passwd")

# Busybox applets, and shell builtins only once /bin/busybox is replaced
# (removed and created anew: writing to it in place, while it runs, fails
# with ETXTBSY, see t_exec).
bb_script='
set -e
echo "guest:x:1:1::/:/bin/sh" >> /etc/passwd
chmod 600 /etc/group
chown 65534:65534 /etc/group
mv /etc/hosts /etc/hosts.moved
rm /bin/ls
ln -s /bin/busybox /bin/ls-again
rm -rf /usr/sbin
mkdir -p /newdir/a/b
echo deep > /newdir/a/b/file
mv /newdir/a /newdir/renamed
echo secret > /root/file
mkfifo /root/fifo
ln /etc/passwd /etc/passwd.hard
rm /bin/busybox
echo overwritten > /bin/busybox
read -r l < /etc/passwd.hard; echo "$l"
while read -r l; do last=$l; done < /etc/passwd; echo "$last"
read -r l < /newdir/renamed/b/file; echo "$l"
read -r l < /root/file; echo "$l"
read -r l < /bin/busybox; echo "$l"
[ -e /bin/ls ] || echo "ls gone"
[ -L /bin/ls-again ] && echo "link made"
[ -e /usr/sbin ] || echo "sbin gone"
[ -p /root/fifo ] && echo "fifo made"
[ -e /etc/hosts ] || echo "hosts moved"
[ -f /etc/hosts.moved ] && echo "hosts.moved there"
'
capture srun --rootfs "$R" -- /bin/sh -c "$bb_script"
expect_eq "busybox rootfs: the guest's changes all succeed" 0 "$RC"
[ "$RC" -eq 0 ] || echo "  guest stderr: $ERR"
expect_eq "busybox rootfs: the guest sees its own changes" "root:x:0:0:root:/root:/bin/sh
guest:x:1:1::/:/bin/sh
deep
secret
overwritten
ls gone
link made
sbin gone
fifo made
hosts moved
hosts.moved there" "$OUT"
rafter=$(tree_state "$R")
expect_eq "busybox rootfs: the rootfs on the host is unchanged" "$rbefore" "$rafter"
capture srun --rootfs "$R" -- /bin/sh -c 'tail -n 1 /etc/passwd; ls /newdir 2>&1; ls -l /etc/group'
expect_eq "busybox rootfs: the next sandbox starts from the pristine rootfs" \
	"$passwd_line
ls: /newdir: No such file or directory
$(chroot "$R" /bin/ls -l /etc/group)" "$OUT"
