/* The egress proxy (netstack/proxy/): a real proxy process (libslirp on
 * io_uring) driven from the test, which plays the guest: it writes
 * hand-built Ethernet frames on the link and reads what slirp sends back.
 *
 * Reachability is checked against listeners of the test itself: on the
 * host (which the guest must never reach: loopback, the host's own
 * addresses) and, when we are root and iproute2 is there, in a network
 * namespace "test host" behind a veth pair (which the guest must reach,
 * unless an allowlist leaves it out). */
#include "netstack/netconf.h"
#include "netstack/policy.h"
#include "netstack/proxy.h"
#include "netstack/proxy/internal.h"

#include <criterion/criterion.h>
#include <criterion/logging.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const uint8_t slirp_mac[6] = { 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02 };

/* --- frames ---------------------------------------------------------------------- */

struct frame {
	uint8_t b[2048];
	size_t len;
};

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t sum_bytes(uint32_t s, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += get16(p + i);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static void pton(const char *s, uint8_t *out)
{
	int fam = strchr(s, ':') ? AF_INET6 : AF_INET;
	cr_assert_eq(inet_pton(fam, s, out), 1, "%s", s);
}

static void eth(struct frame *f, const uint8_t *dst, uint16_t type)
{
	memset(f, 0, sizeof *f);
	memcpy(f->b, dst, 6);
	memcpy(f->b + 6, netconf_eth0_mac, 6);
	put16(f->b + 12, type);
	f->len = 14;
}

static struct frame arp_request(const char *target)
{
	struct frame f;
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	eth(&f, bcast, 0x0806);
	uint8_t *a = f.b + 14;
	put16(a, 1);
	put16(a + 2, 0x0800);
	a[4] = 6;
	a[5] = 4;
	put16(a + 6, 1);
	memcpy(a + 8, netconf_eth0_mac, 6);
	pton(NETCONF_V4_ADDR, a + 14);
	pton(target, a + 24);
	f.len = 42;
	return f;
}

/* A TCP SYN with an MSS option, from the guest's address. */
static void tcp_syn_header(uint8_t *t, uint16_t sport, uint16_t dport)
{
	put16(t, sport);
	put16(t + 2, dport);
	put16(t + 4, 0x1234); /* seq */
	put16(t + 6, 0x5678);
	t[12] = 6 << 4;       /* 24 bytes: 20 + MSS option */
	t[13] = 0x02;         /* SYN */
	put16(t + 14, 65535); /* window */
	t[20] = 2;
	t[21] = 4;
	put16(t + 22, 1460);
}

static struct frame syn4(const char *dst, uint16_t sport, uint16_t dport)
{
	struct frame f;
	eth(&f, slirp_mac, 0x0800);
	uint8_t *ip = f.b + 14, *t = ip + 20;
	ip[0] = 0x45;
	put16(ip + 2, 20 + 24);
	put16(ip + 4, (uint16_t)rand());
	ip[8] = 64;
	ip[9] = 6;
	pton(NETCONF_V4_ADDR, ip + 12);
	pton(dst, ip + 16);
	put16(ip + 10, fold(sum_bytes(0, ip, 20)));
	tcp_syn_header(t, sport, dport);
	uint32_t s = sum_bytes(0, ip + 12, 8) + 6 + 24;
	put16(t + 16, fold(sum_bytes(s, t, 24)));
	f.len = 14 + 20 + 24;
	return f;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

/* An IPv4 TCP segment with flags and plen bytes of payload. */
static struct frame seg4(const char *dst, uint16_t sport, uint16_t dport, uint32_t seq,
			 uint32_t ack, uint8_t flags, size_t plen)
{
	struct frame f;
	eth(&f, slirp_mac, 0x0800);
	uint8_t *ip = f.b + 14, *t = ip + 20;
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(20 + 20 + plen));
	ip[8] = 64;
	ip[9] = 6;
	pton(NETCONF_V4_ADDR, ip + 12);
	pton(dst, ip + 16);
	put16(ip + 10, fold(sum_bytes(0, ip, 20)));
	put16(t, sport);
	put16(t + 2, dport);
	put32(t + 4, seq);
	put32(t + 8, ack);
	t[12] = 5 << 4;
	t[13] = flags;
	put16(t + 14, 65535);
	memset(t + 20, 'x', plen);
	uint32_t s = sum_bytes(0, ip + 12, 8) + 6 + 20 + (uint32_t)plen;
	put16(t + 16, fold(sum_bytes(s, t, 20 + plen)));
	f.len = 14 + 20 + 20 + plen;
	return f;
}

static void ip6_header(uint8_t *ip, const char *src, const char *dst, uint8_t nh, uint16_t plen,
		       uint8_t hops)
{
	ip[0] = 0x60;
	put16(ip + 4, plen);
	ip[6] = nh;
	ip[7] = hops;
	pton(src, ip + 8);
	pton(dst, ip + 24);
}

/* The upper-layer checksum over the IPv6 pseudo-header. */
static uint16_t csum6(const uint8_t *ip, const uint8_t *l4, size_t len, uint8_t nh)
{
	uint32_t s = sum_bytes(0, ip + 8, 32) + (uint32_t)len + nh;
	return fold(sum_bytes(s, l4, len));
}

static struct frame syn6(const char *dst, uint16_t sport, uint16_t dport)
{
	struct frame f;
	eth(&f, slirp_mac, 0x86dd);
	uint8_t *ip = f.b + 14, *t = ip + 40;
	ip6_header(ip, NETCONF_V6_ADDR, dst, 6, 24, 64);
	tcp_syn_header(t, sport, dport);
	put16(t + 16, csum6(ip, t, 24, 6));
	f.len = 14 + 40 + 24;
	return f;
}

/* Neighbour solicitation for target, to its solicited-node group, with our
 * link-layer address. */
static struct frame ndp_ns(const char *target)
{
	struct frame f;
	uint8_t tgt[16], dst[16];
	pton(target, tgt);
	pton("ff02::1:ff00:0", dst);
	memcpy(dst + 13, tgt + 13, 3);
	uint8_t mac[6] = { 0x33, 0x33, dst[12], dst[13], dst[14], dst[15] };
	eth(&f, mac, 0x86dd);
	char dsts[INET6_ADDRSTRLEN];
	inet_ntop(AF_INET6, dst, dsts, sizeof dsts);
	uint8_t *ip = f.b + 14, *m = ip + 40;
	ip6_header(ip, NETCONF_V6_ADDR, dsts, 58, 32, 255);
	m[0] = 135;
	memcpy(m + 8, tgt, 16);
	m[24] = 1; /* source link-layer address */
	m[25] = 1;
	memcpy(m + 26, netconf_eth0_mac, 6);
	put16(m + 2, csum6(ip, m, 32, 58));
	f.len = 14 + 40 + 32;
	return f;
}

static struct frame ndp_rs(void)
{
	struct frame f;
	static const uint8_t mac[6] = { 0x33, 0x33, 0, 0, 0, 2 };
	eth(&f, mac, 0x86dd);
	uint8_t *ip = f.b + 14, *m = ip + 40;
	ip6_header(ip, "fe80::53:4eff:fe54:5259", "ff02::2", 58, 16, 255);
	m[0] = 133;
	m[8] = 1;
	m[9] = 1;
	memcpy(m + 10, netconf_eth0_mac, 6);
	put16(m + 2, csum6(ip, m, 16, 58));
	f.len = 14 + 40 + 16;
	return f;
}

/* --- the link ----------------------------------------------------------------------- */

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void send_frame(int link, const struct frame *f)
{
	cr_assert_eq(send(link, f->b, f->len, 0), (ssize_t)f->len, "send: %s", strerror(errno));
}

typedef bool (*match_fn)(const uint8_t *f, size_t len, const void *arg);

/* Reads frames until one matches (true, copied to out) or timeout_ms. */
static bool wait_frame(int link, int timeout_ms, match_fn match, const void *arg,
		       struct frame *out)
{
	int64_t end = now_ms() + timeout_ms;
	for (;;) {
		int64_t left = end - now_ms();
		if (left <= 0)
			return false;
		struct pollfd p = { .fd = link, .events = POLLIN };
		if (poll(&p, 1, (int)left) <= 0)
			continue;
		struct frame f;
		ssize_t n = recv(link, f.b, sizeof f.b, MSG_DONTWAIT);
		if (n <= 0)
			continue;
		f.len = (size_t)n;
		if (match(f.b, f.len, arg)) {
			if (out)
				*out = f;
			return true;
		}
	}
}

static bool is_arp_reply_from(const uint8_t *f, size_t len, const void *arg)
{
	uint8_t ip[4];
	pton(arg, ip);
	return len >= 42 && get16(f + 12) == 0x0806 && get16(f + 14 + 6) == 2 &&
	       memcmp(f + 14 + 14, ip, 4) == 0;
}

static bool is_tcp(const uint8_t *f, size_t len, const void *arg)
{
	return (len >= 14 + 20 + 20 && get16(f + 12) == 0x0800 && f[14 + 9] == 6) ||
	       (len >= 14 + 40 + 20 && get16(f + 12) == 0x86dd && f[14 + 6] == 6);
}

static bool is_synack(const uint8_t *f, size_t len, const void *arg)
{
	if (!is_tcp(f, len, NULL))
		return false;
	const uint8_t *t = get16(f + 12) == 0x0800 ? f + 14 + (f[14] & 0xf) * 4 : f + 14 + 40;
	return t + 20 <= f + len && (t[13] & 0x12) == 0x12;
}

struct tcp_want {
	uint16_t sport;   /* the remote's port (the frame's source port) */
	uint8_t flags;    /* all of these set */
};

static bool is_tcp_from_port(const uint8_t *f, size_t len, const void *arg)
{
	const struct tcp_want *w = arg;
	if (!is_tcp(f, len, NULL))
		return false;
	const uint8_t *t = get16(f + 12) == 0x0800 ? f + 14 + (f[14] & 0xf) * 4 : f + 14 + 40;
	if (t + 20 > f + len)
		return false;
	return get16(t) == w->sport && (t[13] & w->flags) == w->flags;
}

static bool is_icmp6_type(const uint8_t *f, size_t len, const void *arg)
{
	uint8_t type = *(const uint8_t *)arg;
	return len >= 14 + 40 + 8 && get16(f + 12) == 0x86dd && f[14 + 6] == 58 &&
	       f[14 + 40] == type;
}

/* --- the proxy ------------------------------------------------------------------------ */

static int start(const struct net_policy *p, pid_t *pid)
{
	int link;
	cr_assert_eq(egress_proxy_spawn(p, &link, pid), 0);
	return link;
}

/* Closing the link must make the proxy exit 0, promptly. */
static void stop(int link, pid_t pid)
{
	close(link);
	int status = 0;
	pid_t r = 0;
	for (int i = 0; i < 500 && r == 0; i++) {
		r = waitpid(pid, &status, WNOHANG);
		if (r == 0)
			usleep(10000);
	}
	if (r == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		cr_assert_fail("the proxy did not exit within 5 s of EOF");
	}
	cr_assert_eq(r, pid);
	cr_assert(WIFEXITED(status), "status %#x", status);
	cr_assert_eq(WEXITSTATUS(status), 0);
}

static struct net_policy sandbox(void)
{
	return (struct net_policy){ .mode = NET_SANDBOX, .dns_allowed = true };
}

static void expect_arp(int link, const char *target)
{
	struct frame req = arp_request(target), rep;
	send_frame(link, &req);
	cr_assert(wait_frame(link, 2000, is_arp_reply_from, target, &rep),
		  "no ARP reply for %s", target);
	/* sent to us, by slirp's MAC for that address */
	cr_assert_arr_eq(rep.b, netconf_eth0_mac, 6);
	cr_assert_eq(rep.b[6], 0x52);
	cr_assert_eq(rep.b[7], 0x55);
	cr_assert_arr_eq(rep.b + 14 + 8, rep.b + 6, 6, "sender hardware address");
	cr_assert_arr_eq(rep.b + 14 + 18, netconf_eth0_mac, 6, "target hardware address");
}

/* A dual-stack listener on [::]:port (0: any); returns the fd, *port. */
static int listener(uint16_t *port)
{
	int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	cr_assert_geq(fd, 0);
	int zero = 0, one = 1;
	setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_port = htons(*port) };
	cr_assert_eq(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0, "bind: %s", strerror(errno));
	cr_assert_eq(listen(fd, 16), 0);
	socklen_t sl = sizeof sa;
	getsockname(fd, (struct sockaddr *)&sa, &sl);
	*port = ntohs(sa.sin6_port);
	return fd;
}

