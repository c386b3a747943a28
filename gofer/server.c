/* The gofer's request loop: receive one message, answer it, repeat until
 * the sentry closes its end.  Anything malformed gets an error reply and the
 * loop goes on; only a failing socket ends it. */
#include "gofer/internal.h"

#include "common/cleanup.h"
#include "common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/* Room for a few fds, so that a request carrying several has all of them
 * received and closed (the kernel drops those that do not fit anyway). */
#define CMSG_FDS 8

/* --- set-up --------------------------------------------------------------- */

/* Each node holds an fd: let the table grow to the hard limit. */
static int raise_nofile(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return -errno;
	if (rl.rlim_cur == rl.rlim_max)
		return 0;
	rl.rlim_cur = rl.rlim_max;
	return setrlimit(RLIMIT_NOFILE, &rl) < 0 ? -errno : 0;
}

/* The root of a mount (a directory, or a regular file for a file bind
 * mount such as a container's /etc/hosts), or -errno, which ATTACH will
 * report; the sentry checks the type it gets. */
static int open_root(const struct gofer_mount *m)
{
	if (!m->host_path || m->host_path[0] != '/')
		return -EINVAL;
	int fd = open(m->host_path, O_PATH | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		log_error("mount %s: %s", m->host_path, strerror(e));
		return -e;
	}
	int r = gofer_check_fs(fd);
	if (r < 0) {
		log_error("mount %s: a host pseudo file system, refused", m->host_path);
		close(fd);
		return r;
	}
	return fd;
}

static int server_init(struct gofer_server *s, int sock, const struct gofer_mount *mounts,
		       size_t nmounts, uint32_t max_nodes)
{
	s->sock = sock;
	s->mounts = mounts;
	s->nmounts = nmounts;
	s->procfd = -1;
	nodes_init(&s->nodes, max_nodes);
	s->roots = calloc(nmounts ? nmounts : 1, sizeof *s->roots);
	if (!s->roots)
		return -ENOMEM;
	for (size_t i = 0; i < nmounts; i++)
		s->roots[i] = open_root(&mounts[i]);
	s->procfd = open("/proc/self/fd", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (s->procfd < 0) {
		int e = errno;
		log_error("/proc/self/fd: %s", strerror(e));
		return -e;
	}
	return 0;
}

static void server_destroy(struct gofer_server *s)
{
	nodes_destroy(&s->nodes);
	for (size_t i = 0; s->roots && i < s->nmounts; i++) {
		if (s->roots[i] >= 0)
			close(s->roots[i]);
	}
	free(s->roots);
	if (s->procfd >= 0)
		close(s->procfd);
	free(s);
}

/* --- transport ------------------------------------------------------------ */

struct received {
	size_t len;
	bool truncated;		/* larger than GOFER_MSG_MAX */
	bool fds;		/* came with fds (now closed) */
	bool eof;		/* the peer is gone */
};

/* Closes every fd that came with a message; true if there were any. */
static bool close_received_fds(struct msghdr *mh)
{
	bool any = (mh->msg_flags & MSG_CTRUNC) != 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n; i++) {
			int fd;
			memcpy(&fd, CMSG_DATA(c) + i * sizeof fd, sizeof fd);
			close(fd);
		}
		any = true;
	}
	return any;
}

/* A zero-length read is either an empty message or the end: the peer is gone
 * only if the socket says so. */
static bool peer_gone(int sock)
{
	struct pollfd p = { .fd = sock, .events = POLLIN | POLLRDHUP };
	if (poll(&p, 1, 0) < 0)
		return true;
	return (p.revents & (POLLHUP | POLLRDHUP | POLLERR)) != 0;
}

static int recv_request(struct gofer_server *s, struct received *rc)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int) * CMSG_FDS)];
	} control;
	struct iovec iov = { .iov_base = s->in, .iov_len = sizeof s->in };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control.buf, .msg_controllen = sizeof control.buf,
	};
	ssize_t n;
	do
		n = recvmsg(s->sock, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	*rc = (struct received){ 0 };
	if (n < 0) {
		if (errno == ECONNRESET) {
			rc->eof = true;
			return 0;
		}
		return -errno;
	}
	rc->len = (size_t)n;
	rc->fds = close_received_fds(&mh);
	rc->truncated = (mh.msg_flags & MSG_TRUNC) != 0;
	rc->eof = n == 0 && !rc->fds && peer_gone(s->sock);
	return 0;
}

/* Sends one reply, with fd attached if fd >= 0.  A peer that went away is
 * not an error here: the next receive sees the end. */
static int send_reply(struct gofer_server *s, size_t len, int fd)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int))];
	} control;
	struct iovec iov = { .iov_base = s->out, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	if (fd >= 0) {
		memset(&control, 0, sizeof control);
		mh.msg_control = control.buf;
		mh.msg_controllen = sizeof control.buf;
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof fd);
	}
	ssize_t n;
	do
		n = sendmsg(s->sock, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0 && errno != EPIPE && errno != ECONNRESET)
		return -errno;
	return 0;
}

