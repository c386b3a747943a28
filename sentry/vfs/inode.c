/* Super blocks, inodes and permission checks. */
#include <errno.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "sentry/kernel/kernel.h"
#include "sentry/vfs/vfs.h"

static atomic_uint next_minor = 1;

dev_t vfs_new_dev(void)
{
	/* Anonymous devices, as Linux numbers tmpfs and proc: major 0. */
	return makedev(0, atomic_fetch_add(&next_minor, 1));
}

struct super_block *sb_new(const char *fstype, uint64_t magic, const struct super_ops *ops,
			   unsigned flags)
{
	struct super_block *sb = calloc(1, sizeof *sb);
	if (!sb)
		return NULL;
	atomic_init(&sb->refcount, 1);
	sb->fstype = fstype;
	sb->magic = magic;
	sb->ops = ops;
	sb->flags = flags;
	sb->dev = vfs_new_dev();
	atomic_init(&sb->next_ino, 1);
	return sb;
}

void sb_get(struct super_block *sb)
{
	atomic_fetch_add(&sb->refcount, 1);
}

void sb_put(struct super_block *sb)
{
	if (!sb || atomic_fetch_sub(&sb->refcount, 1) != 1)
		return;
	if (sb->ops && sb->ops->destroy)
		sb->ops->destroy(sb);
	free(sb);
}

uint64_t sb_next_ino(struct super_block *sb)
{
	return atomic_fetch_add(&sb->next_ino, 1);
}

struct inode *inode_new(struct super_block *sb, mode_t mode, const struct inode_ops *iop,
			const struct file_ops *fop)
{
	struct inode *inode = calloc(1, sizeof *inode);
	if (!inode)
		return NULL;
	atomic_init(&inode->refcount, 1);
	sb_get(sb);
	inode->sb = sb;
	inode->iop = iop;
	inode->fop = fop;
	pthread_mutex_init(&inode->lock, NULL);
	inode->ino = sb_next_ino(sb);
	inode->mode = mode;
	inode->nlink = S_ISDIR(mode) ? 2 : 1;
	struct timespec now = ts_now(CLOCK_REALTIME);
	inode->atime = inode->mtime = inode->ctime = now;
	return inode;
}

void inode_get(struct inode *inode)
{
	atomic_fetch_add(&inode->refcount, 1);
}

void inode_put(struct inode *inode)
{
	if (!inode || atomic_fetch_sub(&inode->refcount, 1) != 1)
		return;
	if (inode->destroy)
		inode->destroy(inode);
	pthread_mutex_destroy(&inode->lock);
	sb_put(inode->sb);
	free(inode);
}

void inode_fill_stat(struct inode *inode, struct stat *st)
{
	memset(st, 0, sizeof *st);
	pthread_mutex_lock(&inode->lock);
	st->st_dev = inode->sb->dev;
	st->st_ino = inode->ino;
	st->st_mode = inode->mode;
	st->st_nlink = inode->nlink;
	st->st_uid = inode->uid;
	st->st_gid = inode->gid;
	st->st_rdev = inode->rdev;
	st->st_size = inode->size;
	st->st_blksize = 4096;
	st->st_blocks = inode->blocks;
	st->st_atim = inode->atime;
	st->st_mtim = inode->mtime;
	st->st_ctim = inode->ctime;
	pthread_mutex_unlock(&inode->lock);
}

void inode_touch(struct inode *inode, bool atime, bool mtime, bool ctime)
{
	struct timespec now = ts_now(CLOCK_REALTIME);
	pthread_mutex_lock(&inode->lock);
	if (atime)
		inode->atime = now;
	if (mtime)
		inode->mtime = now;
	if (ctime)
		inode->ctime = now;
	pthread_mutex_unlock(&inode->lock);
}

void inode_apply_attr(struct inode *inode, const struct iattr *attr)
{
	pthread_mutex_lock(&inode->lock);
	if (attr->valid & ATTR_MODE)
		inode->mode = (inode->mode & S_IFMT) | (attr->mode & 07777);
	if (attr->valid & ATTR_UID)
		inode->uid = attr->uid;
	if (attr->valid & ATTR_GID)
		inode->gid = attr->gid;
	if (attr->valid & ATTR_SIZE)
		inode->size = attr->size;
	if (attr->valid & ATTR_ATIME)
		inode->atime = attr->atime;
	if (attr->valid & ATTR_MTIME)
		inode->mtime = attr->mtime;
	if (attr->valid & (ATTR_MODE | ATTR_UID | ATTR_GID | ATTR_SIZE | ATTR_ATIME | ATTR_MTIME |
			   ATTR_CTIME))
		inode->ctime = ts_now(CLOCK_REALTIME);
	pthread_mutex_unlock(&inode->lock);
}

/* generic_permission: the owner, group or other bits, then what
 * CAP_DAC_READ_SEARCH and CAP_DAC_OVERRIDE allow beyond them. */
int inode_permission(const struct cred *c, struct inode *inode, int mask)
{
	pthread_mutex_lock(&inode->lock);
	mode_t mode = inode->mode;
	uid_t uid = inode->uid;
	gid_t gid = inode->gid;
	pthread_mutex_unlock(&inode->lock);

	unsigned bits;
	if (c->fsuid == uid)
		bits = (mode >> 6) & 7;
	else if (cred_in_group(c, gid))
		bits = (mode >> 3) & 7;
	else
		bits = mode & 7;
	if (!((unsigned)mask & ~bits))
		return 0;
	if (S_ISDIR(mode)) {
		if (!(mask & MAY_WRITE) && cred_capable(c, CAP_DAC_READ_SEARCH))
			return 0;
		return cred_capable(c, CAP_DAC_OVERRIDE) ? 0 : -EACCES;
	}
	if (mask == MAY_READ && cred_capable(c, CAP_DAC_READ_SEARCH))
		return 0;
	/* Executing needs some execute bit, whatever the capabilities. */
	if ((!(mask & MAY_EXEC) || (mode & 0111)) && cred_capable(c, CAP_DAC_OVERRIDE))
		return 0;
	return -EACCES;
}

int inode_get_write(struct inode *inode)
{
	int v = atomic_load(&inode->writecount);
	do {
		if (v < 0)
			return -ETXTBSY;
	} while (!atomic_compare_exchange_weak(&inode->writecount, &v, v + 1));
	return 0;
}

void inode_put_write(struct inode *inode)
{
	atomic_fetch_sub(&inode->writecount, 1);
}

int inode_deny_write(struct inode *inode)
{
	int v = atomic_load(&inode->writecount);
	do {
		if (v > 0)
			return -ETXTBSY;
	} while (!atomic_compare_exchange_weak(&inode->writecount, &v, v - 1));
	return 0;
}

void inode_allow_write(struct inode *inode)
{
	atomic_fetch_add(&inode->writecount, 1);
}
