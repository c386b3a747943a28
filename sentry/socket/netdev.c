/* The interface ioctls (net/core/dev_ioctl.c, dev_ifconf, and
 * devinet_ioctl for the IPv4 address ones), answered from the sandbox's
 * table (netstack/netconf.h).  glibc's if_nametoindex and
 * if_indextoname, and net-tools, use them on whatever socket they have
 * (an AF_UNIX one first).  Setting anything is EPERM (netlink.h).
 */
#include <errno.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>

#include "netstack/netconf.h"
#include "sentry/kernel/kernel.h"
#include "sentry/mm/mm.h"
#include "sentry/socket/netlink.h"

struct ifaces {
	struct net_iface v[NETCONF_MAX_IFACES];
	int n;
};

static void load(struct task *t, struct ifaces *ifs)
{
	ifs->n = netconf_ifaces(t->k->opts.net.mode, ifs->v, NETCONF_MAX_IFACES);
}

static const struct net_iface *by_name(const struct ifaces *ifs, const char *name)
{
	for (int i = 0; i < ifs->n; i++)
		if (strcmp(ifs->v[i].name, name) == 0)
			return &ifs->v[i];
	return NULL;
}

/* The interface's IPv4 address (a device has at most one here). */
static const struct net_iface_addr *v4_addr(const struct net_iface *ifc)
{
	for (int i = 0; i < ifc->naddrs; i++)
		if (ifc->addrs[i].family == AF_INET)
			return &ifc->addrs[i];
	return NULL;
}

/* dev_ifconf(): one struct ifreq (name, sockaddr_in) per IPv4 address;
 * with a NULL buffer, only the length needed. */
static long ifconf(struct task *t, uint64_t arg)
{
	struct ifconf ifc;
	if (copy_from_user(t, &ifc, arg, sizeof ifc) < 0)
		return -EFAULT;
	struct ifaces ifs;
	load(t, &ifs);
	uint64_t buf = (uint64_t)ifc.ifc_buf;
	int len = ifc.ifc_len, total = 0;
	for (int i = 0; i < ifs.n; i++) {
		const struct net_iface_addr *a = v4_addr(&ifs.v[i]);
		if (!a)
			continue;
		if (!buf) {
			total += (int)sizeof(struct ifreq);
			continue;
		}
		if (len - total < (int)sizeof(struct ifreq))
			break;
		struct ifreq ifr;
		memset(&ifr, 0, sizeof ifr);
		strncpy(ifr.ifr_name, ifs.v[i].name, IFNAMSIZ - 1);
		struct sockaddr_in sin = { .sin_family = AF_INET };
		memcpy(&sin.sin_addr, a->addr, 4);
		memcpy(&ifr.ifr_addr, &sin, sizeof sin);
		if (copy_to_user(t, buf + (uint64_t)total, &ifr, sizeof ifr) < 0)
			return -EFAULT;
		total += (int)sizeof(struct ifreq);
	}
	return copy_to_user(t, arg + offsetof(struct ifconf, ifc_len), &total, sizeof total);
}

static int may_configure(struct task *t, unsigned long cmd)
{
	/* Linux checks CAP_NET_ADMIN; nobody may configure the sandbox's
	 * network. */
	return -EPERM;
}

/* dev_ioctl() on the request in ifr (which goes back to the guest on
 * success). */
static long dev_ioctl(struct task *t, unsigned long cmd, struct ifreq *ifr)
{
	struct ifaces ifs;
	load(t, &ifs);
	if (cmd == SIOCGIFNAME) {
		for (int i = 0; i < ifs.n; i++) {
			if (ifs.v[i].index == ifr->ifr_ifindex) {
				memset(ifr->ifr_name, 0, IFNAMSIZ);
				strncpy(ifr->ifr_name, ifs.v[i].name, IFNAMSIZ - 1);
				return 0;
			}
		}
		return -ENODEV;
	}
	ifr->ifr_name[IFNAMSIZ - 1] = 0;
	char *colon = strchr(ifr->ifr_name, ':');   /* an alias ("eth0:1") is its device */
	if (colon)
		*colon = 0;
	const struct net_iface *dev = by_name(&ifs, ifr->ifr_name);
	if (colon)
		*colon = ':';
	switch (cmd) {
	case SIOCGIFHWADDR:
		if (!dev)
			return -ENODEV;
		memset(&ifr->ifr_hwaddr, 0, sizeof ifr->ifr_hwaddr);
		ifr->ifr_hwaddr.sa_family = (sa_family_t)dev->arphrd;
		memcpy(ifr->ifr_hwaddr.sa_data, dev->mac, 6);
		return 0;
	case SIOCGIFFLAGS:
	case SIOCGIFMETRIC:
	case SIOCGIFMTU:
	case SIOCGIFSLAVE:
	case SIOCGIFMAP:
	case SIOCGIFINDEX:
	case SIOCGIFTXQLEN:
		if (!dev)
			return -ENODEV;
		switch (cmd) {
		case SIOCGIFFLAGS:
			ifr->ifr_flags = (short)dev->flags;
			return 0;
		case SIOCGIFMETRIC:
			ifr->ifr_metric = 0;
			return 0;
		case SIOCGIFMTU:
			ifr->ifr_mtu = dev->mtu;
			return 0;
		case SIOCGIFSLAVE:
			return -EINVAL;
		case SIOCGIFMAP:
			memset(&ifr->ifr_map, 0, sizeof ifr->ifr_map);
			return 0;
		case SIOCGIFINDEX:
			ifr->ifr_ifindex = dev->index;
			return 0;
		default:
			ifr->ifr_qlen = 1000;
			return 0;
		}
	case SIOCETHTOOL:
		return dev ? -EOPNOTSUPP : -ENODEV;
	case SIOCGMIIPHY:
	case SIOCGMIIREG:
	case SIOCSIFNAME:
	case SIOCSIFMAP:
	case SIOCSIFTXQLEN:
	case SIOCSIFFLAGS:
	case SIOCSIFMETRIC:
	case SIOCSIFMTU:
	case SIOCSIFHWADDR:
	case SIOCSIFSLAVE:
	case SIOCADDMULTI:
	case SIOCDELMULTI:
	case SIOCSIFHWBROADCAST:
	case SIOCSMIIREG:
	case SIOCBONDENSLAVE:
	case SIOCBONDRELEASE:
	case SIOCBONDSETHWADDR:
	case SIOCBONDCHANGEACTIVE:
	case SIOCSHWTSTAMP:
		return may_configure(t, cmd);
	case SIOCBONDSLAVEINFOQUERY:
	case SIOCBONDINFOQUERY:
	case SIOCGHWTSTAMP:
	case SIOCWANDEV:
		return dev ? -EOPNOTSUPP : -ENODEV;
	default:
		if (cmd >= SIOCDEVPRIVATE && cmd <= SIOCDEVPRIVATE + 15)
			return dev ? -EOPNOTSUPP : -ENODEV;
		return -ENOTTY;
	}
}

