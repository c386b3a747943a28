/* The sentry's gofer client: one request, one reply, under a mutex.
 *
 * Everything that comes back is checked (protocol decoder, op and tag
 * echoed, exactly the fds the op allows); anything else means the gofer is
 * gone or not to be trusted, and the client turns "broken": that call and
 * every later one return -EIO, and any fd that came along is closed. */
#include "sentry/fs/gofer_client.h"

#include "common/log.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Receive room for a few fds, so that a misbehaving gofer's extra fds are
 * all seen and closed rather than silently dropped. */
#define CMSG_FDS 4

struct gofer_client {
	int sock;
	pthread_mutex_t lock;
	/* Everything below is protected by lock. */
	bool broken;
	uint32_t tag;
	struct gofer_req req;
	struct gofer_reply reply;
	uint8_t out[GOFER_MSG_MAX];
	uint8_t in[GOFER_MSG_MAX];
};

int gofer_client_new(int sock, struct gofer_client **out)
{
	int type;
	socklen_t len = sizeof type;
	if (getsockopt(sock, SOL_SOCKET, SO_TYPE, &type, &len) < 0)
		return -errno;
	if (type != SOCK_SEQPACKET)
		return -EINVAL;
	struct gofer_client *c = calloc(1, sizeof *c);
	if (!c)
		return -ENOMEM;
	int r = pthread_mutex_init(&c->lock, NULL);
	if (r != 0) {
		free(c);
		return -r;
	}
	c->sock = sock;
	*out = c;
	return 0;
}

void gofer_client_free(struct gofer_client *c)
{
	if (!c)
		return;
	close(c->sock);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

void gofer_client_shutdown(struct gofer_client *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&c->lock);
	c->broken = true;
	shutdown(c->sock, SHUT_RDWR);
	pthread_mutex_unlock(&c->lock);
}

int gofer_client_sock(const struct gofer_client *c)
{
	return c ? c->sock : -1;
}

/* --- transport ------------------------------------------------------------ */

static int send_request(struct gofer_client *c, size_t len)
{
	ssize_t n;
	do
		n = send(c->sock, c->out, len, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

/* Collects the fds that came with a reply: up to one in *fd, the count in
 * the result; all are closed if there were more than one. */
static int take_fds(struct msghdr *mh, int *fd)
{
	int count = 0;
	for (struct cmsghdr *h = CMSG_FIRSTHDR(mh); h; h = CMSG_NXTHDR(mh, h)) {
		if (h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS)
			continue;
		size_t n = (h->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n; i++, count++) {
			int got;
			memcpy(&got, CMSG_DATA(h) + i * sizeof got, sizeof got);
			if (count == 0)
				*fd = got;
			else
				close(got);
		}
	}
	if (count > 1 && *fd >= 0)
		close(*fd);
	return count;
}

/* Receives and decodes the reply to c->req; *fd gets its fd, if the op
 * allows one.  0; -EMFILE if the reply is right but its fd could not be
 * installed here (the sentry is out of fds: the stream is still good); or
 * -EIO for anything unexpected. */
static int recv_reply(struct gofer_client *c, int *fd)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int) * CMSG_FDS)];
	} control;
	struct iovec iov = { .iov_base = c->in, .iov_len = sizeof c->in };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control.buf, .msg_controllen = sizeof control.buf,
	};
	ssize_t n;
	do
		n = recvmsg(c->sock, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n == 0 || (n < 0 && errno == ECONNRESET))
		return -EPIPE;	/* the gofer is gone */
	if (n < 0)
		return -EIO;
	*fd = -1;
	int nfds = take_fds(&mh, fd);
	bool ctrunc = (mh.msg_flags & MSG_CTRUNC) != 0;
	bool ok = !(mh.msg_flags & MSG_TRUNC) &&
		  gofer_decode_reply(c->in, (size_t)n, &c->reply) == 0 &&
		  c->reply.op == c->req.op && c->reply.tag == c->req.tag;
	int want = ok && c->reply.error == 0 && gofer_op_returns_fd(c->req.op) ? 1 : 0;
	if (ok && ctrunc && want == 1 && nfds == 0)
		return -EMFILE;
	if (!ok || ctrunc || nfds != want) {
		if (nfds == 1)
			close(*fd);
		*fd = -1;
		return -EIO;
	}
	return 0;
}

