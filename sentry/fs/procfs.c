/* /proc: the file system itself.  Inodes are made afresh on every lookup
 * from the entry tables (procfs_sys.c: the global files and /proc/sys;
 * procfs_pid.c: /proc/[pid]; procfs_fd.c: fd/, fdinfo/ and the magic
 * links); see procfs.h for the model. */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "sentry/fs/procfs.h"


int proc_dirlist_add(struct proc_dirlist *l, const char *name, uint64_t ino, unsigned char type)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 32;
		struct proc_dirent *e = realloc(l->e, cap * sizeof *e);
		if (!e)
			return -ENOMEM;
		l->e = e;
		l->cap = cap;
	}
	char *copy = strdup(name);
	if (!copy)
		return -ENOMEM;
	l->e[l->n].name = copy;
	l->e[l->n].ino = ino;
	l->e[l->n].type = type;
	l->n++;
	return 0;
}

static void dirlist_free(struct proc_dirlist *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		free(l->e[i].name);
	free(l->e);
	free(l);
}

int proc_copy_link(char *buf, size_t size, const char *text, size_t len)
{
	size_t n = len < size ? len : size;
	memcpy(buf, text, n);
	return (int)n;
}

/* --- inode numbers -------------------------------------------------------------- */

/* Entries get small ids at start-up; a pid-scoped inode number packs the
 * entry id (8 bits), fd + 1 (21 bits), tid (16 bits) and tgid (16 bits). */
static unsigned next_entry_id = 1;

static void assign_ids(struct proc_entry *e)
{
	if (e->id)
		return;
	e->id = next_entry_id++;
	for (struct proc_entry *c = e->children; c && c->name; c++)
		assign_ids(c);
}

static void assign_all_ids(void)
{
	assign_ids(&proc_root_entry);   /* first: the root gets id 1 */
	assign_ids(&proc_pid_dir_entry);
	assign_ids(&proc_tid_dir_entry);
	assign_ids(&proc_fd_link_entry);
	assign_ids(&proc_fdinfo_file_entry);
}

uint64_t proc_ino(const struct proc_entry *e, pid_t tgid, pid_t tid, int fd)
{
	uint64_t ino = e->id & 0xff;
	ino |= (uint64_t)((unsigned)(fd + 1) & 0x1fffff) << 8;
	ino |= (uint64_t)((unsigned)tid & 0xffff) << 29;
	ino |= (uint64_t)((unsigned)tgid & 0xffff) << 45;
	return ino;
}

uint64_t proc_ctx_ino(const struct proc_ctx *c)
{
	return proc_ino(c->entry, c->tgid, c->tid, c->fd);
}

unsigned char proc_dtype(mode_t mode)
{
	return (unsigned char)IFTODT(mode);
}

/* --- time ------------------------------------------------------------------------ */

struct timespec proc_uptime(void)
{
	return ts_now(CLOCK_BOOTTIME);
}

uint64_t proc_mono_to_ticks(struct timespec mono)
{
	/* Boot-relative: CLOCK_BOOTTIME runs ahead of CLOCK_MONOTONIC by the
	 * time the host spent suspended. */
	struct timespec off = ts_sub(ts_now(CLOCK_BOOTTIME), ts_now(CLOCK_MONOTONIC));
	struct timespec at = ts_add(mono, off);
	if (at.tv_sec < 0)
		return 0;
	return (uint64_t)at.tv_sec * PROC_USER_HZ +
	       (uint64_t)at.tv_nsec / (1000000000 / PROC_USER_HZ);
}

/* --- oom_score_adj ---------------------------------------------------------------- */

struct proc_oom {
	struct proc_oom *next;
	pid_t tgid;
	struct timespec start;
	int value;
};

bool proc_oom_find(struct procfs *fs, pid_t tgid, struct timespec start, int *value)
{
	bool found = false;
	pthread_mutex_lock(&fs->lock);
	for (struct proc_oom *o = fs->oom; o && !found; o = o->next) {
		if (o->tgid == tgid && ts_cmp(o->start, start) == 0) {
			*value = o->value;
			found = true;
		}
	}
	pthread_mutex_unlock(&fs->lock);
	return found;
}

