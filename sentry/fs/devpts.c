/* /dev/pts (fs/devpts/inode.c), and the terminal devices:
 *
 *   /dev/ptmx (5:2)      each open makes a new pair and is its master
 *   /dev/pts/N (136:N)   the slave of pair N, there while its master is open
 *   /dev/tty (5:0)       the caller's controlling terminal (ENXIO if none)
 *
 * Devices are found by number, as Linux does: a node made with mknod opens
 * the same pair.  One instance per sandbox, mounted at /dev/pts as
 * "gid=5,mode=620,ptmxmode=666": a slave node belongs to the uid that
 * opened the master.  Directory entries are generated on every lookup
 * (SB_NOCACHE), so a pair whose master closed is gone from the listing at
 * once.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "sentry/fs/tty.h"

#define DEVPTS_SUPER_MAGIC 0x1cd1
#define DEVPTS_TTY_GID     5     /* the "tty" group of the mount options */
#define DEVPTS_MODE        0620
#define PTMX_MODE          0666

struct devpts {
	struct kernel *k;
	pthread_mutex_t lock;
	struct super_block *sb;
	struct inode *ptmx;          /* /dev/pts/ptmx */
	struct path root;            /* where it is mounted */
	/* Live pairs by index.  No references: a pair takes itself out
	 * (devpts_forget) before it is freed. */
	struct tty *ttys[DEVPTS_MAX];
};

/* --- pairs ---------------------------------------------------------------------- */

static const struct inode_ops devpts_node_iops;

int devpts_new_pty(struct devpts *dp, const struct owner *o, struct tty **out)
{
	struct inode *inode = inode_new(dp->sb, S_IFCHR | DEVPTS_MODE, &devpts_node_iops,
					&tty_slave_fops);
	if (!inode)
		return -ENOMEM;
	inode->uid = o->uid;
	inode->gid = DEVPTS_TTY_GID;
	pthread_mutex_lock(&dp->lock);
	int idx = 0;
	while (idx < DEVPTS_MAX && dp->ttys[idx])
		idx++;
	struct tty *tty = idx < DEVPTS_MAX ? tty_new(dp, dp->k, idx) : NULL;
	if (tty)
		dp->ttys[idx] = tty;
	pthread_mutex_unlock(&dp->lock);
	if (!tty) {
		inode_put(inode);
		return idx < DEVPTS_MAX ? -ENOMEM : -ENOSPC;
	}
	inode->ino = (uint64_t)idx + 3;   /* as devpts numbers them: root 1, ptmx 2 */
	inode->rdev = makedev(PTY_SLAVE_MAJOR, (unsigned)idx);
	tty->inode = inode;
	*out = tty;
	return 0;
}

void devpts_forget(struct devpts *dp, struct tty *tty)
{
	pthread_mutex_lock(&dp->lock);
	if (tty->index >= 0 && tty->index < DEVPTS_MAX && dp->ttys[tty->index] == tty)
		dp->ttys[tty->index] = NULL;
	pthread_mutex_unlock(&dp->lock);
}

/* A new reference to pair idx if its slave can be seen (master open). */
static struct tty *find_visible(struct devpts *dp, int idx)
{
	struct tty *tty = NULL;
	pthread_mutex_lock(&dp->lock);
	if (idx >= 0 && idx < DEVPTS_MAX && dp->ttys[idx]) {
		struct tty *c = dp->ttys[idx];
		pthread_mutex_lock(&c->lock);
		bool alive = !c->master_closed;
		pthread_mutex_unlock(&c->lock);
		if (alive && tty_get_unless_zero(c))
			tty = c;
	}
	pthread_mutex_unlock(&dp->lock);
	return tty;
}

/* "N" with no sign, no leading zero, below DEVPTS_MAX; -1 otherwise. */
static int parse_index(const char *name)
{
	if (!name[0] || (name[0] == '0' && name[1]) || strlen(name) > 5)
		return -1;
	int n = 0;
	for (const char *p = name; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		n = n * 10 + (*p - '0');
	}
	return n < DEVPTS_MAX ? n : -1;
}

int devpts_slave_path(struct devpts *dp, struct tty *tty, struct path *out)
{
	if (!dp->root.dentry)
		return -ENOENT;
	char name[16];
	snprintf(name, sizeof name, "%d", tty->index);
	int err = vfs_lookup_child(&dp->root, name, out);
	if (err < 0)
		return err;
	if (out->dentry->inode != tty->inode) {
		path_put(out);
		return -ENOENT;
	}
	return 0;
}

/* --- opening the devices --------------------------------------------------------------- */

static int open_ptmx(struct task *t, struct devpts *dp, struct file *f)
{
	const struct cred *c = &t->tg->cred;
	struct owner o = { c->fsuid, c->fsgid };
	struct tty *tty;
	int err = devpts_new_pty(dp, &o, &tty);
	if (err < 0)
		return err;
	err = tty_master_file_init(tty, f);   /* a master never becomes a controlling tty */
	if (err < 0) {
		tty_master_close(tty);
		tty_put(tty);
	}
	return err;
}