static bool connection_within(int lfd, int ms)
{
	struct pollfd p = { .fd = lfd, .events = POLLIN };
	return poll(&p, 1, ms) == 1;
}

/* --- tests ------------------------------------------------------------------------------ */

Test(proxy, answers_arp_for_gateway_and_dns, .timeout = 30)
{
	struct net_policy p = sandbox();
	pid_t pid;
	int link = start(&p, &pid);
	expect_arp(link, NETCONF_V4_GATEWAY);
	expect_arp(link, NETCONF_V4_DNS);
	/* nobody else lives on the subnet */
	struct frame req = arp_request("10.0.2.77");
	send_frame(link, &req);
	cr_assert_not(wait_frame(link, 300, is_arp_reply_from, "10.0.2.77", NULL));
	stop(link, pid);
}

Test(proxy, neighbour_discovery_and_router_advertisement, .timeout = 30)
{
	struct net_policy p = sandbox();
	pid_t pid;
	int link = start(&p, &pid);
	struct frame f = ndp_ns(NETCONF_V6_GATEWAY), r;
	send_frame(link, &f);
	uint8_t na = 136;
	cr_assert(wait_frame(link, 2000, is_icmp6_type, &na, &r), "no NA for the gateway");
	uint8_t gw[16];
	pton(NETCONF_V6_GATEWAY, gw);
	cr_assert_arr_eq(r.b + 14 + 40 + 8, gw, 16, "NA target");
	cr_assert_arr_eq(r.b, netconf_eth0_mac, 6);
	/* the router's link-local address (the RA's source, so the guest's
	 * default router) is answered too */
	f = ndp_ns("fe80::2");
	send_frame(link, &f);
	cr_assert(wait_frame(link, 2000, is_icmp6_type, &na, &r), "no NA for fe80::2");
	pton("fe80::2", gw);
	cr_assert_arr_eq(r.b + 14 + 40 + 8, gw, 16, "NA target");
	cr_log_info("NA for fe80::2 from MAC %02x:%02x:%02x:%02x:%02x:%02x", r.b[6], r.b[7], r.b[8],
		    r.b[9], r.b[10], r.b[11]);

	f = ndp_rs();
	send_frame(link, &f);
	uint8_t ra = 134;
	cr_assert(wait_frame(link, 2000, is_icmp6_type, &ra, &r), "no RA after RS");
	/* find the prefix information option: fd53:6e74::/64 */
	const uint8_t *ip = r.b + 14, *m = ip + 40;
	size_t plen = get16(ip + 4), off = 16;
	bool prefix = false;
	char src[INET6_ADDRSTRLEN];
	inet_ntop(AF_INET6, ip + 8, src, sizeof src);
	cr_log_info("RA from %s, router lifetime %u s, flags %#x", src, get16(m + 6), m[5]);
	while (off + 8 <= plen && m[off + 1] != 0) {
		size_t olen = (size_t)m[off + 1] * 8;
		cr_log_info("RA option type %u length %zu", m[off], olen);
		if (m[off] == 3 && olen == 32) {
			uint8_t want[16];
			pton(NETCONF_V6_PREFIX_ADDR, want);
			if (m[off + 2] == NETCONF_V6_PREFIX && memcmp(m + off + 16, want, 16) == 0)
				prefix = true;
		}
		off += olen;
	}
	cr_assert(prefix, "the RA announces " NETCONF_V6_PREFIX_ADDR "/64");
	stop(link, pid);
}

