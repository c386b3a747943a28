/* The network policy: parsing of the user's ranges and published ports,
 * and the decision for one outbound destination or one Ethernet frame.
 *
 * Semantics of net_policy_check(p, family, addr, proto, port), in order:
 *
 *  1. NET_NONE: -ENETUNREACH for everything (no route: the only interface
 *     is lo, and loopback never gets here).
 *  2. IPv6 that carries an IPv4 address is judged as that IPv4 address:
 *     IPv4-mapped ::ffff:a.b.c.d and IPv4-compatible ::a.b.c.d (except ::
 *     and ::1, which keep their IPv6 meaning).  So ::ffff:127.0.0.1 is
 *     127.0.0.1, and ::ffff:1.2.3.4 needs a v4 allow range.
 *  3. Never routable out of eth0, -ENETUNREACH: 0.0.0.0/8 and ::
 *     ("this host"), 127.0.0.0/8 and ::1 (loopback: the caller loops these
 *     itself; on eth0 they would be the host's loopback through slirp),
 *     multicast 224.0.0.0/4 and ff00::/8, link-local 169.254.0.0/16 and
 *     fe80::/10 (slirp has no link-local neighbours but itself).
 *  4. Broadcast, -EACCES (what Linux gives a send to a broadcast address
 *     without SO_BROADCAST): 255.255.255.255 and eth0's subnet broadcast
 *     10.0.2.255.  Nothing on the link would receive it anyway.
 *  5. eth0's own subnets (10.0.2.0/24, fd53:6e74::/64):
 *     - the guest's own addresses 10.0.2.100 / fd53:6e74::100: 0 (local: the
 *       netstack loops them like loopback; listed so that a caller that
 *       asks about them gets the answer for a local destination);
 *     - the resolver 10.0.2.3 / fd53:6e74::3: TCP or UDP to port 53 is 0 iff
 *       p->dns_allowed (with or without an allowlist), else -ECONNREFUSED;
 *       any other port or protocol, -ECONNREFUSED;
 *     - everything else, the gateway 10.0.2.2 / fd53:6e74::2 included,
 *       -ECONNREFUSED: slirp maps the gateway and every other address of
 *       its virtual subnet to the host's own loopback, which the guest
 *       must never reach.
 *  6. Everything else: 0 without an allowlist; with one, 0 iff one of
 *     p->allow contains the (normalised) address, else -ECONNREFUSED (what
 *     a connect gets from a firewall's REJECT with tcp-reset / icmp
 *     port-unreachable).
 *
 * net_policy_frame_ok(p, frame, len) decides for an Ethernet II frame (no
 * VLAN tag) leaving the guest's eth0:
 *  - NET_NONE: nothing passes.
 *  - ARP (Ethernet/IPv4 request or reply, complete 28-byte body) passes.
 *  - IPv4: a complete header (IHL >= 5, total length within the frame);
 *    the source must be 10.0.2.100; the destination must not be the
 *    guest's own address (local traffic never leaves).  TCP needs its
 *    20-byte header and UDP its 8-byte header in the first fragment, whose
 *    destination port is judged; a later fragment carries no ports and is
 *    judged with port 0 (so it can only reach what needs no port: it
 *    never reaches the resolver).  ICMP needs its 8-byte header.  Other
 *    protocols are dropped.  The verdict is net_policy_check(dst, proto,
 *    port) == 0.
 *  - IPv6: a complete fixed header, payload length within the frame.  At
 *    most one hop-by-hop options header, first (MLD reports carry one with
 *    the router alert); a fragment header or any other extension header:
 *    dropped.  ICMPv6 link control (router solicitation 133, neighbour
 *    solicitation 135 / advertisement 136, MLD reports 131/143 and done
 *    132) passes when sent from fd53:6e74::100, from fe80::/10, or from :: (DAD
 *    probes, RS and MLD before an address exists; not advertisements), to
 *    fe80::/10, ff02::/16 (link-scope multicast), the gateway fd53:6e74::2 or the
 *    resolver fd53:6e74::3 (unicast neighbour-unreachability probes of the
 *    routers the guest uses).  Anything else must come from fd53:6e74::100 and
 *    is judged like IPv4 (ICMPv6 with port 0).
 *  - Every other ethertype, and anything truncated: dropped.
 *
 * Pure functions; the only state is a table of the netconf addresses,
 * parsed once from netconf.h's strings. */
