/* epoll (Linux's fs/eventpoll.c, the reference for every rule here).
 *
 * An epoll set (struct eventpoll) holds items keyed by (open file, fd).
 * Adding an item polls its file with a poll table whose hooks register a
 * callback entry on each of the file's wait queues (and note the host fds
 * it waits on); a wake-up of one of those queues runs ep_callback, which
 * puts the item on the ready list and wakes one epoll_wait waiter and
 * whoever polls the epoll file itself (poll(), an enclosing epoll).
 * epoll_wait takes the ready list, polls each item again for what is
 * really ready, reports it, and puts level-triggered items back.  Items
 * with host fds (the user's stdio) are polled on every pass, and their fds
 * are part of the waiter's task_block().
 *
 * An item holds no reference to its file: the file's last file_put()
 * calls eventpoll_release(), which removes it from every set.  An item
 * holds a reference to its set, so that the set outlives an item being
 * removed that way while the epoll file itself goes away.
 *
 * Locking, in order:
 *   epnested_mutex  loop checks of adding an epoll to an epoll
 *   ep->mtx         items and their registrations; held while items are
 *                   polled (an enclosing set's before an enclosed one's)
 *   wait queue locks (callbacks run under them)
 *   ep->lock        ready list and waiters (ep_callback takes it)
 *   links_lock      every file's list of items, epitem.dying, ep->file
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/sysmacros.h>

#include "sentry/fs/events.h"
#include "sentry/fs/fs.h"
#include "sentry/mm/mm.h"

#define EP_MAX_NESTS 4
#define EP_PRIVATE_BITS (EPOLLWAKEUP | EPOLLONESHOT | EPOLLET | EPOLLEXCLUSIVE)
#define EPOLLEXCLUSIVE_OK_BITS (EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP | EPOLLWAKEUP | \
				EPOLLET | EPOLLEXCLUSIVE)
#define HOSTFD_EVENTS (POLLIN | POLLOUT | POLLPRI | POLLRDHUP)
#define DEFAULT_POLLMASK (POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM)
#define PROC_SUPER_MAGIC  0x9fa0
#define SYSFS_MAGIC       0x62656572

struct eventpoll {
	atomic_long refcount;          /* the epoll file, and one per item */
	pthread_mutex_t mtx;
	pthread_mutex_t lock;
	/* Under mtx: */
	struct list_head *buckets;     /* items by (file, fd) */
	size_t nbuckets, nitems;
	struct list_head nested;       /* items whose file is an epoll */
	struct list_head hostfd_items; /* items that wait on host fds */
	uint64_t gen;                  /* loop checks (under epnested_mutex) */
	int loop_depth;
	/* Under lock: */
	struct list_head rdllist;
	struct list_head waiters;      /* struct ep_waiter, in epoll_wait */
	struct waitq poll_wq;          /* poll() of this file, enclosing sets */
	/* Under links_lock: no reference; NULL once the file is released. */
	struct file *file;
};

/* One registration of an item on a wait queue. */
struct ep_pwq {
	struct ep_pwq *next;
	struct waitq *q;
	struct waitq_entry e;
};

struct epitem {
	struct eventpoll *ep;
	struct file *file;             /* no reference (see above) */
	int fd;
	_Atomic uint32_t events;       /* read by ep_callback without mtx */
	uint64_t data;
	struct list_head hashlink;     /* under mtx */
	struct list_head nestlink;     /* ep->nested, if file is an epoll */
	struct list_head hostlink;     /* ep->hostfd_items, if nhostfds */
	struct ep_pwq *pwqs;
	struct pollfd *hostfds;        /* events: what the file offered */
	int nhostfds, hostcap;
	bool alloc_failed;
	struct list_head rdllink;      /* under ep->lock */
	bool rdlinked;
	struct list_head fllink;       /* under links_lock */
	bool dying;                    /* eventpoll_release is removing it */
};

struct epoll_links {
	struct list_head items;        /* struct epitem.fllink */
};

/* An epoll_wait caller (Linux's exclusive ep->wq entries: woken one at a
 * time, and taken off the list by the wake-up). */
