/* eventfd: a 64-bit counter read and written 8 bytes at a time (Linux's
 * fs/eventfd.c).  A write adds, blocking while the sum would reach
 * UINT64_MAX; a read takes the whole count (or 1 with EFD_SEMAPHORE),
 * blocking while it is 0. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>

#include "sentry/fs/events.h"
#include "sentry/fs/fs.h"

#define EVENTFD_MAX (UINT64_MAX - 1)   /* the largest count a write may reach */

struct eventfd {
	pthread_mutex_t lock;
	uint64_t count;
	bool semaphore;
	struct waitq wq;   /* readers (POLLIN), writers (POLLOUT) and pollers */
};

/* Sleeps on the counter's queue for events; lock held on entry and on
 * return.  -ERESTARTSYS if a signal came. */
static int efd_wait(struct eventfd *e, struct task *t, unsigned events)
{
	struct waitq_entry w;
	waitq_add(&e->wq, &w, t, events);
	pthread_mutex_unlock(&e->lock);
	int err = task_block(t, NULL, NULL, 0);
	waitq_del(&e->wq, &w);
	pthread_mutex_lock(&e->lock);
	return err == -EINTR ? -ERESTARTSYS : 0;
}

static ssize_t efd_read(struct file *f, struct task *t, void *buf, size_t len, int64_t *pos)
{
	struct eventfd *e = f->priv;
	if (len < sizeof(uint64_t))
		return -EINVAL;
	pthread_mutex_lock(&e->lock);
	int err = 0;
	while (e->count == 0 && err == 0) {
		if (f->flags & O_NONBLOCK)
			err = -EAGAIN;
		else
			err = efd_wait(e, t, POLLIN);
	}
	uint64_t v = 0;
	if (err == 0) {
		v = e->semaphore ? 1 : e->count;
		e->count -= v;
	}
	pthread_mutex_unlock(&e->lock);
	if (err < 0)
		return err;
	waitq_wake(&e->wq, POLLOUT);
	memcpy(buf, &v, sizeof v);
	return sizeof v;
}

static ssize_t efd_write(struct file *f, struct task *t, const void *buf, size_t len,
			 int64_t *pos)
{
	struct eventfd *e = f->priv;
	uint64_t v;
	if (len < sizeof v)
		return -EINVAL;
	memcpy(&v, buf, sizeof v);
	if (v == UINT64_MAX)
		return -EINVAL;
	pthread_mutex_lock(&e->lock);
	int err = 0;
	while (UINT64_MAX - e->count <= v && err == 0) {
		if (f->flags & O_NONBLOCK)
			err = -EAGAIN;
		else
			err = efd_wait(e, t, POLLOUT);
	}
	if (err == 0)
		e->count += v;
	pthread_mutex_unlock(&e->lock);
	if (err < 0)
		return err;
	/* Every write is a wake-up, even of 0: edge-triggered epoll sees it. */
	waitq_wake(&e->wq, POLLIN);
	return sizeof v;
}

static unsigned efd_poll(struct file *f, struct poll_table *pt)
{
	struct eventfd *e = f->priv;
	if (pt)
		poll_wait(pt, &e->wq, 0);
	pthread_mutex_lock(&e->lock);
	uint64_t c = e->count;
	pthread_mutex_unlock(&e->lock);
	unsigned mask = 0;
	if (c > 0)
		mask |= POLLIN | POLLRDNORM;
	if (c == UINT64_MAX)
		mask |= POLLERR;   /* only an in-kernel overflow gets here on Linux */
	if (c < EVENTFD_MAX)
		mask |= POLLOUT | POLLWRNORM;
	return mask;
}

static void efd_release(struct file *f)
{
	struct eventfd *e = f->priv;
	pthread_mutex_destroy(&e->lock);
	free(e);
}

static const struct file_ops eventfd_fops = {
	.read = efd_read,
	.write = efd_write,
	.poll = efd_poll,
	.release = efd_release,
};

int eventfd_file_new(uint64_t count, unsigned flags, struct file **out)
{
	struct eventfd *e = calloc(1, sizeof *e);
	if (!e)
		return -ENOMEM;
	pthread_mutex_init(&e->lock, NULL);
	waitq_init(&e->wq);
	e->count = count;
	e->semaphore = flags & EFD_SEMAPHORE;
	struct file *f = anon_file_new("[eventfd]", &eventfd_fops, O_RDWR | (flags & O_NONBLOCK), e);
	if (!f) {
		pthread_mutex_destroy(&e->lock);
		free(e);
		return -ENOMEM;
	}
	*out = f;
	return 0;
}
