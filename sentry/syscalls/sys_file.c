/* File descriptors and I/O: open, close, read, write and their vector and
 * positional forms, lseek, dup, fcntl, ioctl, pipe, getdents64, fsync,
 * truncate. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/uio.h>

#include "common/cleanup.h"
#include "sentry/fs/fs.h"
#include "sentry/kernel/kernel.h"
#include "sentry/mm/mm.h"
#include "sentry/syscalls/syscalls.h"
#include "sentry/syscalls/util.h"

#define IO_CHUNK     (256 * 1024)
#define MAX_RW_COUNT 0x7ffff000L

unsigned nofile_limit(struct task *t)
{
	pthread_mutex_lock(&t->k->lock);
	rlim_t cur = t->tg->rlim[RLIMIT_NOFILE].rlim_cur;
	pthread_mutex_unlock(&t->k->lock);
	return cur > (1 << 20) ? (1 << 20) : (unsigned)cur;
}

int install_fd(struct task *t, struct file *f, bool cloexec)
{
	return fd_install(t->files, f, 0, cloexec, nofile_limit(t));
}

/* --- open and close ------------------------------------------------------------ */

static long do_openat(struct task *t, int dirfd, uint64_t upath, int flags, mode_t mode)
{
	_cleanup_free_ char *path = NULL;
	long err = copy_path_from_user(t, upath, &path);
	if (err < 0)
		return err;
	if ((flags & O_TMPFILE) == O_TMPFILE)
		return -EOPNOTSUPP;
	struct walk_root wr;
	if ((err = task_walk_root(t, dirfd, path, &wr)) < 0)
		return err;
	struct file *f;
	err = vfs_open(t, &wr, path, flags, mode, &f);
	walk_root_put(&wr);
	if (err < 0)
		return err;
	err = install_fd(t, f, flags & O_CLOEXEC);
	file_put(f);
	return err;
}

SYSCALL_DEFINE(open)
{
	return do_openat(t, AT_FDCWD, a0, (int)a1, (mode_t)a2);
}

SYSCALL_DEFINE(openat)
{
	return do_openat(t, (int)a0, a1, (int)a2, (mode_t)a3);
}

SYSCALL_DEFINE(creat)
{
	return do_openat(t, AT_FDCWD, a0, O_CREAT | O_WRONLY | O_TRUNC, (mode_t)a1);
}

SYSCALL_DEFINE(close)
{
	return fd_close(t->files, (int)a0);
}

SYSCALL_DEFINE(close_range)
{
	unsigned first = (unsigned)a0, last = (unsigned)a1, flags = (unsigned)a2;
	if (flags & ~(unsigned)(CLOSE_RANGE_CLOEXEC | CLOSE_RANGE_UNSHARE))
		return -EINVAL;
	if (first > last)
		return -EINVAL;
	int max = fdtable_max_fd(t->files);
	for (unsigned fd = first; fd <= last && fd < (unsigned)max; fd++) {
		if (flags & CLOSE_RANGE_CLOEXEC)
			fd_set_cloexec(t->files, (int)fd, true);
		else
			fd_close(t->files, (int)fd);
	}
	return 0;
}

/* --- read and write ---------------------------------------------------------------- */

static bool is_regular(struct file *f)
{
	return f->inode && S_ISREG(f->inode->mode);
}

/* Files whose read(2) may stop at the first unwritable byte of the buffer, as
 * Linux's regular files do (a short read; -EFAULT if none was written): those
 * with read_user, whose offset says all there is to know about what was
 * read, so that bytes read but not delivered can be given back.  Others
 * (pipes, sockets: data would be lost) check the whole buffer first. */
static bool reads_to_first_fault(struct file *f)
{
	return is_regular(f) && f->fop->read_user && f->fop->llseek;
}

/* Reads into guest memory in chunks; pos is the offset to use and update.
 * Stops at the first short read (a pipe must not block twice). */
