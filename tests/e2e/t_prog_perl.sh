#!/bin/bash
# Real programs, end to end: perl.  tests/e2e/progs/perl_prog.sh runs
# one-liners with regular expressions over a log file in /tmp (-n, -p, -i,
# -a/-F, named captures, a bad regex), and a little of perl's runtime (fork,
# pipe, strftime, files); natively and in the sentry (host root): same output
# and exit status, and no unimplemented syscall (collected for
# t_prog_zz_unimplemented).
. "$(dirname -- "$0")/lib.sh"
. "$E2E_DIR/progs/lib_prog.sh"

prog_run "perl" norm_tmp 0 /bin/bash "$PROG_DIR/perl_prog.sh"
native_has "perl" '^192\.168\.1\.10 +3 req +25600 bytes $'
native_has "perl" '^page => 2$'
native_has "perl" '^child exit 7$'
