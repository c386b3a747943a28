/* The dentry cache and the mount table.
 *
 * A cached dentry is held by its parent's children list (one reference) and
 * holds its parent.  For file systems whose tree lives only in memory
 * (tmpfs) the cache is the file system; for the others it remembers what
 * lookup() found.  SB_NOCACHE file systems (procfs) get fresh, uncached
 * dentries on every walk.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sentry/vfs/internal.h"

pthread_mutex_t dcache_lock = PTHREAD_MUTEX_INITIALIZER;
pthread_mutex_t namespace_lock = PTHREAD_MUTEX_INITIALIZER;

static struct dentry *dentry_alloc(const char *name, struct inode *inode)
{
	struct dentry *d = calloc(1, sizeof *d);
	if (!d)
		return NULL;
	d->name = strdup(name);
	if (!d->name) {
		free(d);
		return NULL;
	}
	atomic_init(&d->refcount, 1);
	list_init(&d->children);
	list_init(&d->sibling);
	inode_get(inode);
	d->inode = inode;
	d->sb = inode->sb;
	sb_get(d->sb);
	return d;
}

struct dentry *dentry_new_root(struct inode *inode)
{
	struct dentry *d = dentry_alloc("/", inode);
	if (d && S_ISDIR(inode->mode) && inode->iop && !inode->iop->lookup)
		d->flags |= DENTRY_COMPLETE;
	return d;
}

void dentry_get(struct dentry *d)
{
	atomic_fetch_add(&d->refcount, 1);
}

void dentry_put(struct dentry *d)
{
	while (d && atomic_fetch_sub(&d->refcount, 1) == 1) {
		struct dentry *parent = d->parent;
		if (d->flags & DENTRY_DEAD)
			fsnotify_inoderemove(d->inode);   /* the last use of an unlinked name */
		inode_put(d->inode);
		sb_put(d->sb);
		free(d->name);
		free(d);
		d = parent;   /* drop the reference the child held */
	}
}

struct dentry *dcache_find_locked(struct dentry *d, const char *name)
{
	struct dentry *c;
	list_for_each_entry(c, &d->children, sibling) {
		if (strcmp(c->name, name) == 0) {
			dentry_get(c);
			return c;
		}
	}
	return NULL;
}

/* Links child under parent (both locked by dcache_lock); the list takes the
 * caller's reference to child. */
static void dcache_link_locked(struct dentry *parent, struct dentry *child)
{
	dentry_get(parent);
	child->parent = parent;
	list_add_tail(&child->sibling, &parent->children);
	child->cached = true;
}

int dcache_lookup(struct dentry *d, const char *name, struct dentry **out)
{
	pthread_mutex_lock(&dcache_lock);
	if (d->flags & DENTRY_DEAD) {
		pthread_mutex_unlock(&dcache_lock);
		return -ENOENT;
	}
	struct dentry *c = dcache_find_locked(d, name);
	bool complete = d->flags & DENTRY_COMPLETE;
	pthread_mutex_unlock(&dcache_lock);
	if (c) {
		*out = c;
		return 0;
	}
	if (complete || !d->inode->iop || !d->inode->iop->lookup)
		return -ENOENT;

	struct inode *inode;
	int err = d->inode->iop->lookup(d->inode, name, &inode);
	if (err < 0)
		return err;
	struct dentry *nd = dentry_alloc(name, inode);
	inode_put(inode);
	if (!nd)
		return -ENOMEM;
	if (d->sb->flags & SB_NOCACHE) {
		dentry_get(d);
		nd->parent = d;
		*out = nd;
		return 0;
	}
	pthread_mutex_lock(&dcache_lock);
	c = dcache_find_locked(d, name);   /* lost a race? use the winner */
	if (c) {
		pthread_mutex_unlock(&dcache_lock);
		dentry_put(nd);
		*out = c;
		return 0;
	}
	dentry_get(nd);   /* one for the list, one for the caller */
	dcache_link_locked(d, nd);
	pthread_mutex_unlock(&dcache_lock);
	*out = nd;
	return 0;
}

int dentry_add_child(struct dentry *parent, const char *name, struct inode *inode,
		     struct dentry **out)
{
	struct dentry *nd = dentry_alloc(name, inode);
	if (!nd)
		return -ENOMEM;
	if (S_ISDIR(inode->mode) && inode->iop && !inode->iop->lookup)
		nd->flags |= DENTRY_COMPLETE;
	pthread_mutex_lock(&dcache_lock);
	struct dentry *old = dcache_find_locked(parent, name);
	if (old) {
		/* Replaced (e.g. rename over it, or a stale negative result). */
		list_del(&old->sibling);
		old->cached = false;
		old->flags |= DENTRY_DEAD;
	}
	if (!(parent->sb->flags & SB_NOCACHE)) {
		dentry_get(nd);
		dcache_link_locked(parent, nd);
	} else {
		dentry_get(parent);
		nd->parent = parent;
	}
	pthread_mutex_unlock(&dcache_lock);
	if (old) {
		dentry_put(old);   /* the list's reference */
		dentry_put(old);   /* ours from find */
	}
	if (out)
		*out = nd;
	else
		dentry_put(nd);
	return 0;
}