static long read_to_user(struct task *t, struct file *f, uint64_t buf, size_t len, int64_t *pos)
{
	if (len > MAX_RW_COUNT)
		len = MAX_RW_COUNT;
	bool to_fault = reads_to_first_fault(f);
	if (!to_fault && !mm_access_ok(t, buf, len, PROT_WRITE))
		return -EFAULT;
	size_t chunk = len < IO_CHUNK ? len : IO_CHUNK;
	char *kbuf = task_io_buffer(t, chunk);
	if (!kbuf)
		return -ENOMEM;
	if (len == 0)   /* still the file's to answer (eventfd: EINVAL) */
		return f->fop->read(f, t, kbuf, 0, pos);
	if (f->fop->read_user) {
		ssize_t r = f->fop->read_user(f, t, buf, len, pos);
		if (r != -EOPNOTSUPP) {
			if (r > 0)
				fsnotify_access(f);
			return r;
		}
	}
	size_t done = 0;
	while (done < len) {
		size_t n = len - done < chunk ? len - done : chunk;
		ssize_t r = f->fop->read(f, t, kbuf, n, pos);
		if (r < 0)
			return done ? (long)done : r;
		if (r == 0)
			break;
		size_t out = to_fault ? copy_to_user_partial(t, buf + done, kbuf, (size_t)r)
				      : copy_to_user(t, buf + done, kbuf, (size_t)r) < 0 ? 0
											  : (size_t)r;
		done += out;
		if (out < (size_t)r) {
			if (to_fault)
				*pos -= r - (ssize_t)out;   /* not delivered: not read */
			if (!done)
				return -EFAULT;
			break;
		}
		if ((size_t)r < n || !is_regular(f))
			break;
	}
	if (done > 0)
		fsnotify_access(f);
	return (long)done;
}

static long write_from_user(struct task *t, struct file *f, uint64_t buf, size_t len,
			    int64_t *pos)
{
	if (len > MAX_RW_COUNT)
		len = MAX_RW_COUNT;
	if (!mm_access_ok(t, buf, len, PROT_READ))
		return -EFAULT;
	size_t chunk = len < IO_CHUNK ? len : IO_CHUNK;
	char *kbuf = task_io_buffer(t, chunk);
	if (!kbuf)
		return -ENOMEM;
	size_t done = 0;
	if (len == 0) {
		/* A zero-length write still checks the file (and can fail). */
		return f->fop->write(f, t, kbuf, 0, pos);
	}
	if (is_regular(f)) {
		/* RLIMIT_FSIZE: SIGXFSZ and EFBIG at the limit, a short write
		 * before it. */
		int64_t at = *pos;
		if (f->flags & O_APPEND) {
			pthread_mutex_lock(&f->inode->lock);
			at = f->inode->size;
			pthread_mutex_unlock(&f->inode->lock);
		}
		int err = task_check_fsize(t, at, &len);
		if (err < 0)
			return err;
	}
	while (done < len) {
		size_t n = len - done < chunk ? len - done : chunk;
		if (copy_from_user(t, kbuf, buf + done, n) < 0)
			return done ? (long)done : -EFAULT;
		ssize_t r = f->fop->write(f, t, kbuf, n, pos);
		if (r < 0)
			return done ? (long)done : r;
		done += (size_t)r;
		if ((size_t)r < n)
			break;
	}
	if (done > 0)
		fsnotify_modify(f);
	return (long)done;
}

static struct file *get_readable(struct task *t, int fd, long *err)
{
	struct file *f = fd_get(t->files, fd);
	*err = -EBADF;
	if (!f)
		return NULL;
	if (!f->fop || !file_readable(f)) {
		file_put(f);
		return NULL;
	}
	if (!f->fop->read) {
		*err = f->fop->readdir ? -EISDIR : -EINVAL;
		file_put(f);
		return NULL;
	}
	return f;
}

static struct file *get_writable(struct task *t, int fd, long *err)
{
	struct file *f = fd_get(t->files, fd);
	*err = -EBADF;
	if (!f)
		return NULL;
	if (!f->fop || !file_writable(f)) {
		file_put(f);
		return NULL;
	}
	if (!f->fop->write) {
		*err = -EINVAL;
		file_put(f);
		return NULL;
	}
	return f;
}

/* Seekable files serialise on their offset (as Linux's fdget_pos). */
static bool lock_pos(struct file *f)
{
	if (!f->fop->llseek)
		return false;
	pthread_mutex_lock(&f->pos_lock);
	return true;
}

/* Files that take a whole request from guest memory at once (sockets:
 * file_ops.read_iov/write_iov). */
static bool whole_iov_io(struct file *f, bool write)
{
	return write ? f->fop->write_iov != NULL : f->fop->read_iov != NULL;
}

static long iov_io(struct task *t, struct file *f, const struct iovec *iov, int n, bool write)
{
	return write ? f->fop->write_iov(f, t, iov, n) : f->fop->read_iov(f, t, iov, n);
}

