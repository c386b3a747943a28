/* The network policy (netstack/policy.c): parsing of --cidr-allow and -p /
 * --tls-publish, the per-destination decision, and the per-frame gate. */
#include "netstack/policy.h"

#include "netstack/netconf.h"

#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* --- helpers ------------------------------------------------------------------- */

static void v4(const char *s, uint8_t out[4])
{
	cr_assert_eq(inet_pton(AF_INET, s, out), 1, "%s", s);
}

static void v6(const char *s, uint8_t out[16])
{
	cr_assert_eq(inet_pton(AF_INET6, s, out), 1, "%s", s);
}

/* net_policy_check on an address given as text (v4 or v6). */
static int check(const struct net_policy *p, const char *addr, enum net_proto proto,
		 uint16_t port)
{
	uint8_t a[16];
	if (strchr(addr, ':')) {
		v6(addr, a);
		return net_policy_check(p, AF_INET6, a, proto, port);
	}
	v4(addr, a);
	return net_policy_check(p, AF_INET, a, proto, port);
}

static struct net_policy sandbox(void)
{
	return (struct net_policy){ .mode = NET_SANDBOX, .dns_allowed = true };
}

static struct net_cidr allow_ranges[4];

/* An allowlist policy over the given ranges (at most 4). */
static struct net_policy allowlist(const char *const *cidrs, size_t n, bool dns)
{
	cr_assert_leq(n, 4);
	for (size_t i = 0; i < n; i++)
		cr_assert_eq(net_cidr_parse(cidrs[i], &allow_ranges[i]), 0, "%s", cidrs[i]);
	return (struct net_policy){ .mode = NET_SANDBOX, .has_allowlist = true,
				    .allow = allow_ranges, .nallow = n, .dns_allowed = dns };
}

/* --- net_cidr_parse --------------------------------------------------------------- */

Test(cidr, parses_ipv4)
{
	struct net_cidr c;
	cr_assert_eq(net_cidr_parse("10.0.0.0/8", &c), 0);
	cr_assert_eq(c.family, AF_INET);
	cr_assert_eq(c.prefix, 8);
	cr_assert_eq(c.addr[0], 10);
	cr_assert_eq(net_cidr_parse("192.168.1.7", &c), 0);
	cr_assert_eq(c.prefix, 32);
	cr_assert_eq(c.addr[3], 7);
	cr_assert_eq(net_cidr_parse("0.0.0.0/0", &c), 0);
	cr_assert_eq(c.prefix, 0);
	cr_assert_eq(net_cidr_parse("1.2.3.4/32", &c), 0);
	cr_assert_eq(c.prefix, 32);
}

Test(cidr, masks_host_bits)
{
	struct net_cidr c;
	cr_assert_eq(net_cidr_parse("192.168.1.7/24", &c), 0);
	uint8_t want[4] = { 192, 168, 1, 0 };
	cr_assert_arr_eq(c.addr, want, 4);
	cr_assert_eq(net_cidr_parse("10.255.255.255/9", &c), 0);
	uint8_t want9[4] = { 10, 128, 0, 0 };
	cr_assert_arr_eq(c.addr, want9, 4);
	cr_assert_eq(net_cidr_parse("2001:db8:ffff::1/33", &c), 0);
	uint8_t want6[16];
	v6("2001:db8:8000::", want6);
	cr_assert_arr_eq(c.addr, want6, 16);
}

Test(cidr, parses_ipv6)
{
	struct net_cidr c;
	cr_assert_eq(net_cidr_parse("2001:db8::/32", &c), 0);
	cr_assert_eq(c.family, AF_INET6);
	cr_assert_eq(c.prefix, 32);
	cr_assert_eq(net_cidr_parse("::1", &c), 0);
	cr_assert_eq(c.prefix, 128);
	cr_assert_eq(c.addr[15], 1);
	cr_assert_eq(net_cidr_parse("::/0", &c), 0);
	cr_assert_eq(c.prefix, 0);
	cr_assert_eq(net_cidr_parse("fd13::2/128", &c), 0);
}

Test(cidr, mapped_range_becomes_ipv4)
{
	struct net_cidr c;
	cr_assert_eq(net_cidr_parse("::ffff:10.0.0.0/104", &c), 0);
	cr_assert_eq(c.family, AF_INET);
	cr_assert_eq(c.prefix, 8);
	cr_assert_eq(c.addr[0], 10);
	cr_assert_eq(net_cidr_parse("::ffff:1.2.3.4", &c), 0);
	cr_assert_eq(c.family, AF_INET);
	cr_assert_eq(c.prefix, 32);
	/* A shorter prefix covers more than mapped space: stays IPv6. */
	cr_assert_eq(net_cidr_parse("::ffff:0:0/95", &c), 0);
	cr_assert_eq(c.family, AF_INET6);
}

