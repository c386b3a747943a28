/* inotify, and the VFS's change-notification hooks that feed it (Linux's
 * fs/notify/inotify and include/linux/fsnotify.h).
 *
 * A watch ties one inotify instance to one inode (holding a reference to
 * the inode, as Linux's marks pin theirs).  The hooks (vfs.h, fsnotify_*)
 * are called by the VFS after a change; an event about a file goes to the
 * file's own watches and, with the file's name, to its directory's.  Events
 * are queued per instance as Linux does: an event equal to the last queued
 * one is merged into it, and past the queue limit one IN_Q_OVERFLOW stands
 * for everything lost.
 *
 * Locking: watches_lock (global) protects every watch list and is taken
 * only when a watch exists somewhere (nwatches); an instance's lock
 * protects its event queue.  Order: watches_lock, then an instance's lock;
 * wake-ups are made with watches_lock held (they take queue and epoll
 * locks only); references to inodes are dropped after it is released.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>

#include "sentry/fs/events.h"
#include "sentry/fs/fs.h"
#include "sentry/mm/mm.h"

#define MAX_QUEUED_EVENTS 16384   /* /proc/sys/fs/inotify/max_queued_events */
#define MAX_INSTANCES     128     /* max_user_instances */
#define MAX_WATCHES       65536   /* max_user_watches (Linux scales it with RAM) */
#define WATCH_BUCKETS     256
#define USER_MASK         (IN_ALL_EVENTS | IN_ONESHOT | IN_EXCL_UNLINK)

struct inotify {
	pthread_mutex_t lock;
	struct list_head events;      /* struct ievent, oldest first */
	int nevents;                  /* the overflow event included */
	struct waitq wq;
	/* Under watches_lock: */
	struct list_head watches;     /* struct iwatch.inst_node */
	int last_wd;
};

struct iwatch {
	struct list_head inode_node;  /* in its bucket */
	struct list_head inst_node;
	struct inotify *in;
	struct inode *inode;          /* a reference */
	int wd;
	uint32_t mask;                /* USER_MASK bits */
};

struct ievent {
	struct list_head node;
	int32_t wd;
	uint32_t mask, cookie;
	uint32_t namelen;             /* 0: no name */
	char name[];
};

static pthread_mutex_t watches_lock = PTHREAD_MUTEX_INITIALIZER;
static struct list_head buckets[WATCH_BUCKETS];
static pthread_once_t buckets_once = PTHREAD_ONCE_INIT;
static atomic_int nwatches;
static atomic_int ninstances;
static atomic_uint cookie_seq;

static void buckets_init(void)
{
	for (int i = 0; i < WATCH_BUCKETS; i++)
		list_init(&buckets[i]);
}

static struct list_head *bucket_of(const struct inode *inode)
{
	return &buckets[((uintptr_t)inode >> 6) % WATCH_BUCKETS];
}

/* --- the event queue ---------------------------------------------------------- */

/* The bytes read() gives the event: a struct inotify_event, then the name
 * padded with NULs to a multiple of the struct's size. */
static size_t padded_namelen(const struct ievent *e)
{
	size_t unit = sizeof(struct inotify_event);
	return e->namelen ? (e->namelen + 1 + unit - 1) / unit * unit : 0;
}

static bool same_event(const struct ievent *a, uint32_t mask, int wd, const char *name,
		       size_t namelen)
{
	return !(a->mask & IN_IGNORED) && a->mask == mask && a->wd == wd &&
	       a->namelen == namelen && (!namelen || memcmp(a->name, name, namelen) == 0);
}

/* Queues an event (instance lock held); false if nothing new was queued. */
static bool queue_event_locked(struct inotify *in, int wd, uint32_t mask, uint32_t cookie,
			       const char *name)
{
	size_t namelen = name ? strlen(name) : 0;
	struct ievent *last = list_empty(&in->events) ? NULL :
			      list_entry(in->events.prev, struct ievent, node);
	if (in->nevents >= MAX_QUEUED_EVENTS) {
		if (last && last->mask == IN_Q_OVERFLOW)
			return false;
		wd = -1;
		mask = IN_Q_OVERFLOW;
		cookie = 0;
		namelen = 0;
	} else if (last && same_event(last, mask, wd, name, namelen)) {
		return false;   /* inotify_merge */
	}
	struct ievent *e = malloc(sizeof *e + namelen + 1);
	if (!e)
		return false;
	e->wd = wd;
	e->mask = mask;
	e->cookie = cookie;
	e->namelen = (uint32_t)namelen;
	memcpy(e->name, name ? name : "", namelen);
	e->name[namelen] = 0;
	list_add_tail(&e->node, &in->events);
	in->nevents++;
	return true;
}

