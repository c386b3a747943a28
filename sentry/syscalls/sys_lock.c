/* Advisory locks: fcntl record locks (POSIX and open-file-description
 * locks) and flock(2), as fs/locks.c implements them.
 *
 * Every lock lives on its inode (inode->locks, a struct lock_ctx made on
 * the first lock and freed when the last lock and waiter are gone).  One
 * mutex, locks_mutex, guards every context and the list of blocked POSIX
 * requests used for deadlock detection; it is never held across a wait.
 *
 * Owners:
 * - a POSIX lock belongs to the fd table it was taken through (Linux's
 *   fl_owner = current->files, i.e. the process), remembers the tgid for
 *   F_GETLK, and goes when that table closes ANY fd of the file, or at exit;
 * - an OFD lock belongs to the open file description (struct file) and goes
 *   with its last reference; it conflicts with POSIX locks of anyone else;
 * - a flock lock also belongs to the open file description, and lives in
 *   a separate list: flock and fcntl locks do not see each other.
 *
 * A blocked request waits on the context's wait queue and retries whenever
 * a lock of the inode is removed or changed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/file.h>

#include "sentry/kernel/kernel.h"
#include "sentry/mm/mm.h"
#include "sentry/syscalls/syscalls.h"
#include "sentry/syscalls/util.h"

#define OFFSET_MAX            INT64_MAX
#define MAX_DEADLK_ITERATIONS 10

struct file_lock {
	struct list_head node;     /* lock_ctx.posix (by start) or lock_ctx.flocks */
	int64_t start, end;        /* inclusive; end OFFSET_MAX: to end of file */
	short type;                /* F_RDLCK or F_WRLCK */
	bool ofd;                  /* owned by an open file description */
	const void *owner;         /* fd table (POSIX) or struct file (OFD, flock) */
	pid_t pid;                 /* POSIX: the locking process, for F_GETLK */
};

struct lock_ctx {
	struct list_head posix;    /* POSIX and OFD locks, sorted by start */
	struct list_head flocks;
	struct waitq wq;           /* blocked requests of this inode */
	int waiters;
};

/* A blocked POSIX request: owner waits for a lock of blocker. */
struct blocked_req {
	struct list_head node;
	const void *owner;
	const void *blocker;
};

static pthread_mutex_t locks_mutex = PTHREAD_MUTEX_INITIALIZER;
static struct list_head blocked_reqs = LIST_HEAD_INIT(blocked_reqs);

static void lock_fd_closed(struct file *f, const void *owner);
static void lock_file_released(struct file *f);

static const struct file_lock_hooks hooks = {
	.fd_closed = lock_fd_closed,
	.file_released = lock_file_released,
};

/* --- contexts ---------------------------------------------------------------- */

static struct lock_ctx *ctx_peek(struct inode *inode)
{
	return __atomic_load_n(&inode->locks, __ATOMIC_ACQUIRE);
}

/* The inode's context, made if needed.  Under locks_mutex. */
static struct lock_ctx *ctx_get(struct inode *inode)
{
	struct lock_ctx *c = ctx_peek(inode);
	if (c)
		return c;
	c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	list_init(&c->posix);
	list_init(&c->flocks);
	waitq_init(&c->wq);
	vfs_set_lock_hooks(&hooks);
	__atomic_store_n(&inode->locks, c, __ATOMIC_RELEASE);
	return c;
}

/* Frees the context once nothing uses it.  Under locks_mutex. */
static void ctx_maybe_free(struct inode *inode, struct lock_ctx *c)
{
	if (!c || c->waiters || !list_empty(&c->posix) || !list_empty(&c->flocks))
		return;
	__atomic_store_n(&inode->locks, NULL, __ATOMIC_RELEASE);
	pthread_mutex_destroy(&c->wq.lock);
	free(c);
}

static void lock_free(struct file_lock *l)
{
	list_del(&l->node);
	free(l);
}

