/* Wait queues and blocking.
 *
 * A task blocks in task_block() by polling its own eventfd (plus whatever
 * host fds it waits on); waking it is a write to that eventfd.  A wake-up
 * that comes before the task blocks is not lost: the eventfd stays
 * readable until the task drains it.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sentry/kernel/kernel.h"

void waitq_init(struct waitq *q)
{
	pthread_mutex_init(&q->lock, NULL);
	list_init(&q->entries);
}

void waitq_add(struct waitq *q, struct waitq_entry *e, struct task *t, unsigned events)
{
	e->task = t;
	e->events = events;
	e->func = NULL;
	e->priv = NULL;
	e->exclusive = e->woke = false;
	pthread_mutex_lock(&q->lock);
	list_add_tail(&e->node, &q->entries);
	pthread_mutex_unlock(&q->lock);
}

void waitq_add_callback(struct waitq *q, struct waitq_entry *e, unsigned events,
			void (*func)(struct waitq_entry *e, unsigned events), void *priv)
{
	e->task = NULL;
	e->events = events;
	e->func = func;
	e->priv = priv;
	e->exclusive = e->woke = false;
	pthread_mutex_lock(&q->lock);
	list_add_tail(&e->node, &q->entries);
	pthread_mutex_unlock(&q->lock);
}

void waitq_add_callback_exclusive(struct waitq *q, struct waitq_entry *e, unsigned events,
				  void (*func)(struct waitq_entry *e, unsigned events),
				  void *priv)
{
	e->task = NULL;
	e->events = events;
	e->func = func;
	e->priv = priv;
	e->exclusive = true;
	e->woke = false;
	pthread_mutex_lock(&q->lock);
	list_add_tail(&e->node, &q->entries);
	pthread_mutex_unlock(&q->lock);
}

void waitq_del(struct waitq *q, struct waitq_entry *e)
{
	pthread_mutex_lock(&q->lock);
	list_del(&e->node);
	pthread_mutex_unlock(&q->lock);
}

void waitq_wake(struct waitq *q, unsigned events)
{
	pthread_mutex_lock(&q->lock);
	struct waitq_entry *e;
	struct waitq_entry *tmp;
	bool exclusive_done = false;
	list_for_each_entry_safe(e, tmp, &q->entries, node) {
		if (!events || !e->events || (e->events & events)) {
			if (e->exclusive) {
				if (exclusive_done)
					continue;
				e->woke = false;
				e->func(e, events);
				exclusive_done = e->woke;
			} else if (e->func) {
				e->func(e, events);
			} else {
				task_wake(e->task);
			}
		}
	}
	pthread_mutex_unlock(&q->lock);
}

void task_wake(struct task *t)
{
	uint64_t one = 1;
	ssize_t r = write(t->wake_fd, &one, sizeof one);
	(void)r;   /* a full counter is still a wake-up */
}

static int block(struct task *t, const struct timespec *deadline, struct pollfd *hostfds,
		 int nhostfds, bool interruptible)
{
	if (interruptible && task_signal_pending(t))
		return -EINTR;
	struct pollfd stackfds[9];
	struct pollfd *fds = stackfds;
	if (nhostfds + 1 > 9) {
		fds = calloc((size_t)nhostfds + 1, sizeof *fds);
		if (!fds)
			return -ENOMEM;
	}
	fds[0].fd = t->wake_fd;
	fds[0].events = POLLIN;
	for (int i = 0; i < nhostfds; i++) {
		fds[i + 1] = hostfds[i];
		fds[i + 1].revents = 0;
	}
	int err = 0;
	atomic_store(&t->sleeping, true);
	/* The stub waiting for this syscall's answer need not spin for it. */
	if (t->ctx && t->platform->will_block)
		t->platform->will_block(t->ctx);
	for (;;) {
		struct timespec rel, *timeout = NULL;
		if (deadline) {
			rel = ts_sub(*deadline, ts_now(CLOCK_MONOTONIC));
			if (rel.tv_sec < 0)
				rel.tv_sec = rel.tv_nsec = 0;
			timeout = &rel;
		}
		int r = ppoll(fds, (nfds_t)nhostfds + 1, timeout, NULL);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err = -errno;
			break;
		}
		if (fds[0].revents & POLLIN) {
			uint64_t v;
			ssize_t n = read(t->wake_fd, &v, sizeof v);
			(void)n;
		}
		if (interruptible && task_signal_pending(t)) {
			err = -EINTR;
			break;
		}
		if (r == 0) {
			err = -ETIMEDOUT;
			break;
		}
		break;
	}
	atomic_store(&t->sleeping, false);
	for (int i = 0; i < nhostfds; i++)
		hostfds[i].revents = fds[i + 1].revents;
	if (fds != stackfds)
		free(fds);
	return err;
}

int task_block(struct task *t, const struct timespec *deadline, struct pollfd *hostfds,
	       int nhostfds)
{
	return block(t, deadline, hostfds, nhostfds, true);
}

int task_block_uninterruptible(struct task *t, const struct timespec *deadline)
{
	return block(t, deadline, NULL, 0, false);
}

/* --- poll tables --------------------------------------------------------------- */

void poll_table_init(struct poll_table *pt, struct task *t)
{
	memset(pt, 0, sizeof *pt);
	pt->task = t;
}

void poll_wait(struct poll_table *pt, struct waitq *q, unsigned events)
{
	if (pt->queue_proc) {
		pt->queue_proc(pt, q, events);
		return;
	}
	if (pt->nentries == pt->cap) {
		int cap = pt->cap ? pt->cap * 2 : 8;
		struct poll_entry **e = realloc(pt->entries, (size_t)cap * sizeof *e);
		if (!e)
			return;   /* degrade to a missed wake-up source */
		pt->entries = e;
		pt->cap = cap;
	}
	struct poll_entry *pe = malloc(sizeof *pe);
	if (!pe)
		return;
	pe->q = q;
	waitq_add(q, &pe->e, pt->task, events);
	pt->entries[pt->nentries++] = pe;
}

void poll_wait_hostfd(struct poll_table *pt, int fd, short events)
{
	if (pt->hostfd_proc) {
		pt->hostfd_proc(pt, fd, events);
		return;
	}
	if (pt->nhostfds == pt->hostcap) {
		int cap = pt->hostcap ? pt->hostcap * 2 : 4;
		struct pollfd *h = realloc(pt->hostfds, (size_t)cap * sizeof *h);
		if (!h)
			return;
		pt->hostfds = h;
		pt->hostcap = cap;
	}
	pt->hostfds[pt->nhostfds++] = (struct pollfd){ fd, events, 0 };
}

void poll_table_hold(struct poll_table *pt, struct file *f)
{
	if (pt->nfiles == pt->filecap) {
		int cap = pt->filecap ? pt->filecap * 2 : 8;
		struct file **files = realloc(pt->files, (size_t)cap * sizeof *files);
		if (!files)
			return;   /* then poll() must not register on f: see callers */
		pt->files = files;
		pt->filecap = cap;
	}
	file_get(f);
	pt->files[pt->nfiles++] = f;
}

void poll_table_free(struct poll_table *pt)
{
	for (int i = 0; i < pt->nentries; i++) {
		waitq_del(pt->entries[i]->q, &pt->entries[i]->e);
		free(pt->entries[i]);
	}
	/* Only now may the files (and their queues) go. */
	for (int i = 0; i < pt->nfiles; i++)
		file_put(pt->files[i]);
	free(pt->files);
	free(pt->entries);
	free(pt->hostfds);
	memset(pt, 0, sizeof *pt);
}
