/* Open files and fd tables. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

#include "sentry/vfs/vfs.h"

struct file *file_new(struct inode *inode, const struct path *path, const struct file_ops *fop,
		      unsigned flags)
{
	struct file *f = calloc(1, sizeof *f);
	if (!f)
		return NULL;
	atomic_init(&f->refcount, 1);
	f->fop = fop;
	if (path && path->dentry) {
		f->path = *path;
		path_get(&f->path);
	}
	if (inode) {
		inode_get(inode);
		f->inode = inode;
	}
	f->flags = flags;
	pthread_mutex_init(&f->pos_lock, NULL);
	return f;
}

void file_get(struct file *f)
{
	atomic_fetch_add(&f->refcount, 1);
}

static _Atomic(const struct file_lock_hooks *) lock_hooks;

void vfs_set_lock_hooks(const struct file_lock_hooks *hooks)
{
	atomic_store(&lock_hooks, hooks);
}

void file_put(struct file *f)
{
	if (!f || atomic_fetch_sub(&f->refcount, 1) != 1)
		return;
	fsnotify_close(f);
	if (atomic_load(&f->ep_links))
		eventpoll_release(f);
	const struct file_lock_hooks *h = atomic_load(&lock_hooks);
	if (h && f->inode)
		h->file_released(f);
	if (f->fop && f->fop->release)
		f->fop->release(f);
	if (f->write_access)
		inode_put_write(f->inode);
	path_put(&f->path);
	inode_put(f->inode);
	pthread_mutex_destroy(&f->pos_lock);
	free(f);
}

int64_t generic_llseek(struct file *f, int64_t off, int whence)
{
	int64_t base;
	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = f->pos;
		break;
	case SEEK_END:
		pthread_mutex_lock(&f->inode->lock);
		base = f->inode->size;
		pthread_mutex_unlock(&f->inode->lock);
		break;
	case SEEK_DATA:
	case SEEK_HOLE: {
		pthread_mutex_lock(&f->inode->lock);
		int64_t size = f->inode->size;
		pthread_mutex_unlock(&f->inode->lock);
		if (off < 0 || off >= size)
			return -ENXIO;
		return whence == SEEK_DATA ? off : size;
	}
	default:
		return -EINVAL;
	}
	if ((off > 0 && base > INT64_MAX - off) || base + off < 0)
		return -EINVAL;
	return base + off;
}

/* --- fd tables ----------------------------------------------------------------- */

struct fd_entry {
	struct file *file;
	bool cloexec;
};

struct fdtable {
	atomic_long refcount;
	pthread_mutex_t lock;
	struct fd_entry *fds;
	int size;
	int count;
};

/* Descriptors beyond this are refused whatever RLIMIT_NOFILE says (as
 * fs.nr_open on Linux). */
#define FD_HARD_MAX (1 << 20)

/* An fd of table t that held f is gone (Linux's filp_close): the table's
 * POSIX locks on the file go with it. */
static void fd_closed(struct fdtable *t, struct file *f)
{
	const struct file_lock_hooks *h = atomic_load(&lock_hooks);
	if (h && f->inode)
		h->fd_closed(f, t);
	if (f->fop && f->fop->flush)
		f->fop->flush(f);
	file_put(f);
}

struct fdtable *fdtable_new(void)
{
	struct fdtable *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	atomic_init(&t->refcount, 1);
	pthread_mutex_init(&t->lock, NULL);
	return t;
}

struct fdtable *fdtable_copy(struct fdtable *src)
{
	struct fdtable *t = fdtable_new();
	if (!t)
		return NULL;
	pthread_mutex_lock(&src->lock);
	t->fds = calloc((size_t)src->size ? (size_t)src->size : 1, sizeof *t->fds);
	if (!t->fds) {
		pthread_mutex_unlock(&src->lock);
		free(t);
		return NULL;
	}
	t->size = src->size;
	for (int i = 0; i < src->size; i++) {
		t->fds[i] = src->fds[i];
		if (t->fds[i].file)
			file_get(t->fds[i].file);
	}
	t->count = src->count;
	pthread_mutex_unlock(&src->lock);
	return t;
}

void fdtable_get(struct fdtable *t)
{
	atomic_fetch_add(&t->refcount, 1);
}

void fdtable_put(struct fdtable *t)
{
	if (!t || atomic_fetch_sub(&t->refcount, 1) != 1)
		return;
	for (int i = 0; i < t->size; i++)
		if (t->fds[i].file)
			fd_closed(t, t->fds[i].file);
	free(t->fds);
	pthread_mutex_destroy(&t->lock);
	free(t);
}

