/* memfd_create(2) files and SysV shared memory segments: regular files of
 * a private tmpfs that is mounted nowhere, as Linux's shmem files.
 *
 * Each file gets a dentry of its own under the private root, named
 * "memfd:NAME" (or "SYSV%08x") and marked deleted, so that
 * /proc/[pid]/fd and /proc/[pid]/maps say "/memfd:NAME (deleted)" as Linux
 * does, and reopening /proc/self/fd/N lands on the same inode.  The super
 * block is SB_NOCACHE: those dentries are never linked into the root's
 * children, so equal names never collide.
 *
 * Their data is in a host memfd from the start (they exist to be mapped),
 * so MAP_SHARED mappings and read/write stay coherent.
 *
 * Seals (F_ADD_SEALS) are kept in the tmpfs node and checked by wrappers
 * around the tmpfs operations: write, truncate, fallocate, chmod and
 * shared writable mmap.  seal_lock orders seal changes against those
 * operations (writers of data take it shared, F_ADD_SEALS exclusive).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/magic.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "sentry/fs/memfs.h"
#include "sentry/kernel/ipc.h"
#include "sentry/kernel/kernel.h"

#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE 0x0010
#endif
#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x0020
#endif
#define F_ALL_SEALS \
	(F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_FUTURE_WRITE | F_SEAL_EXEC)
#define SEALS_WRITE (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)

#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 0x0008U
#endif

static pthread_once_t shmem_once = PTHREAD_ONCE_INIT;
static struct super_block *shmem_sb;
static struct dentry *shmem_root;
static struct mount *shmem_mnt;
static pthread_rwlock_t seal_lock = PTHREAD_RWLOCK_INITIALIZER;

static struct inode_ops memfd_iops;
static struct file_ops memfd_fops;

static void memfd_init_ops(void);

static void shmem_init(void)
{
	memfd_init_ops();
	struct super_block *sb = memfs_new_sb("tmpfs", TMPFS_MAGIC, 0);
	if (!sb)
		return;
	sb->flags |= SB_NOCACHE;
	struct inode *root = memfs_new_inode(sb, S_IFDIR | 01777, NULL, 0);
	if (!root) {
		sb_put(sb);
		return;
	}
	struct dentry *d = dentry_new_root(root);
	inode_put(root);
	struct mount_table *mt = d ? mount_table_new(d, "shmem", 0) : NULL;
	if (!mt) {
		dentry_put(d);
		sb_put(sb);
		return;
	}
	dentry_put(d);   /* the mount holds it */
	shmem_sb = sb;   /* the root inode holds it; this one is never dropped */
	shmem_root = mount_table_root(mt)->root;
	shmem_mnt = mount_table_root(mt);
}

/* A new unlinked regular file called name on the private tmpfs. */
static int shmem_path_new(const char *name, mode_t mode, const struct owner *o, bool memfd,
			  struct path *out)
{
	pthread_once(&shmem_once, shmem_init);
	if (!shmem_mnt)
		return -ENOMEM;
	struct inode *inode = memfs_new_inode(shmem_sb, S_IFREG | (mode & 07777), o, 0);
	if (!inode)
		return -ENOMEM;
	inode->nlink = 0;   /* as shmem_file_setup: it is in no directory */
	if (memfd) {
		inode->iop = &memfd_iops;
		inode->fop = &memfd_fops;
	}
	int err = memfs_use_memfd(inode);
	struct dentry *d = NULL;
	if (err >= 0)
		err = dentry_add_child(shmem_root, name, inode, &d);
	inode_put(inode);
	if (err < 0)
		return err;
	d->flags |= DENTRY_DEAD;   /* not yet visible to anyone */
	out->dentry = d;
	out->mnt = shmem_mnt;
	mount_get(shmem_mnt);
	return 0;
}

int shmem_file_new(const char *name, uint64_t size, mode_t mode, const struct owner *o,
		   struct path *out)
{
	int err = shmem_path_new(name, mode, o, false, out);
	if (err < 0)
		return err;
	struct inode *inode = out->dentry->inode;
	struct iattr attr = { .valid = ATTR_SIZE, .size = (int64_t)size };
	if (size > INT64_MAX || (err = inode->iop->setattr(inode, &attr)) < 0) {
		path_put(out);
		return err < 0 ? err : -EINVAL;
	}
	return 0;
}

int memfd_new(const char *name, unsigned flags, const struct owner *o, struct file **out)
{
	char full[NAME_MAX + 1];
	snprintf(full, sizeof full, "memfd:%s", name);
	mode_t mode = (flags & MFD_NOEXEC_SEAL) ? 0666 : 0777;
	struct path p;
	int err = shmem_path_new(full, mode, o, true, &p);
	if (err < 0)
		return err;
	struct inode *inode = p.dentry->inode;
	if (flags & MFD_NOEXEC_SEAL)
		mem_node(inode)->seals = F_SEAL_EXEC;
	else if (!(flags & MFD_ALLOW_SEALING))
		mem_node(inode)->seals = F_SEAL_SEAL;
	struct file *f = NULL;
	if ((err = inode_get_write(inode)) == 0) {
		f = file_new(inode, &p, inode->fop, O_RDWR | O_LARGEFILE);
		if (f)
			f->write_access = true;
		else
			inode_put_write(inode);
	}
	path_put(&p);
	if (!f)
		return err < 0 ? err : -ENOMEM;
	*out = f;
	return 0;
}