void proc_oom_set(struct procfs *fs, pid_t tgid, struct timespec start, int value)
{
	pthread_mutex_lock(&fs->lock);
	struct proc_oom **pp = &fs->oom, *o;
	while ((o = *pp)) {
		/* Forget values of processes that are gone (pid reused). */
		if (o->tgid == tgid) {
			*pp = o->next;
			free(o);
			continue;
		}
		pp = &o->next;
	}
	if ((o = calloc(1, sizeof *o))) {
		o->tgid = tgid;
		o->start = start;
		o->value = value;
		o->next = fs->oom;
		fs->oom = o;
	}
	pthread_mutex_unlock(&fs->lock);
}

/* --- inodes ------------------------------------------------------------------------ */

static const struct inode_ops proc_dir_iops;
static const struct inode_ops proc_file_iops;
static const struct inode_ops proc_symlink_iops;
static const struct inode_ops proc_magic_iops;
static const struct file_ops proc_dir_fops;
static const struct file_ops proc_file_fops;

static void proc_inode_destroy(struct inode *inode)
{
	free(inode->priv);
}

/* The context of an inode, as seen by the task t. */
static struct proc_ctx ctx_of(struct inode *inode, struct task *t)
{
	struct proc_ctx c = *(struct proc_ctx *)inode->priv;
	c.reader = t;
	return c;
}

static bool ctx_alive(const struct proc_ctx *c)
{
	return c->tgid == 0 || proc_ctx_alive(c);
}

static struct inode *make_inode(const struct proc_ctx *c)
{
	const struct proc_entry *e = c->entry;
	const struct inode_ops *iop;
	const struct file_ops *fop = NULL;
	switch (e->mode & S_IFMT) {
	case S_IFDIR:
		iop = &proc_dir_iops;
		fop = &proc_dir_fops;
		break;
	case S_IFLNK:
		iop = e->get_link ? &proc_magic_iops : &proc_symlink_iops;
		break;
	default:
		iop = &proc_file_iops;
		fop = &proc_file_fops;
		break;
	}
	struct proc_ctx *priv = malloc(sizeof *priv);
	if (!priv)
		return NULL;
	*priv = *c;
	priv->reader = NULL;
	struct inode *inode = inode_new(c->fs->sb, e->mode, iop, fop);
	if (!inode) {
		free(priv);
		return NULL;
	}
	inode->priv = priv;
	inode->destroy = proc_inode_destroy;
	inode->ino = proc_ctx_ino(c);
	struct timespec when = c->fs->k->boot_time;
	if (c->tgid) {
		struct kernel *k = c->k;
		pthread_mutex_lock(&k->lock);
		struct thread_group *tg = proc_tg_locked(c);
		if (tg) {
			/* Owned by the process's effective ids (it is dumpable). */
			inode->uid = tg->cred.euid;
			inode->gid = tg->cred.egid;
			when = ts_add(k->boot_time, ts_sub(tg->start_time, k->boot_mono));
		}
		pthread_mutex_unlock(&k->lock);
	}
	inode->atime = inode->mtime = inode->ctime = when;
	if (S_ISDIR(e->mode)) {
		/* "." and the parent's entry, and each subdirectory's "..". */
		inode->nlink = 2;
		for (const struct proc_entry *ch = e->children; ch && ch->name; ch++)
			if (S_ISDIR(ch->mode))
				inode->nlink++;
	}
	if (e->setup)
		e->setup(c, inode);
	return inode;
}

/* --- directories ------------------------------------------------------------------ */

