/* AF_NETLINK sockets, NETLINK_ROUTE only (net/netlink/af_netlink.c is the
 * model): port ids, bind/connect/getsockname, the datagram receive queue,
 * dumps handed out one buffer per read, SOL_NETLINK options.  The kernel
 * side, what answers the requests, is netlink_route.c.
 *
 * Messages between guest sockets (a privileged sender naming another
 * port id or a multicast group) are delivered as Linux does; everything
 * else goes to the "kernel" (port id 0).
 *
 * Locking: table_lock (the bound sockets) is taken before a socket's
 * lock; a socket's iolock (its readers) before its lock.  No lock is held
 * across guest memory copies but the iolock, as unix_msg.c does.
 */
#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sentry/kernel/kernel.h"
#include "sentry/socket/netlink.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

_Static_assert(RTNLGRP_MAX <= 64, "the groups of NETLINK_ROUTE fit in a uint64_t");

static inline struct netlink_sock *nl_sk(struct socket *s)
{
	return (struct netlink_sock *)s;
}

static bool task_capable(struct task *t, int cap)
{
	pthread_mutex_lock(&t->k->lock);
	bool r = cred_capable(current_cred(t), cap);
	pthread_mutex_unlock(&t->k->lock);
	return r;
}

/* --- the port table ------------------------------------------------------------ */

static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static struct list_head table = LIST_HEAD_INIT(table);
/* Port ids of autobinds that found their tgid taken (Linux draws them
 * at random below -4096). */
static int32_t rover = -4097;

static struct netlink_sock *lookup_locked(uint32_t portid)
{
	struct netlink_sock *n;
	list_for_each_entry(n, &table, table_node)
		if (n->portid == portid)
			return n;
	return NULL;
}

/* netlink_insert(): under table_lock. */
static int insert_locked(struct netlink_sock *nlk, uint32_t portid)
{
	if (lookup_locked(portid))
		return -EADDRINUSE;
	pthread_mutex_lock(&nlk->lock);
	int err = 0;
	if (nlk->bound) {
		err = nlk->portid == portid ? 0 : -EBUSY;
	} else {
		nlk->portid = portid;
		nlk->bound = true;
		list_add_tail(&nlk->table_node, &table);
	}
	pthread_mutex_unlock(&nlk->lock);
	return err;
}

/* netlink_autobind(): the caller's tgid, or a negative id if taken. */
static int autobind_locked(struct netlink_sock *nlk, struct task *t)
{
	if (nlk->bound)
		return 0;
	uint32_t portid = (uint32_t)t->tg->tgid;
	while (lookup_locked(portid)) {
		portid = (uint32_t)rover;
		rover = rover == INT32_MIN ? -4097 : rover - 1;
	}
	return insert_locked(nlk, portid);
}

static int autobind(struct netlink_sock *nlk, struct task *t)
{
	pthread_mutex_lock(&table_lock);
	int err = autobind_locked(nlk, t);
	pthread_mutex_unlock(&table_lock);
	return err;
}

/* --- the receive queue ------------------------------------------------------------ */

static struct nl_skb *skb_new(const void *data, size_t len, uint32_t portid, uint32_t group)
{
	struct nl_skb *skb = malloc(sizeof *skb + len);
	if (!skb)
		return NULL;
	memset(skb, 0, sizeof *skb);
	skb->len = len;
	skb->portid = portid;
	skb->dst_group = group;
	memcpy(skb->data, data, len);
	return skb;
}

static size_t skb_charge(const struct nl_skb *skb)
{
	return skb->len + NL_SKB_OVERHEAD;
}

/* netlink_overrun(): the reader learns it lost messages. */
static void overrun_locked(struct netlink_sock *nlk)
{
	if (!(atomic_load(&nlk->flags) & NLF_NO_ENOBUFS))
		atomic_store(&nlk->sock.err, ENOBUFS);
}

/* Queues skb unless the receive buffer is already over its size
 * (netlink_attachskb without waiting).  Consumes skb; true if queued. */
static bool enqueue_locked(struct netlink_sock *nlk, struct nl_skb *skb)
{
	if (nlk->rmem > (size_t)atomic_load(&nlk->sock.rcvbuf)) {
		overrun_locked(nlk);
		free(skb);
		return false;
	}
	list_add_tail(&skb->node, &nlk->recvq);
	nlk->rmem += skb_charge(skb);
	return true;
}