static void queue_event(struct inotify *in, int wd, uint32_t mask, uint32_t cookie,
			const char *name)
{
	pthread_mutex_lock(&in->lock);
	bool queued = queue_event_locked(in, wd, mask, cookie, name);
	pthread_mutex_unlock(&in->lock);
	if (queued)
		waitq_wake(&in->wq, POLLIN);
}

/* --- watches (watches_lock held) -------------------------------------------- */

/* Unlinks w; its inode reference goes to *put for after the lock. */
static void watch_free_locked(struct iwatch *w, struct inode **put)
{
	list_del(&w->inode_node);
	list_del(&w->inst_node);
	atomic_fetch_sub(&nwatches, 1);
	*put = w->inode;
	free(w);
}

/* inotify_rm_watch, IN_ONESHOT, deletion: the watch ends with IN_IGNORED. */
static void watch_remove_locked(struct iwatch *w, struct inode **put)
{
	queue_event(w->in, w->wd, IN_IGNORED, 0, NULL);
	watch_free_locked(w, put);
}

/* Delivers an event to the watches on inode.  name (with child_unlinked
 * telling whether that child is gone) makes it an event about a child of
 * the directory inode. */
static void notify(struct inode *inode, uint32_t mask, const char *name, uint32_t cookie,
		   bool child_unlinked)
{
	if (!atomic_load(&nwatches))
		return;
	/* inotify never said IN_ISDIR with these (inotify_handle_inode_event). */
	if (mask & (IN_DELETE_SELF | IN_MOVE_SELF))
		mask &= ~(uint32_t)IN_ISDIR;
	int nput = 0;   /* IN_ONESHOT watches that ended: references to inode */
	pthread_mutex_lock(&watches_lock);
	struct iwatch *w, *tmp;
	list_for_each_entry_safe(w, tmp, bucket_of(inode), inode_node) {
		if (w->inode != inode || !(w->mask & mask & IN_ALL_EVENTS))
			continue;
		if (child_unlinked && (w->mask & IN_EXCL_UNLINK))
			continue;
		queue_event(w->in, w->wd, mask, cookie, name);
		if (w->mask & IN_ONESHOT) {
			struct inode *put;
			watch_remove_locked(w, &put);
			nput++;
		}
	}
	pthread_mutex_unlock(&watches_lock);
	/* The caller holds inode too: none of these is the last reference. */
	while (nput-- > 0)
		inode_put(inode);
}

static uint32_t isdir_bit(const struct inode *inode)
{
	return S_ISDIR(inode->mode) ? IN_ISDIR : 0;
}

/* An event about d: to d's directory (with d's name), then to d itself. */
static void notify_dentry(struct dentry *d, uint32_t mask)
{
	if (!atomic_load(&nwatches))
		return;
	mask |= isdir_bit(d->inode);
	char name[NAME_MAX + 1];
	struct dentry *parent = dentry_get_parent_name(d, name);
	if (parent) {
		notify(parent->inode, mask, name, 0, d->flags & DENTRY_DEAD);
		dentry_put(parent);
	}
	notify(d->inode, mask, NULL, 0, false);
}

/* --- the VFS hooks ----------------------------------------------------------- */

void fsnotify_create(struct dentry *dir, const char *name, struct inode *inode)
{
	notify(dir->inode, IN_CREATE | isdir_bit(inode), name, 0, false);
}

void fsnotify_link_count(struct inode *inode)
{
	notify(inode, IN_ATTRIB | isdir_bit(inode), NULL, 0, false);
}

void fsnotify_link(struct dentry *dir, const char *name, struct inode *inode)
{
	fsnotify_link_count(inode);
	notify(dir->inode, IN_CREATE | isdir_bit(inode), name, 0, false);
}

void fsnotify_delete(struct dentry *dir, const char *name, bool is_dir)
{
	notify(dir->inode, IN_DELETE | (is_dir ? IN_ISDIR : 0), name, 0, false);
}

void fsnotify_inoderemove(struct inode *inode)
{
	if (!atomic_load(&nwatches))
		return;
	pthread_mutex_lock(&inode->lock);
	bool gone = inode->nlink == 0;
	pthread_mutex_unlock(&inode->lock);
	if (!gone)
		return;
	notify(inode, IN_DELETE_SELF, NULL, 0, false);
	/* Every watch on it ends (Linux's __fsnotify_inode_delete). */
	for (;;) {
		struct inode *put = NULL;
		pthread_mutex_lock(&watches_lock);
		struct iwatch *w;
		list_for_each_entry(w, bucket_of(inode), inode_node) {
			if (w->inode == inode) {
				watch_remove_locked(w, &put);
				break;
			}
		}
		pthread_mutex_unlock(&watches_lock);
		if (!put)
			break;
		/* The caller still holds inode: this is never the last reference. */
		inode_put(put);
	}
}

