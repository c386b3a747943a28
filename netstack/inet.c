/* What every AF_INET/AF_INET6 socket has, whatever its protocol:
 * addresses in and out, the policy gate at connect/sendto, waiting and
 * waking, the receive queue, and the IP-level options (net/ipv4/af_inet.c,
 * ip_sockglue.c and ipv6_sockglue.c are the references). */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "lwip/ip.h"
#include "lwip/ip4_addr.h"
#include "lwip/ip6_addr.h"

#include "netstack/internal.h"
#include "netstack/netconf.h"
#include "sentry/socket/netlink.h"

#define IP_DEFAULT_TTL_LINUX 64

/* --- addresses ------------------------------------------------------------------------- */

int inet_addr_from_user(int fam, bool v6only, const struct sockaddr *sa, int len,
			ip_addr_t *addr, uint16_t *port)
{
	if (fam == AF_INET) {
		if (len < (int)sizeof(struct sockaddr_in))
			return -EINVAL;
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
		if (in->sin_family != AF_INET)
			return -EAFNOSUPPORT;
		IP_SET_TYPE_VAL(*addr, IPADDR_TYPE_V4);
		ip_2_ip4(addr)->addr = in->sin_addr.s_addr;
		*port = ntohs(in->sin_port);
		return 0;
	}
	if (len < 24)   /* SIN6_LEN_RFC2133 */
		return -EINVAL;
	const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
	if (in6->sin6_family != AF_INET6)
		return -EAFNOSUPPORT;
	*port = ntohs(in6->sin6_port);
	const uint8_t *b = in6->sin6_addr.s6_addr;
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	if (memcmp(b, mapped, 12) == 0) {
		/* ::ffff:a.b.c.d: an IPv4 peer of a dual-stack socket. */
		if (v6only)
			return -ENETUNREACH;
		IP_SET_TYPE_VAL(*addr, IPADDR_TYPE_V4);
		memcpy(&ip_2_ip4(addr)->addr, b + 12, 4);
		return 0;
	}
	IP_SET_TYPE_VAL(*addr, IPADDR_TYPE_V6);
	memcpy(ip_2_ip6(addr)->addr, b, 16);
	ip6_addr_clear_zone(ip_2_ip6(addr));
	return 0;
}

int inet_addr_to_user(int fam, const ip_addr_t *addr, uint16_t port, struct sockaddr_storage *out)
{
	memset(out, 0, sizeof *out);
	if (fam == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)out;
		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		if (addr && IP_IS_V4(addr))
			in->sin_addr.s_addr = ip_2_ip4(addr)->addr;
		return sizeof *in;
	}
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)out;
	in6->sin6_family = AF_INET6;
	in6->sin6_port = htons(port);
	if (!addr || IP_IS_ANY_TYPE_VAL(*addr))
		return sizeof *in6;
	if (IP_IS_V4(addr)) {
		if (ip_2_ip4(addr)->addr == 0)
			return sizeof *in6;   /* the wildcard of a dual-stack socket: :: */
		in6->sin6_addr.s6_addr[10] = 0xff;
		in6->sin6_addr.s6_addr[11] = 0xff;
		memcpy(in6->sin6_addr.s6_addr + 12, &ip_2_ip4(addr)->addr, 4);
	} else {
		memcpy(in6->sin6_addr.s6_addr, ip_2_ip6(addr)->addr, 16);
	}
	return sizeof *in6;
}

void inet_any_addr(struct inet_sock *is, ip_addr_t *out)
{
	if (is->sock.family == AF_INET)
		ip_addr_copy(*out, *IP4_ADDR_ANY);
	else if (is->v6only)
		ip_addr_copy(*out, *IP6_ADDR_ANY);
	else
		ip_addr_copy(*out, *IP_ANY_TYPE);
}

static bool addr_is_any(const ip_addr_t *a)
{
	if (IP_IS_ANY_TYPE_VAL(*a))
		return true;
	if (IP_IS_V4(a))
		return ip4_addr_isany(ip_2_ip4(a));
	return ip6_addr_isany(ip_2_ip6(a));
}

int inet_check_bind_addr(struct inet_sock *is, const ip_addr_t *addr)
{
	if (addr_is_any(addr))
		return 0;
	if (net_addr_is_local(is->ns, addr))
		return net_lo_alias(is->ns, addr);   /* 127.0.0.2 answers once bound */
	return -EADDRNOTAVAIL;
}

