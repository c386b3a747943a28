#!/bin/bash
# Real programs, end to end: git.  tests/e2e/progs/git_prog.sh (init, config,
# add, commit, log, branch, checkout, diff, merge, tag, stash, gc, fsck, clone)
# in /tmp with fixed authors and dates, so that the commit hashes match;
# natively and in the sentry (host root): same output and exit status, and
# no unimplemented syscall (collected for t_prog_zz_unimplemented).
. "$(dirname -- "$0")/lib.sh"
. "$E2E_DIR/progs/lib_prog.sh"

prog_run "git" norm_tmp 0 /bin/bash "$PROG_DIR/git_prog.sh"
native_has "git" '^f87edb8 first commit$'
native_has "git" '^\*   4f11ee4 merge feature$'
native_has "git" '^fsck ok$'