void fsnotify_move(struct dentry *olddir, const char *oldname, struct dentry *newdir,
		   const char *newname, struct inode *source, struct inode *target)
{
	if (!atomic_load(&nwatches))
		return;
	uint32_t cookie = atomic_fetch_add(&cookie_seq, 1) + 1;
	if (cookie == 0)
		cookie = atomic_fetch_add(&cookie_seq, 1) + 1;
	uint32_t dirbit = isdir_bit(source);
	notify(olddir->inode, IN_MOVED_FROM | dirbit, oldname, cookie, false);
	notify(newdir->inode, IN_MOVED_TO | dirbit, newname, cookie, false);
	if (target)
		fsnotify_link_count(target);
	notify(source, IN_MOVE_SELF, NULL, 0, false);
}

/* Files opened with O_PATH (no file_ops) and files in no directory make no
 * events. */
static struct dentry *notify_target(struct file *f)
{
	return f->fop && f->path.dentry && atomic_load(&nwatches) ? f->path.dentry : NULL;
}

void fsnotify_open(struct file *f)
{
	struct dentry *d = notify_target(f);
	if (d)
		notify_dentry(d, IN_OPEN);
}

void fsnotify_close(struct file *f)
{
	struct dentry *d = notify_target(f);
	if (d)
		notify_dentry(d, file_writable(f) ? IN_CLOSE_WRITE : IN_CLOSE_NOWRITE);
}

void fsnotify_access(struct file *f)
{
	struct dentry *d = notify_target(f);
	if (d)
		notify_dentry(d, IN_ACCESS);
}

void fsnotify_modify(struct file *f)
{
	struct dentry *d = notify_target(f);
	if (d)
		notify_dentry(d, IN_MODIFY);
}

void fsnotify_change(struct dentry *d, unsigned valid)
{
	if (!atomic_load(&nwatches))
		return;
	uint32_t mask = 0;
	if (valid & (ATTR_UID | ATTR_GID | ATTR_MODE))
		mask |= IN_ATTRIB;
	if (valid & ATTR_SIZE)
		mask |= IN_MODIFY;
	/* Both times: utimes(), an attribute change; one: a data event. */
	if ((valid & (ATTR_ATIME | ATTR_MTIME)) == (ATTR_ATIME | ATTR_MTIME))
		mask |= IN_ATTRIB;
	else if (valid & ATTR_ATIME)
		mask |= IN_ACCESS;
	else if (valid & ATTR_MTIME)
		mask |= IN_MODIFY;
	if (mask)
		notify_dentry(d, mask);
}

/* --- the inotify file ------------------------------------------------------ */

static int inotify_wait(struct inotify *in, struct task *t)
{
	struct waitq_entry w;
	waitq_add(&in->wq, &w, t, POLLIN);
	pthread_mutex_unlock(&in->lock);
	int err = task_block(t, NULL, NULL, 0);
	waitq_del(&in->wq, &w);
	pthread_mutex_lock(&in->lock);
	return err == -EINTR ? -ERESTARTSYS : 0;
}

static ssize_t inotify_read(struct file *f, struct task *t, void *buf, size_t len,
			    int64_t *pos)
{
	struct inotify *in = f->priv;
	size_t done = 0;
	ssize_t err = 0;
	pthread_mutex_lock(&in->lock);
	for (;;) {
		if (list_empty(&in->events)) {
			if (done)
				break;
			if (f->flags & O_NONBLOCK) {
				err = -EAGAIN;
				break;
			}
			if ((err = inotify_wait(in, t)) < 0)
				break;
			continue;
		}
		struct ievent *e = list_entry(in->events.next, struct ievent, node);
		size_t pad = padded_namelen(e);
		size_t size = sizeof(struct inotify_event) + pad;
		if (size > len - done) {
			if (!done)
				err = -EINVAL;   /* the buffer cannot hold even the first */
			break;
		}
		struct inotify_event ie = { .wd = e->wd, .mask = e->mask, .cookie = e->cookie,
					    .len = (uint32_t)pad };
		char *p = (char *)buf + done;
		memcpy(p, &ie, sizeof ie);
		memset(p + sizeof ie, 0, pad);
		memcpy(p + sizeof ie, e->name, e->namelen);
		done += size;
		list_del(&e->node);
		in->nevents--;
		free(e);
	}
	pthread_mutex_unlock(&in->lock);
	return done ? (ssize_t)done : err;
}

static unsigned inotify_poll(struct file *f, struct poll_table *pt)
{
	struct inotify *in = f->priv;
	if (pt)
		poll_wait(pt, &in->wq, 0);
	pthread_mutex_lock(&in->lock);
	bool ready = !list_empty(&in->events);
	pthread_mutex_unlock(&in->lock);
	return ready ? POLLIN | POLLRDNORM : 0;
}

