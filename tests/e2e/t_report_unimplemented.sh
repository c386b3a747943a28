#!/bin/bash
# --report-unimplemented lists at exit the syscalls the guest called that the
# sentry does not implement, with counts; it prints nothing when there are
# none.
. "$(dirname -- "$0")/lib.sh"

# --report-unimplemented: nothing for programs that only use what the sentry
# implements.
capture bbrun --report-unimplemented -- /bin/true
expect_eq "--report-unimplemented: nothing for busybox true" "0|" "$RC|$ERR"
capture srun --report-unimplemented -- /bin/true
expect_eq "--report-unimplemented: nothing for the host's /bin/true (glibc start-up)" "0|" "$RC|$ERR"
capture bbrun --report-unimplemented -- /bin/sh -c 'echo a | cat; ls / >/dev/null'
expect_eq "--report-unimplemented: nothing for a busybox pipeline" "0|a|" "$RC|$OUT|$ERR"

# A program that calls a syscall no kernel has (500, twice): it gets ENOSYS
# and the report counts it.
prog=$(build_static unimpl <<'C'
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/syscall.h>
int main(void)
{
	long r1 = syscall(500, 1, 2, 3);
	int e1 = errno;
	long r2 = syscall(500);
	int e2 = errno;
	long r3 = syscall(100000);
	int e3 = errno;
	printf("%ld %d %ld %d %ld %d\n", r1, e1 == ENOSYS, r2, e2 == ENOSYS, r3, e3 == ENOSYS);
	return 0;
}
C
) || exit 1
root=$E2E_TMP/root
mkdir -p "$root"
cp "$prog" "$root/unimpl"
capture srun --report-unimplemented --rootfs "$root" -- /unimpl
expect_eq "an unknown syscall returns -1 ENOSYS to the guest" "0 -1 1 -1 1 -1 1" "$RC $OUT"
expect_match "--report-unimplemented: syscall 500 counted twice" \
	'(\b500\b|0x1f4).*\b2\b' "$ERR"
capture srun --rootfs "$root" -- /unimpl
expect_eq "without --report-unimplemented: no report" "0|" "$RC|$ERR"
capture srun --strace --rootfs "$root" -- /unimpl
expect_match "--strace shows the unknown syscall failing with ENOSYS" \
	'(500|0x1f4).*= -1 ENOSYS' "$ERR"
