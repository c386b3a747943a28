/* Starting the sentry's helper processes (common/helper.h). */
#include "common/helper.h"

#include <errno.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/log.h"

/* Everything the sentry had open stays with the sentry. */
static int close_other_fds(int keep)
{
	if (keep > 3 && close_range(3, (unsigned)keep - 1, 0) < 0)
		return -errno;
	if (close_range((unsigned)keep + 1 > 3 ? (unsigned)keep + 1 : 3, ~0u, 0) < 0)
		return -errno;
	return 0;
}

static void set_sndbuf(int fd, int size)
{
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof size) < 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
}

int helper_spawn(const char *name, helper_main_fn fn, void *arg, int sndbuf, int *sock,
		 pid_t *pid)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	if (sndbuf > 0) {
		set_sndbuf(sv[0], sndbuf);
		set_sndbuf(sv[1], sndbuf);
	}
	pid_t parent = getpid();
	pid_t child = fork();
	if (child < 0) {
		int e = errno;
		close(sv[0]);
		close(sv[1]);
		return -e;
	}
	if (child == 0) {
		log_set_prefix(name);
		/* Named in ps and /proc/PID/comm (it runs the sentry's image). */
		prctl(PR_SET_NAME, name);
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
			_exit(1);
		if (close_other_fds(sv[1]) < 0)
			_exit(1);
		_exit(fn(sv[1], arg) < 0 ? 1 : 0);
	}
	close(sv[1]);
	*sock = sv[0];
	*pid = child;
	return 0;
}