static long inotify_ioctl(struct file *f, struct task *t, unsigned long cmd, uint64_t arg)
{
	struct inotify *in = f->priv;
	if (cmd != FIONREAD)
		return -ENOTTY;
	size_t n = 0;
	pthread_mutex_lock(&in->lock);
	struct ievent *e;
	list_for_each_entry(e, &in->events, node)
		n += sizeof(struct inotify_event) + padded_namelen(e);
	pthread_mutex_unlock(&in->lock);
	int v = n > INT_MAX ? INT_MAX : (int)n;
	return copy_to_user(t, arg, &v, sizeof v);
}

static void inotify_release(struct file *f)
{
	struct inotify *in = f->priv;
	for (;;) {
		struct inode *put = NULL;
		pthread_mutex_lock(&watches_lock);
		if (!list_empty(&in->watches))
			watch_free_locked(list_entry(in->watches.next, struct iwatch, inst_node),
					  &put);
		pthread_mutex_unlock(&watches_lock);
		if (!put)
			break;
		inode_put(put);
	}
	struct ievent *e, *tmp;
	list_for_each_entry_safe(e, tmp, &in->events, node)
		free(e);
	pthread_mutex_destroy(&in->lock);
	free(in);
	atomic_fetch_sub(&ninstances, 1);
}

static const struct file_ops inotify_fops = {
	.read = inotify_read,
	.poll = inotify_poll,
	.ioctl = inotify_ioctl,
	.release = inotify_release,
};

bool file_is_inotify(const struct file *f)
{
	return f->fop == &inotify_fops;
}

int inotify_file_new(unsigned flags, struct file **out)
{
	pthread_once(&buckets_once, buckets_init);
	if (atomic_fetch_add(&ninstances, 1) >= MAX_INSTANCES) {
		atomic_fetch_sub(&ninstances, 1);
		return -EMFILE;
	}
	struct inotify *in = calloc(1, sizeof *in);
	if (!in) {
		atomic_fetch_sub(&ninstances, 1);
		return -ENOMEM;
	}
	pthread_mutex_init(&in->lock, NULL);
	list_init(&in->events);
	list_init(&in->watches);
	waitq_init(&in->wq);
	struct file *f = anon_file_new("inotify", &inotify_fops, O_RDONLY | (flags & O_NONBLOCK), in);
	if (!f) {
		pthread_mutex_destroy(&in->lock);
		free(in);
		atomic_fetch_sub(&ninstances, 1);
		return -ENOMEM;
	}
	*out = f;
	return 0;
}

static struct iwatch *find_wd_locked(struct inotify *in, int wd)
{
	struct iwatch *w;
	list_for_each_entry(w, &in->watches, inst_node)
		if (w->wd == wd)
			return w;
	return NULL;
}

/* The next watch descriptor: counting up from the last one given, as
 * Linux's idr_alloc_cyclic does, never 0 or one in use. */
static int next_wd_locked(struct inotify *in)
{
	int wd = in->last_wd;
	do
		wd = wd == INT_MAX ? 1 : wd + 1;
	while (find_wd_locked(in, wd));
	in->last_wd = wd;
	return wd;
}

int inotify_watch(struct file *f, struct inode *inode, uint32_t mask)
{
	struct inotify *in = f->priv;
	uint32_t bits = mask & USER_MASK;
	pthread_mutex_lock(&watches_lock);
	int r;
	struct iwatch *w;
	list_for_each_entry(w, &in->watches, inst_node)
		if (w->inode == inode)
			break;
	if (&w->inst_node != &in->watches) {
		if (mask & IN_MASK_CREATE) {
			r = -EEXIST;
		} else {
			w->mask = (mask & IN_MASK_ADD) ? w->mask | bits : bits;
			r = w->wd;
		}
	} else if (atomic_load(&nwatches) >= MAX_WATCHES) {
		r = -ENOSPC;
	} else if (!(w = calloc(1, sizeof *w))) {
		r = -ENOMEM;
	} else {
		w->in = in;
		w->inode = inode;
		inode_get(inode);
		w->mask = bits;
		w->wd = r = next_wd_locked(in);
		list_add_tail(&w->inst_node, &in->watches);
		list_add_tail(&w->inode_node, bucket_of(inode));
		atomic_fetch_add(&nwatches, 1);
	}
	pthread_mutex_unlock(&watches_lock);
	return r;
}

int inotify_unwatch(struct file *f, int wd)
{
	struct inotify *in = f->priv;
	struct inode *put = NULL;
	pthread_mutex_lock(&watches_lock);
	struct iwatch *w = find_wd_locked(in, wd);
	if (w)
		watch_remove_locked(w, &put);
	pthread_mutex_unlock(&watches_lock);
	if (!put)
		return -EINVAL;
	inode_put(put);
	return 0;
}