Test(cidr, rejects_junk)
{
	static const char *const bad[] = {
		"", "/", "/8", "10.0.0.0/", "10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/+8",
		"10.0.0.0/8/8", "10.0.0.0/ 8", " 10.0.0.0/8", "10.0.0.0/8 ", "10.0.0/8", "10/8",
		"10.0.0.256", "10.0.0.0.0", "1.2.3.4x", "::/129", "::1/1000", "2001:db8::/",
		"2001:db8:::/32", "[::1]/128", "fe80::1%eth0", "localhost", "example.com/24",
		"0x0a000000/8", "10.0.0.0/0x8", "12345678901234567890123456789012345678901234567890",
		"::ffff:1.2.3.4/200",
	};
	struct net_cidr c;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		cr_expect_eq(net_cidr_parse(bad[i], &c), -EINVAL, "accepted \"%s\"", bad[i]);
	cr_expect_eq(net_cidr_parse(NULL, &c), -EINVAL);
}

Test(cidr, contains)
{
	struct net_cidr c;
	uint8_t a[16];
	cr_assert_eq(net_cidr_parse("10.1.0.0/16", &c), 0);
	v4("10.1.255.3", a);
	cr_assert(net_cidr_contains(&c, AF_INET, a));
	v4("10.2.0.1", a);
	cr_assert_not(net_cidr_contains(&c, AF_INET, a));
	v6("::ffff:10.1.2.3", a);
	cr_assert(net_cidr_contains(&c, AF_INET6, a), "mapped is tested as IPv4");
	v6("::ffff:10.2.2.3", a);
	cr_assert_not(net_cidr_contains(&c, AF_INET6, a));
	v6("2001:db8::1", a);
	cr_assert_not(net_cidr_contains(&c, AF_INET6, a));

	cr_assert_eq(net_cidr_parse("2001:db8::/32", &c), 0);
	v6("2001:db8:1::5", a);
	cr_assert(net_cidr_contains(&c, AF_INET6, a));
	v6("2001:db9::5", a);
	cr_assert_not(net_cidr_contains(&c, AF_INET6, a));
	v4("32.1.13.184", a);
	cr_assert_not(net_cidr_contains(&c, AF_INET, a));

	cr_assert_eq(net_cidr_parse("::/0", &c), 0);
	v6("::ffff:1.2.3.4", a);
	cr_assert_not(net_cidr_contains(&c, AF_INET6, a), "::/0 does not cover IPv4");
	cr_assert_eq(net_cidr_parse("0.0.0.0/0", &c), 0);
	cr_assert(net_cidr_contains(&c, AF_INET6, a));

	cr_assert_eq(net_cidr_parse("10.0.0.0/9", &c), 0);
	v4("10.127.0.1", a);
	cr_assert(net_cidr_contains(&c, AF_INET, a));
	v4("10.128.0.1", a);
	cr_assert_not(net_cidr_contains(&c, AF_INET, a));
	cr_assert_not(net_cidr_contains(&c, AF_UNIX, a));
}

/* --- net_publish_parse ------------------------------------------------------------------ */

Test(publish, parses_forms)
{
	struct net_publish p;
	cr_assert_eq(net_publish_parse("8080:80", false, &p), 0);
	cr_assert_not(p.tls);
	cr_assert_eq(p.host_family, AF_INET);
	uint8_t lo[4] = { 127, 0, 0, 1 };
	cr_assert_arr_eq(p.host_addr, lo, 4);
	cr_assert_eq(p.host_port, 8080);
	cr_assert_eq(p.guest_port, 80);

	cr_assert_eq(net_publish_parse("0.0.0.0:8443:12345", true, &p), 0);
	cr_assert(p.tls);
	cr_assert_eq(p.host_family, AF_INET);
	uint8_t any[4] = { 0 };
	cr_assert_arr_eq(p.host_addr, any, 4);
	cr_assert_eq(p.host_port, 8443);
	cr_assert_eq(p.guest_port, 12345);

	cr_assert_eq(net_publish_parse("[::1]:8443:443", true, &p), 0);
	cr_assert_eq(p.host_family, AF_INET6);
	uint8_t l6[16];
	v6("::1", l6);
	cr_assert_arr_eq(p.host_addr, l6, 16);
	cr_assert_eq(p.host_port, 8443);
	cr_assert_eq(p.guest_port, 443);

	cr_assert_eq(net_publish_parse("1:65535", false, &p), 0);
	cr_assert_eq(p.host_port, 1);
	cr_assert_eq(p.guest_port, 65535);
	cr_assert_eq(net_publish_parse("[::]:80:80", false, &p), 0);
	cr_assert_eq(net_publish_parse("192.168.1.2:80:8080", false, &p), 0);
	cr_assert_eq(p.host_addr[0], 192);
}