static int send_error(struct gofer_server *s, uint16_t op, uint32_t tag, int err)
{
	int len = gofer_encode_error(op, tag, (uint32_t)err, s->out, sizeof s->out);
	if (len < 0)
		return len;
	return send_reply(s, (size_t)len, -1);
}

/* --- dispatch ------------------------------------------------------------- */

/* Runs a decoded request; the reply (or an error reply) is in s->out. */
static int run_request(struct gofer_server *s, int *fd)
{
	const struct gofer_req *rq = &s->req;
	struct gofer_reply *rp = &s->reply;
	memset(rp, 0, offsetof(struct gofer_reply, target));
	rp->target[0] = '\0';
	rp->op = rq->op;
	rp->tag = rq->tag;
	int r = gofer_ops[rq->op](s, rq, rp, fd);
	log_debug("%s -> %d", gofer_op_name(rq->op), r);
	if (r < 0) {
		if (*fd >= 0)
			close(steal_fd(fd));
		rp->error = (uint32_t)-r;
		if (rp->error > GOFER_ERRNO_MAX)
			rp->error = EIO;
	}
	r = gofer_encode_reply(rp, s->out, sizeof s->out);
	if (r < 0) {
		/* Our own reply does not encode: a bug, but not a reason to die. */
		log_error("%s: reply does not encode (%d)", gofer_op_name(rq->op), r);
		if (*fd >= 0)
			close(steal_fd(fd));
		return gofer_encode_error(rq->op, rq->tag, EIO, s->out, sizeof s->out);
	}
	return r;
}

/* The host would not pass the reply's fd (ETOOMANYREFS): more fds are in
 * flight on unix sockets than the gofer's RLIMIT_NOFILE, a count the
 * kernel keeps per user over the whole host (the gofer has no
 * CAP_SYS_RESOURCE), so other processes of the user cause it, not the
 * sandbox.  The request fails with ENFILE (what open says when the host is
 * out of files) with its effect undone (a file it created is removed, its
 * node released) and the gofer goes on; the fd is closed by the caller. */
static int refuse_fd(struct gofer_server *s)
{
	log_warn("%s: the host refuses to pass an fd (too many in flight): ENFILE",
		 gofer_op_name(s->req.op));
	if (s->req.op == GOFER_OP_CREATE) {
		struct gofer_node dir;
		nodes_release(&s->nodes, s->reply.node);
		if (gofer_get_node(s, s->req.node, &dir) == 0)
			unlinkat(dir.fd, s->req.name, 0);
	}
	return send_error(s, s->req.op, s->req.tag, ENFILE);
}

/* Answers one received message. */
static int answer(struct gofer_server *s, const struct received *rc)
{
	int e = gofer_decode_req(s->in, rc->len, &s->req);
	if (rc->truncated)
		e = -EMSGSIZE;
	else if (rc->fds)
		e = -EINVAL;
	if (e < 0) {
		log_debug("malformed request (%zu bytes): %d", rc->len, e);
		return send_error(s, s->req.op, s->req.tag, -e);
	}
	_cleanup_close_ int fd = -1;
	int len = run_request(s, &fd);
	if (len < 0)
		return len;
	int r = send_reply(s, (size_t)len, fd);
	return r == -ETOOMANYREFS && fd >= 0 ? refuse_fd(s) : r;
}

static int serve_loop(struct gofer_server *s)
{
	for (;;) {
		struct received rc;
		int r = recv_request(s, &rc);
		if (r < 0)
			return r;
		if (rc.eof)
			return 0;
		r = answer(s, &rc);
		if (r < 0)
			return r;
	}
}

static int serve(int sock, const struct gofer_mount *mounts, size_t nmounts,
		 uint32_t max_nodes, bool confine)
{
	log_set_prefix("gofer");
	struct gofer_server *s = calloc(1, sizeof *s);
	if (!s)
		return -ENOMEM;
	umask(0);
	int r = raise_nofile();
	if (r < 0)
		log_warn("cannot raise RLIMIT_NOFILE: %s", strerror(-r));
	r = server_init(s, sock, mounts, nmounts, max_nodes);
	if (r == 0 && confine)
		r = gofer_confine(s);
	if (r == 0)
		r = serve_loop(s);
	if (r < 0)
		log_error("stopping: %s", strerror(-r));
	server_destroy(s);
	return r;
}

int gofer_serve_limited(int sock, const struct gofer_mount *mounts, size_t nmounts,
			uint32_t max_nodes)
{
	return serve(sock, mounts, nmounts, max_nodes, false);
}

int gofer_serve(int sock, const struct gofer_mount *mounts, size_t nmounts)
{
	return serve(sock, mounts, nmounts, GOFER_MAX_NODES, true);
}
