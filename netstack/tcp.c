/* TCP sockets over lwIP's tcp_pcb (net/ipv4/tcp.c and af_inet.c are the
 * references for every errno and poll bit here).
 *
 * lwIP has no accept queue and no receive buffer of its own: a listener's
 * accepted connections wait in the socket (see cb_accept for the bound), and
 * received segments wait in its rx queue; the window reopens (tcp_recved)
 * only as the guest reads, which is the flow control.  A closed socket's
 * pcb stays with lwIP until the FIN handshake ends, without callbacks.
 */
#include <errno.h>
#include <signal.h>
#include <linux/sockios.h>
#include <netinet/tcp.h>   /* before lwIP: both define TCP_MSS */
#undef TCP_MSS
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "lwip/tcp.h"
#include "lwip/priv/tcp_priv.h"

#include "netstack/internal.h"
#include "sentry/mm/mm.h"

#define TCP_CHUNK 65535u          /* tcp_write takes a u16 length */
#define KEEPIDLE_DEFAULT  7200
#define KEEPINTVL_DEFAULT 75
#define KEEPCNT_DEFAULT   9

static const struct socket_ops tcp_ops;

/* --- the socket's own buffers (core lock held) -------------------------------------------- *
 *
 * lwIP's windows are a fixed 64 KiB, and a stream whose writer and reader
 * must each wait a whole round trip through the proxy for the window to
 * move is slow.  So the socket buffers as Linux does, SO_SNDBUF and
 * SO_RCVBUF deep, in front of lwIP: writes land in tx and are fed to lwIP
 * as ACKs free its buffer (from lwIP's callbacks: no guest thread in the
 * loop), and received data gives its window back at once while the rx
 * queue has room, not when the guest reads it. */

static void close_pcb(struct inet_sock *is, bool reset);
static void orphan_done(struct inet_sock *is);

static size_t tx_limit(struct inet_sock *is)
{
	size_t lim = (size_t)atomic_load(&is->sock.sndbuf);
	return lim < TCP_CHUNK ? TCP_CHUNK : lim;
}

static size_t rx_limit(struct inet_sock *is)
{
	size_t lim = (size_t)atomic_load(&is->sock.rcvbuf);
	return lim < 2 * TCP_CHUNK ? 2 * TCP_CHUNK : lim;
}

/* Gives received bytes back to the window while the queue has room for
 * another window's worth. */
static void rx_credit(struct inet_sock *is)
{
	struct tcp_pcb *pcb = is->pcb.tcp;
	if (!pcb || is->state == INET_LISTEN || is->rx_owed == 0)
		return;
	if (is->rx_bytes + TCP_WND > rx_limit(is))
		return;
	while (is->rx_owed > 0) {
		u16_t c = is->rx_owed > 0xffff ? 0xffff : (u16_t)is->rx_owed;
		tcp_recved(pcb, c);
		is->rx_owed -= c;
	}
}

static void tx_free(struct inet_sock *is)
{
	struct tx_chunk *c = is->tx_head;
	while (c) {
		struct tx_chunk *next = c->next;
		free(c);
		c = next;
	}
	is->tx_head = is->tx_tail = is->tx_send = NULL;
	is->tx_bytes = 0;
}

/* The peer acknowledged len more bytes: chunks it has all of are freed. */
static void tx_acked(struct inet_sock *is, size_t len)
{
	while (len > 0 && is->tx_head) {
		struct tx_chunk *c = is->tx_head;
		size_t k = c->off - c->acked;
		if (k == 0)
			break;   /* (a SYN or FIN counted as a byte) */
		if (k > len)
			k = len;
		c->acked += k;
		len -= k;
		if (c->acked < c->len)
			break;
		is->tx_head = c->next;
		if (is->tx_tail == c)
			is->tx_tail = NULL;
		free(c);
	}
}

/* Hands queued data to lwIP as far as its buffer allows (by reference:
 * the chunks stay until acknowledged), then sends the FIN a shutdown left
 * pending.  An orphan is finished once everything is acknowledged. */
static void tx_push(struct inet_sock *is)
{
	struct tcp_pcb *pcb = is->pcb.tcp;
	if (!pcb || is->state != INET_CONNECTED)
		return;
	bool wrote = false;
	while (is->tx_send) {
		struct tx_chunk *c = is->tx_send;
		size_t room = tcp_sndbuf(pcb);
		if (room == 0 || tcp_sndqueuelen(pcb) >= TCP_SND_QUEUELEN - 4)
			break;
		size_t n = c->len - c->off;
		if (n > room)
			n = room;
		u8_t flags = 0;
		if (n < c->len - c->off || c->next || is->cork)
			flags |= TCP_WRITE_FLAG_MORE;
		if (tcp_write(pcb, c->data + c->off, (u16_t)n, flags) != ERR_OK)
			break;
		wrote = true;
		c->off += n;
		is->tx_bytes -= n;
		if (c->off == c->len)
			is->tx_send = c->next;
	}
	if (wrote && !is->cork)
		tcp_output(pcb);
	if (is->orphan) {
		if (!is->tx_head)
			orphan_done(is);
		return;
	}
	if (!is->tx_send && is->fin_pending) {
		is->fin_pending = false;
		tcp_shutdown(pcb, 0, 1);
	}
}

/* --- lwIP callbacks (core lock held) ------------------------------------------------------- */

