#!/usr/bin/env bash
# bind_mounts.sh [SENTRY]: end-to-end tests of `sentry run -v HOST:GUEST[:ro]`.
#
# SENTRY is the sentry binary (default: build/sentry).  Prints one
# "PASS name" or "FAIL name: why" line per check and exits 0 only if every
# check passed.  Guests run the host's own bash and coreutils (the default
# rootfs is the host's /), except the escape tests, which use a tiny rootfs
# of their own whose /usr is the host's, bind-mounted read-only; the mmap test
# runs a 242-byte static program written out below.  Everything the tests
# touch on the host lives in one temporary directory, removed at the end.
set -u

SENTRY=${1:-build/sentry}
case $SENTRY in /*) ;; *) SENTRY=$PWD/$SENTRY ;; esac
if [ ! -x "$SENTRY" ]; then
	echo "bind_mounts.sh: no sentry binary at $SENTRY" >&2
	exit 2
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/bind-mounts.XXXXXX")
trap 'rm -rf -- "$WORK"' EXIT
chmod 755 "$WORK"
umask 022

failures=0
pass() { echo "PASS $1"; }
fail() {
	echo "FAIL $1${2:+: $2}"
	failures=$((failures + 1))
}
# check NAME EXPECTED ACTUAL
check() {
	if [ "$2" == "$3" ]; then
		pass "$1"
	else
		fail "$1" "expected [$2], got [$3]"
	fi
}

# sentry OPTIONS... -- CMD...: runs the sandbox with a time limit.
sentry() {
	timeout -k 5 60 "$SENTRY" run "$@"
}

# The state of a host tree that matters: names, types, modes, owners, sizes,
# times (not atime: reading may change it), link counts, link targets, and
# the contents of every regular file.
tree_state() {
	(
		cd "$1" &&
			find . -printf '%p %y %m %U:%G %s %T@ %C@ %n %i %l\n' | LC_ALL=C sort &&
			find . -type f -print0 | LC_ALL=C sort -z | xargs -0r sha256sum
	)
}

# A listing that does not depend on the host file system (no directory
# sizes, times or inode numbers).
tree_listing() {
	(
		cd "$1" &&
			find . -mindepth 1 \( -type d -printf '%P d %m %U:%G\n' \) -o \
				\( ! -type d -printf '%P %y %m %U:%G %s %n %l\n' \) | LC_ALL=C sort
	)
}

root=0
[ "$(id -u)" = 0 ] && root=1

# --- a read-write mount: the host sees exactly what the guest did --------------------

rw=$WORK/rw
mkdir -p "$rw/olddir/deeper"
printf 'from host\n' >"$rw/host.txt"
printf 'old contents\n' >"$rw/replace_me.txt"
printf 'bye\n' >"$rw/delete_me.txt"
printf 'inner\n' >"$rw/olddir/deeper/inner.txt"
chmod 644 "$rw"/*.txt "$rw/olddir/deeper/inner.txt"
chmod 755 "$rw" "$rw/olddir" "$rw/olddir/deeper"

guest_rw=$(cat <<'GUEST'
set -e
cd /data
fail() { echo "guest: $*" >&2; exit 10; }
[ "$(cat host.txt)" = "from host" ] || fail "host.txt unreadable"
echo hello > a.txt                                    # create + write
echo line2 >> a.txt                                   # append
mkdir -p d1/d2                                        # mkdir
echo x > d1/d2/x.txt
mv a.txt d1/b.txt                                     # rename across directories
ln d1/b.txt hard.txt                                  # hard link
ln -s d1/b.txt sym.txt                                # symlink
chmod 640 d1/b.txt                                    # chmod
printf 0123456789 > t.txt
truncate -s 4 t.txt                                   # truncate
printf AB | dd of=t.txt bs=1 seek=1 conv=notrunc status=none   # write in the middle
touch -d @981173106 t.txt                             # utimes
echo new > new.txt
mv new.txt replace_me.txt                             # rename over a file
rm delete_me.txt                                      # unlink
mkdir emptyd && rmdir emptyd                          # rmdir
rm -r olddir                                          # unlink + rmdir, bottom up
mv d1/d2 d3                                           # rename a directory
mkfifo fifo                                           # mknod (FIFO)
rmdir olddir 2>/dev/null && fail "rmdir of a non-empty host directory succeeded"
head -c 3000000 /dev/urandom > big                    # a large file, in many writes
dd if=/dev/null of=sparse bs=1 seek=100000 count=1 status=none
echo z >> sparse                                      # append past a hole
[ "$(tail -c 2 sparse)" = z ] || fail "sparse tail"
if [ "$CHOWN" = 1 ]; then chown 1234:5678 hard.txt; fi   # chown
# What the guest itself sees now.
[ "$(cat sym.txt)" = "$(printf 'hello\nline2')" ] || fail "sym.txt: $(cat sym.txt)"
[ "$(cat t.txt)" = 0AB3 ] || fail "t.txt: $(cat t.txt)"
[ "$(stat -c %s:%Y t.txt)" = 4:981173106 ] || fail "t.txt stat: $(stat -c %s:%Y t.txt)"
[ "$(stat -c %h:%a d1/b.txt)" = 2:640 ] || fail "b.txt stat: $(stat -c %h:%a d1/b.txt)"
[ "$(stat -c %i d1/b.txt)" = "$(stat -c %i hard.txt)" ] || fail "hard link inode"
[ "$(readlink sym.txt)" = d1/b.txt ] || fail "readlink: $(readlink sym.txt)"
[ "$(cat replace_me.txt)" = new ] || fail "replace_me.txt: $(cat replace_me.txt)"
[ ! -e delete_me.txt ] && [ ! -e olddir ] && [ ! -e emptyd ] || fail "removed names still there"
[ "$(ls -A | tr '\n' ' ')" = "big d1 d3 fifo hard.txt host.txt replace_me.txt sparse sym.txt t.txt " ] ||
	fail "listing: $(ls -A | tr '\n' ' ')"
stat -c 'INO %i' d1/b.txt
sha256sum big
echo GUEST-RW-DONE
GUEST
)
out=$(sentry -e CHOWN=$root -v "$rw:/data" -- /bin/bash -c "$guest_rw" 2>"$WORK/rw.err")
status=$?
big_sum=$(grep ' big$' <<<"$out")
if [ $status -eq 0 ] && [[ $out == *GUEST-RW-DONE* ]]; then
	pass rw_guest_operations
else
	fail rw_guest_operations "exit $status: $out $(cat "$WORK/rw.err")"
fi

owner=0:0
[ $root = 1 ] && owner=1234:5678
expected=$(cat <<EOF
big f 644 0:0 3000000 1 
d1 d 755 0:0
d1/b.txt f 640 $owner 12 2 
d3 d 755 0:0
d3/x.txt f 644 0:0 2 1 
fifo p 644 0:0 0 1 
hard.txt f 640 $owner 12 2 
host.txt f 644 0:0 10 1 
replace_me.txt f 644 0:0 4 1 
sparse f 644 0:0 100002 1 
sym.txt l 777 0:0 8 1 d1/b.txt
t.txt f 644 0:0 4 1 
EOF
)
if [ $root = 0 ]; then
	# Not root: the guest's files belong to the caller.
	expected=${expected//0:0/$(id -u):$(id -g)}
fi
check rw_host_tree "$expected" "$(tree_listing "$rw")"
check rw_host_contents "hello|line2|/0AB3/new|/x|" \
	"$(tr '\n' '|' <"$rw/d1/b.txt")/$(cat "$rw/t.txt")/$(tr '\n' '|' <"$rw/replace_me.txt")/$(tr '\n' '|' <"$rw/d3/x.txt")"
check rw_host_mtime 981173106 "$(stat -c %Y "$rw/t.txt")"
check rw_host_hardlink "$(stat -c %i "$rw/d1/b.txt")" "$(stat -c %i "$rw/hard.txt")"
check rw_host_big_file "$big_sum" "$(cd "$rw" && sha256sum big)"
check rw_host_sparse "$(printf '%100000s' '' | tr ' ' '\0' | sha256sum | cut -c1-64) z" \
	"$(head -c 100000 "$rw/sparse" | sha256sum | cut -c1-64) $(tail -c 2 "$rw/sparse" | tr -d '\0')"
check rw_guest_ino_is_host_ino "INO $(stat -c %i "$rw/d1/b.txt")" "$(grep '^INO' <<<"$out")"

# --- a file the host creates, then changes, while the guest runs ---------------------

late=$WORK/late
mkdir -p "$late"
guest_late=$(cat <<'GUEST'
cat /data/late.txt 2>/dev/null && exit 11      # not there yet (and not cached as absent)
ls /data >/dev/null
: > /data/ready
for i in $(seq 1 200); do
	[ -e /data/late.txt ] && break
	sleep 0.05
done
cat /data/late.txt
stat -c %s /data/late.txt > /data/seen        # the host appends once it sees this
for i in $(seq 1 200); do
	[ "$(stat -c %s /data/late.txt)" = 22 ] && break
	sleep 0.05
done
cat /data/late.txt
GUEST
)
sentry -v "$late:/data" -- /bin/bash -c "$guest_late" >"$WORK/late.out" 2>"$WORK/late.err" &
pid=$!
for _ in $(seq 1 400); do
	[ -e "$late/ready" ] && break
	sleep 0.05
done
printf 'made on the host\n' >"$late/late.txt.tmp" && mv "$late/late.txt.tmp" "$late/late.txt"
for _ in $(seq 1 400); do
	[ -s "$late/seen" ] && break
	sleep 0.05
done
printf 'more\n' >>"$late/late.txt"
wait $pid
status=$?
check host_file_visible_in_guest "0|made on the host|made on the host|more|" \
	"$status|$(tr '\n' '|' <"$WORK/late.out")"

# --- many entries: readdir in several gofer batches ------------------------------------

many=$WORK/many
mkdir -p "$many"
(cd "$many" && for i in $(seq 1 3000); do : >"entry-with-a-rather-long-name-$i"; done)
out=$(sentry -v "$many:/data:ro" -- /bin/bash -c 'ls -A /data | wc -l; ls -A /data | sort | uniq -d | wc -l' 2>&1)
check readdir_many_entries "3000 0" "$(echo $out)"

# --- a read-only mount: every write fails with EROFS, the host tree is untouched -----

ro=$WORK/ro
mkdir -p "$ro/sub" "$ro/empty" "$WORK/scratch"
printf 'read only\n' >"$ro/f"
printf 'g\n' >"$ro/sub/g"
ln -s f "$ro/link"
mkfifo "$ro/hostfifo"
printf 'move me\n' >"$WORK/scratch/src"
touch -d @1000000000 "$ro/f" "$ro/sub/g" "$ro/sub" "$ro/empty" "$ro"
before=$(tree_state "$ro")

guest_ro=$(cat <<'GUEST'
erofs() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then
		echo "FAIL ro_$name: succeeded"
	elif [[ $out == *"Read-only file system"* ]]; then
		echo "PASS ro_$name"
	else
		echo "FAIL ro_$name: $out"
	fi
}
erofs open_wronly      dd if=/dev/null of=/ro/f conv=notrunc,nocreat status=none
erofs open_rdwr        bash -c 'exec 3<>/ro/f'
erofs open_rdwr_seek   dd if=/dev/null of=/ro/f seek=1 conv=notrunc,nocreat status=none
erofs open_creat       touch /ro/new
erofs open_creat_excl  bash -c 'set -C; : > /ro/new2'
erofs open_trunc       bash -c ': > /ro/f'
erofs open_append      bash -c 'echo more >> /ro/f'
erofs open_creat_dir   bash -c ': > /ro/sub/new'
erofs mkdir            mkdir /ro/newdir
erofs mknod_fifo       mkfifo /ro/fifo
erofs unlink           rm -f /ro/f
erofs unlink_symlink   rm -f /ro/link
erofs unlink_fifo      rm -f /ro/hostfifo
erofs rmdir            rmdir /ro/empty
erofs rmdir_nonempty   rm -rf /ro/sub
erofs rename           mv -T /ro/f /ro/f2
erofs rename_onto      mv -T /ro/f /ro/sub/g
erofs rename_dir       mv -T /ro/sub /ro/sub2
erofs rename_in        mv -T /scratch/src /ro/f
erofs rename_out       mv -T /ro/sub/g /scratch/g
erofs link             ln /ro/f /ro/hl
erofs symlink          ln -s f /ro/sl
erofs chmod            chmod 600 /ro/f
erofs chmod_dir        chmod 700 /ro/sub
erofs chown            chown 1:1 /ro/f
erofs chown_symlink    chown -h 1:1 /ro/link
erofs truncate         truncate -s 0 /ro/f
erofs truncate_grow    truncate -s 1M /ro/f
erofs utimes           touch -c -d @0 /ro/f
erofs utimes_dir       touch -c -d @0 /ro/sub
erofs utimes_now       touch -c /ro/f
[ "$(cat /ro/f)" = "read only" ] && echo "PASS ro_read" || echo "FAIL ro_read"
[ "$(ls /ro | tr '\n' ' ')" = "empty f hostfifo link sub " ] && echo "PASS ro_list" ||
	echo "FAIL ro_list: $(ls /ro | tr '\n' ' ')"
[ "$(readlink /ro/link)" = f ] && echo "PASS ro_readlink" || echo "FAIL ro_readlink"
GUEST
)
out=$(sentry -v "$ro:/ro:ro" -v "$WORK/scratch:/scratch" -- /bin/bash -c "$guest_ro" 2>&1)
status=$?
[ $status -eq 0 ] || fail ro_guest "exit $status"
n=$(grep -c '^PASS ro_' <<<"$out")
while IFS= read -r line; do
	case $line in
	"PASS "* | "FAIL "*) echo "$line" ;;
	esac
done <<<"$out"
failures=$((failures + $(grep -c '^FAIL ro_' <<<"$out")))
[ "$n" -ge 34 ] || fail ro_all_checks_ran "only $n passed: $out"
after=$(tree_state "$ro")
if [ "$before" == "$after" ]; then
	pass ro_host_tree_unchanged
else
	fail ro_host_tree_unchanged "$(diff <(echo "$before") <(echo "$after"))"
fi

# --- symlinks resolve inside the sandbox, never on the host ---------------------------

esc=$WORK/esc
mkdir -p "$esc/rootfs/etc" "$esc/rootfs/usr" "$esc/host/etc" "$esc/host/a/b/mnt"
# The host's programs and libraries, read-only: /usr, and /bin, /lib... as
# the host has them (symlinks into /usr, or directories of their own).
system_mounts=(-v /usr:/usr:ro)
for d in bin sbin lib lib32 lib64 libx32; do
	if [ -L "/$d" ]; then
		ln -s "$(readlink "/$d")" "$esc/rootfs/$d"
	elif [ -d "/$d" ]; then
		mkdir "$esc/rootfs/$d"
		system_mounts+=(-v "/$d:/$d:ro")
	fi
done
echo SANDBOX-SHADOW >"$esc/rootfs/etc/shadow"
echo HOST-ABOVE-MARKER >"$esc/host/MARKER"
echo HOST-ABOVE-SHADOW >"$esc/host/etc/shadow"
(
	cd "$esc/host/a/b/mnt" &&
		ln -s /etc/shadow abs &&
		ln -s ../../../etc/shadow rel &&
		ln -s ../../.. up &&
		ln -s ../../../MARKER relmarker &&
		ln -s /etc etcdir
)
shadow_before=$(tree_state "$esc")
guest_esc=$(cat <<'GUEST'
show() { printf '%s=' "$1"; cat "$2" 2>&1 | tr '\n' ' '; echo; }
show abs /data/abs
show rel /data/rel
show up_shadow /data/up/etc/shadow
show up_marker /data/up/MARKER
show relmarker /data/relmarker
show dotdot /data/../../../MARKER
ls /data/up/ | tr '\n' ' '; echo
# Links the guest makes itself resolve in the sandbox too.
ln -s ../../../MARKER /data/mine
show mine /data/mine
# A write through a link to /etc lands in the sandbox's /etc.
echo GUEST-WROTE > /data/etcdir/shadow
show after_write /etc/shadow
GUEST
)
out=$(sentry --rootfs "$esc/rootfs" "${system_mounts[@]}" -v "$esc/host/a/b/mnt:/data" -- \
	/bin/bash -c "$guest_esc" 2>&1)
if [[ $out == *HOST-ABOVE* ]]; then
	fail escape_no_host_file "$out"
else
	pass escape_no_host_file
fi
check escape_absolute_link "abs=SANDBOX-SHADOW " "$(grep '^abs=' <<<"$out")"
check escape_relative_link "rel=SANDBOX-SHADOW " "$(grep '^rel=' <<<"$out")"
check escape_dotdot_dir_link "up_shadow=SANDBOX-SHADOW " "$(grep '^up_shadow=' <<<"$out")"
for name in up_marker relmarker dotdot mine; do
	line=$(grep "^$name=" <<<"$out")
	if [[ $line == *"No such file or directory"* ]]; then
		pass "escape_enoent_$name"
	else
		fail "escape_enoent_$name" "$line"
	fi
done
if grep -q 'bin data .*etc.*usr' <<<"$out"; then
	pass escape_up_is_sandbox_root
else
	fail escape_up_is_sandbox_root "$out"
fi
check escape_write_stays_in_sandbox "after_write=GUEST-WROTE " "$(grep '^after_write=' <<<"$out")"
shadow_after=$(tree_state "$esc")
# The only host change allowed: the symlink the guest made in the mount
# (and so the mount's directory times).
unmount_dir() { grep -v -e '^\./host/a/b/mnt/mine ' -e '^\./host/a/b/mnt d ' <<<"$1"; }
shadow_before=$(unmount_dir "$shadow_before")
shadow_after=$(unmount_dir "$shadow_after")
check escape_host_tree_unchanged "$shadow_before" "$shadow_after"
check escape_guest_link_on_host "../../../MARKER" "$(readlink "$esc/host/a/b/mnt/mine")"

# --- mmap MAP_SHARED writes through to the host ------------------------------------------

# mmap-write FILE: open(FILE, O_RDWR), mmap 4096 bytes PROT_READ|PROT_WRITE
# MAP_SHARED, store "MMAPOK!\n" at offset 0, msync(MS_SYNC), munmap, exit 0
# (1 if any step fails).  A static ELF, from this source:
#   mov 16(%rsp),%rdi; mov $2,%esi; mov $2,%eax; syscall; test %rax,%rax; js fail
#   mov %rax,%r8; xor %edi,%edi; mov $4096,%esi; mov $3,%edx; mov $1,%r10d
#   xor %r9d,%r9d; mov $9,%eax; syscall; cmp $-4095,%rax; jae fail
#   movabs $"MMAPOK!\n",%rcx; mov %rcx,(%rax); mov %rax,%rdi; mov $4096,%esi
#   mov $4,%edx; mov $26,%eax; syscall; test %rax,%rax; jnz fail
#   mov $11,%eax; syscall; xor %edi,%edi; jmp exit
#   fail: mov $1,%edi; exit: mov $60,%eax; syscall
tools=$WORK/tools
mkdir -p "$tools"
printf '%b' '\x7f\x45\x4c\x46\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x3e\x00\x01\x00\x00\x00\x78\x00\x40\x00\x00\x00\x00\x00\x40\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x40\x00\x38\x00\x01\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x05\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x40\x00\x00\x00\x00\x00\x00\x00\x40\x00\x00\x00\x00\x00\xf2\x00\x00\x00\x00\x00\x00\x00\xf2\x00\x00\x00\x00\x00\x00\x00\x00\x10\x00\x00\x00\x00\x00\x00\x48\x8b\x7c\x24\x10\xbe\x02\x00\x00\x00\xb8\x02\x00\x00\x00\x0f\x05\x48\x85\xc0\x78\x58\x49\x89\xc0\x31\xff\xbe\x00\x10\x00\x00\xba\x03\x00\x00\x00\x41\xba\x01\x00\x00\x00\x45\x31\xc9\xb8\x09\x00\x00\x00\x0f\x05\x48\x3d\x01\xf0\xff\xff\x73\x31\x48\xb9\x4d\x4d\x41\x50\x4f\x4b\x21\x0a\x48\x89\x08\x48\x89\xc7\xbe\x00\x10\x00\x00\xba\x04\x00\x00\x00\xb8\x1a\x00\x00\x00\x0f\x05\x48\x85\xc0\x75\x0b\xb8\x0b\x00\x00\x00\x0f\x05\x31\xff\xeb\x05\xbf\x01\x00\x00\x00\xb8\x3c\x00\x00\x00\x0f\x05' >"$tools/mmap-write"
chmod 755 "$tools/mmap-write"
mm=$WORK/mm
mkdir -p "$mm/rw" "$mm/ro"
head -c 4096 /dev/zero >"$mm/rw/file"
head -c 4096 /dev/zero >"$mm/ro/file"
ro_before=$(tree_state "$mm/ro")
out=$(sentry -v "$tools:/tools:ro" -v "$mm/rw:/rw" -v "$mm/ro:/ro:ro" -- /bin/bash -c '
	/tools/mmap-write /rw/file; echo "rw=$?"
	head -c 8 /rw/file
	/tools/mmap-write /ro/file; echo "ro=$?"' 2>&1)
check mmap_shared_guest "rw=0 MMAPOK! ro=1" "$(echo $out)"
check mmap_shared_host_data "MMAPOK!" "$(head -c 8 "$mm/rw/file")"
check mmap_shared_host_rest "4096 $(head -c 4088 /dev/zero | sha256sum)" \
	"$(stat -c %s "$mm/rw/file") $(tail -c 4088 "$mm/rw/file" | sha256sum)"
check mmap_shared_ro_unchanged "$ro_before" "$(tree_state "$mm/ro")"

# --- only directories can be mounted ---------------------------------------------------

echo file >"$WORK/afile"
out=$(sentry -v "$WORK/afile:/x" -- /bin/echo GUEST-RAN 2>&1)
status=$?
if [ $status -ne 0 ] && [[ $out != *GUEST-RAN* ]] && [[ $out == *"not a directory"* ]]; then
	pass mount_file_refused
else
	fail mount_file_refused "exit $status: $out"
fi
out=$(sentry -v "$WORK/no-such-dir:/x" -- /bin/echo GUEST-RAN 2>&1)
status=$?
if [ $status -ne 0 ] && [[ $out != *GUEST-RAN* ]]; then
	pass mount_missing_refused
else
	fail mount_missing_refused "exit $status: $out"
fi

if [ $failures -eq 0 ]; then
	echo "bind_mounts: all passed"
	exit 0
fi
echo "bind_mounts: $failures failed"
exit 1