/* read/write at the file's offset, or pread/pwrite at *at. */
static long rw(struct task *t, int fd, uint64_t buf, size_t len, const int64_t *at, bool write)
{
	long err;
	if (at && *at < 0)
		return -EINVAL;
	struct file *f = write ? get_writable(t, fd, &err) : get_readable(t, fd, &err);
	if (!f)
		return err;
	long r;
	if (!at && whole_iov_io(f, write)) {
		struct iovec v = { (void *)buf, len };
		r = iov_io(t, f, &v, 1, write);
	} else if (at) {
		int64_t pos = *at;
		if (!f->fop->llseek)
			r = -ESPIPE;
		else
			r = write ? write_from_user(t, f, buf, len, &pos)
				  : read_to_user(t, f, buf, len, &pos);
	} else {
		bool locked = lock_pos(f);
		int64_t pos = f->pos;
		r = write ? write_from_user(t, f, buf, len, &pos) : read_to_user(t, f, buf, len, &pos);
		f->pos = pos;
		if (locked)
			pthread_mutex_unlock(&f->pos_lock);
	}
	file_put(f);
	return r;
}

SYSCALL_DEFINE(read)
{
	return rw(t, (int)a0, a1, a2, NULL, false);
}

SYSCALL_DEFINE(write)
{
	return rw(t, (int)a0, a1, a2, NULL, true);
}

SYSCALL_DEFINE(pread64)
{
	int64_t pos = (int64_t)a3;
	return rw(t, (int)a0, a1, a2, &pos, false);
}

SYSCALL_DEFINE(pwrite64)
{
	int64_t pos = (int64_t)a3;
	return rw(t, (int)a0, a1, a2, &pos, true);
}

/* Copies and checks an iovec array. */
static long copy_iovec(struct task *t, uint64_t uiov, uint64_t count, struct iovec **out)
{
	if (count > IOV_MAX)
		return -EINVAL;
	if (count == 0) {
		*out = NULL;
		return 0;
	}
	struct iovec *iov = calloc(count, sizeof *iov);
	if (!iov)
		return -ENOMEM;
	if (copy_from_user(t, iov, uiov, count * sizeof *iov) < 0) {
		free(iov);
		return -EFAULT;
	}
	uint64_t total = 0;
	for (uint64_t i = 0; i < count; i++) {
		if ((int64_t)iov[i].iov_len < 0 || iov[i].iov_len > (uint64_t)SSIZE_MAX - total) {
			free(iov);
			return -EINVAL;
		}
		total += iov[i].iov_len;
	}
	*out = iov;
	return 0;
}

static long vector_io(struct task *t, int fd, uint64_t uiov, uint64_t count, int64_t *upos,
		      bool write)
{
	struct iovec *iov;
	long err = copy_iovec(t, uiov, count, &iov);
	if (err < 0)
		return err;
	struct file *f = write ? get_writable(t, fd, &err) : get_readable(t, fd, &err);
	if (!f) {
		free(iov);
		return err;
	}
	if (!upos && whole_iov_io(f, write)) {
		long r = iov_io(t, f, iov, (int)count, write);
		file_put(f);
		free(iov);
		return r;
	}
	bool locked = false;
	int64_t pos;
	if (upos) {
		if (!f->fop->llseek) {
			file_put(f);
			free(iov);
			return -ESPIPE;
		}
		pos = *upos;
	} else {
		locked = lock_pos(f);
		pos = f->pos;
	}
	long done = 0;
	for (uint64_t i = 0; i < count; i++) {
		if (iov[i].iov_len == 0)
			continue;
		long r = write ? write_from_user(t, f, (uint64_t)iov[i].iov_base, iov[i].iov_len, &pos)
			       : read_to_user(t, f, (uint64_t)iov[i].iov_base, iov[i].iov_len, &pos);
		if (r < 0) {
			if (done == 0)
				done = r;
			break;
		}
		done += r;
		if ((size_t)r < iov[i].iov_len)
			break;
	}
	if (!upos)
		f->pos = pos;
	if (locked)
		pthread_mutex_unlock(&f->pos_lock);
	file_put(f);
	free(iov);
	return done;
}

SYSCALL_DEFINE(readv)
{
	return vector_io(t, (int)a0, a1, a2, NULL, false);
}

SYSCALL_DEFINE(writev)
{
	return vector_io(t, (int)a0, a1, a2, NULL, true);
}

