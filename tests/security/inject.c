/* Makes a runtime process issue one syscall it was not meant to make, to
 * check that its seccomp filter stops it (tests/e2e/t_confine.sh):
 *
 *   inject PID NR [ARG0 [ARG1 [ARG2 [ARG3 [ARG4 [ARG5]]]]]]
 *
 * Seizes PID (a thread blocked in a syscall), interrupts it, points it back
 * at its syscall instruction with NR and the arguments in its registers,
 * and lets it go.  Needs the right to ptrace PID (root).  No test hook is
 * needed in the runtime: this is what an attacker who took it over would
 * do. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/types.h>
#include <sys/user.h>
#include <sys/wait.h>

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: inject PID NR [ARG0 [ARG1 [ARG2 [ARG3 [ARG4 [ARG5]]]]]]\n");
		return 2;
	}
	pid_t pid = (pid_t)strtol(argv[1], NULL, 10);
	long nr = strtol(argv[2], NULL, 0);
	if (ptrace(PTRACE_SEIZE, pid, 0, 0) < 0 || ptrace(PTRACE_INTERRUPT, pid, 0, 0) < 0) {
		fprintf(stderr, "inject: ptrace %d: %s\n", pid, strerror(errno));
		return 1;
	}
	int st;
	if (waitpid(pid, &st, __WALL) != pid || !WIFSTOPPED(st)) {
		fprintf(stderr, "inject: %d did not stop\n", pid);
		return 1;
	}
	struct user_regs_struct r;
	if (ptrace(PTRACE_GETREGS, pid, 0, &r) < 0) {
		fprintf(stderr, "inject: GETREGS: %s\n", strerror(errno));
		return 1;
	}
	if ((long)r.orig_rax < 0) {
		fprintf(stderr, "inject: %d was not in a syscall\n", pid);
		ptrace(PTRACE_DETACH, pid, 0, 0);
		return 1;
	}
	/* Back onto the `syscall` instruction (2 bytes), with no restart of
	 * the interrupted call in the way. */
	r.rip -= 2;
	r.rax = (unsigned long long)nr;
	r.orig_rax = (unsigned long long)-1;
	unsigned long long *args[6] = { &r.rdi, &r.rsi, &r.rdx, &r.r10, &r.r8, &r.r9 };
	for (int i = 0; i < 6 && 3 + i < argc; i++)
		*args[i] = strtoull(argv[3 + i], NULL, 0);
	if (ptrace(PTRACE_SETREGS, pid, 0, &r) < 0 || ptrace(PTRACE_DETACH, pid, 0, 0) < 0) {
		fprintf(stderr, "inject: SETREGS/DETACH: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}