struct ep_waiter {
	struct list_head node;
	struct task *task;
	bool woken;
};

static pthread_mutex_t links_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t epnested_mutex = PTHREAD_MUTEX_INITIALIZER;
static uint64_t loop_gen;
static struct eventpoll *inserting_into;

static const struct file_ops eventpoll_fops;

bool file_is_epoll(const struct file *f)
{
	return f->fop == &eventpoll_fops;
}

/* --- the set: references and the item table ------------------------------- */

static void ep_free(struct eventpoll *ep)
{
	pthread_mutex_destroy(&ep->mtx);
	pthread_mutex_destroy(&ep->lock);
	free(ep->buckets);
	free(ep);
}

/* Drops a reference; true if it was the last (the caller then frees). */
static bool ep_unref(struct eventpoll *ep)
{
	return atomic_fetch_sub(&ep->refcount, 1) == 1;
}

static size_t ep_hash(const struct eventpoll *ep, const struct file *f, int fd)
{
	uint64_t h = ((uint64_t)(uintptr_t)f >> 4) * 0x9e3779b97f4a7c15ULL ^ (uint64_t)fd;
	return (size_t)(h % ep->nbuckets);
}

static struct epitem *ep_find(struct eventpoll *ep, struct file *f, int fd)
{
	struct epitem *epi;
	list_for_each_entry(epi, &ep->buckets[ep_hash(ep, f, fd)], hashlink)
		if (epi->file == f && epi->fd == fd)
			return epi;
	return NULL;
}

/* Doubles the table when it is full (a failed resize just keeps chains
 * longer). */
static void ep_grow(struct eventpoll *ep)
{
	if (ep->nitems < ep->nbuckets)
		return;
	size_t nb = ep->nbuckets * 2;
	struct list_head *b = malloc(nb * sizeof *b);
	if (!b)
		return;
	for (size_t i = 0; i < nb; i++)
		list_init(&b[i]);
	struct list_head *old = ep->buckets;
	size_t oldn = ep->nbuckets;
	ep->buckets = b;
	ep->nbuckets = nb;
	for (size_t i = 0; i < oldn; i++) {
		struct epitem *epi, *tmp;
		list_for_each_entry_safe(epi, tmp, &old[i], hashlink)
			list_add_tail(&epi->hashlink, &b[ep_hash(ep, epi->file, epi->fd)]);
	}
	free(old);
}

/* --- wake-ups ------------------------------------------------------------- */

/* Wakes the first epoll_wait caller (ep->lock held); false if none. */
static bool ep_wake_one_locked(struct eventpoll *ep)
{
	if (list_empty(&ep->waiters))
		return false;
	struct ep_waiter *w = list_entry(ep->waiters.next, struct ep_waiter, node);
	list_del(&w->node);
	w->woken = true;
	task_wake(w->task);
	return true;
}

/* Puts epi on the ready list (unless there already) and wakes a waiter;
 * returns whether a waiter was woken. */
static bool ep_make_ready(struct eventpoll *ep, struct epitem *epi)
{
	pthread_mutex_lock(&ep->lock);
	if (!epi->rdlinked) {
		list_add_tail(&epi->rdllink, &ep->rdllist);
		epi->rdlinked = true;
	}
	bool woke = ep_wake_one_locked(ep);
	pthread_mutex_unlock(&ep->lock);
	return woke;
}

/* A wait queue of an item's file was woken with events (0: anything). */
static void ep_callback(struct waitq_entry *e, unsigned events)
{
	struct epitem *epi = e->priv;
	struct eventpoll *ep = epi->ep;
	uint32_t want = atomic_load(&epi->events);
	if (!(want & ~(uint32_t)EP_PRIVATE_BITS))
		return;   /* disarmed by EPOLLONESHOT */
	if (events && !(events & want))
		return;
	bool woke = ep_make_ready(ep, epi);
	/* An exclusive entry that woke a waiter ends the wake-up (ewake). */
	if (e->exclusive && woke) {
		unsigned inout = events & (EPOLLIN | EPOLLOUT);
		e->woke = inout == 0 || (inout == EPOLLIN && (want & EPOLLIN)) ||
			  (inout == EPOLLOUT && (want & EPOLLOUT));
	}
	waitq_wake(&ep->poll_wq, POLLIN);
}