long netdev_ioctl(struct task *t, unsigned long cmd, uint64_t arg)
{
	if (cmd == SIOCGIFCONF)
		return ifconf(t, arg);
	/* Only the socket ioctls reach dev_ioctl (is_socket_ioctl_cmd). */
	if ((cmd >> 8) != 0x89)
		return -ENOTTY;
	struct ifreq ifr;
	if (copy_from_user(t, &ifr, arg, sizeof ifr) < 0)
		return -EFAULT;
	long err = dev_ioctl(t, cmd, &ifr);
	if (err == 0 && copy_to_user(t, arg, &ifr, sizeof ifr) < 0)
		return -EFAULT;
	return err;
}

/* devinet_ioctl(): the address, broadcast, destination or netmask of
 * the IPv4 address labelled ifr_name ("eth0"; an alias label matches
 * nothing here). */
static long devinet_ioctl(struct task *t, unsigned long cmd, struct ifreq *ifr)
{
	switch (cmd) {
	case SIOCGIFADDR:
	case SIOCGIFBRDADDR:
	case SIOCGIFDSTADDR:
	case SIOCGIFNETMASK:
		break;
	case SIOCSIFFLAGS:
	case SIOCSIFADDR:
	case SIOCSIFBRDADDR:
	case SIOCSIFDSTADDR:
	case SIOCSIFNETMASK:
		return may_configure(t, cmd);
	default:
		return -EINVAL;
	}
	ifr->ifr_name[IFNAMSIZ - 1] = 0;
	char name[IFNAMSIZ];
	memcpy(name, ifr->ifr_name, IFNAMSIZ);
	char *colon = strchr(name, ':');
	if (colon)
		*colon = 0;
	struct ifaces ifs;
	load(t, &ifs);
	const struct net_iface *dev = by_name(&ifs, name);
	if (!dev)
		return -ENODEV;
	const struct net_iface_addr *a = v4_addr(dev);
	if (!a || colon)
		return -EADDRNOTAVAIL;
	struct sockaddr_in sin = { .sin_family = AF_INET };
	switch (cmd) {
	case SIOCGIFADDR:
	case SIOCGIFDSTADDR:
		memcpy(&sin.sin_addr, a->addr, 4);
		break;
	case SIOCGIFBRDADDR:
		memcpy(&sin.sin_addr, a->broadcast, 4);
		break;
	default:
		sin.sin_addr.s_addr = a->prefix ? htonl(~0U << (32 - a->prefix)) : 0;
		break;
	}
	memcpy(&ifr->ifr_addr, &sin, sizeof sin);
	return 0;
}

long netdev_inet_ioctl(struct task *t, unsigned long cmd, uint64_t arg)
{
	switch (cmd) {
	case SIOCGIFADDR:
	case SIOCGIFBRDADDR:
	case SIOCGIFNETMASK:
	case SIOCGIFDSTADDR:
	case SIOCSIFADDR:
	case SIOCSIFBRDADDR:
	case SIOCSIFNETMASK:
	case SIOCSIFDSTADDR:
	case SIOCSIFFLAGS:
		break;
	default:
		return -ENOIOCTLCMD;
	}
	struct ifreq ifr;
	if (copy_from_user(t, &ifr, arg, sizeof ifr) < 0)
		return -EFAULT;
	long err = devinet_ioctl(t, cmd, &ifr);
	bool get = cmd == SIOCGIFADDR || cmd == SIOCGIFBRDADDR || cmd == SIOCGIFNETMASK ||
		   cmd == SIOCGIFDSTADDR;
	if (err == 0 && get && copy_to_user(t, arg, &ifr, sizeof ifr) < 0)
		return -EFAULT;
	return err;
}