Test(publish, rejects_junk)
{
	static const char *const bad[] = {
		"", ":", "80", "80:", ":80", "0:80", "80:0", "65536:80", "80:65536", "99999:1",
		"-1:80", "+80:80", "80:80:80", "a:80", "80:b", " 80:80", "80:80 ", "80 :80",
		"localhost:80:80", "::1:80:80", "[::1]80:80", "[::1]:80", "[::1:80:80", "[]:80:80",
		"[1.2.3.4]:80:80", "1.2.3:80:80", "1.2.3.4.5:80:80", ":80:80", "[::1]:80:80:80",
		"123456:80", "80:000000080", "0x50:80",
	};
	struct net_publish p;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		cr_expect_eq(net_publish_parse(bad[i], false, &p), -EINVAL, "accepted \"%s\"", bad[i]);
	cr_expect_eq(net_publish_parse(NULL, false, &p), -EINVAL);
}

/* --- net_policy_check --------------------------------------------------------------------- */

Test(check, none_blocks_everything)
{
	struct net_policy p = { .mode = NET_NONE, .dns_allowed = true };
	cr_assert_eq(check(&p, "1.2.3.4", NET_PROTO_TCP, 80), -ENETUNREACH);
	cr_assert_eq(check(&p, "2001:db8::1", NET_PROTO_UDP, 53), -ENETUNREACH);
	cr_assert_eq(check(&p, NETCONF_V4_DNS, NET_PROTO_UDP, 53), -ENETUNREACH);
	cr_assert_eq(check(&p, NETCONF_V4_ADDR, NET_PROTO_TCP, 80), -ENETUNREACH);
	cr_assert_eq(check(&p, "::ffff:1.2.3.4", NET_PROTO_TCP, 80), -ENETUNREACH);
}

Test(check, sandbox_allows_the_world)
{
	struct net_policy p = sandbox();
	cr_assert_eq(check(&p, "1.2.3.4", NET_PROTO_TCP, 80), 0);
	cr_assert_eq(check(&p, "8.8.8.8", NET_PROTO_UDP, 53), 0);
	cr_assert_eq(check(&p, "10.213.0.2", NET_PROTO_TCP, 12345), 0);
	cr_assert_eq(check(&p, "192.168.1.1", NET_PROTO_ICMP, 0), 0);
	cr_assert_eq(check(&p, "2001:db8::1", NET_PROTO_TCP, 443), 0);
	cr_assert_eq(check(&p, "2001:db8::1", NET_PROTO_ICMPV6, 0), 0);
	cr_assert_eq(check(&p, "::ffff:1.2.3.4", NET_PROTO_TCP, 80), 0);
	cr_assert_eq(check(&p, "223.255.255.255", NET_PROTO_UDP, 1), 0);
}

Test(check, never_routable)
{
	struct net_policy p = sandbox();
	static const char *const unreach[] = {
		"0.0.0.0", "0.1.2.3", "127.0.0.1", "127.255.255.254", "224.0.0.1", "239.255.255.250",
		"169.254.169.254", "::", "::1", "ff02::1", "ff05::2", "fe80::1", "febf::1",
		"::ffff:127.0.0.1", "::127.0.0.1", "::ffff:0.0.0.0", "::ffff:224.0.0.251",
		"::ffff:169.254.1.1",
	};
	for (size_t i = 0; i < sizeof unreach / sizeof unreach[0]; i++)
		cr_expect_eq(check(&p, unreach[i], NET_PROTO_TCP, 80), -ENETUNREACH, "%s", unreach[i]);
	/* not link-local: fec0::/10 follows fe80::/10 */
	cr_expect_eq(check(&p, "fec0::1", NET_PROTO_TCP, 80), 0);
}

Test(check, broadcast)
{
	struct net_policy p = sandbox();
	cr_assert_eq(check(&p, "255.255.255.255", NET_PROTO_UDP, 67), -EACCES);
	cr_assert_eq(check(&p, "10.0.2.255", NET_PROTO_UDP, 9), -EACCES);
	cr_assert_eq(check(&p, "::ffff:255.255.255.255", NET_PROTO_UDP, 67), -EACCES);
	cr_assert_eq(check(&p, "::ffff:10.0.2.255", NET_PROTO_UDP, 9), -EACCES);
}

