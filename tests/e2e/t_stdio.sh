#!/bin/bash
# Standard input, output and error: the guest's fds 0-2 are the caller's own
# open files, shared (offsets, append mode) the way a child process's are.
. "$(dirname -- "$0")/lib.sh"
T=$E2E_TMP

# stdin piped through.
capture srun -- /bin/cat < <(printf 'a\nb\n')
expect_eq "stdin from a pipe reaches the guest" $'a\nb\n' "$RAW_OUT"
expect_eq "  ...exit 0" 0 "$RC"

head -c 1048576 /dev/urandom >"$T/big"
srun -- /bin/cat <"$T/big" | cmp -s - "$T/big"
expect_eq "1 MiB of binary data through cat, stdin from a file, stdout to a pipe" "0 0" \
	"${PIPESTATUS[*]}"
# shellcheck disable=SC2002 # a pipe, on purpose
cat "$T/big" | bbrun -- /bin/sh -c 'cat; echo done >&2' >"$T/big.out" 2>"$T/big.err"
expect_eq "1 MiB through a pipe into the guest and into a file" "0 done" \
	"$(cmp "$T/big" "$T/big.out" >/dev/null 2>&1; echo $?) $(cat "$T/big.err")"

# stdout and stderr stay apart.
bbrun -- /bin/sh -c 'echo out1; echo err1 >&2; echo out2; echo err2 >&2' >"$T/o" 2>"$T/e"
expect_eq "stdout gets only stdout" $'out1\nout2' "$(cat "$T/o")"
expect_eq "stderr gets only stderr" $'err1\nerr2' "$(cat "$T/e")"
capture bbrun -- /bin/sh -c 'echo to-err 1>&2'
expect_eq "1>&2 inside the guest goes to the caller's stderr" "to-err|" "$ERR|$OUT"

# Output to a regular file continues where the caller left it (the guest
# writes through the caller's open file, sharing its offset).
{ echo first; srun -- /bin/echo second; } >"$T/f"
expect_eq "> file: the guest's output follows what the caller wrote" \
	$'first\nsecond' "$(cat "$T/f")"
{ echo first; srun -- /bin/echo second; echo third; } >"$T/f"
expect_eq "> file: and the caller's later writes follow the guest's" \
	$'first\nsecond\nthird' "$(cat "$T/f")"
{ echo one; bbrun -- /bin/sh -c 'echo two; echo three'; srun -- /bin/echo four; } >"$T/f"
expect_eq "> file: several sandboxes in a row" $'one\ntwo\nthree\nfour' "$(cat "$T/f")"
echo existing >"$T/g"
{ srun -- /bin/echo appended; } >>"$T/g"
expect_eq ">> file: appends" $'existing\nappended' "$(cat "$T/g")"
{ echo e1 >&2; bbrun -- /bin/sh -c 'echo e2 >&2'; echo e3 >&2; } 2>"$T/h"
expect_eq "2> file: stderr shares the offset too" $'e1\ne2\ne3' "$(cat "$T/h")"
# A file opened O_APPEND by the caller and written by the caller elsewhere
# meanwhile: writes always land at the end.
echo start >"$T/ap"
exec {apfd}>>"$T/ap"
echo from-outside >>"$T/ap"
srun -- /bin/echo from-guest >&$apfd
exec {apfd}>&-
expect_eq "O_APPEND stdout: the guest's write lands at the end" \
	$'start\nfrom-outside\nfrom-guest' "$(cat "$T/ap")"

# stdin from a file, sharing the offset with the caller.
printf 'l1\nl2\nl3\n' >"$T/in"
capture srun -- /bin/cat <"$T/in"
expect_eq "stdin from a file" $'l1\nl2\nl3' "$OUT"
{ read -r first; srun -- /bin/cat; } <"$T/in" >"$T/rest"
expect_eq "stdin from a file: the guest starts where the caller stopped" \
	$'l2\nl3' "$(cat "$T/rest")"
{ srun -- /usr/bin/head -c 3 >/dev/null; cat; } <"$T/in" >"$T/rest"
expect_eq "stdin from a file: the caller goes on where the guest stopped" \
	$'l2\nl3' "$(cat "$T/rest")"

