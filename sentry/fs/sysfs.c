/* /sys: a small read-only sysfs with what programs read to count CPUs
 * (glibc's get_nprocs and get_nprocs_conf, nproc, language runtimes):
 *
 *   devices/system/cpu/{online,possible,present}   the host's lists,
 *                                                  read at start-up
 *                                                  (host_facts.c)
 *   devices/system/cpu/cpuN/                       one per present CPU
 *   fs/cgroup/                                     empty: no cgroup is shown
 *
 * The tree is built once, in the dcache (every directory is complete, so
 * a miss is ENOENT without asking anything); files hold their text. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sentry/fs/fs.h"

#define SYSFS_MAGIC    0x62656572

/* --- files ------------------------------------------------------------------ */

struct sysfs_text {
	char *text;
	size_t len;
};

static ssize_t sysfs_read(struct file *f, struct task *t, void *buf, size_t len, int64_t *pos)
{
	const struct sysfs_text *st = f->inode->priv;
	if (*pos < 0 || (uint64_t)*pos >= st->len)
		return 0;
	size_t n = st->len - (size_t)*pos;
	if (n > len)
		n = len;
	memcpy(buf, st->text + *pos, n);
	*pos += (int64_t)n;
	return (ssize_t)n;
}

static void sysfs_text_destroy(struct inode *inode)
{
	struct sysfs_text *st = inode->priv;
	if (st)
		free(st->text);
	free(st);
}

static const struct file_ops sysfs_file_fops = {
	.read = sysfs_read,
	.llseek = generic_llseek,
};

static const struct inode_ops sysfs_file_iops = { 0 };

/* --- directories --------------------------------------------------------------- */

static void add_child_entry(struct dentry *child, void *arg)
{
	dir_snapshot_add(arg, child->name, child->inode->ino,
			 (unsigned char)IFTODT(child->inode->mode));
}

static int sysfs_fill(struct file *f, struct dir_snapshot *s)
{
	dentry_for_each_child(f->path.dentry, add_child_entry, s);
	return 0;
}

static int sysfs_readdir(struct file *f, struct dir_emitter *e)
{
	return dir_snapshot_readdir(f, e, sysfs_fill);
}

static const struct file_ops sysfs_dir_fops = {
	.readdir = sysfs_readdir,
	.llseek = dir_snapshot_llseek,
	.release = dir_snapshot_release,
};

/* No lookup: the cached children are all there is. */
static const struct inode_ops sysfs_dir_iops = { 0 };

/* --- building the tree ------------------------------------------------------------ */

static int add_dir(struct dentry *parent, const char *name, struct dentry **out)
{
	struct inode *inode = inode_new(parent->sb, S_IFDIR | 0755, &sysfs_dir_iops,
					&sysfs_dir_fops);
	if (!inode)
		return -ENOMEM;
	int err = dentry_add_child(parent, name, inode, out);
	inode_put(inode);
	return err;
}

static int add_file(struct dentry *parent, const char *name, const char *text)
{
	struct sysfs_text *st = calloc(1, sizeof *st);
	struct inode *inode = st ? inode_new(parent->sb, S_IFREG | 0444, &sysfs_file_iops,
					     &sysfs_file_fops)
				 : NULL;
	if (!inode) {
		free(st);
		return -ENOMEM;
	}
	inode->priv = st;
	inode->destroy = sysfs_text_destroy;
	inode->size = 4096;   /* what sysfs reports for every attribute */
	st->text = strdup(text);
	st->len = st->text ? strlen(st->text) : 0;
	int err = st->text ? dentry_add_child(parent, name, inode, NULL) : -ENOMEM;
	inode_put(inode);
	return err;
}

/* A cpuN directory for each CPU of a list like "0-3,6". */
static int add_cpu_dirs(struct dentry *cpu, const char *list)
{
	const char *p = list;
	while (*p >= '0' && *p <= '9') {
		char *end;
		long lo = strtol(p, &end, 10), hi = lo;
		if (*end == '-')
			hi = strtol(end + 1, &end, 10);
		for (long i = lo; i <= hi && i < HOST_MAX_CPUS; i++) {
			char name[32];
			snprintf(name, sizeof name, "cpu%ld", i);
			int err = add_dir(cpu, name, NULL);
			if (err < 0)
				return err;
		}
		p = *end == ',' ? end + 1 : end;
	}
	return 0;
}

static int build_tree(const struct host_facts *h, struct dentry *root)
{
	struct dentry *devices = NULL, *system = NULL, *cpu = NULL, *fs = NULL;
	int err = add_dir(root, "devices", &devices);
	if (err == 0)
		err = add_dir(devices, "system", &system);
	if (err == 0)
		err = add_dir(system, "cpu", &cpu);
	if (err == 0)
		err = add_file(cpu, "online", h->cpu_online);
	if (err == 0)
		err = add_file(cpu, "possible", h->cpu_possible);
	if (err == 0)
		err = add_file(cpu, "present", h->cpu_present);
	if (err == 0)
		err = add_cpu_dirs(cpu, h->cpu_present);
	if (err == 0)
		err = add_dir(root, "fs", &fs);
	if (err == 0)
		err = add_dir(fs, "cgroup", NULL);
	dentry_put(devices);
	dentry_put(system);
	dentry_put(cpu);
	dentry_put(fs);
	return err;
}

int sysfs_new(const struct host_facts *h, struct dentry **rootp)
{
	struct super_block *sb = sb_new("sysfs", SYSFS_MAGIC, NULL, SB_RDONLY);
	if (!sb)
		return -ENOMEM;
	struct inode *inode = inode_new(sb, S_IFDIR | 0555, &sysfs_dir_iops, &sysfs_dir_fops);
	sb_put(sb);
	if (!inode)
		return -ENOMEM;
	struct dentry *root = dentry_new_root(inode);
	inode_put(inode);
	if (!root)
		return -ENOMEM;
	int err = build_tree(h, root);
	if (err < 0) {
		dentry_put(root);
		return err;
	}
	*rootp = root;
	return 0;
}
