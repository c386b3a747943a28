/* Anonymous files: open files that are in no directory (eventfd, epoll,
 * timerfd, signalfd, memfd...).  Each kind gets a pseudo file system of its
 * own name, so that /proc/[pid]/fd shows "anon_inode:[eventfd]" and fstat
 * gives a stable st_dev. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "sentry/fs/fs.h"

#define ANON_MAGIC 0x09041934   /* ANON_INODE_FS_MAGIC */
#define MAX_ANON_KINDS 32

static pthread_mutex_t anon_lock = PTHREAD_MUTEX_INITIALIZER;
static struct super_block *anon_sbs[MAX_ANON_KINDS];

static struct super_block *anon_sb(const char *fstype)
{
	pthread_mutex_lock(&anon_lock);
	struct super_block *sb = NULL;
	for (int i = 0; i < MAX_ANON_KINDS && !sb; i++) {
		if (!anon_sbs[i]) {
			anon_sbs[i] = sb_new(fstype, ANON_MAGIC, NULL, 0);
			sb = anon_sbs[i];
		} else if (strcmp(anon_sbs[i]->fstype, fstype) == 0) {
			sb = anon_sbs[i];
		}
	}
	pthread_mutex_unlock(&anon_lock);
	return sb;
}

struct file *anon_file_new(const char *fstype, const struct file_ops *fops, unsigned flags,
			   void *priv)
{
	struct super_block *sb = anon_sb(fstype);
	if (!sb)
		return NULL;
	/* Linux's anonymous inodes have no file type bits and mode 0600. */
	struct inode *inode = inode_new(sb, 0600, NULL, fops);
	if (!inode)
		return NULL;
	struct file *f = file_new(inode, NULL, fops, flags);
	inode_put(inode);
	if (f)
		f->priv = priv;
	return f;
}
