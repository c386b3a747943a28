/* The forwarder's event loop, on one io_uring:
 *   - an accept on every listener, re-armed after each connection (plain
 *     accepts, not multishot: holding one back is how the loop pushes back
 *     when the sentry or the TLS connections fall behind);
 *   - a plain connection's socket goes straight to the sentry (a SENDMSG
 *     with SCM_RIGHTS on the control socket), our copy closed once sent;
 *   - a TLS connection stays here: handshake, then bytes pumped between
 *     OpenSSL and a socketpair whose other end went to the sentry, every
 *     wait a one-shot POLL_ADD on the socket or the socketpair;
 *   - a RECV on the control socket, whose EOF (the sentry is gone) ends
 *     the loop.
 * Every submission's user_data is a struct op inside the object that owns
 * it; an object is freed only once none of its ops is in flight. */
#include "netstack/publish_internal.h"
#include "netstack/publish.h"
#include "netstack/proxy.h"

#include "common/list.h"
#include "common/log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>

enum {
	MAX_TLS_CONNS = 1024,     /* TLS connections at once, handshakes included */
	MAX_HANDOFFS = 64,        /* connections on their way to the sentry */
	PUMP_BUF = 16384,         /* bytes buffered per direction of a TLS connection */
	PUMP_ROUNDS = 8,          /* buffers moved in one go before the others' turn */
	HANDSHAKE_MS = 10000,     /* a client that does not finish its handshake goes */
	RETRY_MS = 100,           /* accept again after EMFILE and the like */
	RING_ENTRIES = 256,
	CQ_ENTRIES = 8192,        /* > 4 polls per TLS connection at most */
};

enum op_kind { OP_ACCEPT, OP_RETRY, OP_CTL, OP_TICK, OP_HANDOFF, OP_POLL };

struct op {
	enum op_kind kind;
	bool busy;              /* submitted, completion not seen yet */
};

struct publish_loop;

struct listener {
	struct op accept, retry;
	struct publish_loop *lp;
	const struct net_publish *pub;
	int fd;                 /* -1: given up on */
	bool paused;            /* an accept held back (limits reached) */
	bool starved;           /* out of fds or memory (said once) */
	struct sockaddr_storage peer;
	socklen_t peerlen;
	struct __kernel_timespec retry_ts;
};

/* A connection on its way to the sentry. */
struct handoff {
	struct op op;
	struct publish_loop *lp;
	struct conn *conn;      /* the TLS connection it belongs to, or NULL */
	int fd;                 /* what is sent; our copy closed once sent */
	struct publish_conn_msg msg;
	struct iovec iov;
	struct msghdr mh;
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} cmsg;
};

/* The four readiness waits of a TLS connection. */
enum { P_TCP_IN, P_TCP_OUT, P_PAIR_IN, P_PAIR_OUT, NPOLLS };
#define WANT(p) (1u << (p))

struct conn_poll {
	struct op op;
	struct conn *c;
	int idx;
};

struct pump_buf {
	size_t off, len;        /* data[off..len) still to write */
	unsigned char data[PUMP_BUF];
};

struct conn {
	struct list_head link;  /* lp->conns */
	struct list_head ready; /* in lp->ready: more to do without waiting */
	struct publish_loop *lp;
	int tcp;                /* the client's socket (non-blocking) */
	int pair;               /* our end of the socketpair, -1 until the handshake is done */
	SSL *ssl;
	bool established;       /* handshake done, other end sent to the sentry */
	bool client_eof;        /* the client sent close_notify (or just closed) */
	bool pair_shut;         /* ... and we passed it on: shutdown(pair, SHUT_WR) */
	bool guest_eof;         /* the sentry's side shut down writing */
	bool notify_sent;       /* ... and we passed it on: close_notify, SHUT_WR */
	bool dead;              /* closing: waiting for its ops to come back */
	int64_t deadline_ms;    /* for the handshake */
	struct conn_poll polls[NPOLLS];
	struct handoff *handoff;
	struct publish_conn_msg msg;
	char peer[INET6_ADDRSTRLEN + 8];
	struct pump_buf c2g, g2c;
};

struct publish_loop {
	struct io_uring ring;
	int ctl;
	SSL_CTX *ctx;
	struct op ctl_op, tick_op;
	char ctl_buf[64];
	struct __kernel_timespec tick_ts;
	struct listener *ls;
	size_t nls;
	struct list_head conns, ready;
	size_t nconns, nhandoffs;
	bool quit;
};

