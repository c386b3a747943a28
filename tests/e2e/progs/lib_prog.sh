# shellcheck shell=bash
# Helpers for the tests that run real programs natively and in the sentry
# (tests/e2e/t_prog_*.sh): source it after lib.sh.
#
# Every program runs twice, with the same clean environment: natively, then
# as `sentry run --report-unimplemented -- ...` with the host's / as the
# rootfs.  Its stdout and stderr are merged (as one file, so their order is
# kept), normalised by a filter the test names, and compared; the exit
# statuses must agree too.  The sentry's own "unimplemented syscall" lines are
# collected per test into a part file that t_prog_zz_unimplemented.sh
# aggregates.
#
#   E2E_PROG_TIMEOUT    seconds one run of one program may take (default 15)
#   E2E_PROG_BUDGET     seconds all the runs of one test may take (default 50,
#                       under run.sh's 60 s limit for a whole test): once it is
#                       spent, the remaining runs fail at once
#   E2E_UNIMPL_REPORT   the aggregated report (default: e2e-unimplemented.txt
#                       beside the sentry binary, i.e. build/ for make e2e);
#                       the per-test parts go to its .d/ directory

# shellcheck disable=SC2034 # used by the tests that source this
PROG_DIR=$E2E_DIR/progs
PROG_TIMEOUT=${E2E_PROG_TIMEOUT:-15}
PROG_BUDGET=${E2E_PROG_BUDGET:-50}
PROG_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
# The same environment natively and in the sandbox: nothing of the caller's
# (locale, TMPDIR, pyenv shims, git config) leaks into either.
PROG_ENV=(env -i "PATH=$PROG_PATH" HOME=/root USER=root LOGNAME=root LC_ALL=C LANG=C
	TZ=UTC TERM=dumb SHELL=/bin/bash)
UNIMPL_REPORT=${E2E_UNIMPL_REPORT:-$(dirname -- "$SENTRY")/e2e-unimplemented.txt}
UNIMPL_DIR=${UNIMPL_REPORT%.txt}.d
UNIMPL_PART=$UNIMPL_DIR/$TEST_NAME.txt
mkdir -p -- "$UNIMPL_DIR"
: >"$UNIMPL_PART"

# norm_tmp: the programs' scratch directories are /tmp/prog-XXXXXXXX
# (mktemp); their random part is all that differs.
norm_tmp()
{
	sed -E 's#/tmp/prog-[A-Za-z0-9]{8}#/tmp/prog-XXXXXXXX#g'
}

# prog_run NAME NORM WANT_RC CMD...: run CMD natively and in the sentry (both
# with stdout and stderr merged, through the filter NORM, e.g. norm_tmp or
# cat); check that the native run exits WANT_RC, that the sandboxed run gives
# the same exit status and output, and that the sentry says nothing of its
# own.  Sets NAT_OUT, SB_OUT (normalised), NAT_RC, SB_RC, SB_UNIMPL (the
# sentry's unimplemented-syscall lines) and SB_ERR (its other stderr lines).
prog_run()
{
	local name=$1 norm=$2 want_rc=$3
	shift 3
	local o=$E2E_TMP/.prog
	# Half of what is left of the budget for each of the two runs, at most.
	local limit=$(((PROG_BUDGET - SECONDS) / 2))
	[ "$limit" -gt "$PROG_TIMEOUT" ] && limit=$PROG_TIMEOUT
	if [ "$limit" -lt 1 ]; then
		fail "$name: not run: the test's ${PROG_BUDGET}s are spent (a program hung?)"
		NAT_RC=- SB_RC=- NAT_OUT='' SB_OUT='' SB_UNIMPL='' SB_ERR=''
		return 1
	fi
	# `sh -c 'exec 2>&1; exec "$@"'` merges the streams inside, so the sentry's
	# own stderr stays apart; sh execs CMD, which keeps CMD's pid.
	local wrap=("${PROG_ENV[@]}" /bin/sh -c 'exec 2>&1; exec "$@"' sh "$@")

	# From /, where the sandbox starts too.
	(cd / && timeout -k 2 "$limit" "${wrap[@]}" </dev/null >"$o.nat" 2>&1)
	NAT_RC=$?
	# The programs' scripts and data are in the source tree, which may be
	# under the host's /tmp (a CI clone): the sandbox has its own /tmp, so
	# the tree is mounted read-only where it is.
	timeout -k 2 "$limit" "$SENTRY" run --report-unimplemented -v "$REPO_ROOT:$REPO_ROOT:ro" \
		-- "${wrap[@]}" </dev/null >"$o.sb" 2>"$o.sberr"
	SB_RC=$?
	NAT_OUT=$("$norm" <"$o.nat")
	SB_OUT=$("$norm" <"$o.sb")
	SB_UNIMPL=$(grep -E '^sentry: unimplemented syscall' "$o.sberr")
	SB_ERR=$(grep -Ev '^sentry: unimplemented syscall' "$o.sberr")
	if [ -n "$SB_UNIMPL" ]; then
		printf '%s\n' "$SB_UNIMPL" | sed "s#^sentry: #$TEST_NAME [$name]: #" >>"$UNIMPL_PART"
	fi

	local killed=
	if [ "$SB_RC" -eq 124 ] || [ "$SB_RC" -eq 137 ]; then
		killed=" (killed after ${limit}s)"
	fi
	if [ "$NAT_RC" -ne "$want_rc" ]; then
		fail "$name: natively: exit status $want_rc expected, got $NAT_RC" \
			"command: $(printf '%q ' "$@")" "output: $(show "$NAT_OUT")"
	else
		pass "$name: natively"
	fi
	expect_eq "$name: the sandbox's output and exit status$killed are the native ones" \
		"exit $NAT_RC
$NAT_OUT" "exit $SB_RC
$SB_OUT"
	if [ -n "$SB_UNIMPL" ]; then
		echo "  note: $name: $(printf '%s' "$SB_UNIMPL" | tr '\n' ';' | sed 's/sentry: //g')"
	fi
	expect_eq "$name: the sentry prints nothing of its own on stderr" "" "$SB_ERR"
}

# native_has NAME ERE: the native output of the last prog_run has a line
# matching ERE (so that a comparison of two broken runs cannot pass).
native_has()
{
	expect_match "$1: natively: $2" "$2" "$NAT_OUT"
}
