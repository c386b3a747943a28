/* Starting the gofer process from the sentry (fork, no exec). */
#include "gofer/gofer.h"

#include "common/log.h"

#include <errno.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

/* Everything the sentry had open stays with the sentry: in particular its
 * own end of the socket, without which the gofer would never see EOF. */
static int close_other_fds(int keep)
{
	if (keep > 3 && close_range(3, (unsigned)keep - 1, 0) < 0)
		return -errno;
	if (close_range((unsigned)keep + 1 > 3 ? (unsigned)keep + 1 : 3, ~0u, 0) < 0)
		return -errno;
	return 0;
}

static _Noreturn void gofer_child(int sock, pid_t parent, const struct gofer_mount *mounts,
				  size_t nmounts)
{
	log_set_prefix("gofer");
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
		_exit(1);
	if (close_other_fds(sock) < 0)
		_exit(1);
	_exit(gofer_serve(sock, mounts, nmounts) < 0 ? 1 : 0);
}

int gofer_spawn(const struct gofer_mount *mounts, size_t nmounts, int *sock, pid_t *pid)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	pid_t parent = getpid();
	pid_t child = fork();
	if (child < 0) {
		int e = errno;
		close(sv[0]);
		close(sv[1]);
		return -e;
	}
	if (child == 0) {
		close(sv[0]);
		gofer_child(sv[1], parent, mounts, nmounts);
	}
	close(sv[1]);
	*sock = sv[0];
	*pid = child;
	return 0;
}