/* --- registration ------------------------------------------------------------ */

static void ep_queue_proc(struct poll_table *pt, struct waitq *q, unsigned events)
{
	struct epitem *epi = pt->priv;
	struct ep_pwq *pwq = malloc(sizeof *pwq);
	if (!pwq) {
		epi->alloc_failed = true;
		return;
	}
	pwq->q = q;
	pwq->next = epi->pwqs;
	epi->pwqs = pwq;
	if (atomic_load(&epi->events) & EPOLLEXCLUSIVE)
		waitq_add_callback_exclusive(q, &pwq->e, events, ep_callback, epi);
	else
		waitq_add_callback(q, &pwq->e, events, ep_callback, epi);
}

static void ep_hostfd_proc(struct poll_table *pt, int fd, short events)
{
	struct epitem *epi = pt->priv;
	for (int i = 0; i < epi->nhostfds; i++) {
		if (epi->hostfds[i].fd == fd) {
			epi->hostfds[i].events |= events;
			return;
		}
	}
	if (epi->nhostfds == epi->hostcap) {
		int cap = epi->hostcap ? epi->hostcap * 2 : 2;
		struct pollfd *h = realloc(epi->hostfds, (size_t)cap * sizeof *h);
		if (!h) {
			epi->alloc_failed = true;
			return;
		}
		epi->hostfds = h;
		epi->hostcap = cap;
	}
	epi->hostfds[epi->nhostfds++] = (struct pollfd){ fd, events, 0 };
	if (epi->nhostfds == 1)
		list_add_tail(&epi->hostlink, &epi->ep->hostfd_items);
}

/* False while EPOLLONESHOT has disarmed the item. */
static bool ep_armed(struct epitem *epi)
{
	return atomic_load(&epi->events) & ~(uint32_t)EP_PRIVATE_BITS;
}

/* Which of an item's host fd events matter: what the item wants (a ready
 * POLLOUT must not keep an EPOLLIN waiter awake), or everything an
 * enclosed set offered (it offers only what its own items want). */
static short ep_hostfd_want(struct epitem *epi)
{
	if (file_is_epoll(epi->file))
		return (short)HOSTFD_EVENTS;
	return (short)(atomic_load(&epi->events) & HOSTFD_EVENTS);
}

/* Undoes the registrations (mtx held). */
static void ep_unregister(struct epitem *epi)
{
	while (epi->pwqs) {
		struct ep_pwq *p = epi->pwqs;
		epi->pwqs = p->next;
		waitq_del(p->q, &p->e);
		free(p);
	}
	if (epi->nhostfds)
		list_del(&epi->hostlink);
	epi->nhostfds = 0;
}

/* What the item's file is ready for, of what the item wants; with pt, also
 * registers.  A file whose last reference is going is not polled: it is
 * waiting in eventpoll_release() for our mtx. */
static unsigned ep_item_poll(struct epitem *epi, struct poll_table *pt)
{
	struct file *f = epi->file;
	if (atomic_load(&f->refcount) == 0)
		return 0;
	uint32_t want = atomic_load(&epi->events);
	/* A file type Linux polls whose sentry file has no poll method is
	 * always ready, as poll() takes it (ep_can_poll refused the others). */
	unsigned ready = f->fop->poll ? f->fop->poll(f, pt) : DEFAULT_POLLMASK;
	return ready & want;
}

/* --- removal ------------------------------------------------------------------ */

/* Takes epi out of the set and frees it (mtx held, registrations undone,
 * already off its file's list).  True if that was the set's last
 * reference. */
static bool ep_remove_epi(struct eventpoll *ep, struct epitem *epi)
{
	list_del(&epi->hashlink);
	ep->nitems--;
	if (file_is_epoll(epi->file))
		list_del(&epi->nestlink);
	pthread_mutex_lock(&ep->lock);
	if (epi->rdlinked)
		list_del(&epi->rdllink);
	pthread_mutex_unlock(&ep->lock);
	free(epi->hostfds);
	free(epi);
	return ep_unref(ep);
}

