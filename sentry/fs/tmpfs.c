/* tmpfs, and the in-memory part of the overlay.
 *
 * The directory tree lives in the dcache.  A regular file keeps its data in
 * a heap buffer until it is first mapped; from then on in a host memfd, so
 * that shared mappings and read/write stay coherent.  (A memfd per file
 * would run into the host's fd limit with many files.)
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/confine.h"
#include "common/log.h"
#include "sentry/fs/memfs.h"
#include "sentry/mm/mm.h"
#include "sentry/kernel/kernel.h"

#define MEMFS_MAX_FILE_SIZE (1LL << 40)

/* --- the sandbox's quota (--overlay-size) ---------------------------------- */

/* What a file made in a file system under quota costs, besides its data. */
#define MEMFS_INODE_COST 512

static uint64_t quota_max;                 /* 0: none */
static _Atomic uint64_t quota_used;

void tmpfs_set_quota(uint64_t max_bytes)
{
	quota_max = max_bytes;
}

static bool under_quota(const struct memfs *fs)
{
	return fs && fs->in_quota && quota_max;
}

int memfs_quota_take(const struct memfs *fs, uint64_t n)
{
	if (!under_quota(fs))
		return 0;
	uint64_t used = atomic_fetch_add(&quota_used, n);
	if (used + n > quota_max) {
		atomic_fetch_sub(&quota_used, n);
		return -ENOSPC;
	}
	return 0;
}

void memfs_quota_give(const struct memfs *fs, uint64_t n)
{
	if (under_quota(fs))
		atomic_fetch_sub(&quota_used, n);
}

/* --- nodes ----------------------------------------------------------------- */

static void mem_node_destroy(struct inode *inode)
{
	struct mem_node *n = inode->priv;
	if (!n)
		return;
	overlay_forget(inode);
	struct memfs *fs = inode->sb->priv;
	if (fs && S_ISREG(inode->mode) && !n->has_lower) {   /* (a lower file's is not held) */
		atomic_fetch_sub(&fs->used_bytes, (uint64_t)inode->size);
		memfs_quota_give(fs, (uint64_t)inode->size);
	}
	if (n->quota_inode)
		memfs_quota_give(fs, MEMFS_INODE_COST);
	memfs_quota_give(fs, n->quota_text + (uint64_t)n->quota_links * MEMFS_INODE_COST);
	free(n->buf);
	/* Windows of address spaces that read the file may map its memfd
	 * still: emptying it frees the data now, not when they go. */
	if (n->memfd >= 0 && n->win_kind == MEMFS_MAP_MEMFD && ftruncate(n->memfd, 0) < 0)
		log_debug("tmpfs: emptying a memfd: %s", strerror(errno));
	if (n->map) {
		munmap(n->map, n->map_len);
		if (fs)
			atomic_fetch_sub(&fs->mapped_nodes, 1);
	}
	if (n->memfd >= 0)
		close(n->memfd);
	if (n->memfd_ro >= 0)
		close(n->memfd_ro);
	if (n->lower_fd >= 0)
		close(n->lower_fd);
	if (n->lower_idle && fs)
		atomic_fetch_sub(&fs->idle_lower_fds, 1);
	free(n->target);
	for (int i = 0; i < n->nwhiteouts; i++)
		free(n->whiteouts[i]);
	free(n->whiteouts);
	free(n);
}

static void memfs_sb_destroy(struct super_block *sb)
{
	free(sb->priv);
}

static int memfs_statfs(struct super_block *sb, struct statfs *st)
{
	struct memfs *fs = sb->priv;
	uint64_t used = atomic_load(&fs->used_bytes);
	uint64_t total = fs->max_bytes ? fs->max_bytes : (uint64_t)4 << 30;
	if (under_quota(fs) && (!fs->max_bytes || quota_max < fs->max_bytes)) {
		used = atomic_load(&quota_used);   /* shared with the others under quota */
		total = quota_max;
	}
	st->f_bsize = 4096;
	st->f_blocks = total / 4096;
	st->f_bfree = used < total ? (total - used) / 4096 : 0;
	st->f_bavail = st->f_bfree;
	st->f_files = 1 << 20;
	st->f_ffree = 1 << 20;
	return 0;
}

static const struct super_ops memfs_sops = {
	.statfs = memfs_statfs,
	.destroy = memfs_sb_destroy,
};

