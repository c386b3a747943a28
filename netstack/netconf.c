/* The sandbox's network configuration as the guest sees it (netconf.h):
 * one table of interfaces and routes, from which netlink, the interface
 * ioctls, /etc/hosts and /etc/resolv.conf all answer.
 *
 * The routes are those Linux itself would hold for these two interfaces
 * once their addresses are set and the default routes added (what `ip
 * route show table all` prints on such a machine): the prefix routes and
 * the local/broadcast routes of table local are the kernel's own (proto
 * kernel), the default routes are "static" (proto boot).  No IPv6
 * link-local address (fe80::/64) is configured.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netstack/netconf.h"

#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000   /* <linux/if.h>, which clashes with <net/if.h> */
#endif

const uint8_t netconf_eth0_mac[6] = { 0x02, 0x53, 0x4e, 0x54, 0x52, 0x59 };

/* The address text of netconf.h into bytes (the macros are constants:
 * a failure is a bug in the header, not a runtime condition). */
static void addr(int family, const char *text, uint8_t *out)
{
	if (inet_pton(family, text, out) != 1)
		abort();
}

static void iface_addr(struct net_iface *ifc, int family, const char *text, int prefix,
		       const char *brd)
{
	struct net_iface_addr *a = &ifc->addrs[ifc->naddrs++];
	memset(a, 0, sizeof *a);
	a->family = family;
	addr(family, text, a->addr);
	a->prefix = prefix;
	if (brd)
		addr(AF_INET, brd, a->broadcast);
}

int netconf_ifaces(enum net_mode mode, struct net_iface *out, int max)
{
	struct net_iface all[NETCONF_MAX_IFACES];
	memset(all, 0, sizeof all);
	int n = 0;

	struct net_iface *lo = &all[n++];
	lo->index = NETCONF_IF_LO;
	lo->name = "lo";
	lo->flags = IFF_UP | IFF_LOOPBACK | IFF_RUNNING | IFF_LOWER_UP;
	lo->mtu = NETCONF_LO_MTU;
	lo->arphrd = ARPHRD_LOOPBACK;
	iface_addr(lo, AF_INET, "127.0.0.1", 8, NULL);
	iface_addr(lo, AF_INET6, "::1", 128, NULL);

	if (mode != NET_NONE) {
		struct net_iface *eth = &all[n++];
		eth->index = NETCONF_IF_ETH0;
		eth->name = "eth0";
		eth->flags = IFF_UP | IFF_BROADCAST | IFF_RUNNING | IFF_MULTICAST | IFF_LOWER_UP;
		eth->mtu = NETCONF_MTU;
		eth->arphrd = ARPHRD_ETHER;
		memcpy(eth->mac, netconf_eth0_mac, 6);
		memset(eth->brd_mac, 0xff, 6);
		iface_addr(eth, AF_INET, NETCONF_V4_ADDR, NETCONF_V4_PREFIX, "10.0.2.255");
		iface_addr(eth, AF_INET6, NETCONF_V6_ADDR, NETCONF_V6_PREFIX, NULL);
	}
	if (n > max)
		n = max < 0 ? 0 : max;
	memcpy(out, all, (size_t)n * sizeof *out);
	return n;
}

/* One route; gw and src may be NULL. */
static void route(struct net_route *r, int family, const char *dst, int dst_len,
		  const char *gw, int oif, const char *src, bool local, uint8_t type,
		  uint8_t protocol, uint8_t scope, uint32_t metric)
{
	memset(r, 0, sizeof *r);
	r->family = family;
	addr(family, dst, r->dst);
	r->dst_len = dst_len;
	if (gw) {
		r->has_gateway = true;
		addr(family, gw, r->gateway);
	}
	r->oif = oif;
	if (src)
		addr(family, src, r->prefsrc);
	r->local = local;
	r->type = type;
	r->protocol = protocol;
	r->scope = scope;
	r->metric = metric;
}