/* EPOLL_CTL_DEL, or the set going away (mtx held; the caller holds a
 * reference to ep).  An item being removed by eventpoll_release() is left
 * to it. */
static void ep_remove(struct eventpoll *ep, struct epitem *epi)
{
	ep_unregister(epi);
	pthread_mutex_lock(&links_lock);
	bool dying = epi->dying;
	if (!dying)
		list_del(&epi->fllink);
	pthread_mutex_unlock(&links_lock);
	if (!dying)
		ep_remove_epi(ep, epi);
}

void eventpoll_release(struct file *f)
{
	struct epoll_links *l = atomic_load(&f->ep_links);
	if (!l)
		return;
	for (;;) {
		pthread_mutex_lock(&links_lock);
		if (list_empty(&l->items)) {
			/* Under the lock: a loop check may be reading the list. */
			atomic_store(&f->ep_links, NULL);
			pthread_mutex_unlock(&links_lock);
			break;
		}
		struct epitem *epi = list_entry(l->items.next, struct epitem, fllink);
		epi->dying = true;
		struct eventpoll *ep = epi->ep;   /* kept alive by epi's reference */
		pthread_mutex_unlock(&links_lock);

		pthread_mutex_lock(&ep->mtx);
		ep_unregister(epi);
		pthread_mutex_lock(&links_lock);
		list_del(&epi->fllink);
		pthread_mutex_unlock(&links_lock);
		bool last = ep_remove_epi(ep, epi);
		pthread_mutex_unlock(&ep->mtx);
		if (last)
			ep_free(ep);
	}
	free(l);
}

static void ep_fop_release(struct file *f)
{
	struct eventpoll *ep = f->priv;
	pthread_mutex_lock(&links_lock);
	ep->file = NULL;
	pthread_mutex_unlock(&links_lock);
	pthread_mutex_lock(&ep->mtx);
	for (size_t i = 0; i < ep->nbuckets; i++) {
		struct epitem *epi, *tmp;
		list_for_each_entry_safe(epi, tmp, &ep->buckets[i], hashlink)
			ep_remove(ep, epi);
	}
	pthread_mutex_unlock(&ep->mtx);
	if (ep_unref(ep))
		ep_free(ep);
}

/* --- scanning the ready list ------------------------------------------------ */

/* Moves every entry of from to the front of to; from ends empty. */
static void splice_front(struct list_head *from, struct list_head *to)
{
	if (list_empty(from))
		return;
	struct list_head *first = from->next, *last = from->prev, *at = to->next;
	first->prev = to;
	to->next = first;
	last->next = at;
	at->prev = last;
	list_init(from);
}

/* Starts a scan (mtx held): items with host fds join the ready list, which
 * is moved to txlist (its items stay marked linked, so callbacks leave
 * them alone). */
static void ep_start_scan(struct eventpoll *ep, struct list_head *txlist)
{
	list_init(txlist);
	pthread_mutex_lock(&ep->lock);
	struct epitem *epi;
	list_for_each_entry(epi, &ep->hostfd_items, hostlink) {
		if (!epi->rdlinked) {
			list_add_tail(&epi->rdllink, &ep->rdllist);
			epi->rdlinked = true;
		}
	}
	splice_front(&ep->rdllist, txlist);
	pthread_mutex_unlock(&ep->lock);
}

/* Ends it: what was not looked at goes back in front; if anything is
 * ready, another waiter may take it (Linux's ep_done_scan). */
static void ep_done_scan(struct eventpoll *ep, struct list_head *txlist)
{
	pthread_mutex_lock(&ep->lock);
	splice_front(txlist, &ep->rdllist);
	if (!list_empty(&ep->rdllist))
		ep_wake_one_locked(ep);
	pthread_mutex_unlock(&ep->lock);
}

static void ep_unlink_tx(struct eventpoll *ep, struct epitem *epi)
{
	pthread_mutex_lock(&ep->lock);
	list_del(&epi->rdllink);
	epi->rdlinked = false;
	pthread_mutex_unlock(&ep->lock);
}

