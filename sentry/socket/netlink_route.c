/* The kernel side of NETLINK_ROUTE (net/core/rtnetlink.c, and the dump
 * and fill functions of net/ipv4/devinet.c, fib_semantics.c,
 * net/ipv6/addrconf.c, route.c, as of Linux 6.1): requests in,
 * RTM_NEWLINK / RTM_NEWADDR / RTM_NEWROUTE, NLMSG_DONE and NLMSG_ERROR
 * out, built from the sandbox's table (netstack/netconf.h).
 *
 * What is answered:
 *   - RTM_GETLINK: dump, or one link by index or IFLA_IFNAME/ALT_IFNAME;
 *   - RTM_GETADDR: dump (AF_INET, AF_INET6, or both), and the one-address
 *     lookup IPv6 has;
 *   - RTM_GETROUTE: dump of tables main and local (IPv4, IPv6, or both);
 *   - RTM_GETRULE: dump of the default policy routing rules;
 *   - every other RTM_GET* dump: empty (no neighbours, qdiscs...
 *     to report);
 *   - anything that would change the configuration: EPERM (see
 *     netlink.h); a message type past RTM_MAX, or a GET that is not a
 *     dump and is not one of the above (RTM_GETROUTE for one destination
 *     among them): EOPNOTSUPP.
 * With NETLINK_GET_STRICT_CHK the requests are checked and the dump
 * filters applied (address dump by ifindex; route dump by table, type,
 * protocol, output interface) as Linux does; the messages of the checks
 * come back as extended acks when NETLINK_EXT_ACK is on.
 *
 * Malformed input never gets further than the length checks Linux makes:
 * a header whose length is short or runs past the data ends the batch
 * silently, attributes are walked only within their message.
 */
#include <errno.h>
#include <linux/if_link.h>
#include <linux/if_addr.h>
#include <linux/fib_rules.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <stdlib.h>
#include <string.h>

#include "netstack/netconf.h"
#include "sentry/kernel/kernel.h"
#include "sentry/socket/netlink.h"

#ifndef NLM_F_CAPPED
#define NLM_F_CAPPED 0x100
#endif
#ifndef NLM_F_ACK_TLVS
#define NLM_F_ACK_TLVS 0x200
#endif
#ifndef IF_OPER_UP
#define IF_OPER_UNKNOWN 0
#define IF_OPER_UP 6
#endif

/* --- building messages ---------------------------------------------------------- */

/* A growing buffer of messages; offsets, not pointers, survive growth. */
struct nlbuf {
	uint8_t *p;
	size_t len, cap;
	bool oom;
};

/* n zeroed bytes, padded to 4; NULL (and oom) when out of memory. */
static void *nb_put(struct nlbuf *b, const void *data, size_t n)
{
	size_t total = NLMSG_ALIGN(n);
	if (b->oom)
		return NULL;
	if (b->len + total > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 4096;
		while (cap < b->len + total)
			cap *= 2;
		uint8_t *np = realloc(b->p, cap);
		if (!np) {
			b->oom = true;
			return NULL;
		}
		b->p = np;
		b->cap = cap;
	}
	uint8_t *at = b->p + b->len;
	memset(at, 0, total);
	if (data)
		memcpy(at, data, n);
	b->len += total;
	return at;
}

/* nlmsg_put(): a header and the family header; returns the message's
 * offset for msg_end(). */
static size_t msg_begin(struct nlbuf *b, uint16_t type, uint16_t flags, uint32_t seq,
			uint32_t portid, const void *fam, size_t famlen)
{
	size_t off = b->len;
	struct nlmsghdr h = { .nlmsg_type = type, .nlmsg_flags = flags, .nlmsg_seq = seq,
			      .nlmsg_pid = portid };
	nb_put(b, &h, sizeof h);
	if (famlen)
		nb_put(b, fam, famlen);
	return off;
}

static void msg_end(struct nlbuf *b, size_t off)
{
	if (b->oom)
		return;
	uint32_t len = (uint32_t)(b->len - off);
	memcpy(b->p + off + offsetof(struct nlmsghdr, nlmsg_len), &len, sizeof len);
}

static void nla_put(struct nlbuf *b, uint16_t type, const void *data, size_t len)
{
	struct nlattr a = { .nla_len = (uint16_t)(NLA_HDRLEN + len), .nla_type = type };
	nb_put(b, &a, sizeof a);
	if (len)
		nb_put(b, data, len);
}

static void nla_u8(struct nlbuf *b, uint16_t type, uint8_t v)
{
	nla_put(b, type, &v, 1);
}

static void nla_u32(struct nlbuf *b, uint16_t type, uint32_t v)
{
	nla_put(b, type, &v, 4);
}

static void nla_str(struct nlbuf *b, uint16_t type, const char *s)
{
	nla_put(b, type, s, strlen(s) + 1);
}