#include "netstack/policy.h"

#include "netstack/netconf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* --- the fixed addresses -------------------------------------------------- */

static struct {
	uint32_t v4_net, v4_mask, v4_bcast, v4_addr, v4_gw, v4_dns; /* host order */
	uint8_t v6_prefix[16], v6_addr[16], v6_gw[16], v6_dns[16];
	int v6_prefix_len;
} nc;
static pthread_once_t nc_once = PTHREAD_ONCE_INIT;

static uint32_t v4_of(const char *s)
{
	struct in_addr a;
	if (inet_pton(AF_INET, s, &a) != 1)
		abort(); /* netconf.h is broken: not a runtime condition */
	return ntohl(a.s_addr);
}

static void v6_of(const char *s, uint8_t out[16])
{
	if (inet_pton(AF_INET6, s, out) != 1)
		abort();
}

static void nc_init(void)
{
	nc.v4_mask = NETCONF_V4_PREFIX ? ~0u << (32 - NETCONF_V4_PREFIX) : 0;
	nc.v4_net = v4_of(NETCONF_V4_NET) & nc.v4_mask;
	nc.v4_bcast = nc.v4_net | ~nc.v4_mask;
	nc.v4_addr = v4_of(NETCONF_V4_ADDR);
	nc.v4_gw = v4_of(NETCONF_V4_GATEWAY);
	nc.v4_dns = v4_of(NETCONF_V4_DNS);
	v6_of(NETCONF_V6_PREFIX_ADDR, nc.v6_prefix);
	v6_of(NETCONF_V6_ADDR, nc.v6_addr);
	v6_of(NETCONF_V6_GATEWAY, nc.v6_gw);
	v6_of(NETCONF_V6_DNS, nc.v6_dns);
	nc.v6_prefix_len = NETCONF_V6_PREFIX;
}

static void nc_get(void)
{
	pthread_once(&nc_once, nc_init);
}

/* --- address helpers ------------------------------------------------------ */

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static bool prefix_match(const uint8_t *a, const uint8_t *b, int bits)
{
	int bytes = bits / 8, rest = bits % 8;
	if (memcmp(a, b, (size_t)bytes) != 0)
		return false;
	if (rest == 0)
		return true;
	uint8_t mask = (uint8_t)(0xff00 >> rest);
	return ((a[bytes] ^ b[bytes]) & mask) == 0;
}

