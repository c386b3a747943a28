/* The gofer's read-side ops (attach, walk, stat, open, readlink, readdir,
 * statfs, release), the helpers every op uses, and the op table.  The ops
 * that change the host tree are in ops_modify.c. */
#include "gofer/internal.h"

#include "common/cleanup.h"
#include "common/log.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

/* --- helpers -------------------------------------------------------------- */

int gofer_get_node(struct gofer_server *s, uint64_t id, struct gofer_node *n)
{
	return nodes_get(&s->nodes, id, n);
}

/* A node that the op is about to modify: EROFS on a read-only mount. */
int gofer_get_writable(struct gofer_server *s, uint64_t id, struct gofer_node *n)
{
	int r = nodes_get(&s->nodes, id, n);
	if (r < 0)
		return r;
	return s->mounts[n->mount].readonly ? -EROFS : 0;
}

static bool have_openat2 = true;

/* One component beneath dirfd, never following a symlink: a symlink comes
 * back as itself (O_PATH|O_NOFOLLOW), for the sentry to read and resolve.
 * The name was checked by the decoder (no '/', not "." or ".."), so the
 * openat fallback for kernels without openat2 cannot leave dirfd either. */
int gofer_open_beneath(int dirfd, const char *name)
{
	int flags = O_PATH | O_NOFOLLOW | O_CLOEXEC;
	if (have_openat2) {
		struct open_how how = {
			.flags = (uint64_t)flags,
			.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS,
		};
		long fd;
		do
			fd = syscall(SYS_openat2, dirfd, name, &how, sizeof how);
		while (fd < 0 && errno == EAGAIN);
		if (fd >= 0 || errno != ENOSYS)
			return fd < 0 ? -errno : (int)fd;
		have_openat2 = false;
	}
	int fd = openat(dirfd, name, flags);
	return fd < 0 ? -errno : fd;
}

/* Opens the file a node's O_PATH fd refers to, through /proc/self/fd.  This
 * cannot use O_NOFOLLOW (the kernel refuses to open a magic link with it,
 * ELOOP), and need not: the magic link leads to the very inode the node
 * holds, not to a path, and callers have checked its type. */
int gofer_reopen(struct gofer_server *s, int fd, int flags)
{
	char name[16];
	snprintf(name, sizeof name, "%d", fd);
	int r = openat(s->procfd, name, flags | O_CLOEXEC | O_NOCTTY);
	return r < 0 ? -errno : r;
}

/* Puts *fd in the node table (stealing it) and the id and stat in rp. */
int gofer_reply_node(struct gofer_server *s, int *fd, uint32_t mount,
		     const struct stat *st, struct gofer_reply *rp)
{
	uint64_t id;
	int r = nodes_add(&s->nodes, *fd, mount, st->st_dev, &id);
	if (r < 0)
		return r;
	*fd = -1;
	rp->node = id;
	gofer_stat_from_host(&rp->stat, st);
	return 0;
}

int gofer_reply_stat(int fd, struct gofer_reply *rp)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return -errno;
	gofer_stat_from_host(&rp->stat, &st);
	return 0;
}

/* Magic numbers linux/magic.h may lack on older systems. */
#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC 0xcafe4a11
#endif
#ifndef TRACEFS_MAGIC
#define TRACEFS_MAGIC 0x74726163
#endif
#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif
#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif
#ifndef BINDERFS_SUPER_MAGIC
#define BINDERFS_SUPER_MAGIC 0x6c6f6f70
#endif
#ifndef RDTGROUP_SUPER_MAGIC
#define RDTGROUP_SUPER_MAGIC 0x7655821
#endif
#ifndef BINFMTFS_MAGIC
#define BINFMTFS_MAGIC 0x42494e4d
#endif
#ifndef CONFIGFS_MAGIC
#define CONFIGFS_MAGIC 0x62656570
#endif
#ifndef FUSECTL_SUPER_MAGIC
#define FUSECTL_SUPER_MAGIC 0x65735543
#endif
#ifndef MQUEUE_MAGIC
#define MQUEUE_MAGIC 0x19800202
#endif
#ifndef RPC_PIPEFS_MAGIC
#define RPC_PIPEFS_MAGIC 0x67596969
#endif
#ifndef NFSD_MAGIC
#define NFSD_MAGIC 0x6e667364
#endif
#ifndef USBDEVICE_SUPER_MAGIC
#define USBDEVICE_SUPER_MAGIC 0x9fa2
#endif

/* Host file systems that expose the host kernel rather than files: their
 * contents are never served (the sentry has its own proc, sys and dev).
 * devtmpfs shares tmpfs's magic; its device nodes are refused by OPEN. */