static err_t cb_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	struct inet_sock *is = arg;
	if (is->orphan) {   /* closed: what still arrives is dropped */
		if (p) {
			tcp_recved(pcb, p->tot_len);
			pbuf_free(p);
		}
		return ERR_OK;
	}
	if (!p) {
		is->peer_fin = true;
		inet_wake(is, POLLIN | POLLRDNORM | POLLRDHUP);
		return ERR_OK;
	}
	struct rx_item *it = calloc(1, sizeof *it);
	if (!it)
		return ERR_MEM;   /* lwIP offers it again later */
	it->p = p;
	rxq_push(is, it);
	is->rx_owed += p->tot_len;
	rx_credit(is);
	inet_wake(is, POLLIN | POLLRDNORM);
	return ERR_OK;
}

static err_t cb_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
	struct inet_sock *is = arg;
	bool orphan = is->orphan;
	tx_acked(is, len);
	tx_push(is);   /* may free an orphan */
	if (!orphan)
		inet_wake(is, POLLOUT | POLLWRNORM);
	return ERR_OK;
}

/* lwIP freed the pcb: a reset, or it gave up retransmitting. */
static void cb_err(void *arg, err_t err)
{
	struct inet_sock *is = arg;
	is->pcb.tcp = NULL;
	if (is->orphan) {   /* nobody is left to hear of it */
		orphan_done(is);
		return;
	}
	tx_free(is);
	/* Dead now: both directions are shut (tcp_done). */
	is->shutdown = INET_RCV_SHUTDOWN | INET_SEND_SHUTDOWN;
	if (err == ERR_CLSD) {   /* closed both ways and freed: no error */
		is->state = INET_CLOSED;
		inet_wake(is, 0);
		return;
	}
	int e;
	if (err == ERR_RST)   /* tcp_reset: EPIPE once the peer had sent its FIN */
		e = is->state == INET_CONNECTING ? ECONNREFUSED : is->peer_fin ? EPIPE : ECONNRESET;
	else if (err == ERR_ABRT)
		e = ETIMEDOUT;
	else
		e = ECONNABORTED;
	if (is->state == INET_CONNECTING && err != ERR_RST && err != ERR_ABRT)
		e = ECONNREFUSED;
	atomic_store(&is->sock.err, e);
	is->state = INET_CLOSED;
	inet_wake(is, 0);
}

static err_t cb_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct inet_sock *is = arg;
	is->state = INET_CONNECTED;
	is->was_connected = true;
	net_raise_mss(pcb);
	ip_addr_copy(is->local_addr, pcb->local_ip);
	is->local_port = pcb->local_port;
	inet_wake(is, POLLOUT | POLLWRNORM);
	return ERR_OK;
}

static void apply_options(struct inet_sock *is, struct tcp_pcb *pcb)
{
	pcb->ttl = (u8_t)inet_get_ttl(is);
	pcb->tos = (u8_t)is->tos;
	if (is->nodelay)
		tcp_nagle_disable(pcb);
	else
		tcp_nagle_enable(pcb);
	if (atomic_load(&is->sock.flags) & SOCKF_KEEPALIVE)
		ip_set_option(pcb, SOF_KEEPALIVE);
	else
		ip_reset_option(pcb, SOF_KEEPALIVE);
	pcb->keep_idle = (u32_t)(is->keepidle ? is->keepidle : KEEPIDLE_DEFAULT) * 1000;
	pcb->keep_intvl = (u32_t)(is->keepintvl ? is->keepintvl : KEEPINTVL_DEFAULT) * 1000;
	pcb->keep_cnt = (u32_t)(is->keepcnt ? is->keepcnt : KEEPCNT_DEFAULT);
}

static void attach(struct inet_sock *is, struct tcp_pcb *pcb)
{
	is->pcb.tcp = pcb;
	tcp_arg(pcb, is);
	tcp_recv(pcb, cb_recv);
	tcp_sent(pcb, cb_sent);
	tcp_err(pcb, cb_err);
	apply_options(is, pcb);
}

static void detach(struct tcp_pcb *pcb)
{
	tcp_arg(pcb, NULL);
	if (pcb->state != LISTEN) {
		tcp_recv(pcb, NULL);
		tcp_sent(pcb, NULL);
		tcp_err(pcb, NULL);
	} else {
		tcp_accept(pcb, NULL);
	}
}

static struct inet_sock *sock_alloc(struct netstack *ns, int family)
{
	struct inet_sock *is = calloc(1, sizeof *is);
	if (is)
		inet_sock_init(is, ns, family, SOCK_STREAM, IPPROTO_TCP, &tcp_ops);
	return is;
}

static err_t cb_accept(void *arg, struct tcp_pcb *newpcb, err_t err)
{
	struct inet_sock *ls = arg;
	if (!ls || err != ERR_OK || !newpcb)
		return ERR_VAL;
	/* Linux drops a SYN when the accept queue (backlog + 1) is full and
	 * the client retries until the server has taken some.  lwIP (built
	 * without TCP_LISTEN_BACKLOG) answered the SYN before we hear of the
	 * connection, and refusing now would reset a client Linux would have
	 * served; so the queue grows past the backlog (such a client's
	 * connect completes early) up to net.core.somaxconn. */
	if (ls->acc_count >= SOCK_SOMAXCONN)
		return ERR_MEM;
	struct inet_sock *c = sock_alloc(ls->ns, ls->sock.family);
	if (!c)
		return ERR_MEM;
	c->v6only = ls->v6only;
	c->ttl = ls->ttl;
	c->nodelay = ls->nodelay;
	c->keepidle = ls->keepidle;
	c->keepintvl = ls->keepintvl;
	c->keepcnt = ls->keepcnt;
	atomic_store(&c->sock.flags, atomic_load(&ls->sock.flags));
	attach(c, newpcb);
	net_raise_mss(newpcb);
	c->state = INET_CONNECTED;
	c->was_connected = true;
	c->bound = true;
	ip_addr_copy(c->local_addr, newpcb->local_ip);
	c->local_port = newpcb->local_port;
	if (ls->acc_tail)
		ls->acc_tail->acc_next = c;
	else
		ls->acc_head = c;
	ls->acc_tail = c;
	ls->acc_count++;
	inet_wake(ls, POLLIN | POLLRDNORM);
	return ERR_OK;
}