static int proc_lookup(struct inode *dir, const char *name, struct inode **out)
{
	struct proc_ctx dc = ctx_of(dir, NULL);
	if (!ctx_alive(&dc))
		return -ENOENT;
	struct proc_ctx c = dc;
	c.entry = NULL;
	for (struct proc_entry *e = dc.entry->children; e && e->name; e++) {
		if (strcmp(e->name, name) == 0) {
			c.entry = e;
			break;
		}
	}
	if (!c.entry) {
		if (!dc.entry->lookup)
			return -ENOENT;
		int err = dc.entry->lookup(&dc, name, &c);
		if (err < 0)
			return err;
	}
	struct inode *inode = make_inode(&c);
	if (!inode)
		return -ENOMEM;
	*out = inode;
	return 0;
}

static int take_listing(struct file *f, struct proc_dirlist **out)
{
	struct proc_ctx dc = ctx_of(f->inode, NULL);
	if (!ctx_alive(&dc))
		return -ENOENT;
	struct proc_dirlist *l = calloc(1, sizeof *l);
	if (!l)
		return -ENOMEM;
	struct dentry *d = f->path.dentry;
	uint64_t parent_ino = d && d->parent ? d->parent->inode->ino : f->inode->ino;
	int err = proc_dirlist_add(l, ".", f->inode->ino, DT_DIR);
	if (err == 0)
		err = proc_dirlist_add(l, "..", parent_ino, DT_DIR);
	for (struct proc_entry *e = dc.entry->children; err == 0 && e && e->name; e++)
		err = proc_dirlist_add(l, e->name, proc_ino(e, dc.tgid, dc.tid, dc.fd),
				       proc_dtype(e->mode));
	if (err == 0 && dc.entry->list)
		err = dc.entry->list(&dc, l);
	if (err < 0) {
		dirlist_free(l);
		return err;
	}
	*out = l;
	return 0;
}

static int proc_readdir(struct file *f, struct dir_emitter *e)
{
	struct proc_dirlist *l = f->priv;
	if (!l || e->pos == 0) {
		struct proc_dirlist *fresh;
		int err = take_listing(f, &fresh);
		if (err < 0)
			return err;
		dirlist_free(l);
		f->priv = l = fresh;
	}
	for (int64_t i = e->pos; i >= 0 && (size_t)i < l->n; i++) {
		struct proc_dirent *en = &l->e[i];
		if (!e->emit(e, en->name, strlen(en->name), en->ino, en->type, i + 1))
			break;
		e->pos = i + 1;
	}
	return 0;
}

static void proc_dir_release(struct file *f)
{
	dirlist_free(f->priv);
}

static int64_t proc_dir_llseek(struct file *f, int64_t off, int whence)
{
	if (whence == SEEK_SET && off >= 0)
		return off;
	if (whence == SEEK_CUR && f->pos + off >= 0)
		return f->pos + off;
	return -EINVAL;
}

/* --- regular files ------------------------------------------------------------------ */

struct proc_file {
	pthread_mutex_t lock;
	struct strbuf text;
	bool generated;
	bool consumed;     /* something was read: a read at 0 starts over */
};

static int generate(struct file *f, struct task *t, struct proc_file *pf)
{
	struct proc_ctx c = ctx_of(f->inode, t);
	if (!ctx_alive(&c))
		return -ESRCH;
	struct strbuf b = STRBUF_INIT(PROC_MAX_TEXT);
	int err = c.entry->show ? c.entry->show(&c, &b) : 0;
	if (err < 0) {
		strbuf_free(&b);
		return err;
	}
	strbuf_free(&pf->text);
	pf->text = b;
	pf->generated = true;
	pf->consumed = false;
	return 0;
}

static int proc_file_open(struct task *t, struct inode *inode, struct file *f)
{
	struct proc_ctx c = ctx_of(inode, t);
	if (!ctx_alive(&c))
		return -ENOENT;
	const struct proc_entry *e = c.entry;
	if (file_writable(f) && !e->write && (e->flags & PE_SYSCTL))
		return -EACCES;
	if (e->flags & PE_PRIVATE) {
		int err = proc_may_access(&c);
		if (err < 0)
			return err;
	}
	struct proc_file *pf = calloc(1, sizeof *pf);
	if (!pf)
		return -ENOMEM;
	pthread_mutex_init(&pf->lock, NULL);
	f->priv = pf;
	if (file_readable(f)) {
		int err = generate(f, t, pf);
		if (err < 0) {
			strbuf_free(&pf->text);
			pthread_mutex_destroy(&pf->lock);
			free(pf);
			f->priv = NULL;
			return err == -ESRCH ? -ENOENT : err;
		}
	}
	return 0;
}