static int open_slave(struct task *t, struct devpts *dp, int idx, struct file *f, bool noctty)
{
	/* Opening a slave whose pair does not exist has always said EIO. */
	struct tty *tty = find_visible(dp, idx);
	if (!tty)
		return -EIO;
	int err = tty_slave_file_init(t, tty, f, noctty);
	tty_put(tty);
	return err;
}

static int open_current(struct task *t, struct file *f)
{
	struct tty *tty = tty_current(t);
	if (!tty)
		return -ENXIO;
	int err = tty_slave_file_init(t, tty, f, true);
	tty_put(tty);
	return err;
}

int tty_chrdev_open(struct task *t, struct inode *inode, struct file *f)
{
	struct devpts *dp = t ? t->k->devpts : NULL;
	if (!dp)
		return -ENXIO;
	bool noctty = f->flags & O_NOCTTY;
	unsigned maj = major(inode->rdev), min = minor(inode->rdev);
	if (maj == TTYAUX_MAJOR && min == 0)
		return open_current(t, f);
	if (maj == TTYAUX_MAJOR && min == 2)
		return open_ptmx(t, dp, f);
	if (maj == PTY_SLAVE_MAJOR)
		return open_slave(t, dp, (int)min, f, noctty);
	return -ENXIO;
}

/* --- the file system ------------------------------------------------------------------- */

static int devpts_node_setattr(struct inode *inode, const struct iattr *attr)
{
	struct iattr a = *attr;
	a.valid &= ~(unsigned)ATTR_SIZE;   /* truncating a device does nothing */
	inode_apply_attr(inode, &a);
	return 0;
}

static const struct inode_ops devpts_node_iops = {
	.open = tty_chrdev_open,
	.setattr = devpts_node_setattr,
};

static int devpts_lookup(struct inode *dir, const char *name, struct inode **out)
{
	struct devpts *dp = dir->sb->priv;
	if (strcmp(name, "ptmx") == 0) {
		inode_get(dp->ptmx);
		*out = dp->ptmx;
		return 0;
	}
	struct tty *tty = find_visible(dp, parse_index(name));
	if (!tty)
		return -ENOENT;
	inode_get(tty->inode);
	*out = tty->inode;
	tty_put(tty);
	return 0;
}

static int devpts_fill(struct file *f, struct dir_snapshot *s)
{
	struct devpts *dp = f->inode->sb->priv;
	int err = dir_snapshot_add(s, "ptmx", dp->ptmx->ino, DT_CHR);
	for (int i = 0; i < DEVPTS_MAX && err == 0; i++) {
		struct tty *tty = find_visible(dp, i);
		if (!tty)
			continue;
		char name[16];
		snprintf(name, sizeof name, "%d", i);
		err = dir_snapshot_add(s, name, tty->inode->ino, DT_CHR);
		tty_put(tty);
	}
	return err;
}

static int devpts_readdir(struct file *f, struct dir_emitter *e)
{
	return dir_snapshot_readdir(f, e, devpts_fill);
}

static const struct inode_ops devpts_root_iops = {
	.lookup = devpts_lookup,
};

static const struct file_ops devpts_root_fops = {
	.readdir = devpts_readdir,
	.llseek = dir_snapshot_llseek,
	.release = dir_snapshot_release,
};

static int devpts_statfs(struct super_block *sb, struct statfs *st)
{
	st->f_bsize = 4096;
	st->f_frsize = 4096;
	st->f_namelen = 255;
	st->f_blocks = st->f_bfree = st->f_bavail = 0;
	st->f_files = st->f_ffree = 0;
	return 0;
}

static const struct super_ops devpts_sops = {
	.statfs = devpts_statfs,
};

int devpts_mount(struct kernel *k)
{
	struct devpts *dp = calloc(1, sizeof *dp);
	if (!dp)
		return -ENOMEM;
	dp->k = k;
	pthread_mutex_init(&dp->lock, NULL);
	struct super_block *sb = sb_new("devpts", DEVPTS_SUPER_MAGIC, &devpts_sops, SB_NOCACHE);
	if (!sb) {
		free(dp);
		return -ENOMEM;
	}
	sb->priv = dp;
	dp->sb = sb;
	struct inode *dir = inode_new(sb, S_IFDIR | 0755, &devpts_root_iops, &devpts_root_fops);
	dp->ptmx = inode_new(sb, S_IFCHR | PTMX_MODE, &devpts_node_iops, &tty_master_fops);
	if (!dir || !dp->ptmx) {
		if (dir)
			inode_put(dir);
		return -ENOMEM;   /* the half-made instance is left: start-up fails */
	}
	dir->ino = 1;
	dp->ptmx->ino = 2;
	dp->ptmx->rdev = makedev(TTYAUX_MAJOR, 2);
	struct dentry *root = dentry_new_root(dir);
	inode_put(dir);
	if (!root)
		return -ENOMEM;
	int err = mount_at(k->mounts, "/dev/pts", root, "devpts", MNT_NOSUID | MNT_NOEXEC);
	dentry_put(root);
	if (err < 0)
		return err;
	/* Files the sentry opens itself (the -t terminal, TIOCGPTPEER) get
	 * their path under this mount. */
	struct walk_root wr = { k->root, k->root };
	err = vfs_walk(NULL, &wr, "/dev/pts", LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &dp->root);
	if (err < 0)
		return err;
	k->devpts = dp;
	return 0;
}