SYSCALL_DEFINE(preadv)
{
	int64_t pos = (int64_t)a3;
	if (pos < 0)
		return -EINVAL;
	return vector_io(t, (int)a0, a1, a2, &pos, false);
}

SYSCALL_DEFINE(pwritev)
{
	int64_t pos = (int64_t)a3;
	if (pos < 0)
		return -EINVAL;
	return vector_io(t, (int)a0, a1, a2, &pos, true);
}

SYSCALL_DEFINE(preadv2)
{
	int64_t pos = (int64_t)a3;
	if (pos < -1)
		return -EINVAL;
	return vector_io(t, (int)a0, a1, a2, pos == -1 ? NULL : &pos, false);
}

SYSCALL_DEFINE(pwritev2)
{
	int64_t pos = (int64_t)a3;
	if (pos < -1)
		return -EINVAL;
	return vector_io(t, (int)a0, a1, a2, pos == -1 ? NULL : &pos, true);
}

SYSCALL_DEFINE(lseek)
{
	struct file *f = fd_get(t->files, (int)a0);
	if (!f)
		return -EBADF;
	long r;
	if (!f->fop) {
		r = -EBADF;
	} else if (!f->fop->llseek) {
		r = -ESPIPE;
	} else if ((int)a2 < SEEK_SET || (int)a2 > SEEK_HOLE) {
		r = -EINVAL;
	} else {
		pthread_mutex_lock(&f->pos_lock);
		r = f->fop->llseek(f, (int64_t)a1, (int)a2);
		if (r >= 0)
			f->pos = r;
		pthread_mutex_unlock(&f->pos_lock);
	}
	file_put(f);
	return r;
}

/* --- dup and fcntl -------------------------------------------------------------------- */

SYSCALL_DEFINE(dup)
{
	struct file *f = fd_get(t->files, (int)a0);
	if (!f)
		return -EBADF;
	long r = install_fd(t, f, false);
	file_put(f);
	return r;
}

static long do_dup3(struct task *t, int oldfd, int newfd, int flags)
{
	if (flags & ~O_CLOEXEC)
		return -EINVAL;
	struct file *f = fd_get(t->files, oldfd);
	if (!f)
		return -EBADF;
	long r = fd_install_at(t->files, newfd, f, flags & O_CLOEXEC, nofile_limit(t));
	file_put(f);
	return r;
}

SYSCALL_DEFINE(dup2)
{
	int oldfd = (int)a0, newfd = (int)a1;
	if (oldfd == newfd) {
		struct file *f = fd_get(t->files, oldfd);
		if (!f)
			return -EBADF;
		file_put(f);
		return newfd;
	}
	return do_dup3(t, oldfd, newfd, 0);
}

SYSCALL_DEFINE(dup3)
{
	if ((int)a0 == (int)a1)
		return -EINVAL;
	return do_dup3(t, (int)a0, (int)a1, (int)a2);
}

#define SETFL_MASK (O_APPEND | O_NONBLOCK | O_ASYNC | O_DIRECT | O_NOATIME)

SYSCALL_DEFINE(fcntl)
{
	int fd = (int)a0, cmd = (int)a1;
	struct file *f = fd_get(t->files, fd);
	if (!f)
		return -EBADF;
	long r;
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if ((int)a2 < 0 || (unsigned)(int)a2 >= nofile_limit(t))
			r = -EINVAL;
		else
			r = fd_install(t->files, f, (int)a2, cmd == F_DUPFD_CLOEXEC, nofile_limit(t));
		break;
	case F_GETFD:
		r = fd_get_cloexec(t->files, fd) > 0 ? FD_CLOEXEC : 0;
		break;
	case F_SETFD:
		r = fd_set_cloexec(t->files, fd, a2 & FD_CLOEXEC);
		break;
	case F_GETFL:
		r = f->flags;
		break;
	case F_SETFL:
		if (!f->fop) {
			r = -EBADF;   /* O_PATH */
			break;
		}
		f->flags = (f->flags & ~(unsigned)SETFL_MASK) | ((unsigned)a2 & SETFL_MASK);
		r = 0;
		break;
	case F_GETPIPE_SZ:
		r = pipe_get_size(f);
		break;
	case F_SETPIPE_SZ:
		r = pipe_set_size(f, (unsigned long)a2);
		break;
	case F_SETOWN:
	case F_SETSIG:
	case F_SETLEASE:
	case F_NOTIFY:
		r = 0;
		break;
	case F_GETOWN:
	case F_GETSIG:
		r = 0;
		break;
	case F_GETLEASE:
		r = F_UNLCK;
		break;
	case F_ADD_SEALS:
	case F_GET_SEALS:
		r = memfd_fcntl(t, f, cmd, a2);
		break;
	default:
		r = fcntl_lock(t, fd, f, cmd, a2);
		break;
	}
	file_put(f);
	return r;
}