int inet_check_bind_port(struct task *t, uint16_t port)
{
	/* net.ipv4.ip_unprivileged_port_start is 1024 */
	if (port && port < 1024 && t && !cred_capable(current_cred(t), CAP_NET_BIND_SERVICE))
		return -EACCES;
	return 0;
}

int inet_bind_addr_from_user(struct inet_sock *is, const struct sockaddr *sa, int len,
			     ip_addr_t *addr, uint16_t *port)
{
	int err = inet_addr_from_user(is->sock.family, is->v6only, sa, len, addr, port);
	return err == -ENETUNREACH ? -EINVAL : err;   /* a mapped address on a v6-only socket */
}

int inet_prepare_bind(struct inet_sock *is, ip_addr_t *addr)
{
	int err = inet_check_bind_addr(is, addr);
	if (err == 0 && IP_IS_V6(addr) && ip6_addr_isany(ip_2_ip6(addr)))
		inet_any_addr(is, addr);   /* "::": dual-stack unless v6-only */
	return err;
}

void inet_connect_unspecified(ip_addr_t *addr)
{
	if (IP_IS_V4(addr) && ip4_addr_isany(ip_2_ip4(addr)))
		ip4addr_aton("127.0.0.1", ip_2_ip4(addr));
	else if (IP_IS_V6(addr) && ip6_addr_isany(ip_2_ip6(addr)))
		ip6addr_aton("::1", ip_2_ip6(addr));
}

int inet_policy_check(struct inet_sock *is, const ip_addr_t *addr, uint16_t port,
		      enum net_proto proto)
{
	if (net_addr_is_local(is->ns, addr))
		return net_lo_alias(is->ns, addr);   /* 127.0.0.2 refuses or accepts */
	uint8_t raw[16];
	int family;
	if (IP_IS_V4(addr)) {
		family = AF_INET;
		memcpy(raw, &ip_2_ip4(addr)->addr, 4);
	} else {
		family = AF_INET6;
		memcpy(raw, ip_2_ip6(addr)->addr, 16);
	}
	int err = net_policy_check(is->ns->policy, family, raw, proto, port);
	if (err == 0 && (!is->ns->has_eth0 || is->ns->link_lost))
		err = -ENETUNREACH;   /* no route out (any more) */
	return err;
}

/* --- sockets ---------------------------------------------------------------------------- */

void inet_sock_init(struct inet_sock *is, struct netstack *ns, int family, int type,
		    int protocol, const struct socket_ops *ops)
{
	socket_init(&is->sock, family, type, protocol, ops);
	is->ns = ns;
	waitq_init(&is->wq);
	pthread_mutex_init(&is->rlock, NULL);
	pthread_mutex_init(&is->wlock, NULL);
	is->ttl = -1;
}

void inet_sock_free(struct inet_sock *is)
{
	pthread_mutex_destroy(&is->rlock);
	pthread_mutex_destroy(&is->wlock);
	free(is);
}

int inet_wait(struct inet_sock *is, struct task *t, const struct sock_timeo *to, unsigned events)
{
	struct waitq_entry e;
	waitq_add(&is->wq, &e, t, events);
	net_unlock();
	int err = sock_block(t, to);
	waitq_del(&is->wq, &e);
	net_lock();
	return err;
}

void inet_wake(struct inet_sock *is, unsigned events)
{
	waitq_wake(&is->wq, events);
}

void rxq_push(struct inet_sock *is, struct rx_item *it)
{
	it->next = NULL;
	if (is->rx_tail)
		is->rx_tail->next = it;
	else
		is->rx_head = it;
	is->rx_tail = it;
	is->rx_bytes += it->p->tot_len - it->off;
	is->rx_count++;
}

void rxq_purge(struct inet_sock *is)
{
	struct rx_item *it = is->rx_head;
	while (it) {
		struct rx_item *next = it->next;
		pbuf_free(it->p);
		free(it);
		it = next;
	}
	is->rx_head = is->rx_tail = NULL;
	is->rx_bytes = 0;
	is->rx_count = 0;
}

/* --- IP-level options ---------------------------------------------------------------------- */

int inet_get_ttl(struct inet_sock *is)
{
	return is->ttl < 0 ? IP_DEFAULT_TTL_LINUX : is->ttl;
}

static int get_int(const void *val, unsigned len, int *out)
{
	if (len < sizeof(int)) {
		if (len == 0)
			return -EINVAL;
		/* Linux takes a single byte for some IP options. */
		*out = *(const unsigned char *)val;
		return 0;
	}
	memcpy(out, val, sizeof(int));
	return 0;
}

