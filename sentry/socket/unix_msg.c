/* AF_UNIX data: buffers (charged to the sender's send buffer until read),
 * stream sends and reads (a byte stream; buffers are glued together
 * unless fds or different credentials come with them), datagram and
 * seqpacket sends and reads (one buffer per message), and the ancillary
 * data that travels with them. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "sentry/socket/unix_internal.h"

#define UNIX_STREAM_CHUNK (32768 + 4096)   /* SKB_MAX_HEAD(0) + UNIX_SKB_FRAGS_SZ */
#define OVERFLOW_ID 65534                  /* an id with no mapping, as the guest sees it */

/* --- buffers ------------------------------------------------------------------------ */

struct unix_skb *unix_skb_alloc(struct unix_sock *sender, size_t len)
{
	struct unix_skb *skb = calloc(1, sizeof *skb + len);
	if (!skb)
		return NULL;
	list_init(&skb->node);
	skb->len = len;
	skb->uid = (uid_t)-1;
	skb->gid = (gid_t)-1;
	if (sender) {
		unix_sock_get(sender);
		skb->sender = sender;
		skb->truesize = len + UNIX_SKB_OVERHEAD;
		atomic_fetch_add(&sender->wmem, (long)skb->truesize);
	}
	return skb;
}

/* Dropping a message's files may release a socket whose queue holds the
 * last references to others, and so on: a chain the guest can make as
 * long as it likes.  Linux defers fput(); here the files released inside
 * such a release wait on a per-thread list that the outermost call
 * drains, so the stack does not grow with the chain. */
static __thread struct file **deferred;
static __thread size_t ndeferred, deferred_cap;
static __thread bool releasing;

static void put_files(struct file **fp, int n)
{
	if (releasing && ndeferred + (size_t)n <= deferred_cap) {
		memcpy(deferred + ndeferred, fp, (size_t)n * sizeof *fp);
		ndeferred += (size_t)n;
		return;
	}
	if (releasing) {
		size_t cap = (ndeferred + (size_t)n) * 2 + 16;
		struct file **d = realloc(deferred, cap * sizeof *d);
		if (d) {
			deferred = d;
			deferred_cap = cap;
			memcpy(deferred + ndeferred, fp, (size_t)n * sizeof *fp);
			ndeferred += (size_t)n;
			return;
		}
		/* No memory: put them now, recursion or not. */
	}
	bool outer = !releasing;
	releasing = true;
	for (int i = 0; i < n; i++)
		file_put(fp[i]);
	if (!outer)
		return;
	while (ndeferred > 0)
		file_put(deferred[--ndeferred]);
	releasing = false;
	free(deferred);
	deferred = NULL;
	deferred_cap = 0;
}

void unix_skb_free(struct unix_skb *skb)
{
	if (!skb)
		return;
	if (skb->nfp) {
		unix_notinflight(skb->fp, skb->nfp);
		put_files(skb->fp, skb->nfp);
	}
	free(skb->fp);
	if (skb->embryo)
		unix_release_embryo(skb->embryo);   /* a connection nobody accepted */
	struct unix_sock *s = skb->sender;
	if (s) {
		long left = atomic_fetch_sub(&s->wmem, (long)skb->truesize) - (long)skb->truesize;
		/* unix_write_space: writers wake when a quarter is left. */
		if ((left << 2) <= atomic_load(&s->sock.sndbuf))
			waitq_wake(&s->wq, POLLOUT | POLLWRNORM | POLLWRBAND);
		unix_sock_put(s);
	}
	free(skb);
}

void unix_skb_free_list(struct list_head *list)
{
	while (!list_empty(list)) {
		struct unix_skb *skb = list_entry(list->next, struct unix_skb, node);
		list_del(&skb->node);
		unix_skb_free(skb);
	}
}

long unix_inq_len(struct unix_sock *u)
{
	pthread_mutex_lock(&u->lock);
	long amount = 0;
	if (u->state == UNIX_LISTEN) {
		amount = -EINVAL;
	} else if (u->sock.type == SOCK_DGRAM) {
		if (!list_empty(&u->recvq))
			amount = (long)list_entry(u->recvq.next, struct unix_skb, node)->len;
	} else {
		struct unix_skb *skb;
		list_for_each_entry(skb, &u->recvq, node)
			amount += (long)(skb->len - skb->consumed);
	}
	pthread_mutex_unlock(&u->lock);
	return amount;
}

