/* AF_UNIX sockets: creation, connections (listen, connect, accept,
 * socketpair, dgram connect), shutdown, poll, options and release.  Names
 * are in unix_name.c, the data paths in unix_msg.c, the garbage collector
 * in unix_gc.c.  net/unix/af_unix.c is the model. */
#include <errno.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "sentry/mm/mm.h"
#include "sentry/socket/unix_internal.h"

#ifndef POLLRDHUP
#define POLLRDHUP 0x2000
#endif

static const struct socket_ops unix_stream_ops, unix_dgram_ops, unix_seqpacket_ops;

/* --- references ---------------------------------------------------------------- */

void unix_sock_get(struct unix_sock *u)
{
	atomic_fetch_add(&u->refcount, 1);
}

void unix_sock_put(struct unix_sock *u)
{
	if (!u || atomic_fetch_sub(&u->refcount, 1) != 1)
		return;
	/* Released before (the queue is empty, no peer, no name in use). */
	unix_skb_free_list(&u->recvq);
	unix_addr_put(u->addr);
	pthread_mutex_destroy(&u->lock);
	pthread_mutex_destroy(&u->iolock);
	pthread_mutex_destroy(&u->bindlock);
	free(u);
}

struct unix_sock *unix_sock_from_file(struct file *f)
{
	struct socket *s = socket_from_file(f);
	return s && s->family == AF_UNIX ? unix_sk(s) : NULL;
}

void unix_state_double_lock(struct unix_sock *a, struct unix_sock *b)
{
	if (a == b || !b) {
		pthread_mutex_lock(&a->lock);
		return;
	}
	if (a > b) {
		struct unix_sock *x = a;
		a = b;
		b = x;
	}
	pthread_mutex_lock(&a->lock);
	pthread_mutex_lock(&b->lock);
}

void unix_state_double_unlock(struct unix_sock *a, struct unix_sock *b)
{
	pthread_mutex_unlock(&a->lock);
	if (b && b != a)
		pthread_mutex_unlock(&b->lock);
}

enum unix_state unix_state_of(struct unix_sock *u)
{
	pthread_mutex_lock(&u->lock);
	enum unix_state st = u->state;
	pthread_mutex_unlock(&u->lock);
	return st;
}

/* --- creation ---------------------------------------------------------------------- */

static struct unix_sock *unix_alloc(int type)
{
	struct unix_sock *u = calloc(1, sizeof *u);
	if (!u)
		return NULL;
	const struct socket_ops *ops = type == SOCK_STREAM ? &unix_stream_ops
				       : type == SOCK_DGRAM ? &unix_dgram_ops
							    : &unix_seqpacket_ops;
	socket_init(&u->sock, AF_UNIX, type, 0, ops);
	atomic_init(&u->refcount, 1);
	pthread_mutex_init(&u->lock, NULL);
	pthread_mutex_init(&u->iolock, NULL);
	pthread_mutex_init(&u->bindlock, NULL);
	u->state = UNIX_CLOSE;
	list_init(&u->table_node);
	list_init(&u->recvq);
	list_init(&u->gc_node);
	u->max_backlog = UNIX_MAX_DGRAM_QLEN;
	atomic_init(&u->wmem, 0);
	waitq_init(&u->wq);
	waitq_init(&u->peer_wait);
	u->peercred = (struct ucred){ 0, (uid_t)-1, (gid_t)-1 };
	return u;
}

int unix_create(struct task *t, int type, int protocol, struct socket **out)
{
	if (protocol && protocol != AF_UNIX)
		return -EPROTONOSUPPORT;
	switch (type) {
	case SOCK_RAW:
		type = SOCK_DGRAM;   /* "Believe it or not BSD has AF_UNIX, SOCK_RAW" */
		break;
	case SOCK_STREAM:
	case SOCK_DGRAM:
	case SOCK_SEQPACKET:
		break;
	default:
		return -ESOCKTNOSUPPORT;
	}
	struct unix_sock *u = unix_alloc(type);
	if (!u)
		return -ENOMEM;
	*out = &u->sock;
	return 0;
}

/* --- the dgram peer relay ------------------------------------------------------------------ */

/* Runs under other->peer_wait.lock when the peer's queue has room (or the
 * peer went): one relay per connect, as unix_dgram_peer_wake_relay. */
