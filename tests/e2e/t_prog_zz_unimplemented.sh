#!/bin/bash
# Real programs, end to end: the syscalls they called that the sentry does not
# implement.  Every t_prog_* test runs its programs with
# --report-unimplemented and keeps the sentry's lines in a part file; this
# test (run last: run.sh takes the tests in name order) aggregates them into
# one report, e2e-unimplemented.txt beside the sentry binary (build/ for
# `make e2e`; E2E_UNIMPL_REPORT overrides), prints it, and fails if it is not
# empty: these programs must run on implemented syscalls only.
#
# A part that is missing or older than the sentry binary or than its test
# (the test was not run since) is made afresh by running that test here.
. "$(dirname -- "$0")/lib.sh"
. "$E2E_DIR/progs/lib_prog.sh"

tests=()
for t in "$E2E_DIR"/t_prog_*.sh; do
	t=$(basename -- "$t" .sh)
	[ "$t" = "$TEST_NAME" ] || tests+=("$t")
done
if [ ${#tests[@]} -eq 0 ]; then
	fail "no t_prog_* test found"
	exit 1
fi

for t in "${tests[@]}"; do
	part=$UNIMPL_DIR/$t.txt
	if [ ! -f "$part" ] || [ "$part" -ot "$SENTRY" ] || [ "$part" -ot "$E2E_DIR/$t.sh" ]; then
		echo "  note: no fresh report from $t: running it"
		bash "$E2E_DIR/$t.sh" </dev/null >/dev/null 2>&1
		if [ ! -f "$part" ]; then
			fail "$t left no report in $part"
		fi
	fi
done

# The report: first each syscall with its total count and the programs that
# called it, then every line as the tests recorded it.
lines=$(for t in "${tests[@]}"; do cat -- "$UNIMPL_DIR/$t.txt" 2>/dev/null; done | grep -v '^$')
if [ -n "$lines" ]; then
	{
		echo "Unimplemented syscalls called by the programs of the t_prog_* tests:"
		printf '%s\n' "$lines" | sed -E 's/^([^ ]+) \[([^]]*)\]: unimplemented syscall ([^ ]+) called ([0-9]+) times?$/\3 \4 \2/' |
			awk '{ n[$1] += $2; prog = $3; if (!(($1, prog) in seen)) { seen[$1, prog] = 1; who[$1] = who[$1] (who[$1] ? ", " : "") prog } }
				END { for (s in n) printf "  %-20s %6d calls, by: %s\n", s, n[s], who[s] }' | LC_ALL=C sort
		echo
		echo "Each run (test [program section]: sentry report line):"
		printf '%s\n' "$lines" | sed 's/^/  /'
	} >"$UNIMPL_REPORT"
else
	: >"$UNIMPL_REPORT"
fi

if [ -s "$UNIMPL_REPORT" ]; then
	fail "the programs called syscalls the sentry does not implement (report: $UNIMPL_REPORT)" \
		"$(cat "$UNIMPL_REPORT")"
else
	pass "no unimplemented syscall in any program (report: $UNIMPL_REPORT, empty)"
fi