/* --- ancillary data ----------------------------------------------------------------------- */

/* The fds of a sendmsg go with the buffer (only the first of a stream
 * send); they are in flight from then on. */
static void attach_scm(struct unix_skb *skb, struct scm_cookie *scm, bool fds)
{
	if (fds && scm->nfp) {
		skb->fp = scm->fp;
		skb->nfp = scm->nfp;
		scm->fp = NULL;
		scm->nfp = 0;
		unix_inflight(skb->fp, skb->nfp);
	}
	if (scm->has_creds) {
		skb->has_creds = true;
		skb->pid = scm->pid;
		skb->uid = scm->uid;
		skb->gid = scm->gid;
	}
}

/* maybe_add_creds(): "some apps rely on write() giving SCM_CREDENTIALS":
 * the sender's ids go with the data when either side asked for them (or
 * the receiver is a connection not accepted yet). */
static bool wants_creds(struct unix_sock *u, struct unix_sock *other)
{
	return atomic_load(&u->sock.passcred) || !other->sock.file ||
	       atomic_load(&other->sock.passcred);
}

struct my_creds {
	bool known;
	pid_t pid;
	uid_t uid;
	gid_t gid;
};

static void maybe_add_creds(struct unix_skb *skb, struct task *t, struct unix_sock *u,
			    struct unix_sock *other, struct my_creds *me)
{
	if (skb->has_creds || !wants_creds(u, other))
		return;
	if (!me->known) {
		scm_current_creds(t, &me->pid, &me->uid, &me->gid);
		me->known = true;
	}
	skb->has_creds = true;
	skb->pid = me->pid;
	skb->uid = me->uid;
	skb->gid = me->gid;
}

/* What a reader with SO_PASSCRED sees for a buffer (scm_set_cred). */
static void creds_of(const struct unix_skb *skb, struct scm_cookie *scm)
{
	scm->pid = skb->has_creds ? skb->pid : 0;
	scm->uid = skb->has_creds && skb->uid != (uid_t)-1 ? skb->uid : OVERFLOW_ID;
	scm->gid = skb->has_creds && skb->gid != (gid_t)-1 ? skb->gid : OVERFLOW_ID;
}

/* The fds of a buffer for the reader: taken (and no longer in flight) or,
 * for MSG_PEEK, duplicated. */
static void take_fds(struct unix_sock *u, struct unix_skb *skb, struct scm_cookie *scm,
		     bool peek)
{
	if (!skb->nfp)
		return;
	if (peek) {
		struct file **fp = malloc((size_t)skb->nfp * sizeof *fp);
		if (!fp)
			return;
		for (int i = 0; i < skb->nfp; i++) {
			fp[i] = skb->fp[i];
			file_get(fp[i]);
		}
		scm->fp = fp;
		scm->nfp = skb->nfp;
		return;
	}
	pthread_mutex_lock(&u->lock);
	scm->fp = skb->fp;
	scm->nfp = skb->nfp;
	skb->fp = NULL;
	skb->nfp = 0;
	pthread_mutex_unlock(&u->lock);
	unix_notinflight(scm->fp, scm->nfp);
}

static void copy_sender_addr(struct unix_skb *skb, struct sock_msg *m)
{
	struct unix_sock *s = skb->sender;
	m->namelen = 0;
	if (!s || !m->name)
		return;
	pthread_mutex_lock(&s->lock);
	if (s->addr) {
		m->namelen = s->addr->len;
		memcpy(m->name, &s->addr->name, (size_t)s->addr->len);
	}
	pthread_mutex_unlock(&s->lock);
}

/* --- sending ---------------------------------------------------------------------------- */

