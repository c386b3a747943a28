/* fallocate, fadvise64, sync_file_range, readahead: the checks of
 * fs/open.c, mm/fadvise.c, fs/sync.c and mm/readahead.c, with the work
 * (if any) done by the file system's fallocate. */
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>

#include "sentry/kernel/kernel.h"
#include "sentry/syscalls/syscalls.h"

#ifndef FALLOC_FL_WRITE_ZEROES
#define FALLOC_FL_WRITE_ZEROES 0x80
#endif
#define FALLOC_FL_MODE_MASK                                                                \
	(FALLOC_FL_PUNCH_HOLE | FALLOC_FL_COLLAPSE_RANGE | FALLOC_FL_ZERO_RANGE |          \
	 FALLOC_FL_INSERT_RANGE | FALLOC_FL_UNSHARE_RANGE | FALLOC_FL_WRITE_ZEROES)

/* The file at fd (not O_PATH), or NULL. */
static struct file *get_file(struct task *t, int fd)
{
	struct file *f = fd_get(t->files, fd);
	if (f && !f->fop) {
		file_put(f);
		return NULL;
	}
	return f;
}

/* The file type (S_IFMT bits) of f. */
static mode_t file_type(struct file *f)
{
	if (f->inode)
		return f->inode->mode & S_IFMT;
	struct stat st;
	if (f->fop->fstat && f->fop->fstat(f, &st) == 0)
		return st.st_mode & S_IFMT;
	return 0;
}

/* vfs_fallocate's checks: the modes are exclusive (allocating is "no bit
 * set"), only some may keep the size. */
static long check_fallocate_mode(int mode)
{
	if (mode & ~(FALLOC_FL_MODE_MASK | FALLOC_FL_KEEP_SIZE))
		return -EOPNOTSUPP;
	switch (mode & FALLOC_FL_MODE_MASK) {
	case 0:
	case FALLOC_FL_UNSHARE_RANGE:
	case FALLOC_FL_ZERO_RANGE:
		return 0;
	case FALLOC_FL_PUNCH_HOLE:
		return (mode & FALLOC_FL_KEEP_SIZE) ? 0 : -EOPNOTSUPP;
	case FALLOC_FL_COLLAPSE_RANGE:
	case FALLOC_FL_INSERT_RANGE:
	case FALLOC_FL_WRITE_ZEROES:
		return (mode & FALLOC_FL_KEEP_SIZE) ? -EOPNOTSUPP : 0;
	default:
		return -EOPNOTSUPP;
	}
}

SYSCALL_DEFINE(fallocate)
{
	int mode = (int)a1;
	int64_t off = (int64_t)a2, len = (int64_t)a3;
	struct file *f = get_file(t, (int)a0);
	if (!f)
		return -EBADF;
	long r;
	mode_t type = file_type(f);
	if (off < 0 || len <= 0)
		r = -EINVAL;
	else if ((r = check_fallocate_mode(mode)) < 0)
		;
	else if (!file_writable(f))
		r = -EBADF;
	else if (type == S_IFIFO)
		r = -ESPIPE;
	else if (type == S_IFDIR)
		r = -EISDIR;
	else if (type != S_IFREG && type != S_IFBLK)
		r = -ENODEV;
	else if (off > INT64_MAX - len)
		r = -EFBIG;
	else if (!f->fop->fallocate)
		r = -EOPNOTSUPP;
	else
		r = f->fop->fallocate(f, mode, off, len);
	file_put(f);
	return r;
}

SYSCALL_DEFINE(fadvise64)
{
	int64_t len = (int64_t)a2;
	int advice = (int)a3;
	struct file *f = get_file(t, (int)a0);
	if (!f)
		return -EBADF;
	long r = 0;
	if (file_type(f) == S_IFIFO)
		r = -ESPIPE;
	else if (len < 0 || advice < POSIX_FADV_NORMAL || advice > POSIX_FADV_NOREUSE)
		r = -EINVAL;
	/* Advice is the host page cache's business: nothing to do. */
	file_put(f);
	return r;
}

SYSCALL_DEFINE(sync_file_range)
{
	int64_t off = (int64_t)a1, nbytes = (int64_t)a2;
	unsigned flags = (unsigned)a3;
	struct file *f = get_file(t, (int)a0);
	if (!f)
		return -EBADF;
	long r = 0;
	mode_t type = file_type(f);
	if (flags & ~(unsigned)(SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
				SYNC_FILE_RANGE_WAIT_AFTER))
		r = -EINVAL;
	else if (off < 0 || nbytes < 0 || off > INT64_MAX - nbytes)
		r = -EINVAL;   /* the end must be past the start and not wrap */
	else if (type != S_IFREG && type != S_IFBLK && type != S_IFDIR && type != S_IFLNK)
		r = -ESPIPE;
	file_put(f);
	return r;
}

SYSCALL_DEFINE(readahead)
{
	size_t count = (size_t)a2;
	struct file *f = get_file(t, (int)a0);
	if (!f)
		return -EBADF;
	long r = 0;
	mode_t type = file_type(f);
	if (!file_readable(f))
		r = -EBADF;
	else if (type != S_IFREG && type != S_IFBLK)
		r = -EINVAL;
	else if ((int64_t)count < 0)
		r = -EINVAL;
	file_put(f);
	return r;
}