/* Every host address we can name, as text. */
static size_t host_addresses(char out[][INET6_ADDRSTRLEN], size_t max)
{
	struct ifaddrs *ifa;
	cr_assert_eq(getifaddrs(&ifa), 0);
	size_t n = 0;
	for (struct ifaddrs *i = ifa; i && n < max; i = i->ifa_next) {
		if (!i->ifa_addr)
			continue;
		if (i->ifa_addr->sa_family == AF_INET)
			inet_ntop(AF_INET, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, out[n++],
				  INET6_ADDRSTRLEN);
		else if (i->ifa_addr->sa_family == AF_INET6)
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr, out[n++],
				  INET6_ADDRSTRLEN);
	}
	freeifaddrs(ifa);
	return n;
}

static void send_syn(int link, const char *dst, uint16_t sport, uint16_t dport)
{
	struct frame f = strchr(dst, ':') ? syn6(dst, sport, dport) : syn4(dst, sport, dport);
	send_frame(link, &f);
}

/* Everything that would be the host itself: no connection reaches a
 * listener on all of the host's addresses, and nothing comes back. */
Test(proxy, host_is_unreachable, .timeout = 30)
{
	uint16_t port = 0;
	int lfd = listener(&port);
	struct net_policy p = sandbox();
	pid_t pid;
	int link = start(&p, &pid);
	expect_arp(link, NETCONF_V4_GATEWAY);
	struct frame ns = ndp_ns(NETCONF_V6_GATEWAY);
	send_frame(link, &ns);

	static const char *const fixed[] = {
		"127.0.0.1", "127.1.2.3", NETCONF_V4_GATEWAY, "10.0.2.5", NETCONF_V4_DNS, "0.0.0.0",
		"::1", "::ffff:127.0.0.1", "::127.0.0.1", NETCONF_V6_GATEWAY, "fd53:6e74::5", "::",
	};
	uint16_t sport = 40000;
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		send_syn(link, fixed[i], sport++, port);
	char addrs[64][INET6_ADDRSTRLEN];
	size_t n = host_addresses(addrs, 64);
	cr_assert_gt(n, 0);
	for (size_t i = 0; i < n; i++) {
		cr_log_info("host address %s", addrs[i]);
		send_syn(link, addrs[i], sport++, port);
	}
	cr_assert_not(connection_within(lfd, 1000), "a SYN reached the host's listener");
	/* Each refused SYN is answered by a reset, never by a SYN-ACK. */
	cr_assert_not(wait_frame(link, 200, is_synack, NULL, NULL), "a SYN-ACK came back");
	stop(link, pid);
	close(lfd);
}