/* sock_alloc_send_pskb(): waits until our buffers in flight leave room. */
static int wait_wmem(struct unix_sock *u, struct task *t, struct sock_timeo *to,
		     struct waitq_entry *e, bool *added)
{
	for (;;) {
		int err = sock_error(&u->sock);
		if (err < 0)
			return err;
		pthread_mutex_lock(&u->lock);
		bool down = u->shutdown & SEND_SHUTDOWN;
		pthread_mutex_unlock(&u->lock);
		if (down)
			return -EPIPE;
		if (atomic_load(&u->wmem) < atomic_load(&u->sock.sndbuf))
			return 0;
		if (to->nonblock)
			return -EAGAIN;
		if (!*added) {   /* registered before the next look: no lost wake-up */
			waitq_add(&u->wq, e, t, 0);
			*added = true;
			continue;
		}
		if ((err = sock_block(t, to)) < 0)
			return err;
	}
}

ssize_t unix_stream_sendmsg(struct socket *s, struct task *t, struct sock_msg *m, int flags)
{
	struct unix_sock *u = unix_sk(s), *other = NULL;
	struct scm_cookie scm;
	int err = scm_send(t, m, true, &scm);
	if (err < 0)
		return err;
	unix_gc_before_send(&scm);
	size_t len = m->data->left, sent = 0;
	struct waitq_entry e;
	bool added = false;
	struct my_creds me = { 0 };
	err = -EOPNOTSUPP;
	if (flags & MSG_OOB)
		goto out;
	pthread_mutex_lock(&u->lock);
	if (m->namelen) {
		err = u->state == UNIX_ESTABLISHED ? -EISCONN : -EOPNOTSUPP;
		pthread_mutex_unlock(&u->lock);
		goto out;
	}
	other = u->peer;
	if (other)
		unix_sock_get(other);
	bool down = u->shutdown & SEND_SHUTDOWN;
	pthread_mutex_unlock(&u->lock);
	err = -ENOTCONN;
	if (!other)
		goto out;
	if (down)
		goto pipe_err;
	struct sock_timeo to;
	sock_timeo_init(&to, s, flags & MSG_DONTWAIT, true);
	err = 0;
	while (sent < len) {
		size_t size = len - sent;
		long half = (atomic_load(&s->sndbuf) >> 1) - 64;
		if ((long)size > half)
			size = (size_t)(half > 0 ? half : 1);
		if (size > UNIX_STREAM_CHUNK)
			size = UNIX_STREAM_CHUNK;
		if ((err = wait_wmem(u, t, &to, &e, &added)) < 0)
			break;
		struct unix_skb *skb = unix_skb_alloc(u, size);
		if (!skb) {
			err = -ENOMEM;
			break;
		}
		attach_scm(skb, &scm, sent == 0);
		if (sock_iter_copy_from(m->data, skb->data, size) < 0) {
			unix_skb_free(skb);
			err = -EFAULT;
			break;
		}
		pthread_mutex_lock(&other->lock);
		if (other->dead || (other->shutdown & RCV_SHUTDOWN)) {
			pthread_mutex_unlock(&other->lock);
			unix_skb_free(skb);
			goto pipe_err;
		}
		maybe_add_creds(skb, t, u, other, &me);
		list_add_tail(&skb->node, &other->recvq);
		other->qlen++;
		pthread_mutex_unlock(&other->lock);
		waitq_wake(&other->wq, POLLIN | POLLRDNORM);
		sent += size;
	}
	goto out;
pipe_err:
	if (sent == 0 && !(flags & MSG_NOSIGNAL))
		task_send_signal_self(t, SIGPIPE);
	err = -EPIPE;
out:
	if (added)
		waitq_del(&u->wq, &e);
	scm_destroy(&scm);
	unix_sock_put(other);
	return sent ? (ssize_t)sent : err;
}

/* A full receiver that is not our peer: waits for room (the lock of
 * other is released). */
static int wait_room(struct unix_sock *other, struct task *t, struct sock_timeo *to)
{
	struct waitq_entry e;
	waitq_add(&other->peer_wait, &e, t, 0);
	bool sched = !other->dead && !(other->shutdown & RCV_SHUTDOWN) && unix_recvq_full(other);
	pthread_mutex_unlock(&other->lock);
	int err = sched ? sock_block(t, to) : 0;
	waitq_del(&other->peer_wait, &e);
	return err;
}

