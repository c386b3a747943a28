/* The egress proxy's own deny list (see internal.h, "denylist.c").
 *
 * Why it exists: libslirp's disable_host_loopback only stops the gateway
 * alias (10.0.2.2 -> 127.0.0.1); a frame addressed to 127.0.0.1 itself, or
 * to any of the host's own addresses, is connected to on the host like any
 * other destination (docs/netstack-plan.md, section 3).  The policy gate
 * refuses loopback already; this second list, independent of the policy,
 * also knows the host's addresses.
 *
 * "The host's addresses" are more than its interfaces' (getifaddrs): the
 * kernel delivers locally whatever its local routing table says is local,
 * anycast or broadcast.  With IPv6 forwarding on for an interface (Docker
 * and Kubernetes hosts), each of its prefixes gets a subnet-router anycast
 * address (PREFIX::) that no interface lists, and a datagram sent there by
 * slirp reached the host's wildcard listeners (tests/security, net_egress;
 * KNOWN_HOLES.md); "ip route add local 10.9.0.0/16 dev lo" makes a whole
 * range local.  So the list also holds the destinations of every local,
 * anycast and broadcast route, as prefixes, from a dump of the routing
 * tables, refreshed when a route or an address changes. */
#include "netstack/proxy/internal.h"

#include "common/log.h"

#include <errno.h>
#include <ifaddrs.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static int open_netlink(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	/* route changes too: an anycast or local route comes without an
	 * address change (IPv6 forwarding turned on for an interface) */
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK,
				  .nl_groups = RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR |
					       RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE };
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	return fd;
}

int denylist_init(struct denylist *dl)
{
	memset(dl, 0, sizeof *dl);
	/* Subscribe before reading, so that no change falls in between. */
	dl->nl_fd = open_netlink();
	if (dl->nl_fd < 0) {
		log_warn("no address-change notifications (%s): the host's addresses are "
			 "those at start", strerror(-dl->nl_fd));
		dl->nl_fd = -1;
	}
	int r = denylist_refresh(dl);
	if (r < 0) {
		denylist_free(dl);
		return r;
	}
	return 0;
}

/* The types of route whose destinations the host delivers to itself. */
static bool route_is_host(unsigned char type)
{
	return type == RTN_LOCAL || type == RTN_ANYCAST || type == RTN_BROADCAST;
}

/* Appends (family, addr/prefix) to the list; false when it is full. */
static bool add_addr(struct host_addr **v, size_t *n, size_t *cap, int family, const void *a,
		     int prefix)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 64;
		struct host_addr *nv = realloc(*v, nc * sizeof *nv);
		if (!nv)
			return false;
		*v = nv;
		*cap = nc;
	}
	struct host_addr *h = &(*v)[(*n)++];
	memset(h, 0, sizeof *h);
	h->family = family;
	h->prefix = prefix;
	memcpy(h->a, a, family == AF_INET ? 4 : 16);
	return true;
}

static int add_ifaddrs(struct host_addr **v, size_t *n, size_t *cap)
{
	struct ifaddrs *ifa;
	if (getifaddrs(&ifa) < 0) {
		int e = errno;
		log_error("getifaddrs: %s", strerror(e));
		return -e;
	}
	int r = 0;
	for (struct ifaddrs *i = ifa; i && r == 0; i = i->ifa_next) {
		if (!i->ifa_addr)
			continue;
		if (i->ifa_addr->sa_family == AF_INET &&
		    !add_addr(v, n, cap, AF_INET, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, 32))
			r = -ENOMEM;
		else if (i->ifa_addr->sa_family == AF_INET6 &&
			 !add_addr(v, n, cap, AF_INET6,
				   &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr, 128))
			r = -ENOMEM;
	}
	freeifaddrs(ifa);
	return r;
}

/* One route message of the dump: its destination if the host delivers it. */
static int add_route(struct host_addr **v, size_t *n, size_t *cap, const struct nlmsghdr *h)
{
	const struct rtmsg *rt = NLMSG_DATA(h);
	if (h->nlmsg_len < NLMSG_LENGTH(sizeof *rt) || !route_is_host(rt->rtm_type) ||
	    (rt->rtm_family != AF_INET && rt->rtm_family != AF_INET6))
		return 0;
	size_t alen = rt->rtm_family == AF_INET ? 4 : 16;
	static const uint8_t any[16];
	const void *dst = any;   /* no RTA_DST: the default route, prefix 0 */
	int len = (int)RTM_PAYLOAD(h);
	for (const struct rtattr *a = RTM_RTA(rt); RTA_OK(a, len); a = RTA_NEXT(a, len))
		if (a->rta_type == RTA_DST && RTA_PAYLOAD(a) == alen)
			dst = RTA_DATA(a);
	if (rt->rtm_dst_len > alen * 8)
		return 0;
	return add_addr(v, n, cap, rt->rtm_family, dst, rt->rtm_dst_len) ? 0 : -ENOMEM;
}

/* Every local, anycast and broadcast route of the host (all tables). */
static int add_routes(struct host_addr **v, size_t *n, size_t *cap)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	struct {
		struct nlmsghdr h;
		struct rtmsg rt;
	} req = { .h = { .nlmsg_len = sizeof req, .nlmsg_type = RTM_GETROUTE,
			 .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = 1 },
		  .rt = { .rtm_family = AF_UNSPEC } };
	char buf[32768];   /* the kernel fills a dump part up to the reader's buffer, 32 KiB at most */
	int r = send(fd, &req, sizeof req, 0) < 0 ? -errno : 0;
	for (bool done = false; r == 0 && !done;) {
		ssize_t got = recv(fd, buf, sizeof buf, 0);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			r = got < 0 ? -errno : -EIO;
			break;
		}
		size_t left = (size_t)got;
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, left) && r == 0;
		     h = NLMSG_NEXT(h, left)) {
			if (h->nlmsg_type == NLMSG_DONE)
				done = true;
			else if (h->nlmsg_type == NLMSG_ERROR)
				r = -EIO;
			else if (h->nlmsg_type == RTM_NEWROUTE)
				r = add_route(v, n, cap, h);
		}
	}
	close(fd);
	return r;
}