Test(check, gateway_and_subnet_are_the_host)
{
	struct net_policy p = sandbox();
	cr_assert_eq(check(&p, NETCONF_V4_GATEWAY, NET_PROTO_TCP, 22), -ECONNREFUSED);
	cr_assert_eq(check(&p, NETCONF_V4_GATEWAY, NET_PROTO_UDP, 53), -ECONNREFUSED);
	cr_assert_eq(check(&p, NETCONF_V4_GATEWAY, NET_PROTO_ICMP, 0), -ECONNREFUSED);
	cr_assert_eq(check(&p, NETCONF_V6_GATEWAY, NET_PROTO_TCP, 22), -ECONNREFUSED);
	cr_assert_eq(check(&p, "::ffff:10.0.2.2", NET_PROTO_TCP, 22), -ECONNREFUSED);
	cr_assert_eq(check(&p, "10.0.2.5", NET_PROTO_TCP, 22), -ECONNREFUSED);
	cr_assert_eq(check(&p, "10.0.2.0", NET_PROTO_TCP, 22), -ECONNREFUSED);
	cr_assert_eq(check(&p, "fd53:6e74::5", NET_PROTO_TCP, 22), -ECONNREFUSED);
	cr_assert_eq(check(&p, "fd53:6e74::ffff:ffff:ffff:ffff", NET_PROTO_TCP, 22), -ECONNREFUSED);
	/* outside the /64 */
	cr_assert_eq(check(&p, "fd00:0:0:1::5", NET_PROTO_TCP, 22), 0);
	/* the guest's own addresses are local */
	cr_assert_eq(check(&p, NETCONF_V4_ADDR, NET_PROTO_TCP, 80), 0);
	cr_assert_eq(check(&p, NETCONF_V6_ADDR, NET_PROTO_TCP, 80), 0);
}

Test(check, dns)
{
	struct net_policy p = sandbox();
	cr_assert_eq(check(&p, NETCONF_V4_DNS, NET_PROTO_UDP, 53), 0);
	cr_assert_eq(check(&p, NETCONF_V4_DNS, NET_PROTO_TCP, 53), 0);
	cr_assert_eq(check(&p, NETCONF_V6_DNS, NET_PROTO_UDP, 53), 0);
	cr_assert_eq(check(&p, "::ffff:10.0.2.3", NET_PROTO_UDP, 53), 0);
	cr_assert_eq(check(&p, NETCONF_V4_DNS, NET_PROTO_UDP, 54), -ECONNREFUSED);
	cr_assert_eq(check(&p, NETCONF_V4_DNS, NET_PROTO_TCP, 22), -ECONNREFUSED);
	cr_assert_eq(check(&p, NETCONF_V4_DNS, NET_PROTO_ICMP, 0), -ECONNREFUSED);
	cr_assert_eq(check(&p, NETCONF_V6_DNS, NET_PROTO_ICMPV6, 0), -ECONNREFUSED);
	p.dns_allowed = false;
	cr_assert_eq(check(&p, NETCONF_V4_DNS, NET_PROTO_UDP, 53), -ECONNREFUSED);
	cr_assert_eq(check(&p, NETCONF_V4_DNS, NET_PROTO_TCP, 53), -ECONNREFUSED);
	cr_assert_eq(check(&p, NETCONF_V6_DNS, NET_PROTO_UDP, 53), -ECONNREFUSED);
	/* other resolvers are just destinations */
	cr_assert_eq(check(&p, "8.8.8.8", NET_PROTO_UDP, 53), 0);
}

Test(check, allowlist)
{
	static const char *const cidrs[] = { "10.213.0.0/24", "2001:db8:1::/48" };
	struct net_policy p = allowlist(cidrs, 2, false);
	cr_assert_eq(check(&p, "10.213.0.2", NET_PROTO_TCP, 80), 0);
	cr_assert_eq(check(&p, "10.213.0.255", NET_PROTO_UDP, 80), 0);
	cr_assert_eq(check(&p, "10.213.1.2", NET_PROTO_TCP, 80), -ECONNREFUSED);
	cr_assert_eq(check(&p, "1.2.3.4", NET_PROTO_ICMP, 0), -ECONNREFUSED);
	cr_assert_eq(check(&p, "2001:db8:1:2::3", NET_PROTO_TCP, 80), 0);
	cr_assert_eq(check(&p, "2001:db8:2::3", NET_PROTO_TCP, 80), -ECONNREFUSED);
	/* DNS: only with dns_allowed, whatever the list */
	cr_assert_eq(check(&p, NETCONF_V4_DNS, NET_PROTO_UDP, 53), -ECONNREFUSED);
	cr_assert_eq(check(&p, "8.8.8.8", NET_PROTO_UDP, 53), -ECONNREFUSED);
	p.dns_allowed = true;
	cr_assert_eq(check(&p, NETCONF_V4_DNS, NET_PROTO_UDP, 53), 0);
	/* the special addresses win over the list */
	static const char *const wide[] = { "0.0.0.0/0", "::/0" };
	struct net_policy w = allowlist(wide, 2, false);
	cr_assert_eq(check(&w, "127.0.0.1", NET_PROTO_TCP, 80), -ENETUNREACH);
	cr_assert_eq(check(&w, "::1", NET_PROTO_TCP, 80), -ENETUNREACH);
	cr_assert_eq(check(&w, "10.0.2.2", NET_PROTO_TCP, 80), -ECONNREFUSED);
	cr_assert_eq(check(&w, "255.255.255.255", NET_PROTO_UDP, 80), -EACCES);
	cr_assert_eq(check(&w, "224.0.0.1", NET_PROTO_UDP, 80), -ENETUNREACH);
	cr_assert_eq(check(&w, "9.9.9.9", NET_PROTO_TCP, 80), 0);
}

