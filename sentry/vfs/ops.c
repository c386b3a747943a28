/* Namespace operations: what open, mkdir, unlink, rename... check and do
 * once the path is resolved. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <linux/fs.h>
#include <sys/statvfs.h>

#include "sentry/kernel/kernel.h"
#include "sentry/vfs/internal.h"

static const struct cred *task_cred(struct task *t)
{
	return &t->tg->cred;
}

static mode_t task_umask(struct task *t)
{
	pthread_mutex_lock(&t->fs->lock);
	mode_t m = t->fs->umask;
	pthread_mutex_unlock(&t->fs->lock);
	return m;
}

static bool is_dot_or_dotdot(const char *name)
{
	return strcmp(name, ".") == 0 || strcmp(name, "..") == 0;
}

/* May the task create or remove entries in dir? */
static int may_modify_dir(struct task *t, const struct path *dir)
{
	if (dir->dentry->flags & DENTRY_DEAD)
		return -ENOENT;   /* removed: nothing can be added to it */
	if (path_is_readonly(dir))
		return -EROFS;
	return inode_permission(task_cred(t), dir->dentry->inode, MAY_WRITE | MAY_EXEC);
}

/* The sticky-bit rule for removing or renaming victim out of dir. */
static int may_delete(struct task *t, struct inode *dir, struct inode *victim)
{
	const struct cred *c = task_cred(t);
	if (!(dir->mode & S_ISVTX))
		return 0;
	if (c->fsuid == victim->uid || c->fsuid == dir->uid || cred_capable(c, CAP_FOWNER))
		return 0;
	return -EPERM;
}

/* Owner and mode for a new inode in dir (set-group-ID directories pass
 * their group on). */
static void new_owner(struct task *t, struct inode *dir, struct owner *o, mode_t *mode)
{
	const struct cred *c = task_cred(t);
	o->uid = c->fsuid;
	o->gid = c->fsgid;
	pthread_mutex_lock(&dir->lock);
	if (dir->mode & S_ISGID) {
		o->gid = dir->gid;
		if (S_ISDIR(*mode))
			*mode |= S_ISGID;
	}
	pthread_mutex_unlock(&dir->lock);
}

struct parent_walk {
	struct path dir;
	char last[NAME_MAX + 1];
	bool trailing;
};

static int walk_parent(struct task *t, const struct walk_root *wr, const char *path,
		       struct parent_walk *pw)
{
	return vfs_walk_parent(t, wr, path, &pw->dir, pw->last, &pw->trailing);
}

/* --- open ------------------------------------------------------------------- */

static int do_truncate(struct inode *inode)
{
	if (!inode->iop || !inode->iop->setattr)
		return -EPERM;
	struct iattr attr = { .valid = ATTR_SIZE | ATTR_MTIME | ATTR_CTIME, .size = 0 };
	attr.mtime = ts_now(CLOCK_REALTIME);
	return inode->iop->setattr(inode, &attr);
}

static int open_checks(struct task *t, const struct path *p, int flags, bool created)
{
	struct inode *inode = p->dentry->inode;
	int acc = flags & O_ACCMODE;
	if (flags & O_PATH)
		return 0;
	if (S_ISLNK(inode->mode))
		return -ELOOP;
	if ((flags & O_DIRECTORY) && !S_ISDIR(inode->mode))
		return -ENOTDIR;
	if (S_ISDIR(inode->mode) && (acc != O_RDONLY || (flags & O_TRUNC) || (flags & O_CREAT && !created)))
		return -EISDIR;
	if (acc == 3)
		return -EINVAL;
	if (created)
		return 0;
	int mask = 0;
	if (flags & VFS_OPEN_EXEC) {
		if (!S_ISREG(inode->mode))
			return -EACCES;
		if (p->mnt && (p->mnt->flags & MNT_NOEXEC))
			return -EACCES;
		return inode_permission(task_cred(t), inode, MAY_EXEC);
	}
	if (acc == O_RDONLY || acc == O_RDWR)
		mask |= MAY_READ;
	if (acc == O_WRONLY || acc == O_RDWR || (flags & O_TRUNC))
		mask |= MAY_WRITE;
	if ((mask & MAY_WRITE) && (S_ISREG(inode->mode) || S_ISDIR(inode->mode)) &&
	    path_is_readonly(p))
		return -EROFS;
	if ((S_ISCHR(inode->mode) || S_ISBLK(inode->mode)) && p->mnt && (p->mnt->flags & MNT_NODEV))
		return -EACCES;
	return inode_permission(task_cred(t), inode, mask);
}

