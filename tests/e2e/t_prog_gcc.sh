#!/bin/bash
# Real programs, end to end: gcc and make.  tests/e2e/progs/gcc_prog.sh
# builds progs/cproj (three .c files, a header, a Makefile) with make -j2 in
# /tmp and runs it, rebuilds after a change, links statically, and shows a
# compile error; natively and in the sentry (host root): same output and exit
# status, and no unimplemented syscall (collected for t_prog_zz_unimplemented).
. "$(dirname -- "$0")/lib.sh"
. "$E2E_DIR/progs/lib_prog.sh"

prog_run "gcc+make" norm_tmp 0 /bin/bash "$PROG_DIR/gcc_prog.sh"
native_has "gcc+make" '^gcc -O2 -Wall -Wextra -Werror -o proj main.o util.o stats.o -lm$'
native_has "gcc+make" '^arg 2: sentry reversed yrtnes fnv1a b824b43aa1beca64$'
native_has "gcc+make" "^make: 'proj' is up to date\\.\$"
native_has "gcc+make" "error: 'undeclared' undeclared"
