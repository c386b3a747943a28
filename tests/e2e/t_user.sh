#!/bin/bash
# -u/--user USER[:GROUP]: the guest's ids, looked up in the sandbox's own
# /etc/passwd and /etc/group; supplementary groups from /etc/group; HOME;
# capabilities of a non-root user; unknown names are usage errors (exit 2).
. "$(dirname -- "$0")/lib.sh"

# A rootfs of our own, with a user who is in two groups.
rootfs=$E2E_TMP/rootfs
copy_rootfs "$rootfs"
chmod u+w "$rootfs/etc/passwd" "$rootfs/etc/group"
cat >>"$rootfs/etc/passwd" <<'EOF'
alice:x:1001:1001:Alice:/home/alice:/bin/sh
EOF
cat >>"$rootfs/etc/group" <<'EOF'
alice:x:1001:
staff:x:50:alice,bob
users:x:100:bob,alice
EOF
urun() { srun --rootfs "$rootfs" "$@"; }

# Numeric ids need no entry.
capture urun -u 1000:1000 -- /bin/sh -c 'id -u; id -g; id -G; id'
expect_eq "-u 1000:1000: id" $'0\n1000\n1000\n1000\nuid=1000 gid=1000' "$RC"$'\n'"$OUT"
capture urun -u 1000 -- /bin/sh -c 'id -u; id -g; echo "$HOME"'
expect_eq "-u 1000: gid 0 without an entry, HOME=/" $'0\n1000\n0\n/' "$RC"$'\n'"$OUT"
capture urun -u 0:65534 -- /bin/sh -c 'id -u; id -g'
expect_eq "-u 0:65534" $'0\n0\n65534' "$RC"$'\n'"$OUT"

# Names.
capture urun --user nobody -- /bin/sh -c 'id; echo "$HOME"'
expect_eq "--user nobody" $'0\nuid=65534(nobody) gid=65534(nogroup)\n/nonexistent' \
	"$RC"$'\n'"$OUT"
capture urun --user root -- /bin/sh -c 'id; id -G'
expect_eq "--user root" $'0\nuid=0(root) gid=0(root)\n0' "$RC"$'\n'"$OUT"
capture urun --user alice -- /bin/sh -c 'id -u; id -g; id -G; echo "$HOME"'
expect_eq "--user alice: the groups that list her" $'0\n1001\n1001\n1001 50 100\n/home/alice' \
	"$RC"$'\n'"$OUT"
capture urun --user alice:staff -- /bin/sh -c 'id -g; id -G'
expect_eq "--user alice:staff: an explicit group, no supplementary ones" $'0\n50\n50' \
	"$RC"$'\n'"$OUT"
capture urun --user 1001 -- /bin/sh -c 'id -un; id -G'
expect_eq "--user 1001 finds alice's entry" $'0\nalice\n1001 50 100' "$RC"$'\n'"$OUT"
capture urun --user nobody:0 -- /bin/sh -c 'id -u; id -g'
expect_eq "--user nobody:0" $'0\n65534\n0' "$RC"$'\n'"$OUT"

# HOME: the user's, unless -e says otherwise; the caller's is not passed on.
capture env HOME=/caller "$SENTRY" run --rootfs "$rootfs" --user alice -- /bin/sh -c 'echo "$HOME"'
expect_eq "the caller's HOME is replaced" /home/alice "$OUT"
capture urun --user alice -e HOME=/elsewhere -- /bin/sh -c 'echo "$HOME"'
expect_eq "-e HOME wins" /elsewhere "$OUT"
capture env HOME=/caller "$SENTRY" run --rootfs "$rootfs" -- /bin/sh -c 'echo "$HOME"'
expect_eq "without -u, HOME is the caller's" /caller "$OUT"