void netlink_kernel_reply(struct netlink_sock *nlk, const void *msg, size_t len)
{
	struct nl_skb *skb = skb_new(msg, len, 0, 0);
	pthread_mutex_lock(&nlk->lock);
	if (skb)
		enqueue_locked(nlk, skb);
	else
		overrun_locked(nlk);
	pthread_mutex_unlock(&nlk->lock);
	waitq_wake(&nlk->wq, POLLIN | POLLRDNORM | POLLERR);
}

/* netlink_dump(): the next buffer of the running dump, packed with as
 * many whole messages as fit; the NLMSG_DONE comes in a buffer of its
 * own.  Returns true if something was queued. */
static bool dump_pump_locked(struct netlink_sock *nlk)
{
	if (!nlk->dump_running)
		return false;
	size_t room = nlk->max_recvmsg_len > NL_GOODSIZE ? nlk->max_recvmsg_len : NL_GOODSIZE;
	struct nl_skb *skb;
	if (nlk->dump_off < nlk->dump_len) {
		size_t start = nlk->dump_off, end = start;
		while (end < nlk->dump_len) {
			const struct nlmsghdr *h = (const void *)(nlk->dump_buf + end);
			size_t n = NLMSG_ALIGN(h->nlmsg_len);
			if (n > nlk->dump_len - end)
				n = nlk->dump_len - end;
			if (end > start && end + n - start > room)
				break;
			end += n;
		}
		skb = skb_new(nlk->dump_buf + start, end - start, 0, 0);
		if (!skb)
			return false;   /* retried at the next read */
		nlk->dump_off = end;
	} else {
		uint8_t done[128];
		size_t n = rtnetlink_done_msg(nlk, nlk->dump_seq, nlk->dump_errno,
					      nlk->dump_extack, nlk->dump_flags, done);
		skb = skb_new(done, n, 0, 0);
		if (!skb)
			return false;
		free(nlk->dump_buf);
		nlk->dump_buf = NULL;
		nlk->dump_running = false;
	}
	/* The first buffer of a dump always goes in; later ones only while
	 * the reader keeps up (netlink_dump's rcvbuf check). */
	list_add_tail(&skb->node, &nlk->recvq);
	nlk->rmem += skb_charge(skb);
	return true;
}

int netlink_dump_start(struct netlink_sock *nlk, uint8_t *buf, size_t len, uint32_t seq,
		       int done_errno, const char *extack, uint16_t done_flags)
{
	pthread_mutex_lock(&nlk->lock);
	if (nlk->dump_running) {
		pthread_mutex_unlock(&nlk->lock);
		free(buf);
		return -EBUSY;
	}
	nlk->dump_running = true;
	nlk->dump_buf = buf;
	nlk->dump_len = buf ? len : 0;
	nlk->dump_off = 0;
	nlk->dump_seq = seq;
	nlk->dump_errno = done_errno;
	nlk->dump_extack = extack;
	nlk->dump_flags = done_flags;
	bool queued = false;
	if (list_empty(&nlk->recvq) || nlk->rmem < (size_t)atomic_load(&nlk->sock.rcvbuf))
		queued = dump_pump_locked(nlk);
	pthread_mutex_unlock(&nlk->lock);
	if (queued)
		waitq_wake(&nlk->wq, POLLIN | POLLRDNORM);
	return 0;
}

/* --- sending ------------------------------------------------------------------------ */

/* A message from one guest socket to others: the socket bound to
 * portid (if any; -ECONNREFUSED if none) and the members of group. */
static int deliver_user(struct netlink_sock *from, struct task *t, const uint8_t *data,
			size_t len, uint32_t portid, uint32_t group)
{
	pid_t pid;
	uid_t uid;
	gid_t gid;
	scm_current_creds(t, &pid, &uid, &gid);
	int err = 0;
	pthread_mutex_lock(&table_lock);
	struct netlink_sock *n;
	list_for_each_entry(n, &table, table_node) {
		bool target = portid && n->portid == portid;
		if (!target && (!group || n == from))
			continue;
		pthread_mutex_lock(&n->lock);
		bool member = !target && (int)group <= n->ngroups &&
			      (n->groups & (1ULL << (group - 1)));
		if (!target && !member) {
			pthread_mutex_unlock(&n->lock);
			continue;
		}
		if (target && n->connected && n->dst_portid != from->portid) {
			pthread_mutex_unlock(&n->lock);
			err = -ECONNREFUSED;
			continue;
		}
		struct nl_skb *skb = skb_new(data, len, from->portid, target ? 0 : group);
		if (skb) {
			skb->has_creds = true;
			skb->pid = pid;
			skb->uid = uid;
			skb->gid = gid;
		}
		bool ok = skb && enqueue_locked(n, skb);
		pthread_mutex_unlock(&n->lock);
		if (ok)
			waitq_wake(&n->wq, POLLIN | POLLRDNORM);
		else if (target)
			err = -EAGAIN;
	}
	if (portid && !lookup_locked(portid))
		err = -ECONNREFUSED;
	pthread_mutex_unlock(&table_lock);
	return err;
}

