#!/bin/bash
# The limits of `sentry run`: --timeout, --overlay-size, --pids, --memory,
# --cpus, --nofile.  Each holds, the guest sees the errno Linux gives, the
# run ends with the documented status, and nothing is left behind (no
# process, no cgroup).  Bad values are usage errors (status 2).
. "$(dirname -- "$0")/lib.sh"

S=$(private_sentry limits)
procs() { procs_of "$S"; }

e2e_cleanup_hook()
{
	local p
	for p in $(procs); do
		kill -9 "$p" 2>/dev/null
	done
}

lrun()
{
	timeout -k 1 "$E2E_TIMEOUT" "$S" run --rootfs "$E2E_ROOTFS" "$@"
}

# no_leftovers DESC: within 10 s (a hang bound), no process of ours and no cgroup of a run.
no_leftovers()
{
	local left i cg
	for ((i = 0; i < 100; i++)); do
		left=$(procs)
		[ -z "$left" ] && break
		sleep 0.1
	done
	cg=$(find /sys/fs/cgroup -maxdepth 6 -type d -name 'sentry-run-*' 2>/dev/null |
		while read -r d; do
			# only ours: a run of this copy would have had its outer pid there
			[ -z "$(cat "$d/cgroup.procs" 2>/dev/null)" ] && echo "$d"
		done)
	if [ -z "$left" ] && [ -z "$cg" ]; then
		pass "$1"
	else
		fail "$1" "processes: $left" "empty cgroups left: $cg"
	fi
}

# --- bad values --------------------------------------------------------------------

for bad in "--timeout 0" "--timeout -1" "--timeout x" "--overlay-size 0" \
	"--overlay-size 1q" "--overlay-size 1mb" "--memory ''" "--memory 99999999999g" \
	"--pids 0" "--pids 1x" "--cpus 0" "--cpus abc" "--nofile 0" "--nofile 2000000"; do
	eval "set -- $bad"
	capture lrun "$@" -- /bin/true
	if [ "$RC" -eq 2 ] && [ "$(printf '%s\n' "$ERR" | wc -l)" -eq 1 ] &&
		[[ $ERR == "sentry: $1"* ]]; then
		pass "$bad: a one-line usage error, status 2"
	else
		fail "$bad: a one-line usage error, status 2" "exit $RC, stderr: $(show "$ERR")"
	fi
done
expect_run "sizes take k, m and g suffixes" 0 ok \
	lrun --overlay-size 64k --memory 1g --pids 100 --nofile 64 --cpus 1.5 --timeout 30 \
	-- /bin/echo ok
capture "$S" run --help
expect_match "--help lists the limits" "--overlay-size SIZE" "$OUT"

# --- --timeout -----------------------------------------------------------------------

start=$(date +%s.%N)
capture lrun --timeout 1 -- /bin/sleep 4242
end=$(date +%s.%N)
if [ "$RC" -eq 124 ]; then pass "--timeout 1 on sleep: status 124"; else
	fail "--timeout 1 on sleep: status 124" "exit $RC, stderr: $(show "$ERR")"; fi
expect_match "--timeout: one line on stderr says so" "^sentry: the sandbox timed out after 1 s" "$ERR"
if awk -v s="$start" -v e="$end" 'BEGIN { exit !(e - s >= 0.9 && e - s < 3) }'; then
	pass "--timeout 1 ends the run in about 1 s"
else
	fail "--timeout 1 ends the run in about 1 s" "took $(awk -v s="$start" -v e="$end" 'BEGIN { print e - s }') s"
fi
no_leftovers "--timeout: no process left"

# Every process of the sandbox goes, not only its init.
capture lrun --timeout 1 -- /bin/sh -c '(sleep 4243 &); sleep 4244 & sleep 4245'
expect_exit_rc=$RC
if [ "$expect_exit_rc" -eq 124 ]; then pass "--timeout with children: 124"; else
	fail "--timeout with children: 124" "exit $RC"; fi
no_leftovers "--timeout: background and orphaned children killed too"
expect_run "--timeout not reached: the command's own status" 3 "" \
	lrun --timeout 20 -- /bin/sh -c 'exit 3'

# --- --overlay-size ------------------------------------------------------------------