/* The reset a refused SYN gets: addresses and ports swapped, ack = seq + 1,
 * RST|ACK, valid checksums; nothing for anything but a SYN. */
Test(proxy, reset_for_refused_syn)
{
	uint8_t out[128];
	struct frame f4 = syn4("10.9.8.7", 40001, 80);
	size_t n = proxy_make_reset(f4.b, f4.len, out, sizeof out);
	cr_assert_eq(n, 14 + 20 + 20);
	cr_assert(memcmp(out, f4.b + 6, 6) == 0 && memcmp(out + 6, f4.b, 6) == 0);
	uint8_t *ip = out + 14, *t = ip + 20;
	cr_assert_eq(fold(sum_bytes(0, ip, 20)), 0, "IPv4 header checksum");
	cr_assert(memcmp(ip + 12, f4.b + 14 + 16, 4) == 0 && memcmp(ip + 16, f4.b + 14 + 12, 4) == 0);
	cr_assert_eq(get16(t), 80);
	cr_assert_eq(get16(t + 2), 40001);
	cr_assert_eq(get32(t + 8), 0x12345678u + 1);
	cr_assert_eq(t[13], 0x14);
	cr_assert_eq(fold(sum_bytes(sum_bytes(0, ip + 12, 8) + 6 + 20, t, 20)), 0, "TCP checksum");

	struct frame f6 = syn6("2001:db8::7", 40002, 443);
	n = proxy_make_reset(f6.b, f6.len, out, sizeof out);
	cr_assert_eq(n, 14 + 40 + 20);
	ip = out + 14;
	t = ip + 40;
	cr_assert(memcmp(ip + 8, f6.b + 14 + 24, 16) == 0 && memcmp(ip + 24, f6.b + 14 + 8, 16) == 0);
	cr_assert_eq(get16(t), 443);
	cr_assert_eq(t[13], 0x14);
	cr_assert_eq(fold(sum_bytes(sum_bytes(0, ip + 8, 32) + 6 + 20, t, 20)), 0, "TCP checksum");

	/* Not a SYN (an ACK), an ARP frame, a truncated SYN: no reset. */
	f4.b[14 + 20 + 13] = 0x10;
	cr_assert_eq(proxy_make_reset(f4.b, f4.len, out, sizeof out), 0);
	struct frame a = arp_request(NETCONF_V4_GATEWAY);
	cr_assert_eq(proxy_make_reset(a.b, a.len, out, sizeof out), 0);
	f6 = syn6("2001:db8::7", 40002, 443);
	for (size_t len = 0; len < f6.len - 4; len++)
		cr_assert_eq(proxy_make_reset(f6.b, len, out, sizeof out), 0, "length %zu", len);
}

