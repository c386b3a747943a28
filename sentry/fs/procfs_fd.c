/* /proc/[pid]/fd, /proc/[pid]/fdinfo and the magic links exe, cwd and
 * root.
 *
 * A magic link's text is the path of what it names, as the reading task
 * sees it from its root ("/path (deleted)" for an unlinked file); following
 * it jumps to that path itself (get_link), so that opening
 * /proc/self/fd/N opens the same file anew, with its own offset.
 *
 * Files without a path (pipes, sockets, anonymous files, the user's
 * stdio) are named as Linux names them: "pipe:[ino]", "socket:[ino]",
 * "anon_inode:NAME" (the name of the anonymous inode's super block, with
 * Linux's brackets where it has them: "[eventfd]" but "inotify"),
 * and for host stdio the device ("/dev/pts/N", "/dev/null"...) or
 * "host:[ino]".  Following such a link lands on a stand-in inode (a
 * "proxy") that looks like the file (stat gives the file's own attributes)
 * and whose open gives a new descriptor on the same open file description,
 * as dup(2) would, but with the new open's access mode: reads, writes,
 * polls and ioctls go to the original file, with the new open's own
 * O_NONBLOCK.  (Linux reopens pipes as a new description of the same pipe;
 * sharing the description differs in the offset of seekable anonymous
 * files, and the reopened end does not count as a reader or writer of the
 * pipe of its own.)  This is what makes "cat /dev/stdin" work when stdin is
 * a pipe.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "sentry/fs/procfs.h"

#define LINK_TEXT_MAX (PATH_MAX + 64)
#define FD_MAX        (1 << 20)

/* --- proxies for files without a path ---------------------------------------------- */

struct proxy {
	struct file *orig;
};

static const struct inode_ops proxy_iops;
static const struct file_ops proxy_seek_fops;
static const struct file_ops proxy_stream_fops;

/* The file a file opened through a proxy stands for. */
static struct file *unproxy(struct file *f)
{
	for (int i = 0; i < 16 && f->inode && f->inode->iop == &proxy_iops; i++)
		f = ((struct proxy *)f->inode->priv)->orig;
	return f;
}

static int orig_stat(struct file *orig, struct stat *st)
{
	if (orig->fop && orig->fop->fstat)
		return orig->fop->fstat(orig, st);
	if (orig->path.dentry)
		return vfs_getattr(&orig->path, st);
	if (orig->inode) {
		inode_fill_stat(orig->inode, st);
		return 0;
	}
	return -EBADF;
}

static int proxy_getattr(struct inode *inode)
{
	struct proxy *p = inode->priv;
	struct stat st;
	int err = orig_stat(p->orig, &st);
	if (err < 0)
		return err;
	pthread_mutex_lock(&inode->lock);
	inode->mode = st.st_mode;
	inode->ino = st.st_ino;
	inode->nlink = st.st_nlink;
	inode->rdev = st.st_rdev;
	inode->size = st.st_size;
	inode->blocks = st.st_blocks;
	inode->atime = st.st_atim;
	inode->mtime = st.st_mtim;
	inode->ctime = st.st_ctim;
	pthread_mutex_unlock(&inode->lock);
	return 0;
}

static void proxy_destroy(struct inode *inode)
{
	struct proxy *p = inode->priv;
	if (p) {
		file_put(p->orig);
		free(p);
	}
}

static int proxy_open(struct task *t, struct inode *inode, struct file *f)
{
	struct proxy *p = inode->priv;
	struct file *orig = p->orig;
	if (!orig->fop)
		return -ENXIO;   /* an O_PATH descriptor cannot be reopened */
	if ((orig->inode && orig->inode->sb->magic == SOCKFS_MAGIC) || S_ISSOCK(inode->mode))
		return -ENXIO;   /* as Linux: sockets cannot be opened */
	file_get(orig);
	f->priv = orig;
	f->fop = orig->fop->llseek ? &proxy_seek_fops : &proxy_stream_fops;
	return 0;
}

static int proxy_setattr(struct inode *inode, const struct iattr *attr)
{
	if (attr->valid & (ATTR_MODE | ATTR_UID | ATTR_GID))
		return -EPERM;
	return 0;   /* O_TRUNC through /dev/stdout: nothing to do for a stream */
}

