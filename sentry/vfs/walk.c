/* The path walk: one component at a time, symlinks resolved inside the
 * sandbox, ".." never above the walk's root, mounts crossed on the way
 * down. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sentry/kernel/kernel.h"
#include "sentry/vfs/internal.h"

struct walker {
	struct task *t;
	const struct path *root;
	unsigned flags;
	int links;
};

static bool path_equal(const struct path *a, const struct path *b)
{
	return a->mnt == b->mnt && a->dentry == b->dentry;
}

static void path_replace(struct path *dst, struct path *src)
{
	path_put(dst);
	*dst = *src;
	src->mnt = NULL;
	src->dentry = NULL;
}

/* Moves p onto whatever is mounted on it (under dcache_lock). */
static void cross_mounts_locked(struct path *p)
{
	struct mount *m;
	while ((m = mount_lookup_locked(p->mnt, p->dentry))) {
		dentry_put(p->dentry);
		mount_put(p->mnt);
		mount_get(m);
		dentry_get(m->root);
		p->mnt = m;
		p->dentry = m->root;
	}
}

int vfs_lookup_child(const struct path *dir, const char *name, struct path *out)
{
	struct dentry *d;
	int err = dcache_lookup(dir->dentry, name, &d);
	if (err < 0)
		return err;
	out->mnt = dir->mnt;
	mount_get(out->mnt);
	out->dentry = d;
	return 0;
}

static int lookup_and_cross(const struct path *dir, const char *name, struct path *out)
{
	int err = vfs_lookup_child(dir, name, out);
	if (err < 0)
		return err;
	pthread_mutex_lock(&dcache_lock);
	cross_mounts_locked(out);
	pthread_mutex_unlock(&dcache_lock);
	return 0;
}

static void walk_dotdot(struct walker *w, struct path *cur)
{
	pthread_mutex_lock(&dcache_lock);
	for (;;) {
		if (w->root && path_equal(cur, w->root))
			break;
		if (cur->dentry == cur->mnt->root) {
			if (!cur->mnt->parent)
				break;   /* the top of everything */
			struct mount *parent = cur->mnt->parent;
			struct dentry *mp = cur->mnt->mountpoint;
			dentry_get(mp);
			mount_get(parent);
			dentry_put(cur->dentry);
			mount_put(cur->mnt);
			cur->mnt = parent;
			cur->dentry = mp;
			continue;   /* then the mountpoint's parent */
		}
		struct dentry *parent = cur->dentry->parent;
		if (parent) {
			dentry_get(parent);
			dentry_put(cur->dentry);
			cur->dentry = parent;
		}
		break;
	}
	pthread_mutex_unlock(&dcache_lock);
}

static int permission(struct walker *w, struct inode *inode, int mask)
{
	if (!w->t)
		return 0;
	return inode_permission(current_cred(w->t), inode, mask);
}

static int walk_components(struct walker *w, struct path *cur, const char *path, unsigned flags,
			   char *lastbuf, bool *trailing_slash);

/* Replaces *link (a symlink found in dir) with what it resolves to. */
static int follow_link(struct walker *w, const struct path *dir, struct path *link)
{
	if (++w->links > VFS_MAX_SYMLINKS)
		return -ELOOP;
	struct inode *inode = link->dentry->inode;
	if (inode->iop && inode->iop->get_link) {
		if (w->flags & LOOKUP_NO_MAGIC)
			return -ELOOP;
		struct path target;
		int err = inode->iop->get_link(w->t, inode, &target);
		if (err < 0)
			return err;
		path_replace(link, &target);
		return 0;
	}
	if (!inode->iop || !inode->iop->readlink)
		return -EINVAL;
	char *buf = malloc(PATH_MAX);
	if (!buf)
		return -ENOMEM;
	int n = inode->iop->readlink(w->t, inode, buf, PATH_MAX - 1);
	if (n < 0) {
		free(buf);
		return n;
	}
	if (n == 0) {
		free(buf);
		return -ENOENT;
	}
	buf[n] = 0;
	struct path start = *dir;
	path_get(&start);
	int err = walk_components(w, &start, buf, LOOKUP_FOLLOW, NULL, NULL);
	free(buf);
	if (err < 0) {
		path_put(&start);
		return err;
	}
	path_replace(link, &start);
	return 0;
}

