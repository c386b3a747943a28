#!/bin/bash
# Faults from outside (issue 7): the sandbox's helper processes or the
# sentry itself killed or stopped from the host while a guest works.
#
# 1. The gofer killed (SIGKILL) while the guest stats a file on a bind mount
#    in a loop: the guest's next stat and open fail with EIO, a file it had
#    open and its mapping still read (the sentry holds their host fds), the
#    sentry prints one "gofer died" line, and the run ends by itself with
#    status 125 (the sandbox failed); nothing of it is left.
# 2. SIGKILL of the sentry (the sandbox's pid 1) and of the outer `sentry
#    run`, while the guest has 4 processes of 4 threads, open files on tmpfs
#    and on a bind mount, a published port, and (one case) a terminal: no
#    process, mount, listening port or file in /tmp, /run or /dev/shm is
#    left.  These runs are in a private mount namespace with their own empty
#    /tmp, /run and /dev/shm, so that other programs on the host cannot make
#    a file appear there while we look.
# 3. SIGSTOP and SIGCONT of the sentry, of the outer process, and of the
#    sandbox's whole process group (sentry, gofer, proxy, stubs), a few
#    seconds each, while 9 guest threads in 3 processes make syscalls: the
#    guest finishes with the right output and status, on systrap and ptrace.
#
# The network helpers killed (egress proxy, port forwarder) are in
# t_faults_net.sh.  No check here is about timing: bounds are generous.
. "$(dirname -- "$0")/lib.sh"
T=$E2E_TMP

# A private copy of the binary: our processes are those that run it.
S=$T/sentry-faults-$$
cp "$SENTRY" "$S"
PROG=$(build_static faultprog <"$E2E_DIR/progs/faultprog.c") || exit 1
mkdir -p "$T/data"
printf hi >"$T/data/f"

