/* Sockets.  None exist yet (unix sockets: issue 3, the netstack: issue 5):
 * socket() is unimplemented, and the calls that only ask about one tell
 * the truth about every descriptor the guest can have: it is not a socket. */
#include <errno.h>

#include "sentry/kernel/kernel.h"
#include "sentry/syscalls/syscalls.h"

static long not_a_socket(struct task *t, int fd)
{
	struct file *f = fd_get(t->files, fd);
	if (!f)
		return -EBADF;
	file_put(f);
	return -ENOTSOCK;
}

SYSCALL_DEFINE(getpeername)
{
	return not_a_socket(t, (int)a0);
}

SYSCALL_DEFINE(getsockname)
{
	return not_a_socket(t, (int)a0);
}

SYSCALL_DEFINE(getsockopt)
{
	return not_a_socket(t, (int)a0);
}

SYSCALL_DEFINE(setsockopt)
{
	return not_a_socket(t, (int)a0);
}

SYSCALL_DEFINE(shutdown)
{
	return not_a_socket(t, (int)a0);
}