Test(check, mapped_addresses_cannot_bypass)
{
	static const char *const cidrs[] = { "1.2.3.0/24" };
	struct net_policy p = allowlist(cidrs, 1, false);
	cr_assert_eq(check(&p, "::ffff:1.2.3.4", NET_PROTO_TCP, 80), 0);
	cr_assert_eq(check(&p, "::1.2.3.4", NET_PROTO_TCP, 80), 0, "IPv4-compatible");
	cr_assert_eq(check(&p, "::ffff:1.2.4.4", NET_PROTO_TCP, 80), -ECONNREFUSED);
	cr_assert_eq(check(&p, "::ffff:127.0.0.1", NET_PROTO_TCP, 80), -ENETUNREACH);
	/* an IPv6 allow range does not cover mapped IPv4 */
	static const char *const v6only[] = { "::/0" };
	struct net_policy q = allowlist(v6only, 1, false);
	cr_assert_eq(check(&q, "::ffff:1.2.3.4", NET_PROTO_TCP, 80), -ECONNREFUSED);
	cr_assert_eq(check(&q, "::1.2.3.4", NET_PROTO_TCP, 80), -ECONNREFUSED);
	cr_assert_eq(check(&q, "2001:db8::1", NET_PROTO_TCP, 80), 0);
	/* and the sandbox mode refuses mapped loopback too */
	struct net_policy s = sandbox();
	cr_assert_eq(check(&s, "::ffff:127.0.0.1", NET_PROTO_UDP, 53), -ENETUNREACH);
	cr_assert_eq(check(&s, "::ffff:7f00:1", NET_PROTO_UDP, 53), -ENETUNREACH);
}

Test(check, bad_arguments)
{
	struct net_policy p = sandbox();
	uint8_t a[16] = { 1, 2, 3, 4 };
	cr_assert_eq(net_policy_check(&p, AF_UNIX, a, NET_PROTO_TCP, 1), -EAFNOSUPPORT);
	cr_assert_eq(net_policy_check(NULL, AF_INET, a, NET_PROTO_TCP, 1), -EINVAL);
	cr_assert_eq(net_policy_check(&p, AF_INET, NULL, NET_PROTO_TCP, 1), -EINVAL);
}

/* --- net_policy_frame_ok ---------------------------------------------------------------- */

struct frame {
	uint8_t b[256];
	size_t len;
};

static void eth(struct frame *f, uint16_t type)
{
	memset(f, 0, sizeof *f);
	static const uint8_t gw[6] = { 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02 };
	memcpy(f->b, gw, 6);
	memcpy(f->b + 6, netconf_eth0_mac, 6);
	f->b[12] = (uint8_t)(type >> 8);
	f->b[13] = (uint8_t)type;
	f->len = 14;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static struct frame arp_request(const char *target)
{
	struct frame f;
	eth(&f, 0x0806);
	memset(f.b, 0xff, 6);
	uint8_t *a = f.b + 14;
	put16(a, 1);
	put16(a + 2, 0x0800);
	a[4] = 6;
	a[5] = 4;
	put16(a + 6, 1);
	memcpy(a + 8, netconf_eth0_mac, 6);
	v4(NETCONF_V4_ADDR, a + 14);
	v4(target, a + 24);
	f.len = 14 + 28;
	return f;
}

/* IPv4 with an L4 header of l4len bytes (ports set for TCP/UDP). */
static struct frame ip4(const char *src, const char *dst, uint8_t proto, uint16_t dport,
			size_t l4len)
{
	struct frame f;
	eth(&f, 0x0800);
	uint8_t *ip = f.b + 14;
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(20 + l4len));
	ip[8] = 64;
	ip[9] = proto;
	v4(src, ip + 12);
	v4(dst, ip + 16);
	uint8_t *l4 = ip + 20;
	if (proto == 6 || proto == 17) {
		put16(l4, 40000);
		put16(l4 + 2, dport);
	}
	if (proto == 6)
		l4[12] = 5 << 4;
	if (proto == 1)
		l4[0] = 8;
	f.len = 14 + 20 + l4len;
	return f;
}

static struct frame tcp4(const char *dst, uint16_t port)
{
	return ip4(NETCONF_V4_ADDR, dst, 6, port, 20);
}