/* Walks path from *cur (which it updates, keeping its reference right).
 * With lastbuf, stops before the last component and copies it there. */
static int walk_components(struct walker *w, struct path *cur, const char *path, unsigned flags,
			   char *lastbuf, bool *trailing_slash)
{
	const char *p = path;
	if (*p == '/') {
		struct path root = *w->root;
		path_get(&root);
		path_replace(cur, &root);
		while (*p == '/')
			p++;
	}
	bool trailing = false;
	for (;;) {
		const char *name = p;
		while (*p && *p != '/')
			p++;
		size_t len = (size_t)(p - name);
		const char *next = p;
		while (*next == '/')
			next++;
		bool last = *next == 0;
		if (len == 0) {
			/* "" or only slashes left: cur itself. */
			if (lastbuf)
				strcpy(lastbuf, ".");
			break;
		}
		/* Linux's order: not a directory, no search permission (also
		 * for a last "." or ".." of vfs_walk_parent), then the name. */
		if (!S_ISDIR(cur->dentry->inode->mode))
			return -ENOTDIR;
		int err = permission(w, cur->dentry->inode, MAY_EXEC);
		if (err < 0)
			return err;
		if (len > NAME_MAX)
			return -ENAMETOOLONG;
		trailing = last && *p == '/';
		char component[NAME_MAX + 1];
		memcpy(component, name, len);
		component[len] = 0;

		if (last && lastbuf) {
			memcpy(lastbuf, component, len + 1);
			break;
		}

		if (strcmp(component, ".") == 0) {
			/* nothing */
		} else if (strcmp(component, "..") == 0) {
			walk_dotdot(w, cur);
		} else {
			struct path child;
			if ((err = lookup_and_cross(cur, component, &child)) < 0)
				return err;
			if (S_ISLNK(child.dentry->inode->mode) &&
			    (!last || (flags & LOOKUP_FOLLOW) || trailing)) {
				err = follow_link(w, cur, &child);
				if (err < 0) {
					path_put(&child);
					return err;
				}
			}
			path_replace(cur, &child);
		}
		p = next;
		if (last)
			break;
	}
	if (trailing_slash)
		*trailing_slash = trailing;
	if (!lastbuf && (trailing || (flags & LOOKUP_DIRECTORY)) &&
	    !S_ISDIR(cur->dentry->inode->mode))
		return -ENOTDIR;
	return 0;
}

int vfs_walk(struct task *t, const struct walk_root *wr, const char *path, unsigned flags,
	     struct path *out)
{
	if (path[0] == 0) {
		if (!(flags & LOOKUP_EMPTY))
			return -ENOENT;
		*out = wr->start;
		path_get(out);
		return 0;
	}
	struct walker w = { .t = t, .root = &wr->root, .flags = flags };
	struct path cur = wr->start;
	path_get(&cur);
	int err = walk_components(&w, &cur, path, flags, NULL, NULL);
	if (err < 0) {
		path_put(&cur);
		return err;
	}
	*out = cur;
	return 0;
}

int vfs_walk_parent(struct task *t, const struct walk_root *wr, const char *path,
		    struct path *out, char lastbuf[NAME_MAX + 1], bool *trailing_slash)
{
	if (path[0] == 0)
		return -ENOENT;
	struct walker w = { .t = t, .root = &wr->root };
	struct path cur = wr->start;
	path_get(&cur);
	bool trailing = false;
	int err = walk_components(&w, &cur, path, 0, lastbuf, &trailing);
	if (err == 0 && !S_ISDIR(cur.dentry->inode->mode))
		err = -ENOTDIR;
	if (err < 0) {
		path_put(&cur);
		return err;
	}
	if (trailing_slash)
		*trailing_slash = trailing;
	*out = cur;
	return 0;
}
