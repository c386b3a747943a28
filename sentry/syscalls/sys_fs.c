/* Namespace and attribute syscalls: mkdir, mknod, rmdir, unlink, rename,
 * symlink, link, chmod, chown, utimensat, truncate, getcwd, chdir. */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <utime.h>

#include "common/cleanup.h"
#include "sentry/kernel/kernel.h"
#include "sentry/mm/mm.h"
#include "sentry/syscalls/syscalls.h"
#include "sentry/syscalls/util.h"

/* Copies a path argument and prepares the walk from dirfd. */
struct upath {
	char *path;
	struct walk_root wr;
};

static long upath_get(struct task *t, int dirfd, uint64_t uaddr, struct upath *up)
{
	long err = copy_path_from_user(t, uaddr, &up->path);
	if (err < 0)
		return err;
	if ((err = task_walk_root(t, dirfd, up->path, &up->wr)) < 0) {
		free(up->path);
		return err;
	}
	return 0;
}

static void upath_put(struct upath *up)
{
	walk_root_put(&up->wr);
	free(up->path);
}

/* --- create and remove --------------------------------------------------------------- */

static long do_mkdirat(struct task *t, int dirfd, uint64_t upath, mode_t mode)
{
	struct upath up;
	long err = upath_get(t, dirfd, upath, &up);
	if (err < 0)
		return err;
	err = vfs_mkdir(t, &up.wr, up.path, mode);
	upath_put(&up);
	return err;
}

SYSCALL_DEFINE(mkdir)
{
	return do_mkdirat(t, AT_FDCWD, a0, (mode_t)a1);
}

SYSCALL_DEFINE(mkdirat)
{
	return do_mkdirat(t, (int)a0, a1, (mode_t)a2);
}

static long do_mknodat(struct task *t, int dirfd, uint64_t upath, mode_t mode, dev_t dev)
{
	struct upath up;
	long err = upath_get(t, dirfd, upath, &up);
	if (err < 0)
		return err;
	err = vfs_mknod(t, &up.wr, up.path, mode, dev);
	upath_put(&up);
	return err;
}

SYSCALL_DEFINE(mknod)
{
	return do_mknodat(t, AT_FDCWD, a0, (mode_t)a1, (dev_t)(uint32_t)a2);
}

SYSCALL_DEFINE(mknodat)
{
	return do_mknodat(t, (int)a0, a1, (mode_t)a2, (dev_t)(uint32_t)a3);
}

static long do_unlinkat(struct task *t, int dirfd, uint64_t upath, int flags)
{
	if (flags & ~AT_REMOVEDIR)
		return -EINVAL;
	struct upath up;
	long err = upath_get(t, dirfd, upath, &up);
	if (err < 0)
		return err;
	err = (flags & AT_REMOVEDIR) ? vfs_rmdir(t, &up.wr, up.path) : vfs_unlink(t, &up.wr, up.path);
	upath_put(&up);
	return err;
}

SYSCALL_DEFINE(unlink)
{
	return do_unlinkat(t, AT_FDCWD, a0, 0);
}

SYSCALL_DEFINE(unlinkat)
{
	return do_unlinkat(t, (int)a0, a1, (int)a2);
}

SYSCALL_DEFINE(rmdir)
{
	return do_unlinkat(t, AT_FDCWD, a0, AT_REMOVEDIR);
}

static long do_renameat2(struct task *t, int olddirfd, uint64_t oldpath, int newdirfd,
			 uint64_t newpath, unsigned flags)
{
	struct upath o, n;
	long err = upath_get(t, olddirfd, oldpath, &o);
	if (err < 0)
		return err;
	if ((err = upath_get(t, newdirfd, newpath, &n)) < 0) {
		upath_put(&o);
		return err;
	}
	err = vfs_rename(t, &o.wr, o.path, &n.wr, n.path, flags);
	upath_put(&o);
	upath_put(&n);
	return err;
}

SYSCALL_DEFINE(rename)
{
	return do_renameat2(t, AT_FDCWD, a0, AT_FDCWD, a1, 0);
}

