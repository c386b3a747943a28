/* The sandbox's root file system: a read-only lower layer served by the
 * gofer under the in-memory tree of tmpfs.c.
 *
 * An overlay inode is a memfs inode that still refers to a lower object:
 * a directory whose entries are looked up and listed from the gofer on
 * demand (minus the names deleted in the sandbox: whiteouts), a regular
 * file read through a gofer fd until the first write copies it up into
 * memory, a symlink whose text is read once.  Nothing is ever written to
 * the lower layer.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <unistd.h>

#include "sentry/fs/gofer_client.h"
#include "sentry/fs/memfs.h"
#include "sentry/kernel/kernel.h"

#define OVERLAYFS_SUPER_MAGIC 0x794c7630
/* Inode numbers of objects created in the sandbox start here, above those
 * of the lower layer. */
#define OVERLAY_FIRST_INO (1ULL << 40)
/* Files up to this size are copied up into the heap, larger ones into a
 * memfd with copy_file_range. */
#define COPY_UP_HEAP_MAX (64 << 10)

static struct gofer_client *gofer_of(struct inode *inode)
{
	return memfs_of(inode)->gofer;
}

/* --- whiteouts ---------------------------------------------------------------- */

bool overlay_is_whiteout(struct inode *dir, const char *name)
{
	struct mem_node *n = mem_node(dir);
	bool found = false;
	pthread_mutex_lock(&dir->lock);
	for (int i = 0; i < n->nwhiteouts && !found; i++)
		found = strcmp(n->whiteouts[i], name) == 0;
	pthread_mutex_unlock(&dir->lock);
	return found;
}

void overlay_add_whiteout(struct inode *dir, const char *name)
{
	if (overlay_is_whiteout(dir, name))
		return;
	struct mem_node *n = mem_node(dir);
	char *copy = strdup(name);
	if (!copy)
		return;
	pthread_mutex_lock(&dir->lock);
	char **w = realloc(n->whiteouts, (size_t)(n->nwhiteouts + 1) * sizeof *w);
	if (w) {
		n->whiteouts = w;
		n->whiteouts[n->nwhiteouts++] = copy;
		copy = NULL;
	}
	pthread_mutex_unlock(&dir->lock);
	free(copy);
}

void overlay_remove_whiteout(struct inode *dir, const char *name)
{
	struct mem_node *n = mem_node(dir);
	pthread_mutex_lock(&dir->lock);
	for (int i = 0; i < n->nwhiteouts; i++) {
		if (strcmp(n->whiteouts[i], name) == 0) {
			free(n->whiteouts[i]);
			n->whiteouts[i] = n->whiteouts[--n->nwhiteouts];
			break;
		}
	}
	pthread_mutex_unlock(&dir->lock);
}

/* --- lookup ----------------------------------------------------------------- */

static void copy_lower_attrs(struct inode *inode, const struct stat *st)
{
	inode->ino = st->st_ino;
	inode->nlink = st->st_nlink;
	inode->size = st->st_size;
	inode->blocks = st->st_blocks;
	inode->atime = st->st_atim;
	inode->mtime = st->st_mtim;
	inode->ctime = st->st_ctim;
}

static struct inode *lower_inode(struct super_block *sb, uint64_t node, const struct stat *st)
{
	struct owner o = { st->st_uid, st->st_gid };
	dev_t rdev = S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode) ? st->st_rdev : 0;
	struct inode *inode = memfs_new_inode(sb, st->st_mode, &o, rdev);
	if (!inode)
		return NULL;
	struct mem_node *n = mem_node(inode);
	n->has_lower = true;
	n->lower = node;
	if (S_ISDIR(st->st_mode))
		inode->iop = &overlay_dir_iops;
	copy_lower_attrs(inode, st);
	return inode;
}

int overlay_lookup(struct inode *dir, const char *name, struct inode **out)
{
	struct mem_node *n = mem_node(dir);
	if (!n->has_lower || overlay_is_whiteout(dir, name))
		return -ENOENT;
	uint64_t node;
	struct stat st;
	int err = gofer_walk(gofer_of(dir), n->lower, name, &node, &st);
	if (err < 0)
		return err == -EACCES ? -EACCES : err;
	struct inode *inode = lower_inode(dir->sb, node, &st);
	if (!inode) {
		gofer_release(gofer_of(dir), node);
		return -ENOMEM;
	}
	*out = inode;
	return 0;
}