static void conn_step(struct conn *c);

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The ring has room for what one completion's handling submits many times
 * over; flushing it is only needed under a burst. */
static struct io_uring_sqe *get_sqe(struct publish_loop *lp)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&lp->ring);
	if (!sqe) {
		io_uring_submit(&lp->ring);
		sqe = io_uring_get_sqe(&lp->ring);
	}
	if (!sqe) {
		log_error("io_uring: no submission entry free");
		_exit(1);
	}
	return sqe;
}

static void submit_op(struct io_uring_sqe *sqe, struct op *op)
{
	io_uring_sqe_set_data(sqe, op);
	op->busy = true;
}

/* --- listeners ------------------------------------------------------------ */

static void arm_accept(struct listener *l)
{
	struct publish_loop *lp = l->lp;
	if (l->fd < 0 || l->accept.busy || l->retry.busy)
		return;
	if (lp->nhandoffs >= MAX_HANDOFFS || (l->pub->tls && lp->nconns >= MAX_TLS_CONNS)) {
		l->paused = true;
		return;
	}
	l->paused = false;
	l->peerlen = sizeof l->peer;
	struct io_uring_sqe *sqe = get_sqe(lp);
	io_uring_prep_accept(sqe, l->fd, (struct sockaddr *)&l->peer, &l->peerlen,
			     SOCK_CLOEXEC | (l->pub->tls ? SOCK_NONBLOCK : 0));
	submit_op(sqe, &l->accept);
}

static void resume_listeners(struct publish_loop *lp)
{
	for (size_t i = 0; i < lp->nls; i++)
		if (lp->ls[i].paused)
			arm_accept(&lp->ls[i]);
}

/* Sends fd (ours no more) to the sentry; c: the TLS connection it is the
 * other end of.  -ENOMEM: fd closed, the caller drops the connection. */
static int handoff(struct publish_loop *lp, struct conn *c, int fd,
		   const struct publish_conn_msg *m)
{
	struct handoff *h = calloc(1, sizeof *h);
	if (!h) {
		log_warn("published ports: out of memory, connection dropped");
		close(fd);
		return -ENOMEM;
	}
	h->op.kind = OP_HANDOFF;
	h->lp = lp;
	h->conn = c;
	h->fd = fd;
	h->msg = *m;
	h->iov.iov_base = &h->msg;
	h->iov.iov_len = sizeof h->msg;
	h->mh.msg_iov = &h->iov;
	h->mh.msg_iovlen = 1;
	h->mh.msg_control = h->cmsg.buf;
	h->mh.msg_controllen = sizeof h->cmsg.buf;
	struct cmsghdr *cm = CMSG_FIRSTHDR(&h->mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof fd);
	struct io_uring_sqe *sqe = get_sqe(lp);
	io_uring_prep_sendmsg(sqe, lp->ctl, &h->mh, MSG_NOSIGNAL);
	submit_op(sqe, &h->op);
	lp->nhandoffs++;
	if (c)
		c->handoff = h;
	return 0;
}

static void conn_new(struct listener *l, int fd, const struct publish_conn_msg *m);

static void got_conn(struct listener *l, int fd)
{
	struct publish_conn_msg m;
	memset(&m, 0, sizeof m);
	m.guest_port = l->pub->guest_port;
	m.host_port = l->pub->host_port;
	if (l->peer.ss_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&l->peer;
		m.peer_family = AF_INET6;
		memcpy(m.peer_addr, &sin6->sin6_addr, 16);
		m.peer_port = ntohs(sin6->sin6_port);
	} else {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)&l->peer;
		m.peer_family = AF_INET;
		memcpy(m.peer_addr, &sin->sin_addr, 4);
		m.peer_port = ntohs(sin->sin_port);
	}
	/* The sentry and this loop write what the guest wrote as it comes:
	 * Nagle would only add latency to every request/response. */
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (l->pub->tls)
		conn_new(l, fd, &m);
	else
		(void)handoff(l->lp, NULL, fd, &m);
}