/* Inserts l into the POSIX list, keeping it sorted by start. */
static void posix_insert(struct lock_ctx *c, struct file_lock *l)
{
	struct list_head *pos;
	list_for_each(pos, &c->posix) {
		if (list_entry(pos, struct file_lock, node)->start > l->start)
			break;
	}
	list_add_tail(&l->node, pos);
}

/* Waits on the context's queue until a lock changes; -ERESTARTSYS on a
 * signal.  Called and returns with locks_mutex held; c stays alive
 * meanwhile (it counts as a waiter). */
static int ctx_wait(struct task *t, struct lock_ctx *c)
{
	struct waitq_entry e;
	waitq_add(&c->wq, &e, t, 0);
	c->waiters++;
	pthread_mutex_unlock(&locks_mutex);
	int err = task_block(t, NULL, NULL, 0);
	pthread_mutex_lock(&locks_mutex);
	c->waiters--;
	waitq_del(&c->wq, &e);
	return err == -EINTR ? -ERESTARTSYS : 0;
}

/* --- POSIX and OFD locks ---------------------------------------------------- */

static bool ranges_overlap(const struct file_lock *a, int64_t start, int64_t end)
{
	return a->start <= end && start <= a->end;
}

static bool types_conflict(short a, short b)
{
	return a == F_WRLCK || b == F_WRLCK;
}

/* The first lock of another owner that req conflicts with, or NULL. */
static struct file_lock *posix_conflict(struct lock_ctx *c, const struct file_lock *req)
{
	struct file_lock *l;
	list_for_each_entry(l, &c->posix, node) {
		if (l->owner != req->owner && ranges_overlap(l, req->start, req->end) &&
		    types_conflict(l->type, req->type))
			return l;
	}
	return NULL;
}

/* Would owner waiting for blocker close a cycle of waiting POSIX owners?
 * (fs/locks.c's posix_locks_deadlock, as bounded as Linux's.) */
static bool posix_deadlock(const void *owner, const void *blocker)
{
	for (int i = 0; i <= MAX_DEADLK_ITERATIONS; i++) {
		struct blocked_req *b, *found = NULL;
		list_for_each_entry(b, &blocked_reqs, node) {
			if (b->owner == blocker) {
				found = b;
				break;
			}
		}
		if (!found)
			return false;
		blocker = found->blocker;
		if (blocker == owner)
			return true;
	}
	return false;
}

/* Are a and b adjacent or overlapping (so that same-type locks merge)? */
static bool touches(const struct file_lock *l, int64_t start, int64_t end)
{
	bool before = l->end < start && l->end + 1 < start;   /* l->end < OFFSET_MAX here */
	bool after = l->start > end && (end == OFFSET_MAX || l->start > end + 1);
	return !before && !after;
}

/* Applies req (no conflict left) to its owner's locks: the range becomes
 * req's type (or unlocked), splitting and merging the owner's other locks
 * as POSIX says.  Returns 0 or -ENOLCK (nothing changed then). */
static int posix_apply(struct lock_ctx *c, const struct file_lock *req)
{
	struct file_lock *spare[2] = { malloc(sizeof(struct file_lock)),
				       malloc(sizeof(struct file_lock)) };
	if (!spare[0] || !spare[1]) {
		free(spare[0]);
		free(spare[1]);
		return -ENOLCK;
	}
	int64_t start = req->start, end = req->end;
	struct file_lock *l, *tmp;
	struct list_head keep;
	list_init(&keep);
	list_for_each_entry_safe(l, tmp, &c->posix, node) {
		if (l->owner != req->owner)
			continue;
		if (req->type != F_UNLCK && l->type == req->type && touches(l, req->start, req->end)) {
			/* Same type, touching: absorbed into the new lock. */
			if (l->start < start)
				start = l->start;
			if (l->end > end)
				end = l->end;
			lock_free(l);
			continue;
		}
		if (!ranges_overlap(l, req->start, req->end))
			continue;
		/* Other type (or unlock): keep what sticks out on either side. */
		if (l->start < req->start && l->end > req->end) {
			struct file_lock *upper = spare[1];
			spare[1] = NULL;
			*upper = *l;
			upper->start = req->end + 1;
			list_add_tail(&upper->node, &keep);
			l->end = req->start - 1;
		} else if (l->start < req->start) {
			l->end = req->start - 1;
		} else if (l->end > req->end) {
			l->start = req->end + 1;
		} else {
			lock_free(l);
			continue;
		}
		list_del(&l->node);
		list_add_tail(&l->node, &keep);
	}
	/* Re-insert the trimmed pieces in order. */
	list_for_each_entry_safe(l, tmp, &keep, node) {
		list_del(&l->node);
		posix_insert(c, l);
	}
	if (req->type != F_UNLCK) {
		struct file_lock *n = spare[0];
		spare[0] = NULL;
		*n = *req;
		n->start = start;
		n->end = end;
		posix_insert(c, n);
	}
	free(spare[0]);
	free(spare[1]);
	return 0;
}