static const struct inode_ops proxy_iops = {
	.open = proxy_open,
	.getattr = proxy_getattr,
	.setattr = proxy_setattr,
};

/* Reads and writes go to the original file, but with the proxy's own
 * O_NONBLOCK: a non-blocking proxy of a blocking file first asks poll(),
 * and a blocking proxy of a non-blocking file waits for readiness when
 * the original says EAGAIN. */
static ssize_t proxy_io(struct file *f, struct task *t, void *rbuf, const void *wbuf, size_t len,
			int64_t *pos)
{
	struct file *o = f->priv;
	bool writing = wbuf != NULL;
	if (writing ? !o->fop->write : !o->fop->read)
		return -EINVAL;
	bool nb = f->flags & O_NONBLOCK, onb = o->flags & O_NONBLOCK;
	unsigned want = (writing ? POLLOUT : POLLIN) | POLLERR | POLLHUP;
	if (nb && !onb && o->fop->poll && !(o->fop->poll(o, NULL) & want))
		return -EAGAIN;
	for (;;) {
		ssize_t r = writing ? o->fop->write(o, t, wbuf, len, pos)
				    : o->fop->read(o, t, rbuf, len, pos);
		if (r != -EAGAIN || nb || !onb || !o->fop->poll || !t)
			return r;
		struct poll_table pt;
		poll_table_init(&pt, t);
		int err = 0;
		if (!(o->fop->poll(o, &pt) & want))
			err = task_block(t, NULL, pt.hostfds, pt.nhostfds);
		poll_table_free(&pt);
		if (err == -EINTR)
			return -ERESTARTSYS;
	}
}

static ssize_t proxy_read(struct file *f, struct task *t, void *buf, size_t len, int64_t *pos)
{
	return proxy_io(f, t, buf, NULL, len, pos);
}

static ssize_t proxy_write(struct file *f, struct task *t, const void *buf, size_t len,
			   int64_t *pos)
{
	return proxy_io(f, t, NULL, buf, len, pos);
}

static int64_t proxy_llseek(struct file *f, int64_t off, int whence)
{
	struct file *o = f->priv;
	return o->fop->llseek ? o->fop->llseek(o, off, whence) : -ESPIPE;
}

static int proxy_readdir(struct file *f, struct dir_emitter *e)
{
	struct file *o = f->priv;
	return o->fop->readdir ? o->fop->readdir(o, e) : -ENOTDIR;
}

static long proxy_ioctl(struct file *f, struct task *t, unsigned long cmd, uint64_t arg)
{
	struct file *o = f->priv;
	return o->fop->ioctl ? o->fop->ioctl(o, t, cmd, arg) : -ENOTTY;
}

static unsigned proxy_poll(struct file *f, struct poll_table *pt)
{
	struct file *o = f->priv;
	return o->fop->poll ? o->fop->poll(o, pt) : (POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM);
}

static int proxy_mmap_fd(struct file *f, bool shared_write)
{
	struct file *o = f->priv;
	return o->fop->mmap_fd ? o->fop->mmap_fd(o, shared_write) : -ENODEV;
}

static int proxy_fsync(struct file *f)
{
	struct file *o = f->priv;
	return o->fop->fsync ? o->fop->fsync(o) : -EINVAL;
}

static int proxy_fstat(struct file *f, struct stat *st)
{
	return orig_stat(f->priv, st);
}

static void proxy_release(struct file *f)
{
	file_put(f->priv);
}

static const struct file_ops proxy_seek_fops = {
	.read = proxy_read,
	.write = proxy_write,
	.llseek = proxy_llseek,
	.readdir = proxy_readdir,
	.ioctl = proxy_ioctl,
	.poll = proxy_poll,
	.mmap_fd = proxy_mmap_fd,
	.fsync = proxy_fsync,
	.fstat = proxy_fstat,
	.release = proxy_release,
};

static const struct file_ops proxy_stream_fops = {
	.read = proxy_read,
	.write = proxy_write,
	.readdir = proxy_readdir,
	.ioctl = proxy_ioctl,
	.poll = proxy_poll,
	.mmap_fd = proxy_mmap_fd,
	.fsync = proxy_fsync,
	.fstat = proxy_fstat,
	.release = proxy_release,
};