/* The destination is dead: a connected sender loses its peer. */
static int dgram_dead_peer(struct unix_sock *u, struct unix_sock *other)
{
	pthread_mutex_lock(&u->lock);
	if (u->sock.type == SOCK_SEQPACKET) {
		pthread_mutex_unlock(&u->lock);
		return -EPIPE;
	}
	if (u->peer != other) {
		pthread_mutex_unlock(&u->lock);
		return 0;   /* look the name up again */
	}
	u->peer = NULL;
	unix_dgram_peer_wake_disconnect(u, other);
	waitq_wake(&u->wq, POLLOUT | POLLWRNORM | POLLWRBAND);
	u->state = UNIX_CLOSE;
	pthread_mutex_unlock(&u->lock);
	unix_dgram_disconnected(u, other);
	unix_sock_put(other);   /* the peer's reference */
	return -ECONNREFUSED;
}

ssize_t unix_dgram_sendmsg(struct socket *s, struct task *t, struct sock_msg *m, int flags)
{
	struct unix_sock *u = unix_sk(s), *other = NULL;
	struct unix_skb *skb = NULL;
	struct scm_cookie scm;
	int err = scm_send(t, m, true, &scm);
	if (err < 0)
		return err;
	unix_gc_before_send(&scm);
	struct waitq_entry e;
	bool added = false;
	struct my_creds me = { 0 };
	const struct sockaddr_un *sun = NULL;
	size_t len = m->data->left;
	err = -EOPNOTSUPP;
	if (flags & MSG_OOB)
		goto out;
	if (m->namelen) {
		if ((err = unix_validate_addr((const struct sockaddr *)m->name, m->namelen)) < 0)
			goto out;
		sun = (const struct sockaddr_un *)m->name;
	} else {
		pthread_mutex_lock(&u->lock);
		other = u->peer;
		if (other)
			unix_sock_get(other);
		pthread_mutex_unlock(&u->lock);
		err = -ENOTCONN;
		if (!other)
			goto out;
	}
	if (atomic_load(&s->passcred) && !u->addr && (err = unix_autobind(u)) < 0)
		goto out;
	err = -EMSGSIZE;
	if ((long)len > (long)atomic_load(&s->sndbuf) - 32)
		goto out;
	struct sock_timeo to;
	sock_timeo_init(&to, s, flags & MSG_DONTWAIT, true);
	if ((err = wait_wmem(u, t, &to, &e, &added)) < 0)
		goto out;
	err = -ENOMEM;
	if (!(skb = unix_skb_alloc(u, len)))
		goto out;
	attach_scm(skb, &scm, true);
	err = -EFAULT;
	if (sock_iter_copy_from(m->data, skb->data, len) < 0)
		goto out;
	for (;;) {
		if (!other) {
			err = -ECONNRESET;
			if (!sun)
				goto out;
			other = unix_find_other(t, sun, m->namelen, s->type, &err);
			if (!other)
				goto out;
		}
		pthread_mutex_lock(&other->lock);
		err = -EPERM;   /* someone else's peer (unix_may_send) */
		if (other->peer && other->peer != u)
			goto out_unlock;
		if (other->dead) {
			pthread_mutex_unlock(&other->lock);
			err = dgram_dead_peer(u, other);
			unix_sock_put(other);
			other = NULL;
			if (err < 0)
				goto out;
			continue;
		}
		err = -EPIPE;
		if (other->shutdown & RCV_SHUTDOWN)
			goto out_unlock;
		if (other == u || other->peer == u || !unix_recvq_full(other))
			break;
		if (!to.nonblock) {
			err = wait_room(other, t, &to);
			if (err == -EAGAIN)
				to.nonblock = true;
			else if (err < 0)
				goto out;
			continue;
		}
		/* Full: EAGAIN, and a poll() wakes when our peer has room. */
		pthread_mutex_unlock(&other->lock);
		unix_state_double_lock(u, other);
		bool still = u->peer != other || unix_dgram_peer_wake_me(u, other);
		unix_state_double_unlock(u, other);
		err = -EAGAIN;
		if (still)
			goto out;
	}
	maybe_add_creds(skb, t, u, other, &me);
	list_add_tail(&skb->node, &other->recvq);
	other->qlen++;
	skb = NULL;
	pthread_mutex_unlock(&other->lock);
	waitq_wake(&other->wq, POLLIN | POLLRDNORM);
	err = 0;
	goto out;
out_unlock:
	pthread_mutex_unlock(&other->lock);
out:
	if (added)
		waitq_del(&u->wq, &e);
	unix_skb_free(skb);
	unix_sock_put(other);
	scm_destroy(&scm);
	return err < 0 ? err : (ssize_t)len;
}