static ssize_t nl_sendmsg(struct socket *s, struct task *t, struct sock_msg *m, int flags)
{
	struct netlink_sock *nlk = nl_sk(s);
	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	size_t len = m->data->left;
	if (len == 0)
		return -ENODATA;   /* "Zero length message leads to an empty skb" */
	struct scm_cookie scm;
	int err = scm_send(t, m, true, &scm);
	if (err < 0)
		return err;
	scm_destroy(&scm);   /* credentials and fds mean nothing to the kernel */

	uint32_t dst_portid, dst_group;
	if (m->namelen) {
		struct sockaddr_nl na;
		if (m->namelen < (int)sizeof na)
			return -EINVAL;
		memcpy(&na, m->name, sizeof na);
		if (na.nl_family != AF_NETLINK)
			return -EINVAL;
		dst_portid = na.nl_pid;
		dst_group = (uint32_t)ffs((int)na.nl_groups);
		/* NETLINK_ROUTE has no NL_CFG_F_NONROOT_SEND. */
		if ((dst_group || dst_portid) && !task_capable(t, CAP_NET_ADMIN))
			return -EPERM;
	} else {
		pthread_mutex_lock(&nlk->lock);
		dst_portid = nlk->dst_portid;
		dst_group = nlk->dst_group;
		pthread_mutex_unlock(&nlk->lock);
	}
	if ((err = autobind(nlk, t)) < 0)
		return err;
	int sndbuf = atomic_load(&s->sndbuf);
	if (sndbuf < 32 || len > (size_t)sndbuf - 32)
		return -EMSGSIZE;
	uint8_t *buf = malloc(len);
	if (!buf)
		return -ENOBUFS;
	if (sock_iter_copy_from(m->data, buf, len) < 0) {
		free(buf);
		return -EFAULT;
	}
	err = 0;
	if (dst_portid || dst_group)
		err = deliver_user(nlk, t, buf, len, dst_portid, dst_group);
	if (!dst_portid)
		rtnetlink_rcv(nlk, t, buf, len);
	free(buf);
	return err < 0 ? err : (ssize_t)len;
}

/* --- receiving ------------------------------------------------------------------------ */

static void put_source(const struct nl_skb *skb, struct sock_msg *m)
{
	struct sockaddr_nl na = { .nl_family = AF_NETLINK, .nl_pid = skb->portid };
	if (skb->dst_group && skb->dst_group <= 32)
		na.nl_groups = 1U << (skb->dst_group - 1);
	memcpy(m->name, &na, sizeof na);
	m->namelen = sizeof na;
}