struct super_block *memfs_new_sb(const char *fstype, uint64_t magic, uint64_t max_bytes)
{
	struct memfs *fs = calloc(1, sizeof *fs);
	if (!fs)
		return NULL;
	fs->max_bytes = max_bytes;
	struct super_block *sb = sb_new(fstype, magic, &memfs_sops, 0);
	if (!sb) {
		free(fs);
		return NULL;
	}
	sb->priv = fs;
	return sb;
}

struct inode *memfs_new_inode(struct super_block *sb, mode_t mode, const struct owner *o,
			      dev_t rdev)
{
	const struct inode_ops *iop;
	const struct file_ops *fop = NULL;
	switch (mode & S_IFMT) {
	case S_IFDIR:
		iop = &memfs_dir_iops;
		fop = &memfs_dir_fops;
		break;
	case S_IFREG:
		iop = &memfs_file_iops;
		fop = &memfs_file_fops;
		break;
	case S_IFLNK:
		iop = &memfs_symlink_iops;
		break;
	case S_IFCHR:
		iop = &memfs_special_iops;
		fop = chrdev_fops(rdev);
		break;
	default:
		iop = &memfs_special_iops;
		break;
	}
	struct inode *inode = inode_new(sb, mode, iop, fop);
	if (!inode)
		return NULL;
	struct mem_node *n = calloc(1, sizeof *n);
	if (!n) {
		inode_put(inode);
		return NULL;
	}
	n->memfd = -1;
	n->memfd_ro = -1;
	n->lower_fd = -1;
	inode->priv = n;
	inode->destroy = mem_node_destroy;
	inode->rdev = rdev;
	if (o) {
		inode->uid = o->uid;
		inode->gid = o->gid;
	}
	return inode;
}

int tmpfs_new(mode_t root_mode, uint64_t max_bytes, struct dentry **root)
{
	struct super_block *sb = memfs_new_sb("tmpfs", TMPFS_MAGIC, max_bytes);
	if (!sb)
		return -ENOMEM;
	((struct memfs *)sb->priv)->in_quota = true;
	struct inode *inode = memfs_new_inode(sb, S_IFDIR | (root_mode & 07777), NULL, 0);
	sb_put(sb);
	if (!inode)
		return -ENOMEM;
	*root = dentry_new_root(inode);
	inode_put(inode);
	return *root ? 0 : -ENOMEM;
}

/* --- directory operations ---------------------------------------------------- */

static void dir_changed(struct inode *dir, int entries, int links)
{
	(void)entries;
	struct timespec now = ts_now(CLOCK_REALTIME);
	pthread_mutex_lock(&dir->lock);
	dir->nlink = (nlink_t)((long)dir->nlink + links);
	dir->mtime = dir->ctime = now;
	pthread_mutex_unlock(&dir->lock);
}

static int make_child(struct inode *dir, mode_t mode, const struct owner *o, dev_t rdev,
		      struct inode **out)
{
	if (memfs_quota_take(dir->sb->priv, MEMFS_INODE_COST) < 0)
		return -ENOSPC;
	struct inode *inode = memfs_new_inode(dir->sb, mode, o, rdev);
	if (!inode) {
		memfs_quota_give(dir->sb->priv, MEMFS_INODE_COST);
		return -ENOMEM;
	}
	mem_node(inode)->quota_inode = under_quota(dir->sb->priv);
	dir_changed(dir, 1, S_ISDIR(mode) ? 1 : 0);
	*out = inode;
	return 0;
}

static int memfs_create(struct inode *dir, const char *name, mode_t mode, const struct owner *o,
			struct inode **out)
{
	return make_child(dir, S_IFREG | (mode & 07777), o, 0, out);
}

static int memfs_mkdir(struct inode *dir, const char *name, mode_t mode, const struct owner *o,
		       struct inode **out)
{
	return make_child(dir, S_IFDIR | (mode & 07777), o, 0, out);
}

static int memfs_mknod(struct inode *dir, const char *name, mode_t mode, dev_t rdev,
		       const struct owner *o, struct inode **out)
{
	return make_child(dir, mode, o, rdev, out);
}

/* A symlink's text is held in memory like file data, so it is charged
 * like file data (Linux's tmpfs gives a long one a page): otherwise
 * 4095-byte targets would fill the sentry's heap past the quota. */
