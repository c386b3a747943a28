/* Bind mounts: a file system served by the gofer and written through to
 * the host.
 *
 * Every sentry inode refers to a gofer node (the gofer's O_PATH handle on
 * the host object), released when the inode dies.  Namespace operations
 * (create, mkdir, mknod, symlink, link, unlink, rmdir, rename) and
 * attribute changes are done on the host by the gofer; the VFS keeps the
 * dcache in step once they succeed.  Errors from the gofer (EROFS, EXDEV,
 * ENOTEMPTY, EEXIST, ...) go to the guest unchanged.
 *
 * Host fds.  Directories are never opened on the host: they are listed with
 * READDIR.  A regular file gets one host fd per open file, donated by the
 * gofer with the open file's own access mode (O_RDONLY, O_WRONLY or O_RDWR,
 * plus O_APPEND), used with pread/pwrite and closed when the open file is
 * released.  That fd is also what mmap_fd hands out, so a mapping is
 * read-only unless the file was opened for writing, which is what a shared
 * writable mapping needs.  The O_RDWR fd that CREATE returns is kept on the
 * inode for the open(2) that follows the creation, if that open writes;
 * a read-only open asks the gofer for a read-only fd instead.
 *
 * Inodes.  st_ino is the host's, st_dev the super block's own.  Non-directory
 * inodes are kept in a table by host (dev, ino), so that every name of a
 * hard-linked file leads to one sentry inode (one FIFO pipe, one set of
 * attributes); the table holds weak references, dropped in destroy().
 *
 * Coherence with the host is best effort, as gVisor's default: a directory
 * always has a lookup operation, so a name the dcache does not hold is asked
 * of the gofer again (files created on the host show up); dentries already
 * cached stay until the guest removes or renames them (a file removed or
 * renamed on the host stays reachable under its old name while cached).
 * Attributes are refreshed from the host on every stat (getattr), on every
 * lookup and from the stat the gofer returns after create, mkdir, link and
 * setattr (unlink, rmdir, rename and writes adjust them locally until the
 * next stat); permission checks use them as cached.  File data is never
 * cached (reads and writes go to the host fd); readdir lists the host
 * directory afresh whenever a listing starts (offset 0); symlink targets are
 * cached once read (a symlink's text cannot change).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sentry/fs/fs.h"
#include "sentry/fs/gofer_client.h"
#include "sentry/kernel/kernel.h"

#define V9FS_MAGIC 0x01021997   /* what gVisor reports for gofer mounts */
#define INODE_TABLE_BUCKETS 1024u

struct gofer_inode;

/* Per super block. */
struct goferfs {
	struct gofer_client *g;
	gofer_node_t root_node;  /* held by the root inode */
	pthread_mutex_t lock;    /* the inode table */
	struct gofer_inode *buckets[INODE_TABLE_BUCKETS];
};

/* inode->priv */
struct gofer_inode {
	struct inode *inode;
	gofer_node_t node;
	dev_t host_dev;
	uint64_t host_ino;
	bool hashed;
	struct gofer_inode *hnext;
	/* Under inode->lock: */
	int create_fd;           /* CREATE's O_RDWR fd, for the first open */
	char *target;            /* symlink text, once read */
	void *pipe;              /* FIFO: its pipe, created at first open */
};

/* file->priv of a regular file. */
struct gofer_file {
	int fd;
	_Atomic bool append;     /* the host fd has O_APPEND */
};

static const struct inode_ops goferfs_dir_iops;
static const struct inode_ops goferfs_file_iops;
static const struct inode_ops goferfs_symlink_iops;
static const struct inode_ops goferfs_special_iops;
static const struct file_ops goferfs_file_fops;
static const struct file_ops goferfs_dir_fops;

static struct gofer_inode *gi(struct inode *inode)
{
	return inode->priv;
}

static struct goferfs *gfs(struct inode *inode)
{
	return inode->sb->priv;
}

static struct gofer_client *gofer_of(struct inode *inode)
{
	return gfs(inode)->g;
}

/* --- attributes ------------------------------------------------------------- */

/* Takes the host's attributes (the type never changes: the node pins the
 * host inode). */
