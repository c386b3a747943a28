#!/bin/bash
# Exit statuses: the guest's own, 128+N for death by signal N.
. "$(dirname -- "$0")/lib.sh"

for n in 0 3 255; do
	expect_exit "$n" "sh -c 'exit $n' exits $n" bbrun -- /bin/sh -c "exit $n"
done
expect_exit 0 "host /bin/true exits 0" srun -- /bin/true
expect_exit 1 "host /bin/false exits 1" srun -- /bin/false
expect_exit 7 "exit status of a guest child passed through by the shell" \
	bbrun -- /bin/sh -c '/bin/sh -c "exit 7"; exit $?'

# A child killed by a signal: its parent sees it die by that signal (the
# shell says 128+N).  Pid 1 itself ignores signals it has no handler for, so
# the victim is a child: `; echo $?` keeps the shell from exec'ing it.
for sig in TERM:143 KILL:137 SEGV:139 INT:130 HUP:129; do
	name=${sig%:*} code=${sig#*:}
	expect_run "child killed by SIG$name: the shell sees $code" 0 "$code" \
		bbrun -- /bin/sh -c "sh -c 'kill -$name \$\$'; echo \$?"
done

# The sandbox's exit status when the guest's init dies by a signal: a real
# fault (which even pid 1 cannot ignore) in a static program.
segv=$(build_static segv <<'C'
#include <stdio.h>
int main(void)
{
	puts("before");
	fflush(stdout);
	*(volatile int *)0 = 1;
	puts("after");
	return 0;
}
C
) || exit 1
root=$E2E_TMP/root
mkdir -p "$root"
cp "$segv" "$root/segv"
expect_run "a guest segfault (pid 1) ends the sandbox with 139" 139 "before" \
	srun --rootfs "$root" -- /segv

# The same program as a child of the shell: the shell sees SIGSEGV (139).
bb=$E2E_TMP/bb
copy_rootfs "$bb"
cp "$segv" "$bb/bin/segv"
expect_run "a segfaulting child: its parent sees 139" 0 $'before\n139' \
	srun --rootfs "$bb" -- /bin/sh -c '/bin/segv; echo $?'

# abort() in a child: raise(SIGABRT) with the default action, 134.
abrt=$(build_static abrt <<'C'
#include <stdlib.h>
int main(void) { abort(); }
C
) || exit 1
cp "$abrt" "$bb/bin/abrt"
expect_run "a child calling abort(): its parent sees 134" 0 "134" \
	srun --rootfs "$bb" -- /bin/sh -c '/bin/abrt; echo $?'