static void peer_wake_relay(struct waitq_entry *e, unsigned events)
{
	struct unix_sock *u = e->priv;
	list_del(&e->node);
	u->peer_wake_target = NULL;
	waitq_wake(&u->wq, POLLOUT | POLLWRNORM | POLLWRBAND);
}

static bool peer_wake_connect(struct unix_sock *u, struct unix_sock *other)
{
	bool connected = false;
	pthread_mutex_lock(&other->peer_wait.lock);
	if (!u->peer_wake_target) {
		u->peer_wake.task = NULL;
		u->peer_wake.events = 0;
		u->peer_wake.func = peer_wake_relay;
		u->peer_wake.priv = u;
		u->peer_wake.exclusive = false;
		u->peer_wake.woke = false;
		list_add_tail(&u->peer_wake.node, &other->peer_wait.entries);
		u->peer_wake_target = other;
		connected = true;
	}
	pthread_mutex_unlock(&other->peer_wait.lock);
	return connected;
}

void unix_dgram_peer_wake_disconnect(struct unix_sock *u, struct unix_sock *other)
{
	pthread_mutex_lock(&other->peer_wait.lock);
	if (u->peer_wake_target == other) {
		list_del(&u->peer_wake.node);
		u->peer_wake_target = NULL;
	}
	pthread_mutex_unlock(&other->peer_wait.lock);
}

static void peer_wake_disconnect_wakeup(struct unix_sock *u, struct unix_sock *other)
{
	unix_dgram_peer_wake_disconnect(u, other);
	waitq_wake(&u->wq, POLLOUT | POLLWRNORM | POLLWRBAND);
}

bool unix_dgram_peer_wake_me(struct unix_sock *u, struct unix_sock *other)
{
	bool connected = peer_wake_connect(u, other);
	/* A dead peer must look writable: the next send says ECONNREFUSED. */
	if (unix_recvq_full(other) && !other->dead)
		return true;
	if (connected)
		unix_dgram_peer_wake_disconnect(u, other);
	return false;
}

void unix_dgram_disconnected(struct unix_sock *u, struct unix_sock *other)
{
	struct list_head purge;
	list_init(&purge);
	/* iolock: a reader may be copying out a message it only peeked at. */
	pthread_mutex_lock(&u->iolock);
	pthread_mutex_lock(&u->lock);
	bool had = !list_empty(&u->recvq);
	while (!list_empty(&u->recvq)) {
		struct list_head *n = u->recvq.next;
		list_del(n);
		list_add_tail(n, &purge);
	}
	u->qlen = 0;
	pthread_mutex_unlock(&u->lock);
	pthread_mutex_unlock(&u->iolock);
	if (!had)
		return;
	unix_skb_free_list(&purge);
	waitq_wake(&u->peer_wait, 0);
	/* One half of a two-way dgram pair went: the other half learns it
	 * lost messages. */
	pthread_mutex_lock(&other->lock);
	bool notify = !other->dead && other->peer == u;
	pthread_mutex_unlock(&other->lock);
	if (notify) {
		atomic_store(&other->sock.err, ECONNRESET);
		waitq_wake(&other->wq, 0);
	}
}

/* --- connections ---------------------------------------------------------------------- */

static int unix_listen(struct socket *s, struct task *t, int backlog)
{
	struct unix_sock *u = unix_sk(s);
	if (s->type != SOCK_STREAM && s->type != SOCK_SEQPACKET)
		return -EOPNOTSUPP;
	struct ucred me;
	sock_peer_creds(t, &me);
	pthread_mutex_lock(&u->lock);
	int err = -EINVAL;
	if (u->addr && (u->state == UNIX_CLOSE || u->state == UNIX_LISTEN)) {
		bool more = backlog > u->max_backlog;
		u->max_backlog = backlog;
		u->state = UNIX_LISTEN;
		/* What connect() gives the other side as SO_PEERCRED. */
		u->peercred = me;
		u->has_peercred = true;
		err = 0;
		pthread_mutex_unlock(&u->lock);
		if (more)
			waitq_wake(&u->peer_wait, 0);
		return 0;
	}
	pthread_mutex_unlock(&u->lock);
	return err;
}

/* Waits for room in a listener's queue (unix_wait_for_peer); called with
 * other->lock held, returns with it released. */
