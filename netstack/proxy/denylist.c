/* The egress proxy's own deny list (see internal.h, "denylist.c").
 *
 * Why it exists: libslirp's disable_host_loopback only stops the gateway
 * alias (10.0.2.2 -> 127.0.0.1); a frame addressed to 127.0.0.1 itself, or
 * to any of the host's own addresses, is connected to on the host like any
 * other destination (docs/netstack-plan.md, section 3).  The policy gate
 * refuses loopback already; this second list, independent of the policy,
 * also knows the host's addresses. */
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
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK,
				  .nl_groups = RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR };
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

int denylist_refresh(struct denylist *dl)
{
	struct ifaddrs *ifa;
	if (getifaddrs(&ifa) < 0) {
		int e = errno;
		log_error("getifaddrs: %s", strerror(e));
		return -e;
	}
	size_t n = 0;
	for (struct ifaddrs *i = ifa; i; i = i->ifa_next)
		n++;
	struct host_addr *addrs = calloc(n ? n : 1, sizeof *addrs);
	if (!addrs) {
		freeifaddrs(ifa);
		return -ENOMEM;
	}
	size_t k = 0;
	for (struct ifaddrs *i = ifa; i; i = i->ifa_next) {
		if (!i->ifa_addr)
			continue;
		if (i->ifa_addr->sa_family == AF_INET) {
			addrs[k].family = AF_INET;
			memcpy(addrs[k].a, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, 4);
			k++;
		} else if (i->ifa_addr->sa_family == AF_INET6) {
			addrs[k].family = AF_INET6;
			memcpy(addrs[k].a, &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr, 16);
			k++;
		}
	}
	freeifaddrs(ifa);
	free(dl->addrs);
	dl->addrs = addrs;
	dl->naddrs = k;
	return 0;
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
			changed = true;
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
		if (dl->addrs[i].family == family && memcmp(dl->addrs[i].a, a, len) == 0)
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