static int finish_open(struct task *t, const struct path *p, int flags, bool created,
		       struct file **out)
{
	int err = open_checks(t, p, flags, created);
	if (err < 0)
		return err;
	struct inode *inode = p->dentry->inode;
	/* A program being run cannot be opened for writing (ETXTBSY); the
	 * check comes before O_TRUNC can touch it. */
	bool writes = S_ISREG(inode->mode) && !(flags & O_PATH) &&
		      ((flags & O_ACCMODE) == O_WRONLY || (flags & O_ACCMODE) == O_RDWR);
	if (writes && (err = inode_get_write(inode)) < 0)
		return err;
	if ((flags & O_TRUNC) && !created && writes) {
		if ((err = do_truncate(inode)) < 0) {
			inode_put_write(inode);
			return err;
		}
		fsnotify_change(p->dentry, ATTR_SIZE | ATTR_MTIME | ATTR_CTIME);
	}
	/* O_NOCTTY only until the open is done: a terminal's open looks at it. */
	unsigned keep = O_ACCMODE | O_APPEND | O_NONBLOCK | O_DIRECT | O_SYNC | O_DSYNC |
			O_NOATIME | O_LARGEFILE | O_PATH | O_DIRECTORY | O_NOFOLLOW | O_ASYNC |
			O_NOCTTY;
	struct file *f = file_new(inode, p, inode->fop, ((unsigned)flags & keep) | O_LARGEFILE);
	if (!f) {
		if (writes)
			inode_put_write(inode);
		return -ENOMEM;
	}
	f->write_access = writes;
	if (!(flags & O_PATH) && inode->iop && inode->iop->open) {
		err = inode->iop->open(t, inode, f);
		if (err < 0) {
			f->fop = NULL;   /* nothing to release */
			file_put(f);
			return err;
		}
	}
	f->flags &= ~(unsigned)O_NOCTTY;
	if (flags & O_PATH)
		f->fop = NULL;
	else
		fsnotify_open(f);
	*out = f;
	return 0;
}

int vfs_open_path(struct task *t, const struct path *p, int flags, struct file **out)
{
	return finish_open(t, p, flags, false, out);
}

