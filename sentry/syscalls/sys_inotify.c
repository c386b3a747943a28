/* inotify_init, inotify_init1, inotify_add_watch, inotify_rm_watch (the
 * instances and the VFS hooks are in sentry/fs/inotify.c). */
#include <errno.h>
#include <fcntl.h>
#include <sys/inotify.h>

#include "sentry/fs/events.h"
#include "sentry/kernel/kernel.h"
#include "sentry/syscalls/syscalls.h"
#include "sentry/syscalls/util.h"

#ifndef IN_MASK_CREATE
#define IN_MASK_CREATE 0x10000000
#endif
/* Every bit inotify_add_watch accepts (ALL_INOTIFY_BITS). */
#define ALL_INOTIFY_BITS (IN_ALL_EVENTS | IN_UNMOUNT | IN_Q_OVERFLOW | IN_IGNORED | \
			  IN_ONLYDIR | IN_DONT_FOLLOW | IN_EXCL_UNLINK | IN_MASK_CREATE | \
			  IN_MASK_ADD | IN_ISDIR | IN_ONESHOT)

static long do_init(struct task *t, int flags)
{
	if (flags & ~(IN_CLOEXEC | IN_NONBLOCK))
		return -EINVAL;
	struct file *f;
	long err = inotify_file_new((unsigned)flags, &f);
	if (err < 0)
		return err;
	err = install_fd(t, f, flags & IN_CLOEXEC);
	file_put(f);
	return err;
}

SYSCALL_DEFINE(inotify_init)
{
	return do_init(t, 0);
}

SYSCALL_DEFINE(inotify_init1)
{
	return do_init(t, (int)a0);
}

SYSCALL_DEFINE(inotify_add_watch)
{
	int fd = (int)a0;
	uint32_t mask = (uint32_t)a2;
	if ((mask & ~(uint32_t)ALL_INOTIFY_BITS) || !(mask & ALL_INOTIFY_BITS))
		return -EINVAL;
	struct file *f = fd_get(t->files, fd);
	if (!f)
		return -EBADF;
	long r = -EINVAL;
	if (f->fop && file_is_inotify(f) && !((mask & IN_MASK_ADD) && (mask & IN_MASK_CREATE))) {
		unsigned lf = 0;
		if (!(mask & IN_DONT_FOLLOW))
			lf |= LOOKUP_FOLLOW;
		if (mask & IN_ONLYDIR)
			lf |= LOOKUP_DIRECTORY;
		struct path p;
		r = user_path_at(t, AT_FDCWD, a1, lf, &p);
		if (r == 0) {
			r = inode_permission(&t->tg->cred, p.dentry->inode, MAY_READ);
			if (r == 0)
				r = inotify_watch(f, p.dentry->inode, mask);
			path_put(&p);
		}
	} else if (!f->fop) {
		r = -EBADF;
	}
	file_put(f);
	return r;
}

SYSCALL_DEFINE(inotify_rm_watch)
{
	struct file *f = fd_get(t->files, (int)a0);
	if (!f)
		return -EBADF;
	long r = f->fop ? (file_is_inotify(f) ? inotify_unwatch(f, (int)a1) : -EINVAL) : -EBADF;
	file_put(f);
	return r;
}