static int memfs_symlink(struct inode *dir, const char *name, const char *target,
			 const struct owner *o, struct inode **out)
{
	struct memfs *fs = dir->sb->priv;
	size_t len = strlen(target);
	if (memfs_quota_take(fs, len) < 0)
		return -ENOSPC;
	char *copy = strdup(target);
	int err = copy ? make_child(dir, S_IFLNK | 0777, o, 0, out) : -ENOMEM;
	if (err < 0) {
		free(copy);
		memfs_quota_give(fs, len);
		return err;
	}
	mem_node(*out)->target = copy;
	mem_node(*out)->quota_text = under_quota(fs) ? len : 0;
	(*out)->size = (int64_t)len;
	return 0;
}

/* Every name costs what a new file does (a dentry in the sentry's
 * memory; Linux's tmpfs counts a link against nr_inodes too): a hard link
 * is not a free way past the quota. */
static int memfs_link(struct inode *dir, const char *name, struct inode *target)
{
	struct memfs *fs = dir->sb->priv;
	if (memfs_quota_take(fs, MEMFS_INODE_COST) < 0)
		return -ENOSPC;
	pthread_mutex_lock(&target->lock);
	target->nlink++;
	if (under_quota(fs))
		mem_node(target)->quota_links++;
	target->ctime = ts_now(CLOCK_REALTIME);
	pthread_mutex_unlock(&target->lock);
	dir_changed(dir, 1, 0);
	return 0;
}

/* One name of a non-directory goes: a name's charge (memfs_link) is given
 * back while the inode has one; the last name's is the inode's own. */
static void drop_name(struct inode *victim)
{
	bool give = false;
	pthread_mutex_lock(&victim->lock);
	victim->nlink--;
	if (mem_node(victim)->quota_links > 0) {
		mem_node(victim)->quota_links--;
		give = true;
	}
	victim->ctime = ts_now(CLOCK_REALTIME);
	pthread_mutex_unlock(&victim->lock);
	if (give)
		memfs_quota_give(victim->sb->priv, MEMFS_INODE_COST);
}

static void forget_name(struct inode *dir, const char *name)
{
	if (mem_node(dir)->has_lower)
		overlay_add_whiteout(dir, name);
}

static int memfs_unlink(struct inode *dir, const char *name, struct inode *victim)
{
	drop_name(victim);
	dir_changed(dir, -1, 0);
	forget_name(dir, name);
	return 0;
}

/* The VFS has checked that no cached child is left; a directory with a
 * lower part may still have lower entries. */
static int dir_is_empty(struct inode *dir)
{
	if (mem_node(dir)->has_lower)
		return overlay_lower_dir_empty(dir);
	return 1;
}

static int memfs_rmdir(struct inode *dir, const char *name, struct inode *victim)
{
	int empty = dir_is_empty(victim);
	if (empty < 0)
		return empty;
	if (!empty)
		return -ENOTEMPTY;
	pthread_mutex_lock(&victim->lock);
	victim->nlink = 0;
	victim->ctime = ts_now(CLOCK_REALTIME);
	pthread_mutex_unlock(&victim->lock);
	dir_changed(dir, -1, -1);
	forget_name(dir, name);
	return 0;
}

static int memfs_rename(struct inode *olddir, const char *oldname, struct inode *source,
			struct inode *newdir, const char *newname, struct inode *target,
			unsigned flags)
{
	bool src_dir = S_ISDIR(source->mode);
	if (flags & RENAME_EXCHANGE) {
		bool tgt_dir = S_ISDIR(target->mode);
		if (olddir != newdir && src_dir != tgt_dir) {
			dir_changed(olddir, 0, tgt_dir - src_dir);
			dir_changed(newdir, 0, src_dir - tgt_dir);
		}
		inode_touch(source, false, false, true);
		inode_touch(target, false, false, true);
		return 0;
	}
	if (target) {
		if (S_ISDIR(target->mode)) {
			int empty = dir_is_empty(target);
			if (empty < 0)
				return empty;
			if (!empty)
				return -ENOTEMPTY;
			pthread_mutex_lock(&target->lock);
			target->nlink = 0;
			pthread_mutex_unlock(&target->lock);
			dir_changed(newdir, -1, -1);
		} else {
			drop_name(target);
			dir_changed(newdir, -1, 0);
		}
	}
	dir_changed(olddir, -1, src_dir ? -1 : 0);
	dir_changed(newdir, 1, src_dir ? 1 : 0);
	inode_touch(source, false, false, true);
	forget_name(olddir, oldname);
	return 0;
}