static int wait_for_peer(struct unix_sock *other, struct task *t, struct sock_timeo *to)
{
	struct waitq_entry e;
	waitq_add(&other->peer_wait, &e, t, 0);
	bool sched = !other->dead && !(other->shutdown & RCV_SHUTDOWN) && unix_recvq_full(other);
	pthread_mutex_unlock(&other->lock);
	int err = sched ? sock_block(t, to) : 0;
	waitq_del(&other->peer_wait, &e);
	return err;
}

static int unix_stream_connect(struct socket *s, struct task *t, const struct sockaddr *addr,
			       int len, bool nonblock)
{
	struct unix_sock *u = unix_sk(s);
	int err = unix_validate_addr(addr, len);
	if (err < 0)
		return err;
	if (atomic_load(&s->passcred) && !u->addr && (err = unix_autobind(u)) < 0)
		return err;
	struct sock_timeo to;
	sock_timeo_init(&to, s, nonblock, true);
	struct ucred me;
	sock_peer_creds(t, &me);

	/* The server's end of the connection, queued on the listener until
	 * accept() takes it. */
	struct unix_sock *newsk = unix_alloc(s->type);
	struct unix_skb *skb = newsk ? unix_skb_alloc(NULL, 0) : NULL;
	if (!skb) {
		unix_sock_put(newsk);
		return -ENOMEM;
	}
	skb->embryo = newsk;
	struct unix_sock *other;
	for (;;) {
		other = unix_find_other(t, (const struct sockaddr_un *)addr, len, s->type, &err);
		if (!other)
			goto out;
		pthread_mutex_lock(&other->lock);
		if (other->dead) {   /* the name outlived the socket for a moment */
			pthread_mutex_unlock(&other->lock);
			unix_sock_put(other);
			continue;
		}
		err = -ECONNREFUSED;
		if (other->state != UNIX_LISTEN || (other->shutdown & RCV_SHUTDOWN))
			goto out_unlock;
		if (!unix_recvq_full(other))
			break;
		err = -EAGAIN;
		if (to.nonblock)
			goto out_unlock;
		err = wait_for_peer(other, t, &to);
		unix_sock_put(other);
		other = NULL;
		if (err == -EAGAIN)
			to.nonblock = true;   /* timed out: one more look, then EAGAIN */
		else if (err < 0)
			goto out;
	}
	/* Looked at without u's lock, as Linux does (READ_ONCE): a listener
	 * (this one, or one connecting back) must never take a second lock,
	 * so that listener -> connecting socket is the only order. */
	enum unix_state st = __atomic_load_n(&u->state, __ATOMIC_RELAXED);
	if (st != UNIX_CLOSE || other == u) {
		err = st == UNIX_ESTABLISHED ? -EISCONN : -EINVAL;
		goto out_unlock;
	}
	pthread_mutex_lock(&u->lock);
	if (u->state != UNIX_CLOSE) {
		err = u->state == UNIX_ESTABLISHED ? -EISCONN : -EINVAL;
		pthread_mutex_unlock(&u->lock);
		goto out_unlock;
	}
	unix_sock_get(u);
	newsk->peer = u;
	newsk->state = UNIX_ESTABLISHED;
	newsk->peercred = me;
	newsk->has_peercred = true;
	newsk->addr = unix_addr_get(other->addr);
	if (other->path.dentry) {
		newsk->path = other->path;
		path_get(&newsk->path);
	}
	u->peercred = other->peercred;
	u->has_peercred = other->has_peercred;
	u->state = UNIX_ESTABLISHED;
	unix_sock_get(newsk);
	u->peer = newsk;
	pthread_mutex_unlock(&u->lock);

	list_add_tail(&skb->node, &other->recvq);
	other->qlen++;
	pthread_mutex_unlock(&other->lock);
	waitq_wake(&other->wq, POLLIN | POLLRDNORM);
	unix_sock_put(other);
	return 0;

out_unlock:
	pthread_mutex_unlock(&other->lock);
	unix_sock_put(other);
out:
	unix_skb_free(skb);   /* releases the embryo */
	return err;
}