/* A path to a proxy of orig, owned by c's process. */
static int make_proxy(const struct proc_ctx *c, struct file *orig, struct path *out)
{
	struct super_block *sb = orig->inode ? orig->inode->sb : c->fs->sb;
	struct proxy *p = malloc(sizeof *p);
	if (!p)
		return -ENOMEM;
	struct inode *inode = inode_new(sb, S_IFREG | 0600, &proxy_iops, NULL);
	if (!inode) {
		free(p);
		return -ENOMEM;
	}
	file_get(orig);
	p->orig = orig;
	inode->priv = p;
	inode->destroy = proxy_destroy;
	int err = proxy_getattr(inode);
	if (err < 0) {
		inode_put(inode);
		return err;
	}
	pthread_mutex_lock(&c->k->lock);
	struct thread_group *tg = proc_tg_locked(c);
	if (tg) {
		inode->uid = tg->cred.euid;
		inode->gid = tg->cred.egid;
	}
	pthread_mutex_unlock(&c->k->lock);
	struct dentry *d = dentry_new_root(inode);
	inode_put(inode);
	if (!d)
		return -ENOMEM;
	/* On the root mount: no nodev or noexec to stand in the way of what
	 * the file is (a terminal, say). */
	out->mnt = mount_table_root(c->k->mounts);
	mount_get(out->mnt);
	out->dentry = d;
	return 0;
}

/* --- link text -------------------------------------------------------------------- */

/* The reader's root, from which paths are shown. */
static void reader_root(const struct proc_ctx *c, struct path *root)
{
	struct task *t = c->reader;
	if (t && t->fs) {
		pthread_mutex_lock(&t->fs->lock);
		*root = t->fs->root;
		path_get(root);
		pthread_mutex_unlock(&t->fs->lock);
		return;
	}
	*root = c->k->root;
	path_get(root);
}

static int path_text(const struct proc_ctx *c, const struct path *p, char *buf, size_t size)
{
	struct path root;
	reader_root(c, &root);
	int n = path_to_string(p, &root, buf, size);
	path_put(&root);
	return n;
}

static int host_text(const struct stat *st, char *buf, size_t size)
{
	unsigned long long ino = (unsigned long long)st->st_ino;
	unsigned ma = major(st->st_rdev), mi = minor(st->st_rdev);
	switch (st->st_mode & S_IFMT) {
	case S_IFIFO:
		return snprintf(buf, size, "pipe:[%llu]", ino);
	case S_IFSOCK:
		return snprintf(buf, size, "socket:[%llu]", ino);
	case S_IFCHR:
		if (ma >= 136 && ma <= 143)
			return snprintf(buf, size, "/dev/pts/%u", (ma - 136) * 256 + mi);
		if (ma == 5 && mi == 0)
			return snprintf(buf, size, "/dev/tty");
		if (ma == 5 && mi == 1)
			return snprintf(buf, size, "/dev/console");
		if (ma == 4 && mi < 64)
			return snprintf(buf, size, "/dev/tty%u", mi);
		if (ma == 1) {
			static const char *const mem[] = { [3] = "null", [5] = "zero", [7] = "full",
							   [8] = "random", [9] = "urandom" };
			if (mi < 10 && mem[mi])
				return snprintf(buf, size, "/dev/%s", mem[mi]);
		}
		return snprintf(buf, size, "/dev/char/%u:%u", ma, mi);
	default:
		return snprintf(buf, size, "host:[%llu]", ino);
	}
}

/* What /proc/[pid]/fd/N says about f (into buf of LINK_TEXT_MAX). */
static int file_text(const struct proc_ctx *c, struct file *f, char *buf, size_t size)
{
	f = unproxy(f);
	if (f->path.dentry)
		return path_text(c, &f->path, buf, size);
	struct inode *inode = f->inode;
	if (inode) {
		unsigned long long ino = (unsigned long long)inode->ino;
		if (inode->sb->magic == PIPEFS_MAGIC)
			return snprintf(buf, size, "pipe:[%llu]", ino);
		if (inode->sb->magic == SOCKFS_MAGIC)
			return snprintf(buf, size, "socket:[%llu]", ino);
		return snprintf(buf, size, "anon_inode:%s",
				inode->sb->fstype ? inode->sb->fstype : "unknown");
	}
	struct stat st;
	if (f->fop && f->fop->fstat && f->fop->fstat(f, &st) == 0)
		return host_text(&st, buf, size);
	return snprintf(buf, size, "anon_inode:[unknown]");
}

