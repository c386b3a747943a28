#!/bin/bash
# --strace prints each guest syscall to stderr, strace-style.
. "$(dirname -- "$0")/lib.sh"

capture bbrun --strace -- /bin/echo hi
expect_eq "--strace: the guest's stdout is untouched" "0 hi" "$RC $OUT"
expect_match "--strace: the write is shown with its arguments and result" \
	'^\[pid +1\] write\(1, "hi\\n", 3\) = 3$' "$ERR"
expect_match "--strace: exit_group is shown" '^\[pid +1\] exit_group\(0\)' "$ERR"
expect_match "--strace: the pid is right-aligned in a field of 5" '^\[pid     1\] ' "$ERR"

capture bbrun --strace -- /bin/cat /nonexistent
expect_eq "--strace: cat of a missing file still exits 1" 1 "$RC"
expect_match "--strace: a failing open shows -1 ENOENT" \
	'^\[pid +1\] open(at)?\((AT_FDCWD, )?"/nonexistent", O_RDONLY.*\) = -1 ENOENT' "$ERR"

capture bbrun --strace -- /bin/sh -c 'echo x | cat >/dev/null; true'
expect_match "--strace: a child's syscalls carry the child's pid" '^\[pid +[2-9][0-9]*\] ' "$ERR"

capture bbrun -- /bin/echo hi
expect_eq "without --strace: nothing on stderr" "" "$ERR"
