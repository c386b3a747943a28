/* UDP sockets over lwIP's udp_pcb (net/ipv4/udp.c is the reference), and
 * the receive side every datagram socket shares (ICMP echo too). */
#include <errno.h>
#include <linux/sockios.h>
#include <netinet/udp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "lwip/udp.h"

#include "netstack/internal.h"
#include "sentry/mm/mm.h"

#define UDP_MAX_PAYLOAD 65507

static const struct socket_ops udp_ops;

/* --- receiving (shared with icmp.c) ---------------------------------------------------------- */

ssize_t inet_dgram_recvmsg(struct inet_sock *is, struct task *t, struct sock_msg *m, size_t len,
			   int flags)
{
	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (flags & MSG_ERRQUEUE)
		return -EAGAIN;
	struct sock_timeo to;
	sock_timeo_init(&to, &is->sock, flags & MSG_DONTWAIT, false);
	pthread_mutex_lock(&is->rlock);
	net_lock();
	struct rx_item *it = NULL;
	int err = 0;
	for (;;) {
		int e = sock_error(&is->sock);
		if (e) {
			err = e;
			break;
		}
		if (is->rx_head) {
			it = is->rx_head;
			if (!(flags & MSG_PEEK)) {
				is->rx_head = it->next;
				if (!is->rx_head)
					is->rx_tail = NULL;
				is->rx_bytes -= it->p->tot_len - it->off;
				is->rx_count--;
			}
			break;
		}
		if (is->shutdown & INET_RCV_SHUTDOWN)
			break;   /* 0: end of file */
		if ((err = inet_wait(is, t, &to, POLLIN)) < 0)
			break;
	}
	if (!it) {
		net_unlock();
		pthread_mutex_unlock(&is->rlock);
		return err;
	}
	size_t dlen = it->p->tot_len - it->off;
	size_t n = dlen < len ? dlen : len;
	char *buf = task_io_buffer(t, n ? n : 1);
	if (buf)
		pbuf_copy_partial(it->p, buf, (u16_t)n, it->off);
	if (m->name)
		m->namelen = inet_addr_to_user(is->sock.family, &it->addr, it->port, m->name);
	if (!(flags & MSG_PEEK)) {
		pbuf_free(it->p);
		free(it);
	}
	net_unlock();
	pthread_mutex_unlock(&is->rlock);
	if (!buf)
		return -ENOMEM;
	if (n > m->data->left)
		n = m->data->left;
	if ((err = sock_iter_copy_to(m->data, buf, n)) < 0)
		return err;
	if (n < dlen)
		m->flags |= MSG_TRUNC;
	return (flags & MSG_TRUNC) ? (ssize_t)dlen : (ssize_t)n;
}

unsigned inet_dgram_poll(struct inet_sock *is, struct poll_table *pt)
{
	if (pt)
		poll_wait(pt, &is->wq, 0);
	unsigned mask = POLLOUT | POLLWRNORM | POLLWRBAND;
	net_lock();
	if (atomic_load(&is->sock.err))
		mask |= POLLERR;
	if (is->rx_head)
		mask |= POLLIN | POLLRDNORM;
	if (is->shutdown & INET_RCV_SHUTDOWN)
		mask |= POLLIN | POLLRDNORM | POLLRDHUP;
	if (is->shutdown == (INET_RCV_SHUTDOWN | INET_SEND_SHUTDOWN))
		mask |= POLLHUP;
	net_unlock();
	return mask;
}

int inet_dgram_shutdown(struct inet_sock *is, int how)
{
	if (how < SHUT_RD || how > SHUT_RDWR)
		return -EINVAL;
	net_lock();
	is->shutdown |= how + 1;
	int err = is->state == INET_CONNECTED ? 0 : -ENOTCONN;
	inet_wake(is, 0);
	net_unlock();
	return err;
}

/* --- UDP ------------------------------------------------------------------------------------------ */

