/* stat family, statfs, access, readlink. */
#include <errno.h>
#include <fcntl.h>
#include <linux/stat.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>

#include "common/cleanup.h"
#include "sentry/kernel/kernel.h"
#include "sentry/mm/mm.h"
#include "sentry/syscalls/syscalls.h"
#include "sentry/syscalls/util.h"

static unsigned at_lookup_flags(int at_flags)
{
	unsigned lf = (at_flags & AT_SYMLINK_NOFOLLOW) ? 0 : LOOKUP_FOLLOW;
	if (at_flags & AT_EMPTY_PATH)
		lf |= LOOKUP_EMPTY;
	return lf;
}

/* stat of an open file: through its path, or the file's own fstat. */
static long fstat_file(struct file *f, struct stat *st)
{
	if (f->fop && f->fop->fstat)
		return f->fop->fstat(f, st);
	if (f->path.dentry)
		return vfs_getattr(&f->path, st);
	if (f->inode) {
		inode_fill_stat(f->inode, st);
		return 0;
	}
	return -EBADF;
}

/* stat of dirfd+path; "" with AT_EMPTY_PATH is the open file dirfd itself
 * (which may have no path: a pipe, a host fd). */
static long stat_at(struct task *t, int dirfd, uint64_t upath, int at_flags, struct stat *st)
{
	if (at_flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT |
			 AT_STATX_SYNC_TYPE))
		return -EINVAL;
	_cleanup_free_ char *path = NULL;
	long err = copy_path_from_user(t, upath, &path);
	if (err < 0)
		return err;
	if (path[0] == 0 && (at_flags & AT_EMPTY_PATH) && dirfd != AT_FDCWD) {
		struct file *f = fd_get(t->files, dirfd);
		if (!f)
			return -EBADF;
		err = fstat_file(f, st);
		file_put(f);
		return err;
	}
	struct walk_root wr;
	if ((err = task_walk_root(t, dirfd, path, &wr)) < 0)
		return err;
	struct path p;
	err = vfs_walk(t, &wr, path, at_lookup_flags(at_flags), &p);
	walk_root_put(&wr);
	if (err < 0)
		return err;
	err = vfs_getattr(&p, st);
	path_put(&p);
	return err;
}

static long stat_out(struct task *t, long err, const struct stat *st, uint64_t ubuf)
{
	if (err < 0)
		return err;
	return copy_to_user(t, ubuf, st, sizeof *st);
}

SYSCALL_DEFINE(stat)
{
	struct stat st;
	return stat_out(t, stat_at(t, AT_FDCWD, a0, 0, &st), &st, a1);
}

SYSCALL_DEFINE(lstat)
{
	struct stat st;
	return stat_out(t, stat_at(t, AT_FDCWD, a0, AT_SYMLINK_NOFOLLOW, &st), &st, a1);
}

SYSCALL_DEFINE(newfstatat)
{
	struct stat st;
	return stat_out(t, stat_at(t, (int)a0, a1, (int)a3, &st), &st, a2);
}

SYSCALL_DEFINE(fstat)
{
	struct file *f = fd_get(t->files, (int)a0);
	if (!f)
		return -EBADF;
	struct stat st;
	long err = fstat_file(f, &st);
	file_put(f);
	return stat_out(t, err, &st, a1);
}

static struct statx_timestamp statx_ts(struct timespec ts)
{
	return (struct statx_timestamp){ .tv_sec = ts.tv_sec, .tv_nsec = (uint32_t)ts.tv_nsec };
}