/* Removes every POSIX (not OFD) lock of owner, or every OFD lock owned by
 * the open file owner (ofd).  Under locks_mutex; wakes the waiters. */
static void posix_remove_owner(struct lock_ctx *c, const void *owner, bool ofd)
{
	bool removed = false;
	struct file_lock *l, *tmp;
	list_for_each_entry_safe(l, tmp, &c->posix, node) {
		if (l->owner == owner && l->ofd == ofd) {
			lock_free(l);
			removed = true;
		}
	}
	if (removed)
		waitq_wake(&c->wq, 0);
}

/* struct flock -> the inclusive byte range (fs/locks.c's flock_to_posix_lock). */
static int flock_range(struct file *f, const struct flock *fl, int64_t *start, int64_t *end)
{
	int64_t base;
	switch (fl->l_whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		pthread_mutex_lock(&f->pos_lock);
		base = f->pos;
		pthread_mutex_unlock(&f->pos_lock);
		break;
	case SEEK_END:
		if (!f->inode)
			return -EINVAL;
		pthread_mutex_lock(&f->inode->lock);
		base = f->inode->size;
		pthread_mutex_unlock(&f->inode->lock);
		break;
	default:
		return -EINVAL;
	}
	if (fl->l_start > OFFSET_MAX - base)
		return -EOVERFLOW;
	int64_t s = base + fl->l_start, e;
	if (s < 0)
		return -EINVAL;
	if (fl->l_len > 0) {
		if (fl->l_len - 1 > OFFSET_MAX - s)
			return -EOVERFLOW;
		e = s + fl->l_len - 1;
	} else if (fl->l_len < 0) {
		e = s - 1;
		s += fl->l_len;
		if (s < 0)
			return -EINVAL;
	} else {
		e = OFFSET_MAX;
	}
	*start = s;
	*end = e;
	return 0;
}

static void lock_to_flock(const struct file_lock *l, struct flock *fl)
{
	fl->l_type = l->type;
	fl->l_whence = SEEK_SET;
	fl->l_start = l->start;
	fl->l_len = l->end == OFFSET_MAX ? 0 : l->end - l->start + 1;
	fl->l_pid = l->ofd ? -1 : l->pid;
}

/* F_GETLK / F_OFD_GETLK: fills fl with the first conflicting lock, or sets
 * l_type to F_UNLCK (leaving the rest as it was). */
static void posix_test(struct file *f, const struct file_lock *req, struct flock *fl)
{
	fl->l_type = F_UNLCK;
	if (!f->inode)
		return;
	pthread_mutex_lock(&locks_mutex);
	struct lock_ctx *c = ctx_peek(f->inode);
	struct file_lock *l = c ? posix_conflict(c, req) : NULL;
	if (l)
		lock_to_flock(l, fl);
	pthread_mutex_unlock(&locks_mutex);
}

