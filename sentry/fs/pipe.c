/* Pipes and FIFOs: a ring buffer in the sentry with the blocking, EOF,
 * SIGPIPE and PIPE_BUF-atomicity rules of pipe(7). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "sentry/fs/fs.h"
#include "sentry/kernel/kernel.h"
#include "sentry/mm/mm.h"

#define PIPE_DEFAULT_SIZE 65536
#define PIPE_MAX_SIZE     1048576   /* /proc/sys/fs/pipe-max-size */

struct pipe {
	pthread_mutex_t lock;
	atomic_long refcount;          /* open files, plus a FIFO inode's slot */
	char *buf;
	size_t cap, head, len;
	int readers, writers;
	unsigned r_opened, w_opened;   /* FIFO: opens so far, to wake open() */
	struct waitq rq;               /* readers wait for data, writers for readers */
	struct waitq wq;               /* writers wait for space, readers for writers */
};

static struct pipe *pipe_new(void)
{
	struct pipe *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->buf = malloc(PIPE_DEFAULT_SIZE);
	if (!p->buf) {
		free(p);
		return NULL;
	}
	p->cap = PIPE_DEFAULT_SIZE;
	pthread_mutex_init(&p->lock, NULL);
	atomic_init(&p->refcount, 1);
	waitq_init(&p->rq);
	waitq_init(&p->wq);
	return p;
}

