#!/bin/bash
# Usage errors: one line on stderr, nothing on stdout, exit status 2.
# A command that cannot be run: 127 (not found) or 126 (not executable), with
# a message on stderr naming it.
. "$(dirname -- "$0")/lib.sh"

# usage_error DESC ARGS...: `sentry ARGS...` is a usage error.
usage_error()
{
	local desc=$1
	shift
	capture sentry "$@"
	local lines
	lines=$(printf '%s' "$ERR" | grep -c '')
	if [ "$RC" -eq 2 ] && [ "$lines" -eq 1 ] && [ -z "$OUT" ]; then
		pass "$desc"
	else
		fail "$desc" "command: $LAST_CMD" \
			"expected: exit 2, one line on stderr, empty stdout" \
			"actual:   exit $RC, $lines lines on stderr, stdout $(show "$OUT")" \
			"stderr: $(show "$ERR")"
	fi
}

missing=$E2E_TMP/does-not-exist
usage_error "unknown long option" run --no-such-flag -- /bin/true
usage_error "unknown short option" run -Q -- /bin/true
usage_error "option missing its argument" run --rootfs
usage_error "missing rootfs" run --rootfs "$missing" -- /bin/true
usage_error "rootfs that is a file" run --rootfs /etc/passwd -- /bin/true
usage_error "missing command" run
usage_error "missing command after --" run --
usage_error "missing command after options" run --rootfs "$E2E_ROOTFS" --
usage_error "volume source that does not exist" run -v "$missing:/mnt" -- /bin/true
usage_error "volume source that does not exist (--volume)" run --volume "$missing:/mnt:ro" -- /bin/true
usage_error "volume without a guest path" run -v /etc -- /bin/true
usage_error "-e without =" run -e NOVALUE -- /bin/true
usage_error "relative working directory" run -w relative/dir -- /bin/true
usage_error "no subcommand" 
usage_error "unknown subcommand" frobnicate
# The message says what was wrong.
capture sentry run --rootfs "$missing" -- /bin/true
expect_match "the missing-rootfs message names the path" "$missing" "$ERR"
capture sentry run --no-such-flag -- /bin/true
expect_match "the bad-flag message names the flag" "no-such-flag" "$ERR"
capture sentry run -v "$missing:/mnt" -- /bin/true
expect_match "the bad-volume message names the path" "$missing" "$ERR"

# --help and --version are not errors.
capture sentry run --help
expect_eq "run --help exits 0" 0 "$RC"
expect_match "run --help prints the usage" "^Usage: sentry run" "$OUT"
capture sentry --help
expect_eq "--help exits 0" 0 "$RC"
expect_match "--help prints the usage on stdout" "^Usage: sentry run" "$OUT"
capture sentry --version
expect_eq "--version exits 0" 0 "$RC"
expect_match "--version prints a version" "^sentry [0-9]" "$OUT"

# Commands that cannot be run.
expect_exit 127 "absolute path that does not exist: 127" srun -- /no/such/program
expect_match "  ...with a message naming it" "/no/such/program" "$ERR"
expect_exit 127 "command not in PATH: 127" srun -- no-such-command-e2e
expect_match "  ...with a message naming it" "no-such-command-e2e" "$ERR"
expect_exit 127 "command not found in the busybox rootfs: 127" \
	bbrun -- /usr/bin/python3
expect_exit 126 "a file without execute permission: 126" srun -- /etc/passwd
expect_match "  ...with a message naming it" "/etc/passwd" "$ERR"
expect_exit 126 "a directory: 126" srun -- /etc
bb=$E2E_TMP/bb
copy_rootfs "$bb"
printf 'not an executable\n' >"$bb/bin/junk"
chmod 755 "$bb/bin/junk"
# An executable file that is neither ELF nor #!: execve fails with ENOEXEC,
# which a runtime reports as 126 (cannot execute), like a shell does.
expect_exit 126 "an executable file that is not a program: 126" \
	srun --rootfs "$bb" -- /bin/junk
expect_exit 127 "PATH search honours the guest's PATH: not found there" \
	srun -e PATH=/nowhere -- ls
expect_run "PATH search finds busybox applets" 0 "hello" \
	bbrun -e PATH=/usr/bin:/bin -- echo hello
