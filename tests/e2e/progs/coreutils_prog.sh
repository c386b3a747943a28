#!/bin/bash
# Coreutils and friends on a prepared tree in /tmp; run as
# `bash coreutils_prog.sh SECTION` by t_prog_coreutils.sh, natively and in the
# sentry.  Every date in the tree is fixed, so listings do not depend on when
# the test runs; the scratch directory is /tmp/prog-XXXXXXXX (normalised by
# the test).
T=$(mktemp -d /tmp/prog-XXXXXXXX) || exit 1
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1
umask 022

# The tree: files with known modes, contents and times, a symlink to a file,
# one to a directory and a dangling one, an empty directory, a hard link.
mktree()
{
	mkdir -p tree/a/b tree/empty tree/c
	printf 'alpha\n' >tree/a/one.txt
	printf 'beta\nbeta\n' >tree/a/b/two.txt
	seq 1 1000 >tree/c/numbers.dat
	printf '#!/bin/sh\necho run\n' >tree/c/script.sh
	head -c 5000 /dev/zero >tree/zeros.bin
	chmod 755 tree/c/script.sh
	chmod 600 tree/a/b/two.txt
	chmod 1777 tree/empty
	chmod 2750 tree/c
	ln -s a/one.txt tree/link-to-one
	ln -s a tree/link-to-a
	ln -s does-not-exist tree/dangling
	ln tree/a/one.txt tree/hardlink
	# Fixed times, deepest first so that the directories keep theirs.
	find tree -depth -exec touch -h -d '2001-02-03 04:05:06 UTC' {} +
	touch -h -d '2010-01-01 00:00:00 UTC' tree/c/numbers.dat tree/link-to-a
	# The scratch directory too: it is the tree's "..".
	touch -d '2001-02-03 04:05:06 UTC' .
}

# The size of a directory and the "total" of ls depend on the file system
# (the host's /tmp is not always a tmpfs): print them as "DIRSIZE"/"N", and
# squeeze the spaces that align the columns to their widths.
lsnorm()
{
	sed -E -e 's/^total [0-9]+$/total N/' \
		-e 's/^(d[rwxsStT-]{9}\.? +[0-9]+ +[a-z]+ +[a-z]+ +)[0-9]+ /\1DIRSIZE /' | tr -s ' '
}

# stat_tree DIR: name, type, mode, owner, size (not of directories), mtime
# and link target of everything under DIR.
stat_tree()
{
	(cd "$1" && find . -exec stat -c '%n|%F|%a|%U:%G|%s|%Y|%N' {} + | LC_ALL=C sort |
		awk -F'|' '$2 == "directory" {$5 = "-"} {print}' OFS='|')
}

