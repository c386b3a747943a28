/* ICMP echo ("ping") sockets: socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP)
 * and the ICMPv6 one (net/ipv4/ping.c).  The guest writes an echo request
 * (type and code checked; the identifier is replaced by the socket's, as
 * Linux does; the checksum computed here) and reads the replies to its
 * identifier, ICMP header first.  Over an lwIP raw pcb: its callback sees
 * every ICMP packet and keeps only our echo replies; lwIP itself answers
 * echo requests to the sandbox's own addresses.  Allowed for every user
 * (Linux's net.ipv4.ping_group_range as most distributions set it). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lwip/inet_chksum.h"
#include "lwip/ip.h"
#include "lwip/prot/ip4.h"
#include "lwip/raw.h"

#include "netstack/internal.h"

#define ICMP_ECHO_REQ     8
#define ICMP_ECHO_REPLY   0
#define ICMP6_ECHO_REQ    128
#define ICMP6_ECHO_REPLY  129
#define ICMP_MAX_PAYLOAD  65507

static const struct socket_ops icmp_ops;

/* The first send or connect binds an identifier (core lock held). */
static void autobind(struct inet_sock *is)
{
	while (is->ident == 0)
		is->ident = is->ns->next_ident++;
}

static u8_t cb_recv(void *arg, struct raw_pcb *pcb, struct pbuf *p, const ip_addr_t *addr)
{
	struct inet_sock *is = arg;
	uint16_t hlen;
	uint8_t reply;
	if (IP_IS_V4(addr)) {
		uint8_t vhl;
		if (pbuf_copy_partial(p, &vhl, 1, 0) != 1)
			return 0;
		hlen = (uint16_t)((vhl & 0x0f) * 4);
		reply = ICMP_ECHO_REPLY;
	} else {
		hlen = 40;
		reply = ICMP6_ECHO_REPLY;
	}
	uint8_t hdr[8];
	if (pbuf_copy_partial(p, hdr, sizeof hdr, hlen) != sizeof hdr)
		return 0;
	if (hdr[0] != reply || hdr[1] != 0 || ((hdr[4] << 8) | hdr[5]) != is->ident)
		return 0;   /* not ours: lwIP's own ICMP handling goes on */
	if ((size_t)is->rx_bytes + p->tot_len > (size_t)atomic_load(&is->sock.rcvbuf)) {
		pbuf_free(p);
		return 1;
	}
	struct rx_item *it = calloc(1, sizeof *it);
	if (!it) {
		pbuf_free(p);
		return 1;
	}
	it->p = p;
	it->off = hlen;
	ip_addr_copy(it->addr, *addr);
	rxq_push(is, it);
	inet_wake(is, POLLIN | POLLRDNORM);
	return 1;
}

int icmp_sock_create(struct netstack *ns, int family, struct socket **out)
{
	struct inet_sock *is = calloc(1, sizeof *is);
	if (!is)
		return -ENOMEM;
	int proto = family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	inet_sock_init(is, ns, family, SOCK_DGRAM, proto, &icmp_ops);
	net_lock();
	struct raw_pcb *pcb = raw_new_ip_type(family == AF_INET ? IPADDR_TYPE_V4 : IPADDR_TYPE_V6,
					      (u8_t)proto);
	if (pcb) {
		raw_recv(pcb, cb_recv, is);
		if (family == AF_INET6) {
			pcb->chksum_reqd = 1;
			pcb->chksum_offset = 2;
		}
	}
	net_unlock();
	if (!pcb) {
		inet_sock_free(is);
		return -ENOBUFS;
	}
	is->pcb.raw = pcb;
	inet_any_addr(is, &is->local_addr);
	*out = &is->sock;
	return 0;
}

static int icmp_sock_bind(struct socket *s, struct task *t, const struct sockaddr *sa, int len)
{
	struct inet_sock *is = inet_sk(s);
	ip_addr_t addr;
	uint16_t port;
	int err = inet_addr_from_user(s->family, true, sa, len, &addr, &port);
	if (err < 0)
		return err == -ENETUNREACH ? -EADDRNOTAVAIL : err;
	net_lock();
	if (is->bound) {
		err = -EINVAL;
	} else if ((err = inet_check_bind_addr(is, &addr)) == 0) {
		raw_bind(is->pcb.raw, &addr);
		ip_addr_copy(is->local_addr, addr);
		if (port)
			is->ident = port;   /* the "port" of a ping socket is its identifier */
		is->bound = true;
	}
	net_unlock();
	return err;
}

static int icmp_sock_connect(struct socket *s, struct task *t, const struct sockaddr *sa, int len,
			     bool nonblock)
{
	struct inet_sock *is = inet_sk(s);
	if (len >= (int)sizeof(sa_family_t) && sa->sa_family == AF_UNSPEC) {
		net_lock();
		is->state = INET_CLOSED;
		net_unlock();
		return 0;
	}
	ip_addr_t addr;
	uint16_t port;
	int err = inet_addr_from_user(s->family, true, sa, len, &addr, &port);
	if (err < 0)
		return err;
	net_lock();
	err = inet_policy_check(is, &addr, 0, s->family == AF_INET ? NET_PROTO_ICMP
								   : NET_PROTO_ICMPV6);
	if (err == 0) {
		autobind(is);
		is->state = INET_CONNECTED;
		ip_addr_copy(is->peer_addr, addr);
	}
	net_unlock();
	return err;
}

