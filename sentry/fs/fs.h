/* The file systems of the sentry: what the rest of the kernel may call. */
#ifndef SENTRY_FS_FS_H
#define SENTRY_FS_FS_H

#include <stdbool.h>
#include <stdint.h>

#include "sentry/vfs/vfs.h"

struct kernel;
struct gofer_client;

/* tmpfs: a new, empty file system; its root directory is returned.
 * max_bytes 0 means unlimited. */
int tmpfs_new(mode_t root_mode, uint64_t max_bytes, struct dentry **root);

/* The sandbox's root: a read-only lower layer served by the gofer (the
 * node is the gofer's root of that mount) under an in-memory upper layer. */
int overlay_new(struct gofer_client *g, uint64_t lower_root, struct dentry **root);

/* A bind mount served by the gofer, written through unless readonly. */
int goferfs_new(struct gofer_client *g, uint64_t root_node, bool readonly, struct dentry **root);

/* /dev: a tmpfs with null, zero, full, random, urandom, tty and the
 * std{in,out,err} and fd links. */
int devfs_new(struct dentry **root);
/* The file operations of a character device, by number (NULL if none),
 * and the open of a device node. */
const struct file_ops *chrdev_fops(dev_t rdev);
int chrdev_open(struct task *t, struct inode *inode, struct file *f);

/* /proc for the kernel k. */
int procfs_new(struct kernel *k, struct dentry **root);

/* An open file on a host fd the sentry was given (the user's stdio).  The
 * fd is used as it is: its offset and flags are shared with the caller. */
struct file *hostfd_file_new(int fd, unsigned flags);
/* Makes f an open file on host fd (which it then owns). */
int hostfd_attach(struct file *f, int fd);

/* An open file in no directory (eventfd, epoll, timerfd, signalfd...), on a
 * pseudo file system called fstype ("eventfd", "[eventpoll]"...); f->priv
 * is priv.  NULL when out of memory. */
struct file *anon_file_new(const char *fstype, const struct file_ops *fops, unsigned flags,
			   void *priv);

/* pipe2(): a connected pair of open files. */
int pipe_create(unsigned flags, struct file **rd, struct file **wr);
/* F_SETPIPE_SZ / F_GETPIPE_SZ (-EBADF if f is not a pipe). */
long pipe_set_size(struct file *f, unsigned long size);
long pipe_get_size(struct file *f);
/* Opens the pipe behind a FIFO inode (blocking for a peer as open(2)
 * does); the pipe is kept in *slot, guarded by inode->lock. */
int fifo_open(struct task *t, struct inode *inode, void **slot, struct file *f);

#endif