static void copy_attrs(struct inode *inode, const struct stat *st)
{
	pthread_mutex_lock(&inode->lock);
	inode->ino = st->st_ino;
	inode->mode = (inode->mode & S_IFMT) | (st->st_mode & 07777);
	inode->uid = st->st_uid;
	inode->gid = st->st_gid;
	inode->nlink = st->st_nlink;
	inode->size = st->st_size;
	inode->blocks = st->st_blocks;
	inode->atime = st->st_atim;
	inode->mtime = st->st_mtim;
	inode->ctime = st->st_ctim;
	pthread_mutex_unlock(&inode->lock);
}

static void dir_touch(struct inode *dir, int links)
{
	struct timespec now = ts_now(CLOCK_REALTIME);
	pthread_mutex_lock(&dir->lock);
	if (links > 0 || dir->nlink >= (nlink_t)-links)
		dir->nlink = (nlink_t)((long)dir->nlink + links);
	dir->mtime = dir->ctime = now;
	pthread_mutex_unlock(&dir->lock);
}

static void drop_link(struct inode *inode, bool all)
{
	pthread_mutex_lock(&inode->lock);
	if (all)
		inode->nlink = 0;
	else if (inode->nlink > 0)
		inode->nlink--;
	inode->ctime = ts_now(CLOCK_REALTIME);
	pthread_mutex_unlock(&inode->lock);
}

static int goferfs_getattr(struct inode *inode)
{
	struct stat st;
	int err = gofer_stat(gofer_of(inode), gi(inode)->node, &st);
	if (err < 0)
		return err;
	copy_attrs(inode, &st);
	return 0;
}

static int goferfs_setattr(struct inode *inode, const struct iattr *attr)
{
	struct gofer_setattr ga = { 0 };
	if (attr->valid & ATTR_MODE) {
		ga.mask |= GOFER_SETATTR_MODE;
		ga.mode = attr->mode & 07777;
	}
	if (attr->valid & ATTR_UID) {
		ga.mask |= GOFER_SETATTR_UID;
		ga.uid = attr->uid;
	}
	if (attr->valid & ATTR_GID) {
		ga.mask |= GOFER_SETATTR_GID;
		ga.gid = attr->gid;
	}
	if (attr->valid & ATTR_SIZE) {
		if (attr->size < 0)
			return -EINVAL;
		ga.mask |= GOFER_SETATTR_SIZE;
		ga.size = (uint64_t)attr->size;
	}
	if (attr->valid & ATTR_ATIME) {
		ga.mask |= GOFER_SETATTR_ATIME;
		ga.atime.sec = attr->atime.tv_sec;
		ga.atime.nsec = (uint32_t)attr->atime.tv_nsec;
	}
	if (attr->valid & ATTR_MTIME) {
		ga.mask |= GOFER_SETATTR_MTIME;
		ga.mtime.sec = attr->mtime.tv_sec;
		ga.mtime.nsec = (uint32_t)attr->mtime.tv_nsec;
	}
	if (!ga.mask) {
		/* ctime alone: nothing the host lets us set. */
		return goferfs_getattr(inode);
	}
	struct stat st;
	int err = gofer_setattr(gofer_of(inode), gi(inode)->node, &ga, &st);
	if (err < 0)
		return err;
	copy_attrs(inode, &st);
	return 0;
}

/* --- inodes and the inode table ------------------------------------------------ */

static unsigned bucket_of(dev_t dev, uint64_t ino)
{
	uint64_t h = ino * 0x9e3779b97f4a7c15ULL ^ (uint64_t)dev * 0xc2b2ae3d27d4eb4fULL;
	return (unsigned)(h >> 40) % INODE_TABLE_BUCKETS;
}

/* A reference to an inode the table still lists, unless it is dying. */
static bool inode_tryget(struct inode *inode)
{
	long r = atomic_load(&inode->refcount);
	while (r > 0)
		if (atomic_compare_exchange_weak(&inode->refcount, &r, r + 1))
			return true;
	return false;
}