static struct frame ip6(const char *src, const char *dst, uint8_t nh, size_t plen)
{
	struct frame f;
	eth(&f, 0x86dd);
	uint8_t *ip = f.b + 14;
	ip[0] = 0x60;
	put16(ip + 4, (uint16_t)plen);
	ip[6] = nh;
	ip[7] = 64;
	v6(src, ip + 8);
	v6(dst, ip + 24);
	f.len = 14 + 40 + plen;
	return f;
}

static struct frame tcp6(const char *dst, uint16_t port)
{
	struct frame f = ip6(NETCONF_V6_ADDR, dst, 6, 20);
	put16(f.b + 54 + 2, port);
	f.b[54 + 12] = 5 << 4;
	return f;
}

static struct frame icmp6(const char *src, const char *dst, uint8_t type)
{
	struct frame f = ip6(src, dst, 58, 24);
	f.b[54] = type;
	return f;
}

static bool ok(const struct net_policy *p, const struct frame *f)
{
	return net_policy_frame_ok(p, f->b, f->len);
}

Test(frame, arp)
{
	struct net_policy p = sandbox();
	struct frame f = arp_request(NETCONF_V4_GATEWAY);
	cr_assert(ok(&p, &f));
	f.len = 14 + 27;
	cr_assert_not(ok(&p, &f), "truncated ARP");
	f = arp_request(NETCONF_V4_GATEWAY);
	f.b[14 + 2] = 0x86; /* not IPv4 */
	cr_assert_not(ok(&p, &f));
	struct net_policy none = { .mode = NET_NONE };
	f = arp_request(NETCONF_V4_GATEWAY);
	cr_assert_not(ok(&none, &f));
}

Test(frame, tcp_syn_v4)
{
	struct net_policy p = sandbox();
	struct frame f = tcp4("10.213.0.2", 80);
	cr_assert(ok(&p, &f));
	f = tcp4("127.0.0.1", 80);
	cr_assert_not(ok(&p, &f));
	f = tcp4(NETCONF_V4_GATEWAY, 80);
	cr_assert_not(ok(&p, &f));
	f = tcp4(NETCONF_V4_DNS, 53);
	cr_assert(ok(&p, &f));
	f = tcp4(NETCONF_V4_DNS, 80);
	cr_assert_not(ok(&p, &f));
	f = tcp4(NETCONF_V4_ADDR, 80);
	cr_assert_not(ok(&p, &f), "to itself: never leaves");
	f = ip4(NETCONF_V4_ADDR, "10.213.0.2", 17, 5353, 8);
	cr_assert(ok(&p, &f));
	f = ip4(NETCONF_V4_ADDR, "255.255.255.255", 17, 67, 8);
	cr_assert_not(ok(&p, &f));
	f = ip4(NETCONF_V4_ADDR, "224.0.0.251", 17, 5353, 8);
	cr_assert_not(ok(&p, &f));
	f = ip4(NETCONF_V4_ADDR, "10.213.0.2", 1, 0, 8);
	cr_assert(ok(&p, &f));
	f = ip4(NETCONF_V4_ADDR, "10.213.0.2", 47, 0, 8); /* GRE */
	cr_assert_not(ok(&p, &f));
	f = ip4(NETCONF_V4_ADDR, "10.213.0.2", 58, 0, 8); /* ICMPv6 in IPv4 */
	cr_assert_not(ok(&p, &f));
}

Test(frame, allowlist_v4)
{
	static const char *const cidrs[] = { "10.213.0.0/24" };
	struct net_policy p = allowlist(cidrs, 1, false);
	struct frame f = tcp4("10.213.0.2", 80);
	cr_assert(ok(&p, &f));
	f = tcp4("10.214.0.2", 80);
	cr_assert_not(ok(&p, &f));
	f = ip4(NETCONF_V4_ADDR, NETCONF_V4_DNS, 17, 53, 8);
	cr_assert_not(ok(&p, &f), "no DNS without dns_allowed");
	struct net_policy none = { .mode = NET_NONE };
	f = tcp4("10.213.0.2", 80);
	cr_assert_not(ok(&none, &f));
}

Test(frame, spoofed_source)
{
	struct net_policy p = sandbox();
	struct frame f = ip4("10.0.2.101", "10.213.0.2", 6, 80, 20);
	cr_assert_not(ok(&p, &f));
	f = ip4("127.0.0.1", "10.213.0.2", 6, 80, 20);
	cr_assert_not(ok(&p, &f));
	f = ip6("fd53:6e74::101", "2001:db8::1", 6, 20);
	cr_assert_not(ok(&p, &f));
	f = ip6("fe80::1", "2001:db8::1", 6, 20);
	cr_assert_not(ok(&p, &f), "link-local source only for neighbour discovery");
}