/* --- regular file data --------------------------------------------------------- */

static int charge(struct inode *inode, int64_t old_size, int64_t new_size)
{
	struct memfs *fs = memfs_of(inode);
	if (new_size > old_size) {
		uint64_t grow = (uint64_t)(new_size - old_size);
		uint64_t used = atomic_fetch_add(&fs->used_bytes, grow);
		if (fs->max_bytes && used + grow > fs->max_bytes) {
			atomic_fetch_sub(&fs->used_bytes, grow);
			return -ENOSPC;
		}
		if (memfs_quota_take(fs, grow) < 0) {
			atomic_fetch_sub(&fs->used_bytes, grow);
			return -ENOSPC;
		}
	} else {
		atomic_fetch_sub(&fs->used_bytes, (uint64_t)(old_size - new_size));
		memfs_quota_give(fs, (uint64_t)(old_size - new_size));
	}
	return 0;
}

/* Grows the heap buffer to hold size bytes.  The capacity beyond is left
 * untouched (not zeroed): a large one is fresh mmap'd memory that costs
 * nothing until used, so a file costs its size, not up to twice that.
 * Under inode->lock. */
static int buf_reserve(struct mem_node *n, size_t size)
{
	if (size <= n->cap)
		return 0;
	size_t cap = n->cap ? n->cap : 256;
	while (cap < size)
		cap = cap > SIZE_MAX / 2 ? size : cap * 2;
	char *buf = realloc(n->buf, cap);
	if (!buf)
		return -ENOSPC;
	n->buf = buf;
	n->cap = cap;
	return 0;
}

/* Sets the size of the data. Under inode->lock. */
static int data_resize(struct inode *inode, int64_t size)
{
	struct mem_node *n = mem_node(inode);
	if (size > MEMFS_MAX_FILE_SIZE)
		return -EFBIG;
	int err = charge(inode, inode->size, size);
	if (err < 0)
		return err;
	if (n->memfd >= 0) {
		if (ftruncate(n->memfd, size) < 0) {
			charge(inode, size, inode->size);
			return -errno;
		}
	} else if (size > inode->size) {
		if ((err = buf_reserve(n, (size_t)size)) < 0) {
			charge(inode, size, inode->size);
			return err;
		}
		/* What the file grows by reads as zeros. */
		memset(n->buf + inode->size, 0, (size_t)(size - inode->size));
	}
	inode->size = size;
	/* Allocated 512-byte blocks, in whole pages as tmpfs counts them. */
	inode->blocks = ((size + 4095) / 4096) * 8;
	return 0;
}