int tcp_sock_create(struct netstack *ns, int family, struct socket **out)
{
	struct inet_sock *is = sock_alloc(ns, family);
	if (!is)
		return -ENOMEM;
	net_lock();
	struct tcp_pcb *pcb = tcp_new_ip_type(family == AF_INET ? IPADDR_TYPE_V4 : IPADDR_TYPE_ANY);
	if (pcb)
		attach(is, pcb);
	net_unlock();
	if (!pcb) {
		inet_sock_free(is);
		return -ENOBUFS;
	}
	inet_any_addr(is, &is->local_addr);
	*out = &is->sock;
	return 0;
}

/* A socket whose pcb lwIP dropped gets a new one (core lock held): a
 * closed socket may connect again, as on Linux. */
static int ensure_pcb(struct inet_sock *is)
{
	if (is->pcb.tcp)
		return 0;
	struct tcp_pcb *pcb = tcp_new_ip_type(is->sock.family == AF_INET ? IPADDR_TYPE_V4
									 : IPADDR_TYPE_ANY);
	if (!pcb)
		return -ENOBUFS;
	attach(is, pcb);
	is->bound = false;
	return 0;
}

static int lwip_errno(err_t e)
{
	switch (e) {
	case ERR_OK: return 0;
	case ERR_MEM: case ERR_BUF: return -ENOBUFS;
	case ERR_RTE: return -ENETUNREACH;
	case ERR_USE: return -EADDRINUSE;
	case ERR_ISCONN: return -EISCONN;
	case ERR_ALREADY: case ERR_INPROGRESS: return -EALREADY;
	case ERR_CONN: return -ENOTCONN;
	case ERR_RST: return -ECONNRESET;
	case ERR_ABRT: return -ECONNABORTED;
	case ERR_CLSD: return -ENOTCONN;
	case ERR_VAL: case ERR_ARG: return -EINVAL;
	default: return -EIO;
	}
}

/* --- bind, listen, accept, connect --------------------------------------------------------- */

static bool addrs_overlap(const ip_addr_t *a, const ip_addr_t *b)
{
	/* A v6-only wildcard and an IPv4 address are different spaces. */
	if (!IP_IS_ANY_TYPE_VAL(*a) && !IP_IS_ANY_TYPE_VAL(*b) && IP_GET_TYPE(a) != IP_GET_TYPE(b))
		return false;
	if (ip_addr_isany(a) || ip_addr_isany(b) || IP_IS_ANY_TYPE_VAL(*a) || IP_IS_ANY_TYPE_VAL(*b))
		return true;
	return ip_addr_cmp(a, b);
}

/* The sandbox socket behind a pcb, if it is one (forwarded connections
 * and closed sockets' pcbs have other or no callbacks). */
static struct inet_sock *owner_of(struct tcp_pcb *pcb)
{
	if (pcb->state == LISTEN)
		return ((struct tcp_pcb_listen *)pcb)->accept == cb_accept ? pcb->callback_arg : NULL;
	return pcb->recv == cb_recv ? pcb->callback_arg : NULL;
}

/* The link out of the sandbox is gone (the egress proxy died): every
 * connection to a peer outside is reset, as a peer's RST would (ECONNRESET,
 * EPIPE after its FIN, ECONNREFUSED while connecting), instead of
 * retransmitting into nothing for minutes.  Core lock held. */
void tcp_link_lost(struct netstack *ns)
{
	bool again = true;
	while (again) {
		again = false;
		for (struct tcp_pcb *p = tcp_active_pcbs; p; p = p->next) {
			struct inet_sock *is = owner_of(p);
			if (!is || net_addr_is_local(ns, &p->remote_ip))
				continue;
			tcp_err(p, NULL);
			tcp_abort(p);   /* (frees p: the list changed) */
			cb_err(is, ERR_RST);
			again = true;
			break;
		}
	}
}

/* Linux's rules for sharing a port (inet_csk_bind_conflict), which lwIP
 * does not have: SO_REUSEADDR on both lets a socket share the port with
 * one that is not listening; SO_REUSEPORT on both always does. */
static bool port_conflict(struct inet_sock *is, const ip_addr_t *addr, uint16_t port)
{
	unsigned mine = atomic_load(&is->sock.flags);
	struct tcp_pcb *lists[] = { tcp_listen_pcbs.pcbs, tcp_bound_pcbs, tcp_active_pcbs,
				    tcp_tw_pcbs };
	for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++)
		for (struct tcp_pcb *p = lists[i]; p; p = p->next) {
			if (p == is->pcb.tcp || p->local_port != port ||
			    !addrs_overlap(&p->local_ip, addr))
				continue;
			struct inet_sock *o = owner_of(p);
			unsigned theirs = o ? atomic_load(&o->sock.flags) : SOCKF_REUSEADDR;
			if ((mine & theirs & SOCKF_REUSEPORT))
				continue;
			if ((mine & theirs & SOCKF_REUSEADDR) && p->state != LISTEN)
				continue;
			return true;
		}
	return false;
}