static int copy_text(char *buf, size_t size, const char *text, int n)
{
	if (n < 0)
		return n;
	return proc_copy_link(buf, size, text, (size_t)n);
}

/* --- fd/ and fdinfo/ ---------------------------------------------------------------- */

static int parse_fd(const char *name)
{
	if (name[0] < '0' || name[0] > '9' || (name[0] == '0' && name[1]))
		return -1;
	long v = 0;
	for (const char *p = name; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (*p - '0');
		if (v >= FD_MAX)
			return -1;
	}
	return (int)v;
}

/* The open file at c->fd (new reference), with its close-on-exec flag. */
static struct file *ctx_file(const struct proc_ctx *c, bool *cloexec)
{
	struct fdtable *files = proc_get_files(c);
	if (!files)
		return NULL;
	struct file *f = fd_get(files, c->fd);
	if (f && cloexec)
		*cloexec = fd_get_cloexec(files, c->fd) > 0;
	fdtable_put(files);
	return f;
}

static int fd_lookup_common(const struct proc_ctx *dir, const char *name, struct proc_ctx *out,
			    const struct proc_entry *e)
{
	int fd = parse_fd(name);
	if (fd < 0)
		return -ENOENT;
	struct proc_ctx c = *dir;
	c.entry = e;
	c.fd = fd;
	struct file *f = ctx_file(&c, NULL);
	if (!f)
		return -ENOENT;
	file_put(f);
	*out = c;
	return 0;
}

static int fd_list_common(const struct proc_ctx *dir, struct proc_dirlist *l,
			  const struct proc_entry *e)
{
	struct fdtable *files = proc_get_files(dir);
	if (!files)
		return 0;
	int max = fdtable_max_fd(files), err = 0;
	for (int fd = 0; fd < max && err == 0; fd++) {
		struct file *f = fd_get(files, fd);
		if (!f)
			continue;
		file_put(f);
		char name[16];
		snprintf(name, sizeof name, "%d", fd);
		err = proc_dirlist_add(l, name, proc_ino(e, dir->tgid, dir->tid, fd),
				       proc_dtype(e->mode));
	}
	fdtable_put(files);
	return err;
}

int proc_fd_lookup(const struct proc_ctx *dir, const char *name, struct proc_ctx *out)
{
	return fd_lookup_common(dir, name, out, &proc_fd_link_entry);
}

int proc_fd_list(const struct proc_ctx *dir, struct proc_dirlist *l)
{
	return fd_list_common(dir, l, &proc_fd_link_entry);
}

int proc_fdinfo_lookup(const struct proc_ctx *dir, const char *name, struct proc_ctx *out)
{
	return fd_lookup_common(dir, name, out, &proc_fdinfo_file_entry);
}

int proc_fdinfo_list(const struct proc_ctx *dir, struct proc_dirlist *l)
{
	return fd_list_common(dir, l, &proc_fdinfo_file_entry);
}

/* As Linux: the link's permission bits say how the file is open. */
void proc_fd_link_setup(const struct proc_ctx *c, struct inode *inode)
{
	struct file *f = ctx_file(c, NULL);
	mode_t mode = S_IFLNK;
	if (f) {
		if (file_readable(f))
			mode |= S_IRUSR | S_IXUSR;
		if (file_writable(f))
			mode |= S_IWUSR | S_IXUSR;
		file_put(f);
	}
	inode->mode = mode;
	inode->size = 64;
}

int proc_fd_readlink(const struct proc_ctx *c, char *buf, size_t size)
{
	int err = proc_may_access(c);
	if (err < 0)
		return err;
	struct file *f = ctx_file(c, NULL);
	if (!f)
		return -ENOENT;
	char *text = malloc(LINK_TEXT_MAX);
	int n = text ? file_text(c, f, text, LINK_TEXT_MAX) : -ENOMEM;
	file_put(f);
	n = copy_text(buf, size, text, n);
	free(text);
	return n;
}