static ssize_t nl_recvmsg(struct socket *s, struct task *t, struct sock_msg *m, size_t size,
			  int flags)
{
	struct netlink_sock *nlk = nl_sk(s);
	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	bool peek = flags & MSG_PEEK;
	struct sock_timeo to;
	sock_timeo_init(&to, s, flags & MSG_DONTWAIT, false);
	struct waitq_entry e;
	bool added = false;
	struct nl_skb *skb = NULL;
	int err;
	pthread_mutex_lock(&nlk->iolock);
	for (;;) {
		if ((err = sock_error(s)) < 0)
			break;
		pthread_mutex_lock(&nlk->lock);
		if (!list_empty(&nlk->recvq)) {
			skb = list_entry(nlk->recvq.next, struct nl_skb, node);
			if (!peek) {
				list_del(&skb->node);
				nlk->rmem -= skb_charge(skb);
			}
			pthread_mutex_unlock(&nlk->lock);
			break;
		}
		pthread_mutex_unlock(&nlk->lock);
		if (to.nonblock) {
			err = -EAGAIN;
			break;
		}
		if (!added) {
			waitq_add(&nlk->wq, &e, t, 0);
			added = true;
			continue;
		}
		pthread_mutex_unlock(&nlk->iolock);
		err = sock_block(t, &to);
		pthread_mutex_lock(&nlk->iolock);
		if (err == -EAGAIN)
			to.nonblock = true;
		else if (err < 0)
			break;
	}
	if (added)
		waitq_del(&nlk->wq, &e);
	if (!skb) {
		pthread_mutex_unlock(&nlk->iolock);
		return err;
	}

	size_t n = skb->len;
	if (size < n) {
		m->flags |= MSG_TRUNC;
		n = size;
	}
	ssize_t ret = sock_iter_copy_to(m->data, skb->data, n) < 0 ? -EFAULT : (ssize_t)n;
	if (ret >= 0 && (flags & MSG_TRUNC))
		ret = (ssize_t)skb->len;
	if (m->name)
		put_source(skb, m);
	struct scm_cookie scm = { .has_creds = true, .pid = skb->pid, .uid = skb->uid,
				  .gid = skb->gid };
	uint32_t group = skb->dst_group;
	pthread_mutex_unlock(&nlk->iolock);
	if (!peek)
		free(skb);

	/* Record the largest read for the next dump buffers, and hand out
	 * the next one once the queue has drained enough (netlink_recvmsg). */
	pthread_mutex_lock(&nlk->lock);
	size_t max = nlk->max_recvmsg_len > size ? nlk->max_recvmsg_len : size;
	nlk->max_recvmsg_len = max < NL_MAX_DUMPSIZE ? max : NL_MAX_DUMPSIZE;
	bool queued = false;
	if (nlk->dump_running && nlk->rmem <= (size_t)atomic_load(&s->rcvbuf) / 2)
		queued = dump_pump_locked(nlk);
	pthread_mutex_unlock(&nlk->lock);
	if (queued)
		waitq_wake(&nlk->wq, POLLIN | POLLRDNORM);

	if (ret >= 0 && (atomic_load(&nlk->flags) & NLF_RECV_PKTINFO)) {
		struct nl_pktinfo info = { .group = group };
		sock_put_cmsg(t, m, SOL_NETLINK, NETLINK_PKTINFO, &info, sizeof info);
	}
	scm_recv(t, m, &scm, atomic_load(&s->passcred));
	return ret;
}

static unsigned nl_poll(struct socket *s, struct poll_table *pt, unsigned requested)
{
	struct netlink_sock *nlk = nl_sk(s);
	if (pt)
		poll_wait(pt, &nlk->wq, 0);
	unsigned mask = POLLOUT | POLLWRNORM | POLLWRBAND;   /* sends never wait */
	pthread_mutex_lock(&nlk->lock);
	if (!list_empty(&nlk->recvq))
		mask |= POLLIN | POLLRDNORM;
	pthread_mutex_unlock(&nlk->lock);
	if (atomic_load(&s->err))
		mask |= POLLERR;
	return mask;
}

/* --- names ------------------------------------------------------------------------------ */

/* netlink_realloc_groups(): the groups become usable on first use. */
static void use_groups_locked(struct netlink_sock *nlk)
{
	nlk->ngroups = RTNLGRP_MAX;
}

static int nl_bind(struct socket *s, struct task *t, const struct sockaddr *addr, int len)
{
	struct netlink_sock *nlk = nl_sk(s);
	struct sockaddr_nl na;
	if (len < (int)sizeof na)
		return -EINVAL;
	memcpy(&na, addr, sizeof na);
	if (na.nl_family != AF_NETLINK)
		return -EINVAL;
	/* Unprivileged listeners are allowed on NETLINK_ROUTE
	 * (NL_CFG_F_NONROOT_RECV). */
	uint64_t groups = na.nl_groups;
	pthread_mutex_lock(&table_lock);
	pthread_mutex_lock(&nlk->lock);
	if (groups)
		use_groups_locked(nlk);
	if (nlk->ngroups < 64)
		groups &= (1ULL << nlk->ngroups) - 1;
	bool bound = nlk->bound;
	uint32_t portid = nlk->portid;
	pthread_mutex_unlock(&nlk->lock);
	int err = 0;
	if (bound && na.nl_pid != portid)
		err = -EINVAL;
	else if (!bound)
		err = na.nl_pid ? insert_locked(nlk, na.nl_pid) : autobind_locked(nlk, t);
	if (err == 0) {
		pthread_mutex_lock(&nlk->lock);
		if (groups || (uint32_t)nlk->groups)
			nlk->groups = (nlk->groups & ~0xffffffffULL) | groups;
		pthread_mutex_unlock(&nlk->lock);
	}
	pthread_mutex_unlock(&table_lock);
	return err;
}