static void on_accept(struct listener *l, int res)
{
	if (res >= 0) {
		l->starved = false;
		got_conn(l, res);
		arm_accept(l);
		return;
	}
	char where[INET6_ADDRSTRLEN + 8];
	publish_format_hostport(l->pub, where, sizeof where);
	switch (-res) {
	case EMFILE:
	case ENFILE:
	case ENOBUFS:
	case ENOMEM: {
		/* Out of fds or memory: the backlog waits a little rather than
		 * spinning on the same failure. */
		if (!l->starved)
			log_warn("accept on %s: %s", where, strerror(-res));
		l->starved = true;
		l->retry_ts.tv_sec = 0;
		l->retry_ts.tv_nsec = RETRY_MS * 1000000L;
		struct io_uring_sqe *sqe = get_sqe(l->lp);
		io_uring_prep_timeout(sqe, &l->retry_ts, 0, 0);
		submit_op(sqe, &l->retry);
		return;
	}
	case EBADF:
	case EINVAL:
	case ENOTSOCK:
	case EOPNOTSUPP:
		log_error("accept on %s: %s; no longer listening there", where, strerror(-res));
		close(l->fd);
		l->fd = -1;
		return;
	default:        /* the client's trouble (ECONNABORTED, EPERM, ...) */
		arm_accept(l);
		return;
	}
}

/* --- TLS connections -------------------------------------------------------- */

static void arm_tick(struct publish_loop *lp)
{
	if (lp->tick_op.busy)
		return;
	lp->tick_ts.tv_sec = 1;
	lp->tick_ts.tv_nsec = 0;
	struct io_uring_sqe *sqe = get_sqe(lp);
	io_uring_prep_timeout(sqe, &lp->tick_ts, 0, 0);
	submit_op(sqe, &lp->tick_op);
}

static void conn_new(struct listener *l, int fd, const struct publish_conn_msg *m)
{
	struct publish_loop *lp = l->lp;
	struct conn *c = calloc(1, sizeof *c);
	SSL *ssl = c ? SSL_new(lp->ctx) : NULL;
	if (!ssl || !SSL_set_fd(ssl, fd)) {
		log_warn("published ports: out of memory, TLS connection dropped");
		SSL_free(ssl);
		free(c);
		close(fd);
		return;
	}
	SSL_set_accept_state(ssl);
	c->lp = lp;
	c->tcp = fd;
	c->pair = -1;
	c->ssl = ssl;
	c->msg = *m;
	c->deadline_ms = now_ms() + HANDSHAKE_MS;
	char host[INET6_ADDRSTRLEN] = "?";
	inet_ntop(m->peer_family, m->peer_addr, host, sizeof host);
	snprintf(c->peer, sizeof c->peer, m->peer_family == AF_INET6 ? "[%s]:%u" : "%s:%u", host,
		 m->peer_port);
	for (int i = 0; i < NPOLLS; i++) {
		c->polls[i].op.kind = OP_POLL;
		c->polls[i].c = c;
		c->polls[i].idx = i;
	}
	list_init(&c->ready);
	list_add_tail(&c->link, &lp->conns);
	lp->nconns++;
	arm_tick(lp);
	conn_step(c);
}

static void conn_maybe_free(struct conn *c)
{
	if (!c->dead || c->handoff)
		return;
	for (int i = 0; i < NPOLLS; i++)
		if (c->polls[i].op.busy)
			return;
	struct publish_loop *lp = c->lp;
	list_del(&c->link);
	list_del(&c->ready);
	SSL_free(c->ssl);       /* the socket BIO does not close the fd */
	close(c->tcp);
	if (c->pair >= 0)
		close(c->pair);
	free(c);
	lp->nconns--;
	resume_listeners(lp);
}

/* Ends the connection, cleanly or not: a waiting poll keeps its socket
 * alive (and the client waiting), so the polls are cancelled and the
 * sockets closed when the last one is back. */
static void conn_abort(struct conn *c)
{
	if (!c->dead) {
		c->dead = true;
		list_del(&c->ready);
		for (int i = 0; i < NPOLLS; i++) {
			if (!c->polls[i].op.busy)
				continue;
			struct io_uring_sqe *sqe = get_sqe(c->lp);
			io_uring_prep_poll_remove(sqe, (__u64)(uintptr_t)&c->polls[i].op);
			io_uring_sqe_set_data64(sqe, 0);
		}
	}
	conn_maybe_free(c);
}