static int do_bind(struct inet_sock *is, ip_addr_t *addr, uint16_t port)
{
	int err = ensure_pcb(is);
	if (err < 0)
		return err;
	if (is->bound || is->state != INET_CLOSED)
		return -EINVAL;
	if ((err = inet_prepare_bind(is, addr)) < 0)
		return err;
	/* lwIP's own check is skipped (SOF_REUSEADDR) for the one above. */
	if (port != 0 && port_conflict(is, addr, port))
		return -EADDRINUSE;
	ip_set_option(is->pcb.tcp, SOF_REUSEADDR);
	err = lwip_errno(tcp_bind(is->pcb.tcp, addr, port));
	if (err == 0) {
		is->bound = true;
		ip_addr_copy(is->local_addr, is->pcb.tcp->local_ip);
		is->local_port = is->pcb.tcp->local_port;
	}
	return err;
}

static int tcp_sock_bind(struct socket *s, struct task *t, const struct sockaddr *sa, int len)
{
	struct inet_sock *is = inet_sk(s);
	ip_addr_t addr;
	uint16_t port;
	int err = inet_bind_addr_from_user(is, sa, len, &addr, &port);
	if (err == 0)
		err = inet_check_bind_port(t, port);
	if (err < 0)
		return err;
	net_lock();
	err = do_bind(is, &addr, port);
	net_unlock();
	return err;
}

static int tcp_sock_listen(struct socket *s, struct task *t, int backlog)
{
	struct inet_sock *is = inet_sk(s);
	if (backlog < 0)
		backlog = 0;
	if (backlog > SOCK_SOMAXCONN)
		backlog = SOCK_SOMAXCONN;
	net_lock();
	int err = 0;
	if (is->state == INET_LISTEN) {
		is->backlog = backlog;
		goto out;
	}
	if (is->state != INET_CLOSED || (is->shutdown & INET_SEND_SHUTDOWN)) {
		err = -EINVAL;
		goto out;
	}
	if (!is->bound) {
		ip_addr_t any;
		inet_any_addr(is, &any);
		if ((err = do_bind(is, &any, 0)) < 0)
			goto out;
	}
	err_t e = ERR_OK;
	struct tcp_pcb *pcb = is->pcb.tcp;
	if (port_conflict(is, &pcb->local_ip, pcb->local_port)) {
		err = -EADDRINUSE;
		goto out;
	}
	/* Our check was the one that counts; lwIP's would refuse
	 * SO_REUSEPORT listeners. */
	ip_reset_option(pcb, SOF_REUSEADDR);
	detach(pcb);
	struct tcp_pcb *lpcb = tcp_listen_with_backlog_and_err(pcb, 255, &e);
	if (!lpcb) {
		attach(is, pcb);   /* lwIP keeps the old pcb on failure */
		err = lwip_errno(e);
		goto out;
	}
	is->pcb.tcp = lpcb;
	ip_set_option(lpcb, SOF_REUSEADDR);   /* for lwIP's check in later binds */
	tcp_arg(lpcb, is);
	tcp_accept(lpcb, cb_accept);
	is->backlog = backlog;
	is->state = INET_LISTEN;
out:
	net_unlock();
	return err;
}

static int tcp_sock_accept(struct socket *s, struct task *t, bool nonblock, struct socket **out)
{
	struct inet_sock *is = inet_sk(s);
	struct sock_timeo to;
	sock_timeo_init(&to, s, nonblock, false);
	net_lock();
	int err;
	for (;;) {
		if (is->state != INET_LISTEN) {
			err = -EINVAL;
			break;
		}
		if (is->acc_head) {
			struct inet_sock *c = is->acc_head;
			is->acc_head = c->acc_next;
			if (!is->acc_head)
				is->acc_tail = NULL;
			c->acc_next = NULL;
			is->acc_count--;
			*out = &c->sock;
			err = 0;
			break;
		}
		if ((err = inet_wait(is, t, &to, POLLIN)) < 0)
			break;
	}
	net_unlock();
	return err;
}

static void tcp_sock_unaccept(struct socket *s, struct socket *child)
{
	struct inet_sock *is = inet_sk(s), *c = inet_sk(child);
	net_lock();
	c->acc_next = is->acc_head;
	is->acc_head = c;
	if (!is->acc_tail)
		is->acc_tail = c;
	is->acc_count++;
	net_unlock();
}