static void pipe_put(struct pipe *p)
{
	if (atomic_fetch_sub(&p->refcount, 1) != 1)
		return;
	free(p->buf);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

static size_t pipe_copy_out(struct pipe *p, char *dst, size_t n)
{
	if (n > p->len)
		n = p->len;
	size_t first = p->cap - p->head < n ? p->cap - p->head : n;
	memcpy(dst, p->buf + p->head, first);
	memcpy(dst + first, p->buf, n - first);
	p->head = (p->head + n) % p->cap;
	p->len -= n;
	return n;
}

static size_t pipe_copy_in(struct pipe *p, const char *src, size_t n)
{
	size_t space = p->cap - p->len;
	if (n > space)
		n = space;
	size_t tail = (p->head + p->len) % p->cap;
	size_t first = p->cap - tail < n ? p->cap - tail : n;
	memcpy(p->buf + tail, src, first);
	memcpy(p->buf, src + first, n - first);
	p->len += n;
	return n;
}

/* Blocks on q until woken; returns -ERESTARTSYS on a signal.  Called with
 * p->lock held; returns with it held. */
static int pipe_wait(struct pipe *p, struct task *t, struct waitq *q, unsigned events)
{
	struct waitq_entry e;
	waitq_add(q, &e, t, events);
	pthread_mutex_unlock(&p->lock);
	int err = task_block(t, NULL, NULL, 0);
	waitq_del(q, &e);
	pthread_mutex_lock(&p->lock);
	return err == -EINTR ? -ERESTARTSYS : 0;
}

static ssize_t pipe_read(struct file *f, struct task *t, void *buf, size_t len, int64_t *pos)
{
	struct pipe *p = f->priv;
	if (len == 0)
		return 0;
	pthread_mutex_lock(&p->lock);
	ssize_t r;
	bool was_unwritable = false;
	for (;;) {
		if (p->len > 0) {
			/* Writers only wait (and POLLOUT is only off) while less than
			 * PIPE_BUF is free: wake them when that changes, not on every
			 * read, so edge-triggered EPOLLOUT fires as on Linux. */
			was_unwritable = p->cap - p->len < PIPE_BUF;
			r = (ssize_t)pipe_copy_out(p, buf, len);
			break;
		}
		if (p->writers == 0) {
			r = 0;
			break;
		}
		if (f->flags & O_NONBLOCK) {
			r = -EAGAIN;
			break;
		}
		if ((r = pipe_wait(p, t, &p->rq, POLLIN)) < 0)
			break;
	}
	pthread_mutex_unlock(&p->lock);
	if (r > 0 && was_unwritable)
		waitq_wake(&p->wq, POLLOUT);
	return r;
}

static ssize_t pipe_write(struct file *f, struct task *t, const void *buf, size_t len,
			  int64_t *pos)
{
	struct pipe *p = f->priv;
	size_t done = 0;
	ssize_t err = 0;
	if (len == 0)
		return 0;
	pthread_mutex_lock(&p->lock);
	for (;;) {
		if (p->readers == 0) {
			err = -EPIPE;
			break;
		}
		size_t space = p->cap - p->len;
		/* Up to PIPE_BUF bytes go in whole or not at all. */
		bool atomic = len - done <= PIPE_BUF && done == 0;
		if (space > 0 && (!atomic || space >= len)) {
			done += pipe_copy_in(p, (const char *)buf + done, len - done);
			waitq_wake(&p->rq, POLLIN);
			if (done == len)
				break;
			continue;
		}
		if (f->flags & O_NONBLOCK) {
			err = -EAGAIN;
			break;
		}
		if ((err = pipe_wait(p, t, &p->wq, POLLOUT)) < 0)
			break;
	}
	pthread_mutex_unlock(&p->lock);
	if (err == -EPIPE && done == 0)
		task_send_signal_self(t, SIGPIPE);
	if (done > 0)
		return (ssize_t)done;
	return err;
}

static unsigned pipe_poll(struct file *f, struct poll_table *pt)
{
	struct pipe *p = f->priv;
	if (pt) {
		if (file_readable(f))
			poll_wait(pt, &p->rq, 0);
		if (file_writable(f))
			poll_wait(pt, &p->wq, 0);
	}
	unsigned mask = 0;
	pthread_mutex_lock(&p->lock);
	if (file_readable(f)) {
		if (p->len > 0)
			mask |= POLLIN | POLLRDNORM;
		if (p->writers == 0 && p->w_opened > 0)
			mask |= POLLHUP;
	}
	if (file_writable(f)) {
		if (p->cap - p->len >= PIPE_BUF)
			mask |= POLLOUT | POLLWRNORM;
		if (p->readers == 0)
			mask |= POLLERR;
	}
	pthread_mutex_unlock(&p->lock);
	return mask;
}

static long pipe_ioctl(struct file *f, struct task *t, unsigned long cmd, uint64_t arg)
{
	struct pipe *p = f->priv;
	if (cmd != FIONREAD)
		return -ENOTTY;
	pthread_mutex_lock(&p->lock);
	int n = (int)p->len;
	pthread_mutex_unlock(&p->lock);
	return copy_to_user(t, arg, &n, sizeof n);
}

static void pipe_release(struct file *f)
{
	struct pipe *p = f->priv;
	pthread_mutex_lock(&p->lock);
	if (file_readable(f))
		p->readers--;
	if (file_writable(f))
		p->writers--;
	pthread_mutex_unlock(&p->lock);
	waitq_wake(&p->rq, 0);
	waitq_wake(&p->wq, 0);
	pipe_put(p);
}

static const struct file_ops pipe_fops = {
	.read = pipe_read,
	.write = pipe_write,
	.poll = pipe_poll,
	.ioctl = pipe_ioctl,
	.release = pipe_release,
};

long pipe_set_size(struct file *f, unsigned long size)
{
	if (f->fop != &pipe_fops)
		return -EBADF;
	struct pipe *p = f->priv;
	if (size > PIPE_MAX_SIZE)
		return -EPERM;
	size_t cap = 4096;
	while (cap < size)
		cap *= 2;
	pthread_mutex_lock(&p->lock);
	long r = (long)cap;
	if (cap < p->len) {
		r = -EBUSY;
	} else if (cap != p->cap) {
		char *nb = malloc(cap);
		if (!nb) {
			r = -ENOMEM;
		} else {
			size_t n = p->len;
			pipe_copy_out(p, nb, n);
			free(p->buf);
			p->buf = nb;
			p->cap = cap;
			p->head = 0;
			p->len = n;
		}
	}
	pthread_mutex_unlock(&p->lock);
	waitq_wake(&p->wq, POLLOUT);
	return r;
}

long pipe_get_size(struct file *f)
{
	if (f->fop != &pipe_fops)
		return -EBADF;
	struct pipe *p = f->priv;
	pthread_mutex_lock(&p->lock);
	long r = (long)p->cap;
	pthread_mutex_unlock(&p->lock);
	return r;
}

int pipe_info(struct file *f, struct pipe_info *pi)
{
	if (f->fop != &pipe_fops)
		return -EBADF;
	struct pipe *p = f->priv;
	pthread_mutex_lock(&p->lock);
	pi->len = p->len;
	pi->cap = p->cap;
	pi->readers = p->readers;
	pi->writers = p->writers;
	pthread_mutex_unlock(&p->lock);
	return 0;
}

long pipe_peek(struct file *f, void *buf, size_t len)
{
	if (f->fop != &pipe_fops)
		return -EBADF;
	struct pipe *p = f->priv;
	pthread_mutex_lock(&p->lock);
	size_t n = len < p->len ? len : p->len;
	size_t first = p->cap - p->head < n ? p->cap - p->head : n;
	memcpy(buf, p->buf + p->head, first);
	memcpy((char *)buf + first, p->buf, n - first);
	pthread_mutex_unlock(&p->lock);
	return (long)n;
}

/* Anonymous pipes get an inode on a pipefs of their own, for fstat. */
static struct super_block *pipefs_sb;

static void init_pipefs(void)
{
	pipefs_sb = sb_new("pipefs", PIPEFS_MAGIC, NULL, 0);
}

int pipe_create(unsigned flags, struct file **rd, struct file **wr)
{
	struct pipe *p = pipe_new();
	if (!p)
		return -ENOMEM;
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, init_pipefs);
	struct inode *inode = pipefs_sb ? inode_new(pipefs_sb, S_IFIFO | 0600, NULL, NULL) : NULL;
	if (!inode) {
		pipe_put(p);
		return -ENOMEM;
	}
	unsigned keep = flags & (O_NONBLOCK | O_DIRECT);
	struct file *r = file_new(inode, NULL, &pipe_fops, O_RDONLY | keep);
	struct file *w = file_new(inode, NULL, &pipe_fops, O_WRONLY | keep);
	inode_put(inode);
	if (!r || !w) {
		if (r) {
			r->fop = NULL;
			file_put(r);
		}
		if (w) {
			w->fop = NULL;
			file_put(w);
		}
		pipe_put(p);
		return -ENOMEM;
	}
	atomic_fetch_add(&p->refcount, 1);   /* one per file */
	p->readers = 1;
	p->writers = 1;
	p->r_opened = p->w_opened = 1;
	r->priv = p;
	w->priv = p;
	*rd = r;
	*wr = w;
	return 0;
}