static void gofer_inode_destroy(struct inode *inode)
{
	struct gofer_inode *n = inode->priv;
	if (!n)
		return;
	struct goferfs *fs = inode->sb->priv;
	if (n->hashed) {
		pthread_mutex_lock(&fs->lock);
		struct gofer_inode **pp = &fs->buckets[bucket_of(n->host_dev, n->host_ino)];
		while (*pp && *pp != n)
			pp = &(*pp)->hnext;
		if (*pp)
			*pp = n->hnext;
		pthread_mutex_unlock(&fs->lock);
	}
	if (n->node)
		gofer_release(fs->g, n->node);
	if (n->create_fd >= 0)
		close(n->create_fd);
	free(n->target);
	/* A FIFO's pipe is kept for the inode's life by fifo_open and never
	 * freed (as tmpfs does). */
	free(n);
	inode->priv = NULL;
}

static struct inode *alloc_inode(struct super_block *sb, gofer_node_t node, const struct stat *st)
{
	const struct inode_ops *iop;
	const struct file_ops *fop = NULL;
	mode_t mode = st->st_mode;
	switch (mode & S_IFMT) {
	case S_IFDIR:
		iop = &goferfs_dir_iops;
		fop = &goferfs_dir_fops;
		break;
	case S_IFREG:
		iop = &goferfs_file_iops;
		fop = &goferfs_file_fops;
		break;
	case S_IFLNK:
		iop = &goferfs_symlink_iops;
		break;
	case S_IFCHR:
		iop = &goferfs_special_iops;
		fop = chrdev_fops(st->st_rdev);
		break;
	default:
		iop = &goferfs_special_iops;
		break;
	}
	struct gofer_inode *n = calloc(1, sizeof *n);
	if (!n)
		return NULL;
	struct inode *inode = inode_new(sb, mode, iop, fop);
	if (!inode) {
		free(n);
		return NULL;
	}
	n->inode = inode;
	n->node = node;
	n->host_dev = st->st_dev;
	n->host_ino = st->st_ino;
	n->create_fd = -1;
	inode->priv = n;
	inode->destroy = gofer_inode_destroy;
	if (S_ISCHR(mode) || S_ISBLK(mode))
		inode->rdev = st->st_rdev;
	copy_attrs(inode, st);
	return inode;
}

/* The inode for a gofer node just obtained (whose ownership it takes: on
 * failure, or when the host object already has an inode, the node is
 * released). */
static int get_inode(struct super_block *sb, gofer_node_t node, const struct stat *st,
		     struct inode **out)
{
	struct goferfs *fs = sb->priv;
	struct inode *inode = NULL;
	if (S_ISDIR(st->st_mode)) {
		inode = alloc_inode(sb, node, st);
		if (!inode) {
			gofer_release(fs->g, node);
			return -ENOMEM;
		}
		*out = inode;
		return 0;
	}
	unsigned b = bucket_of(st->st_dev, st->st_ino);
	bool found = false;
	pthread_mutex_lock(&fs->lock);
	for (struct gofer_inode *n = fs->buckets[b]; n; n = n->hnext) {
		if (n->host_dev == st->st_dev && n->host_ino == st->st_ino &&
		    ((n->inode->mode ^ st->st_mode) & S_IFMT) == 0 && inode_tryget(n->inode)) {
			inode = n->inode;
			found = true;
			break;
		}
	}
	if (!found) {
		inode = alloc_inode(sb, node, st);
		if (inode) {
			struct gofer_inode *n = gi(inode);
			n->hashed = true;
			n->hnext = fs->buckets[b];
			fs->buckets[b] = n;
		}
	}
	pthread_mutex_unlock(&fs->lock);
	if (found) {
		gofer_release(fs->g, node);   /* the inode has its own */
		copy_attrs(inode, st);
	} else if (!inode) {
		gofer_release(fs->g, node);
		return -ENOMEM;
	}
	*out = inode;
	return 0;
}

/* --- directory operations -------------------------------------------------------- */

static int goferfs_lookup(struct inode *dir, const char *name, struct inode **out)
{
	gofer_node_t node;
	struct stat st;
	int err = gofer_walk(gofer_of(dir), gi(dir)->node, name, &node, &st);
	if (err < 0)
		return err;
	return get_inode(dir->sb, node, &st, out);
}