static int tcp_sock_connect(struct socket *s, struct task *t, const struct sockaddr *sa, int len,
			    bool nonblock)
{
	struct inet_sock *is = inet_sk(s);
	if (len >= (int)sizeof(sa_family_t) && sa->sa_family == AF_UNSPEC)
		return 0;   /* a disconnect of an unconnected socket; nothing to undo */
	ip_addr_t addr;
	uint16_t port;
	int err = inet_addr_from_user(s->family, is->v6only, sa, len, &addr, &port);
	if (err < 0)
		return err;
	inet_connect_unspecified(&addr);
	struct sock_timeo to;
	sock_timeo_init(&to, s, nonblock, true);
	net_lock();
	switch (is->state) {
	case INET_CONNECTED:
		err = -EISCONN;
		goto out;
	case INET_LISTEN:
		err = -EINVAL;
		goto out;
	case INET_CONNECTING:
		err = nonblock ? -EALREADY : 0;
		if (err)
			goto out;
		goto wait;
	case INET_CLOSED:
		break;
	}
	if ((err = inet_policy_check(is, &addr, port, NET_PROTO_TCP)) < 0)
		goto out;
	if ((err = ensure_pcb(is)) < 0)
		goto out;
	struct tcp_pcb *pcb = is->pcb.tcp;
	if (IP_IS_V4(&addr) && IP_IS_V6_VAL(pcb->local_ip) && !ip_addr_isany(&pcb->local_ip)) {
		err = -EAFNOSUPPORT;
		goto out;
	}
	apply_options(is, pcb);
	if ((err = lwip_errno(tcp_connect(pcb, &addr, port, cb_connected))) < 0)
		goto out;
	is->bound = true;
	is->state = INET_CONNECTING;
	ip_addr_copy(is->local_addr, pcb->local_ip);
	is->local_port = pcb->local_port;
	if (nonblock) {
		err = -EINPROGRESS;
		goto out;
	}
wait:
	while (is->state == INET_CONNECTING) {
		err = inet_wait(is, t, &to, POLLOUT);
		if (err == -EAGAIN)
			err = -EINPROGRESS;   /* SO_SNDTIMEO ran out */
		if (err < 0)
			goto out;
	}
	err = is->state == INET_CONNECTED ? 0 : sock_error(s);
	if (err == 0 && is->state != INET_CONNECTED)
		err = -ECONNREFUSED;
out:
	net_unlock();
	return err;
}

static int tcp_sock_getname(struct socket *s, struct sockaddr_storage *out, bool peer)
{
	struct inet_sock *is = inet_sk(s);
	net_lock();
	int r;
	struct tcp_pcb *pcb = is->pcb.tcp;
	if (peer) {
		if (is->state != INET_CONNECTED || !pcb)
			r = -ENOTCONN;
		else
			r = inet_addr_to_user(s->family, &pcb->remote_ip, pcb->remote_port, out);
	} else {
		r = inet_addr_to_user(s->family, &is->local_addr, is->local_port, out);
	}
	net_unlock();
	return r;
}

/* --- data ----------------------------------------------------------------------------------- */

static ssize_t send_error(struct inet_sock *is, struct task *t, int flags, ssize_t sent, int err)
{
	if (sent > 0)
		return sent;
	if (err == -EPIPE && !(flags & MSG_NOSIGNAL))
		task_send_signal_self(t, SIGPIPE);
	return err;
}

static ssize_t tcp_sock_sendmsg(struct socket *s, struct task *t, struct sock_msg *m, int flags)
{
	struct inet_sock *is = inet_sk(s);
	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	size_t len = m->data->left;
	struct sock_timeo to;
	sock_timeo_init(&to, s, flags & MSG_DONTWAIT, true);
	pthread_mutex_lock(&is->wlock);
	net_lock();
	ssize_t sent = 0;
	int err = 0;
	for (;;) {
		if ((err = sock_error(s)) != 0)
			break;
		if (is->shutdown & INET_SEND_SHUTDOWN) {
			err = -EPIPE;
			break;
		}
		if (is->state == INET_CONNECTING) {
			if ((err = inet_wait(is, t, &to, POLLOUT)) < 0)
				break;
			continue;
		}
		if (is->state != INET_CONNECTED || !is->pcb.tcp) {
			err = -EPIPE;
			break;
		}
		if ((size_t)sent == len)
			break;
		size_t space = tx_limit(is) > is->tx_bytes ? tx_limit(is) - is->tx_bytes : 0;
		if (space == 0) {
			if ((err = inet_wait(is, t, &to, POLLOUT)) < 0)
				break;
			continue;
		}
		size_t n = len - (size_t)sent;
		if (n > space)
			n = space;
		if (n > 4 * TCP_CHUNK)
			n = 4 * TCP_CHUNK;
		net_unlock();
		struct tx_chunk *c = malloc(sizeof *c + n);
		err = c ? sock_iter_copy_from(m->data, c->data, n) : -ENOMEM;
		net_lock();
		if (err < 0) {
			free(c);
			break;
		}
		c->len = n;
		c->off = c->acked = 0;
		c->next = NULL;
		if (is->tx_tail)
			is->tx_tail->next = c;
		else
			is->tx_head = c;
		is->tx_tail = c;
		if (!is->tx_send)
			is->tx_send = c;
		is->tx_bytes += n;
		sent += (ssize_t)n;
		bool more = (flags & MSG_MORE) && (size_t)sent == len;
		if (more)
			is->cork = true;   /* held back like TCP_CORK for this call */
		tx_push(is);
		if (more)
			is->cork = false;
	}
	net_unlock();
	pthread_mutex_unlock(&is->wlock);
	/* A connection that broke with data in the socket loses it, as on
	 * Linux; a partial send reports what was taken. */
	if (err < 0)
		return send_error(is, t, flags, sent, err);
	return sent;
}