static size_t nest_start(struct nlbuf *b, uint16_t type)
{
	size_t off = b->len;
	struct nlattr a = { .nla_len = NLA_HDRLEN, .nla_type = NLA_F_NESTED | type };
	nb_put(b, &a, sizeof a);
	return off;
}

static void nest_end(struct nlbuf *b, size_t off)
{
	if (b->oom)
		return;
	uint16_t len = (uint16_t)(b->len - off);
	memcpy(b->p + off, &len, sizeof len);
}

/* --- parsing requests ------------------------------------------------------------ */

/* One request being answered. */
struct rtnl_req {
	struct netlink_sock *nlk;
	uint32_t portid;
	unsigned flags;                 /* the socket's NLF_* */
	const struct nlmsghdr *nlh;
	const uint8_t *data;            /* the payload (nlmsg_len(nlh) bytes) */
	size_t dlen;
	const char *extack;             /* NL_SET_ERR_MSG */
	struct net_iface ifs[NETCONF_MAX_IFACES];
	int nifs;
	struct net_route routes[NETCONF_MAX_ROUTES];
	int nroutes;
};

#define MAX_ATTR 128

/* nlmsg_parse(): the attributes after a family header of hdrlen bytes,
 * indexed by type (the last of a type wins; types past max ignored).
 * Strict parsing (NETLINK_GET_STRICT_CHK) refuses leftovers and unknown
 * types with EINVAL; lenient parsing stops at the first malformed one.
 * The request must hold the family header: EINVAL otherwise. */
static int parse_attrs(struct rtnl_req *r, size_t hdrlen, int max, bool strict,
		       const struct nlattr *tb[MAX_ATTR])
{
	memset(tb, 0, MAX_ATTR * sizeof *tb);
	if (r->dlen < hdrlen)
		return -EINVAL;
	size_t off = NLMSG_ALIGN(hdrlen);
	while (off + NLA_HDRLEN <= r->dlen) {
		const struct nlattr *a = (const void *)(r->data + off);
		if (a->nla_len < NLA_HDRLEN || a->nla_len > r->dlen - off)
			break;
		int type = a->nla_type & NLA_TYPE_MASK;
		if (type > max) {
			if (strict) {
				r->extack = "Unknown attribute type";
				return -EINVAL;
			}
		} else if (type < MAX_ATTR) {
			tb[type] = a;
		}
		off += NLA_ALIGN(a->nla_len);
	}
	if (strict && off < r->dlen) {
		r->extack = "bytes leftover after parsing attributes";
		return -EINVAL;
	}
	return 0;
}

static const void *nla_data(const struct nlattr *a)
{
	return (const uint8_t *)a + NLA_HDRLEN;
}

static size_t nla_len(const struct nlattr *a)
{
	return a->nla_len - NLA_HDRLEN;
}

static bool nla_get_u32(const struct nlattr *a, uint32_t *v)
{
	if (nla_len(a) < 4)
		return false;
	memcpy(v, nla_data(a), 4);
	return true;
}

static const struct net_iface *iface_by_index(const struct rtnl_req *r, int index)
{
	for (int i = 0; i < r->nifs; i++)
		if (r->ifs[i].index == index)
			return &r->ifs[i];
	return NULL;
}

/* An IFLA_IFNAME-like attribute (NLA_STRING of at most IFNAMSIZ-1): the
 * interface, or NULL (*err: -ERANGE for an over-long name, else -ENODEV). */
static const struct net_iface *iface_by_name_attr(const struct rtnl_req *r,
						   const struct nlattr *a, int *err)
{
	const char *s = nla_data(a);
	size_t n = nla_len(a);
	if (n > 0 && s[n - 1] == '\0')
		n--;
	if (n < 1 || n > IFNAMSIZ - 1) {
		*err = -ERANGE;
		return NULL;
	}
	n = strnlen(s, n);
	for (int i = 0; i < r->nifs; i++)
		if (strlen(r->ifs[i].name) == n && memcmp(r->ifs[i].name, s, n) == 0)
			return &r->ifs[i];
	*err = -ENODEV;
	return NULL;
}

/* --- replies ---------------------------------------------------------------------- */

size_t rtnetlink_done_msg(struct netlink_sock *nlk, uint32_t seq, int err, const char *extack,
			  uint16_t flags, uint8_t *out)
{
	struct nlmsghdr h = { .nlmsg_type = NLMSG_DONE, .nlmsg_flags = NLM_F_MULTI | flags,
			      .nlmsg_seq = seq, .nlmsg_pid = nlk->portid };
	size_t len = NLMSG_HDRLEN;
	memcpy(out + len, &err, sizeof err);
	len += sizeof err;
	if (extack && (atomic_load(&nlk->flags) & NLF_EXT_ACK) && strlen(extack) < 64) {
		h.nlmsg_flags |= NLM_F_ACK_TLVS;
		struct nlattr a = { .nla_len = (uint16_t)(NLA_HDRLEN + strlen(extack) + 1),
				    .nla_type = NLMSGERR_ATTR_MSG };
		memcpy(out + len, &a, sizeof a);
		memset(out + len + NLA_HDRLEN, 0, NLA_ALIGN(a.nla_len) - NLA_HDRLEN);
		memcpy(out + len + NLA_HDRLEN, extack, strlen(extack));
		len += NLA_ALIGN(a.nla_len);
	}
	h.nlmsg_len = (uint32_t)len;
	memcpy(out, &h, sizeof h);
	return len;
}