static int goferfs_create(struct inode *dir, const char *name, mode_t mode,
			  const struct owner *o, struct inode **out)
{
	gofer_node_t node;
	struct stat st;
	int fd = -1;
	int err = gofer_create(gofer_of(dir), gi(dir)->node, name, O_RDWR, mode & 07777, o->uid,
			       o->gid, &node, &st, &fd);
	if (err < 0)
		return err;
	struct inode *inode;
	if ((err = get_inode(dir->sb, node, &st, &inode)) < 0) {
		close(fd);
		return err;
	}
	if (S_ISREG(inode->mode)) {
		pthread_mutex_lock(&inode->lock);
		int old = gi(inode)->create_fd;
		gi(inode)->create_fd = fd;
		pthread_mutex_unlock(&inode->lock);
		fd = old;
	}
	if (fd >= 0)
		close(fd);
	dir_touch(dir, 0);
	*out = inode;
	return 0;
}

static int goferfs_mkdir(struct inode *dir, const char *name, mode_t mode,
			 const struct owner *o, struct inode **out)
{
	gofer_node_t node;
	struct stat st;
	int err = gofer_mkdir(gofer_of(dir), gi(dir)->node, name, mode & 07777, o->uid, o->gid,
			      &node, &st);
	if (err < 0)
		return err;
	if ((err = get_inode(dir->sb, node, &st, out)) < 0)
		return err;
	dir_touch(dir, 1);
	return 0;
}

static int goferfs_mknod(struct inode *dir, const char *name, mode_t mode, dev_t rdev,
			 const struct owner *o, struct inode **out)
{
	gofer_node_t node;
	struct stat st;
	int err = gofer_mknod(gofer_of(dir), gi(dir)->node, name, mode & (S_IFMT | 07777), rdev,
			      o->uid, o->gid, &node, &st);
	if (err < 0)
		return err;
	if ((err = get_inode(dir->sb, node, &st, out)) < 0)
		return err;
	dir_touch(dir, 0);
	return 0;
}

static int goferfs_symlink(struct inode *dir, const char *name, const char *target,
			   const struct owner *o, struct inode **out)
{
	gofer_node_t node;
	struct stat st;
	int err = gofer_symlink(gofer_of(dir), gi(dir)->node, name, target, o->uid, o->gid,
				&node, &st);
	if (err < 0)
		return err;
	if ((err = get_inode(dir->sb, node, &st, out)) < 0)
		return err;
	struct inode *inode = *out;
	char *copy = strdup(target);
	pthread_mutex_lock(&inode->lock);
	if (copy && !gi(inode)->target && S_ISLNK(inode->mode)) {
		gi(inode)->target = copy;
		copy = NULL;
	}
	pthread_mutex_unlock(&inode->lock);
	free(copy);
	dir_touch(dir, 0);
	return 0;
}

static int goferfs_link(struct inode *dir, const char *name, struct inode *target)
{
	if (target->sb != dir->sb)
		return -EXDEV;
	struct stat st;
	int err = gofer_link(gofer_of(dir), gi(dir)->node, name, gi(target)->node, &st);
	if (err < 0)
		return err;
	copy_attrs(target, &st);
	dir_touch(dir, 0);
	return 0;
}

static int goferfs_unlink(struct inode *dir, const char *name, struct inode *victim)
{
	int err = gofer_unlink(gofer_of(dir), gi(dir)->node, name, 0);
	if (err < 0)
		return err;
	drop_link(victim, false);
	dir_touch(dir, 0);
	return 0;
}

static int goferfs_rmdir(struct inode *dir, const char *name, struct inode *victim)
{
	int err = gofer_unlink(gofer_of(dir), gi(dir)->node, name, AT_REMOVEDIR);
	if (err < 0)
		return err;
	drop_link(victim, true);
	dir_touch(dir, -1);
	return 0;
}

static int goferfs_rename(struct inode *olddir, const char *oldname, struct inode *source,
			  struct inode *newdir, const char *newname, struct inode *target,
			  unsigned flags)
{
	if (newdir->sb != olddir->sb)
		return -EXDEV;
	int err = gofer_rename(gofer_of(olddir), gi(olddir)->node, oldname, gi(newdir)->node,
			       newname, flags);
	if (err < 0)
		return err;
	bool src_dir = S_ISDIR(source->mode);
	if (flags & RENAME_EXCHANGE) {
		bool tgt_dir = target && S_ISDIR(target->mode);
		if (olddir != newdir && src_dir != tgt_dir) {
			dir_touch(olddir, (int)tgt_dir - (int)src_dir);
			dir_touch(newdir, (int)src_dir - (int)tgt_dir);
		}
		if (target)
			inode_touch(target, false, false, true);
	} else {
		if (target) {
			drop_link(target, S_ISDIR(target->mode));
			if (S_ISDIR(target->mode))
				dir_touch(newdir, -1);
		}
		if (olddir != newdir && src_dir) {
			dir_touch(olddir, -1);
			dir_touch(newdir, 1);
		} else {
			dir_touch(olddir, 0);
			dir_touch(newdir, 0);
		}
	}
	inode_touch(source, false, false, true);
	return 0;
}