int proc_fd_get_link(const struct proc_ctx *c, struct path *out)
{
	int err = proc_may_access(c);
	if (err < 0)
		return err;
	struct file *f = ctx_file(c, NULL);
	if (!f)
		return -ENOENT;
	if (f->path.dentry) {
		*out = f->path;
		path_get(out);
	} else {
		err = make_proxy(c, f, out);
	}
	file_put(f);
	return err;
}

int proc_fdinfo_show(const struct proc_ctx *c, struct strbuf *b)
{
	bool cloexec = false;
	struct file *f = ctx_file(c, &cloexec);
	if (!f)
		return -ENOENT;
	struct file *o = unproxy(f);
	unsigned flags = f->flags | (cloexec ? O_CLOEXEC : 0);
	unsigned long long ino = 0;
	if (o->inode) {
		ino = o->inode->ino;
	} else {
		struct stat st;
		if (o->fop && o->fop->fstat && o->fop->fstat(o, &st) == 0)
			ino = st.st_ino;
	}
	int mnt_id = o->path.mnt ? o->path.mnt->id : 0;
	strbuf_printf(b, "pos:\t%lld\nflags:\t0%o\nmnt_id:\t%d\nino:\t%llu\n", (long long)f->pos,
		    flags, mnt_id, ino);
	file_put(f);
	return 0;
}

struct proc_entry proc_fd_link_entry = {
	.name = "[fd]",
	.mode = S_IFLNK | 0700,
	.readlink = proc_fd_readlink,
	.get_link = proc_fd_get_link,
	.setup = proc_fd_link_setup,
};

struct proc_entry proc_fdinfo_file_entry = {
	.name = "[fdinfo]",
	.mode = S_IFREG | 0444,
	.flags = PE_PRIVATE,
	.show = proc_fdinfo_show,
};

/* --- exe, cwd, root ------------------------------------------------------------------ */

static int exe_path(const struct proc_ctx *c, struct path *out)
{
	int err = -ENOENT;
	pthread_mutex_lock(&c->k->lock);
	struct thread_group *tg = proc_tg_locked(c);
	if (tg && tg->state == TG_ALIVE && tg->exe.dentry) {
		*out = tg->exe;
		path_get(out);
		err = 0;
	}
	pthread_mutex_unlock(&c->k->lock);
	return err;
}

static int cwd_path(const struct proc_ctx *c, struct path *out)
{
	return proc_get_fs_paths(c, NULL, out);
}

static int root_path(const struct proc_ctx *c, struct path *out)
{
	return proc_get_fs_paths(c, out, NULL);
}

static int magic_readlink(const struct proc_ctx *c, char *buf, size_t size,
			  int (*get)(const struct proc_ctx *, struct path *))
{
	int err = proc_may_access(c);
	if (err < 0)
		return err;
	struct path p;
	if ((err = get(c, &p)) < 0)
		return err;
	char *text = malloc(LINK_TEXT_MAX);
	int n = text ? path_text(c, &p, text, LINK_TEXT_MAX) : -ENOMEM;
	path_put(&p);
	n = copy_text(buf, size, text, n);
	free(text);
	return n;
}

static int magic_get_link(const struct proc_ctx *c, struct path *out,
			  int (*get)(const struct proc_ctx *, struct path *))
{
	int err = proc_may_access(c);
	if (err < 0)
		return err;
	return get(c, out);
}

int proc_exe_readlink(const struct proc_ctx *c, char *buf, size_t size)
{
	return magic_readlink(c, buf, size, exe_path);
}

int proc_exe_get_link(const struct proc_ctx *c, struct path *out)
{
	return magic_get_link(c, out, exe_path);
}

int proc_cwd_readlink(const struct proc_ctx *c, char *buf, size_t size)
{
	return magic_readlink(c, buf, size, cwd_path);
}

int proc_cwd_get_link(const struct proc_ctx *c, struct path *out)
{
	return magic_get_link(c, out, cwd_path);
}

int proc_root_readlink(const struct proc_ctx *c, char *buf, size_t size)
{
	return magic_readlink(c, buf, size, root_path);
}

int proc_root_get_link(const struct proc_ctx *c, struct path *out)
{
	return magic_get_link(c, out, root_path);
}