/* netlink_ack(): NLMSG_ERROR with err (0: an acknowledgement), the
 * request's header, and its payload too for an error unless
 * NETLINK_CAP_ACK; the extended-ack message if asked for. */
static void send_ack(struct rtnl_req *r, int err)
{
	const struct nlmsghdr *nlh = r->nlh;
	uint16_t flags = 0;
	bool capped = !err || (r->flags & NLF_CAP_ACK);
	if (capped)
		flags |= NLM_F_CAPPED;
	bool tlv = r->extack && (r->flags & NLF_EXT_ACK);
	if (tlv)
		flags |= NLM_F_ACK_TLVS;
	struct nlbuf b = { 0 };
	size_t m = msg_begin(&b, NLMSG_ERROR, flags, nlh->nlmsg_seq, r->portid, NULL, 0);
	nb_put(&b, &err, sizeof err);
	nb_put(&b, nlh, sizeof *nlh);
	if (!capped && r->dlen)
		nb_put(&b, r->data, r->dlen);
	if (tlv)
		nla_str(&b, NLMSGERR_ATTR_MSG, r->extack);
	msg_end(&b, m);
	if (!b.oom)
		netlink_kernel_reply(r->nlk, b.p, b.len);
	free(b.p);
}

/* Hands a dump to the socket (netlink_dump_start): -EINTR, so that no
 * acknowledgement follows, or -EBUSY/-ENOBUFS. */
static int start_dump(struct rtnl_req *r, struct nlbuf *b, int done_errno, uint16_t done_flags)
{
	if (b->oom) {
		free(b->p);
		return -ENOBUFS;
	}
	int err = netlink_dump_start(r->nlk, b->p, b->len, r->nlh->nlmsg_seq, done_errno,
				     done_errno ? r->extack : NULL, done_flags);
	return err < 0 ? err : -EINTR;
}

/* --- links ------------------------------------------------------------------------- */

static void fill_link(struct rtnl_req *r, struct nlbuf *b, const struct net_iface *ifc,
		      uint16_t flags)
{
	bool lo = ifc->arphrd == ARPHRD_LOOPBACK;
	struct ifinfomsg ifm = { .ifi_family = AF_UNSPEC, .ifi_type = (unsigned short)ifc->arphrd,
				 .ifi_index = ifc->index, .ifi_flags = ifc->flags };
	size_t m = msg_begin(b, RTM_NEWLINK, flags, r->nlh->nlmsg_seq, r->portid, &ifm,
			     sizeof ifm);
	nla_str(b, IFLA_IFNAME, ifc->name);
	nla_u32(b, IFLA_TXQLEN, 1000);
	nla_u8(b, IFLA_OPERSTATE, lo ? IF_OPER_UNKNOWN : IF_OPER_UP);
	nla_u8(b, IFLA_LINKMODE, 0);
	nla_u32(b, IFLA_MTU, (uint32_t)ifc->mtu);
	nla_u32(b, IFLA_MIN_MTU, lo ? 0 : 68);
	nla_u32(b, IFLA_MAX_MTU, lo ? 0 : 65535);
	nla_u32(b, IFLA_GROUP, 0);
	nla_u32(b, IFLA_PROMISCUITY, 0);
	nla_u32(b, IFLA_ALLMULTI, 0);
	nla_u32(b, IFLA_NUM_TX_QUEUES, 1);
	nla_u32(b, IFLA_GSO_MAX_SEGS, 65535);
	nla_u32(b, IFLA_GSO_MAX_SIZE, 65536);
	nla_u32(b, IFLA_GRO_MAX_SIZE, 65536);
	nla_u32(b, IFLA_TSO_MAX_SIZE, 524280);
	nla_u32(b, IFLA_TSO_MAX_SEGS, 65535);
	nla_u32(b, IFLA_NUM_RX_QUEUES, 1);
	nla_u8(b, IFLA_CARRIER, 1);
	nla_str(b, IFLA_QDISC, "noqueue");
	nla_u32(b, IFLA_CARRIER_CHANGES, 0);
	nla_u32(b, IFLA_CARRIER_UP_COUNT, 0);
	nla_u32(b, IFLA_CARRIER_DOWN_COUNT, 0);
	nla_u8(b, IFLA_PROTO_DOWN, 0);
	struct rtnl_link_ifmap map = { 0 };
	nla_put(b, IFLA_MAP, &map, sizeof map);
	nla_put(b, IFLA_ADDRESS, ifc->mac, 6);
	nla_put(b, IFLA_BROADCAST, ifc->brd_mac, 6);
	struct rtnl_link_stats64 st64 = { 0 };
	nla_put(b, IFLA_STATS64, &st64, sizeof st64);
	struct rtnl_link_stats st = { 0 };
	nla_put(b, IFLA_STATS, &st, sizeof st);
	size_t xdp = nest_start(b, IFLA_XDP);
	nla_u8(b, IFLA_XDP_ATTACHED, XDP_ATTACHED_NONE);
	nest_end(b, xdp);
	msg_end(b, m);
}