static int open_create(struct task *t, const struct walk_root *wr, const char *path, int flags,
		       mode_t mode, int depth, struct file **out)
{
	struct parent_walk pw;
	int err = walk_parent(t, wr, path, &pw);
	if (err < 0)
		return err;
	if (pw.trailing || is_dot_or_dotdot(pw.last)) {
		path_put(&pw.dir);
		return -EISDIR;
	}
	pthread_mutex_lock(&namespace_lock);
	struct path child;
	bool created = false;
	err = vfs_lookup_child(&pw.dir, pw.last, &child);
	if (err == 0) {
		pthread_mutex_unlock(&namespace_lock);
		if (flags & O_EXCL) {
			path_put(&child);
			path_put(&pw.dir);
			return -EEXIST;
		}
		if (S_ISLNK(child.dentry->inode->mode) && !(flags & O_NOFOLLOW)) {
			/* Follow it; a dangling link creates its target. */
			path_put(&child);
			struct walk_root sub = { .root = wr->root, .start = pw.dir };
			struct path target;
			err = vfs_walk(t, &sub, pw.last, LOOKUP_FOLLOW, &target);
			if (err == -ENOENT && depth < VFS_MAX_SYMLINKS) {
				char *text = malloc(PATH_MAX);
				struct inode *li;
				err = -ENOMEM;
				if (text) {
					struct path lp;
					err = vfs_lookup_child(&pw.dir, pw.last, &lp);
					if (err == 0) {
						li = lp.dentry->inode;
						err = li->iop && li->iop->readlink ?
							li->iop->readlink(t, li, text, PATH_MAX - 1) : -EINVAL;
						path_put(&lp);
					}
					if (err > 0) {
						text[err] = 0;
						err = open_create(t, &sub, text, flags, mode, depth + 1, out);
					} else if (err == 0) {
						err = -ENOENT;
					}
					free(text);
				}
				path_put(&pw.dir);
				return err;
			}
			path_put(&pw.dir);
			if (err < 0)
				return err;
			err = finish_open(t, &target, flags, false, out);
			path_put(&target);
			return err;
		}
		/* Cross a mount on it, as the walk would. */
		struct walk_root sub = { .root = wr->root, .start = pw.dir };
		path_put(&child);
		err = vfs_walk(t, &sub, pw.last, 0, &child);
		path_put(&pw.dir);
		if (err < 0)
			return err;
		if ((flags & O_NOFOLLOW) && S_ISLNK(child.dentry->inode->mode)) {
			path_put(&child);
			return -ELOOP;
		}
		err = finish_open(t, &child, flags, false, out);
		path_put(&child);
		return err;
	}
	if (err != -ENOENT)
		goto unlock;
	struct inode *dir = pw.dir.dentry->inode;
	if ((err = may_modify_dir(t, &pw.dir)) < 0)
		goto unlock;
	if (!dir->iop || !dir->iop->create) {
		err = -EACCES;
		goto unlock;
	}
	mode = (mode & 07777 & ~task_umask(t)) | S_IFREG;
	struct owner o;
	new_owner(t, dir, &o, &mode);
	struct inode *inode;
	if ((err = dir->iop->create(dir, pw.last, mode, &o, &inode)) < 0)
		goto unlock;
	struct dentry *d;
	err = dentry_add_child(pw.dir.dentry, pw.last, inode, &d);
	if (err == 0)
		fsnotify_create(pw.dir.dentry, pw.last, inode);
	inode_put(inode);
	if (err < 0)
		goto unlock;
	child.mnt = pw.dir.mnt;
	mount_get(child.mnt);
	child.dentry = d;
	created = true;
	pthread_mutex_unlock(&namespace_lock);
	path_put(&pw.dir);
	err = finish_open(t, &child, flags, created, out);
	path_put(&child);
	return err;
unlock:
	pthread_mutex_unlock(&namespace_lock);
	path_put(&pw.dir);
	return err;
}

int vfs_open(struct task *t, const struct walk_root *wr, const char *path, int flags,
	     mode_t mode, struct file **out)
{
	if (flags & O_CREAT)
		return open_create(t, wr, path, flags, mode, 0, out);
	unsigned lf = 0;
	if (!(flags & O_NOFOLLOW))
		lf |= LOOKUP_FOLLOW;
	if (flags & O_DIRECTORY)
		lf |= LOOKUP_DIRECTORY;
	struct path p;
	int err = vfs_walk(t, wr, path, lf, &p);
	if (err < 0)
		return err;
	if ((flags & O_NOFOLLOW) && S_ISLNK(p.dentry->inode->mode) && !(flags & O_PATH)) {
		path_put(&p);
		return -ELOOP;
	}
	err = finish_open(t, &p, flags, false, out);
	path_put(&p);
	return err;
}

/* --- create-like ------------------------------------------------------------- */

/* Common tail of mknod, mkdir and symlink: the parent is walked, the name
 * checked free, then make() creates the inode. */
typedef int (*make_fn)(struct task *t, struct inode *dir, const char *name, mode_t mode,
		       const struct owner *o, const void *arg, struct inode **out);

static int create_node(struct task *t, const struct walk_root *wr, const char *path, mode_t mode,
		       make_fn make, const void *arg, bool allow_trailing)
{
	struct parent_walk pw;
	int err = walk_parent(t, wr, path, &pw);
	if (err < 0)
		return err;
	if (is_dot_or_dotdot(pw.last)) {
		path_put(&pw.dir);
		return -EEXIST;
	}
	pthread_mutex_lock(&namespace_lock);
	struct path existing;
	err = vfs_lookup_child(&pw.dir, pw.last, &existing);
	if (err == 0) {
		path_put(&existing);
		err = -EEXIST;
		goto out;
	}
	if (err != -ENOENT)
		goto out;
	if (pw.trailing && !allow_trailing) {
		err = -ENOENT;
		goto out;
	}
	struct inode *dir = pw.dir.dentry->inode;
	if ((err = may_modify_dir(t, &pw.dir)) < 0)
		goto out;
	struct owner o;
	new_owner(t, dir, &o, &mode);
	struct inode *inode;
	if ((err = make(t, dir, pw.last, mode, &o, arg, &inode)) < 0)
		goto out;
	err = dentry_add_child(pw.dir.dentry, pw.last, inode, NULL);
	if (err == 0)
		fsnotify_create(pw.dir.dentry, pw.last, inode);
	inode_put(inode);
out:
	pthread_mutex_unlock(&namespace_lock);
	path_put(&pw.dir);
	return err;
}