ssize_t unix_seqpacket_sendmsg(struct socket *s, struct task *t, struct sock_msg *m, int flags)
{
	int err = sock_error(s);
	if (err < 0)
		return err;
	if (unix_state_of(unix_sk(s)) != UNIX_ESTABLISHED)
		return -ENOTCONN;
	m->namelen = 0;   /* the destination is the peer, whatever was given */
	return unix_dgram_sendmsg(s, t, m, flags);
}

/* --- receiving -------------------------------------------------------------------------- */

static struct unix_skb *skb_at(struct unix_sock *u, size_t skip, size_t *off)
{
	struct unix_skb *skb;
	list_for_each_entry(skb, &u->recvq, node) {
		size_t unread = skb->len - skb->consumed;
		if (skip < unread) {
			*off = skip;
			return skb;
		}
		skip -= unread;
	}
	return NULL;
}

static bool same_creds(const struct unix_skb *skb, const struct scm_cookie *scm)
{
	struct scm_cookie c;
	creds_of(skb, &c);
	return c.pid == scm->pid && c.uid == scm->uid && c.gid == scm->gid;
}

ssize_t unix_stream_recvmsg(struct socket *s, struct task *t, struct sock_msg *m, size_t size,
			    int flags)
{
	struct unix_sock *u = unix_sk(s);
	if (unix_state_of(u) != UNIX_ESTABLISHED)
		return -EINVAL;
	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	size_t lowat = (size_t)atomic_load(&s->rcvlowat);
	size_t target = (flags & MSG_WAITALL) ? size : (lowat < size ? lowat : size);
	if (target == 0)
		target = 1;
	bool peek = flags & MSG_PEEK, passcred = atomic_load(&s->passcred), check_creds = false;
	struct sock_timeo to;
	sock_timeo_init(&to, s, flags & MSG_DONTWAIT, false);
	struct scm_cookie scm = { 0 };
	struct waitq_entry e;
	bool added = false;
	size_t copied = 0;
	int err = 0;
	pthread_mutex_lock(&u->iolock);
	while (copied < size || (size == 0 && copied < target)) {
		pthread_mutex_lock(&u->lock);
		size_t off = 0;
		struct unix_skb *skb = skb_at(u, peek ? copied : 0, &off);
		if (!skb) {
			bool down = u->shutdown & RCV_SHUTDOWN;
			pthread_mutex_unlock(&u->lock);
			if (copied >= target)
				break;
			if ((err = sock_error(s)) < 0 || down)   /* "POSIX 1003.1g mandates this order" */
				break;
			if (to.nonblock) {
				err = -EAGAIN;
				break;
			}
			if (!added) {
				waitq_add(&u->wq, &e, t, 0);
				added = true;
				continue;
			}
			pthread_mutex_unlock(&u->iolock);
			err = sock_block(t, &to);
			pthread_mutex_lock(&u->iolock);
			if (err == -EAGAIN) {   /* timed out: what is there, or EAGAIN */
				to.nonblock = true;
				err = 0;
				continue;
			}
			if (err < 0)
				break;
			continue;
		}
		if (check_creds) {
			/* Never glue messages from different writers. */
			if (!same_creds(skb, &scm)) {
				pthread_mutex_unlock(&u->lock);
				break;
			}
		} else if (passcred) {
			creds_of(skb, &scm);
			check_creds = true;
		}
		pthread_mutex_unlock(&u->lock);
		/* The buffer stays: only iolock holders take buffers off. */
		if (m->name)
			copy_sender_addr(skb, m);
		size_t chunk = skb->len - skb->consumed - off;
		if (chunk > size - copied)
			chunk = size - copied;
		if (sock_iter_copy_to(m->data, skb->data + skb->consumed + off, chunk) < 0) {
			if (copied == 0)
				err = -EFAULT;
			break;
		}
		copied += chunk;
		if (peek) {
			take_fds(u, skb, &scm, true);
			if (scm.nfp || size == 0)
				break;
			continue;
		}
		take_fds(u, skb, &scm, false);
		pthread_mutex_lock(&u->lock);
		skb->consumed += chunk;
		bool done = skb->consumed == skb->len;
		if (done) {
			list_del(&skb->node);
			u->qlen--;
		}
		pthread_mutex_unlock(&u->lock);
		if (!done)
			break;
		unix_skb_free(skb);
		if (scm.nfp || size == 0)
			break;
	}
	if (added)
		waitq_del(&u->wq, &e);
	pthread_mutex_unlock(&u->iolock);
	if (!check_creds)
		scm.pid = scm.uid = scm.gid = 0;
	scm_recv(t, m, &scm, passcred);
	return copied ? (ssize_t)copied : err;
}