/* Takes up to n bytes from the rx queue into buf (core lock held). */
static size_t rx_take(struct inet_sock *is, char *buf, size_t n, bool peek, bool discard)
{
	size_t done = 0;
	struct rx_item *it = is->rx_head;
	while (it && done < n) {
		size_t avail = it->p->tot_len - it->off;
		size_t c = n - done < avail ? n - done : avail;
		if (!discard)
			pbuf_copy_partial(it->p, buf + done, (u16_t)c, it->off);
		done += c;
		if (peek) {
			it = it->next;
			continue;
		}
		it->off = (uint16_t)(it->off + c);
		if (it->off == it->p->tot_len) {
			is->rx_head = it->next;
			if (!is->rx_head)
				is->rx_tail = NULL;
			pbuf_free(it->p);
			free(it);
			is->rx_count--;
			it = is->rx_head;
		}
	}
	if (!peek) {
		is->rx_bytes -= done;
		rx_credit(is);
	}
	return done;
}

static ssize_t tcp_sock_recvmsg(struct socket *s, struct task *t, struct sock_msg *m, size_t len,
				int flags)
{
	struct inet_sock *is = inet_sk(s);
	if (flags & MSG_OOB)
		return -EINVAL;
	if (flags & MSG_ERRQUEUE)
		return -EAGAIN;
	m->namelen = 0;
	if (len > m->data->left)
		len = m->data->left;
	struct sock_timeo to;
	sock_timeo_init(&to, s, flags & MSG_DONTWAIT, false);
	bool peek = flags & MSG_PEEK, discard = flags & MSG_TRUNC;
	size_t bufsize = len < 256 * 1024 ? len : 256 * 1024;
	char *buf = task_io_buffer(t, bufsize ? bufsize : 1);
	if (!buf)
		return -ENOMEM;
	pthread_mutex_lock(&is->rlock);
	net_lock();
	ssize_t total = 0;
	int err = 0;
	while ((size_t)total < len) {
		if (is->state == INET_LISTEN) {
			err = -ENOTCONN;
			break;
		}
		if (is->rx_bytes > 0) {
			size_t want = len - (size_t)total;
			if (want > bufsize)
				want = bufsize;
			size_t n = rx_take(is, buf, want, peek, discard);
			net_unlock();
			if (!discard && (err = sock_iter_copy_to(m->data, buf, n)) < 0) {
				net_lock();
				break;
			}
			net_lock();
			total += (ssize_t)n;
			if (peek || !(flags & MSG_WAITALL))
				break;
			continue;
		}
		if (total > 0 && !(flags & MSG_WAITALL))
			break;
		int e = sock_error(s);
		if (e) {
			err = e;
			break;
		}
		if (is->peer_fin || (is->shutdown & INET_RCV_SHUTDOWN))
			break;   /* end of stream */
		if (is->state == INET_CLOSED) {
			if (!is->was_connected)
				err = -ENOTCONN;
			break;
		}
		if ((err = inet_wait(is, t, &to, POLLIN)) < 0)
			break;
	}
	net_unlock();
	pthread_mutex_unlock(&is->rlock);
	if (total > 0)
		return total;
	return err;
}

static int tcp_sock_shutdown(struct socket *s, int how)
{
	struct inet_sock *is = inet_sk(s);
	if (how < SHUT_RD || how > SHUT_RDWR)
		return -EINVAL;
	int bits = how + 1;   /* SHUT_RD 0 -> 1, SHUT_WR 1 -> 2, SHUT_RDWR 2 -> 3 */
	net_lock();
	int err = 0;
	if (is->state == INET_LISTEN) {
		if (bits & INET_RCV_SHUTDOWN) {
			/* Linux closes the listener: accept then fails. */
			is->shutdown |= bits;
		}
	} else if (is->state != INET_CONNECTED && is->state != INET_CONNECTING) {
		err = -ENOTCONN;   /* the bits still change, as inet_shutdown does */
		is->shutdown |= bits;
	} else {
		if ((bits & INET_SEND_SHUTDOWN) && !(is->shutdown & INET_SEND_SHUTDOWN) &&
		    is->pcb.tcp) {
			is->fin_pending = true;   /* after what is still queued */
			tx_push(is);
		}
		is->shutdown |= bits;
	}
	inet_wake(is, 0);
	net_unlock();
	return err;
}

/* --- poll, options, ioctls ------------------------------------------------------------------ */

static unsigned tcp_sock_poll(struct socket *s, struct poll_table *pt, unsigned requested)
{
	struct inet_sock *is = inet_sk(s);
	if (pt)
		poll_wait(pt, &is->wq, 0);
	unsigned mask = 0;
	net_lock();
	if (atomic_load(&s->err))
		mask |= POLLERR;
	if (is->state == INET_LISTEN) {
		if (is->acc_head)
			mask |= POLLIN | POLLRDNORM;
		net_unlock();
		return mask;
	}
	/* A FIN from the peer shuts our receiving side, as tcp_fin does. */
	int shut = is->shutdown | (is->peer_fin ? INET_RCV_SHUTDOWN : 0);
	bool rd_shut = shut & INET_RCV_SHUTDOWN;
	if ((shut == (INET_RCV_SHUTDOWN | INET_SEND_SHUTDOWN)) ||
	    is->state == INET_CLOSED)
		mask |= POLLHUP;
	if (rd_shut)
		mask |= POLLIN | POLLRDNORM | POLLRDHUP;
	if (is->state != INET_CONNECTING) {
		if (is->rx_bytes > 0)
			mask |= POLLIN | POLLRDNORM;
		if (is->shutdown & INET_SEND_SHUTDOWN)
			mask |= POLLOUT | POLLWRNORM;
		else if (is->state != INET_CONNECTED || !is->pcb.tcp ||
			 is->tx_bytes < tx_limit(is))
			mask |= POLLOUT | POLLWRNORM;
	}
	net_unlock();
	return mask;
}