section_ls()
{
	mktree
	ls -la tree | lsnorm
	ls -laR tree/a | lsnorm
	ls -l --time-style=+%s tree/c
	ls -1 tree
	ls -F tree
	ls -d tree/* | sort
	ls -la tree/nonexistent
	echo "ls rc=$?"
}

section_cp_mv_rm()
{
	mktree
	cp -a tree copy
	echo "cp -a rc=$?"
	diff <(stat_tree tree) <(stat_tree copy) && echo "cp -a kept names, types, modes, owners, sizes, times, links"
	stat_tree copy | head -20
	[ -L copy/link-to-a ] && [ "$(readlink copy/link-to-a)" = a ] && echo "symlink copied as a symlink"
	[ "$(stat -c %i copy/a/one.txt)" = "$(stat -c %i copy/hardlink)" ] && echo "hard link kept as a hard link"
	cmp tree/zeros.bin copy/zeros.bin && echo "contents equal"
	cp tree/a/one.txt plain-copy
	stat -c '%a %s' plain-copy
	[ "$(stat -c %Y plain-copy)" != "$(stat -c %Y tree/a/one.txt)" ] && echo "plain cp does not keep the time"
	cp -r tree/a copy-r && ls copy-r copy-r/b
	# shellcheck disable=SC2225 # the missing destination is the point
	cp tree/a 2>&1
	echo "cp of a dir without -r rc=$?"
	mv copy/a/one.txt copy/a/uno.txt && ls copy/a
	mv copy/c copy/a/b/ && find copy/a -print | sort
	mv copy/zeros.bin copy/empty/ && ls -la copy/empty | lsnorm | awk '{print $1, $NF}'
	mv copy/nothing copy/x 2>&1
	echo "mv missing rc=$?"
	mkdir -p other && mv copy/a other/ && ls other other/a
	rm copy/link-to-one && [ -e copy/link-to-one ] || echo "rm removed the symlink"
	[ -e copy/hardlink ] && echo "rm of a symlink left its target"
	rm copy/empty 2>&1
	echo "rm of a dir rc=$?"
	rm -rf copy other copy-r
	echo "rm -rf rc=$? left: $(ls)"
	rm -rf does-not-exist && echo "rm -rf of nothing succeeds"
	mkdir -p deep/1/2/3/4/5/6/7/8/9 && touch deep/1/2/3/4/5/6/7/8/9/f && chmod 500 deep/1/2 &&
		rm -rf deep && echo "rm -rf of a deep tree (with a read-only dir, as root)"
}

section_find()
{
	mktree
	touch -d '2005-01-01 UTC' ref
	echo "-- -name"; find tree -name '*.txt' | sort
	echo "-- -type f"; find tree -type f | sort
	echo "-- -type d"; find tree -type d | sort
	echo "-- -type l"; find tree -type l | sort
	echo "-- -newer"; find tree -newer ref | sort
	echo "-- -exec {} +"; find tree -type f -name '*.txt' -exec sha256sum {} + | sort -k2
	echo "-- -exec {} ;"; find tree/a -type f -exec sh -c 'echo "$(basename "$1"): $(wc -l <"$1")"' sh {} \; | sort
	echo "-- -perm, -size, -empty, -maxdepth"
	find tree -perm -4000 -o -perm 755 -type f | sort
	find tree -size +4k | sort
	find tree -empty | sort
	find tree -maxdepth 1 -mindepth 1 -type d | sort
	echo "-- -printf"; find tree -printf '%d %y %m %p -> %l\n' | sort -k4
	echo "-- -L"; find -L tree -type f | sort
	echo "-- -delete"; find tree -name '*.bin' -delete && [ ! -e tree/zeros.bin ] && echo deleted
	find tree/none 2>&1; echo "find rc=$?"
}

section_text()
{
	mktree
	printf 'b 2\na 1\nc 3\nb 2\nA 10\na 1\na 1\n' >words
	echo "-- sort"; sort words
	echo "-- sort -k2 -n -r"; sort -k2,2nr -k1,1 words
	echo "-- sort -u"; sort -u words
	echo "-- sort -f"; sort -f -s words
	echo "-- uniq -c"; sort words | uniq -c
	echo "-- uniq -d"; sort words | uniq -d
	echo "-- wc"; wc words tree/c/numbers.dat tree/a/b/two.txt
	wc -l <tree/c/numbers.dat
	echo "-- big sort"; seq 1 20000 | sort -r | sort -n | sha256sum
	seq 1 50000 | sort -R --random-source=tree/zeros.bin | sort -n | tail -1
	echo "-- sha256sum"; sha256sum tree/a/one.txt tree/c/numbers.dat tree/zeros.bin
	sha256sum tree/*/*.txt >sums && sha256sum -c sums
	echo corrupted >>tree/a/one.txt; sha256sum -c sums 2>&1; echo "sha256sum -c rc=$?"
	echo "-- cut, tr, head, tail, paste, join, comm"
	cut -d: -f1,3 /etc/passwd | head -1
	echo hello | tr a-z A-Z
	head -n 3 tree/c/numbers.dat | paste -sd+
	tail -c 9 tree/c/numbers.dat
	printf '1 a\n2 b\n' >j1; printf '1 x\n3 y\n' >j2; join j1 j2
	comm -12 <(printf 'a\nb\nc\n') <(printf 'b\nc\nd\n')
	echo "-- od, base64, md5sum, cksum"
	printf 'xyz' | od -An -c
	printf 'base64 me' | base64
	md5sum <tree/a/b/two.txt
	cksum tree/c/numbers.dat
	echo "-- split, cat"
	split -l 300 tree/c/numbers.dat part- && ls part-* && cat part-* | cmp - tree/c/numbers.dat && echo "split+cat round trip"
	echo "-- dd, truncate, stat"
	dd if=/dev/zero of=dd.out bs=4096 count=3 2>&1 | head -2
	truncate -s 100000 dd.out; stat -c '%s' dd.out
	dd if=tree/c/numbers.dat bs=1 skip=10 count=5 status=none; echo
}

section_tar()
{
	mktree
	# Sorted by name: otherwise the order is the directories' (which of two
	# hard links is stored as the file depends on it).
	tar --sort=name -czf tree.tar.gz tree
	echo "tar czf rc=$?"
	gzip -t tree.tar.gz && echo "gzip -t ok"
	tar tzvf tree.tar.gz | awk '{print $1, $2, $3, $4, $5, $6}' | sort -k6
	mkdir out && tar xzf tree.tar.gz -C out
	echo "tar xzf rc=$?"
	diff <(stat_tree tree) <(stat_tree out/tree) && echo "round trip kept names, types, modes, owners, sizes, times, links"
	diff -r --no-dereference tree out/tree && echo "round trip kept contents"
	# gzip and gunzip on their own, and tar through a pipe.
	cp tree/c/numbers.dat n.dat && gzip -9 n.dat && ls n.dat* && gunzip -c n.dat.gz | sha256sum
	zcat n.dat.gz | tail -1
	tar cf - -C tree a | tar tf - | sort
	tar cjf t.tar.bz2 tree 2>/dev/null && tar tjf t.tar.bz2 | wc -l
	tar xzf missing.tar.gz 2>&1; echo "tar of a missing file rc=$?"
}