/* Sends c->req and waits for its reply (in c->reply).  Returns 0, the
 * gofer's error as -errno, -EIO if the stream broke, or the encoder's error
 * for arguments that cannot be sent (which leaves the stream intact). */
static int transact(struct gofer_client *c, int *fd)
{
	int dummy;
	if (!fd)
		fd = &dummy;
	*fd = -1;
	if (c->broken)
		return -EIO;
	c->req.tag = ++c->tag;
	int len = gofer_encode_req(&c->req, c->out, sizeof c->out);
	if (len < 0)
		return len;
	int r = send_request(c, (size_t)len);
	if (r == 0)
		r = recv_reply(c, fd);
	if (r == -EMFILE)
		return r;
	if (r < 0) {
		/* A gofer that died is reported once, by whoever watches it
		 * (the kernel's gofer watcher); anything else is said here. */
		if (r == -EPIPE || r == -ECONNRESET)
			log_debug("gofer client: %s: the gofer is gone",
				  gofer_op_name(c->req.op));
		else
			log_error("gofer client: %s failed (%s); the gofer is unusable",
				  gofer_op_name(c->req.op), strerror(-r));
		c->broken = true;
		return -EIO;
	}
	return c->reply.error ? -(int)c->reply.error : 0;
}

/* Resets c->req for op; the strings are left as they were. */
static struct gofer_req *reset(struct gofer_client *c, uint16_t op, uint64_t node)
{
	struct gofer_req *rq = &c->req;
	memset(rq, 0, offsetof(struct gofer_req, name));
	rq->op = op;
	rq->node = node;
	return rq;
}

/* Locks the client and starts a request. */
static struct gofer_req *begin(struct gofer_client *c, uint16_t op, uint64_t node)
{
	pthread_mutex_lock(&c->lock);
	return reset(c, op, node);
}

static void end(struct gofer_client *c)
{
	pthread_mutex_unlock(&c->lock);
}

/* Copies the names, then runs the request. */
static int transact_named(struct gofer_client *c, const char *name, const char *name2,
			  const char *target, int *fd)
{
	int r = gofer_copy_name(c->req.name, name);
	if (r == 0 && name2)
		r = gofer_copy_name(c->req.name2, name2);
	if (r == 0 && target)
		r = gofer_copy_target(c->req.target, target);
	return r < 0 ? r : transact(c, fd);
}

static void out_stat(const struct gofer_client *c, struct stat *st)
{
	if (st)
		gofer_stat_to_host(st, &c->reply.stat);
}

static void out_node(const struct gofer_client *c, gofer_node_t *node, struct stat *st)
{
	*node = c->reply.node;
	out_stat(c, st);
}

/* --- ops ------------------------------------------------------------------ */

int gofer_attach(struct gofer_client *c, uint32_t index, gofer_node_t *node, struct stat *st)
{
	struct gofer_req *rq = begin(c, GOFER_OP_ATTACH, 0);
	rq->mount = index;
	int r = transact(c, NULL);
	if (r == 0)
		out_node(c, node, st);
	end(c);
	return r;
}

int gofer_walk(struct gofer_client *c, gofer_node_t dir, const char *name,
	       gofer_node_t *node, struct stat *st)
{
	begin(c, GOFER_OP_WALK, dir);
	int r = transact_named(c, name, NULL, NULL, NULL);
	if (r == 0)
		out_node(c, node, st);
	end(c);
	return r;
}

int gofer_stat(struct gofer_client *c, gofer_node_t node, struct stat *st)
{
	begin(c, GOFER_OP_STAT, node);
	int r = transact(c, NULL);
	if (r == 0)
		out_stat(c, st);
	end(c);
	return r;
}