static int unix_dgram_connect(struct socket *s, struct task *t, const struct sockaddr *addr,
			      int len, bool nonblock)
{
	struct unix_sock *u = unix_sk(s), *other = NULL;
	if (len < (int)UNIX_ADDR_MIN)
		return -EINVAL;
	int err;
	if (addr->sa_family != AF_UNSPEC) {
		if ((err = unix_validate_addr(addr, len)) < 0)
			return err;
		if (atomic_load(&s->passcred) && !u->addr && (err = unix_autobind(u)) < 0)
			return err;
		for (;;) {
			other = unix_find_other(t, (const struct sockaddr_un *)addr, len, s->type,
						&err);
			if (!other)
				return err;
			unix_state_double_lock(u, other);
			if (!other->dead)
				break;
			unix_state_double_unlock(u, other);
			unix_sock_put(other);
		}
		/* Someone else's peer cannot be ours (unix_may_send). */
		if (other->peer && other->peer != u) {
			unix_state_double_unlock(u, other);
			unix_sock_put(other);
			return -EPERM;
		}
		u->state = UNIX_ESTABLISHED;
		other->state = UNIX_ESTABLISHED;
	} else {
		pthread_mutex_lock(&u->lock);
	}
	struct unix_sock *old = u->peer;
	u->peer = other;   /* our reference from the lookup */
	if (!other)
		u->state = UNIX_CLOSE;
	if (old)
		peer_wake_disconnect_wakeup(u, old);
	unix_state_double_unlock(u, other);
	if (old) {
		if (other != old) {
			unix_dgram_disconnected(u, old);
			pthread_mutex_lock(&old->lock);
			if (!old->peer)
				old->state = UNIX_CLOSE;
			pthread_mutex_unlock(&old->lock);
		}
		unix_sock_put(old);
	}
	return 0;
}

static int unix_socketpair(struct socket *sa, struct socket *sb, struct task *t)
{
	struct unix_sock *a = unix_sk(sa), *b = unix_sk(sb);
	struct ucred me;
	sock_peer_creds(t, &me);
	unix_sock_get(a);
	unix_sock_get(b);
	a->peer = b;
	b->peer = a;
	a->peercred = b->peercred = me;
	a->has_peercred = b->has_peercred = true;
	a->state = b->state = UNIX_ESTABLISHED;
	return 0;
}

static int unix_accept(struct socket *s, struct task *t, bool nonblock, struct socket **out)
{
	struct unix_sock *u = unix_sk(s);
	if (s->type != SOCK_STREAM && s->type != SOCK_SEQPACKET)
		return -EOPNOTSUPP;
	if (unix_state_of(u) != UNIX_LISTEN)
		return -EINVAL;
	struct sock_timeo to;
	sock_timeo_init(&to, s, nonblock, false);
	struct waitq_entry e;
	waitq_add(&u->wq, &e, t, 0);
	struct unix_skb *skb = NULL;
	int err;
	for (;;) {
		if ((err = sock_error(s)) < 0)
			break;
		pthread_mutex_lock(&u->lock);
		if (!list_empty(&u->recvq)) {
			skb = list_entry(u->recvq.next, struct unix_skb, node);
			list_del(&skb->node);
			u->qlen--;
		}
		bool down = u->shutdown & RCV_SHUTDOWN;
		pthread_mutex_unlock(&u->lock);
		if (skb)
			break;
		err = -EINVAL;   /* a shut down listener accepts nothing */
		if (down || (err = sock_block(t, &to)) < 0)
			break;
	}
	waitq_del(&u->wq, &e);
	if (!skb)
		return err;
	waitq_wake(&u->peer_wait, 0);   /* room for a waiting connect() */
	struct unix_sock *child = skb->embryo;
	skb->embryo = NULL;
	unix_skb_free(skb);
	atomic_store(&child->sock.passcred, atomic_load(&s->passcred));
	*out = &child->sock;
	return 0;
}

static void unix_unaccept(struct socket *s, struct socket *child)
{
	struct unix_sock *u = unix_sk(s), *c = unix_sk(child);
	struct unix_skb *skb = unix_skb_alloc(NULL, 0);
	if (skb) {
		skb->embryo = c;
		pthread_mutex_lock(&u->lock);
		if (u->state == UNIX_LISTEN && !u->dead) {
			list_add(&skb->node, &u->recvq);
			u->qlen++;
			skb = NULL;
		}
		pthread_mutex_unlock(&u->lock);
		if (!skb)
			return;
		skb->embryo = NULL;
		unix_skb_free(skb);
	}
	child->ops->release(child);
}