/* The epoll file's own poll: readable if an item is really ready. */
static unsigned ep_fop_poll(struct file *f, struct poll_table *pt)
{
	struct eventpoll *ep = f->priv;
	if (pt)
		poll_wait(pt, &ep->poll_wq, 0);
	unsigned res = 0;
	pthread_mutex_lock(&ep->mtx);
	if (pt) {
		/* Our items' host fds, for what those items want. */
		struct epitem *epi;
		list_for_each_entry(epi, &ep->hostfd_items, hostlink) {
			if (!ep_armed(epi))
				continue;
			short want = ep_hostfd_want(epi);
			for (int i = 0; i < epi->nhostfds; i++)
				poll_wait_hostfd(pt, epi->hostfds[i].fd,
						 (short)(epi->hostfds[i].events & want));
		}
	}
	struct list_head txlist;
	ep_start_scan(ep, &txlist);
	struct epitem *epi, *tmp;
	list_for_each_entry_safe(epi, tmp, &txlist, rdllink) {
		if (ep_item_poll(epi, NULL)) {
			res = POLLIN | POLLRDNORM;
			break;
		}
		ep_unlink_tx(ep, epi);   /* woken, but not ready for what it wants */
	}
	ep_done_scan(ep, &txlist);
	pthread_mutex_unlock(&ep->mtx);
	return res;
}

/* Collects up to maxevents ready events, writing them to the guest in
 * batches.  Returns how many, or -EFAULT if the first batch failed. */
static int ep_send_events(struct task *t, struct eventpoll *ep, uint64_t uevents,
			  int maxevents)
{
	enum { BATCH = 128 };
	struct epoll_event buf[BATCH];
	int res = 0, nbuf = 0, written = 0;
	bool fault = false;
	struct list_head txlist;
	pthread_mutex_lock(&ep->mtx);
	ep_start_scan(ep, &txlist);
	while (!list_empty(&txlist) && res < maxevents && !fault) {
		struct epitem *epi = list_entry(txlist.next, struct epitem, rdllink);
		ep_unlink_tx(ep, epi);
		unsigned revents = ep_item_poll(epi, NULL);
		if (!revents)
			continue;
		buf[nbuf].events = revents;
		buf[nbuf].data.u64 = epi->data;
		nbuf++;
		res++;
		uint32_t want = atomic_load(&epi->events);
		if (want & EPOLLONESHOT) {
			atomic_store(&epi->events, want & EP_PRIVATE_BITS);
		} else if (!(want & EPOLLET)) {
			/* Level-triggered: look again next time. */
			pthread_mutex_lock(&ep->lock);
			if (!epi->rdlinked) {
				list_add_tail(&epi->rdllink, &ep->rdllist);
				epi->rdlinked = true;
			}
			pthread_mutex_unlock(&ep->lock);
		}
		if (nbuf == BATCH) {
			uint64_t dst = uevents + (uint64_t)written * sizeof(struct epoll_event);
			fault = copy_to_user(t, dst, buf, sizeof buf) < 0;
			if (!fault)
				written += nbuf;
			nbuf = 0;
		}
	}
	ep_done_scan(ep, &txlist);
	pthread_mutex_unlock(&ep->mtx);
	if (nbuf && !fault) {
		uint64_t dst = uevents + (uint64_t)written * sizeof(struct epoll_event);
		fault = copy_to_user(t, dst, buf, (size_t)nbuf * sizeof buf[0]) < 0;
	}
	/* The buffer was checked beforehand: a fault here means the guest
	 * unmapped it meanwhile, and what did not arrive is lost. */
	if (fault)
		return written ? written : -EFAULT;
	return res;
}

/* The host fds the items wait on, for task_block (mtx taken here). */
static int ep_gather_hostfds(struct eventpoll *ep, struct pollfd **out)
{
	*out = NULL;
	int n = 0;
	pthread_mutex_lock(&ep->mtx);
	struct epitem *epi;
	list_for_each_entry(epi, &ep->hostfd_items, hostlink)
		n += epi->nhostfds;
	struct pollfd *fds = n ? calloc((size_t)n, sizeof *fds) : NULL;
	int i = 0;
	if (fds) {
		list_for_each_entry(epi, &ep->hostfd_items, hostlink) {
			if (!ep_armed(epi))
				continue;
			short want = ep_hostfd_want(epi);
			for (int j = 0; j < epi->nhostfds; j++)
				fds[i++] = (struct pollfd){ epi->hostfds[j].fd,
							    (short)(epi->hostfds[j].events & want), 0 };
		}
	}
	pthread_mutex_unlock(&ep->mtx);
	*out = fds;
	return fds ? i : 0;
}