struct dentry *dentry_get_parent_name(struct dentry *d, char name[NAME_MAX + 1])
{
	pthread_mutex_lock(&dcache_lock);
	struct dentry *parent = d->parent;
	if (parent)
		dentry_get(parent);
	snprintf(name, NAME_MAX + 1, "%s", d->name);
	pthread_mutex_unlock(&dcache_lock);
	return parent;
}

void dentry_set_complete(struct dentry *d)
{
	pthread_mutex_lock(&dcache_lock);
	d->flags |= DENTRY_COMPLETE;
	pthread_mutex_unlock(&dcache_lock);
}

void dentry_for_each_child(struct dentry *d, void (*fn)(struct dentry *child, void *arg),
			   void *arg)
{
	pthread_mutex_lock(&dcache_lock);
	struct dentry *c;
	list_for_each_entry(c, &d->children, sibling)
		fn(c, arg);
	pthread_mutex_unlock(&dcache_lock);
}

bool dentry_has_children(struct dentry *d)
{
	pthread_mutex_lock(&dcache_lock);
	bool any = false;
	struct dentry *c;
	list_for_each_entry(c, &d->children, sibling)
		if (!(c->flags & DENTRY_DEAD)) {
			any = true;
			break;
		}
	pthread_mutex_unlock(&dcache_lock);
	return any;
}

void dcache_drop(struct dentry *d)
{
	pthread_mutex_lock(&dcache_lock);
	d->flags |= DENTRY_DEAD;
	bool was_cached = d->cached;
	if (was_cached) {
		list_del(&d->sibling);
		d->cached = false;
	}
	pthread_mutex_unlock(&dcache_lock);
	if (was_cached)
		dentry_put(d);
}

int dcache_move(struct dentry *d, struct dentry *new_parent, const char *new_name)
{
	char *name = strdup(new_name);
	if (!name)
		return -ENOMEM;
	pthread_mutex_lock(&dcache_lock);
	struct dentry *old_parent = d->parent;
	if (d->cached)
		list_del(&d->sibling);
	free(d->name);
	d->name = name;
	dentry_get(new_parent);
	d->parent = new_parent;
	if (!(new_parent->sb->flags & SB_NOCACHE)) {
		list_add_tail(&d->sibling, &new_parent->children);
		if (!d->cached)
			dentry_get(d);
		d->cached = true;
	} else if (d->cached) {
		d->cached = false;
		pthread_mutex_unlock(&dcache_lock);
		dentry_put(d);
		dentry_put(old_parent);
		return 0;
	}
	pthread_mutex_unlock(&dcache_lock);
	dentry_put(old_parent);
	return 0;
}

/* --- mounts ------------------------------------------------------------------ */

struct mount_table {
	struct list_head mounts;
	struct mount *root;
	int next_id;
	int nocache_mounts;   /* mounts on SB_NOCACHE dentries (OCI masks of /proc) */
};

void mount_get(struct mount *m)
{
	atomic_fetch_add(&m->refcount, 1);
}

void mount_put(struct mount *m)
{
	/* Mounts live as long as the sandbox: nothing unmounts yet. */
	if (m)
		atomic_fetch_sub(&m->refcount, 1);
}

static struct mount *mount_alloc(struct mount_table *mt, struct dentry *root, const char *source,
				 unsigned flags)
{
	struct mount *m = calloc(1, sizeof *m);
	if (!m)
		return NULL;
	m->source = strdup(source ? source : "none");
	atomic_init(&m->refcount, 1);
	m->id = mt->next_id++;
	m->table = mt;
	dentry_get(root);
	m->root = root;
	m->sb = root->sb;
	m->flags = flags;
	return m;
}

struct mount_table *mount_table_new(struct dentry *root, const char *source, unsigned flags)
{
	struct mount_table *mt = calloc(1, sizeof *mt);
	if (!mt)
		return NULL;
	list_init(&mt->mounts);
	mt->next_id = 1;
	mt->root = mount_alloc(mt, root, source, flags);
	if (!mt->root) {
		free(mt);
		return NULL;
	}
	list_add_tail(&mt->root->node, &mt->mounts);
	return mt;
}