static ssize_t dgram_recv(struct socket *s, struct task *t, struct sock_msg *m, size_t size,
			  int flags)
{
	struct unix_sock *u = unix_sk(s);
	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	bool peek = flags & MSG_PEEK, passcred = atomic_load(&s->passcred);
	struct sock_timeo to;
	sock_timeo_init(&to, s, flags & MSG_DONTWAIT, false);
	struct waitq_entry e;
	bool added = false;
	struct unix_skb *skb = NULL;
	int err;
	pthread_mutex_lock(&u->iolock);
	for (;;) {
		if ((err = sock_error(s)) < 0)
			break;
		pthread_mutex_lock(&u->lock);
		if (!list_empty(&u->recvq)) {
			skb = list_entry(u->recvq.next, struct unix_skb, node);
			if (!peek) {
				list_del(&skb->node);
				u->qlen--;
			}
			pthread_mutex_unlock(&u->lock);
			break;
		}
		bool down = u->shutdown & RCV_SHUTDOWN;
		enum unix_state state = u->state;
		pthread_mutex_unlock(&u->lock);
		if (to.nonblock) {
			/* EOF on a disconnected non-blocking SEQPACKET socket. */
			err = s->type == SOCK_SEQPACKET && down ? 0 : -EAGAIN;
			break;
		}
		err = 0;
		if (down)
			break;
		err = -ENOTCONN;
		if (s->type == SOCK_SEQPACKET && state != UNIX_ESTABLISHED && state != UNIX_LISTEN)
			break;
		if (!added) {
			waitq_add(&u->wq, &e, t, 0);
			added = true;
			continue;
		}
		pthread_mutex_unlock(&u->iolock);
		err = sock_block(t, &to);
		pthread_mutex_lock(&u->iolock);
		if (err == -EAGAIN)
			to.nonblock = true;
		else if (err < 0)
			break;
	}
	if (added)
		waitq_del(&u->wq, &e);
	if (!skb) {
		pthread_mutex_unlock(&u->iolock);
		return err;
	}
	waitq_wake(&u->peer_wait, POLLOUT | POLLWRNORM | POLLWRBAND);
	if (m->name)
		copy_sender_addr(skb, m);
	size_t n = skb->len;
	if (size < n) {
		m->flags |= MSG_TRUNC;
		n = size;
	}
	struct scm_cookie scm = { 0 };
	ssize_t ret = -EFAULT;
	if (sock_iter_copy_to(m->data, skb->data, n) == 0) {
		creds_of(skb, &scm);
		take_fds(u, skb, &scm, peek);
		ret = (flags & MSG_TRUNC) ? (ssize_t)skb->len : (ssize_t)n;
	}
	pthread_mutex_unlock(&u->iolock);
	if (!peek)
		unix_skb_free(skb);
	if (ret < 0)
		return ret;
	scm_recv(t, m, &scm, passcred);
	return ret;
}

ssize_t unix_dgram_recvmsg(struct socket *s, struct task *t, struct sock_msg *m, size_t len,
			   int flags)
{
	return dgram_recv(s, t, m, len, flags);
}

ssize_t unix_seqpacket_recvmsg(struct socket *s, struct task *t, struct sock_msg *m, size_t len,
			       int flags)
{
	if (unix_state_of(unix_sk(s)) != UNIX_ESTABLISHED)
		return -ENOTCONN;
	return dgram_recv(s, t, m, len, flags);
}