int fifo_open(struct task *t, struct inode *inode, void **slot, struct file *f)
{
	pthread_mutex_lock(&inode->lock);
	struct pipe *p = *slot;
	if (!p) {
		p = pipe_new();
		if (!p) {
			pthread_mutex_unlock(&inode->lock);
			return -ENOMEM;
		}
		*slot = p;   /* the inode's reference (never dropped: FIFOs are few) */
	}
	atomic_fetch_add(&p->refcount, 1);
	pthread_mutex_unlock(&inode->lock);

	f->priv = p;
	f->fop = &pipe_fops;
	bool rd = file_readable(f), wr = file_writable(f);
	pthread_mutex_lock(&p->lock);
	if (wr && !rd && p->readers == 0 && (f->flags & O_NONBLOCK)) {
		pthread_mutex_unlock(&p->lock);
		pipe_put(p);
		f->fop = NULL;
		return -ENXIO;
	}
	if (rd) {
		p->readers++;
		p->r_opened++;
	}
	if (wr) {
		p->writers++;
		p->w_opened++;
	}
	waitq_wake(&p->rq, 0);
	waitq_wake(&p->wq, 0);
	int err = 0;
	if (!(f->flags & O_NONBLOCK) && rd != wr) {
		/* A reader waits for a writer and a writer for a reader. */
		unsigned seen = rd ? p->w_opened : p->r_opened;
		while (err == 0 && (rd ? p->writers == 0 && p->w_opened == seen
				       : p->readers == 0 && p->r_opened == seen))
			err = pipe_wait(p, t, rd ? &p->wq : &p->rq, 0);
	}
	pthread_mutex_unlock(&p->lock);
	if (err < 0)
		pipe_release(f);   /* undo the counts */
	if (err < 0)
		f->fop = NULL;
	return err;
}