int gofer_open(struct gofer_client *c, gofer_node_t node, int flags, int *fd)
{
	struct gofer_req *rq = begin(c, GOFER_OP_OPEN, node);
	rq->flags = (uint32_t)flags;
	int r = transact(c, fd);
	end(c);
	return r;
}

/* The file was made but its fd could not be received (the sentry is out of
 * fds): take it back, so that the failed create leaves nothing behind, on
 * the host or in the gofer's node table.  c->req.name is still the name. */
static void undo_create(struct gofer_client *c, gofer_node_t dir)
{
	reset(c, GOFER_OP_RELEASE, c->reply.node);
	transact(c, NULL);
	reset(c, GOFER_OP_UNLINK, dir);
	transact(c, NULL);
}

int gofer_create(struct gofer_client *c, gofer_node_t dir, const char *name, int flags,
		 mode_t mode, uid_t uid, gid_t gid, gofer_node_t *node, struct stat *st,
		 int *fd)
{
	struct gofer_req *rq = begin(c, GOFER_OP_CREATE, dir);
	rq->flags = (uint32_t)flags;
	rq->mode = mode;
	rq->uid = uid;
	rq->gid = gid;
	int r = transact_named(c, name, NULL, NULL, fd);
	if (r == 0)
		out_node(c, node, st);
	if (r == -EMFILE)
		undo_create(c, dir);
	end(c);
	return r;
}

int gofer_mkdir(struct gofer_client *c, gofer_node_t dir, const char *name, mode_t mode,
		uid_t uid, gid_t gid, gofer_node_t *node, struct stat *st)
{
	struct gofer_req *rq = begin(c, GOFER_OP_MKDIR, dir);
	rq->mode = mode;
	rq->uid = uid;
	rq->gid = gid;
	int r = transact_named(c, name, NULL, NULL, NULL);
	if (r == 0)
		out_node(c, node, st);
	end(c);
	return r;
}

int gofer_mknod(struct gofer_client *c, gofer_node_t dir, const char *name, mode_t mode,
		dev_t rdev, uid_t uid, gid_t gid, gofer_node_t *node, struct stat *st)
{
	struct gofer_req *rq = begin(c, GOFER_OP_MKNOD, dir);
	rq->mode = mode;
	rq->rdev = rdev;
	rq->uid = uid;
	rq->gid = gid;
	int r = transact_named(c, name, NULL, NULL, NULL);
	if (r == 0)
		out_node(c, node, st);
	end(c);
	return r;
}

int gofer_symlink(struct gofer_client *c, gofer_node_t dir, const char *name,
		  const char *target, uid_t uid, gid_t gid, gofer_node_t *node,
		  struct stat *st)
{
	struct gofer_req *rq = begin(c, GOFER_OP_SYMLINK, dir);
	rq->uid = uid;
	rq->gid = gid;
	int r = transact_named(c, name, NULL, target, NULL);
	if (r == 0)
		out_node(c, node, st);
	end(c);
	return r;
}

int gofer_link(struct gofer_client *c, gofer_node_t dir, const char *name, gofer_node_t node,
	       struct stat *st)
{
	struct gofer_req *rq = begin(c, GOFER_OP_LINK, dir);
	rq->node2 = node;
	int r = transact_named(c, name, NULL, NULL, NULL);
	if (r == 0)
		out_stat(c, st);
	end(c);
	return r;
}

int gofer_unlink(struct gofer_client *c, gofer_node_t dir, const char *name, int flags)
{
	struct gofer_req *rq = begin(c, GOFER_OP_UNLINK, dir);
	rq->flags = (uint32_t)flags;
	int r = transact_named(c, name, NULL, NULL, NULL);
	end(c);
	return r;
}

int gofer_rename(struct gofer_client *c, gofer_node_t olddir, const char *oldname,
		 gofer_node_t newdir, const char *newname, unsigned flags)
{
	struct gofer_req *rq = begin(c, GOFER_OP_RENAME, olddir);
	rq->node2 = newdir;
	rq->flags = flags;
	int r = transact_named(c, oldname, newname, NULL, NULL);
	end(c);
	return r;
}