# stdin that is /dev/null: EOF at once.
capture bbrun -- /bin/sh -c 'read x; echo "rc=$? x=$x"' </dev/null
expect_eq "stdin /dev/null: read sees EOF" "rc=1 x=" "$OUT"

# Closed descriptors stay closed in the guest: using them fails with EBADF,
# exactly as it does for the same program outside (chroot into the same
# rootfs).  A short time limit: a guest that finds something else on its fd 0
# may wait for input forever.
native() { chroot "$E2E_ROOTFS" "$@"; }
# closing FD CMD...: CMD with descriptor FD (0, 1 or 2) closed.
closing()
{
	local fd=$1
	shift
	case $fd in
	0) "$@" <&- ;;
	1) "$@" >&- ;;
	2) "$@" 2>&- ;;
	esac
}
# same_as_native DESC FD CMD...: CMD with FD closed, in the sandbox and natively.
same_as_native()
{
	local desc=$1 fd=$2
	shift 2
	capture closing "$fd" native "$@"
	local n_rc=$RC n_out=$OUT n_err=$ERR
	E2E_TIMEOUT=2 capture closing "$fd" bbrun -- "$@"
	expect_eq "$desc (exit status)" "$n_rc" "$RC"
	expect_eq "$desc (stdout)" "$n_out" "$OUT"
	expect_eq "$desc (stderr)" "$n_err" "$ERR"
}
same_as_native "closed stdin: cat fails as natively" 0 /bin/cat
same_as_native "closed stdin: fd 0 is neither readable nor writable" 0 \
	/bin/sh -c 'echo x >&0 2>/dev/null; echo "write=$?"; cat 2>/dev/null; echo "read=$?"'
same_as_native "closed stdout: echo fails as natively" 1 /bin/echo hi
same_as_native "closed stdout: fd 1 is not open" 1 \
	/bin/sh -c 'echo x 2>/dev/null; echo "write=$?" >&2'
same_as_native "closed stderr: writing to it fails as natively" 2 \
	/bin/sh -c 'echo x >&2; echo "rc=$?"'

# Only fds 0-2 are passed on (as by docker run): the caller's fd 3 is not
# open in the guest.
capture native /bin/sh -c 'echo hi >&3; echo "rc=$?"' 3>&-
n_out=$OUT n_err=$ERR
capture bbrun -- /bin/sh -c 'echo hi >&3; echo "rc=$?"' 3>"$T/fd3"
expect_eq "the caller's fd 3 is not open in the guest" "$n_out|$n_err" "$OUT|$ERR"
expect_eq "  ...and nothing was written to it" "" "$(cat "$T/fd3")"
# --preserve-fds N: the caller's fds 3..3+N-1 are the guest's as well.
# (`; exit 0`: ls is not exec'd in place of the shell, whose fds it lists)
echo "from fd 3" >"$T/pfd.in"
expect_run "--preserve-fds 2: the guest reads fd 3, writes fd 4, and has no fd 5" 0 \
	$'from fd 3\n0\n1\n2\n3\n4' \
	bbrun --preserve-fds 2 -- /bin/sh -c 'cat <&3; echo "to fd 4" >&4; ls /proc/$$/fd; exit 0' \
	3<"$T/pfd.in" 4>"$T/pfd.out" 5<"$T/pfd.in"
expect_eq "  ...what it wrote to fd 4 reached the caller's" "to fd 4" "$(cat "$T/pfd.out")"
expect_exit 2 "--preserve-fds 1 with the caller's fd 3 closed is a usage error" \
	bbrun --preserve-fds 1 -- /bin/true 3>&-