struct mount *mount_table_root(struct mount_table *mt)
{
	return mt->root;
}

/* An SB_NOCACHE file system (procfs) makes a new dentry on every walk: a
 * mount on one of its names is found by the names up to an ancestor both
 * dentries share (its root, which its mount holds). */
static bool same_spot_locked(struct dentry *a, struct dentry *b)
{
	while (a != b) {
		if (!a || !b || a->sb != b->sb || strcmp(a->name, b->name) != 0)
			return false;
		a = a->parent;
		b = b->parent;
	}
	return true;
}

struct mount *mount_lookup_locked(struct mount *mnt, struct dentry *dentry)
{
	bool by_name = !dentry->mounted && (dentry->sb->flags & SB_NOCACHE) &&
		       mnt->table->nocache_mounts > 0;
	if (!dentry->mounted && !by_name)
		return NULL;
	/* The last mount on a spot is the visible one. */
	struct mount *top = NULL, *m;
	list_for_each_entry(m, &mnt->table->mounts, node)
		if (m->parent == mnt && (m->mountpoint == dentry ||
					 (by_name && same_spot_locked(m->mountpoint, dentry))))
			top = m;
	return top;
}

int mount_at(struct mount_table *mt, const char *where, struct dentry *root, const char *source,
	     unsigned flags)
{
	/* Walk (creating directories as needed) from the root mount. */
	struct path cur = { mt->root, mt->root->root };
	path_get(&cur);
	char *copy = strdup(where);
	if (!copy) {
		path_put(&cur);
		return -ENOMEM;
	}
	int err = 0;
	for (char *save, *name = strtok_r(copy, "/", &save); name; name = strtok_r(NULL, "/", &save)) {
		struct dentry *child;
		/* Looked up as names, "." and ".." would become directories
		 * called so. */
		if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
			err = -EINVAL;
			break;
		}
		/* A file mount's missing mountpoint is made an empty file, as
		 * runc does; everything above it a directory. */
		bool file = !S_ISDIR(root->inode->mode) && save[strspn(save, "/")] == 0;
		err = dcache_lookup(cur.dentry, name, &child);
		/* A mountpoint the lower layer refuses to show (the host's /proc,
		 * /sys...) is made anew in the upper layer. */
		const struct inode_ops *iop = cur.dentry->inode->iop;
		if ((err == -ENOENT || err == -EACCES) && iop &&
		    (file ? iop->create != NULL : iop->mkdir != NULL)) {
			struct owner o = { 0, 0 };
			struct inode *inode;
			err = file ? iop->create(cur.dentry->inode, name, S_IFREG | 0644, &o, &inode)
				   : iop->mkdir(cur.dentry->inode, name, 0755, &o, &inode);
			if (err == 0) {
				err = dentry_add_child(cur.dentry, name, inode, &child);
				inode_put(inode);
			}
		}
		if (err < 0)
			break;
		dentry_put(cur.dentry);
		cur.dentry = child;
		pthread_mutex_lock(&dcache_lock);
		struct mount *over;
		while ((over = mount_lookup_locked(cur.mnt, cur.dentry))) {
			dentry_put(cur.dentry);
			mount_get(over);   /* the new mount's reference on its parent is right */
			mount_put(cur.mnt);
			cur.mnt = over;
			cur.dentry = over->root;
			dentry_get(cur.dentry);
		}
		pthread_mutex_unlock(&dcache_lock);
	}
	free(copy);
	/* A directory on a directory, or a file on a non-directory (Linux's
	 * rule for bind mounts). */
	if (err == 0 && S_ISDIR(cur.dentry->inode->mode) != S_ISDIR(root->inode->mode))
		err = -ENOTDIR;
	if (err < 0) {
		path_put(&cur);
		return err;
	}
	struct mount *m = mount_alloc(mt, root, source, flags);
	if (!m) {
		path_put(&cur);
		return -ENOMEM;
	}
	pthread_mutex_lock(&dcache_lock);
	m->parent = cur.mnt;
	m->mountpoint = cur.dentry;   /* keeps the walk's reference */
	cur.dentry->mounted++;
	if (cur.dentry->sb->flags & SB_NOCACHE)
		mt->nocache_mounts++;
	list_add_tail(&m->node, &mt->mounts);
	pthread_mutex_unlock(&dcache_lock);
	return 0;
}

void mount_table_for_each(struct mount_table *mt, void (*fn)(struct mount *m, void *arg),
			  void *arg)
{
	pthread_mutex_lock(&dcache_lock);
	struct mount *m;
	list_for_each_entry(m, &mt->mounts, node)
		fn(m, arg);
	pthread_mutex_unlock(&dcache_lock);
}