static void arm_polls(struct conn *c, unsigned want)
{
	for (int i = 0; i < NPOLLS; i++) {
		if (!(want & WANT(i)) || c->polls[i].op.busy)
			continue;
		int fd = i == P_TCP_IN || i == P_TCP_OUT ? c->tcp : c->pair;
		short ev = i == P_TCP_IN || i == P_PAIR_IN ? POLLIN : POLLOUT;
		struct io_uring_sqe *sqe = get_sqe(c->lp);
		io_uring_prep_poll_add(sqe, fd, (unsigned)ev);
		submit_op(sqe, &c->polls[i].op);
	}
}

/* After an OpenSSL call that returned r <= 0: 0 and what to wait for, 1
 * for a close_notify (or EOF) from the client, -1 for a dead connection. */
static int ssl_wait(struct conn *c, int r, unsigned *want)
{
	int e = SSL_get_error(c->ssl, r);
	switch (e) {
	case SSL_ERROR_WANT_READ:
		*want |= WANT(P_TCP_IN);
		return 0;
	case SSL_ERROR_WANT_WRITE:
		*want |= WANT(P_TCP_OUT);
		return 0;
	case SSL_ERROR_ZERO_RETURN:
		return 1;
	default:
		if (log_enabled(LOG_DEBUG)) {
			char why[160] = "connection closed";
			unsigned long err = ERR_peek_error();
			if (err)
				ERR_error_string_n(err, why, sizeof why);
			else if (e == SSL_ERROR_SYSCALL && errno)
				snprintf(why, sizeof why, "%s", strerror(errno));
			log_debug("TLS connection from %s: %s", c->peer, why);
		}
		ERR_clear_error();
		return -1;
	}
}

/* The handshake is done: the guest's side of the stream goes to the
 * sentry. */
static int conn_establish(struct conn *c)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		log_warn("TLS connection from %s: socketpair: %s", c->peer, strerror(errno));
		return -1;
	}
	int fl = fcntl(sv[0], F_GETFL);
	fcntl(sv[0], F_SETFL, fl | O_NONBLOCK);
	c->pair = sv[0];
	c->established = true;
	log_debug("TLS connection from %s: %s", c->peer, SSL_get_version(c->ssl));
	return handoff(c->lp, c, sv[1], &c->msg);
}

/* Client to guest: SSL_read, then write to the socketpair.  -1: the
 * connection is dead; else whether anything moved. */
static int pump_c2g(struct conn *c, unsigned *want)
{
	struct pump_buf *b = &c->c2g;
	int moved = 0;
	if (b->off == b->len && !c->client_eof) {
		ERR_clear_error();
		int n = SSL_read(c->ssl, b->data, sizeof b->data);
		if (n > 0) {
			b->off = 0;
			b->len = (size_t)n;
			moved = 1;
		} else {
			int r = ssl_wait(c, n, want);
			if (r < 0)
				return -1;
			if (r > 0) {
				c->client_eof = true;
				moved = 1;
			}
		}
	}
	if (b->off < b->len) {
		ssize_t n = send(c->pair, b->data + b->off, b->len - b->off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0) {
			b->off += (size_t)n;
			moved = 1;
		} else if (n < 0 && errno == EAGAIN) {
			*want |= WANT(P_PAIR_OUT);
		} else if (n < 0 && errno != EINTR) {
			return -1;      /* the sentry closed its end: nobody to read */
		}
	}
	if (c->client_eof && b->off == b->len && !c->pair_shut) {
		shutdown(c->pair, SHUT_WR);
		c->pair_shut = true;
		moved = 1;
	}
	return moved;
}

/* Guest to client: read the socketpair, then SSL_write; at its EOF a
 * close_notify and a FIN. */