static void cb_recv(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr,
		    u16_t port)
{
	struct inet_sock *is = arg;
	if ((size_t)is->rx_bytes + p->tot_len > (size_t)atomic_load(&is->sock.rcvbuf)) {
		pbuf_free(p);   /* a full receive buffer drops, as on Linux */
		return;
	}
	struct rx_item *it = calloc(1, sizeof *it);
	if (!it) {
		pbuf_free(p);
		return;
	}
	it->p = p;
	ip_addr_copy(it->addr, *addr);
	it->port = port;
	rxq_push(is, it);
	inet_wake(is, POLLIN | POLLRDNORM);
}

int udp_sock_create(struct netstack *ns, int family, struct socket **out)
{
	struct inet_sock *is = calloc(1, sizeof *is);
	if (!is)
		return -ENOMEM;
	inet_sock_init(is, ns, family, SOCK_DGRAM, IPPROTO_UDP, &udp_ops);
	net_lock();
	struct udp_pcb *pcb = udp_new_ip_type(family == AF_INET ? IPADDR_TYPE_V4 : IPADDR_TYPE_ANY);
	if (pcb) {
		udp_recv(pcb, cb_recv, is);
		pcb->ttl = (u8_t)inet_get_ttl(is);
	}
	net_unlock();
	if (!pcb) {
		inet_sock_free(is);
		return -ENOBUFS;
	}
	is->pcb.udp = pcb;
	inet_any_addr(is, &is->local_addr);
	*out = &is->sock;
	return 0;
}

static int udp_sock_bind(struct socket *s, struct task *t, const struct sockaddr *sa, int len)
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
	if (is->bound) {
		err = -EINVAL;
	} else if ((err = inet_prepare_bind(is, &addr)) == 0) {
		if (atomic_load(&s->flags) & SOCKF_REUSEADDR)
			ip_set_option(is->pcb.udp, SOF_REUSEADDR);
		if (udp_bind(is->pcb.udp, &addr, port) != ERR_OK) {
			err = -EADDRINUSE;
		} else {
			is->bound = true;
			ip_addr_copy(is->local_addr, is->pcb.udp->local_ip);
			is->local_port = is->pcb.udp->local_port;
		}
	}
	net_unlock();
	return err;
}

/* Makes sure the socket has a local port (sendto and connect autobind). */
static int autobind(struct inet_sock *is)
{
	if (is->bound)
		return 0;
	ip_addr_t any;
	inet_any_addr(is, &any);
	if (udp_bind(is->pcb.udp, &any, 0) != ERR_OK)
		return -EAGAIN;
	is->bound = true;
	is->local_port = is->pcb.udp->local_port;
	return 0;
}

static int udp_sock_connect(struct socket *s, struct task *t, const struct sockaddr *sa, int len,
			    bool nonblock)
{
	struct inet_sock *is = inet_sk(s);
	if (len >= (int)sizeof(sa_family_t) && sa->sa_family == AF_UNSPEC) {
		net_lock();
		udp_disconnect(is->pcb.udp);
		is->state = INET_CLOSED;
		ip_addr_copy(is->local_addr, is->pcb.udp->local_ip);
		net_unlock();
		return 0;
	}
	ip_addr_t addr;
	uint16_t port;
	int err = inet_addr_from_user(s->family, is->v6only, sa, len, &addr, &port);
	if (err < 0)
		return err;
	inet_connect_unspecified(&addr);
	net_lock();
	if ((err = inet_policy_check(is, &addr, port, NET_PROTO_UDP)) == 0 &&
	    (err = autobind(is)) == 0) {
		if (udp_connect(is->pcb.udp, &addr, port) != ERR_OK) {
			err = -ENETUNREACH;
		} else {
			is->state = INET_CONNECTED;
			ip_addr_copy(is->peer_addr, addr);
			is->peer_port = port;
			/* The source address the route gives (Linux fills it in). */
			if (ip_addr_isany(&is->pcb.udp->local_ip) ||
			    IP_IS_ANY_TYPE_VAL(is->pcb.udp->local_ip))
				net_source_addr(is->ns, &addr, &is->local_addr);
		}
	}
	net_unlock();
	return err;
}