SYSCALL_DEFINE(renameat)
{
	return do_renameat2(t, (int)a0, a1, (int)a2, a3, 0);
}

SYSCALL_DEFINE(renameat2)
{
	return do_renameat2(t, (int)a0, a1, (int)a2, a3, (unsigned)a4);
}

static long do_symlinkat(struct task *t, uint64_t utarget, int newdirfd, uint64_t newpath)
{
	_cleanup_free_ char *target = NULL;
	long err = copy_path_from_user(t, utarget, &target);
	if (err < 0)
		return err;
	struct upath up;
	if ((err = upath_get(t, newdirfd, newpath, &up)) < 0)
		return err;
	err = vfs_symlink(t, target, &up.wr, up.path);
	upath_put(&up);
	return err;
}

SYSCALL_DEFINE(symlink)
{
	return do_symlinkat(t, a0, AT_FDCWD, a1);
}

SYSCALL_DEFINE(symlinkat)
{
	return do_symlinkat(t, a0, (int)a1, a2);
}

static long do_linkat(struct task *t, int olddirfd, uint64_t oldpath, int newdirfd,
		      uint64_t newpath, int flags)
{
	if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	struct upath o, n;
	long err = upath_get(t, olddirfd, oldpath, &o);
	if (err < 0)
		return err;
	if ((err = upath_get(t, newdirfd, newpath, &n)) < 0) {
		upath_put(&o);
		return err;
	}
	unsigned lf = (flags & AT_SYMLINK_FOLLOW) ? LOOKUP_FOLLOW : 0;
	if (flags & AT_EMPTY_PATH)
		lf |= LOOKUP_EMPTY;
	err = vfs_link(t, &o.wr, o.path, lf, &n.wr, n.path);
	upath_put(&o);
	upath_put(&n);
	return err;
}

SYSCALL_DEFINE(link)
{
	return do_linkat(t, AT_FDCWD, a0, AT_FDCWD, a1, 0);
}

SYSCALL_DEFINE(linkat)
{
	return do_linkat(t, (int)a0, a1, (int)a2, a3, (int)a4);
}

/* --- attributes ------------------------------------------------------------------- */

/* setattr on dirfd+path (or on the open file dirfd with AT_EMPTY_PATH). */
static long setattr_at(struct task *t, int dirfd, uint64_t upath, int at_flags,
		       struct iattr *attr)
{
	unsigned lf = (at_flags & AT_SYMLINK_NOFOLLOW) ? 0 : LOOKUP_FOLLOW;
	if (at_flags & AT_EMPTY_PATH)
		lf |= LOOKUP_EMPTY;
	struct path p;
	long err = user_path_at(t, dirfd, upath, lf, &p);
	if (err < 0)
		return err;
	err = vfs_setattr(t, &p, attr);
	path_put(&p);
	return err;
}

static long setattr_fd(struct task *t, int fd, struct iattr *attr)
{
	struct file *f = fd_get(t->files, fd);
	if (!f)
		return -EBADF;
	long err = f->path.dentry ? vfs_setattr(t, &f->path, attr) : -EBADF;
	file_put(f);
	return err;
}

SYSCALL_DEFINE(chmod)
{
	struct iattr attr = { .valid = ATTR_MODE, .mode = (mode_t)a1 & 07777 };
	return setattr_at(t, AT_FDCWD, a0, 0, &attr);
}

SYSCALL_DEFINE(fchmodat)
{
	struct iattr attr = { .valid = ATTR_MODE, .mode = (mode_t)a2 & 07777 };
	return setattr_at(t, (int)a0, a1, 0, &attr);
}

SYSCALL_DEFINE(fchmod)
{
	struct iattr attr = { .valid = ATTR_MODE, .mode = (mode_t)a1 & 07777 };
	return setattr_fd(t, (int)a0, &attr);
}

static struct iattr chown_attr(uint64_t uid, uint64_t gid)
{
	struct iattr attr = { .valid = ATTR_UID | ATTR_GID | ATTR_KILL_SUID, .uid = (uid_t)uid,
			      .gid = (gid_t)gid };
	return attr;
}