/* --- seals ------------------------------------------------------------------- */

static bool is_memfd(struct file *f)
{
	return f->inode && f->inode->fop == &memfd_fops && f->inode->sb == shmem_sb;
}

static unsigned seals_of(struct inode *inode)
{
	pthread_mutex_lock(&inode->lock);
	unsigned s = mem_node(inode)->seals;
	pthread_mutex_unlock(&inode->lock);
	return s;
}

static long add_seals(struct task *t, struct file *f, uint64_t seals)
{
	if (!file_writable(f))
		return -EPERM;
	if (seals > UINT32_MAX || (seals & ~(uint64_t)F_ALL_SEALS))
		return -EINVAL;
	struct inode *inode = f->inode;
	pthread_rwlock_wrlock(&seal_lock);
	unsigned cur = seals_of(inode);
	long r = 0;
	if (cur & F_SEAL_SEAL)
		r = -EPERM;
	else if ((seals & F_SEAL_WRITE) && !(cur & F_SEAL_WRITE) &&
		 kernel_count_mappings(t->k, inode, true) > 0)
		r = -EBUSY;   /* a shared mapping could still write */
	if (r == 0) {
		pthread_mutex_lock(&inode->lock);
		mem_node(inode)->seals |= (unsigned)seals;
		pthread_mutex_unlock(&inode->lock);
	}
	pthread_rwlock_unlock(&seal_lock);
	return r;
}

long memfd_fcntl(struct task *t, struct file *f, int cmd, uint64_t arg)
{
	if (!f->fop)
		return -EBADF;   /* O_PATH */
	if (!is_memfd(f))
		return -EINVAL;
	if (cmd == F_GET_SEALS)
		return seals_of(f->inode);
	return add_seals(t, f, arg);
}

/* --- sealed operations ------------------------------------------------------------ */

static ssize_t memfd_write(struct file *f, struct task *t, const void *buf, size_t len,
			   int64_t *pos)
{
	struct inode *inode = f->inode;
	pthread_rwlock_rdlock(&seal_lock);
	unsigned seals = seals_of(inode);
	ssize_t r = 0;
	if (seals & SEALS_WRITE) {
		r = -EPERM;
	} else if (seals & F_SEAL_GROW) {
		pthread_mutex_lock(&inode->lock);
		int64_t off = (f->flags & O_APPEND) ? inode->size : *pos;
		if (off > inode->size || (int64_t)len > inode->size - off)
			r = -EPERM;
		pthread_mutex_unlock(&inode->lock);
	}
	if (r == 0)
		r = memfs_file_fops.write(f, t, buf, len, pos);
	pthread_rwlock_unlock(&seal_lock);
	return r;
}

static int memfd_mmap_fd(struct file *f, bool shared_write)
{
	/* The VFS cannot tell a read-only shared mapping of a file open for
	 * writing from a writable one: both are refused once sealed (as
	 * Linux did before 6.7). */
	if (shared_write && (seals_of(f->inode) & SEALS_WRITE))
		return -EPERM;
	return memfs_file_fops.mmap_fd(f, shared_write);
}

static int memfd_fallocate(struct file *f, int mode, int64_t off, int64_t len)
{
	if (mode & ~(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE))
		return -EOPNOTSUPP;   /* shmem_fallocate */
	struct inode *inode = f->inode;
	pthread_rwlock_rdlock(&seal_lock);
	unsigned seals = seals_of(inode);
	int r = 0;
	if ((mode & FALLOC_FL_PUNCH_HOLE) && (seals & SEALS_WRITE)) {
		r = -EPERM;
	} else if (!(mode & FALLOC_FL_PUNCH_HOLE) && (seals & F_SEAL_GROW)) {
		pthread_mutex_lock(&inode->lock);
		if (off + len > inode->size)
			r = -EPERM;
		pthread_mutex_unlock(&inode->lock);
	}
	if (r == 0)
		r = memfs_file_fops.fallocate(f, mode, off, len);
	pthread_rwlock_unlock(&seal_lock);
	return r;
}

static int memfd_setattr(struct inode *inode, const struct iattr *attr)
{
	pthread_rwlock_rdlock(&seal_lock);
	unsigned seals = seals_of(inode);
	int r = 0;
	pthread_mutex_lock(&inode->lock);
	if ((attr->valid & ATTR_SIZE) &&
	    ((attr->size < inode->size && (seals & F_SEAL_SHRINK)) ||
	     (attr->size > inode->size && (seals & F_SEAL_GROW))))
		r = -EPERM;
	if ((attr->valid & ATTR_MODE) && (seals & F_SEAL_EXEC) &&
	    ((inode->mode ^ attr->mode) & 0111))
		r = -EPERM;
	pthread_mutex_unlock(&inode->lock);
	if (r == 0)
		r = memfs_file_iops.setattr(inode, attr);
	pthread_rwlock_unlock(&seal_lock);
	return r;
}

static void memfd_init_ops(void)
{
	memfd_fops = memfs_file_fops;
	memfd_fops.write = memfd_write;
	memfd_fops.mmap_fd = memfd_mmap_fd;
	memfd_fops.fallocate = memfd_fallocate;
	memfd_iops = memfs_file_iops;
	memfd_iops.setattr = memfd_setattr;
}