SYSCALL_DEFINE(ioctl)
{
	int fd = (int)a0;
	unsigned long cmd = (unsigned long)(uint32_t)a1;
	struct file *f = fd_get(t->files, fd);
	if (!f)
		return -EBADF;
	long r;
	switch (cmd) {
	case FIOCLEX:
		r = fd_set_cloexec(t->files, fd, true);
		break;
	case FIONCLEX:
		r = fd_set_cloexec(t->files, fd, false);
		break;
	case FIONBIO: {
		int on;
		r = copy_from_user(t, &on, a2, sizeof on);
		if (r == 0) {
			if (on)
				f->flags |= O_NONBLOCK;
			else
				f->flags &= ~(unsigned)O_NONBLOCK;
		}
		break;
	}
	case FIOASYNC:
		r = 0;
		break;
	default:
		if (!f->fop)
			r = -EBADF;
		else if (f->fop->ioctl)
			r = f->fop->ioctl(f, t, cmd, a2);
		else if (cmd == FIONREAD && is_regular(f)) {
			pthread_mutex_lock(&f->inode->lock);
			int64_t left = f->inode->size - f->pos;
			pthread_mutex_unlock(&f->inode->lock);
			int n = left > 0 ? (left > INT_MAX ? INT_MAX : (int)left) : 0;
			r = copy_to_user(t, a2, &n, sizeof n);
		} else
			r = -ENOTTY;
		break;
	}
	file_put(f);
	return r;
}

/* --- pipes ------------------------------------------------------------------------- */

static long do_pipe2(struct task *t, uint64_t ufds, int flags)
{
	if (flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT))
		return -EINVAL;
	struct file *rd, *wr;
	long err = pipe_create((unsigned)flags, &rd, &wr);
	if (err < 0)
		return err;
	int fds[2] = { -1, -1 };
	fds[0] = install_fd(t, rd, flags & O_CLOEXEC);
	if (fds[0] >= 0)
		fds[1] = install_fd(t, wr, flags & O_CLOEXEC);
	file_put(rd);
	file_put(wr);
	if (fds[1] < 0) {
		err = fds[0] < 0 ? fds[0] : fds[1];
		if (fds[0] >= 0)
			fd_close(t->files, fds[0]);
		return err;
	}
	if (copy_to_user(t, ufds, fds, sizeof fds) < 0) {
		fd_close(t->files, fds[0]);
		fd_close(t->files, fds[1]);
		return -EFAULT;
	}
	return 0;
}

SYSCALL_DEFINE(pipe)
{
	return do_pipe2(t, a0, 0);
}

SYSCALL_DEFINE(pipe2)
{
	return do_pipe2(t, a0, (int)a1);
}

/* --- directories -------------------------------------------------------------------- */

struct dirent_buf {
	struct dir_emitter e;
	char *buf;
	size_t size, used;
};

static bool emit_dirent64(struct dir_emitter *e, const char *name, size_t namelen, uint64_t ino,
			  unsigned char type, int64_t next_pos)
{
	struct dirent_buf *db = (struct dirent_buf *)e;
	size_t reclen = (offsetof(struct dirent64, d_name) + namelen + 1 + 7) & ~(size_t)7;
	if (db->used + reclen > db->size)
		return false;
	struct dirent64 *d = (struct dirent64 *)(db->buf + db->used);
	memset(d, 0, reclen);
	d->d_ino = ino;
	d->d_off = next_pos;
	d->d_reclen = (unsigned short)reclen;
	d->d_type = type;
	memcpy(d->d_name, name, namelen);
	db->used += reclen;
	return true;
}