static int make_dir(struct task *t, struct inode *dir, const char *name, mode_t mode,
		    const struct owner *o, const void *arg, struct inode **out)
{
	if (!dir->iop || !dir->iop->mkdir)
		return -EPERM;
	return dir->iop->mkdir(dir, name, mode, o, out);
}

int vfs_mkdir(struct task *t, const struct walk_root *wr, const char *path, mode_t mode)
{
	mode = (mode & 07777 & ~task_umask(t)) | S_IFDIR;
	return create_node(t, wr, path, mode, make_dir, NULL, true);
}

static int make_node(struct task *t, struct inode *dir, const char *name, mode_t mode,
		     const struct owner *o, const void *arg, struct inode **out)
{
	dev_t rdev = *(const dev_t *)arg;
	if (!dir->iop || !dir->iop->mknod)
		return -EPERM;
	return dir->iop->mknod(dir, name, mode, rdev, o, out);
}

int vfs_mknod(struct task *t, const struct walk_root *wr, const char *path, mode_t mode,
	      dev_t rdev)
{
	mode_t type = mode & S_IFMT;
	if (type == 0)
		type = S_IFREG;
	switch (type) {
	case S_IFREG:
	case S_IFIFO:
	case S_IFSOCK:
		rdev = 0;
		break;
	case S_IFCHR:
	case S_IFBLK:
		if (!cred_capable(task_cred(t), CAP_MKNOD))
			return -EPERM;
		break;
	case S_IFDIR:
		return -EPERM;
	default:
		return -EINVAL;
	}
	mode = (mode & 07777 & ~task_umask(t)) | type;
	return create_node(t, wr, path, mode, make_node, &rdev, false);
}

static int make_symlink(struct task *t, struct inode *dir, const char *name, mode_t mode,
			const struct owner *o, const void *arg, struct inode **out)
{
	if (!dir->iop || !dir->iop->symlink)
		return -EPERM;
	return dir->iop->symlink(dir, name, (const char *)arg, o, out);
}

int vfs_symlink(struct task *t, const char *target, const struct walk_root *wr,
		const char *path)
{
	if (target[0] == 0)
		return -ENOENT;
	return create_node(t, wr, path, S_IFLNK | 0777, make_symlink, target, false);
}

int vfs_link(struct task *t, const struct walk_root *old_wr, const char *old_path,
	     unsigned old_flags, const struct walk_root *new_wr, const char *new_path)
{
	struct path old;
	int err = vfs_walk(t, old_wr, old_path, old_flags, &old);
	if (err < 0)
		return err;
	struct parent_walk pw;
	if ((err = walk_parent(t, new_wr, new_path, &pw)) < 0) {
		path_put(&old);
		return err;
	}
	struct inode *target = old.dentry->inode;
	struct inode *dir = pw.dir.dentry->inode;
	pthread_mutex_lock(&namespace_lock);
	struct path existing;
	if (is_dot_or_dotdot(pw.last)) {
		err = -EEXIST;
	} else if ((err = vfs_lookup_child(&pw.dir, pw.last, &existing)) == 0) {
		path_put(&existing);
		err = -EEXIST;
	} else if (err == -ENOENT) {
		if (S_ISDIR(target->mode))
			err = -EPERM;
		else if (pw.trailing)
			err = -ENOENT;
		else if (old.mnt != pw.dir.mnt)
			err = -EXDEV;
		else if ((err = may_modify_dir(t, &pw.dir)) == 0) {
			if (!dir->iop || !dir->iop->link)
				err = -EPERM;
			else if ((err = dir->iop->link(dir, pw.last, target)) == 0 &&
				 (err = dentry_add_child(pw.dir.dentry, pw.last, target, NULL)) == 0)
				fsnotify_link(pw.dir.dentry, pw.last, target);
		}
	}
	pthread_mutex_unlock(&namespace_lock);
	path_put(&pw.dir);
	path_put(&old);
	return err;
}

