#!/bin/bash
# Faults from outside (issue 7): SIGKILL of the sentry (the sandbox's pid 1)
# and of the outer `sentry run`, while the guest has 4 processes of 4
# threads, open files on tmpfs and on a bind mount, a published port, and
# (two cases) a terminal (-t, through script(1)): no process, mount,
# listening port or file in /tmp, /run or /dev/shm is left.  These runs are
# in a private mount namespace with their own empty /tmp, /run and /dev/shm,
# so that other programs on the host cannot make a file appear there while
# we look.  (t_faults.sh: the gofer killed, SIGSTOP; t_faults_net.sh: the
# network helpers killed.)
. "$(dirname -- "$0")/lib.sh"
. "$E2E_DIR/faults_lib.sh"


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
	find /tmp /run /dev/shm -xdev 2>/dev/null | sort >"$out/$1"
	sed 's/^[0-9]* [0-9]* //' /proc/self/mountinfo | sort >"$out/$1.mounts"
}
listing before
"$@" &
echo $! >"$out/pid"
wait $!
echo $? >"$out/rc"
for ((i = 0; i < 100; i++)); do
	# shellcheck disable=SC2010
	ls -l /proc/[0-9]*/exe 2>/dev/null | grep -qF -- "-> $bin" || break
	sleep 0.1
done
listing after
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
		expect_eq "$desc: no file left in /tmp, /run, /dev/shm" \
			"$(cat "$o/before")" "$(cat "$o/after")"
		# (only new ones: the host's own may go meanwhile, e.g. a
		# network namespace's mount point removed by another test)
		expect_eq "$desc: no mount left" "" \
			"$(comm -13 "$o/before.mounts" "$o/after.mounts")"
	else
		fail "$desc: the isolated run completed" "stderr: $(cat "$o/err")"
	fi
	expect_eq "$desc: port $PORT no longer listens" "" "$(ss -Hltn "sport = :$PORT")"
}
kill_case "SIGKILL of the sentry" inner 0
kill_case "SIGKILL of sentry run" outer 0
kill_case "SIGKILL of sentry run -t (in script)" outer 1
kill_case "SIGKILL of the sentry of sentry run -t (in script)" inner 1
