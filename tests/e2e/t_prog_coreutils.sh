#!/bin/bash
# Real programs, end to end: coreutils and friends (ls, cp -a, mv, rm -rf,
# find, sort, uniq, wc, sha256sum, tar+gzip, date, env, id, ps, top, ...).
# tests/e2e/progs/coreutils_prog.sh, one section at a time, natively and in
# the sentry (host root): same output and exit status, and no unimplemented
# syscall (collected for t_prog_zz_unimplemented).
. "$(dirname -- "$0")/lib.sh"
. "$E2E_DIR/progs/lib_prog.sh"

script=$PROG_DIR/coreutils_prog.sh
for s in ls cp_mv_rm find text tar misc ps; do
	prog_run "coreutils $s" norm_tmp 0 /bin/bash "$script" "$s"
	native_has "coreutils $s" "^== end of $s\$"
	case $s in
	cp_mv_rm) native_has "cp -a" '^cp -a kept names, types, modes, owners, sizes, times, links$' ;;
	tar) native_has "tar" '^round trip kept names, types, modes, owners, sizes, times, links$' ;;
	misc) native_has "date" '^Thu Jan  1 00:00:00 UTC 1970$' ;;
	ps)
		native_has "ps" '^ps, a child of this shell: yes$'
		native_has "top" '^top - TIME up UPTIME, load average: L, L, L$'
		;;
	esac
done

# In the sandbox the processes are known exactly: the shell is pid 1.
capture srun -- /bin/bash -c 'ps -eo pid,ppid,comm; echo "rc=$?"'
expect_eq "ps -eo pid,ppid,comm in the sandbox: pid 1 is the shell, ps its child" \
	"PID PPID COMMAND
1 0 bash
2 1 ps
rc=0" "$(printf '%s\n' "$OUT" | awk '{$1 = $1; print}')"
capture srun -- /bin/sh -c 'top -bn1 | head -5; echo "rc=$?"'
expect_eq "top -bn1 | head -5 in the sandbox: exit status 0, no errors" "rc=0|" \
	"$(printf '%s\n' "$OUT" | tail -1)|$ERR"
expect_match "top: the header's task line" '^Tasks: +[0-9]+ total, ' "$OUT"
