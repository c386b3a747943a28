/* signalfd, signalfd4 (the file is sentry/fs/signalfd.c). */
#include <errno.h>
#include <sys/signalfd.h>

#include "sentry/fs/events.h"
#include "sentry/kernel/kernel.h"
#include "sentry/mm/mm.h"
#include "sentry/syscalls/syscalls.h"
#include "sentry/syscalls/util.h"

#define SIG_KILL_STOP (SIGBIT(SIGKILL) | SIGBIT(SIGSTOP))

static long do_signalfd4(struct task *t, int ufd, uint64_t umask, uint64_t size, int flags)
{
	if (size != sizeof(sigmask_t))
		return -EINVAL;
	sigmask_t mask;
	if (copy_from_user(t, &mask, umask, sizeof mask) < 0)
		return -EFAULT;
	if (flags & ~(SFD_CLOEXEC | SFD_NONBLOCK))
		return -EINVAL;
	mask &= ~SIG_KILL_STOP;
	if (ufd != -1) {
		/* A new mask for an existing one (its flags stay as they are). */
		struct file *f = fd_get(t->files, ufd);
		if (!f)
			return -EBADF;
		long err = f->fop ? signalfd_set_mask(t, f, mask) : -EBADF;
		file_put(f);
		return err < 0 ? err : ufd;
	}
	struct file *f;
	long err = signalfd_file_new(mask, (unsigned)flags, &f);
	if (err < 0)
		return err;
	err = install_fd(t, f, flags & SFD_CLOEXEC);
	file_put(f);
	return err;
}

SYSCALL_DEFINE(signalfd)
{
	return do_signalfd4(t, (int)a0, a1, a2, 0);
}

SYSCALL_DEFINE(signalfd4)
{
	return do_signalfd4(t, (int)a0, a1, a2, (int)a3);
}