/* rtnl_valid_dump_ifinfo_req(): the strict checks of a link dump, and
 * its filters (IFLA_MASTER, IFLA_LINKINFO's kind: no interface here has
 * a master or a kind, so either filters out everything). */
static int link_dump_check(struct rtnl_req *r, bool *filtered)
{
	*filtered = false;
	if (!(r->flags & NLF_STRICT_CHK))
		return 0;
	if (r->dlen < sizeof(struct ifinfomsg)) {
		r->extack = "Invalid header for link dump";
		return -EINVAL;
	}
	struct ifinfomsg ifm;
	memcpy(&ifm, r->data, sizeof ifm);
	if (ifm.__ifi_pad || ifm.ifi_type || ifm.ifi_flags || ifm.ifi_change) {
		r->extack = "Invalid values in header for link dump request";
		return -EINVAL;
	}
	if (ifm.ifi_index) {
		r->extack = "Filter by device index not supported for link dumps";
		return -EINVAL;
	}
	const struct nlattr *tb[MAX_ATTR];
	int err = parse_attrs(r, sizeof ifm, IFLA_MAX, true, tb);
	if (err < 0)
		return err;
	for (int i = 0; i <= IFLA_MAX && i < MAX_ATTR; i++) {
		if (!tb[i])
			continue;
		switch (i) {
		case IFLA_TARGET_NETNSID:
			r->extack = "Invalid target network namespace id";
			return -EINVAL;
		case IFLA_EXT_MASK:
			break;
		case IFLA_MASTER: {
			uint32_t master = 0;
			nla_get_u32(tb[i], &master);
			*filtered |= master != 0;
			break;
		}
		case IFLA_LINKINFO:
			*filtered = true;
			break;
		default:
			r->extack = "Unsupported attribute in link dump request";
			return -EINVAL;
		}
	}
	return 0;
}

static int dump_links(struct rtnl_req *r, int family)
{
	struct nlbuf b = { 0 };
	bool filtered;
	int err = link_dump_check(r, &filtered);
	/* AF_BRIDGE asks for bridge ports: there are none. */
	if (err == 0 && !filtered && family != AF_BRIDGE)
		for (int i = 0; i < r->nifs; i++)
			fill_link(r, &b, &r->ifs[i], NLM_F_MULTI);
	return start_dump(r, &b, err, 0);
}

/* rtnl_getlink(): one link, by index or name. */
static int get_link(struct rtnl_req *r)
{
	const struct nlattr *tb[MAX_ATTR];
	if (r->dlen < sizeof(struct ifinfomsg)) {
		r->extack = "Invalid header for get link";
		return -EINVAL;
	}
	struct ifinfomsg ifm;
	memcpy(&ifm, r->data, sizeof ifm);
	bool strict = r->flags & NLF_STRICT_CHK;
	if (strict && (ifm.__ifi_pad || ifm.ifi_type || ifm.ifi_flags || ifm.ifi_change)) {
		r->extack = "Invalid values in header for get link request";
		return -EINVAL;
	}
	int err = parse_attrs(r, sizeof ifm, IFLA_MAX, strict, tb);
	if (err < 0)
		return err;
	for (int i = 0; strict && i <= IFLA_MAX && i < MAX_ATTR; i++) {
		if (tb[i] && i != IFLA_IFNAME && i != IFLA_ALT_IFNAME && i != IFLA_EXT_MASK &&
		    i != IFLA_TARGET_NETNSID) {
			r->extack = "Unsupported attribute in get link request";
			return -EINVAL;
		}
	}
	if (tb[IFLA_TARGET_NETNSID]) {
		r->extack = "Invalid target network namespace id";
		return -EINVAL;
	}
	const struct net_iface *ifc = NULL;
	err = -ENODEV;
	if (ifm.ifi_index > 0)
		ifc = iface_by_index(r, ifm.ifi_index);
	else if (tb[IFLA_IFNAME] || tb[IFLA_ALT_IFNAME])
		ifc = iface_by_name_attr(r, tb[IFLA_IFNAME] ? tb[IFLA_IFNAME] : tb[IFLA_ALT_IFNAME],
					 &err);
	else
		return -EINVAL;
	if (!ifc)
		return err;
	struct nlbuf b = { 0 };
	fill_link(r, &b, ifc, 0);
	if (!b.oom)
		netlink_kernel_reply(r->nlk, b.p, b.len);
	free(b.p);
	return b.oom ? -ENOBUFS : 0;
}