/* --- remove ------------------------------------------------------------------ */

static int remove_node(struct task *t, const struct walk_root *wr, const char *path, bool dir_op)
{
	struct parent_walk pw;
	int err = walk_parent(t, wr, path, &pw);
	if (err < 0)
		return err;
	if (strcmp(pw.last, ".") == 0) {
		path_put(&pw.dir);
		return dir_op ? -EINVAL : -EISDIR;
	}
	if (strcmp(pw.last, "..") == 0) {
		path_put(&pw.dir);
		return dir_op ? -ENOTEMPTY : -EISDIR;
	}
	pthread_mutex_lock(&namespace_lock);
	struct path victim;
	if ((err = vfs_lookup_child(&pw.dir, pw.last, &victim)) < 0)
		goto out;
	struct inode *dir = pw.dir.dentry->inode;
	struct inode *inode = victim.dentry->inode;
	if (dir_op && !S_ISDIR(inode->mode))
		err = -ENOTDIR;
	else if (!dir_op && S_ISDIR(inode->mode))
		err = -EISDIR;
	else if (!dir_op && pw.trailing)
		err = -ENOTDIR;
	else if (victim.dentry->mounted)
		err = -EBUSY;
	else if (dir_op && dentry_has_children(victim.dentry))
		err = -ENOTEMPTY;
	else if ((err = may_modify_dir(t, &pw.dir)) == 0 &&
		 (err = may_delete(t, dir, inode)) == 0) {
		if (dir_op)
			err = dir->iop && dir->iop->rmdir ? dir->iop->rmdir(dir, pw.last, inode) : -EPERM;
		else
			err = dir->iop && dir->iop->unlink ? dir->iop->unlink(dir, pw.last, inode)
							   : -EPERM;
		if (err == 0) {
			if (!dir_op)
				fsnotify_link_count(inode);
			dcache_drop(victim.dentry);
		}
	}
	path_put(&victim);   /* its last use: IN_DELETE_SELF comes first, as on Linux */
	if (err == 0)
		fsnotify_delete(pw.dir.dentry, pw.last, dir_op);
out:
	pthread_mutex_unlock(&namespace_lock);
	path_put(&pw.dir);
	return err;
}

int vfs_unlink(struct task *t, const struct walk_root *wr, const char *path)
{
	return remove_node(t, wr, path, false);
}

int vfs_rmdir(struct task *t, const struct walk_root *wr, const char *path)
{
	return remove_node(t, wr, path, true);
}

/* --- rename ------------------------------------------------------------------ */

/* Is d (or an ancestor of it) the dentry a? */
static bool is_ancestor(struct dentry *a, struct dentry *d)
{
	pthread_mutex_lock(&dcache_lock);
	bool found = false;
	for (; d; d = d->parent)
		if (d == a) {
			found = true;
			break;
		}
	pthread_mutex_unlock(&dcache_lock);
	return found;
}