static const unsigned long pseudo_fs[] = {
	PROC_SUPER_MAGIC, SYSFS_MAGIC, DEVPTS_SUPER_MAGIC, DEBUGFS_MAGIC,
	TRACEFS_MAGIC, SECURITYFS_MAGIC, SELINUX_MAGIC, SMACK_MAGIC,
	CGROUP_SUPER_MAGIC, CGROUP2_SUPER_MAGIC, BPF_FS_MAGIC, CONFIGFS_MAGIC,
	PSTOREFS_MAGIC, EFIVARFS_MAGIC, BINFMTFS_MAGIC, FUSECTL_SUPER_MAGIC,
	AUTOFS_SUPER_MAGIC, MQUEUE_MAGIC, NSFS_MAGIC, BINDERFS_SUPER_MAGIC,
	RDTGROUP_SUPER_MAGIC, RPC_PIPEFS_MAGIC, NFSD_MAGIC, USBDEVICE_SUPER_MAGIC,
	OPENPROM_SUPER_MAGIC,
};

int gofer_check_fs(int fd)
{
	struct statfs sf;
	if (fstatfs(fd, &sf) < 0)
		return -errno;
	unsigned long type = (unsigned long)sf.f_type & 0xffffffffu;
	for (size_t i = 0; i < sizeof pseudo_fs / sizeof pseudo_fs[0]; i++) {
		if (type == pseudo_fs[i])
			return -EACCES;
	}
	return 0;
}

/* --- ops ------------------------------------------------------------------ */