static int udp_sock_getname(struct socket *s, struct sockaddr_storage *out, bool peer)
{
	struct inet_sock *is = inet_sk(s);
	net_lock();
	int r;
	if (peer)
		r = is->state == INET_CONNECTED
		    ? inet_addr_to_user(s->family, &is->peer_addr, is->peer_port, out) : -ENOTCONN;
	else if (is->state == INET_CONNECTED)
		r = inet_addr_to_user(s->family, &is->local_addr, is->pcb.udp->local_port, out);
	else
		r = inet_addr_to_user(s->family, &is->pcb.udp->local_ip, is->pcb.udp->local_port, out);
	net_unlock();
	return r;
}

/* Does a UDP socket of the sandbox listen on that local port? */
static bool local_port_open(const ip_addr_t *dst, uint16_t port)
{
	for (struct udp_pcb *p = udp_pcbs; p; p = p->next)
		if (p->local_port == port &&
		    (ip_addr_isany(&p->local_ip) || ip_addr_cmp(&p->local_ip, dst) ||
		     IP_IS_ANY_TYPE_VAL(p->local_ip)))
			return true;
	return false;
}

/* lwIP sends from a bound address only if the route's netif holds it
 * (ERR_RTE otherwise); Linux sends to any of the sandbox's own addresses
 * from any other it is bound to (127.0.0.4 to 127.0.0.3, eth0's to
 * 127.0.0.1), which never leaves the sandbox. */
static err_t send_datagram(struct inet_sock *is, struct pbuf *p, const ip_addr_t *dst,
			   uint16_t port)
{
	struct udp_pcb *pcb = is->pcb.udp;
	if (ip_addr_isany(&pcb->local_ip) || IP_IS_ANY_TYPE_VAL(pcb->local_ip) ||
	    IP_GET_TYPE(&pcb->local_ip) != IP_GET_TYPE(dst) || !net_addr_is_local(is->ns, dst))
		return udp_sendto(pcb, p, dst, port);
	struct netif *nif = ip_route(&pcb->local_ip, dst);
	return nif ? udp_sendto_if_src(pcb, p, dst, port, nif, &pcb->local_ip) : ERR_RTE;
}

static ssize_t udp_sock_sendmsg(struct socket *s, struct task *t, struct sock_msg *m, int flags)
{
	struct inet_sock *is = inet_sk(s);
	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	size_t len = m->data->left;
	ip_addr_t dst;
	uint16_t port;
	int err;
	bool to_peer = m->namelen == 0;
	if (!to_peer) {
		if ((err = inet_addr_from_user(s->family, is->v6only, (struct sockaddr *)m->name,
					       m->namelen, &dst, &port)) < 0)
			return err;
		if (port == 0)
			return -EINVAL;
	}
	if (len > UDP_MAX_PAYLOAD)
		return -EMSGSIZE;
	char *buf = task_io_buffer(t, len ? len : 1);
	if (!buf)
		return -ENOMEM;
	if ((err = sock_iter_copy_from(m->data, buf, len)) < 0)
		return err;
	net_lock();
	if ((err = sock_error(s)) != 0)
		goto out;
	if (is->shutdown & INET_SEND_SHUTDOWN) {
		err = -EPIPE;
		goto out;
	}
	if (to_peer) {
		if (is->state != INET_CONNECTED) {
			err = -EDESTADDRREQ;
			goto out;
		}
		ip_addr_copy(dst, is->peer_addr);
		port = is->peer_port;
	} else if ((err = inet_policy_check(is, &dst, port, NET_PROTO_UDP)) < 0) {
		goto out;
	}
	if ((err = autobind(is)) < 0)
		goto out;
	struct pbuf *p = pbuf_alloc(PBUF_TRANSPORT, (u16_t)len, PBUF_RAM);
	if (!p) {
		err = -ENOBUFS;
		goto out;
	}
	pbuf_take(p, buf, (u16_t)len);
	is->pcb.udp->ttl = (u8_t)inet_get_ttl(is);
	is->pcb.udp->tos = (u8_t)is->tos;
	err_t e = send_datagram(is, p, &dst, port);
	pbuf_free(p);
	if (e == ERR_RTE) {
		err = -ENETUNREACH;
		goto out;
	}
	if (e != ERR_OK) {
		err = -ENOBUFS;
		goto out;
	}
	/* The ICMP port unreachable a connected socket would get back. */
	if (is->state == INET_CONNECTED && ip_addr_cmp(&dst, &is->peer_addr) &&
	    port == is->peer_port && net_addr_is_local(is->ns, &dst) &&
	    !local_port_open(&dst, port)) {
		atomic_store(&s->err, ECONNREFUSED);
		inet_wake(is, POLLERR);
	}
	err = (int)len;
out:
	net_unlock();
	if (err == -EPIPE && !(flags & MSG_NOSIGNAL))
		task_send_signal_self(t, SIGPIPE);
	return err;
}