static int grow_locked(struct fdtable *t, int fd)
{
	if (fd < t->size)
		return 0;
	int size = t->size ? t->size : 64;
	while (size <= fd)
		size *= 2;
	struct fd_entry *fds = realloc(t->fds, (size_t)size * sizeof *fds);
	if (!fds)
		return -ENOMEM;
	memset(fds + t->size, 0, (size_t)(size - t->size) * sizeof *fds);
	t->fds = fds;
	t->size = size;
	return 0;
}

int fd_install(struct fdtable *t, struct file *f, int min_fd, bool cloexec, unsigned limit)
{
	if (limit > FD_HARD_MAX)
		limit = FD_HARD_MAX;
	if (min_fd < 0 || (unsigned)min_fd >= limit)
		return -EMFILE;
	pthread_mutex_lock(&t->lock);
	int fd = min_fd;
	while (fd < t->size && t->fds[fd].file)
		fd++;
	int err = (unsigned)fd >= limit ? -EMFILE : grow_locked(t, fd);
	if (err < 0) {
		pthread_mutex_unlock(&t->lock);
		return err;
	}
	file_get(f);
	t->fds[fd].file = f;
	t->fds[fd].cloexec = cloexec;
	t->count++;
	pthread_mutex_unlock(&t->lock);
	return fd;
}

int fd_install_at(struct fdtable *t, int fd, struct file *f, bool cloexec, unsigned limit)
{
	if (limit > FD_HARD_MAX)
		limit = FD_HARD_MAX;
	if (fd < 0 || (unsigned)fd >= limit)
		return -EBADF;
	pthread_mutex_lock(&t->lock);
	int err = grow_locked(t, fd);
	if (err < 0) {
		pthread_mutex_unlock(&t->lock);
		return err;
	}
	struct file *old = t->fds[fd].file;
	file_get(f);
	t->fds[fd].file = f;
	t->fds[fd].cloexec = cloexec;
	if (!old)
		t->count++;
	pthread_mutex_unlock(&t->lock);
	if (old)
		fd_closed(t, old);
	return fd;
}

struct file *fd_get(struct fdtable *t, int fd)
{
	struct file *f = NULL;
	pthread_mutex_lock(&t->lock);
	if (fd >= 0 && fd < t->size && t->fds[fd].file) {
		f = t->fds[fd].file;
		file_get(f);
	}
	pthread_mutex_unlock(&t->lock);
	return f;
}

int fd_close(struct fdtable *t, int fd)
{
	pthread_mutex_lock(&t->lock);
	if (fd < 0 || fd >= t->size || !t->fds[fd].file) {
		pthread_mutex_unlock(&t->lock);
		return -EBADF;
	}
	struct file *f = t->fds[fd].file;
	t->fds[fd].file = NULL;
	t->fds[fd].cloexec = false;
	t->count--;
	pthread_mutex_unlock(&t->lock);
	fd_closed(t, f);
	return 0;
}

int fd_get_cloexec(struct fdtable *t, int fd)
{
	int r = -EBADF;
	pthread_mutex_lock(&t->lock);
	if (fd >= 0 && fd < t->size && t->fds[fd].file)
		r = t->fds[fd].cloexec;
	pthread_mutex_unlock(&t->lock);
	return r;
}

int fd_set_cloexec(struct fdtable *t, int fd, bool cloexec)
{
	int r = -EBADF;
	pthread_mutex_lock(&t->lock);
	if (fd >= 0 && fd < t->size && t->fds[fd].file) {
		t->fds[fd].cloexec = cloexec;
		r = 0;
	}
	pthread_mutex_unlock(&t->lock);
	return r;
}

void fdtable_close_on_exec(struct fdtable *t)
{
	for (;;) {
		struct file *f = NULL;
		pthread_mutex_lock(&t->lock);
		for (int i = 0; i < t->size; i++) {
			if (t->fds[i].file && t->fds[i].cloexec) {
				f = t->fds[i].file;
				t->fds[i].file = NULL;
				t->fds[i].cloexec = false;
				t->count--;
				break;
			}
		}
		pthread_mutex_unlock(&t->lock);
		if (!f)
			return;
		fd_closed(t, f);   /* outside the lock: release may block */
	}
}

int fdtable_max_fd(struct fdtable *t)
{
	pthread_mutex_lock(&t->lock);
	int max = t->size;
	while (max > 0 && !t->fds[max - 1].file)
		max--;
	pthread_mutex_unlock(&t->lock);
	return max;
}

int fdtable_count(struct fdtable *t)
{
	pthread_mutex_lock(&t->lock);
	int n = t->count;
	pthread_mutex_unlock(&t->lock);
	return n;
}

bool fdtable_shared(struct fdtable *t)
{
	return atomic_load(&t->refcount) > 1;
}
