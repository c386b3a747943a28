#!/bin/bash
# Real programs, end to end: python3 (Debian's, /usr/bin/python3).
# tests/e2e/progs/python_prog.py, one section at a time: threads
# (ThreadPoolExecutor, locks, conditions, barrier, queue), subprocess with
# pipes, asyncio over a unix socket, sqlite3 on a file in /tmp, tempfile and
# shutil; natively and in the sentry (host root): same output and exit status,
# and no unimplemented syscall (collected for t_prog_zz_unimplemented).
# Multiprocessing and signals are in t_prog_python_mp.
. "$(dirname -- "$0")/lib.sh"
. "$E2E_DIR/progs/lib_prog.sh"

script=$PROG_DIR/python_prog.py
for s in threads subprocess asyncio sqlite files; do
	prog_run "python3 $s" norm_tmp 0 /usr/bin/python3 "$script" "$s"
	native_has "python3 $s" "^== end of $s\$"
	case $s in
	threads) native_has "python3 threads" '^threadpool sum of squares: 1365320533360000 True$' ;;
	subprocess) native_has "python3 subprocess" "^seq \\| wc -l: 1000 0 0\$" ;;
	asyncio) native_has "python3 asyncio" "^\['CLIENT 4 LINE 0', 'CLIENT 4 LINE 1', 'CLIENT 4 LINE 2'\] b''\$" ;;
	sqlite) native_has "python3 sqlite3" '^count: \(1000, 249750\.0, 1000\)$' ;;
	files) native_has "python3 shutil" '^copytree same as source: True$' ;;
	esac
done
