#!/bin/bash
# Starting programs: #! scripts, argv, and the rules execve has (compared
# with the same thing run natively with chroot into a copy of the rootfs).
. "$(dirname -- "$0")/lib.sh"
R=$E2E_TMP/rootfs
copy_rootfs "$R"

printf '#!/bin/sh\necho "script $0 [$1] [$2]"\n' >"$R/script.sh"
printf '#!/bin/busybox echo\n' >"$R/interp-arg"
printf '#!/nonexistent/interpreter\n' >"$R/bad-interp"
printf 'echo no shebang\n' >"$R/no-shebang"
chmod 755 "$R/script.sh" "$R/interp-arg" "$R/bad-interp" "$R/no-shebang"

# same DESC CMD...: the sandbox and chroot agree on exit status and output.
same()
{
	local desc=$1
	shift
	capture chroot "$R" "$@"
	local n="$RC|$OUT"
	capture srun --rootfs "$R" -- "$@"
	expect_eq "$desc" "$n" "$RC|$OUT"
}

expect_run "a #! script as the command" 0 "script /script.sh [a b] [c]" \
	srun --rootfs "$R" -- /script.sh "a b" c
expect_run "#! with an argument to the interpreter" 0 "/interp-arg x" \
	srun --rootfs "$R" -- /interp-arg x
expect_exit 127 "a #! script whose interpreter is missing: 127" \
	srun --rootfs "$R" -- /bad-interp
same "a #! script run from the shell" /bin/sh -c '/script.sh 1 2'
# execve fails with ENOEXEC; busybox sh then runs the file itself, through
# /proc/self/exe (so not comparable with a chroot that has no /proc).
expect_run "a script without #! run from the shell (the shell runs it)" 0 $'no shebang\n0' \
	srun --rootfs "$R" -- /bin/sh -c '/no-shebang; echo $?'
expect_exit 126 "a script without #! as the command: ENOEXEC, 126" \
	srun --rootfs "$R" -- /no-shebang
same "a missing interpreter, from the shell" /bin/sh -c '/bad-interp 2>/dev/null; echo $?'
expect_run "argv reaches the program as given, \$0 included" 0 "zero [one two] []" \
	bbrun -- /bin/sh -c 'echo "$0 [$1] [$2]"' zero "one two" ""
expect_run "exec replaces the shell (still pid 1)" 0 "1" \
	bbrun -- /bin/sh -c 'exec /bin/sh -c "echo \$\$"'
# Writing to a program while it runs fails with ETXTBSY, on this kernel as
# natively (chroot): for a program of the rootfs (the sandbox's copy-on-write
# does not change that) and for one in /tmp.
same "writing to the running /bin/busybox fails (Text file busy)" \
	/bin/sh -c 'echo x > /bin/busybox; echo $?'
capture chroot "$R" /bin/sh -c 'echo x > /bin/busybox'
n_err=$ERR
capture srun --rootfs "$R" -- /bin/sh -c 'echo x > /bin/busybox'
expect_eq "  ...with the same message" "$n_err" "$ERR"
same "writing to a running program in /tmp fails (Text file busy)" \
	/bin/sh -c 'cp /bin/busybox /tmp/bb && /tmp/bb sh -c "echo x > /tmp/bb; echo \$?"; rm -f /tmp/bb'