static int tcp_sock_setsockopt(struct socket *s, struct task *t, int level, int name,
			       const void *val, unsigned len)
{
	struct inet_sock *is = inet_sk(s);
	if (level == SOL_SOCKET) {
		/* Stored by the common code; lwIP learns it here. */
		if (name == SO_KEEPALIVE && len >= sizeof(int)) {
			int v;
			memcpy(&v, val, sizeof v);
			net_lock();
			if (is->pcb.tcp && is->state != INET_LISTEN) {
				if (v)
					ip_set_option(is->pcb.tcp, SOF_KEEPALIVE);
				else
					ip_reset_option(is->pcb.tcp, SOF_KEEPALIVE);
			}
			net_unlock();
		}
		return -ENOPROTOOPT;
	}
	if (level != SOL_TCP)
		return inet_setsockopt_ip(is, level, name, val, len);
	if (len < sizeof(int))
		return -EINVAL;
	int v;
	memcpy(&v, val, sizeof v);
	int err = 0;
	net_lock();
	struct tcp_pcb *pcb = is->state != INET_LISTEN ? is->pcb.tcp : NULL;
	switch (name) {
	case TCP_NODELAY:
		is->nodelay = v != 0;
		if (pcb) {
			if (v)
				tcp_nagle_disable(pcb);
			else
				tcp_nagle_enable(pcb);
			tcp_output(pcb);
		}
		break;
	case TCP_CORK:
		is->cork = v != 0;
		if (!v && pcb) {
			tx_push(is);
			tcp_output(pcb);
		}
		break;
	case TCP_KEEPIDLE:
	case TCP_KEEPINTVL:
		if (v < 1 || v > 32767) {
			err = -EINVAL;
			break;
		}
		if (name == TCP_KEEPIDLE)
			is->keepidle = v;
		else
			is->keepintvl = v;
		if (pcb)
			apply_options(is, pcb);
		break;
	case TCP_KEEPCNT:
		if (v < 1 || v > 127) {
			err = -EINVAL;
			break;
		}
		is->keepcnt = v;
		if (pcb)
			apply_options(is, pcb);
		break;
	case TCP_QUICKACK: case TCP_USER_TIMEOUT: case TCP_DEFER_ACCEPT: case TCP_SYNCNT:
	case TCP_LINGER2: case TCP_WINDOW_CLAMP: case TCP_MAXSEG: case TCP_FASTOPEN:
	case TCP_FASTOPEN_CONNECT: case TCP_NOTSENT_LOWAT: case TCP_THIN_LINEAR_TIMEOUTS:
		if (v < 0 && name != TCP_LINGER2)
			err = -EINVAL;
		break;
	case TCP_CONGESTION:
		break;
	default:
		err = -ENOPROTOOPT;
	}
	net_unlock();
	return err;
}

/* Linux's TCP states, for TCP_INFO. */
static int linux_state(struct inet_sock *is)
{
	struct tcp_pcb *pcb = is->pcb.tcp;
	if (is->state == INET_LISTEN)
		return 10;   /* TCP_LISTEN */
	if (!pcb)
		return 7;    /* TCP_CLOSE */
	switch (pcb->state) {
	case SYN_SENT: return 2;
	case SYN_RCVD: return 3;
	case ESTABLISHED: return 1;
	case FIN_WAIT_1: return 4;
	case FIN_WAIT_2: return 5;
	case TIME_WAIT: return 6;
	case CLOSE_WAIT: return 8;
	case LAST_ACK: return 9;
	case CLOSING: return 11;
	default: return 7;
	}
}

static int put_int(void *val, unsigned *len, int v)
{
	if (*len < sizeof(int))
		return -EINVAL;
	memcpy(val, &v, sizeof v);
	*len = sizeof v;
	return 0;
}

