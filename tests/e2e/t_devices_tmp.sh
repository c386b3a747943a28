#!/bin/bash
# /tmp is an empty, writable tmpfs (whatever the rootfs has there); /dev has
# working null, zero, full, random and urandom.
. "$(dirname -- "$0")/lib.sh"
T=$E2E_TMP

# /tmp hides whatever the rootfs has there.
R=$T/rootfs
copy_rootfs "$R"
echo host-file >"$R/tmp/from-rootfs"
capture srun --rootfs "$R" -- /bin/ls -A /tmp
expect_eq "/tmp is empty even when the rootfs has files there" "0|" "$RC|$OUT"
capture srun -- /bin/ls -A /tmp
expect_eq "/tmp is empty on the host root too" "0|" "$RC|$OUT"
capture srun -- /usr/bin/stat -f -c %T /tmp
expect_eq "/tmp is a tmpfs" tmpfs "$OUT"
capture srun -- /usr/bin/stat -c '%a %U %G' /tmp
expect_eq "/tmp is mode 1777, owned by root" "1777 root root" "$OUT"
capture srun --rootfs "$R" -- /bin/sh -c '
set -e
cd /tmp
echo hello > f; cat f
mkdir -p d/e; echo deep > d/e/g; cat d/e/g
mv f d/h; cat d/h
ln -s d/h link; cat link
ln d/h hard; stat -c %h hard
chmod 600 hard; stat -c %a d/h
head -c 3000000 /dev/zero > big; wc -c < big
rm -r d big link hard
ls -A'
expect_eq "/tmp is writable: create, read, rename, link, chmod, remove" \
	$'hello\ndeep\nhello\nhello\n2\n600\n3000000' "$OUT"
expect_eq "  ...without errors" "0|" "$RC|$ERR"
expect_eq "the rootfs's own /tmp is untouched" "from-rootfs" "$(ls -A "$R/tmp")"

# /dev/null.
capture srun -- /bin/sh -c 'echo discarded > /dev/null; echo "w=$?"; cat /dev/null | wc -c'
expect_eq "/dev/null: writes succeed, reads are empty" $'w=0\n0' "$OUT"
capture srun -- /usr/bin/stat -c '%F %t:%T %a' /dev/null /dev/zero /dev/full /dev/random /dev/urandom
expect_eq "/dev nodes: character devices with Linux's numbers and modes" \
	"character special file 1:3 666
character special file 1:5 666
character special file 1:7 666
character special file 1:8 666
character special file 1:9 666" "$OUT"

# /dev/zero.
capture srun -- /bin/sh -c 'head -c 100000 /dev/zero | od -An -tx1 | sort -u | tr -d " "'
expect_eq "/dev/zero: 100000 zero bytes" "00000000000000000000000000000000
*" "$OUT"
srun -- /usr/bin/dd if=/dev/zero bs=65536 count=16 status=none >"$T/zero"
expect_eq "/dev/zero: dd 1 MiB in full blocks" \
	"$(head -c 1048576 /dev/zero | sha256sum)" "$(sha256sum <"$T/zero")"

# /dev/full.
capture srun -- /bin/sh -c '/bin/echo x > /dev/full'
expect_match "/dev/full: writes fail with ENOSPC" "No space left on device" "$ERR"
capture srun -- /bin/sh -c 'head -c 10 /dev/full | od -An -tx1'
expect_eq "/dev/full: reads are zeros" " 00 00 00 00 00 00 00 00 00 00" "$OUT"

# /dev/urandom and /dev/random.
capture srun -- /bin/sh -c 'head -c 64 /dev/urandom | wc -c; a=$(head -c 32 /dev/urandom | od -An -tx1); b=$(head -c 32 /dev/urandom | od -An -tx1); [ "$a" != "$b" ] && echo differ; head -c 16 /dev/random | wc -c'
expect_eq "/dev/urandom and /dev/random: full reads, different each time" $'64\ndiffer\n16' "$OUT"
capture srun -- /bin/sh -c 'head -c 100000 /dev/urandom | od -An -tx1 -v | tr -s " " "\n" | sort -u | grep -c .'
expect_eq "/dev/urandom: 100000 bytes use all 256 values" 256 "$OUT"