void overlay_forget(struct inode *inode)
{
	struct mem_node *n = mem_node(inode);
	struct memfs *fs = memfs_of(inode);
	if (n->lower && fs->gofer)
		gofer_release(fs->gofer, n->lower);
	n->lower = 0;
}

/* --- lower file data ----------------------------------------------------------- */

int overlay_lower_fd(struct inode *inode)
{
	struct mem_node *n = mem_node(inode);
	pthread_mutex_lock(&inode->lock);
	int fd = n->lower_fd;
	if (fd >= 0 && n->lower_idle) {
		n->lower_idle = false;
		atomic_fetch_sub(&memfs_of(inode)->idle_lower_fds, 1);
	}
	if (fd < 0) {
		int err = gofer_open(gofer_of(inode), n->lower, O_RDONLY, &fd);
		if (err < 0)
			fd = err;
		else
			n->lower_fd = fd;
	}
	pthread_mutex_unlock(&inode->lock);
	return fd;
}

int overlay_open_lower(struct inode *inode)
{
	int fd = overlay_lower_fd(inode);
	if (fd >= 0) {
		pthread_mutex_lock(&inode->lock);
		mem_node(inode)->lower_opens++;
		pthread_mutex_unlock(&inode->lock);
	}
	return fd;
}

void overlay_release_lower(struct inode *inode)
{
	struct mem_node *n = mem_node(inode);
	struct memfs *fs = memfs_of(inode);
	pthread_mutex_lock(&inode->lock);
	if (--n->lower_opens == 0 && n->lower_fd >= 0) {
		/* Keep it for the next open, within bounds; mappings keep their
		 * own reference either way. */
		if (atomic_fetch_add(&fs->idle_lower_fds, 1) < OVERLAY_IDLE_LOWER_MAX) {
			n->lower_idle = true;
		} else {
			atomic_fetch_sub(&fs->idle_lower_fds, 1);
			close(n->lower_fd);
			n->lower_fd = -1;
		}
	}
	pthread_mutex_unlock(&inode->lock);
}

static int copy_fd_to_heap(struct mem_node *n, int fd, size_t size)
{
	char *buf = calloc(1, size ? size : 1);
	if (!buf)
		return -ENOMEM;
	size_t done = 0;
	while (done < size) {
		ssize_t r = pread(fd, buf + done, size - done, (off_t)done);
		if (r < 0) {
			free(buf);
			return -errno;
		}
		if (r == 0)
			break;   /* shrank under us: the rest reads as zeros */
		done += (size_t)r;
	}
	n->buf = buf;
	n->cap = size;
	return 0;
}

static int copy_fd_to_memfd(struct mem_node *n, int fd, size_t size)
{
	int mfd = memfd_create("overlay", MFD_CLOEXEC);
	if (mfd < 0)
		return -errno;
	off_t in = 0;
	while ((size_t)in < size) {
		ssize_t r = copy_file_range(fd, &in, mfd, NULL, size - (size_t)in, 0);
		if (r < 0 && (errno == EXDEV || errno == EINVAL || errno == EOPNOTSUPP))
			r = sendfile(mfd, fd, &in, size - (size_t)in);
		if (r < 0) {
			int err = -errno;
			close(mfd);
			return err;
		}
		if (r == 0)
			break;
	}
	if (ftruncate(mfd, (off_t)size) < 0) {
		int err = -errno;
		close(mfd);
		return err;
	}
	n->memfd = mfd;
	return 0;
}

