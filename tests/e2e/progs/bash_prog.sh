#!/bin/bash
# shellcheck disable=SC2116,SC2145,SC2207,SC2034 # the constructs are the point
# A bash program exercising the shell's own machinery; run as
# `bash bash_prog.sh SECTION` by t_prog_bash.sh, natively and in the sentry.
# Its output must not depend on pids, times or where it runs: scratch files go
# to a mktemp directory /tmp/prog-XXXXXXXX, and nothing prints its name but
# error messages, which the test normalises.
T=$(mktemp -d /tmp/prog-XXXXXXXX) || exit 1
trap 'rm -rf "$T"' EXIT
cd / || exit 1

section_functions()
{
	fact() { if (($1 <= 1)); then echo 1; else echo $(($1 * $(fact $(($1 - 1))))); fi; }
	echo "fact 10 = $(fact 10)"
	greet() { local who=${1:-world}; printf 'hello, %s (%d args)\n' "$who" $#; return 3; }
	greet; echo "rc=$?"
	greet a b c
	counter=0
	bump() { counter=$((counter + 1)); }
	bump; bump; bump
	echo "counter=$counter"
	declare -f bump | head -1
	# Dynamic scoping: local is seen by callees.
	outer() { local v=outer; inner; }
	inner() { echo "inner sees v=$v"; }
	v=global; outer; echo "after: v=$v"
}

section_pipelines()
{
	printf '%s\n' pear apple fig apple pear apple | sort | uniq -c | sort -rn | sed 's/^ *//'
	seq 1 100 | awk '{s += $1} END {print "sum", s}'
	false | true; echo "status=$? pipestatus=${PIPESTATUS[*]}"
	(exit 3) | (exit 4) | true; echo "pipestatus=${PIPESTATUS[*]}"
	set -o pipefail
	true | (exit 5) | true; echo "pipefail status=$?"
	set +o pipefail
	# A long pipeline, and a pipe that the reader closes early.
	seq 1 5000 | cat | cat | cat | tr 0-9 a-j | tail -1
	yes hello | head -3
	echo "yes|head status=${PIPESTATUS[*]}"
	# Command substitution, nested, with trailing newlines removed.
	x=$(echo "outer $(echo "inner $(echo deepest)")")
	echo "$x"
	y=$(printf 'a\n\n\n'); echo "[$y]"
	lines=$(seq 3 | wc -l); echo "lines=$lines"
	# Process substitution (through /dev/fd).
	diff <(printf '1\n2\n3\n') <(printf '1\n3\n') && echo same || echo "diff rc=$?"
	while read -r n; do echo "got $n"; done < <(seq 2)
}

section_heredocs()
{
	name=World
	cat <<EOF
Hello, $name!
sum: $((2 + 3)), cmd: $(echo subst)
EOF
	cat <<'EOF'
literal $name $(not run)
EOF
	cat <<-EOF
		tabs stripped for $name
	EOF
	tr a-z A-Z <<<"here string"
	read -r a b <<<"first second third"; echo "a=$a b=$b"
	# A here-document bigger than a pipe buffer (bash uses a temp file).
	big=$(printf '%070000d' 0)
	wc -c <<EOF
$big
EOF
	cat >"$T/heredoc.out" <<EOF
to a file
EOF
	cat "$T/heredoc.out"
}

section_jobs()
{
	(sleep 0.2; echo "slow job") >"$T/slow" &
	slow=$!
	(echo "fast job") >"$T/fast" &
	fast=$!
	(exit 7) &
	failing=$!
	wait $fast; echo "fast rc=$?"
	wait $failing; echo "failing rc=$?"
	wait $slow; echo "slow rc=$?"
	cat "$T/fast" "$T/slow"
	for i in 1 2 3 4; do (sleep 0.0$i; echo "worker $i" >"$T/w$i") & done
	wait
	cat "$T"/w*
	sleep 5 &
	sleeper=$!
	kill -TERM $sleeper
	wait $sleeper; echo "killed sleeper rc=$?"
	(sleep 0.1; exit 9) &
	wait -n; echo "wait -n rc=$?"
	# $! and $$ are not the same, and a background job's $BASHPID is its own.
	[ "$!" != "$$" ] && echo "\$! differs from \$\$"
}

section_traps()
{
	# EXIT trap in a subshell and in a child bash.
	(trap 'echo "subshell EXIT trap"' EXIT; echo "subshell body")
	bash -c 'trap "echo child EXIT trap, rc=\$?" EXIT; exit 4'; echo "child rc=$?"
	# SIGINT sent to this shell by a subshell: the handler runs.
	trap 'echo "caught INT"; got_int=1' INT
	got_int=0
	(kill -INT $$)
	echo "got_int=$got_int"
	# USR1 from a background job while waiting: wait returns 128+10.
	trap 'echo "caught USR1"' USR1
	(sleep 0.1; kill -USR1 $$) &
	wait $!
	rc=$?
	case $rc in 0 | 138) echo "wait ended by the job or by USR1" ;; *) echo "wait rc=$rc" ;; esac
	wait
	trap - INT USR1
	# ERR trap, also in functions with errtrace.
	bash -c '
		trap '\''echo "ERR: [$BASH_COMMAND] rc=$? line=$LINENO"'\'' ERR
		false
		(exit 3)
		true
		f() { return 2; }
		f
		set -E
		g() { ls /nonexistent-prog-dir >/dev/null 2>&1; echo "g goes on"; }
		g
		echo end'
	# A trapped TERM in a child, then the child exits from the handler.
	bash -c 'trap "echo child got TERM; exit 42" TERM; kill -TERM $$; echo not reached'
	echo "child rc=$?"
	# A signal that kills a child: 128+N, and bash says which (with the pid,
	# made PID here).
	{
		bash -c 'kill -KILL $$'; echo "killed child rc=$?"
		bash -c 'kill -SEGV $$'; echo "segv child rc=$?"
	} 2>&1 | sed -E 's/: line [0-9]+: +[0-9]+ /: line N: PID /'
	# Ignored signals stay ignored in children.
	(trap '' USR2; bash -c 'kill -USR2 $$; echo "survived ignored USR2"')
}

