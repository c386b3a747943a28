/* Advisory locks: fcntl record locks and flock.
 *
 * Not yet enforced between processes (issue 3): every lock request
 * succeeds and F_GETLK reports the range unlocked. */
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>

#include "sentry/kernel/kernel.h"
#include "sentry/mm/mm.h"
#include "sentry/syscalls/syscalls.h"
#include "sentry/syscalls/util.h"

long fcntl_lock(struct task *t, struct file *f, int cmd, uint64_t arg)
{
	struct flock fl;
	switch (cmd) {
	case F_GETLK:
	case F_OFD_GETLK:
		if (copy_from_user(t, &fl, arg, sizeof fl) < 0)
			return -EFAULT;
		if (fl.l_type != F_RDLCK && fl.l_type != F_WRLCK)
			return -EINVAL;
		fl.l_type = F_UNLCK;
		return copy_to_user(t, arg, &fl, sizeof fl);
	case F_SETLK:
	case F_SETLKW:
	case F_OFD_SETLK:
	case F_OFD_SETLKW:
		if (copy_from_user(t, &fl, arg, sizeof fl) < 0)
			return -EFAULT;
		if (fl.l_type != F_RDLCK && fl.l_type != F_WRLCK && fl.l_type != F_UNLCK)
			return -EINVAL;
		if (fl.l_type == F_RDLCK && !file_readable(f))
			return -EBADF;
		if (fl.l_type == F_WRLCK && !file_writable(f))
			return -EBADF;
		return 0;
	default:
		return -EINVAL;
	}
}

SYSCALL_DEFINE(flock)
{
	struct file *f = fd_get(t->files, (int)a0);
	if (!f)
		return -EBADF;
	file_put(f);
	int op = (int)a1 & ~LOCK_NB;
	if (op != LOCK_SH && op != LOCK_EX && op != LOCK_UN)
		return -EINVAL;
	return 0;
}