static ssize_t udp_sock_recvmsg(struct socket *s, struct task *t, struct sock_msg *m, size_t len,
				int flags)
{
	return inet_dgram_recvmsg(inet_sk(s), t, m, len, flags);
}

static int udp_sock_shutdown(struct socket *s, int how)
{
	return inet_dgram_shutdown(inet_sk(s), how);
}

static unsigned udp_sock_poll(struct socket *s, struct poll_table *pt, unsigned requested)
{
	return inet_dgram_poll(inet_sk(s), pt);
}

static int udp_sock_setsockopt(struct socket *s, struct task *t, int level, int name,
			       const void *val, unsigned len)
{
	if (level == SOL_SOCKET)
		return -ENOPROTOOPT;
	if (level == SOL_UDP)
		return name == UDP_CORK || name == UDP_SEGMENT || name == UDP_GRO ? 0 : -ENOPROTOOPT;
	return inet_setsockopt_ip(inet_sk(s), level, name, val, len);
}

static int udp_sock_getsockopt(struct socket *s, struct task *t, int level, int name, void *val,
			       unsigned *len)
{
	if (level == SOL_SOCKET) {
		if (name == SO_ACCEPTCONN && *len >= sizeof(int)) {
			int v = 0;
			memcpy(val, &v, sizeof v);
			*len = sizeof v;
			return 0;
		}
		return -ENOPROTOOPT;
	}
	return inet_getsockopt_ip(inet_sk(s), level, name, val, len);
}

long inet_dgram_ioctl(struct inet_sock *is, struct task *t, unsigned long cmd, uint64_t arg)
{
	int v;
	net_lock();
	switch (cmd) {
	case SIOCINQ:   /* the size of the next datagram */
		v = is->rx_head ? (int)(is->rx_head->p->tot_len - is->rx_head->off) : 0;
		break;
	case SIOCOUTQ:
		v = 0;
		break;
	default:
		net_unlock();
		/* SIOCGIFADDR and friends: only AF_INET sockets answer them. */
		return inet_other_ioctl(is, t, cmd, arg);
	}
	net_unlock();
	return copy_to_user(t, arg, &v, sizeof v) < 0 ? -EFAULT : 0;
}

static long udp_sock_ioctl(struct socket *s, struct task *t, unsigned long cmd, uint64_t arg)
{
	return inet_dgram_ioctl(inet_sk(s), t, cmd, arg);
}

static void udp_sock_release(struct socket *s)
{
	struct inet_sock *is = inet_sk(s);
	net_lock();
	if (is->pcb.udp)
		udp_remove(is->pcb.udp);
	is->pcb.udp = NULL;
	rxq_purge(is);
	net_unlock();
	inet_sock_free(is);
}

static const struct socket_ops udp_ops = {
	.bind = udp_sock_bind,
	.connect = udp_sock_connect,
	.getname = udp_sock_getname,
	.sendmsg = udp_sock_sendmsg,
	.recvmsg = udp_sock_recvmsg,
	.shutdown = udp_sock_shutdown,
	.setsockopt = udp_sock_setsockopt,
	.getsockopt = udp_sock_getsockopt,
	.poll = udp_sock_poll,
	.ioctl = udp_sock_ioctl,
	.release = udp_sock_release,
};