section_arith()
{
	echo $((7 * 6)) $((2 ** 10)) $((17 % 5)) $((-17 / 5)) $((16#ff)) $((8#17)) $((2#1011))
	echo $((1 << 40)) $((~0)) $((5 > 3 && 2 > 1)) $((0 ? 1 : 2))
	i=0; ((i++)); ((i += 10)); let 'j = i * 2'; echo "i=$i j=$j"
	((0)); echo "((0)) rc=$?"
	echo $((9223372036854775807 + 1))
	x=5; echo $((x *= 3, x - 1))
	bash -c 'echo $((1 / 0))' 2>&1 | sed 's/^bash: line [0-9]*: /bash: /'
	declare -i n=3+4; echo "n=$n"
	printf '%05.2f %x %o %e\n' 3.14159 255 8 12345.678
}

section_arrays()
{
	a=(zero one two "three four")
	echo "${#a[@]} ${a[3]} ${a[-1]} ${a[@]:1:2}"
	a+=(five); a[10]=ten
	echo "count=${#a[@]} keys=${!a[*]}"
	unset 'a[1]'; echo "after unset: ${!a[*]}"
	for e in "${a[@]}"; do printf '<%s>' "$e"; done; echo
	declare -A h=([apple]=red [banana]=yellow)
	h[cherry]=dark\ red
	for k in $(printf '%s\n' "${!h[@]}" | sort); do echo "$k=${h[$k]}"; done
	echo "has apple: ${h[apple]+yes} has kiwi: ${h[kiwi]-no}"
	mapfile -t lines < <(printf 'l1\nl2\nl3\n'); echo "mapfile: ${#lines[@]} ${lines[2]}"
	IFS=, read -r -a parts <<<"x,y,,z"; echo "parts=${#parts[@]} [${parts[2]}]"
	s="Hello, World"
	echo "${s,,} ${s^^} ${s/World/There} ${s//l/L} ${s#*, } ${s%,*} ${#s} ${s:7:3}"
	sorted=($(printf '%s\n' 5 3 9 1 | sort -n)); echo "sorted=${sorted[*]}"
}

section_read()
{
	printf 'root:0:/root\nalice:1000:/home/alice\nbob:1001:/home/bob\n' >"$T/users"
	while IFS=: read -r user uid home; do
		printf '%-6s %5d %s\n' "$user" "$uid" "$home"
	done <"$T/users"
	n=0; total=0
	while read -r _ uid _; do n=$((n + 1)); total=$((total + uid)); done < <(tr : ' ' <"$T/users")
	echo "n=$n total=$total"
	printf 'no newline at end' | { read -r l; echo "rc=$? l=[$l]"; }
	printf 'a b\n' | { read -r -n 1 c; echo "one char: [$c]"; }
	printf 'x\0y\0' | while IFS= read -r -d '' z; do echo "nul-terminated [$z]"; done
	read -r -t 1 w </dev/null; echo "read from /dev/null rc=$?"
	exec 3<"$T/users"; read -r -u 3 first; read -r -u 3 second; exec 3<&-
	echo "fd 3: $first / $second"
}

section_redirs()
{
	echo one >"$T/f"; echo two >>"$T/f"; echo three 1>>"$T/f"
	cat "$T/f"
	ls /nonexistent-prog-path 2>"$T/err"; echo "ls rc=$? err lines=$(wc -l <"$T/err")"
	{ echo out; echo err >&2; } >"$T/both" 2>&1; sort "$T/both" | tr '\n' ' '; echo
	{ echo out2; echo err2 >&2; } &>"$T/both2"; sort "$T/both2" | tr '\n' ' '; echo
	exec 4>"$T/fd4"; echo "via fd 4" >&4; exec 4>&-; cat "$T/fd4"
	exec 5<>"$T/rw"; echo "read-write" >&5; exec 5>&-; cat "$T/rw"
	set -o noclobber
	echo new >"$T/f" 2>/dev/null || echo "noclobber refused"
	echo forced >|"$T/f"; cat "$T/f"
	set +o noclobber
	echo data >"$T/d"; cat <"$T/d" >"$T/d2"; cmp "$T/d" "$T/d2" && echo "copied by redirection"
	: >"$T/empty"; [ -s "$T/empty" ] || echo "truncated to empty"
	echo hi >/dev/null; echo "to /dev/null ok"
	ls -l "$T" | awk 'NR > 1 {print $1, $5, $NF}' | sort -k3
	echo "x" >"$T/nodir/file" 2>/dev/null || echo "redirect into a missing dir fails"
}

section_subshells()
{
	v=parent
	(v=child; echo "in subshell v=$v"; exit 3); echo "rc=$? v=$v"
	(cd /usr && pwd); pwd
	out=$( (echo a; echo b) | wc -l ); echo "grouped lines=$out"
	{ v=group; }; echo "brace group changes v=$v"
	echo "x" | { read -r w; echo "pipe subshell w=$w"; }
	echo "after pipe w=${w:-unset}"
	shopt -s lastpipe 2>/dev/null; set +m
	echo "lp" | read -r w2; echo "lastpipe w2=${w2:-unset}"
	(ulimit -n 64; echo "soft nofile in subshell: $(ulimit -n)")
	[ "$(ulimit -n)" != 64 ] && echo "parent nofile unchanged"
	umask 027; (umask 077; : >"$T/sub-umask"); : >"$T/main-umask"
	stat -c '%n %a' "$T/sub-umask" "$T/main-umask" | sed "s#$T/##"
	export EXPORTED=yes; NOTEXP=no
	bash -c 'echo "child sees EXPORTED=${EXPORTED-unset} NOTEXP=${NOTEXP-unset}"'
	echo "\$\$ in subshell equals parent's: $( [ "$(echo $$)" = "$$" ] && echo yes)"
	[ "$(echo $BASHPID)" != "$BASHPID" ] && echo "BASHPID differs in a subshell"
}

section_set_e()
{
	bash -c 'set -e; echo before; false; echo not reached'; echo "rc=$?"
	bash -c 'set -e; if false; then :; fi; echo "if condition does not exit"'
	bash -c 'set -e; false || echo "|| rescues"; ! true; echo "! does not exit"'
	bash -c 'set -e; f() { false; echo "in f after false"; }; f || true; echo "after f || true"'
	bash -c 'set -e; (false; echo not reached); echo not reached either'; echo "subshell rc=$?"
	bash -c 'set -e; x=$(false); echo not reached'; echo "assignment rc=$?"
	bash -c 'set -e; false | true; echo "pipeline ok without pipefail"'
	bash -c 'set -eo pipefail; false | true; echo not reached'; echo "pipefail rc=$?"
	bash -c 'set -e; trap "echo EXIT trap runs rc=\$?" EXIT; (exit 6)'; echo "rc=$?"
	bash -c 'set -u; echo "$undefined_var"' 2>&1 | sed 's/^bash: line [0-9]*: /bash: /'
	bash -c 'set -eu; arr=(); echo "empty array ok: ${#arr[@]}"'
}

case ${1:-all} in
all) for s in functions pipelines heredocs jobs traps arith arrays read redirs subshells set_e; do
	echo "== $s"; "section_$s"; done ;;
*) "section_$1" ;;
esac
echo "== end of $1"