section_misc()
{
	date -u -d @0
	date -u -d @1234567890 '+%Y-%m-%d %H:%M:%S %Z %s %j %a'
	TZ=UTC date -d '2020-02-29 12:00' +%s
	date -d 'not a date' 2>&1; echo "date rc=$?"
	echo "-- env"; env | LC_ALL=C sort
	env -i A=1 B=2 env
	env -u HOME env | grep -c '^HOME=' ; echo "env -u rc shown above"
	echo "-- id"; id; id -u; id -g; id -un; id -Gn; id nobody
	echo "-- whoami, groups, logname-free bits"; whoami; groups
	echo "-- uname"; uname -s; uname -m
	echo "-- misc"; basename /a/b/c.txt .txt; dirname /a/b/c.txt; realpath -m /a/../b/./c
	printf '%s\n' "$(seq -s, 1 5)"; expr 6 \* 7; test 3 -lt 4 && echo "3 < 4"
	yes | head -2; true; echo "true=$?"; false; echo "false=$?"
	readlink -f /proc/self/exe 2>&1 | sed 's#^/usr/bin/readlink$#READLINK#'
	nproc >/dev/null && echo "nproc ok"
	stat -c '%F' /dev/null; stat -f -c '%T' /tmp >/dev/null && echo "stat -f ok"
	sleep 0.1 && echo "slept"
	timeout 0.2 sleep 2; echo "timeout rc=$?"
	mktemp -p . x.XXXX | sed 's/\.[A-Za-z0-9]*$/.XXXX/'
	ln -s /etc/passwd l && readlink l && cat l | head -1
	mkfifo ff && (echo through-fifo >ff &) && cat ff
	printf 'x\n' | xargs -I{} echo "xargs got {}"
	seq 10 | xargs -n 4 echo
}

# ps and top show processes, which differ: print only the shape and the lines
# that are known (this shell and ps, its child).
section_ps()
{
	ps -eo pid,ppid,comm >ps.out
	echo "ps rc=$?"
	head -1 ps.out | awk '{print $1, $2, $3}'
	awk -v me=$$ '$1 == me {print "this shell:", $3}' ps.out
	awk -v me=$$ '$2 == me && $3 == "ps" {print "ps, a child of this shell: yes"}' ps.out
	awk 'NR > 1 && !($1 ~ /^[0-9]+$/ && $2 ~ /^[0-9]+$/ && NF >= 3) {print "bad line:", $0}' ps.out
	ps -o pid= -p $$ | awk -v me=$$ '$1 == me {print "ps -p self: found"}'
	ps -o comm= -p $$
	ps aux | head -1 | awk '{print $1, $2, $3, $4, $11}'
	ps -eo ppid,stat,comm | awk -v me=$$ '$1 == me && $3 == "ps" {print "ps state:", substr($2, 1, 1)}'
	top -bn1 >top.out 2>top.err &
	top=$!
	wait $top
	echo "top rc=$? stderr=[$(cat top.err)]"
	head -5 top.out | sed -E \
		-e 's/^top - [0-9]{2}:[0-9]{2}:[0-9]{2} up .*load average: [0-9.]+, [0-9.]+, [0-9.]+$/top - TIME up UPTIME, load average: L, L, L/' \
		-e 's/^Tasks: +[0-9]+ total, +[0-9]+ running, +[0-9]+ sleeping, +[0-9]+ stopped, +[0-9]+ zombie$/Tasks: N total, N running, N sleeping, N stopped, N zombie/' \
		-e 's/^%Cpu\(s\): *[0-9.]+ us, *[0-9.]+ sy, *[0-9.]+ ni, *[0-9.]+ id, *[0-9.]+ wa, *[0-9.]+ hi, *[0-9.]+ si, *[0-9.]+ st *$/%Cpu(s): N us, N sy, N ni, N id, N wa, N hi, N si, N st/' \
		-e 's/^MiB Mem : +[0-9.]+ total, +[0-9.]+ free, +[0-9.]+ used, +[0-9.]+ buff\/cache *$/MiB Mem : N total, N free, N used, N buff\/cache/' \
		-e 's/^MiB Swap: +[0-9.]+ total, +[0-9.]+ free, +[0-9.]+ used\. +[0-9.]+ avail Mem *$/MiB Swap: N total, N free, N used. N avail Mem/'
	sed -n 7p top.out | awk '{print $1, $2, $NF}'
	awk -v top=$top 'NR > 7 && $1 == top {print "top lists itself:", $NF}' top.out
	uptime | sed -E 's/^ *[0-9:]+ up .* load average: [0-9.]+, [0-9.]+, [0-9.]+$/uptime shape ok/'
	free -m | awk 'NR == 1 {print $1, $2, $3} NR == 2 {print $1} NR == 3 {print $1}'
}

case ${1:-all} in
all) for s in ls cp_mv_rm find text tar misc ps; do echo "== $s"; "section_$s"; done ;;
*) "section_$1" ;;
esac
echo "== end of $1"