int overlay_copy_up(struct inode *inode)
{
	struct mem_node *n = mem_node(inode);
	int fd = overlay_lower_fd(inode);
	if (fd < 0)
		return fd;
	pthread_mutex_lock(&inode->lock);
	int err = 0;
	if (n->has_lower) {
		size_t size = (size_t)inode->size;
		struct memfs *fs = memfs_of(inode);
		uint64_t used = atomic_fetch_add(&fs->used_bytes, size);
		if ((fs->max_bytes && used + size > fs->max_bytes) ||
		    memfs_quota_take(fs, size) < 0) {
			atomic_fetch_sub(&fs->used_bytes, size);
			err = -ENOSPC;
		} else {
			err = size <= COPY_UP_HEAP_MAX ? copy_fd_to_heap(n, fd, size)
						       : copy_fd_to_memfd(n, fd, size);
			if (err < 0) {
				atomic_fetch_sub(&fs->used_bytes, size);
				memfs_quota_give(fs, size);
			}
		}
		if (err == 0) {
			n->has_lower = false;
			if (n->lower_opens == 0 && n->lower_fd >= 0) {
				close(n->lower_fd);
				n->lower_fd = -1;
				if (n->lower_idle)
					atomic_fetch_sub(&fs->idle_lower_fds, 1);
				n->lower_idle = false;
			}
		}
	}
	pthread_mutex_unlock(&inode->lock);
	return err;
}

int overlay_readlink_lower(struct inode *inode, char *buf, size_t size)
{
	struct mem_node *n = mem_node(inode);
	char *target = malloc(PATH_MAX + 1);
	if (!target)
		return -ENOMEM;
	int len = gofer_readlink(gofer_of(inode), n->lower, target, PATH_MAX + 1);
	if (len < 0) {
		free(target);
		return len;
	}
	if (len > PATH_MAX)
		len = PATH_MAX;
	target[len] = 0;
	pthread_mutex_lock(&inode->lock);
	if (!n->target) {
		n->target = target;   /* symlinks never change: keep the text */
		target = NULL;
	}
	size_t tlen = strlen(n->target);
	if (tlen > size)
		tlen = size;
	memcpy(buf, n->target, tlen);
	pthread_mutex_unlock(&inode->lock);
	free(target);
	return (int)tlen;
}

/* --- directories --------------------------------------------------------------- */

struct list_ctx {
	struct inode *dir;
	lower_entry_fn add;
	void *arg;
	int err;
};

static int list_one(void *arg, const char *name, uint64_t ino, unsigned char type,
		    uint64_t next_cookie)
{
	struct list_ctx *c = arg;
	(void)next_cookie;
	if (overlay_is_whiteout(c->dir, name))
		return 0;
	int err = c->add(c->arg, name, ino, type);
	if (err < 0) {
		c->err = err;
		return 1;
	}
	return 0;
}

int overlay_list_lower(struct inode *dir, lower_entry_fn add, void *arg)
{
	struct mem_node *n = mem_node(dir);
	if (!n->has_lower)
		return 0;
	struct list_ctx c = { dir, add, arg, 0 };
	int err = gofer_readdir_all(gofer_of(dir), n->lower, list_one, &c);
	return c.err ? c.err : (err < 0 ? err : 0);
}

static int found_entry(void *arg, const char *name, uint64_t ino, unsigned char type)
{
	*(bool *)arg = true;
	return -ECANCELED;   /* one is enough */
}

int overlay_lower_dir_empty(struct inode *dir)
{
	bool found = false;
	int err = overlay_list_lower(dir, found_entry, &found);
	if (err < 0 && err != -ECANCELED)
		return err;
	return !found;
}

/* --- the file system ------------------------------------------------------------- */

int overlay_new(struct gofer_client *g, uint64_t lower_root, struct dentry **root)
{
	struct stat st;
	int err = gofer_stat(g, lower_root, &st);
	if (err < 0)
		return err;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	struct super_block *sb = memfs_new_sb("overlay", OVERLAYFS_SUPER_MAGIC, 0);
	if (!sb)
		return -ENOMEM;
	((struct memfs *)sb->priv)->gofer = g;
	((struct memfs *)sb->priv)->in_quota = true;   /* the upper layer */
	atomic_store(&sb->next_ino, OVERLAY_FIRST_INO);
	struct inode *inode = lower_inode(sb, lower_root, &st);
	sb_put(sb);
	if (!inode)
		return -ENOMEM;
	*root = dentry_new_root(inode);
	inode_put(inode);
	return *root ? 0 : -ENOMEM;
}
