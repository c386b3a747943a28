/* What the C library learns about the network (over NETLINK_ROUTE and
 * the interface ioctls): getifaddrs finds lo with 127.0.0.1/8 and ::1,
 * if_nametoindex / if_indextoname / if_nameindex agree, the SIOCGIF*
 * ioctls on an AF_UNIX socket describe lo, setting flags needs
 * CAP_NET_ADMIN, and getaddrinfo("localhost") works with AI_ADDRCONFIG.
 * Only lo is asserted: a host has other interfaces. */
#include "check.h"
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

static void check_getifaddrs(unsigned lo_index)
{
    struct ifaddrs *list;
    CHECK_OK(getifaddrs(&list));
    bool v4 = false, v6 = false, packet = false;
    for (struct ifaddrs *i = list; i; i = i->ifa_next) {
        CHECK(i->ifa_name != NULL);
        if (strcmp(i->ifa_name, "lo") != 0 || !i->ifa_addr)
            continue;
        CHECK(i->ifa_flags & IFF_LOOPBACK);
        CHECK(i->ifa_flags & IFF_UP);
        switch (i->ifa_addr->sa_family) {
        case AF_INET: {
            struct sockaddr_in *a = (struct sockaddr_in *)i->ifa_addr;
            struct sockaddr_in *m = (struct sockaddr_in *)i->ifa_netmask;
            if (a->sin_addr.s_addr != htonl(INADDR_LOOPBACK))
                break;
            CHECK(m != NULL);
            CHECK_EQ(m->sin_addr.s_addr, htonl(0xff000000));
            v4 = true;
            break;
        }
        case AF_INET6: {
            struct sockaddr_in6 *a = (struct sockaddr_in6 *)i->ifa_addr;
            if (memcmp(&a->sin6_addr, &in6addr_loopback, 16) != 0)
                break;
            struct sockaddr_in6 *m = (struct sockaddr_in6 *)i->ifa_netmask;
            CHECK(m != NULL);
            static const uint8_t all[16] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                             0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
            CHECK_MEMEQ(&m->sin6_addr, all, 16);
            v6 = true;
            break;
        }
        case AF_PACKET: {
            struct sockaddr_ll *ll = (struct sockaddr_ll *)i->ifa_addr;
            CHECK_EQ(ll->sll_ifindex, (int)lo_index);
            CHECK_EQ(ll->sll_hatype, ARPHRD_LOOPBACK);
            CHECK(i->ifa_data != NULL);   /* the link's statistics */
            packet = true;
            break;
        }
        }
    }
    freeifaddrs(list);
    CHECK(v4);
    CHECK(v6);
    CHECK(packet);
}

static void check_names(unsigned lo_index)
{
    char name[IF_NAMESIZE];
    CHECK(if_indextoname(lo_index, name) != NULL);
    CHECK_STREQ(name, "lo");
    errno = 0;
    CHECK_EQ(if_nametoindex("nosuchdev0"), 0);
    CHECK_EQ(errno, ENODEV);
    errno = 0;
    CHECK(if_indextoname(0x7ffffff0, name) == NULL);
    CHECK_EQ(errno, ENXIO);
    struct if_nameindex *ni = if_nameindex();
    CHECK(ni != NULL);
    bool found = false;
    for (struct if_nameindex *p = ni; p->if_index; p++)
        if (strcmp(p->if_name, "lo") == 0) {
            CHECK_EQ(p->if_index, lo_index);
            found = true;
        }
    if_freenameindex(ni);
    CHECK(found);
}