/* F_SETLK(W) / F_OFD_SETLK(W). */
static long posix_set(struct task *t, struct file *f, const struct file_lock *req, bool wait)
{
	struct inode *inode = f->inode;
	if (!inode)
		return 0;   /* a host fd (the user's stdio): nothing to lock against */
	pthread_mutex_lock(&locks_mutex);
	struct lock_ctx *c = ctx_peek(inode);
	if (!c && req->type == F_UNLCK) {
		pthread_mutex_unlock(&locks_mutex);
		return 0;
	}
	if (!c)
		c = ctx_get(inode);
	long err = c ? 0 : -ENOLCK;
	struct blocked_req blocked = { .owner = req->owner };
	bool registered = false;
	while (err == 0) {
		struct file_lock *conflict = req->type == F_UNLCK ? NULL : posix_conflict(c, req);
		if (!conflict) {
			err = posix_apply(c, req);
			if (err == 0)
				waitq_wake(&c->wq, 0);   /* a range may have been released */
			break;
		}
		if (!wait) {
			err = -EAGAIN;
			break;
		}
		if (!req->ofd && posix_deadlock(req->owner, conflict->owner)) {
			err = -EDEADLK;
			break;
		}
		if (!req->ofd) {
			blocked.blocker = conflict->owner;
			if (!registered)
				list_add_tail(&blocked.node, &blocked_reqs);
			registered = true;
		}
		err = ctx_wait(t, c);
	}
	if (registered)
		list_del(&blocked.node);
	ctx_maybe_free(inode, c);
	pthread_mutex_unlock(&locks_mutex);
	return err;
}

/* Reads and checks the guest's struct flock into a request. */
static long read_request(struct task *t, struct file *f, int cmd, uint64_t arg, struct flock *fl,
			 struct file_lock *req)
{
	if (copy_from_user(t, fl, arg, sizeof *fl) < 0)
		return -EFAULT;
	bool ofd = cmd == F_OFD_GETLK || cmd == F_OFD_SETLK || cmd == F_OFD_SETLKW;
	bool get = cmd == F_GETLK || cmd == F_OFD_GETLK;
	/* In fcntl_getlk/fcntl_setlk's order: type and range, the owner,
	 * then the access mode. */
	if (fl->l_type != F_RDLCK && fl->l_type != F_WRLCK && (get || fl->l_type != F_UNLCK))
		return -EINVAL;
	*req = (struct file_lock){ .type = fl->l_type, .ofd = ofd };
	long err = flock_range(f, fl, &req->start, &req->end);
	if (err < 0)
		return err;
	if (ofd && fl->l_pid != 0)
		return -EINVAL;
	if (!get && fl->l_type == F_RDLCK && !file_readable(f))
		return -EBADF;
	if (!get && fl->l_type == F_WRLCK && !file_writable(f))
		return -EBADF;
	if (ofd) {
		req->owner = f;
	} else {
		req->owner = t->files;
		req->pid = t->tg->tgid;
	}
	return 0;
}

long fcntl_lock(struct task *t, int fd, struct file *f, int cmd, uint64_t arg)
{
	bool get = cmd == F_GETLK || cmd == F_OFD_GETLK;
	bool set = cmd == F_SETLK || cmd == F_SETLKW || cmd == F_OFD_SETLK || cmd == F_OFD_SETLKW;
	if (!get && !set)
		return -EINVAL;
	if (!f->fop)
		return -EBADF;   /* O_PATH */
	struct flock fl;
	struct file_lock req;
	long err = read_request(t, f, cmd, arg, &fl, &req);
	if (err < 0)
		return err;
	if (get) {
		posix_test(f, &req, &fl);
		return copy_to_user(t, arg, &fl, sizeof fl);
	}
	err = posix_set(t, f, &req, cmd == F_SETLKW || cmd == F_OFD_SETLKW);
	if (err == 0 && !req.ofd && req.type != F_UNLCK) {
		/* The fd may have been closed meanwhile, taking the table's
		 * locks with it: a lock set after that must not outlive it
		 * (as fcntl_setlk re-checks). */
		struct file *now = fd_get(t->files, fd);
		if (now != f) {
			req.type = F_UNLCK;
			posix_set(t, f, &req, false);
		}
		file_put(now);
	}
	return err;
}