int epoll_wait_file(struct task *t, struct file *f, uint64_t uevents, int maxevents,
		    const struct timespec *deadline)
{
	struct eventpoll *ep = f->priv;
	bool timed_out = deadline && ts_cmp(*deadline, ts_now(CLOCK_MONOTONIC)) <= 0;
	for (;;) {
		int res = ep_send_events(t, ep, uevents, maxevents);
		if (res != 0)
			return res;
		if (timed_out)
			return 0;
		if (task_signal_pending(t))
			return -EINTR;
		struct pollfd *hostfds;
		int nhost = ep_gather_hostfds(ep, &hostfds);
		struct ep_waiter w = { .task = t };
		pthread_mutex_lock(&ep->lock);
		bool avail = !list_empty(&ep->rdllist);
		if (!avail)
			list_add_tail(&w.node, &ep->waiters);
		pthread_mutex_unlock(&ep->lock);
		int err = 0;
		if (!avail) {
			err = task_block(t, deadline, hostfds, nhost);
			pthread_mutex_lock(&ep->lock);
			if (!w.woken)
				list_del(&w.node);
			pthread_mutex_unlock(&ep->lock);
		}
		free(hostfds);
		if (err == -ETIMEDOUT)
			timed_out = true;
		else if (err < 0 && err != -EINTR)
			return err;
		/* On -EINTR, events that came meanwhile still win: look first. */
	}
}

/* --- loop checks (epnested_mutex held) -------------------------------------- */

/* How deep the sets under ep go; more than EP_MAX_NESTS if inserting_into
 * is among them or they go too deep. */
static int ep_loop_check_proc(struct eventpoll *ep, int depth)
{
	if (ep->gen == loop_gen)
		return ep->loop_depth;
	pthread_mutex_lock(&ep->mtx);
	ep->gen = loop_gen;
	int result = 0;
	struct epitem *epi;
	list_for_each_entry(epi, &ep->nested, nestlink) {
		struct eventpoll *to = epi->file->priv;
		int d = (to == inserting_into || depth > EP_MAX_NESTS) ?
			EP_MAX_NESTS + 1 : ep_loop_check_proc(to, depth + 1) + 1;
		if (d > result)
			result = d;
		if (result > EP_MAX_NESTS)
			break;
	}
	ep->loop_depth = result;
	pthread_mutex_unlock(&ep->mtx);
	return result;
}

/* How many sets enclose ep, at most (links_lock held). */
static int ep_upwards_depth_proc(struct eventpoll *ep)
{
	if (ep->gen == loop_gen)
		return ep->loop_depth;
	int result = 0;
	struct epoll_links *l = ep->file ? atomic_load(&ep->file->ep_links) : NULL;
	if (l) {
		struct epitem *epi;
		list_for_each_entry(epi, &l->items, fllink) {
			int d = ep_upwards_depth_proc(epi->ep) + 1;
			if (d > result)
				result = d;
		}
	}
	ep->gen = loop_gen;
	ep->loop_depth = result;
	return result;
}

/* May the set to go inside ep?  No if that closes a loop or nests too deep. */
static bool ep_loop_ok(struct eventpoll *ep, struct eventpoll *to)
{
	loop_gen++;
	inserting_into = ep;
	int depth = ep_loop_check_proc(to, 0);
	if (depth > EP_MAX_NESTS)
		return false;
	pthread_mutex_lock(&links_lock);
	int up = ep_upwards_depth_proc(ep);
	pthread_mutex_unlock(&links_lock);
	return depth + 1 + up <= EP_MAX_NESTS;
}

/* --- epoll_ctl ---------------------------------------------------------------- */