/* Moves the data into a memfd (for mmap). Under inode->lock. */
static int data_to_memfd(struct inode *inode)
{
	struct mem_node *n = mem_node(inode);
	if (n->memfd >= 0)
		return n->memfd;
	int fd = memfd_create("tmpfs", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	size_t done = 0, size = (size_t)inode->size;
	while (done < size) {
		ssize_t w = pwrite(fd, n->buf + done, size - done, (off_t)done);
		if (w < 0) {
			int err = -errno;
			close(fd);
			return err;
		}
		done += (size_t)w;
	}
	if (ftruncate(fd, (off_t)size) < 0) {
		int err = -errno;
		close(fd);
		return err;
	}
	free(n->buf);
	n->buf = NULL;
	n->cap = 0;
	n->memfd = fd;
	return fd;
}

/* Reads of at least this much go through memfs_read_user. */
#define MEMFS_MAPPED_READ_MIN (64 * 1024)
#define MEMFS_MAP_MAX (1ULL << 32)
/* A file in the heap at least this big that large reads read again moves
 * into a memfd, for copy_file_to_user. */
#define MEMFS_WINDOW_MIN_SIZE (1024 * 1024)

/* Ids of host data for copy_file_to_user: never reused. */
static _Atomic uint64_t next_window_id;

/* The id of the node's host data of the given kind.  Under inode->lock. */
static uint64_t window_id(struct mem_node *n, int kind)
{
	if (n->win_kind != kind) {
		n->win_id = atomic_fetch_add(&next_window_id, 1) + 1;
		n->win_kind = kind;
	}
	return n->win_id;
}

/* Is a large read of want bytes one that copy_file_to_user should make?
 * Only in a file read again while open (more bytes since its last close
 * than it has): the platform's copy is twice as fast, but setting it up
 * costs about one read of the file (the page tables of a mapping, made
 * and torn down; a heap file's move into a memfd), so a file read once,
 * or opened, read and closed over and over, is copied by the sentry.
 * Under inode->lock. */
static bool platform_copy_worth(struct task *t, struct inode *inode, size_t want)
{
	struct mem_node *n = mem_node(inode);
	if (!copy_file_to_user_possible(t))
		return false;
	n->reread_bytes += want;
	return n->reread_bytes > (uint64_t)inode->size;
}

/* The sentry's own read-only mapping of the node's host data (fd, of the
 * given MEMFS_MAP_* kind), made on first use and kept on the node; NULL if
 * it cannot be had.  Under inode->lock. */
static const char *sentry_map(struct inode *inode, int fd, int kind, uint64_t size)
{
	struct mem_node *n = mem_node(inode);
	if (size > MEMFS_MAP_MAX)
		return NULL;
	if (n->map_kind == kind && n->map_len >= size)
		return n->map;
	struct memfs *fs = memfs_of(inode);
	if (n->map) {
		munmap(n->map, n->map_len);
		atomic_fetch_sub(&fs->mapped_nodes, 1);
	}
	n->map = NULL;
	n->map_kind = MEMFS_MAP_NONE;
	if (atomic_fetch_add(&fs->mapped_nodes, 1) >= MEMFS_MAPPED_NODES_MAX) {
		atomic_fetch_sub(&fs->mapped_nodes, 1);
		return NULL;
	}
	size_t ml = (size_t)((size + 4095) & ~4095ULL);
	void *m = mmap(NULL, ml, PROT_READ, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED) {
		atomic_fetch_sub(&fs->mapped_nodes, 1);
		return NULL;
	}
	n->map = m;
	n->map_len = ml;
	n->map_kind = kind;
	return m;
}

/* The read-only fd of the memfd, made once.  A mapping that may not write
 * the file gets it: the stub that maps it runs a request guest code can
 * rewrite (MAP_PRIVATE into MAP_SHARED, PROT_READ into PROT_WRITE), and can
 * make mprotect itself; with this fd the host refuses a shared writable
 * mapping whatever the request says (EACCES; no VM_MAYWRITE for mprotect).
 * Under inode->lock. */
static int memfd_read_only(struct mem_node *n, int memfd)
{
	if (n->memfd_ro < 0) {
		int fd = confine_reopen(memfd, O_RDONLY);
		if (fd < 0)
			return fd;
		n->memfd_ro = fd;
	}
	return n->memfd_ro;
}

/* A large read: one copy from the host data to the guest's buffer, where
 * pread into a bounce buffer and copying that out is two.  Made by the
 * platform inside the guest's address space (copy_file_to_user) when worth
 * it; else by process_vm_writev from a shared mapping of the host data (the
 * page cache) in the sentry, which covers the whole file and is kept on the
 * node.  The inode lock keeps the data from changing under the copy.  A copy
 * that runs past a file shrunk on the host fails (a short read or EFAULT,
 * never SIGBUS in the sentry: the sentry never touches the pages itself). */
static ssize_t memfs_read_user(struct file *f, struct task *t, uint64_t ubuf, size_t len,
			       int64_t *pos)
{
	struct inode *inode = f->inode;
	struct mem_node *n = mem_node(inode);
	if (*pos < 0)
		return -EINVAL;
	if (len < MEMFS_MAPPED_READ_MIN)
		return -EOPNOTSUPP;
	/* An open file keeps the lower fd open (lower_opens), so the number
	 * cannot be reused while we map it. */
	int lower = n->has_lower ? overlay_lower_fd(inode) : -1;
	pthread_mutex_lock(&inode->lock);
	int fd = n->has_lower ? lower : n->memfd;
	int kind = n->has_lower ? MEMFS_MAP_LOWER : MEMFS_MAP_MEMFD;
	uint64_t size = (uint64_t)inode->size;
	ssize_t r = 0;
	if ((uint64_t)*pos >= size)
		goto out;
	size_t want = (size_t)(size - (uint64_t)*pos);
	if (want > len)
		want = len;
	bool platform_copy = platform_copy_worth(t, inode, want);
	if (platform_copy && !n->has_lower && fd < 0 && size >= MEMFS_WINDOW_MIN_SIZE &&
	    data_to_memfd(inode) >= 0)
		fd = n->memfd;
	const char *src = n->buf;   /* in the sentry's memory already, or NULL */
	if (fd >= 0) {
		r = -EOPNOTSUPP;
		if (platform_copy) {
			/* The window is mapped in the guest's address space,
			 * where guest code can mprotect it through the stub's
			 * code: from a memfd, only ever its read-only fd. */
			int wfd = n->has_lower ? fd : memfd_read_only(n, fd);
			if (wfd >= 0)
				r = copy_file_to_user(t, ubuf, wfd, window_id(n, kind),
						      (uint64_t)*pos, want);
		}
		if (r != -EOPNOTSUPP)
			goto out;
		src = sentry_map(inode, fd, kind, size);
	}
	r = -EOPNOTSUPP;
	if (src) {
		size_t done = copy_to_user_partial(t, ubuf, src + *pos, want);
		r = done ? (ssize_t)done : -EFAULT;
	}
out:
	if (r > 0)
		*pos += r;
	pthread_mutex_unlock(&inode->lock);
	return r;
}

/* A window the platform keeps for large reads of the file shows its data to
 * the guest: it goes with the fd (while the fd is open, the guest could read
 * the file through it anyway). */
static void memfs_flush(struct file *f)
{
	struct mem_node *n = mem_node(f->inode);
	pthread_mutex_lock(&f->inode->lock);
	uint64_t id = n->win_id;
	n->reread_bytes = 0;
	pthread_mutex_unlock(&f->inode->lock);
	struct task *t = task_current();
	if (id && t)
		copy_file_to_user_forget(t, id);
}

static ssize_t memfs_read(struct file *f, struct task *t, void *buf, size_t len, int64_t *pos)
{
	struct inode *inode = f->inode;
	struct mem_node *n = mem_node(inode);
	if (*pos < 0)
		return -EINVAL;
	pthread_mutex_lock(&inode->lock);
	ssize_t r;
	if (n->has_lower) {
		pthread_mutex_unlock(&inode->lock);
		int fd = overlay_lower_fd(inode);
		if (fd < 0)
			return fd;
		r = pread(fd, buf, len, *pos);
		if (r < 0)
			return -errno;
		*pos += r;
		return r;
	}
	if (n->memfd >= 0) {
		r = pread(n->memfd, buf, len, *pos);
		if (r < 0)
			r = -errno;
	} else if (*pos >= inode->size) {
		r = 0;
	} else {
		size_t avail = (size_t)(inode->size - *pos);
		r = (ssize_t)(len < avail ? len : avail);
		memcpy(buf, n->buf + *pos, (size_t)r);
	}
	pthread_mutex_unlock(&inode->lock);
	if (r > 0)
		*pos += r;
	return r;
}

static ssize_t memfs_write(struct file *f, struct task *t, const void *buf, size_t len,
			   int64_t *pos)
{
	struct inode *inode = f->inode;
	struct mem_node *n = mem_node(inode);
	if (n->has_lower) {
		int err = overlay_copy_up(inode);
		if (err < 0)
			return err;
	}
	pthread_mutex_lock(&inode->lock);
	int64_t off = (f->flags & O_APPEND) ? inode->size : *pos;
	ssize_t r;
	if (off < 0) {
		r = -EINVAL;
		goto out;
	}
	if (len > (size_t)(MEMFS_MAX_FILE_SIZE - off)) {
		r = -EFBIG;
		goto out;
	}
	int64_t end = off + (int64_t)len;
	if (end > inode->size) {
		int err = data_resize(inode, end);
		if (err < 0) {
			r = err;
			goto out;
		}
	}
	if (n->memfd >= 0) {
		r = pwrite(n->memfd, buf, len, off);
		if (r < 0)
			r = -errno;
	} else {
		if (len)
			memcpy(n->buf + off, buf, len);
		r = (ssize_t)len;
	}
	if (r > 0) {
		*pos = off + r;
		inode->mtime = inode->ctime = ts_now(CLOCK_REALTIME);
	}
out:
	pthread_mutex_unlock(&inode->lock);
	return r;
}

static int memfs_mmap_fd(struct file *f, bool shared_write)
{
	struct inode *inode = f->inode;
	struct mem_node *n = mem_node(inode);
	if (n->has_lower) {
		if (!shared_write)
			return overlay_lower_fd(inode);
		int err = overlay_copy_up(inode);
		if (err < 0)
			return err;
	}
	pthread_mutex_lock(&inode->lock);
	int fd = data_to_memfd(inode);
	if (fd >= 0 && !shared_write)
		fd = memfd_read_only(n, fd);
	pthread_mutex_unlock(&inode->lock);
	return fd;
}

int memfs_use_memfd(struct inode *inode)
{
	pthread_mutex_lock(&inode->lock);
	int fd = data_to_memfd(inode);
	pthread_mutex_unlock(&inode->lock);
	return fd;
}

/* Zeroes [off, off + len) of the data (inside the size). Under inode->lock. */
static int data_zero(struct inode *inode, int64_t off, int64_t len)
{
	struct mem_node *n = mem_node(inode);
	if (n->memfd < 0) {
		memset(n->buf + off, 0, (size_t)len);
		return 0;
	}
	/* Punching keeps shared mappings coherent and frees the pages. */
	if (fallocate(n->memfd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off, len) == 0)
		return 0;
	static const char zeros[4096];
	while (len > 0) {
		size_t chunk = len < (int64_t)sizeof zeros ? (size_t)len : sizeof zeros;
		ssize_t w = pwrite(n->memfd, zeros, chunk, off);
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		off += w;
		len -= w;
	}
	return 0;
}

/* fallocate: allocating is growing (the data is sparse anyway); punching a
 * hole and zeroing a range both zero it.  (Linux's tmpfs refuses
 * FALLOC_FL_ZERO_RANGE; here tmpfs also stands in for disk directories,
 * whose file systems take it.) */
static int memfs_fallocate(struct file *f, int mode, int64_t off, int64_t len)
{
	struct inode *inode = f->inode;
	if (mode & ~(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE))
		return -EOPNOTSUPP;
	if (mem_node(inode)->has_lower) {
		int err = overlay_copy_up(inode);
		if (err < 0)
			return err;
	}
	int64_t end = off + len;
	int err = 0;
	pthread_mutex_lock(&inode->lock);
	if (mode & (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE)) {
		int64_t zend = end < inode->size ? end : inode->size;
		if (zend > off)
			err = data_zero(inode, off, zend - off);
	}
	if (err == 0 && !(mode & FALLOC_FL_KEEP_SIZE) && end > inode->size)
		err = data_resize(inode, end);
	if (err == 0) {
		inode->ctime = ts_now(CLOCK_REALTIME);
		if (mode & (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE))
			inode->mtime = inode->ctime;
	}
	pthread_mutex_unlock(&inode->lock);
	return err;
}

static unsigned memfs_poll(struct file *f, struct poll_table *pt)
{
	return POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
}

static int memfs_fsync(struct file *f)
{
	return 0;
}

static int memfs_setattr(struct inode *inode, const struct iattr *attr)
{
	struct mem_node *n = mem_node(inode);
	if ((attr->valid & ATTR_SIZE) && S_ISREG(inode->mode)) {
		if (n->has_lower) {
			int err = overlay_copy_up(inode);
			if (err < 0)
				return err;
		}
		pthread_mutex_lock(&inode->lock);
		int err = data_resize(inode, attr->size);
		pthread_mutex_unlock(&inode->lock);
		if (err < 0)
			return err;
	}
	inode_apply_attr(inode, attr);
	return 0;
}

static int memfs_file_open(struct task *t, struct inode *inode, struct file *f)
{
	struct mem_node *n = mem_node(inode);
	if (!n->has_lower)
		return 0;
	if (file_writable(f))
		return overlay_copy_up(inode);
	int fd = overlay_open_lower(inode);
	if (fd < 0)
		return fd;
	f->priv = (void *)1;   /* release must drop the lower fd */
	return 0;
}

static void memfs_file_release(struct file *f)
{
	if (f->priv == (void *)1)
		overlay_release_lower(f->inode);
}

/* --- symlinks --------------------------------------------------------------- */

static int memfs_readlink(struct task *t, struct inode *inode, char *buf, size_t size)
{
	struct mem_node *n = mem_node(inode);
	if (!n->target && n->has_lower)
		return overlay_readlink_lower(inode, buf, size);
	size_t len = n->target ? strlen(n->target) : 0;
	if (len > size)
		len = size;
	memcpy(buf, n->target, len);
	return (int)len;
}

/* --- special files ------------------------------------------------------------ */

static int memfs_special_open(struct task *t, struct inode *inode, struct file *f)
{
	if (S_ISFIFO(inode->mode))
		return fifo_open(t, inode, &mem_node(inode)->pipe, f);
	if (S_ISCHR(inode->mode))
		return chrdev_open(t, inode, f);
	return -ENXIO;   /* sockets, block devices */
}

/* --- directories: readdir ------------------------------------------------------ */

static int compare_entry_names(const void *a, const void *b)
{
	return strcmp(((const struct dir_snap_entry *)a)->name,
		      ((const struct dir_snap_entry *)b)->name);
}

static void add_cached_child(struct dentry *child, void *arg)
{
	if (child->flags & DENTRY_DEAD)
		return;
	dir_snapshot_add(arg, child->name, child->inode->ino,
			 (unsigned char)IFTODT(child->inode->mode));
}

/* While merging the lower layer: the entries already listed (sorted). */
struct merge {
	struct dir_snapshot *s;
	size_t ncached;
};

static int add_lower_entry(void *arg, const char *name, uint64_t ino, unsigned char type)
{
	struct merge *m = arg;
	struct dir_snap_entry key = { .name = (char *)name };
	if (bsearch(&key, m->s->e, m->ncached, sizeof key, compare_entry_names))
		return 0;   /* shadowed by the upper entry of the same name */
	return dir_snapshot_add(m->s, name, ino, type);
}

/* The cached children, then the lower entries not shadowed or whited out. */
static int fill_listing(struct file *f, struct dir_snapshot *s)
{
	dentry_for_each_child(f->path.dentry, add_cached_child, s);
	if (!mem_node(f->inode)->has_lower)
		return 0;
	qsort(s->e, s->n, sizeof *s->e, compare_entry_names);
	struct merge m = { s, s->n };
	return overlay_list_lower(f->inode, add_lower_entry, &m);
}

static int memfs_readdir(struct file *f, struct dir_emitter *e)
{
	return dir_snapshot_readdir(f, e, fill_listing);
}

/* --- tables ------------------------------------------------------------------- */

const struct inode_ops memfs_dir_iops = {
	.create = memfs_create,
	.mkdir = memfs_mkdir,
	.mknod = memfs_mknod,
	.symlink = memfs_symlink,
	.link = memfs_link,
	.unlink = memfs_unlink,
	.rmdir = memfs_rmdir,
	.rename = memfs_rename,
	.setattr = memfs_setattr,
};

const struct inode_ops overlay_dir_iops = {
	.lookup = overlay_lookup,
	.create = memfs_create,
	.mkdir = memfs_mkdir,
	.mknod = memfs_mknod,
	.symlink = memfs_symlink,
	.link = memfs_link,
	.unlink = memfs_unlink,
	.rmdir = memfs_rmdir,
	.rename = memfs_rename,
	.setattr = memfs_setattr,
};

const struct inode_ops memfs_file_iops = {
	.setattr = memfs_setattr,
	.open = memfs_file_open,
};

const struct inode_ops memfs_symlink_iops = {
	.readlink = memfs_readlink,
	.setattr = memfs_setattr,
};

const struct inode_ops memfs_special_iops = {
	.setattr = memfs_setattr,
	.open = memfs_special_open,
};

const struct file_ops memfs_file_fops = {
	.read = memfs_read,
	.read_user = memfs_read_user,
	.write = memfs_write,
	.llseek = generic_llseek,
	.poll = memfs_poll,
	.mmap_fd = memfs_mmap_fd,
	.fsync = memfs_fsync,
	.release = memfs_file_release,
	.fallocate = memfs_fallocate,
	.flush = memfs_flush,
};

const struct file_ops memfs_dir_fops = {
	.readdir = memfs_readdir,
	.llseek = dir_snapshot_llseek,
	.fsync = memfs_fsync,
	.release = dir_snapshot_release,
};