/* --- symlinks --------------------------------------------------------------------- */

static int goferfs_readlink(struct task *t, struct inode *inode, char *buf, size_t size)
{
	struct gofer_inode *n = gi(inode);
	pthread_mutex_lock(&inode->lock);
	bool cached = n->target != NULL;
	pthread_mutex_unlock(&inode->lock);
	if (!cached) {
		char *target = malloc(GOFER_PATH_MAX + 1);
		if (!target)
			return -ENOMEM;
		int len = gofer_readlink(gofer_of(inode), n->node, target, GOFER_PATH_MAX + 1);
		if (len < 0) {
			free(target);
			return len;
		}
		if (len > (int)GOFER_PATH_MAX)
			len = GOFER_PATH_MAX;
		target[len] = 0;
		pthread_mutex_lock(&inode->lock);
		if (!n->target) {
			n->target = target;
			target = NULL;
		}
		pthread_mutex_unlock(&inode->lock);
		free(target);
	}
	pthread_mutex_lock(&inode->lock);
	size_t len = strlen(n->target);
	if (len > size)
		len = size;
	memcpy(buf, n->target, len);
	pthread_mutex_unlock(&inode->lock);
	return (int)len;
}

/* --- regular files ------------------------------------------------------------------ */

static int goferfs_file_open(struct task *t, struct inode *inode, struct file *f)
{
	struct gofer_file *gf = calloc(1, sizeof *gf);
	if (!gf)
		return -ENOMEM;
	int acc = (int)(f->flags & O_ACCMODE);
	/* The fd CREATE gave (O_RDWR) serves the open that follows if it
	 * writes; a reading open gets a read-only fd (what mmap will map). */
	pthread_mutex_lock(&inode->lock);
	int fd = gi(inode)->create_fd;
	gi(inode)->create_fd = -1;
	pthread_mutex_unlock(&inode->lock);
	if (fd >= 0 && acc == O_RDONLY) {
		close(fd);
		fd = -1;
	}
	if (fd >= 0) {
		int fl = fcntl(fd, F_GETFL);
		atomic_init(&gf->append, fl >= 0 && (fl & O_APPEND));
	} else {
		int flags = acc | (int)(f->flags & O_APPEND);
		int err = gofer_open(gofer_of(inode), gi(inode)->node, flags, &fd);
		if (err < 0) {
			free(gf);
			return err;
		}
		atomic_init(&gf->append, (f->flags & O_APPEND) != 0);
	}
	gf->fd = fd;
	f->priv = gf;
	return 0;
}

static void goferfs_file_release(struct file *f)
{
	struct gofer_file *gf = f->priv;
	if (!gf)
		return;
	close(gf->fd);   /* mappings keep their own reference */
	free(gf);
	f->priv = NULL;
}

static ssize_t goferfs_read(struct file *f, struct task *t, void *buf, size_t len, int64_t *pos)
{
	struct gofer_file *gf = f->priv;
	if (!gf)
		return -EBADF;
	if (*pos < 0)
		return -EINVAL;
	ssize_t r = pread(gf->fd, buf, len, *pos);
	if (r < 0)
		return -errno;
	*pos += r;
	return r;
}

/* Makes the host fd's O_APPEND match the open file's (fcntl F_SETFL may
 * have changed it). */
static int sync_append(struct gofer_file *gf, bool want)
{
	if (atomic_load(&gf->append) == want)
		return 0;
	int fl = fcntl(gf->fd, F_GETFL);
	if (fl < 0)
		return -errno;
	fl = want ? fl | O_APPEND : fl & ~O_APPEND;
	if (fcntl(gf->fd, F_SETFL, fl) < 0)
		return -errno;
	atomic_store(&gf->append, want);
	return 0;
}