/* Junk on the link: the proxy drops it and keeps working. */
Test(proxy, survives_bad_frames, .timeout = 30)
{
	struct net_policy p = sandbox();
	pid_t pid;
	int link = start(&p, &pid);
	unsigned seed = 99;
	static uint8_t buf[4096];
	for (int i = 0; i < 3000; i++) {
		size_t len = (size_t)rand_r(&seed) % 200;
		for (size_t k = 0; k < len; k++)
			buf[k] = (uint8_t)rand_r(&seed);
		if (len >= 14 && i % 2) { /* often an IP or ARP ethertype */
			static const uint16_t types[] = { 0x0800, 0x86dd, 0x0806 };
			put16(buf + 12, types[i % 3]);
		}
		if (len >= 15 && i % 4 == 1)
			buf[14] = 0x45;
		send(link, buf, len, 0);
	}
	/* every prefix of valid frames */
	struct frame valid[] = { arp_request(NETCONF_V4_GATEWAY), syn4("192.0.2.99", 1, 2),
				 syn6("2001:db8::1", 1, 2), ndp_ns(NETCONF_V6_GATEWAY), ndp_rs() };
	for (size_t i = 0; i < sizeof valid / sizeof valid[0]; i++)
		for (size_t len = 0; len < valid[i].len; len++)
			send(link, valid[i].b, len, 0);
	/* bigger than any frame */
	static uint8_t huge[70000];
	send(link, huge, sizeof huge, 0);
	expect_arp(link, NETCONF_V4_GATEWAY);
	stop(link, pid);
}

/* The proxy dies with its parent (PR_SET_PDEATHSIG), even with the link
 * still open elsewhere. */
Test(proxy, dies_with_parent, .timeout = 30)
{
	cr_assert_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	int pfd[2];
	cr_assert_eq(pipe(pfd), 0);
	pid_t mid = fork();
	cr_assert_geq(mid, 0);
	if (mid == 0) {
		struct net_policy p = sandbox();
		int link;
		pid_t proxy;
		if (egress_proxy_spawn(&p, &link, &proxy) < 0)
			_exit(1);
		/* the link stays open here until this process is killed */
		if (write(pfd[1], &proxy, sizeof proxy) != sizeof proxy)
			_exit(1);
		pause();
		_exit(0);
	}
	close(pfd[1]);
	pid_t proxy;
	cr_assert_eq(read(pfd[0], &proxy, sizeof proxy), (ssize_t)sizeof proxy);
	usleep(200000);
	cr_assert_eq(kill(proxy, 0), 0, "the proxy is running");
	kill(mid, SIGKILL);
	waitpid(mid, NULL, 0);
	int status = 0;
	pid_t r = 0;
	for (int i = 0; i < 300 && r == 0; i++) {
		r = waitpid(proxy, &status, WNOHANG);
		if (r == 0)
			usleep(10000);
	}
	if (r == 0)
		kill(proxy, SIGKILL);
	cr_assert_eq(r, proxy, "the proxy outlived its parent");
	/* SIGKILL from the death signal, or a clean exit at the link's EOF */
	cr_assert(WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) == 0));
}

/* --- a test host in a network namespace ---------------------------------------------------- */

/* The test host's subnets are random (10.a.b.0/24, fdxx:xxxx::/64), so
 * that tests running at the same time, ours or others', do not collide. */
#define TH_PORT 18080
static char TH_HOST_V4[16], TH_PEER_V4[16], TH_EXTRA_V4[16], TH_MAPPED_V4[32];
static char TH_HOST_V6[48], TH_PEER_V6[48], TH_ALLOW_V6[56];

static char ns_name[64], veth_host[16], veth_peer[16];
static pid_t th_server = -1;

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	char full[600];
	snprintf(full, sizeof full, "%s >/dev/null 2>&1", cmd);
	int r = system(full);
	return WIFEXITED(r) ? WEXITSTATUS(r) : -1;
}

static void netns_cleanup(void)
{
	if (th_server > 0) {
		kill(th_server, SIGKILL);
		waitpid(th_server, NULL, 0);
		th_server = -1;
	}
	if (ns_name[0]) {
		sh("ip link del %s", veth_host);
		sh("ip netns del %s", ns_name);
		ns_name[0] = '\0';
	}
}

static bool netns_usable(void)
{
	return geteuid() == 0 && sh("ip -V") == 0;
}

/* Is any host address in 10.a.b.0/24? */
static bool v4_subnet_used(unsigned a, unsigned b)
{
	struct ifaddrs *ifa;
	if (getifaddrs(&ifa) < 0)
		return true;
	bool used = false;
	for (struct ifaddrs *i = ifa; i; i = i->ifa_next) {
		if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET)
			continue;
		const uint8_t *x = (const uint8_t *)&((struct sockaddr_in *)i->ifa_addr)->sin_addr;
		if (x[0] == 10 && x[1] == a && x[2] == b)
			used = true;
	}
	freeifaddrs(ifa);
	return used;
}

static void pick_subnets(void)
{
	unsigned a, b, r;
	do {
		cr_assert_eq(getrandom(&r, sizeof r, 0), (ssize_t)sizeof r);
		a = 100 + r % 100;
		b = (r >> 8) & 0xff;
	} while (v4_subnet_used(a, b));
	unsigned v6 = (r >> 16) & 0xffff;
	snprintf(TH_HOST_V4, sizeof TH_HOST_V4, "10.%u.%u.1", a, b);
	snprintf(TH_PEER_V4, sizeof TH_PEER_V4, "10.%u.%u.2", a, b);
	snprintf(TH_EXTRA_V4, sizeof TH_EXTRA_V4, "10.%u.%u.9", a, b);
	snprintf(TH_MAPPED_V4, sizeof TH_MAPPED_V4, "::ffff:%s", TH_PEER_V4);
	snprintf(TH_HOST_V6, sizeof TH_HOST_V6, "fd%02x:%x::1", a, v6);
	snprintf(TH_PEER_V6, sizeof TH_PEER_V6, "fd%02x:%x::2", a, v6);
	snprintf(TH_ALLOW_V6, sizeof TH_ALLOW_V6, "%s/128", TH_PEER_V6);
	cr_log_info("test host %s / %s, host side %s / %s", TH_PEER_V4, TH_PEER_V6, TH_HOST_V4,
		    TH_HOST_V6);
}