static int unix_shutdown(struct socket *s, int how)
{
	struct unix_sock *u = unix_sk(s);
	if (how < SHUT_RD || how > SHUT_RDWR)
		return -EINVAL;
	int mode = how + 1;   /* SHUT_RD -> RCV_SHUTDOWN, SHUT_WR -> SEND_SHUTDOWN */
	pthread_mutex_lock(&u->lock);
	u->shutdown |= mode;
	struct unix_sock *other = u->peer;
	if (other)
		unix_sock_get(other);
	pthread_mutex_unlock(&u->lock);
	waitq_wake(&u->wq, 0);
	if (other && (s->type == SOCK_STREAM || s->type == SOCK_SEQPACKET)) {
		int peer_mode = ((mode & RCV_SHUTDOWN) ? SEND_SHUTDOWN : 0) |
				((mode & SEND_SHUTDOWN) ? RCV_SHUTDOWN : 0);
		pthread_mutex_lock(&other->lock);
		other->shutdown |= peer_mode;
		pthread_mutex_unlock(&other->lock);
		waitq_wake(&other->wq, 0);
	}
	unix_sock_put(other);
	return 0;
}

/* --- release ------------------------------------------------------------------------------ */

static void unix_release_sock(struct unix_sock *u, bool embryo)
{
	unix_unbind(u);   /* no new connections or datagrams find us */

	pthread_mutex_lock(&u->lock);
	u->dead = true;
	u->shutdown = SHUTDOWN_MASK;
	u->state = UNIX_CLOSE;
	struct unix_sock *pair = u->peer;
	u->peer = NULL;
	bool unread = !list_empty(&u->recvq);
	struct list_head purge;
	list_init(&purge);
	while (!list_empty(&u->recvq)) {
		struct list_head *n = u->recvq.next;
		list_del(n);
		list_add_tail(n, &purge);
	}
	u->qlen = 0;
	struct path path = u->path;
	u->path = (struct path){ 0 };
	u->bound_inode = NULL;
	pthread_mutex_unlock(&u->lock);

	waitq_wake(&u->peer_wait, 0);
	if (pair) {
		if (u->sock.type == SOCK_STREAM || u->sock.type == SOCK_SEQPACKET) {
			pthread_mutex_lock(&pair->lock);
			pair->shutdown = SHUTDOWN_MASK;   /* no more writes */
			if (unread || embryo)
				atomic_store(&pair->sock.err, ECONNRESET);
			pthread_mutex_unlock(&pair->lock);
			waitq_wake(&pair->wq, 0);
		}
		unix_dgram_peer_wake_disconnect(u, pair);
		unix_sock_put(pair);
	}
	/* Connections never accepted die with the listener. */
	struct unix_skb *skb, *tmp;
	list_for_each_entry_safe(skb, tmp, &purge, node) {
		list_del(&skb->node);
		unix_skb_free(skb);   /* an embryo goes with its buffer */
	}
	path_put(&path);
	unix_sock_put(u);
	if (unix_gc_needed())
		unix_gc();
}

void unix_release_embryo(struct unix_sock *u)
{
	unix_release_sock(u, true);
}

static void unix_release(struct socket *s)
{
	unix_release_sock(unix_sk(s), false);
}

/* --- poll ----------------------------------------------------------------------------------- */

static bool unix_writable(struct unix_sock *u, enum unix_state state)
{
	return state != UNIX_LISTEN && (atomic_load(&u->wmem) << 2) <= atomic_load(&u->sock.sndbuf);
}

static unsigned poll_common(struct unix_sock *u, struct poll_table *pt, enum unix_state *state)
{
	if (pt)
		poll_wait(pt, &u->wq, 0);
	unsigned mask = 0;
	pthread_mutex_lock(&u->lock);
	int shutdown = u->shutdown;
	*state = u->state;
	bool readable = !list_empty(&u->recvq);
	pthread_mutex_unlock(&u->lock);
	if (atomic_load(&u->sock.err))
		mask |= POLLERR;
	if (shutdown == SHUTDOWN_MASK)
		mask |= POLLHUP;
	if (shutdown & RCV_SHUTDOWN)
		mask |= POLLRDHUP | POLLIN | POLLRDNORM;
	if (readable)
		mask |= POLLIN | POLLRDNORM;
	if (u->sock.type != SOCK_DGRAM && *state == UNIX_CLOSE)
		mask |= POLLHUP;
	return mask;
}

static unsigned unix_poll(struct socket *s, struct poll_table *pt, unsigned requested)
{
	struct unix_sock *u = unix_sk(s);
	enum unix_state state;
	unsigned mask = poll_common(u, pt, &state);
	/* Writable also when the other side is gone: no stuck writers. */
	if (unix_writable(u, state))
		mask |= POLLOUT | POLLWRNORM | POLLWRBAND;
	return mask;
}