static void check_ioctls(unsigned lo_index)
{
    int fd = CHECK_OK(socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    strcpy(ifr.ifr_name, "lo");
    CHECK_OK(ioctl(fd, SIOCGIFINDEX, &ifr));
    CHECK_EQ((unsigned)ifr.ifr_ifindex, lo_index);
    CHECK_OK(ioctl(fd, SIOCGIFFLAGS, &ifr));
    CHECK(ifr.ifr_flags & IFF_LOOPBACK);
    CHECK(ifr.ifr_flags & IFF_UP);
    CHECK(ifr.ifr_flags & IFF_RUNNING);
    CHECK_OK(ioctl(fd, SIOCGIFMTU, &ifr));
    CHECK(ifr.ifr_mtu >= 1280);
    CHECK_OK(ioctl(fd, SIOCGIFHWADDR, &ifr));
    CHECK_EQ(ifr.ifr_hwaddr.sa_family, ARPHRD_LOOPBACK);
    /* An alias label names its device. */
    strcpy(ifr.ifr_name, "lo:7");
    CHECK_OK(ioctl(fd, SIOCGIFINDEX, &ifr));
    CHECK_EQ((unsigned)ifr.ifr_ifindex, lo_index);
    CHECK_STREQ(ifr.ifr_name, "lo:7");
    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_ifindex = (int)lo_index;
    CHECK_OK(ioctl(fd, SIOCGIFNAME, &ifr));
    CHECK_STREQ(ifr.ifr_name, "lo");
    strcpy(ifr.ifr_name, "nosuchdev0");
    CHECK_ERR(ioctl(fd, SIOCGIFFLAGS, &ifr), ENODEV);
    ifr.ifr_ifindex = 0x7ffffff0;
    CHECK_ERR(ioctl(fd, SIOCGIFNAME, &ifr), ENODEV);
    /* The IPv4 address ioctls are AF_INET's, not the device layer's. */
    strcpy(ifr.ifr_name, "lo");
    CHECK_ERR(ioctl(fd, SIOCGIFADDR, &ifr), ENOTTY);

    /* SIOCGIFCONF: the size needed, then lo among the entries. */
    struct ifconf ifc = { .ifc_len = 0, .ifc_buf = NULL };
    CHECK_OK(ioctl(fd, SIOCGIFCONF, &ifc));
    CHECK(ifc.ifc_len >= (int)sizeof(struct ifreq));
    CHECK_EQ(ifc.ifc_len % (int)sizeof(struct ifreq), 0);
    struct ifreq reqs[32];
    ifc.ifc_len = sizeof reqs;
    ifc.ifc_req = reqs;
    CHECK_OK(ioctl(fd, SIOCGIFCONF, &ifc));
    bool found = false;
    for (int i = 0; i < ifc.ifc_len / (int)sizeof(struct ifreq); i++) {
        struct sockaddr_in *a = (struct sockaddr_in *)&reqs[i].ifr_addr;
        CHECK_EQ(a->sin_family, AF_INET);
        if (strcmp(reqs[i].ifr_name, "lo") == 0 && a->sin_addr.s_addr == htonl(INADDR_LOOPBACK))
            found = true;
    }
    CHECK(found);
    /* A buffer too small for one entry gets none. */
    ifc.ifc_len = sizeof(struct ifreq) - 1;
    CHECK_OK(ioctl(fd, SIOCGIFCONF, &ifc));
    CHECK_EQ(ifc.ifc_len, 0);
    CHECK_ERR(ioctl(fd, SIOCGIFCONF, BAD_PTR), EFAULT);

    /* Changing an interface needs CAP_NET_ADMIN. */
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        CHECK_OK(setgid(65534));
        CHECK_OK(setuid(65534));
        strcpy(ifr.ifr_name, "lo");
        CHECK_OK(ioctl(fd, SIOCGIFFLAGS, &ifr));
        CHECK_ERR(ioctl(fd, SIOCSIFFLAGS, &ifr), EPERM);
        ifr.ifr_mtu = 1500;
        CHECK_ERR(ioctl(fd, SIOCSIFMTU, &ifr), EPERM);
        exit(0);
    }
    CHECK_CHILD_EXIT(pid, 0);
    close(fd);
}

static void check_getaddrinfo(void)
{
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                              .ai_flags = AI_ADDRCONFIG };
    struct addrinfo *res;
    CHECK_EQ(getaddrinfo("localhost", "80", &hints, &res), 0);
    bool v4 = false;
    for (struct addrinfo *p = res; p; p = p->ai_next) {
        CHECK_EQ(p->ai_socktype, SOCK_STREAM);
        if (p->ai_family == AF_INET) {
            struct sockaddr_in *a = (struct sockaddr_in *)p->ai_addr;
            CHECK_EQ(a->sin_port, htons(80));
            v4 |= a->sin_addr.s_addr == htonl(INADDR_LOOPBACK);
        }
    }
    freeaddrinfo(res);
    CHECK(v4);
    /* Numeric hosts need no lookup at all. */
    hints.ai_flags = AI_NUMERICHOST | AI_ADDRCONFIG;
    CHECK_EQ(getaddrinfo("127.0.0.1", NULL, &hints, &res), 0);
    CHECK_EQ(res->ai_family, AF_INET);
    freeaddrinfo(res);
}

int main(void)
{
    unsigned lo = if_nametoindex("lo");
    CHECK(lo > 0);
    check_getifaddrs(lo);
    check_names(lo);
    check_ioctls(lo);
    check_getaddrinfo();
    return 0;
}