SYSCALL_DEFINE(chown)
{
	struct iattr attr = chown_attr(a1, a2);
	return setattr_at(t, AT_FDCWD, a0, 0, &attr);
}

SYSCALL_DEFINE(lchown)
{
	struct iattr attr = chown_attr(a1, a2);
	return setattr_at(t, AT_FDCWD, a0, AT_SYMLINK_NOFOLLOW, &attr);
}

SYSCALL_DEFINE(fchown)
{
	struct iattr attr = chown_attr(a1, a2);
	return setattr_fd(t, (int)a0, &attr);
}

SYSCALL_DEFINE(fchownat)
{
	int flags = (int)a4;
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	struct iattr attr = chown_attr(a2, a3);
	return setattr_at(t, (int)a0, a1, flags, &attr);
}

/* Fills attr from a utimensat times array (NULL: both now). */
static long times_attr(struct task *t, uint64_t utimes, struct iattr *attr)
{
	struct timespec ts[2];
	attr->valid = ATTR_ATIME | ATTR_MTIME | ATTR_CTIME;
	struct timespec now = ts_now(CLOCK_REALTIME);
	if (!utimes) {
		attr->atime = attr->mtime = now;
		return 0;
	}
	if (copy_from_user(t, ts, utimes, sizeof ts) < 0)
		return -EFAULT;
	bool explicit_time = false;
	for (int i = 0; i < 2; i++) {
		if (ts[i].tv_nsec == UTIME_NOW) {
			ts[i] = now;
		} else if (ts[i].tv_nsec == UTIME_OMIT) {
			attr->valid &= ~(unsigned)(i == 0 ? ATTR_ATIME : ATTR_MTIME);
		} else if (ts[i].tv_nsec < 0 || ts[i].tv_nsec >= 1000000000L) {
			return -EINVAL;
		} else {
			explicit_time = true;
		}
	}
	attr->atime = ts[0];
	attr->mtime = ts[1];
	if (explicit_time)
		attr->valid |= ATTR_TIMES_SET;
	if (!(attr->valid & (ATTR_ATIME | ATTR_MTIME)))
		attr->valid = 0;
	return 0;
}

SYSCALL_DEFINE(utimensat)
{
	int dirfd = (int)a0, flags = (int)a3;
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	struct iattr attr;
	long err = times_attr(t, a2, &attr);
	if (err < 0)
		return err;
	if (!attr.valid)
		return 0;
	if (!a1)   /* futimens: the file dirfd itself */
		return setattr_fd(t, dirfd, &attr);
	return setattr_at(t, dirfd, a1, flags, &attr);
}

/* utimes/futimesat take struct timeval[2]. */
static long timeval_times(struct task *t, int dirfd, uint64_t upath, uint64_t utv)
{
	struct iattr attr = { .valid = ATTR_ATIME | ATTR_MTIME | ATTR_CTIME };
	if (utv) {
		struct timeval tv[2];
		if (copy_from_user(t, tv, utv, sizeof tv) < 0)
			return -EFAULT;
		for (int i = 0; i < 2; i++)
			if (tv[i].tv_usec < 0 || tv[i].tv_usec >= 1000000)
				return -EINVAL;
		attr.atime = (struct timespec){ tv[0].tv_sec, tv[0].tv_usec * 1000 };
		attr.mtime = (struct timespec){ tv[1].tv_sec, tv[1].tv_usec * 1000 };
		attr.valid |= ATTR_TIMES_SET;
	} else {
		attr.atime = attr.mtime = ts_now(CLOCK_REALTIME);
	}
	return setattr_at(t, dirfd, upath, 0, &attr);
}

SYSCALL_DEFINE(utimes)
{
	return timeval_times(t, AT_FDCWD, a0, a1);
}

SYSCALL_DEFINE(futimesat)
{
	return timeval_times(t, (int)a0, a1, a2);
}