# Without -u: root, with every capability.
capture urun -- /bin/sh -c 'id; grep -E "^Cap(Prm|Eff)" /proc/self/status'
expect_eq "default: root with all capabilities" \
	$'uid=0(root) gid=0(root)\nCapPrm:\t000001ffffffffff\nCapEff:\t000001ffffffffff' "$OUT"
# A non-root user has none, and is held to the file permissions.
capture urun --user nobody -- /bin/sh -c 'grep -E "^Cap(Prm|Eff|Bnd)" /proc/self/status; ls /root; echo x >/etc/f'
expect_match "nobody: no capabilities" $'^CapPrm:\t0000000000000000$' "$OUT"
expect_match "nobody: the full bounding set" $'^CapBnd:\t000001ffffffffff$' "$OUT"
expect_match "nobody: /root (0700) is closed" "ls: can't open '/root': Permission denied" "$ERR"
expect_match "nobody: /etc is not writable" "Permission denied" "$ERR"
capture urun --user nobody -- /bin/sh -c 'cd /tmp && echo hi >f && cat f && ls -ln f'
expect_match "nobody: writes in /tmp, as its own" '^-rw-r--r-- +1 65534 +65534 ' "$OUT"

# Unknown names: a usage error.
expect_exit 2 "unknown user" urun --user nosuch -- /bin/true
expect_match "  ...says so" "unable to find user nosuch" "$ERR"
expect_exit 2 "unknown group" urun --user nobody:nosuch -- /bin/true
expect_match "  ...says so" "unable to find group nosuch" "$ERR"
expect_exit 2 "empty user" urun -u '' -- /bin/true
expect_exit 2 "empty group" urun -u 'nobody:' -- /bin/true
expect_exit 2 "uid out of range" urun -u 4294967295 -- /bin/true
# A sandbox without /etc/passwd: numbers still work, names do not.
norootfs=$E2E_TMP/nopasswd
copy_rootfs "$norootfs"
rm -f "$norootfs/etc/passwd" "$norootfs/etc/group"
capture srun --rootfs "$norootfs" -u 123:456 -- /bin/sh -c 'id -u; id -g'
expect_eq "no /etc/passwd: numeric ids" $'0\n123\n456' "$RC"$'\n'"$OUT"
expect_exit 2 "no /etc/passwd: names are unknown" srun --rootfs "$norootfs" -u root -- /bin/true

# Set-user-ID programs are honoured, except on nosuid mounts (/tmp).
if suid=$(build_static suid <<'C'
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>
/* suid: print the uids and AT_SECURE; suid drop PATH: become 65534, then
 * run PATH. */
int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "drop") == 0) {
		if (setresuid(65534, 65534, 65534) != 0)
			return 1;
		execl(argv[2], argv[2], (char *)NULL);
		return 2;
	}
	uid_t r, e, s;
	getresuid(&r, &e, &s);
	printf("%u %u %u %lu\n", r, e, s, getauxval(AT_SECURE));
	return 0;
}
C
); then
	cp "$suid" "$rootfs/bin/suid"
	chmod 4755 "$rootfs/bin/suid"
	owner=$(stat -c %u "$rootfs/bin/suid")
	capture urun --user nobody -- /bin/suid
	expect_eq "a set-user-ID program runs with its owner's euid, AT_SECURE" \
		"65534 $owner $owner 1" "$OUT"
	capture urun -- /bin/sh -c '/bin/suid drop /bin/suid'
	expect_eq "  ...also after a setuid() to nobody" "65534 $owner $owner 1" "$OUT"
	capture urun -- /bin/sh -c 'cp /bin/suid /tmp/s && chmod 4755 /tmp/s && /bin/suid drop /tmp/s'
	expect_eq "  ...but not on a nosuid mount (/tmp)" "65534 65534 65534 0" "$OUT"
	capture urun -- /bin/suid
	expect_eq "  ...and root running it gains nothing" \
		"0 $owner $owner $([ "$owner" = 0 ] && echo 0 || echo 1)" "$OUT"
else
	fail "cannot build the set-user-ID test program"
fi