/* --- addresses --------------------------------------------------------------------- */

static bool is_loopback_addr(const struct net_iface_addr *a)
{
	if (a->family == AF_INET)
		return a->addr[0] == 127;
	static const uint8_t one[16] = { [15] = 1 };
	return memcmp(a->addr, one, 16) == 0;
}

/* inet_fill_ifaddr() / inet6_fill_ifaddr() of a permanent address. */
static void fill_addr(struct rtnl_req *r, struct nlbuf *b, const struct net_iface *ifc,
		      const struct net_iface_addr *a, uint16_t flags)
{
	bool v4 = a->family == AF_INET;
	struct ifaddrmsg ifa = {
		.ifa_family = (uint8_t)a->family, .ifa_prefixlen = (uint8_t)a->prefix,
		.ifa_flags = IFA_F_PERMANENT,
		.ifa_scope = is_loopback_addr(a) ? RT_SCOPE_HOST : RT_SCOPE_UNIVERSE,
		.ifa_index = (uint32_t)ifc->index,
	};
	/* Created at boot: permanent lifetimes, no age. */
	struct ifa_cacheinfo ci = { .ifa_prefered = 0xffffffffU, .ifa_valid = 0xffffffffU };
	size_t m = msg_begin(b, RTM_NEWADDR, flags, r->nlh->nlmsg_seq, r->portid, &ifa,
			     sizeof ifa);
	if (v4) {
		static const uint8_t none[4];
		nla_put(b, IFA_ADDRESS, a->addr, 4);
		nla_put(b, IFA_LOCAL, a->addr, 4);
		if (memcmp(a->broadcast, none, 4) != 0)
			nla_put(b, IFA_BROADCAST, a->broadcast, 4);
		nla_str(b, IFA_LABEL, ifc->name);
		nla_u32(b, IFA_FLAGS, IFA_F_PERMANENT);
		nla_put(b, IFA_CACHEINFO, &ci, sizeof ci);
	} else {
		nla_put(b, IFA_ADDRESS, a->addr, 16);
		nla_put(b, IFA_CACHEINFO, &ci, sizeof ci);
		nla_u32(b, IFA_FLAGS, IFA_F_PERMANENT);
		if (is_loopback_addr(a))
			nla_u8(b, IFA_PROTO, IFAPROT_KERNEL_LO);
	}
	msg_end(b, m);
}

/* inet_valid_dump_ifaddr_req() (the IPv6 one says the same without its
 * "ipv4: " prefix): the strict checks, and the ifindex filter. */
static int addr_dump_check(struct rtnl_req *r, int family, int *ifindex)
{
	*ifindex = 0;
	if (!(r->flags & NLF_STRICT_CHK))
		return 0;
	bool v6 = family == AF_INET6;
	if (r->dlen < sizeof(struct ifaddrmsg)) {
		r->extack = v6 ? "Invalid header for address dump request"
			       : "ipv4: Invalid header for address dump request";
		return -EINVAL;
	}
	struct ifaddrmsg ifa;
	memcpy(&ifa, r->data, sizeof ifa);
	if (ifa.ifa_prefixlen || ifa.ifa_flags || ifa.ifa_scope) {
		r->extack = v6 ? "Invalid values in header for address dump request"
			       : "ipv4: Invalid values in header for address dump request";
		return -EINVAL;
	}
	*ifindex = (int)ifa.ifa_index;
	const struct nlattr *tb[MAX_ATTR];
	int err = parse_attrs(r, sizeof ifa, IFA_MAX, true, tb);
	if (err < 0)
		return err;
	for (int i = 0; i <= IFA_MAX && i < MAX_ATTR; i++) {
		if (!tb[i])
			continue;
		if (i == IFA_TARGET_NETNSID)
			r->extack = v6 ? "Invalid target network namespace id"
				       : "ipv4: Invalid target network namespace id";
		else
			r->extack = v6 ? "Unsupported attribute in dump request"
				       : "ipv4: Unsupported attribute in dump request";
		return -EINVAL;
	}
	if (*ifindex && !iface_by_index(r, *ifindex))
		return -ENODEV;
	return 0;
}

static int dump_addrs(struct rtnl_req *r, int family)
{
	/* AF_INET and AF_INET6 have their own dumps; any other family
	 * falls back to the PF_UNSPEC one, which runs both. */
	bool v4 = family != AF_INET6, v6 = family != AF_INET;
	int ifindex;
	int err = addr_dump_check(r, v4 ? AF_INET : AF_INET6, &ifindex);
	uint16_t flags = NLM_F_MULTI | (ifindex ? NLM_F_DUMP_FILTERED : 0);
	struct nlbuf b = { 0 };
	for (int pass = 0; err == 0 && pass < 2; pass++) {
		int want = pass == 0 ? AF_INET : AF_INET6;
		if ((want == AF_INET && !v4) || (want == AF_INET6 && !v6))
			continue;
		for (int i = 0; i < r->nifs; i++) {
			const struct net_iface *ifc = &r->ifs[i];
			if (ifindex && ifc->index != ifindex)
				continue;
			for (int j = 0; j < ifc->naddrs; j++)
				if (ifc->addrs[j].family == want)
					fill_addr(r, &b, ifc, &ifc->addrs[j], flags);
		}
	}
	return start_dump(r, &b, err, ifindex ? NLM_F_DUMP_FILTERED : 0);
}