# procs [NS]: live pids running our binary (helpers included: they are forks
# of it), or in the pid namespace NS.
procs()
{
	local ns=${1:-} d exe pid st
	for d in /proc/[0-9]*; do
		pid=${d#/proc/}
		exe=$(readlink "$d/exe" 2>/dev/null) || exe=
		if [ "$exe" = "$S" ] || [ "$exe" = "$S (deleted)" ] ||
			{ [ -n "$ns" ] && [ "$(readlink "$d/ns/pid" 2>/dev/null)" = "$ns" ]; }; then
			st=$(cut -d' ' -f3 "$d/stat" 2>/dev/null) || continue
			[ "$st" = Z ] || echo "$pid"
		fi
	done
}

# child_of PID [COMM]: the children of PID (named COMM).
child_of()
{
	local d
	for d in /proc/[0-9]*; do
		[ "$(cut -d' ' -f4 "$d/stat" 2>/dev/null)" = "$1" ] || continue
		[ -z "${2:-}" ] || [ "$(cat "$d/comm" 2>/dev/null)" = "$2" ] || continue
		echo "${d#/proc/}"
	done
}

# wait_gone DESC [NS]: within 10 s no process of ours (or in NS) remains.
wait_gone()
{
	local left i
	for ((i = 0; i < 100; i++)); do
		left=$(procs "${2:-}")
		[ -z "$left" ] && break
		sleep 0.1
	done
	if [ -z "$left" ]; then
		pass "$1"
	else
		# shellcheck disable=SC2086
		fail "$1" "still running:" "$(ps -o pid,ppid,stat,comm,args -p "$(echo $left | tr ' ' ,)")"
		e2e_cleanup_hook
	fi
}

# wait_exit PID: up to 20 s for PID (a child of ours) to end; sets RC
# ("running" if it did not).
wait_exit()
{
	local i
	{
		for ((i = 0; i < 200; i++)); do
			kill -0 "$1" || break
			sleep 0.1
		done
		if kill -0 "$1"; then
			RC=running
		else
			wait "$1"
			RC=$?
		fi
	} 2>/dev/null
}

e2e_cleanup_hook()
{
	local p
	for p in $(procs); do
		kill -9 "$p" 2>/dev/null
	done
}

expect_eq "no process of our binary before the test (sanity)" "" "$(procs)"

# --- 1. the gofer killed ----------------------------------------------------------------
"$S" run --rootfs "$E2E_ROOTFS" -v "$T/data:/data" -v "$(dirname "$PROG"):/t:ro" -- \
	/t/faultprog gofer >"$T/out" 2>"$T/err" &
outer=$!
if wait_file "$T/out" ready; then
	inner=$(child_of "$outer")
	gofer=$(child_of "$inner" gofer)
	expect_ne "the gofer is found: a child of the sentry named gofer (sanity)" "" "$gofer"
	ns=$(readlink "/proc/$inner/ns/pid")
	kill -9 "$gofer"
	wait_exit "$outer"
	expect_eq "gofer killed: the run ends by itself, status 125 (the sandbox failed)" 125 "$RC"
	expect_eq "gofer killed: what the guest saw" "ready
stat: EIO
open: EIO
read of the open file: hi
its mapping: hi" "$(cat "$T/out")"
	expect_eq "gofer killed: one line on stderr says so" \
		"sentry: gofer died (killed by signal 9): file operations fail with EIO; ending the sandbox" \
		"$(cat "$T/err")"
	wait_gone "gofer killed: nothing of the run is left" "$ns"
else
	fail "gofer: the guest did not start" "stdout: $(cat "$T/out")" "stderr: $(cat "$T/err")"
	e2e_cleanup_hook
fi

# --- 2. SIGKILL of the sentry and of sentry run -----------------------------------------

# The runs below happen in a mount namespace of their own with empty /tmp,
# /run and /dev/shm (the test's files bound back where they were), so that
# what is there afterwards can only be the run's.  isolated.sh runs one
# command there in the background, waits for it and for every process of
# our binary to end, then lists those directories and the mount table.
cat >"$T/isolated.sh" <<'EOF'
#!/bin/bash
# isolated.sh OUTDIR BIN TMP CMD...: OUTDIR/pid gets CMD's pid; OUTDIR/before
# and OUTDIR/after the listings, OUTDIR/rc its exit status; TMP (the test's
# directory) and the rootfs and sentry are bound back where they were.
out=$1 bin=$2 E2E_TMP=$3
shift 3
keep=()
for p in "$E2E_TMP" "$E2E_ROOTFS" "$(dirname -- "$SENTRY")"; do
	case $p in /tmp/* | /run/* | /dev/shm/*) keep+=("$p") ;; esac
done
fds=()
for p in "${keep[@]}"; do
	exec {fd}<"$p" || exit 1
	fds+=("$fd")
done
mount --make-rprivate / || exit 1
for d in /tmp /run /dev/shm; do
	mount -t tmpfs -o mode=1777 faults-$d "$d" || exit 1
done
for i in "${!keep[@]}"; do
	mkdir -p "${keep[$i]}" && mount -c --bind "/proc/self/fd/${fds[$i]}" "${keep[$i]}" || exit 1
	exec {fds[$i]}<&-
done
listing()
{
	find /tmp /run /dev/shm -xdev 2>/dev/null | sort
	sed 's/^[0-9]* [0-9]* //' /proc/self/mountinfo | sort
}
listing >"$out/before"
"$@" &
echo $! >"$out/pid"
wait $!
echo $? >"$out/rc"
for ((i = 0; i < 100; i++)); do
	left=
	for d in /proc/[0-9]*; do
		[ "$(readlink "$d/exe" 2>/dev/null)" = "$bin" ] && left=1 && break
	done
	[ -z "$left" ] && break
	sleep 0.1
done
listing >"$out/after"
EOF

read -r PORT < <(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

# kill_case DESC WHICH TTY: runs the hold workload (4x4 threads, open files,
# port PORT published) in isolation, SIGKILLs WHICH (inner or outer) once it
# is ready, and checks that nothing is left.  TTY=1: with -t, through script(1).
kill_case()
{
	local desc=$1 which=$2 tty=$3 o=$T/iso-$1
	mkdir -p "$o"
	local cmd=("$S" run --rootfs "$E2E_ROOTFS" -p "127.0.0.1:$PORT:8080" -v "$T/data:/data"
		-v "$(dirname "$PROG"):/t:ro" -- /t/faultprog hold)
	if [ "$tty" = 1 ]; then
		cmd=(script -qfec "$(printf '%q ' "${cmd[@]:0:2}" -t "${cmd[@]:2}")" /dev/null)
	fi
	unshare -m /bin/bash "$T/isolated.sh" "$o" "$S" "$T" "${cmd[@]}" \
		</dev/null >"$o/out" 2>"$o/err" &
	local iso=$!
	if ! wait_file "$o/out" ready; then
		fail "$desc: the guest did not start" "stdout: $(cat "$o/out")" "stderr: $(cat "$o/err")"
		e2e_cleanup_hook
		wait "$iso"
		return
	fi
	local outer inner ns n
	outer=$(procs | while read -r p; do
		[ "$(readlink "/proc/$(cut -d' ' -f4 "/proc/$p/stat")/exe")" != "$S" ] && echo "$p"
	done | head -1)
	inner=$(child_of "$outer")
	ns=$(readlink "/proc/$inner/ns/pid")
	n=$(procs "$ns" | wc -l)
	# sentry, gofer, proxy, forwarder, stubs of 16 threads at least.
	expect_eq "$desc: the run's processes are found (sanity: >= 20)" 1 "$((n >= 20))"
	if ss -Hltn "sport = :$PORT" | grep -q .; then
		pass "$desc: port $PORT listens on the host (sanity)"
	else
		fail "$desc: port $PORT listens on the host (sanity)"
	fi
	if [ "$which" = inner ]; then
		kill -9 "$inner"
	else
		kill -9 "$outer"
	fi
	wait_gone "$desc: no process of the run is left" "$ns"
	wait "$iso"
	if [ -s "$o/after" ]; then
		expect_eq "$desc: no file left in /tmp, /run, /dev/shm, no mount left" \
			"$(cat "$o/before")" "$(cat "$o/after")"
	else
		fail "$desc: the isolated run completed" "stderr: $(cat "$o/err")"
	fi
	expect_eq "$desc: port $PORT no longer listens" "" "$(ss -Hltn "sport = :$PORT")"
}
kill_case "SIGKILL of the sentry" inner 0
kill_case "SIGKILL of sentry run" outer 0
kill_case "SIGKILL of sentry run -t (in script)" outer 1
kill_case "SIGKILL of the sentry of sentry run -t (in script)" inner 1
rm -f "$T/data"/held-*

# --- 3. SIGSTOP and SIGCONT ---------------------------------------------------------------

stop_case()
{
	local platform=$1
	rm -f "$T/data/done" "$T/out"
	"$S" run --platform="$platform" --rootfs "$E2E_ROOTFS" -v "$T/data:/data" \
		-v "$(dirname "$PROG"):/t:ro" -- /t/faultprog busy >"$T/out" 2>"$T/err" &
	local outer=$!
	if ! wait_file "$T/out" started; then
		fail "$platform: SIGSTOP/SIGCONT: the guest did not start" "stderr: $(cat "$T/err")"
		e2e_cleanup_hook
		return
	fi
	local inner
	inner=$(child_of "$outer")
	# The sentry, then the outer process, then the sandbox's whole
	# process group (the sentry leads its own session).
	kill -STOP "$inner"
	sleep 2
	kill -CONT "$inner"
	sleep 0.5
	kill -STOP "$outer"
	sleep 1
	kill -CONT "$outer"
	sleep 0.5
	kill -STOP -- "-$inner"
	sleep 2
	kill -CONT -- "-$inner"
	sleep 0.5
	touch "$T/data/done"
	wait_exit "$outer"
	expect_eq "$platform: stopped and continued 3 times, the guest finishes: its status and output" \
		"7 started
workers 9 ok" "$RC $(cat "$T/out")"
	expect_eq "$platform: ...and the sentry said nothing" "" "$(cat "$T/err")"
}
stop_case systrap
stop_case ptrace
wait_gone "after the SIGSTOP tests nothing is left"