SYSCALL_DEFINE(utime)
{
	struct iattr attr = { .valid = ATTR_ATIME | ATTR_MTIME | ATTR_CTIME };
	if (a1) {
		struct utimbuf ub;
		if (copy_from_user(t, &ub, a1, sizeof ub) < 0)
			return -EFAULT;
		attr.atime = (struct timespec){ ub.actime, 0 };
		attr.mtime = (struct timespec){ ub.modtime, 0 };
		attr.valid |= ATTR_TIMES_SET;
	} else {
		attr.atime = attr.mtime = ts_now(CLOCK_REALTIME);
	}
	return setattr_at(t, AT_FDCWD, a0, 0, &attr);
}

SYSCALL_DEFINE(truncate)
{
	int64_t len = (int64_t)a1;
	if (len < 0)
		return -EINVAL;
	struct path p;
	long err = user_path_at(t, AT_FDCWD, a0, LOOKUP_FOLLOW, &p);
	if (err < 0)
		return err;
	struct inode *inode = p.dentry->inode;
	if (S_ISDIR(inode->mode))
		err = -EISDIR;
	else if (!S_ISREG(inode->mode))
		err = -EINVAL;
	else if (path_is_readonly(&p))
		err = -EROFS;
	else
		err = inode_permission(&t->tg->cred, inode, MAY_WRITE);
	if (err == 0)
		err = task_check_fsize_truncate(t, inode, len);
	if (err == 0 && (err = inode_get_write(inode)) == 0) {
		struct iattr attr = { .valid = ATTR_SIZE | ATTR_MTIME | ATTR_CTIME, .size = len };
		attr.mtime = ts_now(CLOCK_REALTIME);
		err = inode->iop && inode->iop->setattr ? inode->iop->setattr(inode, &attr) : -EPERM;
		inode_put_write(inode);
		if (err == 0)
			fsnotify_change(p.dentry, attr.valid);
	}
	path_put(&p);
	return err;
}

/* --- the working directory ------------------------------------------------------------ */

SYSCALL_DEFINE(getcwd)
{
	size_t size = (size_t)a1;
	pthread_mutex_lock(&t->fs->lock);
	struct path cwd = t->fs->cwd, root = t->fs->root;
	path_get(&cwd);
	path_get(&root);
	pthread_mutex_unlock(&t->fs->lock);
	char *buf = malloc(PATH_MAX);
	long r;
	if (!buf) {
		r = -ENOMEM;
	} else if (cwd.dentry->flags & DENTRY_DEAD) {
		r = -ENOENT;
	} else {
		int len = path_to_string(&cwd, &root, buf, PATH_MAX);
		if (len < 0)
			r = len;
		else if ((size_t)len + 1 > size)
			r = -ERANGE;
		else
			r = copy_to_user(t, a0, buf, (size_t)len + 1) < 0 ? -EFAULT : len + 1;
	}
	free(buf);
	path_put(&cwd);
	path_put(&root);
	return r;
}

static long set_cwd(struct task *t, struct path *p)
{
	if (!S_ISDIR(p->dentry->inode->mode))
		return -ENOTDIR;
	long err = inode_permission(&t->tg->cred, p->dentry->inode, MAY_EXEC);
	if (err < 0)
		return err;
	pthread_mutex_lock(&t->fs->lock);
	struct path old = t->fs->cwd;
	t->fs->cwd = *p;
	path_get(&t->fs->cwd);
	pthread_mutex_unlock(&t->fs->lock);
	path_put(&old);
	return 0;
}

SYSCALL_DEFINE(chdir)
{
	struct path p;
	long err = user_path_at(t, AT_FDCWD, a0, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &p);
	if (err < 0)
		return err;
	err = set_cwd(t, &p);
	path_put(&p);
	return err;
}

SYSCALL_DEFINE(fchdir)
{
	struct file *f = fd_get(t->files, (int)a0);
	if (!f)
		return -EBADF;
	long err = f->path.dentry ? set_cwd(t, &f->path) : -ENOTDIR;
	file_put(f);
	return err;
}

SYSCALL_DEFINE(umask)
{
	pthread_mutex_lock(&t->fs->lock);
	mode_t old = t->fs->umask;
	t->fs->umask = (mode_t)a0 & 0777;
	pthread_mutex_unlock(&t->fs->lock);
	return old;
}