static unsigned unix_dgram_poll(struct socket *s, struct poll_table *pt, unsigned requested)
{
	struct unix_sock *u = unix_sk(s);
	enum unix_state state;
	unsigned mask = poll_common(u, pt, &state);
	bool writable = unix_writable(u, state);
	if (writable) {
		pthread_mutex_lock(&u->lock);
		struct unix_sock *other = u->peer;
		if (other && other->peer != u && unix_recvq_full(other) &&
		    unix_dgram_peer_wake_me(u, other))
			writable = false;
		pthread_mutex_unlock(&u->lock);
	}
	if (writable)
		mask |= POLLOUT | POLLWRNORM | POLLWRBAND;
	return mask;
}

/* --- options and ioctls ------------------------------------------------------------------- */

static int unix_getsockopt(struct socket *s, struct task *t, int level, int name, void *val,
			   unsigned *len)
{
	struct unix_sock *u = unix_sk(s);
	if (level != SOL_SOCKET)
		return -EOPNOTSUPP;
	switch (name) {
	case SO_PEERCRED: {
		pthread_mutex_lock(&u->lock);
		struct ucred uc = u->peercred;
		pthread_mutex_unlock(&u->lock);
		if (*len > sizeof uc)
			*len = sizeof uc;
		memcpy(val, &uc, *len);
		return 0;
	}
	case SO_ACCEPTCONN: {
		int v = unix_state_of(u) == UNIX_LISTEN;
		if (*len > sizeof v)
			*len = sizeof v;
		memcpy(val, &v, *len);
		return 0;
	}
	default:
		return -ENOPROTOOPT;
	}
}

static int unix_setsockopt(struct socket *s, struct task *t, int level, int name,
			   const void *val, unsigned len)
{
	return level == SOL_SOCKET ? -ENOPROTOOPT : -EOPNOTSUPP;
}

static long unix_ioctl(struct socket *s, struct task *t, unsigned long cmd, uint64_t arg)
{
	struct unix_sock *u = unix_sk(s);
	long amount;
	switch (cmd) {
	case SIOCOUTQ:
		amount = atomic_load(&u->wmem);
		break;
	case SIOCINQ:
		amount = unix_inq_len(u);
		if (amount < 0)
			return amount;
		break;
	case SIOCATMARK:
		if (s->type != SOCK_STREAM)
			return -EOPNOTSUPP;
		amount = 0;   /* no out-of-band data */
		break;
	default:
		return -ENOIOCTLCMD;
	}
	int v = amount > INT32_MAX ? INT32_MAX : (int)amount;
	return copy_to_user(t, arg, &v, sizeof v);
}

static void unix_write_space(struct socket *s)
{
	waitq_wake(&unix_sk(s)->wq, POLLOUT | POLLWRNORM | POLLWRBAND);
}

#define UNIX_COMMON_OPS                          \
	.bind = unix_bind,                       \
	.getname = unix_getname,                 \
	.socketpair = unix_socketpair,           \
	.shutdown = unix_shutdown,               \
	.setsockopt = unix_setsockopt,           \
	.getsockopt = unix_getsockopt,           \
	.ioctl = unix_ioctl,                     \
	.write_space = unix_write_space,         \
	.release = unix_release

static const struct socket_ops unix_stream_ops = {
	UNIX_COMMON_OPS,
	.connect = unix_stream_connect,
	.listen = unix_listen,
	.accept = unix_accept,
	.unaccept = unix_unaccept,
	.sendmsg = unix_stream_sendmsg,
	.recvmsg = unix_stream_recvmsg,
	.poll = unix_poll,
};

static const struct socket_ops unix_dgram_ops = {
	UNIX_COMMON_OPS,
	.connect = unix_dgram_connect,
	.listen = unix_listen,
	.accept = unix_accept,
	.sendmsg = unix_dgram_sendmsg,
	.recvmsg = unix_dgram_recvmsg,
	.poll = unix_dgram_poll,
};

static const struct socket_ops unix_seqpacket_ops = {
	UNIX_COMMON_OPS,
	.connect = unix_stream_connect,
	.listen = unix_listen,
	.accept = unix_accept,
	.unaccept = unix_unaccept,
	.sendmsg = unix_seqpacket_sendmsg,
	.recvmsg = unix_seqpacket_recvmsg,
	.poll = unix_dgram_poll,
};