/* inet6_rtm_getaddr(): one IPv6 address (IPv4 has no such request). */
static int get_addr(struct rtnl_req *r, int family)
{
	if (family != AF_INET6)
		return -EOPNOTSUPP;
	bool strict = r->flags & NLF_STRICT_CHK;
	if (r->dlen < sizeof(struct ifaddrmsg)) {
		if (strict)
			r->extack = "Invalid header for get address request";
		return -EINVAL;
	}
	struct ifaddrmsg ifa;
	memcpy(&ifa, r->data, sizeof ifa);
	if (strict && (ifa.ifa_prefixlen || ifa.ifa_flags || ifa.ifa_scope)) {
		r->extack = "Invalid values in header for get address request";
		return -EINVAL;
	}
	const struct nlattr *tb[MAX_ATTR];
	int err = parse_attrs(r, sizeof ifa, IFA_MAX, strict, tb);
	if (err < 0)
		return err;
	for (int i = 0; strict && i <= IFA_MAX && i < MAX_ATTR; i++) {
		if (tb[i] && i != IFA_ADDRESS && i != IFA_LOCAL) {
			r->extack = "Unsupported attribute in get address request";
			return -EINVAL;
		}
	}
	/* extract_addr(): IFA_LOCAL names the address when both are given. */
	const struct nlattr *a = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (!a || nla_len(a) < 16)
		return -EINVAL;
	const struct net_iface *dev = ifa.ifa_index ? iface_by_index(r, (int)ifa.ifa_index) : NULL;
	for (int i = 0; i < r->nifs; i++) {
		const struct net_iface *ifc = &r->ifs[i];
		if (dev && ifc != dev)
			continue;
		for (int j = 0; j < ifc->naddrs; j++) {
			const struct net_iface_addr *x = &ifc->addrs[j];
			if (x->family != AF_INET6 || memcmp(x->addr, nla_data(a), 16) != 0)
				continue;
			struct nlbuf b = { 0 };
			fill_addr(r, &b, ifc, x, 0);
			if (!b.oom)
				netlink_kernel_reply(r->nlk, b.p, b.len);
			free(b.p);
			return b.oom ? -ENOBUFS : 0;
		}
	}
	return -EADDRNOTAVAIL;
}

/* --- routes -------------------------------------------------------------------------- */

struct route_filter {
	bool set;                       /* filter_set: the messages say NLM_F_DUMP_FILTERED */
	bool none;                      /* RTM_F_CLONED (the route cache) or RTM_F_PREFIX */
	uint32_t table;
	uint8_t type, protocol;
	int oif;
};

/* fib_dump_info() / rt6_fill_node() of a FIB entry. */
static void fill_route(struct rtnl_req *r, struct nlbuf *b, const struct net_route *rt,
		       uint16_t flags)
{
	bool v4 = rt->family == AF_INET;
	size_t alen = v4 ? 4 : 16;
	uint32_t table = rt->local ? RT_TABLE_LOCAL : RT_TABLE_MAIN;
	struct rtmsg rtm = {
		.rtm_family = (uint8_t)rt->family, .rtm_dst_len = (uint8_t)rt->dst_len,
		.rtm_table = (uint8_t)table, .rtm_protocol = rt->protocol,
		.rtm_scope = rt->scope, .rtm_type = rt->type,
	};
	size_t m = msg_begin(b, RTM_NEWROUTE, flags, r->nlh->nlmsg_seq, r->portid, &rtm,
			     sizeof rtm);
	nla_u32(b, RTA_TABLE, table);
	if (rt->dst_len)
		nla_put(b, RTA_DST, rt->dst, alen);
	if (v4) {
		static const uint8_t none[4];
		if (rt->metric)
			nla_u32(b, RTA_PRIORITY, rt->metric);
		if (memcmp(rt->prefsrc, none, 4) != 0)
			nla_put(b, RTA_PREFSRC, rt->prefsrc, 4);
	} else {
		nla_u32(b, RTA_PRIORITY, rt->metric);
	}
	if (rt->has_gateway)
		nla_put(b, RTA_GATEWAY, rt->gateway, alen);
	nla_u32(b, RTA_OIF, (uint32_t)rt->oif);
	if (!v4) {
		struct rta_cacheinfo ci = { 0 };
		nla_put(b, RTA_CACHEINFO, &ci, sizeof ci);
		nla_u8(b, RTA_PREF, 0);   /* ICMPV6_ROUTER_PREF_MEDIUM */
	}
	msg_end(b, m);
}