SYSCALL_DEFINE(statx)
{
	int dirfd = (int)a0, flags = (int)a2;
	unsigned mask = (unsigned)a3;
	if (mask & STATX__RESERVED)
		return -EINVAL;
	if ((flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE)
		return -EINVAL;
	struct stat st;
	long err = stat_at(t, dirfd, a1, flags, &st);
	if (err < 0)
		return err;
	struct statx sx;
	memset(&sx, 0, sizeof sx);
	sx.stx_mask = STATX_BASIC_STATS;
	sx.stx_blksize = (uint32_t)st.st_blksize;
	sx.stx_nlink = (uint32_t)st.st_nlink;
	sx.stx_uid = st.st_uid;
	sx.stx_gid = st.st_gid;
	sx.stx_mode = (uint16_t)st.st_mode;
	sx.stx_ino = st.st_ino;
	sx.stx_size = (uint64_t)st.st_size;
	sx.stx_blocks = (uint64_t)st.st_blocks;
	sx.stx_atime = statx_ts(st.st_atim);
	sx.stx_mtime = statx_ts(st.st_mtim);
	sx.stx_ctime = statx_ts(st.st_ctim);
	sx.stx_rdev_major = major(st.st_rdev);
	sx.stx_rdev_minor = minor(st.st_rdev);
	sx.stx_dev_major = major(st.st_dev);
	sx.stx_dev_minor = minor(st.st_dev);
	return copy_to_user(t, a4, &sx, sizeof sx);
}

/* --- statfs ------------------------------------------------------------------------ */

SYSCALL_DEFINE(statfs)
{
	struct path p;
	long err = user_path_at(t, AT_FDCWD, a0, LOOKUP_FOLLOW, &p);
	if (err < 0)
		return err;
	struct statfs sf;
	err = vfs_statfs(&p, &sf);
	path_put(&p);
	if (err < 0)
		return err;
	return copy_to_user(t, a1, &sf, sizeof sf);
}

SYSCALL_DEFINE(fstatfs)
{
	struct file *f = fd_get(t->files, (int)a0);
	if (!f)
		return -EBADF;
	struct statfs sf;
	long err;
	if (f->path.dentry) {
		err = vfs_statfs(&f->path, &sf);
	} else {
		/* pipes and host fds: an anonymous file system */
		memset(&sf, 0, sizeof sf);
		sf.f_type = f->inode ? (__fsword_t)f->inode->sb->magic : 0x50495045;
		sf.f_bsize = 4096;
		sf.f_namelen = 255;
		err = 0;
	}
	file_put(f);
	if (err < 0)
		return err;
	return copy_to_user(t, a1, &sf, sizeof sf);
}

/* --- access ------------------------------------------------------------------------ */

static long do_faccessat(struct task *t, int dirfd, uint64_t upath, int mode, int flags)
{
	if (mode & ~(R_OK | W_OK | X_OK))
		return -EINVAL;
	if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	/* access(2) checks with the real ids, unless AT_EACCESS: the lookup
	 * too (override_creds). */
	struct cred c = t->tg->cred;
	if (!(flags & AT_EACCESS))
		cred_for_access(&c);
	struct path p;
	t->override_cred = &c;
	long err = user_path_at(t, dirfd, upath, at_lookup_flags(flags), &p);
	t->override_cred = NULL;
	if (err < 0)
		return err;
	struct inode *inode = p.dentry->inode;
	if ((mode & W_OK) && path_is_readonly(&p) &&
	    (S_ISREG(inode->mode) || S_ISDIR(inode->mode) || S_ISLNK(inode->mode))) {
		path_put(&p);
		return -EROFS;
	}
	int mask = (mode & R_OK ? MAY_READ : 0) | (mode & W_OK ? MAY_WRITE : 0) |
		   (mode & X_OK ? MAY_EXEC : 0);
	err = mask ? inode_permission(&c, inode, mask) : 0;
	path_put(&p);
	return err;
}

SYSCALL_DEFINE(access)
{
	return do_faccessat(t, AT_FDCWD, a0, (int)a1, 0);
}

SYSCALL_DEFINE(faccessat)
{
	return do_faccessat(t, (int)a0, a1, (int)a2, 0);
}

SYSCALL_DEFINE(faccessat2)
{
	return do_faccessat(t, (int)a0, a1, (int)a2, (int)a3);
}

/* --- readlink ---------------------------------------------------------------------- */

static long do_readlinkat(struct task *t, int dirfd, uint64_t upath, uint64_t ubuf, int size)
{
	if (size <= 0)
		return -EINVAL;
	struct path p;
	long err = user_path_at(t, dirfd, upath, LOOKUP_EMPTY, &p);
	if (err < 0)
		return err;
	if (!S_ISLNK(p.dentry->inode->mode)) {
		/* readlinkat(fd, "") of something that is not a symlink: ENOENT;
		 * a non-empty path to one: EINVAL. */
		char first;
		bool empty = copy_from_user(t, &first, upath, 1) == 0 && first == 0;
		path_put(&p);
		return empty ? -ENOENT : -EINVAL;
	}
	size_t n = (size_t)size < PATH_MAX ? (size_t)size : PATH_MAX;
	char *buf = malloc(n);
	if (!buf) {
		path_put(&p);
		return -ENOMEM;
	}
	err = vfs_readlink(t, &p, buf, n);
	path_put(&p);
	if (err >= 0 && copy_to_user(t, ubuf, buf, (size_t)err) < 0)
		err = -EFAULT;
	free(buf);
	return err;
}

SYSCALL_DEFINE(readlink)
{
	return do_readlinkat(t, AT_FDCWD, a0, a1, (int)a2);
}

SYSCALL_DEFINE(readlinkat)
{
	return do_readlinkat(t, (int)a0, a1, a2, (int)a3);
}