static int nl_connect(struct socket *s, struct task *t, const struct sockaddr *addr, int len,
		      bool nonblock)
{
	struct netlink_sock *nlk = nl_sk(s);
	if (len < (int)sizeof addr->sa_family)
		return -EINVAL;
	if (addr->sa_family == AF_UNSPEC) {
		pthread_mutex_lock(&nlk->lock);
		nlk->connected = false;
		nlk->dst_portid = nlk->dst_group = 0;
		pthread_mutex_unlock(&nlk->lock);
		return 0;
	}
	struct sockaddr_nl na;
	if (addr->sa_family != AF_NETLINK || len < (int)sizeof na)
		return -EINVAL;
	memcpy(&na, addr, sizeof na);
	if ((na.nl_groups || na.nl_pid) && !task_capable(t, CAP_NET_ADMIN))
		return -EPERM;
	int err = autobind(nlk, t);
	if (err == 0) {
		pthread_mutex_lock(&nlk->lock);
		nlk->connected = true;
		nlk->dst_portid = na.nl_pid;
		nlk->dst_group = (uint32_t)ffs((int)na.nl_groups);
		pthread_mutex_unlock(&nlk->lock);
	}
	return err;
}

static int nl_getname(struct socket *s, struct sockaddr_storage *addr, bool peer)
{
	struct netlink_sock *nlk = nl_sk(s);
	struct sockaddr_nl na = { .nl_family = AF_NETLINK };
	pthread_mutex_lock(&nlk->lock);
	if (peer) {
		na.nl_pid = nlk->dst_portid;
		na.nl_groups = nlk->dst_group && nlk->dst_group <= 32 ? 1U << (nlk->dst_group - 1)
								      : 0;
	} else {
		na.nl_pid = nlk->portid;
		na.nl_groups = (uint32_t)nlk->groups;
	}
	pthread_mutex_unlock(&nlk->lock);
	memcpy(addr, &na, sizeof na);
	return sizeof na;
}

/* --- options ------------------------------------------------------------------------------ */

static unsigned opt_flag(int name)
{
	switch (name) {
	case NETLINK_PKTINFO:         return NLF_RECV_PKTINFO;
	case NETLINK_BROADCAST_ERROR: return NLF_BROADCAST_ERR;
	case NETLINK_NO_ENOBUFS:      return NLF_NO_ENOBUFS;
	case NETLINK_LISTEN_ALL_NSID: return NLF_LISTEN_ALL;
	case NETLINK_CAP_ACK:         return NLF_CAP_ACK;
	case NETLINK_EXT_ACK:         return NLF_EXT_ACK;
	case NETLINK_GET_STRICT_CHK:  return NLF_STRICT_CHK;
	default:                      return 0;
	}
}

static int membership(struct netlink_sock *nlk, unsigned val, bool add)
{
	pthread_mutex_lock(&nlk->lock);
	use_groups_locked(nlk);
	int err = 0;
	if (!val || val - 1 >= (unsigned)nlk->ngroups)
		err = -EINVAL;
	else if (add)
		nlk->groups |= 1ULL << (val - 1);
	else
		nlk->groups &= ~(1ULL << (val - 1));
	pthread_mutex_unlock(&nlk->lock);
	return err;
}

static int nl_setsockopt(struct socket *s, struct task *t, int level, int name, const void *val,
			 unsigned len)
{
	struct netlink_sock *nlk = nl_sk(s);
	if (level != SOL_NETLINK)
		return -ENOPROTOOPT;   /* SOL_SOCKET: the common code's */
	unsigned v = 0;
	if (len >= sizeof v)
		memcpy(&v, val, sizeof v);
	if (name == NETLINK_ADD_MEMBERSHIP || name == NETLINK_DROP_MEMBERSHIP)
		return membership(nlk, v, name == NETLINK_ADD_MEMBERSHIP);
	unsigned flag = opt_flag(name);
	if (!flag)
		return -ENOPROTOOPT;
	if (flag == NLF_LISTEN_ALL && !task_capable(t, CAP_NET_BROADCAST))
		return -EPERM;
	if (v)
		atomic_fetch_or(&nlk->flags, flag);
	else
		atomic_fetch_and(&nlk->flags, ~flag);
	if (flag == NLF_NO_ENOBUFS && v)
		waitq_wake(&nlk->wq, 0);
	return 0;
}