static int tcp_sock_getsockopt(struct socket *s, struct task *t, int level, int name, void *val,
			       unsigned *len)
{
	struct inet_sock *is = inet_sk(s);
	if (level == SOL_SOCKET) {
		if (name == SO_ACCEPTCONN)
			return put_int(val, len, is->state == INET_LISTEN);
		return -ENOPROTOOPT;
	}
	if (level != SOL_TCP)
		return inet_getsockopt_ip(is, level, name, val, len);
	int r;
	net_lock();
	struct tcp_pcb *pcb = is->state != INET_LISTEN ? is->pcb.tcp : NULL;
	switch (name) {
	case TCP_NODELAY:
		r = put_int(val, len, is->nodelay);
		break;
	case TCP_CORK:
		r = put_int(val, len, is->cork);
		break;
	case TCP_KEEPIDLE:
		r = put_int(val, len, is->keepidle ? is->keepidle : KEEPIDLE_DEFAULT);
		break;
	case TCP_KEEPINTVL:
		r = put_int(val, len, is->keepintvl ? is->keepintvl : KEEPINTVL_DEFAULT);
		break;
	case TCP_KEEPCNT:
		r = put_int(val, len, is->keepcnt ? is->keepcnt : KEEPCNT_DEFAULT);
		break;
	case TCP_MAXSEG:
		r = put_int(val, len, pcb && is->state == INET_CONNECTED ? pcb->mss : 536);
		break;
	case TCP_QUICKACK:
		r = put_int(val, len, 1);
		break;
	case TCP_USER_TIMEOUT: case TCP_DEFER_ACCEPT: case TCP_WINDOW_CLAMP:
	case TCP_FASTOPEN: case TCP_NOTSENT_LOWAT:
		r = put_int(val, len, 0);
		break;
	case TCP_SYNCNT:
		r = put_int(val, len, 6);
		break;
	case TCP_LINGER2:
		r = put_int(val, len, 60);
		break;
	case TCP_CONGESTION: {
		static const char cc[] = "cubic";
		unsigned n = *len < sizeof cc ? *len : (unsigned)sizeof cc;
		memcpy(val, cc, n);
		*len = n;
		r = 0;
		break;
	}
	case TCP_INFO: {
		struct tcp_info ti;
		memset(&ti, 0, sizeof ti);
		ti.tcpi_state = (uint8_t)linux_state(is);
		if (pcb) {
			ti.tcpi_snd_mss = pcb->mss;
			ti.tcpi_rcv_mss = pcb->mss;
			ti.tcpi_rtt = (uint32_t)pcb->sa * 1000u / 8u;
			ti.tcpi_snd_cwnd = pcb->cwnd / (pcb->mss ? pcb->mss : 1);
			ti.tcpi_unacked = pcb->unacked ? 1 : 0;
		}
		unsigned n = *len < sizeof ti ? *len : (unsigned)sizeof ti;
		memcpy(val, &ti, n);
		*len = n;
		r = 0;
		break;
	}
	default:
		r = -ENOPROTOOPT;
	}
	net_unlock();
	return r;
}

static long tcp_sock_ioctl(struct socket *s, struct task *t, unsigned long cmd, uint64_t arg)
{
	struct inet_sock *is = inet_sk(s);
	int v;
	net_lock();
	switch (cmd) {
	case SIOCINQ:
		v = is->state == INET_LISTEN ? -1 : (int)is->rx_bytes;
		break;
	case SIOCOUTQ:
	case SIOCOUTQNSD:
		v = is->state == INET_LISTEN ? -1
		    : (int)is->tx_bytes +
		      (is->pcb.tcp ? (int)(TCP_SND_BUF - tcp_sndbuf(is->pcb.tcp)) : 0);
		break;
	case SIOCATMARK:
		v = 0;
		break;
	default:
		net_unlock();
		/* SIOCGIFADDR and friends: only AF_INET sockets answer them. */
		return inet_other_ioctl(is, t, cmd, arg);
	}
	net_unlock();
	if (v < 0)
		return -EINVAL;
	return copy_to_user(t, arg, &v, sizeof v) < 0 ? -EFAULT : 0;
}

/* --- release --------------------------------------------------------------------------------- */

static void close_pcb(struct inet_sock *is, bool reset)
{
	struct tcp_pcb *pcb = is->pcb.tcp;
	if (!pcb)
		return;
	is->pcb.tcp = NULL;
	detach(pcb);
	if (reset && pcb->state != LISTEN)
		tcp_abort(pcb);
	else if (tcp_close(pcb) != ERR_OK)
		tcp_abort(pcb);
}

static void tcp_sock_release(struct socket *s)
{
	struct inet_sock *is = inet_sk(s);
	net_lock();
	/* Connections nobody accepted are reset. */
	struct inet_sock *c = is->acc_head;
	is->acc_head = is->acc_tail = NULL;
	while (c) {
		struct inet_sock *next = c->acc_next;
		close_pcb(c, true);
		rxq_purge(c);
		inet_sock_free(c);
		c = next;
	}
	/* Unread data, or SO_LINGER with a zero time: a reset, as Linux. */
	bool linger0 = (atomic_load(&s->flags) & SOCKF_LINGER) && atomic_load(&s->linger_secs) == 0;
	bool reset = is->rx_bytes > 0 || linger0;
	rxq_purge(is);
	if (!reset && is->tx_head && is->pcb.tcp && is->state == INET_CONNECTED) {
		/* Data not yet sent or acknowledged (lwIP sends it from our
		 * chunks): it goes out first, then the FIN, as a close on Linux;
		 * the socket lives on until then (tx_push). */
		is->orphan = true;
		tx_push(is);
		net_unlock();
		return;
	}
	close_pcb(is, reset);   /* before the chunks lwIP may still point at go */
	tx_free(is);
	net_unlock();
	inet_sock_free(is);
}

/* An orphan is done: sent everything (close it gracefully) or lost its
 * connection (the pcb is already gone).  Core lock held. */
static void orphan_done(struct inet_sock *is)
{
	close_pcb(is, false);
	tx_free(is);
	rxq_purge(is);
	inet_sock_free(is);
}

static const struct socket_ops tcp_ops = {
	.bind = tcp_sock_bind,
	.connect = tcp_sock_connect,
	.listen = tcp_sock_listen,
	.accept = tcp_sock_accept,
	.unaccept = tcp_sock_unaccept,
	.getname = tcp_sock_getname,
	.sendmsg = tcp_sock_sendmsg,
	.recvmsg = tcp_sock_recvmsg,
	.shutdown = tcp_sock_shutdown,
	.setsockopt = tcp_sock_setsockopt,
	.getsockopt = tcp_sock_getsockopt,
	.poll = tcp_sock_poll,
	.ioctl = tcp_sock_ioctl,
	.release = tcp_sock_release,
};