static int pump_g2c(struct conn *c, unsigned *want)
{
	struct pump_buf *b = &c->g2c;
	int moved = 0;
	if (b->off == b->len && !c->guest_eof) {
		ssize_t n = recv(c->pair, b->data, sizeof b->data, MSG_DONTWAIT);
		if (n > 0) {
			b->off = 0;
			b->len = (size_t)n;
			moved = 1;
		} else if (n == 0) {
			c->guest_eof = true;
			moved = 1;
		} else if (errno == EAGAIN) {
			*want |= WANT(P_PAIR_IN);
		} else if (errno != EINTR) {
			return -1;
		}
	}
	if (b->off < b->len) {
		ERR_clear_error();
		int n = SSL_write(c->ssl, b->data + b->off, (int)(b->len - b->off));
		if (n > 0) {
			b->off += (size_t)n;
			moved = 1;
		} else if (ssl_wait(c, n, want) != 0) {
			return -1;
		}
	}
	if (c->guest_eof && b->off == b->len && !c->notify_sent) {
		ERR_clear_error();
		int r = SSL_shutdown(c->ssl);
		if (r >= 0) {
			shutdown(c->tcp, SHUT_WR);
			c->notify_sent = true;
			moved = 1;
		} else if (ssl_wait(c, r, want) != 0) {
			return -1;
		}
	}
	return moved;
}

/* Moves whatever can move now, then waits for what it needs (or, after
 * PUMP_ROUNDS, lets the other connections have their turn first). */
static void conn_step(struct conn *c)
{
	if (c->dead)
		return;
	unsigned want = 0;
	if (!c->established) {
		ERR_clear_error();
		int r = SSL_accept(c->ssl);
		if (r != 1) {
			if (ssl_wait(c, r, &want) != 0)
				conn_abort(c);
			else
				arm_polls(c, want);
			return;
		}
		if (conn_establish(c) < 0) {
			conn_abort(c);
			return;
		}
	}
	for (int round = 0; round < PUMP_ROUNDS; round++) {
		want = 0;
		int a = pump_c2g(c, &want);
		int b = a < 0 ? -1 : pump_g2c(c, &want);
		if (a < 0 || b < 0) {
			conn_abort(c);
			return;
		}
		if (c->pair_shut && c->notify_sent) {
			log_debug("TLS connection from %s: closed", c->peer);
			conn_abort(c);
			return;
		}
		if (!a && !b) {
			arm_polls(c, want);
			return;
		}
	}
	if (list_empty(&c->ready))
		list_add_tail(&c->ready, &c->lp->ready);
}

static void on_tick(struct publish_loop *lp)
{
	int64_t now = now_ms();
	bool waiting = false;
	struct conn *c, *tmp;
	list_for_each_entry_safe(c, tmp, &lp->conns, link) {
		if (c->dead || c->established)
			continue;
		if (now >= c->deadline_ms) {
			log_debug("TLS connection from %s: handshake timed out", c->peer);
			conn_abort(c);
		} else {
			waiting = true;
		}
	}
	if (waiting)
		arm_tick(lp);
}

/* --- the loop ---------------------------------------------------------------- */

static void on_handoff(struct handoff *h, int res)
{
	struct publish_loop *lp = h->lp;
	struct conn *c = h->conn;
	lp->nhandoffs--;
	close(h->fd);
	free(h);
	if (c)
		c->handoff = NULL;
	if (res < 0) {
		if (res == -EPIPE || res == -ECONNRESET || res == -ENOTCONN)
			lp->quit = true;        /* the sentry is gone */
		else
			log_warn("cannot pass a connection to the sentry: %s", strerror(-res));
		if (c)
			conn_abort(c);
	} else if (c) {
		conn_maybe_free(c);
	}
	resume_listeners(lp);
}

static void arm_ctl(struct publish_loop *lp)
{
	struct io_uring_sqe *sqe = get_sqe(lp);
	io_uring_prep_recv(sqe, lp->ctl, lp->ctl_buf, sizeof lp->ctl_buf, 0);
	submit_op(sqe, &lp->ctl_op);
}

static void dispatch(struct publish_loop *lp, struct op *op, int res)
{
	op->busy = false;
	switch (op->kind) {
	case OP_ACCEPT:
		on_accept(container_of(op, struct listener, accept), res);
		break;
	case OP_RETRY:
		arm_accept(container_of(op, struct listener, retry));
		break;
	case OP_CTL:
		/* The sentry has nothing to say yet: anything it sends is
		 * ignored, EOF or an error means it is gone. */
		if (res > 0 || res == -EINTR || res == -EAGAIN)
			arm_ctl(lp);
		else
			lp->quit = true;
		break;
	case OP_TICK:
		on_tick(lp);
		break;
	case OP_HANDOFF:
		on_handoff(container_of(op, struct handoff, op), res);
		break;
	case OP_POLL: {
		struct conn *c = container_of(op, struct conn_poll, op)->c;
		if (c->dead)
			conn_maybe_free(c);
		else
			conn_step(c);
		break;
	}
	}
}

