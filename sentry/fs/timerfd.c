/* timerfd (fs/timerfd.c): an anonymous file whose reads return how many
 * times its timer expired since the last read or setting.
 *
 * The ktimer's callback adds to `ticks` and wakes the wait queue (readers,
 * poll, epoll).  `lock` guards ticks and is taken by the callback; settings
 * are serialised by `set_lock`, which the callback never takes, so a
 * setting may wait for a running callback while holding it.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>

#include "sentry/fs/fs.h"
#include "sentry/kernel/kernel.h"

struct timerfd {
	struct ktimer kt;
	clockid_t clock;
	pthread_mutex_t set_lock;
	pthread_mutex_t lock;
	uint64_t ticks;
	struct waitq wq;
};

static const struct file_ops timerfd_fops;

static void timerfd_expired(struct ktimer *kt, uint64_t n)
{
	struct timerfd *tfd = container_of(kt, struct timerfd, kt);
	pthread_mutex_lock(&tfd->lock);
	tfd->ticks = tfd->ticks + n < tfd->ticks ? UINT64_MAX : tfd->ticks + n;
	pthread_mutex_unlock(&tfd->lock);
	waitq_wake(&tfd->wq, POLLIN);
}

static ssize_t timerfd_read(struct file *f, struct task *t, void *buf, size_t len, int64_t *pos)
{
	struct timerfd *tfd = f->priv;
	if (len < sizeof(uint64_t))
		return -EINVAL;
	for (;;) {
		struct waitq_entry e;
		waitq_add(&tfd->wq, &e, t, POLLIN);
		pthread_mutex_lock(&tfd->lock);
		uint64_t ticks = tfd->ticks;
		tfd->ticks = 0;
		pthread_mutex_unlock(&tfd->lock);
		if (ticks) {
			waitq_del(&tfd->wq, &e);
			memcpy(buf, &ticks, sizeof ticks);
			return sizeof ticks;
		}
		int err = f->flags & O_NONBLOCK ? -EAGAIN : task_block(t, NULL, NULL, 0);
		waitq_del(&tfd->wq, &e);
		if (err == -EINTR)
			return -ERESTARTSYS;
		if (err < 0)
			return err;
	}
}

static unsigned timerfd_poll(struct file *f, struct poll_table *pt)
{
	struct timerfd *tfd = f->priv;
	if (pt)
		poll_wait(pt, &tfd->wq, POLLIN);
	pthread_mutex_lock(&tfd->lock);
	unsigned events = tfd->ticks ? POLLIN : 0;
	pthread_mutex_unlock(&tfd->lock);
	return events;
}

static void timerfd_free(struct ktimer *kt)
{
	struct timerfd *tfd = container_of(kt, struct timerfd, kt);
	pthread_mutex_destroy(&tfd->set_lock);
	pthread_mutex_destroy(&tfd->lock);
	free(tfd);
}

static void timerfd_release(struct file *f)
{
	struct timerfd *tfd = f->priv;
	/* Never waits: the last reference may go where a lock is held that
	 * the callback's wake-up takes. */
	ktimer_destroy(&tfd->kt, timerfd_free);
}

static const struct file_ops timerfd_fops = {
	.read = timerfd_read,
	.poll = timerfd_poll,
	.release = timerfd_release,
};

struct file *timerfd_new(struct kernel *k, clockid_t clock, unsigned flags)
{
	struct timerfd *tfd = calloc(1, sizeof *tfd);
	if (!tfd)
		return NULL;
	ktimer_init(&tfd->kt, k, timerfd_expired);
	tfd->clock = clock;
	pthread_mutex_init(&tfd->set_lock, NULL);
	pthread_mutex_init(&tfd->lock, NULL);
	waitq_init(&tfd->wq);
	struct file *f = anon_file_new("[timerfd]", &timerfd_fops, O_RDWR | (flags & O_NONBLOCK),
				       tfd);
	if (!f)
		timerfd_free(&tfd->kt);
	return f;
}

static struct timerfd *timerfd_of(struct file *f)
{
	return f->fop == &timerfd_fops ? f->priv : NULL;
}

static void timerfd_read_setting(struct timerfd *tfd, struct itimerspec *cur)
{
	ktimer_get(&tfd->kt, &cur->it_value, &cur->it_interval);
}

int timerfd_settime_file(struct file *f, int flags, const struct itimerspec *value,
			 struct itimerspec *old)
{
	struct timerfd *tfd = timerfd_of(f);
	if (!tfd)
		return -EINVAL;
	pthread_mutex_lock(&tfd->set_lock);
	if (old)
		timerfd_read_setting(tfd, old);
	ktimer_cancel(&tfd->kt);   /* no expiry of the old setting after this */
	pthread_mutex_lock(&tfd->lock);
	tfd->ticks = 0;
	pthread_mutex_unlock(&tfd->lock);
	int err = 0;
	if (value->it_value.tv_sec || value->it_value.tv_nsec)
		err = ktimer_arm(&tfd->kt, tfd->clock, value->it_value, flags & TFD_TIMER_ABSTIME,
				 value->it_interval);
	pthread_mutex_unlock(&tfd->set_lock);
	return err;
}

int timerfd_gettime_file(struct file *f, struct itimerspec *cur)
{
	struct timerfd *tfd = timerfd_of(f);
	if (!tfd)
		return -EINVAL;
	pthread_mutex_lock(&tfd->set_lock);
	timerfd_read_setting(tfd, cur);
	pthread_mutex_unlock(&tfd->set_lock);
	return 0;
}