int gofer_readlink(struct gofer_client *c, gofer_node_t node, char *buf, size_t size)
{
	begin(c, GOFER_OP_READLINK, node);
	int r = transact(c, NULL);
	if (r == 0) {
		size_t len = strlen(c->reply.target);
		if (size > 0) {
			size_t n = len < size ? len : size;
			memcpy(buf, c->reply.target, n);
			if (n < size)
				buf[n] = '\0';
		}
		r = (int)len;
	}
	end(c);
	return r;
}

int gofer_setattr(struct gofer_client *c, gofer_node_t node, const struct gofer_setattr *attr,
		  struct stat *st)
{
	struct gofer_req *rq = begin(c, GOFER_OP_SETATTR, node);
	rq->attr = *attr;
	int r = transact(c, NULL);
	if (r == 0)
		out_stat(c, st);
	end(c);
	return r;
}

int gofer_statfs(struct gofer_client *c, gofer_node_t node, struct statfs *sf)
{
	begin(c, GOFER_OP_STATFS, node);
	int r = transact(c, NULL);
	if (r == 0 && sf)
		gofer_statfs_to_host(sf, &c->reply.statfs);
	end(c);
	return r;
}

int gofer_release(struct gofer_client *c, gofer_node_t node)
{
	begin(c, GOFER_OP_RELEASE, node);
	int r = transact(c, NULL);
	end(c);
	return r;
}

/* --- readdir -------------------------------------------------------------- */

/* One batch, copied out of the client so that fn runs unlocked (it may well
 * call the client itself). */
struct dir_batch {
	uint8_t *ents;
	size_t len;
	uint64_t cookie;
	bool eof;
};

static int fetch_batch(struct gofer_client *c, gofer_node_t dir, uint64_t cookie,
		       struct dir_batch *b)
{
	struct gofer_req *rq = begin(c, GOFER_OP_READDIR, dir);
	rq->cookie = cookie;
	int r = transact(c, NULL);
	if (r == 0) {
		b->len = c->reply.dirents_len;
		b->cookie = c->reply.cookie;
		b->eof = c->reply.eof;
		b->ents = malloc(b->len ? b->len : 1);
		if (b->ents)
			memcpy(b->ents, c->reply.dirents, b->len);
		else
			r = -ENOMEM;
	}
	end(c);
	return r;
}

/* Hands a batch to fn; *stopped if fn refused an entry. */
static int deliver(const struct dir_batch *b, uint64_t *cookie, gofer_dirent_fn fn,
		   void *arg, bool *stopped)
{
	const uint8_t *p = b->ents;
	size_t left = b->len;
	struct gofer_dirent d;
	int n = 0;
	while (gofer_dirent_next(&p, &left, &d) > 0) {
		if (fn(arg, d.name, d.ino, d.type, d.off) != 0) {
			*stopped = true;
			return n;
		}
		*cookie = d.off;
		n++;
	}
	*cookie = b->cookie;
	return n;
}

static int readdir_batch(struct gofer_client *c, gofer_node_t dir, uint64_t *cookie,
			 gofer_dirent_fn fn, void *arg, bool *done)
{
	struct dir_batch b = { 0 };
	int r = fetch_batch(c, dir, *cookie, &b);
	if (r < 0)
		return r;
	bool stopped = false;
	r = deliver(&b, cookie, fn, arg, &stopped);
	free(b.ents);
	*done = stopped || b.eof || r == 0;
	return r;
}

int gofer_readdir(struct gofer_client *c, gofer_node_t dir, uint64_t *cookie,
		  gofer_dirent_fn fn, void *arg)
{
	bool done;
	return readdir_batch(c, dir, cookie, fn, arg, &done);
}

int gofer_readdir_all(struct gofer_client *c, gofer_node_t dir, gofer_dirent_fn fn, void *arg)
{
	uint64_t cookie = 0;
	int total = 0;
	bool done = false;
	while (!done) {
		int r = readdir_batch(c, dir, &cookie, fn, arg, &done);
		if (r < 0)
			return r;
		total += r;
	}
	return total;
}