int denylist_refresh(struct denylist *dl)
{
	struct host_addr *addrs = NULL;
	size_t n = 0, cap = 0;
	int r = add_ifaddrs(&addrs, &n, &cap);
	if (r == 0) {
		r = add_routes(&addrs, &n, &cap);
		if (r < 0)
			log_error("the host's local routes: %s", strerror(-r));
	}
	if (r < 0) {
		free(addrs);
		return r;
	}
	free(dl->addrs);
	dl->addrs = addrs;
	dl->naddrs = n;
	return 0;
}

/* Does this notification change what the host delivers to itself?  An
 * address, or a local/anycast/broadcast route (not the other routes, which
 * come and go by the thousand on a busy router). */
static bool nl_msg_matters(const struct nlmsghdr *h)
{
	if (h->nlmsg_type == RTM_NEWADDR || h->nlmsg_type == RTM_DELADDR)
		return true;
	if (h->nlmsg_type != RTM_NEWROUTE && h->nlmsg_type != RTM_DELROUTE)
		return false;
	const struct rtmsg *rt = NLMSG_DATA(h);
	return h->nlmsg_len < NLMSG_LENGTH(sizeof *rt) || route_is_host(rt->rtm_type);
}

bool denylist_nl_changed(struct denylist *dl)
{
	if (dl->nl_fd < 0)
		return false;
	bool changed = false;
	char buf[8192];
	for (;;) {
		ssize_t r = recv(dl->nl_fd, buf, sizeof buf, MSG_DONTWAIT);
		if (r > 0) {
			size_t left = (size_t)r;
			for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, left);
			     h = NLMSG_NEXT(h, left))
				changed = changed || nl_msg_matters(h);
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		/* ENOBUFS: notifications were lost; assume a change. */
		if (r < 0 && errno == ENOBUFS) {
			changed = true;
			continue;
		}
		break;
	}
	return changed;
}

/* The first bits of a and b are the same. */
static bool prefix_match(const uint8_t *a, const uint8_t *b, int bits)
{
	int bytes = bits / 8, rest = bits % 8;
	if (memcmp(a, b, (size_t)bytes) != 0)
		return false;
	return rest == 0 || ((a[bytes] ^ b[bytes]) & (uint8_t)(0xff00 >> rest)) == 0;
}

static bool v4_fixed_denied(const uint8_t *a)
{
	return a[0] == 0 || a[0] == 127 || (a[0] == 169 && a[1] == 254);
}

bool denylist_denies_addr(const struct denylist *dl, int family, const uint8_t *addr)
{
	static const uint8_t zero[16];
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	uint8_t a[16];
	if (family == AF_INET6) {
		if (memcmp(addr, zero, 15) == 0 && (addr[15] == 0 || addr[15] == 1))
			return true; /* :: and ::1 */
		if (addr[0] == 0xfe && (addr[1] & 0xc0) == 0x80)
			return true; /* fe80::/10 */
		if (memcmp(addr, mapped, 12) == 0 || memcmp(addr, zero, 12) == 0) {
			family = AF_INET; /* mapped or compatible: the IPv4 inside */
			addr += 12;
		}
	} else if (family != AF_INET) {
		return true;
	}
	size_t len = family == AF_INET ? 4 : 16;
	memcpy(a, addr, len);
	if (family == AF_INET && v4_fixed_denied(a))
		return true;
	for (size_t i = 0; i < dl->naddrs; i++)
		if (dl->addrs[i].family == family && prefix_match(dl->addrs[i].a, a, dl->addrs[i].prefix))
			return true;
	return false;
}

bool denylist_denies_frame(const struct denylist *dl, const uint8_t *frame, size_t len)
{
	if (len < 14)
		return true;
	const uint8_t *ip = frame + 14;
	size_t iplen = len - 14;
	switch (be16(frame + 12)) {
	case 0x0806: /* ARP: answered by slirp for its own addresses only */
		return false;
	case 0x0800:
		if (iplen < 20)
			return true;
		return denylist_denies_addr(dl, AF_INET, ip + 16);
	case 0x86dd: {
		if (iplen < 40)
			return true;
		uint8_t nh = ip[6];
		size_t off = 40;
		if (nh == 0 && iplen >= off + 8) {
			nh = ip[off];
			off += ((size_t)ip[off + 1] + 1) * 8;
		}
		/* slirp handles ICMPv6 itself (neighbour discovery, echo to its
		 * own addresses) and never sends it to the host; an echo request
		 * to anything else only makes libslirp 4.7 log a critical
		 * "external icmpv6 not supported yet" per packet. */
		if (nh == 58)
			return off >= iplen || ip[off] == 128;
		return denylist_denies_addr(dl, AF_INET6, ip + 24);
	}
	default:
		return true;
	}
}

void denylist_free(struct denylist *dl)
{
	free(dl->addrs);
	dl->addrs = NULL;
	dl->naddrs = 0;
	if (dl->nl_fd >= 0)
		close(dl->nl_fd);
	dl->nl_fd = -1;
}