/* procfs files with a poll method on Linux: the mount tables and the
 * sysctls under /proc/sys. */
static bool proc_file_polls(struct file *f)
{
	if (!f->path.dentry || !S_ISREG(f->inode->mode))
		return false;
	char name[NAME_MAX + 1], above[NAME_MAX + 1];
	struct dentry *d = f->path.dentry;
	dentry_get(d);
	bool polls = false, first = true;
	for (;;) {
		struct dentry *up = dentry_get_parent_name(d, name);
		if (first)
			polls = !strcmp(name, "mounts") || !strcmp(name, "mountinfo") ||
				!strcmp(name, "mountstats");
		first = false;
		if (!up || polls)
			break;
		struct dentry *upup = dentry_get_parent_name(up, above);
		if (!upup) {
			/* d is a directory entry of the root. */
			polls = !strcmp(name, "sys");
			dentry_put(up);
			break;
		}
		dentry_put(upup);
		dentry_put(d);
		d = up;
	}
	dentry_put(d);
	return polls;
}

/* Linux refuses files that cannot be polled: regular files and directories
 * (but sysfs' and some of procfs'), and the memory devices without a poll. */
static bool ep_can_poll(struct file *f)
{
	struct stat st;
	unsigned long magic = 0;
	if (f->inode) {
		st.st_mode = f->inode->mode;
		st.st_rdev = f->inode->rdev;
		magic = (unsigned long)f->inode->sb->magic;
	} else if (!f->fop->fstat || f->fop->fstat(f, &st) < 0) {
		return true;
	}
	if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode))
		return magic == SYSFS_MAGIC || (magic == PROC_SUPER_MAGIC && proc_file_polls(f));
	if (S_ISCHR(st.st_mode) && major(st.st_rdev) == 1) {
		unsigned mi = minor(st.st_rdev);
		return mi != 3 && mi != 5 && mi != 7 && mi != 9;   /* null zero full urandom */
	}
	return true;
}

/* Links epi into tf's list of items (allocating the list on first use). */
static bool ep_attach(struct file *tf, struct epitem *epi)
{
	struct epoll_links *l = atomic_load(&tf->ep_links);
	if (!l) {
		struct epoll_links *n = malloc(sizeof *n);
		if (!n)
			return false;
		list_init(&n->items);
		pthread_mutex_lock(&links_lock);
		l = atomic_load(&tf->ep_links);
		if (!l) {
			atomic_store(&tf->ep_links, n);
			l = n;
			n = NULL;
		}
		pthread_mutex_unlock(&links_lock);
		free(n);
	}
	pthread_mutex_lock(&links_lock);
	list_add_tail(&epi->fllink, &l->items);
	pthread_mutex_unlock(&links_lock);
	return true;
}

static void ep_report_ready(struct eventpoll *ep, struct epitem *epi)
{
	ep_make_ready(ep, epi);
	waitq_wake(&ep->poll_wq, POLLIN);
}

static int ep_insert(struct task *t, struct eventpoll *ep, const struct epoll_event *ev,
		     struct file *tf, int fd)
{
	struct epitem *epi = calloc(1, sizeof *epi);
	if (!epi)
		return -ENOMEM;
	epi->ep = ep;
	epi->file = tf;
	epi->fd = fd;
	atomic_init(&epi->events, ev->events);
	epi->data = ev->data.u64;
	if (!ep_attach(tf, epi)) {
		free(epi);
		return -ENOMEM;
	}
	ep_grow(ep);
	list_add_tail(&epi->hashlink, &ep->buckets[ep_hash(ep, tf, fd)]);
	ep->nitems++;
	if (file_is_epoll(tf))
		list_add_tail(&epi->nestlink, &ep->nested);
	atomic_fetch_add(&ep->refcount, 1);

	struct poll_table pt;
	poll_table_init(&pt, t);
	pt.queue_proc = ep_queue_proc;
	pt.hostfd_proc = ep_hostfd_proc;
	pt.priv = epi;
	unsigned revents = ep_item_poll(epi, &pt);
	if (epi->alloc_failed) {
		ep_remove(ep, epi);
		return -ENOMEM;
	}
	if (revents)
		ep_report_ready(ep, epi);
	return 0;
}