expect_run "--overlay-size 1m: dd of 2 MB fails with ENOSPC, rm frees the space" 0 \
	"$(printf 'dd 1\nNo space left on device\nagain 0\ndf 1024')" \
	lrun --overlay-size 1m -- /bin/sh -c '
		dd if=/dev/zero of=/big bs=1024 count=2048 2>/tmp/err; echo "dd $?"
		grep -o "No space left on device" /tmp/err | head -1
		rm /big
		dd if=/dev/zero of=/big bs=1024 count=512 2>/dev/null; echo "again $?"
		df -k / | awk "NR == 2 { print \"df\", \$2 }"'
expect_run "--overlay-size: /tmp shares it; truncate past it fails" 0 \
	"$(printf 'tmp 1\ntrunc 1\nshm 0')" \
	lrun --overlay-size 1m -- /bin/sh -c '
		dd if=/dev/zero of=/data bs=1024 count=700 2>/dev/null
		dd if=/dev/zero of=/tmp/x bs=1024 count=700 2>/dev/null; echo "tmp $?"
		truncate -s 2000000 /data 2>/dev/null; echo "trunc $?"
		rm /data; dd if=/dev/zero of=/dev/shm/y bs=1024 count=100 2>/dev/null; echo "shm $?"'
expect_run "--overlay-size: creating files stops at the limit too" 0 "enospc" \
	lrun --overlay-size 64k -- /bin/sh -c '
		i=0; while [ $i -lt 1000 ]; do
			touch /f$i 2>/dev/null || { echo enospc; exit 0; }; i=$((i + 1)); done; echo none'
expect_run "--overlay-size: hard links and long symlinks stop at it too; rm gives it back" 0 \
	"$(printf 'ln enospc\nsymlink enospc\nagain 0')" \
	lrun --overlay-size 64k -- /bin/sh -c '
		touch /h; i=0; while [ $i -lt 1000 ] && ln /h /h$i 2>/dev/null; do i=$((i + 1)); done
		[ $i -lt 1000 ] && echo "ln enospc"; rm -f /h*
		t=$(printf "%03000d" 0); i=0
		while [ $i -lt 1000 ] && ln -s "$t" /s$i 2>/dev/null; do i=$((i + 1)); done
		[ $i -lt 1000 ] && echo "symlink enospc"; rm -f /s*
		dd if=/dev/zero of=/x bs=1024 count=48 2>/dev/null; echo "again $?"'
expect_run "no --overlay-size: a write of 8 MB works" 0 "0" \
	lrun -- /bin/sh -c 'dd if=/dev/zero of=/big bs=1024 count=8192 2>/dev/null; echo $?'

# --- --pids --------------------------------------------------------------------------

capture lrun --pids 20 -- /bin/sh -c '
	i=0; while [ $i -lt 40 ]; do sleep 4246 & i=$((i + 1)); done; echo spawned-all'
if [ "$RC" -ne 0 ] && [[ $ERR == *"Cannot fork"* || $ERR == *"Resource temporarily unavailable"* ]] &&
	[[ $OUT != *spawned-all* ]]; then
	pass "--pids 20: the 20th fork fails with EAGAIN"
else
	fail "--pids 20: the 20th fork fails with EAGAIN" "exit $RC, out $(show "$OUT")" "err $(show "$ERR")"
fi
no_leftovers "--pids: the run ends, nothing left"
expect_run "--pids: fork works again once children are gone" 0 "19 ok" \
	lrun --pids 20 -- /bin/sh -c '
		n=0; i=0; while [ $i -lt 19 ]; do (exit 0) && n=$((n + 1)); i=$((i + 1)); done
		pids=""; i=0; while [ $i -lt 10 ]; do sleep 1 & pids="$pids $!"; i=$((i + 1)); done
		wait; echo "$n ok"'
# A fork bomb: the limit holds, the sentry stays responsive, --timeout ends it.
capture lrun --pids 50 --timeout 2 -- /bin/sh -c 'b() { b | b & }; b; sleep 100'
if [ "$RC" -eq 124 ]; then pass "--pids 50: a fork bomb is held until --timeout"; else
	fail "--pids 50: a fork bomb is held until --timeout" "exit $RC, err $(show "${ERR:0:300}")"; fi