Test(frame, header_checks_v4)
{
	struct net_policy p = sandbox();
	struct frame f = tcp4("10.213.0.2", 80);
	f.b[14] = 0x44; /* IHL 4 */
	cr_assert_not(ok(&p, &f));
	f = tcp4("10.213.0.2", 80);
	f.b[14] = 0x65; /* version 6 in an IPv4 frame */
	cr_assert_not(ok(&p, &f));
	f = tcp4("10.213.0.2", 80);
	put16(f.b + 14 + 2, 60); /* total length past the frame */
	cr_assert_not(ok(&p, &f));
	f = ip4(NETCONF_V4_ADDR, "10.213.0.2", 6, 80, 19); /* TCP header cut */
	cr_assert_not(ok(&p, &f));
	f = ip4(NETCONF_V4_ADDR, "10.213.0.2", 17, 80, 7);
	cr_assert_not(ok(&p, &f));
	/* a padded frame (Ethernet minimum 60) is fine */
	f = ip4(NETCONF_V4_ADDR, "10.213.0.2", 17, 80, 8);
	f.len = 60;
	cr_assert(ok(&p, &f));
	/* a later fragment has no ports: judged on the address */
	f = ip4(NETCONF_V4_ADDR, "10.213.0.2", 17, 80, 8);
	put16(f.b + 14 + 6, 0x0010);
	cr_assert(ok(&p, &f));
	f = ip4(NETCONF_V4_ADDR, NETCONF_V4_DNS, 17, 53, 8);
	put16(f.b + 14 + 6, 0x0010);
	cr_assert_not(ok(&p, &f), "a later fragment never reaches the resolver");
	f = tcp4("10.213.0.2", 80);
	f.b[12] = 0x81; /* VLAN */
	f.b[13] = 0x00;
	cr_assert_not(ok(&p, &f));
}

Test(frame, tcp_v6)
{
	struct net_policy p = sandbox();
	struct frame f = tcp6("2001:db8::1", 443);
	cr_assert(ok(&p, &f));
	f = tcp6("::1", 443);
	cr_assert_not(ok(&p, &f));
	f = tcp6("::ffff:127.0.0.1", 443);
	cr_assert_not(ok(&p, &f));
	f = tcp6(NETCONF_V6_GATEWAY, 443);
	cr_assert_not(ok(&p, &f));
	f = tcp6(NETCONF_V6_DNS, 53);
	cr_assert(ok(&p, &f));
	f = tcp6("ff02::1", 443);
	cr_assert_not(ok(&p, &f));
	static const char *const cidrs[] = { "1.2.3.0/24" };
	struct net_policy a = allowlist(cidrs, 1, false);
	f = tcp6("::ffff:1.2.3.4", 443);
	cr_assert(ok(&a, &f));
	f = tcp6("::ffff:1.2.4.4", 443);
	cr_assert_not(ok(&a, &f));
	f = tcp6("2001:db8::1", 443);
	cr_assert_not(ok(&a, &f));
}

Test(frame, ipv6_extension_headers)
{
	struct net_policy p = sandbox();
	/* fragment header: dropped */
	struct frame f = ip6(NETCONF_V6_ADDR, "2001:db8::1", 44, 8 + 20);
	f.b[54] = 6;
	cr_assert_not(ok(&p, &f));
	/* routing header: dropped */
	f = ip6(NETCONF_V6_ADDR, "2001:db8::1", 43, 8 + 20);
	f.b[54] = 6;
	cr_assert_not(ok(&p, &f));
	/* hop-by-hop then TCP: judged */
	f = ip6(NETCONF_V6_ADDR, "2001:db8::1", 0, 8 + 20);
	f.b[54] = 6;
	f.b[55] = 0;
	put16(f.b + 62 + 2, 80);
	cr_assert(ok(&p, &f));
	/* hop-by-hop longer than the packet */
	f.b[55] = 4;
	cr_assert_not(ok(&p, &f));
	/* payload length past the frame */
	f = tcp6("2001:db8::1", 443);
	put16(f.b + 14 + 4, 21);
	cr_assert_not(ok(&p, &f));
}