static void netns_setup(void)
{
	pick_subnets();
	int id = getpid();
	snprintf(ns_name, sizeof ns_name, "sentry-proxytest-%d", id);
	snprintf(veth_host, sizeof veth_host, "spx%dh", id % 1000000);
	snprintf(veth_peer, sizeof veth_peer, "spx%dn", id % 1000000);
	cr_assert_eq(sh("ip netns add %s", ns_name), 0, "ip netns add");
	cr_assert_eq(sh("ip link add %s type veth peer name %s netns %s", veth_host, veth_peer,
			ns_name), 0);
	cr_assert_eq(sh("ip addr add %s/24 dev %s", TH_HOST_V4, veth_host), 0);
	cr_assert_eq(sh("ip addr add %s/64 dev %s nodad", TH_HOST_V6, veth_host), 0);
	cr_assert_eq(sh("ip link set %s up", veth_host), 0);
	cr_assert_eq(sh("ip -n %s addr add %s/24 dev %s", ns_name, TH_PEER_V4, veth_peer), 0);
	cr_assert_eq(sh("ip -n %s addr add %s/64 dev %s nodad", ns_name, TH_PEER_V6, veth_peer), 0);
	cr_assert_eq(sh("ip -n %s link set %s up", ns_name, veth_peer), 0);
	cr_assert_eq(sh("ip -n %s link set lo up", ns_name), 0);
}

/* A server in the namespace: accepts TCP on [::]:TH_PORT and receives UDP
 * on the same port; writes 'A' to *acc_fd per connection, 'U' per
 * datagram. */
static void start_test_host(int *acc_fd)
{
	int pfd[2];
	cr_assert_eq(pipe2(pfd, O_CLOEXEC), 0);
	th_server = fork();
	cr_assert_geq(th_server, 0);
	if (th_server == 0) {
		char path[128];
		snprintf(path, sizeof path, "/run/netns/%s", ns_name);
		int nsfd = open(path, O_RDONLY | O_CLOEXEC);
		if (nsfd < 0 || setns(nsfd, CLONE_NEWNET) < 0)
			_exit(2);
		int fd = socket(AF_INET6, SOCK_STREAM, 0);
		int zero = 0;
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
		struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_port = htons(TH_PORT) };
		int ufd = socket(AF_INET6, SOCK_DGRAM, 0);
		setsockopt(ufd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
		if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 16) < 0 ||
		    bind(ufd, (struct sockaddr *)&sa, sizeof sa) < 0)
			_exit(3);
		if (write(pfd[1], "R", 1) != 1)
			_exit(4);
		for (;;) {
			struct pollfd p[2] = { { .fd = fd, .events = POLLIN },
					       { .fd = ufd, .events = POLLIN } };
			if (poll(p, 2, -1) < 0)
				continue;
			if (p[0].revents && accept(fd, NULL, NULL) >= 0 && write(pfd[1], "A", 1) != 1)
				_exit(0);
			char b[64];
			if (p[1].revents && recv(ufd, b, sizeof b, 0) >= 0 && write(pfd[1], "U", 1) != 1)
				_exit(0);
		}
	}
	close(pfd[1]);
	char c;
	struct pollfd p = { .fd = pfd[0], .events = POLLIN };
	cr_assert_eq(poll(&p, 1, 5000), 1, "the test host did not start");
	cr_assert_eq(read(pfd[0], &c, 1), 1);
	cr_assert_eq(c, 'R');
	*acc_fd = pfd[0];
}

/* How many of the test host's events of one kind ('A' or 'U') arrive
 * within ms (stops at the first). */
static int events_within(int acc_fd, int ms, char kind)
{
	int n = 0;
	int64_t end = now_ms() + ms;
	for (;;) {
		int64_t left = end - now_ms();
		struct pollfd p = { .fd = acc_fd, .events = POLLIN };
		if (left <= 0 || poll(&p, 1, (int)left) != 1)
			return n;
		char c;
		if (read(acc_fd, &c, 1) == 1 && c == kind)
			n++;
		if (n > 0)
			return n;
	}
}

static int accepted_within(int acc_fd, int ms)
{
	return events_within(acc_fd, ms, 'A');
}

static struct frame udp4(const char *dst, uint16_t sport, uint16_t dport, const char *payload)
{
	struct frame f;
	size_t plen = strlen(payload);
	eth(&f, slirp_mac, 0x0800);
	uint8_t *ip = f.b + 14, *u = ip + 20;
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(20 + 8 + plen));
	ip[8] = 64;
	ip[9] = 17;
	pton(NETCONF_V4_ADDR, ip + 12);
	pton(dst, ip + 16);
	put16(ip + 10, fold(sum_bytes(0, ip, 20)));
	put16(u, sport);
	put16(u + 2, dport);
	put16(u + 4, (uint16_t)(8 + plen));
	memcpy(u + 8, payload, plen);
	uint32_t s = sum_bytes(0, ip + 12, 8) + 17 + 8 + (uint32_t)plen;
	put16(u + 6, fold(sum_bytes(s, u, 8 + plen)));
	f.len = 14 + 20 + 8 + plen;
	return f;
}

static struct frame echo4(const char *dst, uint16_t id)
{
	struct frame f;
	eth(&f, slirp_mac, 0x0800);
	uint8_t *ip = f.b + 14, *m = ip + 20;
	ip[0] = 0x45;
	put16(ip + 2, 20 + 16);
	ip[8] = 64;
	ip[9] = 1;
	pton(NETCONF_V4_ADDR, ip + 12);
	pton(dst, ip + 16);
	put16(ip + 10, fold(sum_bytes(0, ip, 20)));
	m[0] = 8;
	put16(m + 4, id);
	put16(m + 6, 1);
	memcpy(m + 8, "pingping", 8);
	put16(m + 2, fold(sum_bytes(0, m, 16)));
	f.len = 14 + 20 + 16;
	return f;
}