static int nl_getsockopt(struct socket *s, struct task *t, int level, int name, void *val,
			 unsigned *len)
{
	struct netlink_sock *nlk = nl_sk(s);
	if (level != SOL_NETLINK)
		return -ENOPROTOOPT;
	if (name == NETLINK_LIST_MEMBERSHIPS) {
		/* Linux reports the full size even when the buffer is
		 * shorter; the sentry cannot write past the buffer it was
		 * given, so a short buffer gets what fits. */
		pthread_mutex_lock(&nlk->lock);
		unsigned need = (unsigned)((nlk->ngroups + 31) / 32 * 4);
		uint64_t groups = nlk->groups;
		pthread_mutex_unlock(&nlk->lock);
		unsigned pos = 0;
		for (; pos < need && pos + 4 <= *len; pos += 4) {
			uint32_t w = (uint32_t)(groups >> (pos * 8));
			memcpy((char *)val + pos, &w, 4);
		}
		*len = pos < need ? pos : need;
		return 0;
	}
	unsigned flag = opt_flag(name);
	if (!flag)
		return -ENOPROTOOPT;
	if (*len < sizeof(int))
		return -EINVAL;
	int v = (atomic_load(&nlk->flags) & flag) != 0;
	memcpy(val, &v, sizeof v);
	*len = sizeof v;
	return 0;
}

/* --- life ---------------------------------------------------------------------------------- */

static void nl_release(struct socket *s)
{
	struct netlink_sock *nlk = nl_sk(s);
	pthread_mutex_lock(&table_lock);
	if (nlk->bound)
		list_del(&nlk->table_node);
	pthread_mutex_unlock(&table_lock);
	while (!list_empty(&nlk->recvq)) {
		struct nl_skb *skb = list_entry(nlk->recvq.next, struct nl_skb, node);
		list_del(&skb->node);
		free(skb);
	}
	free(nlk->dump_buf);
	pthread_mutex_destroy(&nlk->lock);
	pthread_mutex_destroy(&nlk->iolock);
	free(nlk);
}

static int nl_listen(struct socket *s, struct task *t, int backlog)
{
	return -EOPNOTSUPP;
}

static int nl_accept(struct socket *s, struct task *t, bool nonblock, struct socket **out)
{
	return -EOPNOTSUPP;
}

static int nl_socketpair(struct socket *a, struct socket *b, struct task *t)
{
	return -EOPNOTSUPP;
}

static int nl_shutdown(struct socket *s, int how)
{
	return -EOPNOTSUPP;
}

static const struct socket_ops netlink_ops = {
	.bind = nl_bind,
	.connect = nl_connect,
	.listen = nl_listen,
	.accept = nl_accept,
	.getname = nl_getname,
	.socketpair = nl_socketpair,
	.sendmsg = nl_sendmsg,
	.recvmsg = nl_recvmsg,
	.shutdown = nl_shutdown,
	.setsockopt = nl_setsockopt,
	.getsockopt = nl_getsockopt,
	.poll = nl_poll,
	.release = nl_release,
};

int netlink_create(struct task *t, int type, int protocol, struct socket **out)
{
	if (type != SOCK_RAW && type != SOCK_DGRAM)
		return -ESOCKTNOSUPPORT;
	/* Only the routing family: NETLINK_GENERIC, NETLINK_AUDIT... have
	 * no kernel side here, as on a kernel built without them. */
	if (protocol != NETLINK_ROUTE)
		return -EPROTONOSUPPORT;
	struct netlink_sock *nlk = calloc(1, sizeof *nlk);
	if (!nlk)
		return -ENOMEM;
	socket_init(&nlk->sock, AF_NETLINK, type, protocol, &netlink_ops);
	pthread_mutex_init(&nlk->lock, NULL);
	pthread_mutex_init(&nlk->iolock, NULL);
	list_init(&nlk->recvq);
	list_init(&nlk->table_node);
	waitq_init(&nlk->wq);
	atomic_init(&nlk->flags, 0);
	*out = &nlk->sock;
	return 0;
}
