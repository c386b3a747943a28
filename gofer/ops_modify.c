/* The gofer's ops that change the host tree: create, mkdir, mknod, symlink,
 * link, unlink, rename, setattr.  Each refuses a read-only mount (EROFS)
 * before touching anything.
 *
 * The sentry has already checked the guest's permissions; the gofer runs as
 * root and gives each new object the guest owner it was asked for.  A new
 * object that cannot be finished (owner, node table full) is removed again,
 * so that a failed call leaves no trace.
 *
 * Rootless (docs/architecture.md), the gofer is root of a user namespace
 * that maps only some ids (the calling user's as 0, perhaps a subordinate
 * range): an owner the host cannot represent leaves a new object the
 * calling user's, and a chown to one fails with EPERM, as for any
 * unprivileged owner on Linux (the host says EINVAL).  Where the kernel
 * gave no user namespace, the gofer is the plain user and may give nothing
 * away (EPERM): new objects stay the user's then too. */
#include "gofer/internal.h"

#include "common/cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

/* Removes what a create-like op made when a later step fails; returns err.
 * EEXIST from finish_new() means the name is no longer ours: left alone. */
static int undo(int dirfd, const char *name, bool dir, int err)
{
	if (err != -EEXIST)
		unlinkat(dirfd, name, dir ? AT_REMOVEDIR : 0);
	return err;
}

/* The owner of a new object: an id with no host counterpart (EINVAL), or
 * one an unprivileged gofer may not give (EPERM), keeps the owner it was
 * created with (rootless). */
