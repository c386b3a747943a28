#!/bin/bash
# Real programs, end to end: bash.  tests/e2e/progs/bash_prog.sh, one section
# at a time (functions, pipelines, here-documents, background jobs and wait,
# traps, arithmetic, arrays, read loops, redirections, subshells, set -e), run
# natively and in the sentry (host root): same output, same exit status, and
# no unimplemented syscall (collected for t_prog_zz_unimplemented).
. "$(dirname -- "$0")/lib.sh"
. "$E2E_DIR/progs/lib_prog.sh"

script=$PROG_DIR/bash_prog.sh
for s in functions pipelines heredocs jobs traps arith arrays read redirs subshells set_e; do
	prog_run "bash $s" norm_tmp 0 /bin/bash "$script" "$s"
	native_has "bash $s" "^== end of $s\$"
done
# The last comparison's native results, so that it is of something.
native_has "bash set_e" '^rc=1$'
native_has "bash set_e" '^EXIT trap runs rc=6$'
native_has "bash set_e" '^bash: undefined_var: unbound variable$'