int netconf_routes(enum net_mode mode, struct net_route *out, int max)
{
	struct net_route all[NETCONF_MAX_ROUTES];
	bool eth = mode != NET_NONE;
	const int lo = NETCONF_IF_LO, e0 = NETCONF_IF_ETH0;
	int n = 0;

	/* IPv4: table main, then table local (in address order, as the
	 * kernel's trie dumps them). */
	if (eth) {
		route(&all[n++], AF_INET, "0.0.0.0", 0, NETCONF_V4_GATEWAY, e0, NULL, false,
		      RTN_UNICAST, RTPROT_BOOT, RT_SCOPE_UNIVERSE, 0);
		route(&all[n++], AF_INET, NETCONF_V4_NET, NETCONF_V4_PREFIX, NULL, e0,
		      NETCONF_V4_ADDR, false, RTN_UNICAST, RTPROT_KERNEL, RT_SCOPE_LINK, 0);
		route(&all[n++], AF_INET, NETCONF_V4_ADDR, 32, NULL, e0, NETCONF_V4_ADDR, true,
		      RTN_LOCAL, RTPROT_KERNEL, RT_SCOPE_HOST, 0);
		route(&all[n++], AF_INET, "10.0.2.255", 32, NULL, e0, NETCONF_V4_ADDR, true,
		      RTN_BROADCAST, RTPROT_KERNEL, RT_SCOPE_LINK, 0);
	}
	route(&all[n++], AF_INET, "127.0.0.0", 8, NULL, lo, "127.0.0.1", true, RTN_LOCAL,
	      RTPROT_KERNEL, RT_SCOPE_HOST, 0);
	route(&all[n++], AF_INET, "127.0.0.1", 32, NULL, lo, "127.0.0.1", true, RTN_LOCAL,
	      RTPROT_KERNEL, RT_SCOPE_HOST, 0);
	route(&all[n++], AF_INET, "127.255.255.255", 32, NULL, lo, "127.0.0.1", true,
	      RTN_BROADCAST, RTPROT_KERNEL, RT_SCOPE_LINK, 0);

	/* IPv6: table main, then table local. */
	route(&all[n++], AF_INET6, "::1", 128, NULL, lo, NULL, false, RTN_UNICAST,
	      RTPROT_KERNEL, RT_SCOPE_UNIVERSE, 256);
	if (eth) {
		route(&all[n++], AF_INET6, NETCONF_V6_PREFIX_ADDR, NETCONF_V6_PREFIX, NULL, e0,
		      NULL, false, RTN_UNICAST, RTPROT_KERNEL, RT_SCOPE_UNIVERSE, 256);
		route(&all[n++], AF_INET6, "::", 0, NETCONF_V6_GATEWAY, e0, NULL, false,
		      RTN_UNICAST, RTPROT_BOOT, RT_SCOPE_UNIVERSE, 1024);
	}
	route(&all[n++], AF_INET6, "::1", 128, NULL, lo, NULL, true, RTN_LOCAL, RTPROT_KERNEL,
	      RT_SCOPE_UNIVERSE, 0);
	if (eth) {
		route(&all[n++], AF_INET6, NETCONF_V6_ADDR, 128, NULL, e0, NULL, true, RTN_LOCAL,
		      RTPROT_KERNEL, RT_SCOPE_UNIVERSE, 0);
		route(&all[n++], AF_INET6, "ff00::", 8, NULL, e0, NULL, true, RTN_MULTICAST,
		      RTPROT_KERNEL, RT_SCOPE_UNIVERSE, 256);
	}
	if (n > max)
		n = max < 0 ? 0 : max;
	memcpy(out, all, (size_t)n * sizeof *out);
	return n;
}

/* A host name that can stand in /etc/hosts: one non-empty token of the
 * characters host names are made of. */
static bool hostname_ok(const char *h)
{
	if (!h || !*h || strlen(h) > 253)
		return false;
	for (const char *p = h; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_'))
			return false;
	return true;
}

/* Docker's layout, with the sandbox's own address for the host name
 * (Debian's 127.0.1.1 when there is no network). */
char *netconf_etc_hosts(enum net_mode mode, const char *hostname)
{
	char *s = NULL;
	const char *self = mode == NET_NONE ? "127.0.1.1" : NETCONF_V4_ADDR;
	bool named = hostname_ok(hostname);
	int r = asprintf(&s,
			 "127.0.0.1\tlocalhost\n"
			 "::1\tlocalhost ip6-localhost ip6-loopback\n"
			 "fe00::0\tip6-localnet\n"
			 "ff00::0\tip6-mcastprefix\n"
			 "ff02::1\tip6-allnodes\n"
			 "ff02::2\tip6-allrouters\n"
			 "%s%s%s%s",
			 named ? self : "", named ? "\t" : "", named ? hostname : "",
			 named ? "\n" : "");
	return r < 0 ? NULL : s;
}

char *netconf_resolv_conf(enum net_mode mode)
{
	if (mode == NET_NONE)
		return strdup("# The sandbox has no network (--network=none): no name server.\n");
	return strdup("nameserver " NETCONF_V4_DNS "\n"
		      "nameserver " NETCONF_V6_DNS "\n");
}
