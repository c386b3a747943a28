#!/bin/bash
# /proc in the guest shows the guest's own processes, as Linux's procfs shows
# them inside a pid namespace (expected values checked against
# `unshare -p -f --mount-proc chroot ROOTFS`).
. "$(dirname -- "$0")/lib.sh"
T=$E2E_TMP
R=$T/rootfs
copy_rootfs "$R"
echo INSIDE >"$R/marker"

# p DESC EXPECTED SCRIPT [SENTRY-OPTIONS...]: run SCRIPT with the busybox
# shell in the rootfs; check its stdout.
p()
{
	local desc=$1 want=$2 script=$3
	shift 3
	capture srun --rootfs "$R" "$@" -- /bin/sh -c "$script"
	if [ "$RC" -eq 0 ] && [ "$OUT" == "$want" ]; then
		pass "$desc"
	else
		fail "$desc" "script: $script" "expected: exit 0, stdout $(show "$want")" \
			"actual:   exit $RC, stdout $(show "$OUT")" "stderr: $(show "$ERR")"
	fi
}

p "/proc/self links to the reader's pid (pid 1)" 1 'readlink /proc/self'
p "/proc/self/stat read by pid 1 starts with 1" 1 \
	'read -r pid rest < /proc/self/stat; echo "$pid"'
p "/proc/self/stat of a child starts with the child's pid" same \
	'cat /proc/self/stat > /tmp/s & c=$!; wait $c; read -r pid rest < /tmp/s; [ "$pid" = "$c" ] && [ "$pid" != 1 ] && echo same'
p "/proc/self/stat fields: pid (comm) state ppid" "1 (sh) R 0" \
	'read -r pid comm state ppid rest < /proc/self/stat; echo "$pid $comm $state $ppid"'
p "/proc/self/status: Pid and PPid of pid 1" $'Pid:\t1\nPPid:\t0' \
	'grep -E "^(Pid|PPid):" /proc/self/status'
p "/proc/self/cmdline: NUL-separated argv" "cat /proc/self/cmdline " \
	'cat /proc/self/cmdline | tr "\000" " "'
p "/proc/self/exe: the running program" /bin/busybox 'readlink /proc/self/exe'
capture srun -- /usr/bin/readlink /proc/self/exe
expect_eq "/proc/self/exe of a host-root program" /usr/bin/readlink "$OUT"
p "/proc/self/fd: exactly the guest's open fds" $'0\n1\n2\n3' 'ls /proc/self/fd'
p "/proc/self/fd/1 is the guest's stdout" ok '[ -e /proc/self/fd/1 ] && echo ok'
p "/proc/self/cwd follows -w" /etc 'readlink /proc/self/cwd' -w /etc
p "/proc/self/environ holds the -e variables" 1 'grep -c E2E_FOO=bar /proc/self/environ' \
	-e E2E_FOO=bar
p "/proc/self/root is the sandbox's root" $'/\nINSIDE' \
	'readlink /proc/self/root; cat /proc/self/root/marker'
p "/proc/self/maps lists the program's mappings" yes \
	'grep -q " /bin/busybox$" /proc/self/maps && grep -q "\[stack\]" /proc/self/maps && echo yes'
p "/proc/1 is pid 1, the shell" "1 (sh)" 'read -r pid comm rest < /proc/1/stat; echo "$pid $comm"'
p "/proc lists the sandbox's processes (1, a child) and no host process" ok \
	'sleep 1 & ls /proc | grep "^[0-9]" > /tmp/l; grep -qx 1 /tmp/l && grep -qx $! /tmp/l && echo ok; awk "\$1 > 100 { print \"host pid?\", \$1 }" /tmp/l'
p "/proc/cpuinfo, /proc/meminfo, /proc/uptime" $'yes\n1\n2' \
	'grep -q "^processor" /proc/cpuinfo && echo yes; grep -c "^MemTotal:" /proc/meminfo; wc -w < /proc/uptime'
p "/proc/mounts lists /, /proc, /tmp"  $'/\n/proc proc\n/tmp tmpfs' \
	'cut -d" " -f2,3 /proc/mounts | grep -E "^/ |^/proc |^/tmp " | sed "s/^\/ .*/\//"'
p "/proc/sys/kernel/hostname is --hostname" e2e-name \
	'cat /proc/sys/kernel/hostname' --hostname e2e-name