int vfs_rename(struct task *t, const struct walk_root *old_wr, const char *old_path,
	       const struct walk_root *new_wr, const char *new_path, unsigned flags)
{
	if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE))
		return -EINVAL;
	if ((flags & RENAME_NOREPLACE) && (flags & RENAME_EXCHANGE))
		return -EINVAL;
	struct parent_walk op, np;
	int err = walk_parent(t, old_wr, old_path, &op);
	if (err < 0)
		return err;
	if ((err = walk_parent(t, new_wr, new_path, &np)) < 0) {
		path_put(&op.dir);
		return err;
	}
	if (is_dot_or_dotdot(op.last) || is_dot_or_dotdot(np.last)) {
		err = -EBUSY;
		goto out_paths;
	}
	pthread_mutex_lock(&namespace_lock);
	struct path oldp = { 0 }, newp = { 0 };
	if ((err = vfs_lookup_child(&op.dir, op.last, &oldp)) < 0)
		goto unlock;
	err = vfs_lookup_child(&np.dir, np.last, &newp);
	if (err < 0 && err != -ENOENT)
		goto unlock;
	bool new_exists = err == 0;
	err = 0;
	struct inode *oi = oldp.dentry->inode;
	struct inode *ni = new_exists ? newp.dentry->inode : NULL;
	struct inode *odir = op.dir.dentry->inode, *ndir = np.dir.dentry->inode;

	if (op.dir.mnt != np.dir.mnt)
		err = -EXDEV;
	else if ((flags & RENAME_EXCHANGE) && !new_exists)
		err = -ENOENT;
	else if ((flags & RENAME_NOREPLACE) && new_exists)
		err = -EEXIST;
	else if (!S_ISDIR(oi->mode) && (op.trailing || np.trailing))
		err = -ENOTDIR;
	else if (oldp.dentry->mounted || (new_exists && newp.dentry->mounted))
		err = -EBUSY;
	if (err < 0)
		goto unlock;
	if (new_exists && ni == oi)
		goto unlock;   /* the same file: nothing to do */
	if (!(flags & RENAME_EXCHANGE) && new_exists) {
		if (S_ISDIR(oi->mode) && !S_ISDIR(ni->mode))
			err = -ENOTDIR;
		else if (!S_ISDIR(oi->mode) && S_ISDIR(ni->mode))
			err = -EISDIR;
	}
	if (err == 0 && S_ISDIR(oi->mode) && is_ancestor(oldp.dentry, np.dir.dentry))
		err = -EINVAL;
	if (err == 0 && new_exists && !(flags & RENAME_EXCHANGE) && S_ISDIR(ni->mode) &&
	    dentry_has_children(newp.dentry))
		err = -ENOTEMPTY;
	if (err == 0 && (flags & RENAME_EXCHANGE) && S_ISDIR(ni->mode) &&
	    is_ancestor(newp.dentry, op.dir.dentry))
		err = -EINVAL;
	if (err == 0)
		err = may_modify_dir(t, &op.dir);
	if (err == 0)
		err = may_modify_dir(t, &np.dir);
	if (err == 0)
		err = may_delete(t, odir, oi);
	if (err == 0 && new_exists)
		err = may_delete(t, ndir, ni);
	if (err < 0)
		goto unlock;
	if (!odir->iop || !odir->iop->rename) {
		err = -EPERM;
		goto unlock;
	}
	if ((err = odir->iop->rename(odir, op.last, oi, ndir, np.last, ni, flags)) < 0)
		goto unlock;
	if (flags & RENAME_EXCHANGE) {
		dcache_move(newp.dentry, op.dir.dentry, op.last);
	} else if (new_exists) {
		dcache_drop(newp.dentry);
	}
	dcache_move(oldp.dentry, np.dir.dentry, np.last);
	fsnotify_move(op.dir.dentry, op.last, np.dir.dentry, np.last, oi,
		      (flags & RENAME_EXCHANGE) ? NULL : ni);
	if (flags & RENAME_EXCHANGE)
		fsnotify_move(np.dir.dentry, np.last, op.dir.dentry, op.last, ni, NULL);
unlock:
	pthread_mutex_unlock(&namespace_lock);
	path_put(&oldp);
	path_put(&newp);
out_paths:
	path_put(&op.dir);
	path_put(&np.dir);
	return err;
}

/* --- attributes ---------------------------------------------------------------- */

int vfs_readlink(struct task *t, const struct path *p, char *buf, size_t size)
{
	struct inode *inode = p->dentry->inode;
	if (!S_ISLNK(inode->mode))
		return -EINVAL;
	if (!inode->iop || !inode->iop->readlink)
		return -EINVAL;
	int r = inode->iop->readlink(t, inode, buf, size);
	if (r >= 0)
		inode_touch(inode, true, false, false);
	return r;
}