static ssize_t proc_file_read(struct file *f, struct task *t, void *buf, size_t len, int64_t *pos)
{
	struct proc_file *pf = f->priv;
	if (!pf)
		return -EINVAL;
	if (*pos < 0)
		return -EINVAL;
	pthread_mutex_lock(&pf->lock);
	if (!pf->generated || (*pos == 0 && pf->consumed)) {
		int err = generate(f, t, pf);
		if (err < 0) {
			pthread_mutex_unlock(&pf->lock);
			return err;
		}
	}
	ssize_t r = 0;
	if ((uint64_t)*pos < pf->text.len) {
		size_t avail = pf->text.len - (size_t)*pos;
		size_t n = len < avail ? len : avail;
		memcpy(buf, pf->text.s + *pos, n);
		r = (ssize_t)n;
		*pos += r;
	}
	if (len > 0)
		pf->consumed = true;
	pthread_mutex_unlock(&pf->lock);
	return r;
}

static ssize_t proc_file_write(struct file *f, struct task *t, const void *buf, size_t len,
			       int64_t *pos)
{
	struct proc_ctx c = ctx_of(f->inode, t);
	const struct proc_entry *e = c.entry;
	if (!e->write)
		return (e->flags & PE_WRITE_EIO) ? -EIO : -EINVAL;
	if (!ctx_alive(&c))
		return -ESRCH;
	if (len == 0)
		return 0;
	ssize_t r = e->write(&c, buf, len);
	if (r > 0)
		*pos += r;
	return r;
}

static int64_t proc_file_llseek(struct file *f, int64_t off, int whence)
{
	/* As seq_file: no SEEK_END (the size is not known). */
	if (whence == SEEK_SET && off >= 0)
		return off;
	if (whence == SEEK_CUR && off >= -f->pos)
		return f->pos + off;
	return -EINVAL;
}

static void proc_file_release(struct file *f)
{
	struct proc_file *pf = f->priv;
	if (!pf)
		return;
	strbuf_free(&pf->text);
	pthread_mutex_destroy(&pf->lock);
	free(pf);
}

/* --- symlinks ------------------------------------------------------------------------- */

static int proc_readlink(struct task *t, struct inode *inode, char *buf, size_t size)
{
	struct proc_ctx c = ctx_of(inode, t);
	if (!ctx_alive(&c))
		return -ENOENT;
	if (!c.entry->readlink)
		return -EINVAL;
	return c.entry->readlink(&c, buf, size);
}

static int proc_get_link(struct task *t, struct inode *inode, struct path *out)
{
	struct proc_ctx c = ctx_of(inode, t);
	if (!ctx_alive(&c))
		return -ENOENT;
	return c.entry->get_link(&c, out);
}

/* --- attributes ------------------------------------------------------------------------ */

static int proc_setattr(struct inode *inode, const struct iattr *attr)
{
	if (attr->valid & (ATTR_MODE | ATTR_UID | ATTR_GID))
		return -EPERM;
	return 0;   /* truncation (O_TRUNC) and times: ignored, as Linux does */
}

/* Nothing can be made in /proc: as on Linux, where the lookup of the new
 * name already fails, that is ENOENT. */
static int proc_create(struct inode *dir, const char *name, mode_t mode, const struct owner *o,
		       struct inode **out)
{
	return -ENOENT;
}

static int proc_mknod(struct inode *dir, const char *name, mode_t mode, dev_t rdev,
		      const struct owner *o, struct inode **out)
{
	return -ENOENT;
}

