/* What an OCI config asks of the sandbox beyond `sentry run`'s options:
 * mounts other than bind mounts, read-only and masked paths, a read-only
 * root, and the process's groups, capabilities, rlimits, umask and
 * no_new_privs.  runc's libcontainer (rootfs_linux.go, init_linux.go) is
 * the reference for the order and the meaning. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "sentry/fs/fs.h"
#include "sentry/kernel/internal.h"

/* --- mounts ------------------------------------------------------------------ */

/* Is path p the absolute path want, up to repeated and trailing slashes? */
static bool same_path(const char *p, const char *want)
{
	while (*p && *want) {
		if (*p == '/' && *want == '/') {
			while (*p == '/')
				p++;
			while (*want == '/')
				want++;
			continue;
		}
		if (*p++ != *want++)
			return false;
	}
	while (*p == '/')
		p++;
	while (*want == '/')
		want++;
	return !*p && !*want;
}

static int walk(struct kernel *k, const char *path, unsigned flags, struct path *out)
{
	struct walk_root wr = { k->root, k->root };
	return vfs_walk(NULL, &wr, path, flags, out);
}

/* A destination that leads through symlinks inside the sandbox is mounted
 * where they lead (runc resolves it within the root). */
static const char *resolve_destination(struct kernel *k, const char *guest, char buf[PATH_MAX])
{
	struct path p;
	if (walk(k, guest, LOOKUP_FOLLOW, &p) < 0)
		return guest;
	int n = path_to_string(&p, &k->root, buf, PATH_MAX);
	path_put(&p);
	return n > 0 ? buf : guest;
}

/* Mounts root (consumed) at where. */
static int mount_dentry(struct kernel *k, const char *where, struct dentry *root,
			const char *source, unsigned flags)
{
	char buf[PATH_MAX];
	const char *dest = resolve_destination(k, where, buf);
	int err = mount_at(k->mounts, dest, root, source, flags);
	dentry_put(root);
	if (err < 0)
		log_error("cannot mount %s on %s: %s", source, where, strerror(-err));
	return err;
}

/* An empty tmpfs that says it is another file system (mqueue, cgroup). */
static int pseudo_tmpfs(const char *fstype, mode_t mode, bool readonly, struct dentry **out)
{
	int err = tmpfs_new(mode, 0, out);
	if (err < 0)
		return err;
	(*out)->sb->fstype = fstype;
	if (readonly)
		(*out)->sb->flags |= SB_RDONLY;
	return 0;
}

/* The mountpoint (a new reference) of what is at path. */
static int bind_of(struct kernel *k, const char *path, struct dentry **out)
{
	struct path p;
	int err = walk(k, path, LOOKUP_FOLLOW, &p);
	if (err < 0)
		return err;
	dentry_get(p.dentry);
	*out = p.dentry;
	path_put(&p);
	return 0;
}

int boot_mount_special(struct kernel *k, const struct sandbox_mount *m)
{
	unsigned flags = m->flags | (m->readonly ? MNT_RDONLY : 0);
	const char *source = m->host;
	struct dentry *d = NULL;
	int err;
	switch (m->type) {
	case SANDBOX_MOUNT_PROC:
		if (same_path(m->guest, "/proc"))
			return 0;   /* the sandbox's own /proc is there */
		err = procfs_new(k, &d);
		break;
	case SANDBOX_MOUNT_SYSFS:
		if (same_path(m->guest, "/sys"))
			return 0;
		err = sysfs_new(&d);
		break;
	case SANDBOX_MOUNT_DEVPTS:
		if (same_path(m->guest, "/dev/pts"))
			return 0;
		err = bind_of(k, "/dev/pts", &d);   /* the sandbox has one devpts */
		break;
	case SANDBOX_MOUNT_TMPFS:
		/* /dev is the sandbox's device file system: a tmpfs with the
		 * nodes runc would make in it. */
		if (same_path(m->guest, "/dev"))
			return 0;
		err = tmpfs_new(m->mode ? m->mode : 01777, m->size, &d);
		if (err == 0) {
			d->inode->uid = m->uid;
			d->inode->gid = m->gid;
		}
		break;
	case SANDBOX_MOUNT_MQUEUE:
		err = pseudo_tmpfs("mqueue", 01777, m->readonly, &d);
		break;
	case SANDBOX_MOUNT_CGROUP:
		/* No cgroup is shown: an empty tree that cannot be written. */
		err = pseudo_tmpfs("cgroup", 0555, true, &d);
		flags |= MNT_RDONLY;
		break;
	default:
		return -EINVAL;
	}
	if (err < 0) {
		log_error("cannot mount %s on %s: %s", source, m->guest, strerror(-err));
		return err;
	}
	return mount_dentry(k, m->guest, d, source, flags);
}