static bool is_echo_reply_from(const uint8_t *f, size_t len, const void *arg)
{
	uint8_t ip[4];
	pton(arg, ip);
	return len >= 14 + 20 + 8 && get16(f + 12) == 0x0800 && f[23] == 1 &&
	       memcmp(f + 26, ip, 4) == 0 && f[14 + (f[14] & 0xf) * 4] == 0;
}

/* Returns the SYN-ACK's sequence number. */
static uint32_t expect_synack(int link, uint16_t from_port)
{
	struct tcp_want w = { .sport = from_port, .flags = 0x12 };
	struct frame f;
	cr_assert(wait_frame(link, 3000, is_tcp_from_port, &w, &f), "no SYN-ACK from the test host");
	const uint8_t *t = get16(f.b + 12) == 0x0800 ? f.b + 14 + (f.b[14] & 0xf) * 4 : f.b + 54;
	return get32(t + 4);
}

struct ack_want {
	uint16_t sport;
	uint32_t ack;
	int *count;       /* pure ACKs seen */
};

static bool is_final_ack(const uint8_t *f, size_t len, const void *arg)
{
	const struct ack_want *w = arg;
	if (len < 54 || get16(f + 12) != 0x0800 || f[23] != 6)
		return false;
	const uint8_t *t = f + 14 + (f[14] & 0xf) * 4;
	if (get16(t) != w->sport || !(t[13] & 0x10))
		return false;
	(*w->count)++;
	return get32(t + 8) == w->ack;
}

static void expect_silence(int link, int acc_fd)
{
	/* (a reset from the proxy itself is fine; a SYN-ACK is not) */
	cr_assert_not(wait_frame(link, 1000, is_synack, NULL, NULL), "a SYN-ACK came back");
	cr_assert_eq(accepted_within(acc_fd, 10), 0, "the test host saw a connection");
}

Test(proxy, reaches_test_host, .timeout = 60, .fini = netns_cleanup)
{
	if (!netns_usable())
		cr_skip_test("needs root and iproute2");
	netns_setup();
	int acc_fd;
	start_test_host(&acc_fd);
	/* a listener on the host: TH_HOST_V4 is a host address and is denied */
	uint16_t hport = 0;
	int lfd = listener(&hport);

	/* started after the veth exists: its host side is in the deny list */
	struct net_policy p = sandbox();
	pid_t pid;
	int link = start(&p, &pid);
	expect_arp(link, NETCONF_V4_GATEWAY);
	struct frame ns = ndp_ns(NETCONF_V6_GATEWAY);
	send_frame(link, &ns);
	uint8_t na = 136;
	cr_assert(wait_frame(link, 2000, is_icmp6_type, &na, NULL));

	send_syn(link, TH_PEER_V4, 41000, TH_PORT);
	uint32_t peer_seq = expect_synack(link, TH_PORT);
	cr_assert_eq(accepted_within(acc_fd, 2000), 1, "the test host saw no IPv4 connection");
	/* A burst of data: every byte is acknowledged, by fewer ACK frames
	 * than segments (the proxy thins slirp's ACK-per-segment). */
	struct frame f = seg4(TH_PEER_V4, 41000, TH_PORT, 0x12345679, peer_seq + 1, 0x10, 0);
	send_frame(link, &f);
	enum { NSEG = 32, SEGLEN = 1000 };
	for (int i = 0; i < NSEG; i++) {
		f = seg4(TH_PEER_V4, 41000, TH_PORT, 0x12345679 + (uint32_t)(i * SEGLEN), peer_seq + 1,
			 0x18, SEGLEN);
		send_frame(link, &f);
	}
	int acks = 0;
	struct ack_want aw = { .sport = TH_PORT, .ack = 0x12345679 + NSEG * SEGLEN, .count = &acks };
	cr_assert(wait_frame(link, 3000, is_final_ack, &aw, NULL), "the data was not acknowledged");
	cr_log_info("%d ACK frames for %d segments", acks, NSEG);
	cr_assert_leq(acks, NSEG);
	send_syn(link, TH_PEER_V6, 41001, TH_PORT);
	expect_synack(link, TH_PORT);
	cr_assert_eq(accepted_within(acc_fd, 2000), 1, "the test host saw no IPv6 connection");
	send_syn(link, TH_MAPPED_V4, 41002, TH_PORT);
	expect_synack(link, TH_PORT);
	cr_assert_eq(accepted_within(acc_fd, 2000), 1, "no connection to the mapped address");

	/* UDP */
	f = udp4(TH_PEER_V4, 41005, TH_PORT, "hello");
	send_frame(link, &f);
	cr_assert_eq(events_within(acc_fd, 2000, 'U'), 1, "the test host got no datagram");
	/* ICMP echo: slirp pings from the host (ping socket or raw socket) */
	f = echo4(TH_PEER_V4, 77);
	send_frame(link, &f);
	bool echo = wait_frame(link, 2000, is_echo_reply_from, TH_PEER_V4, NULL);
	cr_log_info("ICMP echo to the test host: %s", echo ? "answered" : "no reply");

	send_syn(link, TH_HOST_V4, 41003, hport);
	send_syn(link, TH_HOST_V6, 41004, hport);
	/* an address the host gains after the proxy started is denied too */
	cr_assert_eq(sh("ip addr add %s/24 dev %s", TH_EXTRA_V4, veth_host), 0);
	usleep(300000);
	send_syn(link, TH_EXTRA_V4, 41006, hport);
	cr_assert_not(connection_within(lfd, 1000), "the host side of the veth was reached");
	stop(link, pid);
	close(lfd);
}