no_leftovers "fork bomb: nothing left"
# Zombies hold their pid until reaped (as pids.max counts them): children
# that exit at once are no way past the limit.
zombies=$(build_static zombies <<'C'
#include <errno.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
int main(void)
{
	int n = 0;
	pid_t p;
	while (n < 1000 && (p = fork()) >= 0) {
		if (p == 0)
			_exit(0);
		n++;
	}
	int e = errno;
	while (wait(NULL) > 0)
		;
	p = fork();
	if (p == 0)
		_exit(0);
	printf("%d %s %d\n", n, e == EAGAIN ? "EAGAIN" : "other", p > 0 && wait(NULL) == p);
	return 0;
}
C
) || exit 1
zroot=$E2E_TMP/zroot
mkdir -p "$zroot"
cp "$zombies" "$zroot/zombies"
expect_run "--pids 20: zombies count until reaped (19 children, then EAGAIN)" 0 "19 EAGAIN 1" \
	timeout -k 1 "$E2E_TIMEOUT" "$S" run --rootfs "$zroot" --pids 20 -- /zombies

# --- --memory ------------------------------------------------------------------------

if command -v python3 >/dev/null; then
	capture timeout -k 1 "$E2E_TIMEOUT" "$S" run --memory 64m -- python3 -c '
a = []
for i in range(400):
    a.append(bytearray(1 << 20))
print("allocated", len(a))'
	if [ "$RC" -eq 137 ] && [[ $OUT != *allocated* ]]; then
		pass "--memory 64m: a memory hog is killed (137)"
	else
		fail "--memory 64m: a memory hog is killed (137)" "exit $RC, out $(show "$OUT")"
	fi
	expect_match "--memory: one line on stderr says so" "^sentry: the sandbox ran out of memory" "$ERR"
	no_leftovers "--memory: nothing left, cgroup removed"
	expect_run "--memory 256m: a program within it runs" 0 "allocated 32" \
		timeout -k 1 "$E2E_TIMEOUT" "$S" run --memory 256m -- python3 -c '
a = [bytearray(1 << 20) for i in range(32)]
print("allocated", len(a))'
fi

# --- --cpus: the cgroup's quota while the run lasts ---------------------------------

# The run's own cgroup is sentry-run-OUTERPID (the outer process: the one
# of our copy whose parent is not); other runs on the machine have theirs.
lrun --cpus 0.5 -- /bin/sh -c 'echo ready; exec sleep 2' >"$E2E_TMP/cpus.out" &
bg=$!
q=
if wait_file "$E2E_TMP/cpus.out" ready; then
	outer=
	for p in $(procs); do
		pp=$(cut -d' ' -f4 "/proc/$p/stat" 2>/dev/null) || continue
		[ "$(readlink "/proc/$pp/exe" 2>/dev/null)" = "$S" ] || outer=$p
	done
	for d in $(find /sys/fs/cgroup -maxdepth 6 -type d -name "sentry-run-$outer" 2>/dev/null); do
		[ -r "$d/cpu.cfs_quota_us" ] && q=$(cat "$d/cpu.cfs_quota_us")
		[ -r "$d/cpu.max" ] && q=$(cut -d' ' -f1 "$d/cpu.max")
	done
else
	fail "--cpus 0.5: the guest did not start" "$(cat "$E2E_TMP/cpus.out")"
fi
wait $bg
if [ -z "$q" ]; then
	pass "--cpus: no cpu cgroup here (unenforced, as documented)"
elif [ "$q" = 50000 ]; then
	pass "--cpus 0.5: a quota of 50000 us per 100000"
else
	fail "--cpus 0.5: a quota of 50000 us per 100000" "quota: $q"
fi
no_leftovers "--cpus: cgroup removed"

# --- --nofile ------------------------------------------------------------------------

expect_run "--nofile 50: soft and hard limits" 0 "$(printf '50\n50')" \
	lrun --nofile 50 -- /bin/sh -c 'ulimit -n; ulimit -Hn'
emfile=$(build_static emfile <<'C'
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
int main(void)
{
	int n = 0, fd;
	while ((fd = open("/", O_RDONLY)) >= 0)
		n++;
	printf("%d %s %d\n", errno == EMFILE, errno == EMFILE ? "EMFILE" : "other", fd);
	return 0;
}
C
) || exit 1
root=$E2E_TMP/root
mkdir -p "$root"
cp "$emfile" "$root/emfile"
expect_run "--nofile 50: open past it fails with EMFILE" 0 "1 EMFILE -1" \
	timeout -k 1 "$E2E_TIMEOUT" "$S" run --rootfs "$root" --nofile 50 -- /emfile
no_leftovers "all runs: nothing left"
