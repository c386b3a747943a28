/* The sandbox's network as the guest sees it: fixed addresses, the
 * interface and route tables that netlink (RTM_GETLINK/GETADDR/GETROUTE),
 * /etc/hosts and /etc/resolv.conf report, and that the netstack configures
 * lwIP with.  One table, so that they always agree.
 *
 *   lo    127.0.0.1/8, ::1/128                        always
 *   eth0  10.0.2.100/24, fd53:6e74::100/64, MAC 02:53:4e:54:52:59
 *         gateway 10.0.2.2 / fd53:6e74::2 (slirp, MAC 52:55:0a:00:02:02)
 *         DNS     10.0.2.3 / fd53:6e74::3 (slirp's resolver)  unless NET_NONE
 */
#ifndef NETSTACK_NETCONF_H
#define NETSTACK_NETCONF_H

#include <stdbool.h>
#include <stdint.h>

#include "netstack/policy.h"

#define NETCONF_V4_NET      "10.0.2.0"
#define NETCONF_V4_PREFIX   24
#define NETCONF_V4_ADDR     "10.0.2.100"
#define NETCONF_V4_GATEWAY  "10.0.2.2"
#define NETCONF_V4_DNS      "10.0.2.3"
#define NETCONF_V6_PREFIX_ADDR "fd53:6e74::"
#define NETCONF_V6_PREFIX   64
#define NETCONF_V6_ADDR     "fd53:6e74::100"
#define NETCONF_V6_GATEWAY  "fd53:6e74::2"
#define NETCONF_V6_DNS      "fd53:6e74::3"
/* eth0's MTU: slirp's largest (as slirp4netns --mtu=65520), so that a TCP
 * segment crosses the link to the proxy, and slirp, in one piece. */
#define NETCONF_MTU         65520
#define NETCONF_LO_MTU      65536

/* The guest's eth0 MAC (locally administered). */
extern const uint8_t netconf_eth0_mac[6];

#define NETCONF_IF_LO   1
#define NETCONF_IF_ETH0 2

struct net_iface_addr {
	int family;                /* AF_INET / AF_INET6 */
	uint8_t addr[16];
	int prefix;
	uint8_t broadcast[4];      /* AF_INET: the subnet broadcast (lo: none, zero) */
};

struct net_iface {
	int index;                 /* NETCONF_IF_* */
	const char *name;          /* "lo", "eth0" */
	unsigned flags;            /* IFF_UP | IFF_RUNNING | IFF_LOOPBACK ... */
	int mtu;
	int arphrd;                /* ARPHRD_LOOPBACK / ARPHRD_ETHER */
	uint8_t mac[6];            /* lo: zero */
	uint8_t brd_mac[6];        /* eth0: ff:ff:ff:ff:ff:ff */
	struct net_iface_addr addrs[2];
	int naddrs;
};

struct net_route {
	int family;
	uint8_t dst[16];
	int dst_len;               /* 0: default route */
	bool has_gateway;
	uint8_t gateway[16];
	int oif;                   /* NETCONF_IF_* */
	uint8_t prefsrc[16];       /* AF_INET: the source for this route (0: none) */
	bool local;                /* RTN_LOCAL in table local (255) */
	/* How netlink reports the route (additive, netconf.c fills them as
	 * Linux has them): RTN_UNICAST/LOCAL/BROADCAST/MULTICAST,
	 * RTPROT_KERNEL/BOOT, RT_SCOPE_*, and the metric (RTA_PRIORITY; 0:
	 * none for IPv4). */
	uint8_t type, protocol, scope;
	uint32_t metric;
};

/* The sandbox's interfaces and routes (eth0 and its routes exist only when
 * the network is not NET_NONE).  Returns how many were written (at most
 * max). */
int netconf_ifaces(enum net_mode mode, struct net_iface *out, int max);
int netconf_routes(enum net_mode mode, struct net_route *out, int max);
/* Upper bounds of the two tables (additive). */
#define NETCONF_MAX_IFACES 2
#define NETCONF_MAX_ROUTES 16

/* The contents of the sandbox's /etc/hosts and /etc/resolv.conf (static
 * strings built for the mode and the host name): what the sentry serves at
 * those paths.  NULL if out of memory; the caller frees. */
char *netconf_etc_hosts(enum net_mode mode, const char *hostname);
char *netconf_resolv_conf(enum net_mode mode);

#endif