Test(proxy, allowlist_refuses_test_host, .timeout = 60, .fini = netns_cleanup)
{
	if (!netns_usable())
		cr_skip_test("needs root and iproute2");
	netns_setup();
	int acc_fd;
	start_test_host(&acc_fd);

	struct net_cidr allow[2];
	cr_assert_eq(net_cidr_parse("10.99.0.0/16", &allow[0]), 0);
	cr_assert_eq(net_cidr_parse(TH_ALLOW_V6, &allow[1]), 0);
	struct net_policy p = { .mode = NET_SANDBOX, .has_allowlist = true, .allow = allow,
				.nallow = 2 };
	pid_t pid;
	int link = start(&p, &pid);
	expect_arp(link, NETCONF_V4_GATEWAY);
	struct frame ns = ndp_ns(NETCONF_V6_GATEWAY);
	send_frame(link, &ns);
	uint8_t na = 136;
	cr_assert(wait_frame(link, 2000, is_icmp6_type, &na, NULL));

	send_syn(link, TH_PEER_V4, 42000, TH_PORT);
	send_syn(link, TH_MAPPED_V4, 42001, TH_PORT);
	expect_silence(link, acc_fd);
	/* the one allowed address works */
	send_syn(link, TH_PEER_V6, 42002, TH_PORT);
	expect_synack(link, TH_PORT);
	cr_assert_eq(accepted_within(acc_fd, 2000), 1);
	stop(link, pid);
}

static struct frame udp6(const char *dst, uint16_t sport, uint16_t dport, const char *payload)
{
	struct frame f;
	size_t plen = strlen(payload);
	eth(&f, slirp_mac, 0x86dd);
	uint8_t *ip = f.b + 14, *u = ip + 40;
	ip6_header(ip, NETCONF_V6_ADDR, dst, 17, (uint16_t)(8 + plen), 64);
	put16(u, sport);
	put16(u + 2, dport);
	put16(u + 4, (uint16_t)(8 + plen));
	memcpy(u + 8, payload, plen);
	put16(u + 6, csum6(ip, u, 8 + plen, 17));
	f.len = 14 + 40 + 8 + plen;
	return f;
}

/* A UDP socket on every host address (dual-stack [::]:*port). */
static int udp_listener(uint16_t *port)
{
	int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	cr_assert_geq(fd, 0);
	int zero = 0;
	setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_port = htons(*port) };
	cr_assert_eq(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0, "bind: %s", strerror(errno));
	return fd;
}

/* Host addresses that no interface lists are the host's too: the
 * subnet-router anycast address an interface with IPv6 forwarding gets
 * (on the host before the proxy starts, and on one that gains it after),
 * and a range made local by a route (AnyIP).  A datagram to the anycast
 * address and a datagram or SYN to the local range reach nothing.  (Found
 * by tests/security's net_egress: the deny list knew only getifaddrs.) */
Test(proxy, host_local_routes_unreachable, .timeout = 60, .fini = netns_cleanup)
{
	if (!netns_usable())
		cr_skip_test("needs root and iproute2");
	netns_setup();
	uint16_t port = 0;
	int lfd = listener(&port);
	int ufd = udp_listener(&port);
	char anycast[48], local[16], late[48];
	snprintf(anycast, sizeof anycast, "%.*s", (int)(strlen(TH_HOST_V6) - 1), TH_HOST_V6);
	snprintf(local, sizeof local, "%.*s77", (int)(strlen(TH_HOST_V4) - 1), TH_HOST_V4);
	cr_assert_eq(sh("sysctl -q -w net.ipv6.conf.%s.forwarding=1", veth_host), 0);
	cr_assert_eq(sh("ip route add local %.*s64/26 dev %s table local",
			(int)(strlen(TH_HOST_V4) - 1), TH_HOST_V4, veth_host), 0);
	cr_log_info("anycast %s, local %s", anycast, local);

	struct net_policy p = sandbox();
	pid_t pid;
	int link = start(&p, &pid);
	expect_arp(link, NETCONF_V4_GATEWAY);
	struct frame ns = ndp_ns(NETCONF_V6_GATEWAY);
	send_frame(link, &ns);
	uint8_t na = 136;
	cr_assert(wait_frame(link, 2000, is_icmp6_type, &na, NULL));

	struct frame f = udp6(anycast, 43000, port, "anycast");
	send_frame(link, &f);
	f = udp4(local, 43001, port, "local");
	send_frame(link, &f);
	send_syn(link, local, 43002, port);
	/* a prefix added now: its anycast address is denied from now on */
	snprintf(late, sizeof late, "%.*s:1234::", (int)(strlen(TH_HOST_V6) - 3), TH_HOST_V6);
	cr_assert_eq(sh("ip addr add %s1/64 dev %s nodad", late, veth_host), 0);
	usleep(300000);
	f = udp6(late, 43003, port, "late anycast");
	send_frame(link, &f);
	cr_assert_not(connection_within(lfd, 1000), "a SYN reached the host's listener");
	char b[64];
	cr_assert_lt(recv(ufd, b, sizeof b, MSG_DONTWAIT), 0, "a datagram reached the host");
	stop(link, pid);
	close(lfd);
	close(ufd);
}