Test(frame, neighbour_discovery)
{
	struct net_policy p = sandbox();
	/* NS for the gateway, to its solicited-node group */
	struct frame f = icmp6(NETCONF_V6_ADDR, "ff02::1:ff00:2", 135);
	cr_assert(ok(&p, &f));
	f = icmp6("fe80::53:4eff:fe54:5259", "ff02::1:ff00:2", 135);
	cr_assert(ok(&p, &f));
	f = icmp6("::", "ff02::1:ff00:100", 135); /* DAD */
	cr_assert(ok(&p, &f));
	f = icmp6(NETCONF_V6_ADDR, NETCONF_V6_GATEWAY, 135); /* unicast NUD */
	cr_assert(ok(&p, &f));
	f = icmp6("fe80::1", "fe80::2", 136);
	cr_assert(ok(&p, &f));
	f = icmp6("::", "fe80::2", 136);
	cr_assert_not(ok(&p, &f), "an advertisement has a source");
	f = icmp6("fe80::1", "ff02::2", 133); /* RS */
	cr_assert(ok(&p, &f));
	f = icmp6("fe80::1", "ff02::16", 143); /* MLDv2 report */
	cr_assert(ok(&p, &f));
	/* not to the world, and not from others */
	f = icmp6(NETCONF_V6_ADDR, "2001:db8::1", 135);
	cr_assert_not(ok(&p, &f));
	f = icmp6("fd53:6e74::101", "ff02::1:ff00:2", 135);
	cr_assert_not(ok(&p, &f));
	f = icmp6("2001:db8::5", "ff02::2", 133);
	cr_assert_not(ok(&p, &f));
	f = icmp6(NETCONF_V6_ADDR, "ff05::2", 133); /* site scope */
	cr_assert_not(ok(&p, &f));
	/* a router advertisement from the guest: not link control we pass */
	f = icmp6("fe80::1", "ff02::1", 134);
	cr_assert_not(ok(&p, &f));
	/* echo: an ordinary destination check */
	f = icmp6(NETCONF_V6_ADDR, "2001:db8::1", 128);
	cr_assert(ok(&p, &f));
	f = icmp6(NETCONF_V6_ADDR, "fe80::2", 128);
	cr_assert_not(ok(&p, &f));
	/* ND with a truncated ICMPv6 header */
	f = icmp6(NETCONF_V6_ADDR, "ff02::1:ff00:2", 135);
	put16(f.b + 14 + 4, 4);
	f.len = 14 + 40 + 4;
	cr_assert_not(ok(&p, &f));
	struct net_policy none = { .mode = NET_NONE };
	f = icmp6(NETCONF_V6_ADDR, "ff02::1:ff00:2", 135);
	cr_assert_not(ok(&none, &f));
}

Test(frame, unknown_ethertypes)
{
	struct net_policy p = sandbox();
	struct frame f;
	static const uint16_t types[] = { 0x0000, 0x8035, 0x8100, 0x88cc, 0x88a8, 0x8847, 0xffff };
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
		f = tcp4("10.213.0.2", 80);
		put16(f.b + 12, types[i]);
		cr_expect_not(ok(&p, &f), "ethertype %#x", types[i]);
	}
}

/* Every prefix of valid frames, and random bytes: never a crash (ASan),
 * never a pass for a truncated header. */
Test(frame, truncated_never_crash)
{
	struct net_policy p = sandbox();
	struct frame frames[] = {
		arp_request(NETCONF_V4_GATEWAY), tcp4("10.213.0.2", 80),
		ip4(NETCONF_V4_ADDR, "10.213.0.2", 17, 80, 8), tcp6("2001:db8::1", 443),
		icmp6(NETCONF_V6_ADDR, "ff02::1:ff00:2", 135),
	};
	size_t minimum[] = { 42, 54, 42, 74, 62 };
	for (size_t i = 0; i < sizeof frames / sizeof frames[0]; i++) {
		for (size_t len = 0; len <= 60 && len <= frames[i].len; len++) {
			/* exactly len bytes on the heap, so ASan sees an overread */
			uint8_t *b = malloc(len ? len : 1);
			memcpy(b, frames[i].b, len);
			bool r = net_policy_frame_ok(&p, b, len);
			if (len < minimum[i])
				cr_expect_not(r, "frame %zu passes at length %zu", i, len);
			free(b);
		}
	}
	cr_assert_not(net_policy_frame_ok(&p, NULL, 0));
	unsigned seed = 12345;
	for (int n = 0; n < 20000; n++) {
		size_t len = (size_t)rand_r(&seed) % 120;
		uint8_t *b = malloc(len ? len : 1);
		for (size_t k = 0; k < len; k++)
			b[k] = (uint8_t)rand_r(&seed);
		if (len > 14 && n % 3 == 0) { /* make it look like IP often */
			b[12] = n % 2 ? 0x08 : 0x86;
			b[13] = n % 2 ? 0x00 : 0xdd;
			b[14] = n % 2 ? 0x45 : 0x60;
		}
		(void)net_policy_frame_ok(&p, b, len);
		free(b);
	}
}

Test(policy, free_releases_arrays)
{
	struct net_policy p = sandbox();
	p.allow = calloc(3, sizeof *p.allow);
	p.nallow = 3;
	p.has_allowlist = true;
	p.publish = calloc(2, sizeof *p.publish);
	p.npublish = 2;
	net_policy_free(&p);
	cr_assert_null(p.allow);
	cr_assert_null(p.publish);
	cr_assert_eq(p.nallow, 0);
	cr_assert_eq(p.npublish, 0);
	net_policy_free(&p); /* twice is harmless */
	net_policy_free(NULL);
}
