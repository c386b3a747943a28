/* The sandbox's network policy: what the user asked for (CLI flags, later
 * the OCI annotations), and the one function that decides whether an
 * outbound packet may leave.  The sentry applies it at connect/sendto (so
 * that the guest gets its errno at once) and again on every packet lwIP
 * puts on eth0; the egress proxy applies it a third time on every frame it
 * receives, plus its own deny list of the host's addresses.
 *
 * Pure functions, no global state: unit-tested in tests/unit/test_policy.c.
 */
#ifndef NETSTACK_POLICY_H
#define NETSTACK_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

enum net_mode {
	NET_SANDBOX = 0,    /* default: outbound through user-mode NAT, no inbound */
	NET_NONE,           /* --network=none / --block-network: loopback only */
};

/* One range of --cidr-allow: AF_INET (addr[0..3]) or AF_INET6. */
struct net_cidr {
	int family;
	uint8_t addr[16];   /* network order; bits past prefix are zero */
	int prefix;         /* 0..32 or 0..128 */
};

/* One published port: -p / --tls-publish [HOSTIP:]HOSTPORT:GUESTPORT. */
struct net_publish {
	bool tls;
	int host_family;          /* AF_INET or AF_INET6 */
	uint8_t host_addr[16];    /* default 127.0.0.1 */
	uint16_t host_port;       /* host order; 1..65535 */
	uint16_t guest_port;      /* host order; 1..65535 */
};

struct net_policy {
	enum net_mode mode;
	/* --cidr-allow given: outbound only to these ranges (nallow may be 0
	 * only if has_allowlist is false). */
	bool has_allowlist;
	struct net_cidr *allow;
	size_t nallow;
	/* The sandbox resolver (10.0.2.3 / fd53:6e74::3) forwards DNS queries:
	 * true by default without an allowlist; with one, only with
	 * --allow-dns. */
	bool dns_allowed;
	struct net_publish *publish;
	size_t npublish;
	const char *tls_cert, *tls_key;   /* PEM files; NULL: self-signed at start */
	const char *tunnels_json;         /* --tunnels-json FILE, or NULL */
};

/* "10.0.0.0/8", "192.168.1.7" (/32), "2001:db8::/32", "::1" (/128).
 * 0 or -EINVAL (bad address, prefix out of range, junk). */
int net_cidr_parse(const char *s, struct net_cidr *out);
/* Does the address (4 or 16 bytes, network order) fall in the range?  An
 * IPv4-mapped IPv6 address (::ffff:a.b.c.d) is tested as IPv4. */
bool net_cidr_contains(const struct net_cidr *c, int family, const uint8_t *addr);

/* "[HOSTIP:]HOSTPORT:GUESTPORT"; HOSTIP may be an IPv6 address in
 * brackets.  0 or -EINVAL. */
int net_publish_parse(const char *s, bool tls, struct net_publish *out);

/* Transport of an outbound packet, for the checks below. */
enum net_proto { NET_PROTO_TCP = 6, NET_PROTO_UDP = 17, NET_PROTO_ICMP = 1,
		 NET_PROTO_ICMPV6 = 58 };

/* May the guest send to this destination, from a socket, leaving the
 * sandbox by eth0?  (Loopback destinations never get here.)  The full
 * rules are at the top of policy.c; in short:
 *   0             allowed
 *   -ENETUNREACH  network blocked (NET_NONE); 0.0.0.0/8, ::, 127/8, ::1,
 *                 multicast and link-local are not routable out of eth0
 *   -EACCES       broadcast (Linux's answer without SO_BROADCAST)
 *   -ECONNREFUSED outside the allowlist (what an iptables REJECT gives a
 *                 connect or a connected send); the gateway and the rest of
 *                 eth0's subnets (slirp maps them to the host); DNS to the
 *                 resolver when DNS is not allowed
 * family/addr: AF_INET (4 bytes) or AF_INET6 (16 bytes, mapped IPv4 is
 * judged as IPv4); port in host order (0 for ICMP). */
int net_policy_check(const struct net_policy *p, int family, const uint8_t *addr,
		     enum net_proto proto, uint16_t port);

/* The same decision for one Ethernet frame about to leave the sandbox on
 * eth0 (sentry) or about to enter slirp (proxy).  ARP, and the IPv6
 * neighbour discovery/MLD that the link needs (to the gateway, to
 * solicited-node and all-routers multicast), pass; any other IPv4/IPv6
 * packet is judged by net_policy_check on its destination (and on its
 * source: it must be the sandbox's own address); everything else
 * (other ethertypes, truncated headers) is dropped.  true: let it pass. */
bool net_policy_frame_ok(const struct net_policy *p, const uint8_t *frame, size_t len);

void net_policy_free(struct net_policy *p);

#endif