static ssize_t goferfs_write(struct file *f, struct task *t, const void *buf, size_t len,
			     int64_t *pos)
{
	struct gofer_file *gf = f->priv;
	if (!gf)
		return -EBADF;
	bool append = f->flags & O_APPEND;
	int err = sync_append(gf, append);
	if (err < 0)
		return err;
	ssize_t r;
	int64_t end;
	if (append) {
		/* The host appends atomically; the fd's offset then says where
		 * the data went (nothing else moves it: reads use pread). */
		r = write(gf->fd, buf, len);
		if (r < 0)
			return -errno;
		off_t cur = lseek(gf->fd, 0, SEEK_CUR);
		end = cur >= 0 ? cur : *pos + r;
	} else {
		if (*pos < 0)
			return -EINVAL;
		r = pwrite(gf->fd, buf, len, *pos);
		if (r < 0)
			return -errno;
		end = *pos + r;
	}
	*pos = end;
	struct inode *inode = f->inode;
	pthread_mutex_lock(&inode->lock);
	if (end > inode->size)
		inode->size = end;
	if (r > 0)
		inode->mtime = inode->ctime = ts_now(CLOCK_REALTIME);
	pthread_mutex_unlock(&inode->lock);
	return r;
}

static int64_t goferfs_llseek(struct file *f, int64_t off, int whence)
{
	struct gofer_file *gf = f->priv;
	if (!gf)
		return -EBADF;
	int64_t base;
	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = f->pos;
		break;
	case SEEK_END: {
		struct stat st;
		if (fstat(gf->fd, &st) < 0)
			return -errno;
		base = st.st_size;
		pthread_mutex_lock(&f->inode->lock);
		f->inode->size = st.st_size;
		pthread_mutex_unlock(&f->inode->lock);
		break;
	}
	case SEEK_DATA:
	case SEEK_HOLE: {
		/* The host knows the holes; its fd offset is not used otherwise
		 * (an O_APPEND write goes to the end whatever it is). */
		off_t r = lseek(gf->fd, off, whence);
		return r < 0 ? -errno : r;
	}
	default:
		return -EINVAL;
	}
	if ((off > 0 && base > INT64_MAX - off) || base + off < 0)
		return -EINVAL;
	return base + off;
}

static unsigned goferfs_poll(struct file *f, struct poll_table *pt)
{
	return POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
}

static int goferfs_mmap_fd(struct file *f, bool shared_write)
{
	struct gofer_file *gf = f->priv;
	if (!gf)
		return -EBADF;
	/* The fd has the open file's access mode: writable exactly when the
	 * file is (the caller has checked that a shared writable mapping is
	 * of a writable file). */
	if (shared_write && (f->flags & O_ACCMODE) != O_RDWR)
		return -EACCES;
	return gf->fd;
}

static int goferfs_fsync(struct file *f)
{
	struct gofer_file *gf = f->priv;
	if (!gf)
		return 0;
	return fsync(gf->fd) < 0 ? -errno : 0;
}

/* --- special files --------------------------------------------------------------- */

static int goferfs_special_open(struct task *t, struct inode *inode, struct file *f)
{
	if (S_ISFIFO(inode->mode))
		return fifo_open(t, inode, &gi(inode)->pipe, f);
	if (S_ISCHR(inode->mode))
		return chrdev_open(t, inode, f);
	return -ENXIO;   /* sockets, block devices */
}

/* --- directories: readdir ---------------------------------------------------------- */

struct list_ctx {
	struct dir_snapshot *s;
	int err;
};

static int list_one(void *arg, const char *name, uint64_t ino, unsigned char type,
		    uint64_t next_cookie)
{
	struct list_ctx *c = arg;
	int err = dir_snapshot_add(c->s, name, ino, type);
	if (err < 0) {
		c->err = err;
		return 1;
	}
	return 0;
}

/* The host directory's entries, as the gofer lists them. */
static int fill_listing(struct file *f, struct dir_snapshot *s)
{
	struct inode *dir = f->inode;
	struct list_ctx c = { s, 0 };
	int r = gofer_readdir_all(gofer_of(dir), gi(dir)->node, list_one, &c);
	return c.err ? c.err : (r < 0 ? r : 0);
}