static int ep_modify(struct eventpoll *ep, struct epitem *epi, const struct epoll_event *ev)
{
	atomic_store(&epi->events, ev->events);
	epi->data = ev->data.u64;
	if (ep_item_poll(epi, NULL))
		ep_report_ready(ep, epi);
	return 0;
}

static int ep_ctl_locked(struct task *t, struct eventpoll *ep, int op, int fd,
			 struct file *tf, struct epoll_event *ev)
{
	struct epitem *epi = ep_find(ep, tf, fd);
	switch (op) {
	case EPOLL_CTL_ADD:
		if (epi)
			return -EEXIST;
		ev->events |= EPOLLERR | EPOLLHUP;
		return ep_insert(t, ep, ev, tf, fd);
	case EPOLL_CTL_DEL:
		if (!epi)
			return -ENOENT;
		ep_remove(ep, epi);
		return 0;
	case EPOLL_CTL_MOD:
		if (!epi)
			return -ENOENT;
		if (atomic_load(&epi->events) & EPOLLEXCLUSIVE)
			return -EINVAL;
		ev->events |= EPOLLERR | EPOLLHUP;
		return ep_modify(ep, epi, ev);
	default:
		return -EINVAL;
	}
}

int epoll_ctl_file(struct task *t, struct file *epf, int op, int fd, struct file *tf,
		   const struct epoll_event *evp)
{
	if (!ep_can_poll(tf))
		return -EPERM;
	if (epf == tf || !file_is_epoll(epf))
		return -EINVAL;
	struct epoll_event ev = { 0 };
	if (evp)
		ev = *evp;
	if (evp && (ev.events & EPOLLEXCLUSIVE)) {
		if (op == EPOLL_CTL_MOD)
			return -EINVAL;
		if (op == EPOLL_CTL_ADD &&
		    (file_is_epoll(tf) || (ev.events & ~(uint32_t)EPOLLEXCLUSIVE_OK_BITS)))
			return -EINVAL;
	}
	struct eventpoll *ep = epf->priv;
	/* Adding a set to a set: no loops, no deeper than EP_MAX_NESTS. */
	bool nested = op == EPOLL_CTL_ADD && file_is_epoll(tf);
	if (nested) {
		pthread_mutex_lock(&epnested_mutex);
		if (!ep_loop_ok(ep, tf->priv)) {
			loop_gen++;
			pthread_mutex_unlock(&epnested_mutex);
			return -ELOOP;
		}
	}
	pthread_mutex_lock(&ep->mtx);
	int r = ep_ctl_locked(t, ep, op, fd, tf, &ev);
	pthread_mutex_unlock(&ep->mtx);
	if (nested) {
		loop_gen++;
		pthread_mutex_unlock(&epnested_mutex);
	}
	return r;
}

/* --- the epoll file ------------------------------------------------------- */

static const struct file_ops eventpoll_fops = {
	.poll = ep_fop_poll,
	.release = ep_fop_release,
};

int epoll_file_new(unsigned flags, struct file **out)
{
	struct eventpoll *ep = calloc(1, sizeof *ep);
	if (!ep)
		return -ENOMEM;
	ep->nbuckets = 16;
	ep->buckets = malloc(ep->nbuckets * sizeof *ep->buckets);
	if (!ep->buckets) {
		free(ep);
		return -ENOMEM;
	}
	for (size_t i = 0; i < ep->nbuckets; i++)
		list_init(&ep->buckets[i]);
	atomic_init(&ep->refcount, 1);
	pthread_mutex_init(&ep->mtx, NULL);
	pthread_mutex_init(&ep->lock, NULL);
	list_init(&ep->nested);
	list_init(&ep->hostfd_items);
	list_init(&ep->rdllist);
	list_init(&ep->waiters);
	waitq_init(&ep->poll_wq);
	struct file *f = anon_file_new("[eventpoll]", &eventpoll_fops, O_RDWR | (flags & O_NONBLOCK), ep);
	if (!f) {
		ep_free(ep);
		return -ENOMEM;
	}
	ep->file = f;
	*out = f;
	return 0;
}