static void run_ready(struct publish_loop *lp)
{
	struct list_head batch;
	list_init(&batch);
	while (!list_empty(&lp->ready)) {
		struct list_head *n = lp->ready.next;
		list_del(n);
		list_add_tail(n, &batch);
	}
	while (!list_empty(&batch)) {
		struct conn *c = list_entry(batch.next, struct conn, ready);
		list_del(&c->ready);
		conn_step(c);
	}
}

int publish_loop_new(int ctl, const struct net_policy *p, const int *fds, SSL_CTX *ctx,
		     struct publish_loop **out, char *err, size_t errlen)
{
	struct publish_loop *lp = calloc(1, sizeof *lp);
	struct listener *ls = calloc(p->npublish, sizeof *ls);
	if (!lp || !ls) {
		free(lp);
		free(ls);
		snprintf(err, errlen, "published ports: out of memory");
		return -ENOMEM;
	}
	struct io_uring_params params;
	memset(&params, 0, sizeof params);
	params.flags = IORING_SETUP_CQSIZE;
	params.cq_entries = CQ_ENTRIES;
	/* What the loop submits (see the top of this file); nothing else. */
	static const unsigned char ops[] = {
		IORING_OP_ACCEPT, IORING_OP_SENDMSG, IORING_OP_RECV, IORING_OP_TIMEOUT,
		IORING_OP_POLL_ADD, IORING_OP_POLL_REMOVE,
	};
	int r = netstack_uring_setup(RING_ENTRIES, &lp->ring, &params, "publish");
	if (r == 0)
		r = netstack_uring_restrict(&lp->ring, ops, sizeof ops, 0, "publish");
	if (r < 0) {
		snprintf(err, errlen, "published ports: io_uring: %s", strerror(-r));
		free(lp);
		free(ls);
		return r;
	}
	lp->ctl = ctl;
	lp->ctx = ctx;
	lp->ctl_op.kind = OP_CTL;
	lp->tick_op.kind = OP_TICK;
	list_init(&lp->conns);
	list_init(&lp->ready);
	for (size_t i = 0; i < p->npublish; i++) {
		ls[i].accept.kind = OP_ACCEPT;
		ls[i].retry.kind = OP_RETRY;
		ls[i].lp = lp;
		ls[i].pub = &p->publish[i];
		ls[i].fd = fds[i];
	}
	lp->ls = ls;
	lp->nls = p->npublish;
	*out = lp;
	return 0;
}

struct io_uring *publish_loop_ring(struct publish_loop *lp)
{
	return &lp->ring;
}

void publish_loop_free(struct publish_loop *lp)
{
	io_uring_queue_exit(&lp->ring);
	free(lp->ls);
	free(lp);
}

int publish_loop_run(struct publish_loop *lp)
{
	arm_ctl(lp);
	for (size_t i = 0; i < lp->nls; i++)
		arm_accept(&lp->ls[i]);
	while (!lp->quit) {
		int r = list_empty(&lp->ready) ? io_uring_submit_and_wait(&lp->ring, 1)
					       : io_uring_submit(&lp->ring);
		if (r < 0 && r != -EINTR && r != -EAGAIN && r != -EBUSY) {
			log_error("io_uring: %s", strerror(-r));
			return r;
		}
		struct io_uring_cqe *cqe;
		unsigned head, n = 0;
		io_uring_for_each_cqe(&lp->ring, head, cqe) {
			struct op *op = io_uring_cqe_get_data(cqe);
			if (op)
				dispatch(lp, op, cqe->res);
			n++;
		}
		io_uring_cq_advance(&lp->ring, n);
		run_ready(lp);
	}
	log_debug("the sentry is gone");
	/* In-flight requests keep their sockets until the kernel tears the
	 * ring down, after this process is gone: shut them now, so that the
	 * port is free and the clients see the end once the sentry has
	 * reaped us. */
	for (size_t i = 0; i < lp->nls; i++)
		if (lp->ls[i].fd >= 0)
			shutdown(lp->ls[i].fd, SHUT_RDWR);
	struct conn *c;
	list_for_each_entry(c, &lp->conns, link)
		shutdown(c->tcp, SHUT_RDWR);
	return 0;
}