static int proc_symlink(struct inode *dir, const char *name, const char *target,
			const struct owner *o, struct inode **out)
{
	return -ENOENT;
}

static int proc_link(struct inode *dir, const char *name, struct inode *target)
{
	return -ENOENT;
}

static int proc_rename(struct inode *olddir, const char *oldname, struct inode *source,
		       struct inode *newdir, const char *newname, struct inode *target,
		       unsigned flags)
{
	return target ? -EPERM : -ENOENT;
}

static const struct inode_ops proc_dir_iops = {
	.lookup = proc_lookup,
	.create = proc_create,
	.mkdir = proc_create,
	.mknod = proc_mknod,
	.symlink = proc_symlink,
	.link = proc_link,
	.rename = proc_rename,
	.setattr = proc_setattr,
};

static const struct inode_ops proc_file_iops = {
	.open = proc_file_open,
	.setattr = proc_setattr,
};

static const struct inode_ops proc_symlink_iops = {
	.readlink = proc_readlink,
	.setattr = proc_setattr,
};

static const struct inode_ops proc_magic_iops = {
	.readlink = proc_readlink,
	.get_link = proc_get_link,
	.setattr = proc_setattr,
};

static const struct file_ops proc_dir_fops = {
	.readdir = proc_readdir,
	.llseek = proc_dir_llseek,
	.release = proc_dir_release,
};

static const struct file_ops proc_file_fops = {
	.read = proc_file_read,
	.write = proc_file_write,
	.llseek = proc_file_llseek,
	.release = proc_file_release,
};

/* --- the super block --------------------------------------------------------------------- */

static int proc_statfs(struct super_block *sb, struct statfs *st)
{
	st->f_bsize = 4096;
	st->f_frsize = 4096;
	st->f_namelen = 255;
	st->f_blocks = st->f_bfree = st->f_bavail = 0;
	st->f_files = st->f_ffree = 0;
	return 0;
}

static void proc_sb_destroy(struct super_block *sb)
{
	struct procfs *fs = sb->priv;
	if (!fs)
		return;
	while (fs->oom) {
		struct proc_oom *o = fs->oom;
		fs->oom = o->next;
		free(o);
	}
	pthread_mutex_destroy(&fs->lock);
	free(fs);
}

static const struct super_ops proc_sops = {
	.statfs = proc_statfs,
	.destroy = proc_sb_destroy,
};

void proc_make_uuid(char out[37])
{
	unsigned char u[16];
	if (getrandom(u, sizeof u, 0) != (ssize_t)sizeof u)
		memset(u, 0x5a, sizeof u);
	u[6] = (unsigned char)((u[6] & 0x0f) | 0x40);   /* version 4 */
	u[8] = (unsigned char)((u[8] & 0x3f) | 0x80);   /* variant 10 */
	snprintf(out, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11],
		 u[12], u[13], u[14], u[15]);
}

int procfs_new(struct kernel *k, struct dentry **root)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, assign_all_ids);

	struct procfs *fs = calloc(1, sizeof *fs);
	if (!fs)
		return -ENOMEM;
	fs->k = k;
	pthread_mutex_init(&fs->lock, NULL);
	fs->host = &k->host;
	proc_make_uuid(fs->boot_id);

	struct super_block *sb = sb_new("proc", PROC_SUPER_MAGIC, &proc_sops, SB_NOCACHE);
	if (!sb) {
		proc_sb_destroy(&(struct super_block){ .priv = fs });
		return -ENOMEM;
	}
	sb->priv = fs;
	fs->sb = sb;
	struct proc_ctx c = { .fs = fs, .k = k, .entry = &proc_root_entry, .fd = -1 };
	struct inode *inode = make_inode(&c);
	sb_put(sb);
	if (!inode)
		return -ENOMEM;
	*root = dentry_new_root(inode);
	inode_put(inode);
	if (!*root)
		return -ENOMEM;
	fs->root = *root;
	return 0;
}