static int goferfs_readdir(struct file *f, struct dir_emitter *e)
{
	return dir_snapshot_readdir(f, e, fill_listing);
}

static int goferfs_dir_fsync(struct file *f)
{
	return 0;
}

/* --- the file system ---------------------------------------------------------------- */

static int goferfs_statfs(struct super_block *sb, struct statfs *st)
{
	struct goferfs *fs = sb->priv;
	struct statfs host;
	int err = gofer_statfs(fs->g, fs->root_node, &host);
	if (err < 0)
		return err;
	st->f_bsize = host.f_bsize;
	st->f_frsize = host.f_frsize ? host.f_frsize : host.f_bsize;
	st->f_blocks = host.f_blocks;
	st->f_bfree = host.f_bfree;
	st->f_bavail = host.f_bavail;
	st->f_files = host.f_files;
	st->f_ffree = host.f_ffree;
	if (host.f_namelen > 0)
		st->f_namelen = host.f_namelen;
	return 0;
}

static void goferfs_sb_destroy(struct super_block *sb)
{
	struct goferfs *fs = sb->priv;
	if (!fs)
		return;
	pthread_mutex_destroy(&fs->lock);
	free(fs);
}

static const struct super_ops goferfs_sops = {
	.statfs = goferfs_statfs,
	.destroy = goferfs_sb_destroy,
};

int goferfs_new(struct gofer_client *g, uint64_t root_node, bool readonly, struct dentry **root)
{
	struct stat st;
	int err = gofer_stat(g, root_node, &st);
	/* A directory, or a regular file (a file bind mount). */
	if (err == 0 && !S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode))
		err = -ENOTDIR;
	if (err < 0) {
		gofer_release(g, root_node);
		return err;
	}
	struct goferfs *fs = calloc(1, sizeof *fs);
	struct super_block *sb = fs ? sb_new("9p", V9FS_MAGIC, &goferfs_sops,
					     readonly ? SB_RDONLY : 0) : NULL;
	if (!sb) {
		free(fs);
		gofer_release(g, root_node);
		return -ENOMEM;
	}
	fs->g = g;
	fs->root_node = root_node;
	pthread_mutex_init(&fs->lock, NULL);
	sb->priv = fs;
	struct inode *inode = alloc_inode(sb, root_node, &st);
	sb_put(sb);   /* the inode holds it */
	if (!inode) {
		gofer_release(g, root_node);
		return -ENOMEM;
	}
	*root = dentry_new_root(inode);
	inode_put(inode);
	return *root ? 0 : -ENOMEM;
}

/* --- tables ---------------------------------------------------------------------------- */

static const struct inode_ops goferfs_dir_iops = {
	.lookup = goferfs_lookup,
	.create = goferfs_create,
	.mkdir = goferfs_mkdir,
	.mknod = goferfs_mknod,
	.symlink = goferfs_symlink,
	.link = goferfs_link,
	.unlink = goferfs_unlink,
	.rmdir = goferfs_rmdir,
	.rename = goferfs_rename,
	.setattr = goferfs_setattr,
	.getattr = goferfs_getattr,
};

static const struct inode_ops goferfs_file_iops = {
	.setattr = goferfs_setattr,
	.getattr = goferfs_getattr,
	.open = goferfs_file_open,
};

static const struct inode_ops goferfs_symlink_iops = {
	.readlink = goferfs_readlink,
	.setattr = goferfs_setattr,
	.getattr = goferfs_getattr,
};

static const struct inode_ops goferfs_special_iops = {
	.setattr = goferfs_setattr,
	.getattr = goferfs_getattr,
	.open = goferfs_special_open,
};

static const struct file_ops goferfs_file_fops = {
	.read = goferfs_read,
	.write = goferfs_write,
	.llseek = goferfs_llseek,
	.poll = goferfs_poll,
	.mmap_fd = goferfs_mmap_fd,
	.fsync = goferfs_fsync,
	.release = goferfs_file_release,
};

static const struct file_ops goferfs_dir_fops = {
	.readdir = goferfs_readdir,
	.llseek = dir_snapshot_llseek,
	.fsync = goferfs_dir_fsync,
	.release = dir_snapshot_release,
};