/* ip_valid_fib_dump_req(). */
static int route_dump_check(struct rtnl_req *r, struct route_filter *f)
{
	memset(f, 0, sizeof *f);
	struct rtmsg rtm;
	if (!(r->flags & NLF_STRICT_CHK)) {
		if (r->dlen >= sizeof rtm) {
			memcpy(&rtm, r->data, sizeof rtm);
			f->none = rtm.rtm_flags & (RTM_F_CLONED | RTM_F_PREFIX);
		}
		return 0;
	}
	if (r->dlen < sizeof rtm) {
		r->extack = "Invalid header for FIB dump request";
		return -EINVAL;
	}
	memcpy(&rtm, r->data, sizeof rtm);
	if (rtm.rtm_dst_len || rtm.rtm_src_len || rtm.rtm_tos || rtm.rtm_scope) {
		r->extack = "Invalid values in header for FIB dump request";
		return -EINVAL;
	}
	if (rtm.rtm_flags & ~(unsigned)(RTM_F_CLONED | RTM_F_PREFIX)) {
		r->extack = "Invalid flags for FIB dump request";
		return -EINVAL;
	}
	f->none = rtm.rtm_flags != 0;
	f->protocol = rtm.rtm_protocol;
	f->type = rtm.rtm_type;
	f->table = rtm.rtm_table;
	const struct nlattr *tb[MAX_ATTR];
	int err = parse_attrs(r, sizeof rtm, RTA_MAX, true, tb);
	if (err < 0)
		return err;
	for (int i = 0; i <= RTA_MAX && i < MAX_ATTR; i++) {
		if (!tb[i])
			continue;
		uint32_t v = 0;
		nla_get_u32(tb[i], &v);
		switch (i) {
		case RTA_TABLE:
			f->table = v;
			break;
		case RTA_OIF:
			if (!iface_by_index(r, (int)v))
				return -ENODEV;
			f->oif = (int)v;
			break;
		default:
			r->extack = "Unsupported attribute in dump request";
			return -EINVAL;
		}
	}
	f->set = rtm.rtm_flags || f->protocol || f->type || f->table || f->oif;
	return 0;
}

static bool route_matches(const struct net_route *rt, const struct route_filter *f)
{
	uint32_t table = rt->local ? RT_TABLE_LOCAL : RT_TABLE_MAIN;
	if (f->table && f->table != table)
		return false;
	if (f->type && f->type != rt->type)
		return false;
	if (f->protocol && f->protocol != rt->protocol)
		return false;
	return !f->oif || f->oif == rt->oif;
}

static int dump_routes(struct rtnl_req *r, int family)
{
	/* IPv4 and IPv6 have their own dumps; IPMR/IP6MR (multicast
	 * routing caches) are empty; anything else runs both. */
	struct route_filter f;
	int err = route_dump_check(r, &f);
	bool v4 = family != AF_INET6, v6 = family != AF_INET;
	if (family == RTNL_FAMILY_IPMR || family == RTNL_FAMILY_IP6MR)
		v4 = v6 = false;
	/* Only tables main and local exist: asking one family for another
	 * is ENOENT, the both-families dump skips it. */
	if (err == 0 && f.table && f.table != RT_TABLE_MAIN && f.table != RT_TABLE_LOCAL &&
	    v4 != v6) {
		r->extack = v4 ? "ipv4: FIB table does not exist" : "FIB table does not exist";
		err = -ENOENT;
	}
	uint16_t flags = NLM_F_MULTI | (f.set ? NLM_F_DUMP_FILTERED : 0);
	struct nlbuf b = { 0 };
	for (int pass = 0; err == 0 && !f.none && pass < 2; pass++) {
		int want = pass == 0 ? AF_INET : AF_INET6;
		if ((want == AF_INET && !v4) || (want == AF_INET6 && !v6))
			continue;
		for (int i = 0; i < r->nroutes; i++)
			if (r->routes[i].family == want && route_matches(&r->routes[i], &f))
				fill_route(r, &b, &r->routes[i], flags);
	}
	return start_dump(r, &b, err, f.set ? NLM_F_DUMP_FILTERED : 0);
}

/* --- rules ------------------------------------------------------------------------------ */

/* The policy routing rules Linux starts with (fib_default_rules_init):
 * IPv4 "0: from all lookup local", "32766: from all lookup main",
 * "32767: from all lookup default"; IPv6 the first two. */
static void fill_rule(struct rtnl_req *r, struct nlbuf *b, int family, uint32_t pref,
		      uint32_t table)
{
	struct fib_rule_hdr frh = { .family = (uint8_t)family, .table = (uint8_t)table,
				    .action = FR_ACT_TO_TBL };
	size_t m = msg_begin(b, RTM_NEWRULE, NLM_F_MULTI, r->nlh->nlmsg_seq, r->portid, &frh,
			     sizeof frh);
	nla_u32(b, FRA_TABLE, table);
	nla_u32(b, FRA_SUPPRESS_PREFIXLEN, 0xffffffffU);
	nla_u8(b, FRA_PROTOCOL, RTPROT_KERNEL);
	if (pref)
		nla_u32(b, FRA_PRIORITY, pref);
	msg_end(b, m);
}