static int set_owner(int fd, uint32_t uid, uint32_t gid)
{
	if (fchownat(fd, "", uid, gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0 &&
	    errno != EINVAL && errno != EPERM)
		return -errno;
	return 0;
}

/* chown clears set-user-ID and set-group-ID: put back the mode asked for. */
static int restore_mode(struct gofer_server *s, int fd, uint32_t mode)
{
	if (!(mode & (S_ISUID | S_ISGID)))
		return 0;
	char name[16];
	snprintf(name, sizeof name, "%d", fd);
	return fchmodat(s->procfd, name, mode & 07777, 0) < 0 ? -errno : 0;
}

/* After mkdirat/mknodat/symlinkat: the new object as a node, owned by
 * uid:gid, checked to be of the type just made (the name could have been
 * replaced in between by someone else with access to the host tree). */
static int finish_new(struct gofer_server *s, const struct gofer_node *dir,
		      const struct gofer_req *rq, mode_t type, struct gofer_reply *rp)
{
	_cleanup_close_ int fd = gofer_open_beneath(dir->fd, rq->name);
	if (fd < 0)
		return fd;
	struct stat st;
	if (fstat(fd, &st) < 0)
		return -errno;
	if ((st.st_mode & S_IFMT) != type)
		return -EEXIST;
	int r = set_owner(fd, rq->uid, rq->gid);
	if (r == 0 && type != S_IFLNK)
		r = restore_mode(s, fd, rq->mode);
	if (r == 0 && fstat(fd, &st) < 0)
		r = -errno;
	if (r == 0)
		r = gofer_reply_node(s, &fd, dir->mount, &st, rp);
	return r;
}

int gofer_op_create(struct gofer_server *s, const struct gofer_req *rq,
		    struct gofer_reply *rp, int *donate)
{
	struct gofer_node dir;
	int r = gofer_get_writable(s, rq->node, &dir);
	if (r < 0)
		return r;
	int flags = (int)(rq->flags & (O_ACCMODE | O_TRUNC | O_APPEND));
	/* O_EXCL never follows a symlink, and the name has no '/'. */
	_cleanup_close_ int fd = openat(dir.fd, rq->name,
					flags | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY,
					(mode_t)rq->mode);
	if (fd < 0)
		return -errno;
	r = set_owner(fd, rq->uid, rq->gid);
	if (r == 0)
		r = restore_mode(s, fd, rq->mode);
	if (r < 0)
		return undo(dir.fd, rq->name, false, r);
	/* The node is the file just created, not whatever the name is now. */
	_cleanup_close_ int node = gofer_reopen(s, fd, O_PATH);
	if (node < 0)
		return undo(dir.fd, rq->name, false, node);
	struct stat st;
	if (fstat(node, &st) < 0)
		return undo(dir.fd, rq->name, false, -errno);
	r = gofer_reply_node(s, &node, dir.mount, &st, rp);
	if (r < 0)
		return undo(dir.fd, rq->name, false, r);
	*donate = steal_fd(&fd);
	return 0;
}

int gofer_op_mkdir(struct gofer_server *s, const struct gofer_req *rq,
		   struct gofer_reply *rp, int *donate)
{
	struct gofer_node dir;
	int r = gofer_get_writable(s, rq->node, &dir);
	if (r < 0)
		return r;
	if (mkdirat(dir.fd, rq->name, (mode_t)rq->mode) < 0)
		return -errno;
	r = finish_new(s, &dir, rq, S_IFDIR, rp);
	return r < 0 ? undo(dir.fd, rq->name, true, r) : 0;
}

int gofer_op_mknod(struct gofer_server *s, const struct gofer_req *rq,
		   struct gofer_reply *rp, int *donate)
{
	struct gofer_node dir;
	int r = gofer_get_writable(s, rq->node, &dir);
	if (r < 0)
		return r;
	mode_t type = rq->mode & S_IFMT ? rq->mode & S_IFMT : S_IFREG;
	/* No host devices, ever: the sentry provides its own /dev. */
	if (type == S_IFCHR || type == S_IFBLK)
		return -EPERM;
	if (mknodat(dir.fd, rq->name, type | (rq->mode & 07777), 0) < 0)
		return -errno;
	r = finish_new(s, &dir, rq, type, rp);
	return r < 0 ? undo(dir.fd, rq->name, false, r) : 0;
}

int gofer_op_symlink(struct gofer_server *s, const struct gofer_req *rq,
		     struct gofer_reply *rp, int *donate)
{
	struct gofer_node dir;
	int r = gofer_get_writable(s, rq->node, &dir);
	if (r < 0)
		return r;
	if (symlinkat(rq->target, dir.fd, rq->name) < 0)
		return -errno;
	r = finish_new(s, &dir, rq, S_IFLNK, rp);
	return r < 0 ? undo(dir.fd, rq->name, false, r) : 0;
}

/* Both nodes on the same mount (EXDEV otherwise), and that mount writable. */
static int get_pair(struct gofer_server *s, uint64_t a, uint64_t b,
		    struct gofer_node *na, struct gofer_node *nb)
{
	int r = gofer_get_node(s, a, na);
	if (r < 0)
		return r;
	r = gofer_get_node(s, b, nb);
	if (r < 0)
		return r;
	if (na->mount != nb->mount)
		return -EXDEV;
	return s->mounts[na->mount].readonly ? -EROFS : 0;
}

int gofer_op_link(struct gofer_server *s, const struct gofer_req *rq,
		  struct gofer_reply *rp, int *donate)
{
	struct gofer_node dir, old;
	int r = get_pair(s, rq->node, rq->node2, &dir, &old);
	if (r < 0)
		return r;
	if (linkat(old.fd, "", dir.fd, rq->name, AT_EMPTY_PATH) < 0) {
		/* AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH; the magic link
		 * does not, and leads to the same inode. */
		if (errno != ENOENT && errno != EPERM)
			return -errno;
		char name[16];
		snprintf(name, sizeof name, "%d", old.fd);
		if (linkat(s->procfd, name, dir.fd, rq->name, AT_SYMLINK_FOLLOW) < 0)
			return -errno;
	}
	return gofer_reply_stat(old.fd, rp);
}

int gofer_op_unlink(struct gofer_server *s, const struct gofer_req *rq,
		    struct gofer_reply *rp, int *donate)
{
	struct gofer_node dir;
	int r = gofer_get_writable(s, rq->node, &dir);
	if (r < 0)
		return r;
	return unlinkat(dir.fd, rq->name, (int)rq->flags) < 0 ? -errno : 0;
}

int gofer_op_rename(struct gofer_server *s, const struct gofer_req *rq,
		    struct gofer_reply *rp, int *donate)
{
	struct gofer_node olddir, newdir;
	int r = get_pair(s, rq->node, rq->node2, &olddir, &newdir);
	if (r < 0)
		return r;
	if (renameat2(olddir.fd, rq->name, newdir.fd, rq->name2, rq->flags) < 0)
		return -errno;
	return 0;
}

/* --- setattr -------------------------------------------------------------- */

static int set_size(struct gofer_server *s, int fd, mode_t mode, uint64_t size)
{
	if (S_ISDIR(mode))
		return -EISDIR;
	if (!S_ISREG(mode))
		return -EINVAL;
	_cleanup_close_ int wfd = gofer_reopen(s, fd, O_WRONLY);
	if (wfd < 0)
		return wfd;
	return ftruncate(wfd, (off_t)size) < 0 ? -errno : 0;
}

static struct timespec utime_of(const struct gofer_time *t, bool set)
{
	if (!set)
		return (struct timespec){ .tv_nsec = UTIME_OMIT };
	return (struct timespec){ .tv_sec = t->sec, .tv_nsec = t->nsec };
}

/* Owner first (it clears set-user-ID), then mode, then size, then times
 * (so that times given explicitly win over the truncate's). */
static int apply_attr(struct gofer_server *s, int fd, mode_t mode, const struct gofer_setattr *a)
{
	char name[16];
	snprintf(name, sizeof name, "%d", fd);
	if (a->mask & (GOFER_SETATTR_UID | GOFER_SETATTR_GID)) {
		uid_t uid = a->mask & GOFER_SETATTR_UID ? a->uid : (uid_t)-1;
		gid_t gid = a->mask & GOFER_SETATTR_GID ? a->gid : (gid_t)-1;
		if (fchownat(fd, "", uid, gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
			return errno == EINVAL ? -EPERM : -errno;   /* (unmapped id) */
	}
	if (a->mask & GOFER_SETATTR_MODE) {
		if (S_ISLNK(mode))
			return -EOPNOTSUPP;
		if (fchmodat(s->procfd, name, a->mode, 0) < 0)
			return -errno;
	}
	if (a->mask & GOFER_SETATTR_SIZE) {
		int r = set_size(s, fd, mode, a->size);
		if (r < 0)
			return r;
	}
	if (a->mask & (GOFER_SETATTR_ATIME | GOFER_SETATTR_MTIME)) {
		struct timespec ts[2] = {
			utime_of(&a->atime, a->mask & GOFER_SETATTR_ATIME),
			utime_of(&a->mtime, a->mask & GOFER_SETATTR_MTIME),
		};
		/* Through the magic link: utimensat cannot take an O_PATH fd,
		 * and the link leads to the node itself, symlink or not. */
		if (utimensat(s->procfd, name, ts, 0) < 0)
			return -errno;
	}
	return 0;
}

int gofer_op_setattr(struct gofer_server *s, const struct gofer_req *rq,
		     struct gofer_reply *rp, int *donate)
{
	struct gofer_node n;
	int r = rq->attr.mask ? gofer_get_writable(s, rq->node, &n)
			      : gofer_get_node(s, rq->node, &n);
	if (r < 0)
		return r;
	struct stat st;
	if (fstat(n.fd, &st) < 0)
		return -errno;
	r = apply_attr(s, n.fd, st.st_mode, &rq->attr);
	return r < 0 ? r : gofer_reply_stat(n.fd, rp);
}
