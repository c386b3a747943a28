#!/bin/bash
# Real programs, end to end: python3 (Debian's, /usr/bin/python3), processes
# and signals.  tests/e2e/progs/python_prog.py, one section at a time:
# multiprocessing (Pool, Process, Queue, Pipe, Value) with the "fork" and the
# "spawn" start methods, and signals (signal.alarm with a handler, interval
# timers, sigwait, SIGCHLD, the wakeup fd); natively and in the sentry (host
# root): same output and exit status, and no unimplemented syscall (collected
# for t_prog_zz_unimplemented).
. "$(dirname -- "$0")/lib.sh"
. "$E2E_DIR/progs/lib_prog.sh"

script=$PROG_DIR/python_prog.py
for s in mp_fork mp_spawn signals; do
	prog_run "python3 $s" norm_tmp 0 /usr/bin/python3 "$script" "$s"
	native_has "python3 $s" "^== end of $s\$"
	case $s in
	mp_fork) native_has "python3 fork" '^fork shared value: 400$' ;;
	mp_spawn) native_has "python3 spawn" '^spawn pool map: 332833500$' ;;
	signals) native_has "python3 signal.alarm" '^alarm\(1\) interrupted sleep\(3\) after ~1 s: True \[14\]$' ;;
	esac
done
