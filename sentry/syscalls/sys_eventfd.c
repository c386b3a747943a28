/* eventfd, eventfd2 (the counter is sentry/fs/eventfd.c). */
#include <errno.h>
#include <sys/eventfd.h>

#include "sentry/fs/events.h"
#include "sentry/kernel/kernel.h"
#include "sentry/syscalls/syscalls.h"
#include "sentry/syscalls/util.h"

static long do_eventfd(struct task *t, unsigned count, int flags)
{
	if (flags & ~(EFD_CLOEXEC | EFD_NONBLOCK | EFD_SEMAPHORE))
		return -EINVAL;
	struct file *f;
	long err = eventfd_file_new(count, (unsigned)flags, &f);
	if (err < 0)
		return err;
	err = install_fd(t, f, flags & EFD_CLOEXEC);
	file_put(f);
	return err;
}

SYSCALL_DEFINE(eventfd)
{
	return do_eventfd(t, (unsigned)a0, 0);
}

SYSCALL_DEFINE(eventfd2)
{
	return do_eventfd(t, (unsigned)a0, (int)a1);
}