static int op_attach(struct gofer_server *s, const struct gofer_req *rq,
		     struct gofer_reply *rp, int *donate)
{
	if (rq->mount >= s->nmounts)
		return -EINVAL;
	if (s->roots[rq->mount] < 0)
		return s->roots[rq->mount];
	_cleanup_close_ int fd = fcntl(s->roots[rq->mount], F_DUPFD_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	struct stat st;
	if (fstat(fd, &st) < 0)
		return -errno;
	return gofer_reply_node(s, &fd, rq->mount, &st, rp);
}

static int op_walk(struct gofer_server *s, const struct gofer_req *rq,
		   struct gofer_reply *rp, int *donate)
{
	struct gofer_node dir;
	int r = gofer_get_node(s, rq->node, &dir);
	if (r < 0)
		return r;
	_cleanup_close_ int fd = gofer_open_beneath(dir.fd, rq->name);
	if (fd < 0)
		return fd;
	struct stat st;
	if (fstat(fd, &st) < 0)
		return -errno;
	/* Only a mount crossing can lead onto another file system. */
	if (st.st_dev != dir.dev) {
		r = gofer_check_fs(fd);
		if (r < 0)
			return r;
	}
	return gofer_reply_node(s, &fd, dir.mount, &st, rp);
}

static int op_stat(struct gofer_server *s, const struct gofer_req *rq,
		   struct gofer_reply *rp, int *donate)
{
	struct gofer_node n;
	int r = gofer_get_node(s, rq->node, &n);
	return r < 0 ? r : gofer_reply_stat(n.fd, rp);
}

/* Whether a file of this type may be opened with these flags: the guest
 * only ever gets regular files and (read-only) directories. */
static int check_openable(mode_t mode, int flags)
{
	bool writes = (flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC);
	switch (mode & S_IFMT) {
	case S_IFREG:
		return (flags & O_DIRECTORY) ? -ENOTDIR : 0;
	case S_IFDIR:
		/* The sentry lists directories with READDIR; a directory fd in
		 * the sentry would be a way out of the root (openat(fd, "..")). */
		(void)writes;
		return -EISDIR;
	case S_IFLNK:
		return -ELOOP;
	case S_IFIFO:
	case S_IFSOCK:
		return -ENXIO;
	default:
		return -EACCES;
	}
}

static int op_open(struct gofer_server *s, const struct gofer_req *rq,
		   struct gofer_reply *rp, int *donate)
{
	struct gofer_node n;
	int r = gofer_get_node(s, rq->node, &n);
	if (r < 0)
		return r;
	struct stat st;
	if (fstat(n.fd, &st) < 0)
		return -errno;
	int flags = (int)rq->flags;
	r = check_openable(st.st_mode, flags);
	if (r < 0)
		return r;
	bool writes = (flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC);
	if (writes && s->mounts[n.mount].readonly)
		return -EROFS;
	int fd = gofer_reopen(s, n.fd, flags);
	if (fd < 0)
		return fd;
	*donate = fd;
	return 0;
}

static int op_readlink(struct gofer_server *s, const struct gofer_req *rq,
		       struct gofer_reply *rp, int *donate)
{
	struct gofer_node n;
	int r = gofer_get_node(s, rq->node, &n);
	if (r < 0)
		return r;
	struct stat st;
	if (fstat(n.fd, &st) < 0)
		return -errno;
	if (!S_ISLNK(st.st_mode))
		return -EINVAL;
	ssize_t len = readlinkat(n.fd, "", rp->target, sizeof rp->target);
	if (len < 0)
		return -errno;
	if (len == 0 || (size_t)len > GOFER_PATH_MAX)
		return -ENAMETOOLONG;
	rp->target[len] = '\0';
	return 0;
}

static int op_statfs(struct gofer_server *s, const struct gofer_req *rq,
		     struct gofer_reply *rp, int *donate)
{
	struct gofer_node n;
	int r = gofer_get_node(s, rq->node, &n);
	if (r < 0)
		return r;
	struct statfs sf;
	if (fstatfs(n.fd, &sf) < 0)
		return -errno;
	gofer_statfs_from_host(&rp->statfs, &sf);
	return 0;
}

static int op_release(struct gofer_server *s, const struct gofer_req *rq,
		      struct gofer_reply *rp, int *donate)
{
	return nodes_release(&s->nodes, rq->node);
}

/* --- readdir -------------------------------------------------------------- */

struct dir_batch {
	uint8_t *buf;
	size_t used;
	uint32_t count;
	uint64_t cookie;	/* resumes after the last entry taken */
	bool full;
};

/* Takes the entries of one getdents64 buffer until the reply is full. */
static void batch_add(struct dir_batch *b, const char *ents, size_t len)
{
	for (size_t off = 0; off < len && !b->full;) {
		const struct dirent64 *d = (const void *)(ents + off);
		off += d->d_reclen;
		bool dot = !strcmp(d->d_name, ".") || !strcmp(d->d_name, "..");
		if (!dot) {
			int r = gofer_dirent_put(b->buf, GOFER_DIRENTS_MAX, &b->used, d->d_ino,
						 (uint64_t)d->d_off, d->d_type, d->d_name);
			if (r == -ENOSPC) {
				b->full = true;
				return;
			}
			if (r == 0)
				b->count++;
		}
		b->cookie = (uint64_t)d->d_off;
	}
}

static int read_batch(int dfd, struct dir_batch *b, bool *eof)
{
	char ents[32768] __attribute__((aligned(8)));
	while (!b->full) {
		ssize_t n = getdents64(dfd, ents, sizeof ents);
		if (n < 0)
			return -errno;
		if (n == 0) {
			*eof = true;
			return 0;
		}
		batch_add(b, ents, (size_t)n);
	}
	return 0;
}

static int op_readdir(struct gofer_server *s, const struct gofer_req *rq,
		      struct gofer_reply *rp, int *donate)
{
	struct gofer_node n;
	int r = gofer_get_node(s, rq->node, &n);
	if (r < 0)
		return r;
	struct stat st;
	if (fstat(n.fd, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	_cleanup_close_ int dfd = gofer_reopen(s, n.fd, O_RDONLY | O_DIRECTORY);
	if (dfd < 0)
		return dfd;
	if (rq->cookie > INT64_MAX || lseek(dfd, (off_t)rq->cookie, SEEK_SET) < 0)
		return -EINVAL;
	struct dir_batch b = { .buf = s->dirents, .cookie = rq->cookie };
	bool eof = false;
	r = read_batch(dfd, &b, &eof);
	if (r < 0)
		return r;
	rp->cookie = b.cookie;
	rp->eof = eof;
	rp->count = b.count;
	rp->dirents = b.buf;
	rp->dirents_len = b.used;
	return 0;
}

const gofer_op_fn gofer_ops[GOFER_OP_COUNT] = {
	[GOFER_OP_ATTACH]   = op_attach,
	[GOFER_OP_WALK]     = op_walk,
	[GOFER_OP_STAT]     = op_stat,
	[GOFER_OP_OPEN]     = op_open,
	[GOFER_OP_CREATE]   = gofer_op_create,
	[GOFER_OP_MKDIR]    = gofer_op_mkdir,
	[GOFER_OP_MKNOD]    = gofer_op_mknod,
	[GOFER_OP_SYMLINK]  = gofer_op_symlink,
	[GOFER_OP_LINK]     = gofer_op_link,
	[GOFER_OP_UNLINK]   = gofer_op_unlink,
	[GOFER_OP_RENAME]   = gofer_op_rename,
	[GOFER_OP_READLINK] = op_readlink,
	[GOFER_OP_SETATTR]  = gofer_op_setattr,
	[GOFER_OP_READDIR]  = op_readdir,
	[GOFER_OP_STATFS]   = op_statfs,
	[GOFER_OP_RELEASE]  = op_release,
};