/* --- flock ---------------------------------------------------------------------- */

static long flock_set(struct task *t, struct file *f, short type, bool wait)
{
	struct inode *inode = f->inode;
	if (!inode)
		return 0;
	pthread_mutex_lock(&locks_mutex);
	struct lock_ctx *c = ctx_peek(inode);
	if (!c && type == F_UNLCK) {
		pthread_mutex_unlock(&locks_mutex);
		return 0;
	}
	if (!c)
		c = ctx_get(inode);
	long err = c ? 0 : -ENOLCK;
	while (err == 0) {
		/* Converting: the old lock goes first, so a conversion that has
		 * to wait (or fails with LOCK_NB) leaves no lock (flock(2)). */
		struct file_lock *l, *tmp, *conflict = NULL;
		bool done = false;
		list_for_each_entry_safe(l, tmp, &c->flocks, node) {
			if (l->owner != f)
				continue;
			if (l->type == type) {
				done = true;
				break;
			}
			lock_free(l);
			waitq_wake(&c->wq, 0);
		}
		if (done || type == F_UNLCK)
			break;
		list_for_each_entry(l, &c->flocks, node) {
			if (l->owner != f && types_conflict(l->type, type)) {
				conflict = l;
				break;
			}
		}
		if (!conflict) {
			struct file_lock *n = calloc(1, sizeof *n);
			if (!n) {
				err = -ENOLCK;
				break;
			}
			*n = (struct file_lock){ .start = 0, .end = OFFSET_MAX, .type = type, .owner = f };
			list_add_tail(&n->node, &c->flocks);
			break;
		}
		if (!wait) {
			err = -EWOULDBLOCK;
			break;
		}
		err = ctx_wait(t, c);
	}
	ctx_maybe_free(inode, c);
	pthread_mutex_unlock(&locks_mutex);
	return err;
}

SYSCALL_DEFINE(flock)
{
	unsigned op = (unsigned)a1;
	short type;
	/* LOCK_MAND never worked and is ignored since Linux 5.15. */
	if (op & LOCK_MAND)
		return 0;
	switch (op & ~(unsigned)LOCK_NB) {
	case LOCK_SH:
		type = F_RDLCK;
		break;
	case LOCK_EX:
		type = F_WRLCK;
		break;
	case LOCK_UN:
		type = F_UNLCK;
		break;
	default:
		return -EINVAL;
	}
	struct file *f = fd_get(t->files, (int)a0);
	if (!f)
		return -EBADF;
	long r = f->fop ? flock_set(t, f, type, !(op & LOCK_NB)) : -EBADF;   /* O_PATH */
	file_put(f);
	return r;
}

/* --- release ----------------------------------------------------------------------- */

static void lock_fd_closed(struct file *f, const void *owner)
{
	if (!ctx_peek(f->inode))
		return;
	pthread_mutex_lock(&locks_mutex);
	struct lock_ctx *c = ctx_peek(f->inode);
	if (c) {
		posix_remove_owner(c, owner, false);
		ctx_maybe_free(f->inode, c);
	}
	pthread_mutex_unlock(&locks_mutex);
}

static void lock_file_released(struct file *f)
{
	if (!ctx_peek(f->inode))
		return;
	pthread_mutex_lock(&locks_mutex);
	struct lock_ctx *c = ctx_peek(f->inode);
	if (c) {
		posix_remove_owner(c, f, true);
		bool removed = false;
		struct file_lock *l, *tmp;
		list_for_each_entry_safe(l, tmp, &c->flocks, node) {
			if (l->owner == f) {
				lock_free(l);
				removed = true;
			}
		}
		if (removed)
			waitq_wake(&c->wq, 0);
		ctx_maybe_free(f->inode, c);
	}
	pthread_mutex_unlock(&locks_mutex);
}