static bool v6_is_mapped(const uint8_t *a)
{
	static const uint8_t pfx[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	return memcmp(a, pfx, 12) == 0;
}

static bool v6_is_zero_prefix96(const uint8_t *a)
{
	static const uint8_t zero[12];
	return memcmp(a, zero, 12) == 0;
}

static bool v6_is_any(const uint8_t *a)
{
	return v6_is_zero_prefix96(a) && be32(a + 12) == 0;
}

static bool v6_is_loopback(const uint8_t *a)
{
	return v6_is_zero_prefix96(a) && be32(a + 12) == 1;
}

static bool v6_is_linklocal(const uint8_t *a)
{
	return a[0] == 0xfe && (a[1] & 0xc0) == 0x80;
}

/* An address judged in its own family: IPv6 forms that carry an IPv4
 * address become that IPv4 address. */
struct naddr {
	int family;
	uint8_t a[16];
};

static int normalise(int family, const uint8_t *addr, bool compat, struct naddr *out)
{
	memset(out, 0, sizeof *out);
	if (family == AF_INET) {
		out->family = AF_INET;
		memcpy(out->a, addr, 4);
		return 0;
	}
	if (family != AF_INET6)
		return -EAFNOSUPPORT;
	if (v6_is_mapped(addr) ||
	    (compat && v6_is_zero_prefix96(addr) && !v6_is_any(addr) && !v6_is_loopback(addr))) {
		out->family = AF_INET;
		memcpy(out->a, addr + 12, 4);
		return 0;
	}
	out->family = AF_INET6;
	memcpy(out->a, addr, 16);
	return 0;
}

/* --- parsing ---------------------------------------------------------------- */

/* A decimal number of at most maxdigits digits, nothing else, <= max. */
static int parse_uint(const char *s, size_t len, int maxdigits, long max, long *out)
{
	if (len == 0 || len > (size_t)maxdigits)
		return -EINVAL;
	long v = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (s[i] - '0');
	}
	if (v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static void mask_past_prefix(uint8_t *a, int bits, int total)
{
	for (int i = bits; i < total; i++)
		a[i / 8] &= (uint8_t)~(0x80 >> (i % 8));
}

int net_cidr_parse(const char *s, struct net_cidr *out)
{
	if (!s || !out)
		return -EINVAL;
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	char buf[INET6_ADDRSTRLEN];
	if (alen == 0 || alen >= sizeof buf)
		return -EINVAL;
	memcpy(buf, s, alen);
	buf[alen] = '\0';

	struct net_cidr c = { 0 };
	int max;
	if (memchr(buf, ':', alen)) {
		if (inet_pton(AF_INET6, buf, c.addr) != 1)
			return -EINVAL;
		c.family = AF_INET6;
		max = 128;
	} else {
		if (inet_pton(AF_INET, buf, c.addr) != 1)
			return -EINVAL;
		c.family = AF_INET;
		max = 32;
	}
	long prefix = max;
	if (slash && parse_uint(slash + 1, strlen(slash + 1), 3, max, &prefix) < 0)
		return -EINVAL;
	c.prefix = (int)prefix;
	/* ::ffff:10.0.0.0/104 is 10.0.0.0/8: mapped addresses are judged as
	 * IPv4, so a mapped range must be an IPv4 range to ever match. */
	if (c.family == AF_INET6 && c.prefix >= 96 && v6_is_mapped(c.addr)) {
		memmove(c.addr, c.addr + 12, 4);
		memset(c.addr + 4, 0, 12);
		c.family = AF_INET;
		c.prefix -= 96;
		max = 32;
	}
	/* "192.168.1.7/24" means the network that contains it. */
	mask_past_prefix(c.addr, c.prefix, max);
	*out = c;
	return 0;
}

bool net_cidr_contains(const struct net_cidr *c, int family, const uint8_t *addr)
{
	if (!c || !addr)
		return false;
	struct naddr a;
	if (normalise(family, addr, false, &a) < 0 || a.family != c->family)
		return false;
	int max = c->family == AF_INET ? 32 : 128;
	if (c->prefix < 0 || c->prefix > max)
		return false;
	return prefix_match(a.a, c->addr, c->prefix);
}

static int parse_port(const char *s, size_t len, uint16_t *out)
{
	long v;
	if (parse_uint(s, len, 5, 65535, &v) < 0 || v == 0)
		return -EINVAL;
	*out = (uint16_t)v;
	return 0;
}

/* "HOSTPORT:GUESTPORT" */
static int parse_port_pair(const char *s, struct net_publish *out)
{
	const char *colon = strchr(s, ':');
	if (!colon || strchr(colon + 1, ':'))
		return -EINVAL;
	if (parse_port(s, (size_t)(colon - s), &out->host_port) < 0 ||
	    parse_port(colon + 1, strlen(colon + 1), &out->guest_port) < 0)
		return -EINVAL;
	return 0;
}

int net_publish_parse(const char *s, bool tls, struct net_publish *out)
{
	if (!s || !out)
		return -EINVAL;
	struct net_publish p = { .tls = tls, .host_family = AF_INET };
	char host[INET6_ADDRSTRLEN];
	const char *rest;
	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		if (!close || close[1] != ':')
			return -EINVAL;
		size_t hlen = (size_t)(close - s - 1);
		if (hlen == 0 || hlen >= sizeof host)
			return -EINVAL;
		memcpy(host, s + 1, hlen);
		host[hlen] = '\0';
		if (inet_pton(AF_INET6, host, p.host_addr) != 1)
			return -EINVAL;
		p.host_family = AF_INET6;
		rest = close + 2;
	} else {
		const char *c1 = strchr(s, ':');
		const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (c2) {
			size_t hlen = (size_t)(c1 - s);
			if (hlen == 0 || hlen >= sizeof host)
				return -EINVAL;
			memcpy(host, s, hlen);
			host[hlen] = '\0';
			if (inet_pton(AF_INET, host, p.host_addr) != 1)
				return -EINVAL;
			rest = c1 + 1;
		} else {
			static const uint8_t localhost[4] = { 127, 0, 0, 1 };
			memcpy(p.host_addr, localhost, 4);
			rest = s;
		}
	}
	if (parse_port_pair(rest, &p) < 0)
		return -EINVAL;
	*out = p;
	return 0;
}

/* --- the decision ------------------------------------------------------------ */

/* A verdict of the special-address rules, or "judge by the allowlist". */
#define GO_ON 1

static int dns_verdict(const struct net_policy *p, enum net_proto proto, uint16_t port)
{
	if ((proto == NET_PROTO_TCP || proto == NET_PROTO_UDP) && port == 53)
		return p->dns_allowed ? 0 : -ECONNREFUSED;
	return -ECONNREFUSED;
}

static int special_v4(const struct net_policy *p, uint32_t a, enum net_proto proto,
		      uint16_t port)
{
	uint8_t top = (uint8_t)(a >> 24);
	if (top == 0 || top == 127)
		return -ENETUNREACH;
	if ((a & 0xf0000000u) == 0xe0000000u)   /* 224.0.0.0/4 */
		return -ENETUNREACH;
	if ((a & 0xffff0000u) == 0xa9fe0000u)   /* 169.254.0.0/16 */
		return -ENETUNREACH;
	if (a == 0xffffffffu || a == nc.v4_bcast)
		return -EACCES;
	if ((a & nc.v4_mask) == nc.v4_net) {
		if (a == nc.v4_addr)
			return 0;
		if (a == nc.v4_dns)
			return dns_verdict(p, proto, port);
		return -ECONNREFUSED;
	}
	return GO_ON;
}

static int special_v6(const struct net_policy *p, const uint8_t *a, enum net_proto proto,
		      uint16_t port)
{
	if (v6_is_any(a) || v6_is_loopback(a))
		return -ENETUNREACH;
	if (a[0] == 0xff || v6_is_linklocal(a))
		return -ENETUNREACH;
	if (prefix_match(a, nc.v6_prefix, nc.v6_prefix_len)) {
		if (memcmp(a, nc.v6_addr, 16) == 0)
			return 0;
		if (memcmp(a, nc.v6_dns, 16) == 0)
			return dns_verdict(p, proto, port);
		return -ECONNREFUSED;
	}
	return GO_ON;
}

int net_policy_check(const struct net_policy *p, int family, const uint8_t *addr,
		     enum net_proto proto, uint16_t port)
{
	if (!p || !addr)
		return -EINVAL;
	if (p->mode == NET_NONE)
		return -ENETUNREACH;
	struct naddr a;
	int r = normalise(family, addr, true, &a);
	if (r < 0)
		return r;
	nc_get();
	r = a.family == AF_INET ? special_v4(p, be32(a.a), proto, port)
				: special_v6(p, a.a, proto, port);
	if (r != GO_ON)
		return r;
	if (!p->has_allowlist)
		return 0;
	for (size_t i = 0; i < p->nallow; i++)
		if (net_cidr_contains(&p->allow[i], a.family, a.a))
			return 0;
	return -ECONNREFUSED;
}

/* --- frames ----------------------------------------------------------------- */

#define ETH_HDR 14
#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_ARP 0x0806
#define ETHERTYPE_IPV6 0x86dd

/* The destination port of a TCP/UDP header, or "no ports" (0) for ICMP;
 * false if the header is truncated or the protocol unknown. */
static bool l4_port(uint8_t proto, const uint8_t *l4, size_t len, bool first_fragment,
		    uint16_t *port)
{
	*port = 0;
	switch (proto) {
	case NET_PROTO_TCP:
		if (!first_fragment)
			return true;
		if (len < 20)
			return false;
		*port = be16(l4 + 2);
		return true;
	case NET_PROTO_UDP:
		if (!first_fragment)
			return true;
		if (len < 8)
			return false;
		*port = be16(l4 + 2);
		return true;
	case NET_PROTO_ICMP:
	case NET_PROTO_ICMPV6:
		return !first_fragment || len >= 8;
	default:
		return false;
	}
}

static bool arp_ok(const uint8_t *a, size_t len)
{
	/* Ethernet hardware, IPv4 protocol, 6/4 address lengths, request or reply. */
	return len >= 28 && be16(a) == 1 && be16(a + 2) == ETHERTYPE_IPV4 && a[4] == 6 &&
	       a[5] == 4 && (be16(a + 6) == 1 || be16(a + 6) == 2);
}

static bool ipv4_ok(const struct net_policy *p, const uint8_t *ip, size_t len)
{
	if (len < 20 || ip[0] >> 4 != 4)
		return false;
	size_t hl = (size_t)(ip[0] & 0xf) * 4;
	size_t tot = be16(ip + 2);
	if (hl < 20 || tot < hl || tot > len)
		return false;
	uint32_t src = be32(ip + 12), dst = be32(ip + 16);
	if (src != nc.v4_addr || dst == nc.v4_addr)
		return false;
	bool first = (be16(ip + 6) & 0x1fff) == 0;
	uint16_t port;
	if (ip[9] == NET_PROTO_ICMPV6 || !l4_port(ip[9], ip + hl, tot - hl, first, &port))
		return false;
	return net_policy_check(p, AF_INET, ip + 16, (enum net_proto)ip[9], port) == 0;
}

static bool icmp6_is_link_control(uint8_t type)
{
	switch (type) {
	case 131: /* MLDv1 report */
	case 132: /* MLD done */
	case 133: /* router solicitation */
	case 135: /* neighbour solicitation */
	case 136: /* neighbour advertisement */
	case 143: /* MLDv2 report */
		return true;
	default:
		return false;
	}
}

static bool link_control_ok(uint8_t type, const uint8_t *src, const uint8_t *dst)
{
	bool src_ok = memcmp(src, nc.v6_addr, 16) == 0 || v6_is_linklocal(src) ||
		      (v6_is_any(src) && type != 136);
	bool dst_ok = v6_is_linklocal(dst) || (dst[0] == 0xff && dst[1] == 0x02) ||
		      memcmp(dst, nc.v6_gw, 16) == 0 || memcmp(dst, nc.v6_dns, 16) == 0;
	return src_ok && dst_ok;
}

static bool ipv6_ok(const struct net_policy *p, const uint8_t *ip, size_t len)
{
	if (len < 40 || ip[0] >> 4 != 6)
		return false;
	size_t end = 40 + (size_t)be16(ip + 4);
	if (end > len)
		return false;
	const uint8_t *src = ip + 8, *dst = ip + 24;
	uint8_t nh = ip[6];
	size_t off = 40;
	if (nh == 0) { /* hop-by-hop options, only first */
		if (off + 8 > end)
			return false;
		nh = ip[off];
		off += ((size_t)ip[off + 1] + 1) * 8;
		if (off > end)
			return false;
	}
	if (nh == NET_PROTO_ICMPV6 && off + 8 <= end && icmp6_is_link_control(ip[off]))
		return link_control_ok(ip[off], src, dst);
	if (memcmp(src, nc.v6_addr, 16) != 0 || memcmp(dst, nc.v6_addr, 16) == 0)
		return false;
	uint16_t port;
	if (nh == NET_PROTO_ICMP || !l4_port(nh, ip + off, end - off, true, &port))
		return false;
	return net_policy_check(p, AF_INET6, dst, (enum net_proto)nh, port) == 0;
}

bool net_policy_frame_ok(const struct net_policy *p, const uint8_t *frame, size_t len)
{
	if (!p || !frame || len < ETH_HDR || p->mode == NET_NONE)
		return false;
	nc_get();
	const uint8_t *l3 = frame + ETH_HDR;
	size_t l3len = len - ETH_HDR;
	switch (be16(frame + 12)) {
	case ETHERTYPE_ARP:
		return arp_ok(l3, l3len);
	case ETHERTYPE_IPV4:
		return ipv4_ok(p, l3, l3len);
	case ETHERTYPE_IPV6:
		return ipv6_ok(p, l3, l3len);
	default:
		return false;
	}
}

void net_policy_free(struct net_policy *p)
{
	if (!p)
		return;
	free(p->allow);
	p->allow = NULL;
	p->nallow = 0;
	free(p->publish);
	p->publish = NULL;
	p->npublish = 0;
}
