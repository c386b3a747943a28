#!/bin/bash
# The guest's first process is pid 1 of its own pid space and has init's
# privileges: signals it has no handler for, even SIGKILL, do not reach it
# from inside; orphans are reparented to it.
. "$(dirname -- "$0")/lib.sh"

expect_run "busybox sh: \$\$ is 1" 0 1 bbrun -- /bin/sh -c 'echo $$'
expect_run "host dash: \$\$ is 1" 0 1 srun -- /bin/sh -c 'echo $$'
expect_run "pid 1's parent is 0" 0 0 bbrun -- /bin/sh -c 'echo $PPID'
expect_run "a child sees getppid() == 1" 0 1 bbrun -- /bin/sh -c 'sh -c "echo \$PPID"; true'

# A static program: getpid() and getppid() directly.
ids=$(build_static ids <<'C'
#include <stdio.h>
#include <unistd.h>
#include <sys/wait.h>
int main(void)
{
	printf("%d %d\n", (int)getpid(), (int)getppid());
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		printf("child %d %d\n", getpid() != 1 && getpid() > 0, (int)getppid());
		return 0;
	}
	int st;
	waitpid(c, &st, 0);
	printf("waited %d\n", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	return 0;
}
C
) || exit 1
root=$E2E_TMP/root
mkdir -p "$root"
cp "$ids" "$root/ids"
expect_run "getpid()=1, getppid()=0; a forked child has its own pid and getppid()=1" 0 \
	$'1 0\nchild 1 1\nwaited 1' srun --rootfs "$root" -- /ids

# /proc/self/stat's first field is checked in t_procfs.

# kill -9 1 from inside does nothing: pid 1 has no handler.
expect_run "pid 1 survives kill -9 1 from itself" 0 "alive 0" \
	bbrun -- /bin/sh -c 'kill -9 1; echo "alive $?"'
expect_run "pid 1 survives kill -9 1 from a child" 0 "alive" \
	bbrun -- /bin/sh -c 'sh -c "kill -9 1"; echo alive'
# (Not SIGINT: busybox sh has a handler for that one.)
expect_run "pid 1 survives SIGTERM, SIGHUP, SIGSEGV and SIGKILL sent by a child" 0 "alive" \
	bbrun -- /bin/sh -c 'sh -c "kill -TERM 1; kill -HUP 1; kill -SEGV 1; kill -KILL 1"; sleep 0.1; echo alive'
# ... but a signal it does handle is delivered.
expect_run "pid 1 gets a signal it has a handler for" 3 "trapped" \
	bbrun -- /bin/sh -c 'trap "echo trapped; exit 3" USR1; sh -c "kill -USR1 1"; i=0; while [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done; echo not-trapped'

# Orphans are reparented to pid 1: getppid() in the orphan after its parent
# has exited.
orphan=$(build_static orphan <<'C'
#include <stdio.h>
#include <unistd.h>
#include <sys/wait.h>
int main(void)
{
	int p[2];
	pipe(p);
	pid_t c = fork();
	if (c == 0) {
		pid_t parent = getpid();
		if (fork() == 0) {
			for (int i = 0; i < 500 && getppid() == parent; i++)
				usleep(10000);
			char buf[32];
			int n = snprintf(buf, sizeof buf, "ppid=%d\n", (int)getppid());
			write(p[1], buf, n);
			_exit(0);
		}
		_exit(0);
	}
	close(p[1]);
	waitpid(c, NULL, 0);
	char buf[32];
	ssize_t n = read(p[0], buf, sizeof buf);
	if (n > 0)
		fwrite(buf, 1, n, stdout);
	/* reap the orphan too */
	while (wait(NULL) > 0)
		;
	return 0;
}
C
) || exit 1
cp "$orphan" "$root/orphan"
expect_run "an orphan's parent becomes 1" 0 "ppid=1" srun --rootfs "$root" -- /orphan

# Pid 1 exiting ends the sandbox even if other processes are still running
# (they are killed, as in a pid namespace): this returns at once.
start=$SECONDS
expect_run "the sandbox ends when pid 1 exits, children or not" 4 "" \
	bbrun -- /bin/sh -c 'sleep 30 & sleep 30 & exit 4'
expect_eq "  ...without waiting for them" 1 "$((SECONDS - start < 5))"