/* Drops the cached subtree of d from the dcache: each cached descendant
 * leaves its parent's list and goes once nothing else holds it (with its
 * inode, and what the inode holds).  A work list, not recursion: a guest
 * may have made the tree deep. */
static void dcache_prune(struct dentry *d)
{
	size_t n = 0, cap = 0;
	struct dentry **work = NULL;
	for (struct dentry *cur = d; cur;) {
		pthread_mutex_lock(&dcache_lock);
		while (!list_empty(&cur->children)) {
			if (n == cap) {
				size_t ncap = cap ? cap * 2 : 64;
				struct dentry **w = realloc(work, ncap * sizeof *w);
				if (!w)
					break;   /* what is left stays cached */
				work = w;
				cap = ncap;
			}
			struct dentry *c = list_entry(cur->children.next, struct dentry, sibling);
			list_del(&c->sibling);
			c->cached = false;
			work[n++] = c;   /* with the list's reference */
		}
		pthread_mutex_unlock(&dcache_lock);
		if (cur != d)
			dentry_put(cur);
		cur = n ? work[--n] : NULL;
	}
	free(work);
}

int mount_table_destroy(struct mount_table *mt, bool (*owned)(struct dentry *root, void *arg),
			void *arg)
{
	size_t n = 0;
	struct mount *m, *tmp, *c;
	pthread_mutex_lock(&dcache_lock);
	list_for_each_entry(m, &mt->mounts, node)
		n++;
	struct dentry **roots = calloc(n + 1, sizeof *roots);
	/* Unused: no reference but the table's and its child mounts'. */
	bool busy = !roots;
	n = 0;
	list_for_each_entry(m, &mt->mounts, node) {
		long want = 1;
		list_for_each_entry(c, &mt->mounts, node)
			want += c->parent == m;
		busy |= atomic_load(&m->refcount) != want;
		if (roots && owned(m->root, arg)) {
			dentry_get(m->root);
			roots[n++] = m->root;
		}
	}
	if (!busy)
		list_for_each_entry(m, &mt->mounts, node)
			if (m->mountpoint)
				m->mountpoint->mounted--;
	pthread_mutex_unlock(&dcache_lock);
	/* Their files go in any case: the host fds they hold above all. */
	for (size_t i = 0; i < n; i++) {
		dcache_prune(roots[i]);
		dentry_put(roots[i]);
	}
	free(roots);
	if (busy)
		return -EBUSY;   /* the mounts stay, for whatever still uses them */
	list_for_each_entry_safe(m, tmp, &mt->mounts, node) {
		list_del(&m->node);
		if (m->mountpoint)
			dentry_put(m->mountpoint);
		dentry_put(m->root);
		free(m->source);
		free(m);
	}
	free(mt);
	return 0;
}

void path_get(const struct path *p)
{
	if (p->mnt)
		mount_get(p->mnt);
	if (p->dentry)
		dentry_get(p->dentry);
}

void path_put(struct path *p)
{
	if (p->dentry)
		dentry_put(p->dentry);
	if (p->mnt)
		mount_put(p->mnt);
	p->dentry = NULL;
	p->mnt = NULL;
}

int path_to_string(const struct path *p, const struct path *root, char *buf, size_t size)
{
	if (size < 2)
		return -ERANGE;
	/* Build right to left at the end of buf. */
	size_t pos = size - 1;
	buf[pos] = 0;
	pthread_mutex_lock(&dcache_lock);
	struct mount *mnt = p->mnt;
	struct dentry *d = p->dentry;
	bool deleted = d->flags & DENTRY_DEAD;
	int err = 0;
	for (;;) {
		if (root && mnt == root->mnt && d == root->dentry)
			break;
		if (mnt && d == mnt->root) {
			if (!mnt->parent)
				break;
			d = mnt->mountpoint;
			mnt = mnt->parent;
			continue;
		}
		if (!d->parent)
			break;
		size_t len = strlen(d->name);
		if (len + 1 > pos) {
			err = -ENAMETOOLONG;
			break;
		}
		pos -= len;
		memcpy(buf + pos, d->name, len);
		buf[--pos] = '/';
		d = d->parent;
	}
	pthread_mutex_unlock(&dcache_lock);
	if (err < 0)
		return err;
	if (pos == size - 1)
		buf[--pos] = '/';
	size_t len = size - 1 - pos;
	memmove(buf, buf + pos, len + 1);
	if (deleted && len + 10 < size) {
		memcpy(buf + len, " (deleted)", 11);
		len += 10;
	}
	return (int)len;
}

bool path_is_readonly(const struct path *p)
{
	return (p->mnt && (p->mnt->flags & MNT_RDONLY)) || (p->dentry->sb->flags & SB_RDONLY);
}
