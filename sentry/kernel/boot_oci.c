/* What an OCI config asks of the sandbox beyond `sentry run`'s options:
 * mounts other than bind mounts, read-only and masked paths, a read-only
 * root, and the process's groups, capabilities, rlimits, umask and
 * no_new_privs.  runc's libcontainer (rootfs_linux.go, init_linux.go) is
 * the reference for the order and the meaning.  The same for the sandbox
 * and for a pod container (container.c: its own mount table and root, its
 * process settings from its CONTAINER request); exec'd processes get
 * theirs from the EXEC request (spawn.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "sentry/fs/fs.h"
#include "sentry/kernel/internal.h"
#include "sentry/kernel/seccomp_filter.h"

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

static int walk(const struct path *root, const char *path, unsigned flags, struct path *out)
{
	struct walk_root wr = { *root, *root };
	return vfs_walk(NULL, &wr, path, flags, out);
}

/* A destination that leads through symlinks inside the root is mounted
 * where they lead (runc resolves it within the root). */
static const char *resolve_destination(const struct path *root, const char *guest,
				       char buf[PATH_MAX])
{
	struct path p;
	if (walk(root, guest, LOOKUP_FOLLOW, &p) < 0)
		return guest;
	int n = path_to_string(&p, root, buf, PATH_MAX);
	path_put(&p);
	return n > 0 ? buf : guest;
}

int boot_mount_dentry(struct mount_table *mt, const struct path *root, const char *where,
		      struct dentry *d, const char *source, unsigned flags)
{
	char buf[PATH_MAX];
	const char *dest = resolve_destination(root, where, buf);
	int err = mount_at(mt, dest, d, source, flags);
	dentry_put(d);
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
static int bind_of(const struct path *root, const char *path, struct dentry **out)
{
	struct path p;
	int err = walk(root, path, LOOKUP_FOLLOW, &p);
	if (err < 0)
		return err;
	dentry_get(p.dentry);
	*out = p.dentry;
	path_put(&p);
	return 0;
}

int boot_mount_special(struct kernel *k, struct mount_table *mt, const struct path *root,
		       const struct sandbox_mount *m)
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
		err = sysfs_new(&k->host, &d);
		break;
	case SANDBOX_MOUNT_DEVPTS:
		if (same_path(m->guest, "/dev/pts"))
			return 0;
		err = bind_of(root, "/dev/pts", &d);   /* the sandbox has one devpts */
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
	return boot_mount_dentry(mt, root, m->guest, d, source, flags);
}

/* readonlyPaths: the path bound read-only onto itself. */
static int readonly_path(struct mount_table *mt, const struct path *root, const char *path)
{
	struct path p;
	if (walk(root, path, 0, &p) < 0)
		return 0;   /* nothing there: nothing to protect */
	int err = 0;
	if (!S_ISLNK(p.dentry->inode->mode)) {
		dentry_get(p.dentry);
		err = boot_mount_dentry(mt, root, path, p.dentry, p.mnt->source,
					p.mnt->flags | MNT_RDONLY);
	}
	path_put(&p);
	return err;
}

/* maskedPaths: a directory gets an empty read-only tmpfs, anything else
 * /dev/null (reads empty, writes vanish), as runc does. */
static int masked_path(struct mount_table *mt, const struct path *root, const char *path)
{
	struct path p;
	if (walk(root, path, 0, &p) < 0)
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
		return boot_mount_dentry(mt, root, path, d, "tmpfs", MNT_RDONLY);
	}
	if ((err = bind_of(root, "/dev/null", &d)) < 0)
		return err;
	return boot_mount_dentry(mt, root, path, d, "devtmpfs", MNT_NOSUID | MNT_NOEXEC);
}