static int icmp_sock_getname(struct socket *s, struct sockaddr_storage *out, bool peer)
{
	struct inet_sock *is = inet_sk(s);
	net_lock();
	int r;
	if (peer)
		r = is->state == INET_CONNECTED ? inet_addr_to_user(s->family, &is->peer_addr, 0, out)
						: -ENOTCONN;
	else
		r = inet_addr_to_user(s->family, &is->local_addr, is->ident, out);
	net_unlock();
	return r;
}

static ssize_t icmp_sock_sendmsg(struct socket *s, struct task *t, struct sock_msg *m, int flags)
{
	struct inet_sock *is = inet_sk(s);
	size_t len = m->data->left;
	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (len < 8 || len > ICMP_MAX_PAYLOAD)
		return len < 8 ? -EINVAL : -EMSGSIZE;
	ip_addr_t dst;
	uint16_t port;
	int err;
	bool to_peer = m->namelen == 0;
	if (!to_peer && (err = inet_addr_from_user(s->family, true, (struct sockaddr *)m->name,
						   m->namelen, &dst, &port)) < 0)
		return err;
	uint8_t *buf = task_io_buffer(t, len);
	if (!buf)
		return -ENOMEM;
	if ((err = sock_iter_copy_from(m->data, buf, len)) < 0)
		return err;
	uint8_t want = s->family == AF_INET ? ICMP_ECHO_REQ : ICMP6_ECHO_REQ;
	if (buf[0] != want || buf[1] != 0)
		return -EINVAL;
	net_lock();
	if (to_peer) {
		if (is->state != INET_CONNECTED) {
			err = -EDESTADDRREQ;
			goto out;
		}
		ip_addr_copy(dst, is->peer_addr);
	} else if ((err = inet_policy_check(is, &dst, 0, s->family == AF_INET ? NET_PROTO_ICMP
										: NET_PROTO_ICMPV6)) < 0) {
		goto out;
	}
	/* A raw pcb keeps no peer, so lwIP's lists do not show that these
	 * loopback addresses are in use: asked for again at each send. */
	if ((err = net_lo_alias(is->ns, &dst)) < 0 ||
	    (err = net_lo_alias(is->ns, &is->local_addr)) < 0)
		goto out;
	autobind(is);
	buf[4] = (uint8_t)(is->ident >> 8);
	buf[5] = (uint8_t)is->ident;
	buf[2] = buf[3] = 0;
	if (s->family == AF_INET) {
		u16_t sum = inet_chksum(buf, (u16_t)len);
		memcpy(buf + 2, &sum, 2);
	}
	struct pbuf *p = pbuf_alloc(PBUF_IP, (u16_t)len, PBUF_RAM);
	if (!p) {
		err = -ENOBUFS;
		goto out;
	}
	pbuf_take(p, buf, (u16_t)len);
	is->pcb.raw->ttl = (u8_t)inet_get_ttl(is);
	err_t e = raw_sendto(is->pcb.raw, p, &dst);
	pbuf_free(p);
	err = e == ERR_OK ? (int)len : e == ERR_RTE ? -ENETUNREACH : -ENOBUFS;
out:
	net_unlock();
	return err;
}

static ssize_t icmp_sock_recvmsg(struct socket *s, struct task *t, struct sock_msg *m,
				 size_t len, int flags)
{
	return inet_dgram_recvmsg(inet_sk(s), t, m, len, flags);
}

static int icmp_sock_shutdown(struct socket *s, int how)
{
	return inet_dgram_shutdown(inet_sk(s), how);
}

static unsigned icmp_sock_poll(struct socket *s, struct poll_table *pt, unsigned requested)
{
	return inet_dgram_poll(inet_sk(s), pt);
}

static int icmp_sock_setsockopt(struct socket *s, struct task *t, int level, int name,
				const void *val, unsigned len)
{
	if (level == SOL_SOCKET)
		return -ENOPROTOOPT;
	if (level == SOL_RAW || level == SOL_ICMPV6)
		return 0;   /* ICMP_FILTER, ICMP6_FILTER: replies only reach us anyway */
	return inet_setsockopt_ip(inet_sk(s), level, name, val, len);
}

static int icmp_sock_getsockopt(struct socket *s, struct task *t, int level, int name, void *val,
				unsigned *len)
{
	if (level == SOL_SOCKET)
		return -ENOPROTOOPT;
	return inet_getsockopt_ip(inet_sk(s), level, name, val, len);
}


static long icmp_sock_ioctl(struct socket *s, struct task *t, unsigned long cmd, uint64_t arg)
{
	return inet_dgram_ioctl(inet_sk(s), t, cmd, arg);
}

static void icmp_sock_release(struct socket *s)
{
	struct inet_sock *is = inet_sk(s);
	net_lock();
	if (is->pcb.raw)
		raw_remove(is->pcb.raw);
	is->pcb.raw = NULL;
	rxq_purge(is);
	net_unlock();
	inet_sock_free(is);
}

static const struct socket_ops icmp_ops = {
	.bind = icmp_sock_bind,
	.connect = icmp_sock_connect,
	.getname = icmp_sock_getname,
	.sendmsg = icmp_sock_sendmsg,
	.recvmsg = icmp_sock_recvmsg,
	.shutdown = icmp_sock_shutdown,
	.setsockopt = icmp_sock_setsockopt,
	.getsockopt = icmp_sock_getsockopt,
	.poll = icmp_sock_poll,
	.ioctl = icmp_sock_ioctl,
	.release = icmp_sock_release,
};