int vfs_setattr(struct task *t, const struct path *p, struct iattr *attr)
{
	struct inode *inode = p->dentry->inode;
	const struct cred *c = task_cred(t);
	bool owner = c->fsuid == inode->uid || cred_capable(c, CAP_FOWNER);
	if (path_is_readonly(p))
		return -EROFS;
	if ((attr->valid & ATTR_MODE) && !owner)
		return -EPERM;
	if (attr->valid & ATTR_MODE) {
		bool in_group = c->fsgid == inode->gid;
		for (int i = 0; i < c->ngroups && !in_group; i++)
			in_group = c->groups[i] == inode->gid;
		if (!in_group && !cred_capable(c, CAP_FSETID))
			attr->mode &= ~(mode_t)S_ISGID;
	}
	if (attr->valid & ATTR_UID) {
		if (attr->uid == (uid_t)-1)
			attr->valid &= ~(unsigned)ATTR_UID;
		else if (!cred_capable(c, CAP_CHOWN) &&
			 (c->fsuid != inode->uid || attr->uid != inode->uid))
			return -EPERM;
	}
	if (attr->valid & ATTR_GID) {
		if (attr->gid == (gid_t)-1) {
			attr->valid &= ~(unsigned)ATTR_GID;
		} else if (!cred_capable(c, CAP_CHOWN)) {
			bool member = c->fsgid == attr->gid || attr->gid == inode->gid;
			for (int i = 0; i < c->ngroups && !member; i++)
				member = c->groups[i] == attr->gid;
			if (c->fsuid != inode->uid || !member)
				return -EPERM;
		}
	}
	if ((attr->valid & ATTR_KILL_SUID) && !S_ISDIR(inode->mode)) {
		/* chown clears set-user-ID, and set-group-ID of a group-executable
		 * file, even for root (notify_change's ATTR_KILL_S*ID). */
		mode_t mode = inode->mode & 07777;
		mode_t kill = S_ISUID;
		if ((mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP))
			kill |= S_ISGID;
		if (mode & kill) {
			attr->valid |= ATTR_MODE;
			attr->mode = mode & ~kill;
		}
	}
	attr->valid &= ~(unsigned)ATTR_KILL_SUID;
	if (attr->valid & (ATTR_ATIME | ATTR_MTIME)) {
		if (attr->valid & ATTR_TIMES_SET) {
			if (!owner)
				return -EPERM;
		} else if (!owner) {
			int err = inode_permission(c, inode, MAY_WRITE);
			if (err < 0)
				return err;
		}
	}
	if (attr->valid & ATTR_SIZE) {
		if (S_ISDIR(inode->mode))
			return -EISDIR;
		if (!S_ISREG(inode->mode))
			return -EINVAL;
		if (attr->size < 0)
			return -EINVAL;
	}
	attr->valid &= ~(unsigned)ATTR_TIMES_SET;
	if (!attr->valid)
		return 0;
	if (!inode->iop || !inode->iop->setattr)
		return -EPERM;
	int err = inode->iop->setattr(inode, attr);
	if (err == 0)
		fsnotify_change(p->dentry, attr->valid);
	return err;
}

int vfs_getattr(const struct path *p, struct stat *st)
{
	struct inode *inode = p->dentry->inode;
	if (inode->iop && inode->iop->getattr) {
		int err = inode->iop->getattr(inode);
		if (err < 0)
			return err;
	}
	inode_fill_stat(inode, st);
	return 0;
}

int vfs_statfs(const struct path *p, struct statfs *st)
{
	struct super_block *sb = p->dentry->sb;
	memset(st, 0, sizeof *st);
	st->f_type = (__fsword_t)sb->magic;
	st->f_bsize = 4096;
	st->f_frsize = 4096;
	st->f_namelen = NAME_MAX;
	if (sb->ops && sb->ops->statfs) {
		int err = sb->ops->statfs(sb, st);
		if (err < 0)
			return err;
	}
	if (path_is_readonly(p))
		st->f_flags |= ST_RDONLY;
	if (p->mnt && (p->mnt->flags & MNT_NOSUID))
		st->f_flags |= ST_NOSUID;
	if (p->mnt && (p->mnt->flags & MNT_NODEV))
		st->f_flags |= ST_NODEV;
	if (p->mnt && (p->mnt->flags & MNT_NOEXEC))
		st->f_flags |= ST_NOEXEC;
	return 0;
}

int vfs_init(void)
{
	return 0;
}