SYSCALL_DEFINE(getdents64)
{
	size_t count = (size_t)(unsigned)a2;
	if (count > (1 << 20))
		count = 1 << 20;
	struct file *f = fd_get(t->files, (int)a0);
	if (!f)
		return -EBADF;
	long r;
	if (!f->fop) {
		r = -EBADF;
	} else if (!f->fop->readdir) {
		r = -ENOTDIR;
	} else if (!mm_access_ok(t, a1, count, PROT_WRITE)) {
		r = -EFAULT;
	} else {
		struct dirent_buf db = { .e.emit = emit_dirent64, .size = count };
		db.buf = malloc(count ? count : 1);
		if (!db.buf) {
			file_put(f);
			return -ENOMEM;
		}
		pthread_mutex_lock(&f->pos_lock);
		db.e.pos = f->pos;
		r = f->fop->readdir(f, &db.e);
		if (r == 0) {
			if (db.used == 0 && db.e.pos == f->pos) {
				/* Nothing fitted, or the end: tell them apart. */
				char probe[sizeof(struct dirent64) + NAME_MAX + 1];
				struct dirent_buf pb = { .e.emit = emit_dirent64, .buf = probe,
							 .size = sizeof probe };
				pb.e.pos = f->pos;
				f->fop->readdir(f, &pb.e);
				r = pb.used ? -EINVAL : 0;
			} else {
				f->pos = db.e.pos;
				r = copy_to_user(t, a1, db.buf, db.used) < 0 ? -EFAULT : (long)db.used;
			}
		}
		pthread_mutex_unlock(&f->pos_lock);
		free(db.buf);
		if (r >= 0)
			fsnotify_access(f);
	}
	file_put(f);
	return r;
}

/* --- sync and truncate -------------------------------------------------------------- */

SYSCALL_DEFINE(fsync)
{
	struct file *f = fd_get(t->files, (int)a0);
	if (!f)
		return -EBADF;
	long r = !f->fop ? -EBADF : f->fop->fsync ? f->fop->fsync(f) : -EINVAL;
	file_put(f);
	return r;
}

SYSCALL_DEFINE(fdatasync)
{
	return sys_fsync(t, a0, 0, 0, 0, 0, 0);
}

SYSCALL_DEFINE(sync)
{
	return 0;
}

SYSCALL_DEFINE(syncfs)
{
	struct file *f = fd_get(t->files, (int)a0);
	if (!f)
		return -EBADF;
	file_put(f);
	return 0;
}

SYSCALL_DEFINE(ftruncate)
{
	int64_t len = (int64_t)a1;
	if (len < 0)
		return -EINVAL;
	struct file *f = fd_get(t->files, (int)a0);
	if (!f)
		return -EBADF;
	long r;
	if (!f->fop)
		r = -EBADF;
	else if (!file_writable(f) || !is_regular(f))
		r = -EINVAL;
	else if (!f->inode->iop || !f->inode->iop->setattr)
		r = -EINVAL;
	else {
		struct iattr attr = { .valid = ATTR_SIZE | ATTR_MTIME | ATTR_CTIME, .size = len };
		attr.mtime = ts_now(CLOCK_REALTIME);
		r = task_check_fsize_truncate(t, f->inode, len);
		if (r == 0)
			r = f->inode->iop->setattr(f->inode, &attr);
		if (r == 0 && f->path.dentry)
			fsnotify_change(f->path.dentry, attr.valid);
	}
	file_put(f);
	return r;
}

/* --- sendfile ------------------------------------------------------------------------- */

SYSCALL_DEFINE(sendfile)
{
	int out_fd = (int)a0, in_fd = (int)a1;
	uint64_t uoff = a2;
	size_t count = (size_t)a3;
	long err;
	struct file *in = get_readable(t, in_fd, &err);
	if (!in)
		return err;
	struct file *out = get_writable(t, out_fd, &err);
	if (!out) {
		file_put(in);
		return err;
	}
	long r;
	if (out->flags & O_APPEND) {
		r = -EINVAL;
	} else if (uoff) {
		int64_t off;
		if (copy_from_user(t, &off, uoff, sizeof off) < 0) {
			r = -EFAULT;
		} else if (off < 0) {
			r = -EINVAL;
		} else if (!in->fop->llseek) {
			r = -ESPIPE;
		} else {
			r = file_copy(t, in, &off, out, NULL, count);
			if (r >= 0 && copy_to_user(t, uoff, &off, sizeof off) < 0)
				r = -EFAULT;
		}
	} else {
		bool locked = lock_pos(in);
		int64_t pos = in->pos;
		r = file_copy(t, in, &pos, out, NULL, count);
		in->pos = pos;
		if (locked)
			pthread_mutex_unlock(&in->pos_lock);
	}
	file_put(in);
	file_put(out);
	return r;
}