/* fib_nl_dumprule(). */
static int dump_rules(struct rtnl_req *r, int family)
{
	int err = 0;
	if (r->flags & NLF_STRICT_CHK) {
		struct fib_rule_hdr frh;
		if (r->dlen < sizeof frh) {
			r->extack = "Invalid header for fib rule dump request";
			err = -EINVAL;
		} else {
			memcpy(&frh, r->data, sizeof frh);
			if (frh.dst_len || frh.src_len || frh.tos || frh.table || frh.res1 ||
			    frh.res2 || frh.action || frh.flags) {
				r->extack = "Invalid values in header for fib rule dump request";
				err = -EINVAL;
			} else if (r->dlen > NLMSG_ALIGN(sizeof frh)) {
				r->extack = "Invalid data after header in fib rule dump request";
				err = -EINVAL;
			}
		}
	}
	if (err == 0 && family != AF_UNSPEC && family != AF_INET && family != AF_INET6)
		err = -EAFNOSUPPORT;
	struct nlbuf b = { 0 };
	if (err == 0 && family != AF_INET6) {
		fill_rule(r, &b, AF_INET, 0, RT_TABLE_LOCAL);
		fill_rule(r, &b, AF_INET, 0x7ffe, RT_TABLE_MAIN);
		fill_rule(r, &b, AF_INET, 0x7fff, RT_TABLE_DEFAULT);
	}
	if (err == 0 && family != AF_INET) {
		fill_rule(r, &b, AF_INET6, 0, RT_TABLE_LOCAL);
		fill_rule(r, &b, AF_INET6, 0x7ffe, RT_TABLE_MAIN);
	}
	return start_dump(r, &b, err, 0);
}

/* --- dispatch -------------------------------------------------------------------------- */

/* rtnetlink_rcv_msg(): one request; -EINTR when a dump answers it. */
static int rcv_msg(struct rtnl_req *r)
{
	int type = r->nlh->nlmsg_type;
	if (type > RTM_MAX)
		return -EOPNOTSUPP;
	if (r->dlen < sizeof(struct rtgenmsg))
		return 0;   /* "All the messages must have at least 1 byte length" */
	int family = ((const struct rtgenmsg *)r->data)->rtgen_family;
	int kind = (type - RTM_BASE) & 3;   /* NEW, DEL, GET, SET */
	if (kind != 2)
		return -EPERM;   /* the sandbox's network is not the guest's to change */
	bool dump = r->nlh->nlmsg_flags & NLM_F_DUMP;
	switch (type) {
	case RTM_GETLINK:
		return dump ? dump_links(r, family) : get_link(r);
	case RTM_GETADDR:
		return dump ? dump_addrs(r, family) : get_addr(r, family);
	case RTM_GETROUTE:
		return dump ? dump_routes(r, family) : -EOPNOTSUPP;
	case RTM_GETRULE:
		return dump ? dump_rules(r, family) : -EOPNOTSUPP;
	default:
		if (!dump)
			return -EOPNOTSUPP;
		struct nlbuf none = { 0 };
		return start_dump(r, &none, 0, 0);
	}
}

void rtnetlink_rcv(struct netlink_sock *nlk, struct task *t, const uint8_t *data, size_t len)
{
	struct rtnl_req *r = calloc(1, sizeof *r);
	if (!r)
		return;   /* the request is lost, as an skb the kernel could not take */
	enum net_mode mode = t->k->opts.net.mode;
	r->nlk = nlk;
	r->portid = nlk->portid;
	r->flags = atomic_load(&nlk->flags);
	r->nifs = netconf_ifaces(mode, r->ifs, NETCONF_MAX_IFACES);
	r->nroutes = netconf_routes(mode, r->routes, NETCONF_MAX_ROUTES);

	/* netlink_rcv_skb(). */
	size_t off = 0;
	while (len - off >= NLMSG_HDRLEN) {
		struct nlmsghdr h;
		memcpy(&h, data + off, sizeof h);
		if (h.nlmsg_len < NLMSG_HDRLEN || len - off < h.nlmsg_len)
			break;
		r->nlh = (const struct nlmsghdr *)(data + off);
		r->data = data + off + NLMSG_HDRLEN;
		r->dlen = h.nlmsg_len - NLMSG_HDRLEN;
		r->extack = NULL;
		int err = 0;
		if ((h.nlmsg_flags & NLM_F_REQUEST) && h.nlmsg_type >= NLMSG_MIN_TYPE)
			err = rcv_msg(r);
		if (err != -EINTR && ((h.nlmsg_flags & NLM_F_ACK) || err))
			send_ack(r, err);
		size_t msglen = NLMSG_ALIGN(h.nlmsg_len);
		off += msglen < len - off ? msglen : len - off;
	}
	free(r);
}
