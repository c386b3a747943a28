/* Character devices and /dev. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/random.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "sentry/fs/fs.h"
#include "sentry/fs/memfs.h"
#include "sentry/fs/tty.h"
#include "sentry/kernel/kernel.h"

static ssize_t null_read(struct file *f, struct task *t, void *buf, size_t len, int64_t *pos)
{
	return 0;
}

static ssize_t sink_write(struct file *f, struct task *t, const void *buf, size_t len,
			  int64_t *pos)
{
	return (ssize_t)len;
}

static ssize_t zero_read(struct file *f, struct task *t, void *buf, size_t len, int64_t *pos)
{
	memset(buf, 0, len);
	return (ssize_t)len;
}

static ssize_t full_write(struct file *f, struct task *t, const void *buf, size_t len,
			  int64_t *pos)
{
	return -ENOSPC;
}

static ssize_t random_read(struct file *f, struct task *t, void *buf, size_t len, int64_t *pos)
{
	size_t done = 0;
	while (done < len) {
		ssize_t r = getrandom((char *)buf + done, len - done, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return done ? (ssize_t)done : -errno;
		}
		done += (size_t)r;
	}
	return (ssize_t)done;
}

static int64_t null_llseek(struct file *f, int64_t off, int whence)
{
	return 0;
}

static unsigned always_ready(struct file *f, struct poll_table *pt)
{
	return POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
}

static const struct file_ops null_fops = {
	.read = null_read, .write = sink_write, .llseek = null_llseek, .poll = always_ready,
};
static const struct file_ops zero_fops = {
	.read = zero_read, .write = sink_write, .llseek = null_llseek, .poll = always_ready,
	.mmap_anonymous = true,
};
static const struct file_ops full_fops = {
	.read = zero_read, .write = full_write, .llseek = null_llseek, .poll = always_ready,
};
static const struct file_ops random_fops = {
	.read = random_read, .write = sink_write, .llseek = null_llseek, .poll = always_ready,
};

struct chrdev {
	unsigned major, minor;
	const char *name;
	mode_t mode;
	const struct file_ops *fops;
};

static const struct chrdev chrdevs[] = {
	{ 1, 3, "null", 0666, &null_fops },
	{ 1, 5, "zero", 0666, &zero_fops },
	{ 1, 7, "full", 0666, &full_fops },
	{ 1, 8, "random", 0666, &random_fops },
	{ 1, 9, "urandom", 0666, &random_fops },
	/* Terminals (devpts.c): the open picks the file's real operations. */
	{ TTYAUX_MAJOR, 0, "tty", 0666, &tty_slave_fops },
	{ TTYAUX_MAJOR, 2, "ptmx", 0666, &tty_master_fops },
};

const struct file_ops *chrdev_fops(dev_t rdev)
{
	if (major(rdev) == PTY_SLAVE_MAJOR && minor(rdev) < DEVPTS_MAX)
		return &tty_slave_fops;
	for (size_t i = 0; i < sizeof chrdevs / sizeof chrdevs[0]; i++)
		if (major(rdev) == chrdevs[i].major && minor(rdev) == chrdevs[i].minor)
			return chrdevs[i].fops;
	return NULL;
}

int devfs_new(struct dentry **rootp)
{
	struct dentry *root;
	int err = tmpfs_new(0755, 0, &root);
	if (err < 0)
		return err;
	struct inode *dir = root->inode;
	struct owner o = { 0, 0 };
	for (size_t i = 0; i < sizeof chrdevs / sizeof chrdevs[0] && err == 0; i++) {
		struct inode *inode;
		err = dir->iop->mknod(dir, chrdevs[i].name, S_IFCHR | chrdevs[i].mode,
				      makedev(chrdevs[i].major, chrdevs[i].minor), &o, &inode);
		if (err == 0) {
			err = dentry_add_child(root, chrdevs[i].name, inode, NULL);
			inode_put(inode);
		}
	}
	static const char *const links[][2] = {
		{ "fd", "/proc/self/fd" },
		{ "stdin", "/proc/self/fd/0" },
		{ "stdout", "/proc/self/fd/1" },
		{ "stderr", "/proc/self/fd/2" },
		{ "core", "/proc/kcore" },
	};
	for (size_t i = 0; i < sizeof links / sizeof links[0] && err == 0; i++) {
		struct inode *inode;
		err = dir->iop->symlink(dir, links[i][0], links[i][1], &o, &inode);
		if (err == 0) {
			err = dentry_add_child(root, links[i][0], inode, NULL);
			inode_put(inode);
		}
	}
	static const struct { const char *name; mode_t mode; } dirs[] = {
		{ "shm", 01777 }, { "pts", 0755 }, { "mqueue", 01777 },
	};
	for (size_t i = 0; i < sizeof dirs / sizeof dirs[0] && err == 0; i++) {
		struct inode *inode;
		err = dir->iop->mkdir(dir, dirs[i].name, S_IFDIR | dirs[i].mode, &o, &inode);
		if (err == 0) {
			err = dentry_add_child(root, dirs[i].name, inode, NULL);
			inode_put(inode);
		}
	}
	if (err < 0) {
		dentry_put(root);
		return err;
	}
	*rootp = root;
	return 0;
}

int chrdev_open(struct task *t, struct inode *inode, struct file *f)
{
	const struct file_ops *fops = chrdev_fops(inode->rdev);
	if (!fops)
		return -ENXIO;
	/* Terminals are the sandbox's own (devpts.c): the guest never reaches
	 * the caller's terminal through /dev/tty. */
	if (fops == &tty_slave_fops || fops == &tty_master_fops)
		return tty_chrdev_open(t, inode, f);
	return 0;
}