int boot_finish_mounts(struct mount_table *mt, const struct path *root,
		       const struct sandbox_config *cfg)
{
	int err;
	for (size_t i = 0; i < cfg->nreadonly_paths; i++)
		if ((err = readonly_path(mt, root, cfg->readonly_paths[i])) < 0)
			return err;
	for (size_t i = 0; i < cfg->nmasked_paths; i++)
		if ((err = masked_path(mt, root, cfg->masked_paths[i])) < 0)
			return err;
	if (cfg->root_readonly)
		root->mnt->flags |= MNT_RDONLY;
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

void boot_apply_process(struct thread_group *tg, struct task *t, const struct sandbox_process *p,
			bool groups)
{
	if (!p)
		return;
	if (groups)
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

/* --- the process settings as text (kernel.h) ---------------------------------------- */

char *sandbox_process_encode(const struct sandbox_process *p)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *m = open_memstream(&buf, &size);
	if (!m)
		return NULL;
	fprintf(m, "SP1 %zx", p->ngroups);
	for (size_t i = 0; i < p->ngroups; i++)
		fprintf(m, " %x", (unsigned)p->groups[i]);
	fprintf(m, " %x %x %zx", p->has_umask, (unsigned)(p->umask & 0777), p->nrlimits);
	for (size_t i = 0; i < p->nrlimits; i++)
		fprintf(m, " %x %llx %llx", (unsigned)p->rlimits[i].resource,
			(unsigned long long)p->rlimits[i].soft,
			(unsigned long long)p->rlimits[i].hard);
	fprintf(m, " %x %x %llx %llx %llx %llx %llx", p->no_new_privs, p->has_caps,
		(unsigned long long)p->cap_bounding, (unsigned long long)p->cap_effective,
		(unsigned long long)p->cap_inheritable, (unsigned long long)p->cap_permitted,
		(unsigned long long)p->cap_ambient);
	if (fclose(m) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

void sandbox_process_free(struct sandbox_process *p)
{
	if (!p)
		return;
	free((void *)p->groups);
	free((void *)p->rlimits);
	free(p);
}

static int decode_lists(struct wire_reader *r, struct sandbox_process *p, gid_t *groups,
			struct sandbox_rlimit *rl)
{
	uint64_t n, v, w;
	if (!wire_next(r, CRED_NGROUPS_MAX, &n))
		return -EINVAL;
	for (uint64_t i = 0; i < n; i++) {
		if (!wire_next(r, 0xfffffffeu, &v))
			return -EINVAL;
		groups[i] = (gid_t)v;
	}
	p->ngroups = (size_t)n;
	if (!wire_next(r, 1, &v) || !wire_next(r, 0777, &w) || !wire_next(r, RLIM_NLIMITS, &n))
		return -EINVAL;
	p->has_umask = v;
	p->umask = (mode_t)w;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t res;
		if (!wire_next(r, RLIM_NLIMITS - 1, &res) || !wire_next(r, UINT64_MAX, &v) ||
		    !wire_next(r, UINT64_MAX, &w) || v > w)
			return -EINVAL;
		rl[i] = (struct sandbox_rlimit){ (int)res, v, w };
	}
	p->nrlimits = (size_t)n;
	return 0;
}

int sandbox_process_decode(const char *s, size_t len, struct sandbox_process **out)
{
	struct sandbox_process *p = calloc(1, sizeof *p);
	gid_t *groups = calloc(CRED_NGROUPS_MAX, sizeof *groups);
	struct sandbox_rlimit *rl = calloc(RLIM_NLIMITS, sizeof *rl);
	if (!p || !groups || !rl) {
		free(p);
		free(groups);
		free(rl);
		return -ENOMEM;
	}
	p->groups = groups;
	p->rlimits = rl;
	struct wire_reader r = { s, s + len, false };
	uint64_t nnp, caps, set[5];
	int err = wire_word(&r, "SP1") ? decode_lists(&r, p, groups, rl) : -EINVAL;
	if (err == 0 && (!wire_next(&r, 1, &nnp) || !wire_next(&r, 1, &caps)))
		err = -EINVAL;
	for (int i = 0; err == 0 && i < 5; i++)
		if (!wire_next(&r, UINT64_MAX, &set[i]))
			err = -EINVAL;
	if (err == 0 && r.p != r.end)
		err = -EINVAL;   /* trailing bytes */
	if (err < 0) {
		sandbox_process_free(p);
		return err;
	}
	p->no_new_privs = nnp;
	p->has_caps = caps;
	p->cap_bounding = set[0];
	p->cap_effective = set[1];
	p->cap_inheritable = set[2];
	p->cap_permitted = set[3];
	p->cap_ambient = set[4];
	*out = p;
	return 0;
}