/* readonlyPaths: the path bound read-only onto itself. */
static int readonly_path(struct kernel *k, const char *path)
{
	struct path p;
	if (walk(k, path, 0, &p) < 0)
		return 0;   /* nothing there: nothing to protect */
	int err = 0;
	if (!S_ISLNK(p.dentry->inode->mode)) {
		dentry_get(p.dentry);
		err = mount_dentry(k, path, p.dentry, p.mnt->source, p.mnt->flags | MNT_RDONLY);
	}
	path_put(&p);
	return err;
}

/* maskedPaths: a directory gets an empty read-only tmpfs, anything else
 * /dev/null (reads empty, writes vanish), as runc does. */
static int masked_path(struct kernel *k, const char *path)
{
	struct path p;
	if (walk(k, path, 0, &p) < 0)
		return 0;
	mode_t mode = p.dentry->inode->mode;
	path_put(&p);
	if (S_ISLNK(mode))
		return 0;
	struct dentry *d;
	int err;
	if (S_ISDIR(mode)) {
		if ((err = tmpfs_new(01777, 0, &d)) < 0)
			return err;
		d->sb->flags |= SB_RDONLY;
		return mount_dentry(k, path, d, "tmpfs", MNT_RDONLY);
	}
	if ((err = bind_of(k, "/dev/null", &d)) < 0)
		return err;
	return mount_dentry(k, path, d, "devtmpfs", MNT_NOSUID | MNT_NOEXEC);
}

int boot_finish_mounts(struct kernel *k, const struct sandbox_config *cfg)
{
	int err;
	for (size_t i = 0; i < cfg->nreadonly_paths; i++)
		if ((err = readonly_path(k, cfg->readonly_paths[i])) < 0)
			return err;
	for (size_t i = 0; i < cfg->nmasked_paths; i++)
		if ((err = masked_path(k, cfg->masked_paths[i])) < 0)
			return err;
	if (cfg->root_readonly)
		k->root.mnt->flags |= MNT_RDONLY;
	return 0;
}

/* --- the process ------------------------------------------------------------------ */

static int cmp_gid(const void *a, const void *b)
{
	gid_t x = *(const gid_t *)a, y = *(const gid_t *)b;
	return x < y ? -1 : x > y;
}

static void set_groups(struct cred *c, const gid_t *groups, size_t n)
{
	if (n > CRED_NGROUPS_MAX)
		n = CRED_NGROUPS_MAX;
	memcpy(c->groups, groups, n * sizeof *groups);
	qsort(c->groups, n, sizeof *c->groups, cmp_gid);
	c->ngroups = (int)n;
}

/* As runc leaves them before it execs the process: the bounding set, then
 * the others (capset rejects an effective set beyond the permitted one;
 * an ambient capability needs to be permitted and inheritable). */
static void set_caps(struct cred *c, const struct sandbox_process *p)
{
	c->cap_bset = p->cap_bounding & CRED_CAP_FULL;
	c->cap_permitted = p->cap_permitted & CRED_CAP_FULL;
	c->cap_effective = p->cap_effective & c->cap_permitted;
	c->cap_inheritable = p->cap_inheritable & CRED_CAP_FULL;
	c->cap_ambient = p->cap_ambient & c->cap_permitted & c->cap_inheritable;
}

void boot_apply_process(struct thread_group *tg, struct task *t, bool init)
{
	const struct sandbox_process *p = tg->k->opts.process;
	if (!p)
		return;
	/* (An exec'd process may be another user: the container's groups are
	 * not handed to it.) */
	if (init)
		set_groups(&tg->cred, p->groups, p->ngroups);
	if (p->has_caps)
		set_caps(&tg->cred, p);
	for (size_t i = 0; i < p->nrlimits; i++) {
		int r = p->rlimits[i].resource;
		if (r < 0 || r >= RLIM_NLIMITS)
			continue;
		tg->rlim[r].rlim_cur = (rlim_t)p->rlimits[i].soft;
		tg->rlim[r].rlim_max = (rlim_t)p->rlimits[i].hard;
	}
	if (p->no_new_privs)
		t->no_new_privs = true;
	if (p->has_umask && t->fs)
		t->fs->umask = p->umask & 0777;
}