static int put_int(void *val, unsigned *len, int v)
{
	if (*len < sizeof(int)) {
		if (*len == 0)
			return -EINVAL;
		*(unsigned char *)val = (unsigned char)v;
		*len = 1;
		return 0;
	}
	memcpy(val, &v, sizeof v);
	*len = sizeof v;
	return 0;
}

int inet_setsockopt_ip(struct inet_sock *is, int level, int name, const void *val, unsigned len)
{
	int v, err;
	if ((err = get_int(val, len, &v)) < 0)
		return err;
	if (level == SOL_IP) {
		switch (name) {
		case IP_TTL:
			if (v != -1 && (v < 1 || v > 255))
				return -EINVAL;
			net_lock();
			is->ttl = v;
			if (is->pcb.any) {
				/* ttl is in the common pcb header of every lwIP pcb */
				((struct ip_pcb *)is->pcb.any)->ttl = (u8_t)inet_get_ttl(is);
			}
			net_unlock();
			return 0;
		case IP_TOS:
			is->tos = v & 0xfc;
			return 0;
		case IP_RECVERR:
			is->recverr = v != 0;
			return 0;
		case IP_MTU_DISCOVER:
			if (v < IP_PMTUDISC_DONT || v > IP_PMTUDISC_OMIT)
				return -EINVAL;
			return 0;
		case IP_PKTINFO: case IP_RECVTTL: case IP_RECVTOS: case IP_RECVOPTS:
		case IP_RETOPTS: case IP_FREEBIND: case IP_BIND_ADDRESS_NO_PORT:
		case IP_MULTICAST_TTL: case IP_MULTICAST_LOOP: case IP_MULTICAST_ALL:
			return 0;
		default:
			return -ENOPROTOOPT;
		}
	}
	if (level == SOL_IPV6) {
		if (is->sock.family != AF_INET6)
			return -ENOPROTOOPT;
		switch (name) {
		case IPV6_V6ONLY:
			net_lock();
			err = is->bound ? -EINVAL : 0;
			if (!err)
				is->v6only = v != 0;
			net_unlock();
			return err;
		case IPV6_UNICAST_HOPS:
			if (v < -1 || v > 255)
				return -EINVAL;
			net_lock();
			is->ttl = v;
			if (is->pcb.any)
				((struct ip_pcb *)is->pcb.any)->ttl = (u8_t)inet_get_ttl(is);
			net_unlock();
			return 0;
		case IPV6_TCLASS:
			if (v < -1 || v > 255)
				return -EINVAL;
			is->tos = v < 0 ? 0 : v;
			return 0;
		case IPV6_RECVERR:
			is->recverr = v != 0;
			return 0;
		case IPV6_MTU_DISCOVER: case IPV6_RECVPKTINFO: case IPV6_RECVTCLASS:
		case IPV6_RECVHOPLIMIT: case IPV6_MULTICAST_HOPS: case IPV6_MULTICAST_LOOP:
			return 0;
		default:
			return -ENOPROTOOPT;
		}
	}
	return -ENOPROTOOPT;
}

int inet_getsockopt_ip(struct inet_sock *is, int level, int name, void *val, unsigned *len)
{
	if (level == SOL_IP) {
		switch (name) {
		case IP_TTL:
			return put_int(val, len, inet_get_ttl(is));
		case IP_TOS:
			return put_int(val, len, is->tos);
		case IP_RECVERR:
			return put_int(val, len, is->recverr);
		case IP_MTU_DISCOVER:
			return put_int(val, len, IP_PMTUDISC_WANT);
		case IP_MTU:
			return -ENOTCONN;
		default:
			return -ENOPROTOOPT;
		}
	}
	if (level == SOL_IPV6 && is->sock.family == AF_INET6) {
		switch (name) {
		case IPV6_V6ONLY:
			return put_int(val, len, is->v6only);
		case IPV6_UNICAST_HOPS:
			return put_int(val, len, inet_get_ttl(is));
		case IPV6_TCLASS:
			return put_int(val, len, is->tos);
		case IPV6_RECVERR:
			return put_int(val, len, is->recverr);
		default:
			return -ENOPROTOOPT;
		}
	}
	return -ENOPROTOOPT;
}

long inet_other_ioctl(struct inet_sock *is, struct task *t, unsigned long cmd, uint64_t arg)
{
	return is->sock.family == AF_INET ? netdev_inet_ioctl(t, cmd, arg) : -ENOIOCTLCMD;
}
