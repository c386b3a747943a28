/*
 * net_kernel: get around the policy gate through the kernel's other network
 * interfaces: raw IP and packet sockets (which would send any packet to any
 * address), netlink route/address/link/neighbour changes (a route or an
 * address that makes a forbidden host "local", a new interface), the other
 * netlink families (netfilter, xfrm...), the interface and route ioctls,
 * every other address family (vsock to the host, AF_KEY, AF_ALG, AF_XDP...),
 * and the network sysctls.
 *
 *   net_kernel TARGET4 TARGET6
 *
 * TARGETs are forbidden addresses (the forbidden test host, or the host's
 * own address under the default policy): a raw or packet socket that opened
 * anyway must not deliver a packet there (run.sh counts).  run.sh also
 * checks the host's routes, addresses, links and sysctls did not change.
 */
#include "attack.h"

#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <linux/fib_rules.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>
#include <net/route.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

static struct in_addr t4;
static struct in6_addr t6;

/* --- raw and packet sockets ---------------------------------------------------- */

/* A socket that must not open; if it does, a packet to the target must not
 * go (the escape is reported either way). */
static void raw_socket(const char *name, int fam, int type, int proto)
{
    int fd = socket(fam, type, proto);
    if (fd < 0) {
        refused(name, "%s", attack_errname(errno));
        return;
    }
    uint8_t pkt[64] = {0x45, 0, 0, 28, 0, 0, 0, 0, 64, 17};
    memcpy(pkt + 16, &t4, 4);
    long r;
    if (fam == AF_INET) {
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr = t4};
        r = sendto(fd, pkt, 28, 0, (struct sockaddr *)&sa, sizeof sa);
    } else if (fam == AF_INET6) {
        struct sockaddr_in6 sa = {.sin6_family = AF_INET6, .sin6_addr = t6};
        r = sendto(fd, pkt, 28, 0, (struct sockaddr *)&sa, sizeof sa);
    } else {
        struct sockaddr_ll ll = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IP),
                                 .sll_ifindex = 2, .sll_halen = 6};
        r = sendto(fd, pkt, sizeof pkt, 0, (struct sockaddr *)&ll, sizeof ll);
    }
    escaped(name, "socket opened (fd %d); a send to the target: %s", fd,
            r < 0 ? attack_errname(errno) : "sent");
    close(fd);
}

static void raw_sockets(void)
{
    static const struct {
        const char *name;
        int proto;
    } protos[] = {{"raw", IPPROTO_RAW}, {"icmp", IPPROTO_ICMP}, {"tcp", IPPROTO_TCP},
                  {"udp", IPPROTO_UDP}, {"ip", 0},           {"icmpv6", IPPROTO_ICMPV6},
                  {"sctp", IPPROTO_SCTP}, {"gre", IPPROTO_GRE}};
    char name[64];

    for (size_t i = 0; i < sizeof protos / sizeof protos[0]; i++) {
        snprintf(name, sizeof name, "socket-inet-raw-%s", protos[i].name);
        raw_socket(name, AF_INET, SOCK_RAW, protos[i].proto);
        snprintf(name, sizeof name, "socket-inet6-raw-%s", protos[i].name);
        raw_socket(name, AF_INET6, SOCK_RAW, protos[i].proto);
    }
    raw_socket("socket-packet-raw-all", AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
    raw_socket("socket-packet-raw-ip", AF_PACKET, SOCK_RAW, htons(ETH_P_IP));
    raw_socket("socket-packet-dgram-ip", AF_PACKET, SOCK_DGRAM, htons(ETH_P_IP));
    raw_socket("socket-inet-sock-packet", AF_INET, SOCK_PACKET, htons(ETH_P_ALL));
    raw_socket("socket-packet-packet", AF_PACKET, SOCK_PACKET, htons(ETH_P_ALL));
    /* other protocol numbers on stream and datagram sockets: SCTP, UDP-Lite,
     * MPTCP, DCCP would each be a transport the policy does not judge */
    static const struct {
        const char *name;
        int type, proto;
    } odd[] = {{"sctp-stream", SOCK_STREAM, IPPROTO_SCTP},
               {"sctp-seqpacket", SOCK_SEQPACKET, IPPROTO_SCTP},
               {"udplite", SOCK_DGRAM, IPPROTO_UDPLITE},
               {"mptcp", SOCK_STREAM, 262},
               {"dccp", 6 /* SOCK_DCCP */, 33},
               {"rdm", SOCK_RDM, 0}};
    for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
        for (int fam = AF_INET; fam <= AF_INET6; fam += AF_INET6 - AF_INET) {
            snprintf(name, sizeof name, "socket-%s-%s", fam == AF_INET ? "inet" : "inet6",
                     odd[i].name);
            int fd = socket(fam, odd[i].type, odd[i].proto);
            if (fd >= 0) {
                escaped(name, "a socket of a transport the policy does not know");
                close(fd);
            } else {
                refused(name, "%s", attack_errname(errno));
            }
        }
    }
    /* IP_HDRINCL on a UDP socket: the guest would write its own headers */
    int fd = socket(AF_INET, SOCK_DGRAM, 0), one = 1;
    expect_fail("setsockopt-udp-ip-hdrincl", setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &one, sizeof one));
    close(fd);
}

/* --- netlink ------------------------------------------------------------------------ */

struct nlreq {
    struct nlmsghdr h;
    union {
        struct rtmsg rt;
        struct ifaddrmsg ifa;
        struct ifinfomsg ifi;
        struct ndmsg nd;
    } u;
    char attrs[256];
};

static void add_attr(struct nlreq *r, int type, const void *data, size_t len)
{
    struct rtattr *a = (struct rtattr *)((char *)r + NLMSG_ALIGN(r->h.nlmsg_len));
    a->rta_type = (unsigned short)type;
    a->rta_len = (unsigned short)RTA_LENGTH(len);
    memcpy(RTA_DATA(a), data, len);
    r->h.nlmsg_len = NLMSG_ALIGN(r->h.nlmsg_len) + RTA_ALIGN(a->rta_len);
}

/* Sends one request with NLM_F_ACK and returns the error in the ack
 * (0: accepted), or -errno of the socket calls. */
static int nl_talk(int fd, struct nlreq *r)
{
    static uint32_t seq = 100;
    char buf[8192];

    r->h.nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
    r->h.nlmsg_seq = ++seq;
    if (send(fd, r, r->h.nlmsg_len, 0) < 0)
        return -errno;
    for (;;) {
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n < 0)
            return -errno;
        for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n);
             h = NLMSG_NEXT(h, n)) {
            if (h->nlmsg_seq != r->h.nlmsg_seq)
                continue;
            if (h->nlmsg_type == NLMSG_ERROR)
                return ((struct nlmsgerr *)NLMSG_DATA(h))->error;
            if (h->nlmsg_type == NLMSG_DONE)
                return 0;
        }
    }
}

static void nl_expect_refused(const char *name, int fd, struct nlreq *r)
{
    int e = nl_talk(fd, r);
    if (e < 0)
        refused(name, "%s", attack_errname(-e));
    else
        escaped(name, "the kernel acknowledged the change");
}

static struct nlreq route_req(int type, int fam, unsigned flags)
{
    struct nlreq r = {.h = {.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg)),
                            .nlmsg_type = (unsigned short)type,
                            .nlmsg_flags = (unsigned short)flags}};
    r.u.rt.rtm_family = (unsigned char)fam;
    r.u.rt.rtm_table = RT_TABLE_MAIN;
    r.u.rt.rtm_protocol = RTPROT_STATIC;
    r.u.rt.rtm_scope = RT_SCOPE_UNIVERSE;
    r.u.rt.rtm_type = RTN_UNICAST;
    return r;
}

/* A dump of the sandbox's routes, to see that none changed. */
static int route_count(int fd)
{
    struct nlreq r = route_req(RTM_GETROUTE, AF_UNSPEC, NLM_F_DUMP);
    char buf[16384];
    int count = 0;

    r.h.nlmsg_flags |= NLM_F_REQUEST;
    r.h.nlmsg_seq = 1;
    if (send(fd, &r, r.h.nlmsg_len, 0) < 0)
        return -1;
    for (;;) {
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n <= 0)
            return -1;
        for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n);
             h = NLMSG_NEXT(h, n)) {
            if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR)
                return count;
            count++;
        }
    }
}

static void netlink_route(void)
{
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0) {
        refused("netlink-route-socket", "%s (nothing to change through)", attack_errname(errno));
        return;
    }
    struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
    bind(fd, (struct sockaddr *)&sa, sizeof sa);
    int before = route_count(fd);
    int lo = 1, eth0 = 2;
    struct nlreq r;

    /* a default route through the forbidden host, and one to it by lo */
    r = route_req(RTM_NEWROUTE, AF_INET, NLM_F_CREATE | NLM_F_REPLACE);
    add_attr(&r, RTA_GATEWAY, &t4, 4);
    add_attr(&r, RTA_OIF, &eth0, 4);
    nl_expect_refused("rtm-newroute-default-via-target", fd, &r);
    r = route_req(RTM_NEWROUTE, AF_INET, NLM_F_CREATE | NLM_F_EXCL);
    r.u.rt.rtm_dst_len = 32;
    add_attr(&r, RTA_DST, &t4, 4);
    add_attr(&r, RTA_OIF, &lo, 4);
    nl_expect_refused("rtm-newroute-target-via-lo", fd, &r);
    r = route_req(RTM_NEWROUTE, AF_INET, NLM_F_CREATE | NLM_F_EXCL);
    r.u.rt.rtm_dst_len = 32;
    r.u.rt.rtm_type = RTN_LOCAL;
    r.u.rt.rtm_table = RT_TABLE_LOCAL;
    r.u.rt.rtm_scope = RT_SCOPE_HOST;
    add_attr(&r, RTA_DST, &t4, 4);
    add_attr(&r, RTA_OIF, &lo, 4);
    nl_expect_refused("rtm-newroute-local-target", fd, &r);
    r = route_req(RTM_NEWROUTE, AF_INET6, NLM_F_CREATE | NLM_F_REPLACE);
    add_attr(&r, RTA_GATEWAY, &t6, 16);
    add_attr(&r, RTA_OIF, &eth0, 4);
    nl_expect_refused("rtm-newroute-default6-via-target", fd, &r);
    r = route_req(RTM_DELROUTE, AF_INET, 0);
    nl_expect_refused("rtm-delroute-default", fd, &r);
    r = route_req(RTM_DELROUTE, AF_INET6, 0);
    nl_expect_refused("rtm-delroute-default6", fd, &r);

    /* the target's address on lo or eth0 (it would be "local") */
    for (int fam = AF_INET; fam <= AF_INET6; fam += AF_INET6 - AF_INET) {
        for (int ifx = 1; ifx <= 2; ifx++) {
            char name[64];
            r = (struct nlreq){.h = {.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg)),
                                     .nlmsg_type = RTM_NEWADDR,
                                     .nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL}};
            r.u.ifa.ifa_family = (unsigned char)fam;
            r.u.ifa.ifa_prefixlen = fam == AF_INET ? 32 : 128;
            r.u.ifa.ifa_index = (unsigned)ifx;
            add_attr(&r, IFA_LOCAL, fam == AF_INET ? (void *)&t4 : (void *)&t6,
                     fam == AF_INET ? 4 : 16);
            add_attr(&r, IFA_ADDRESS, fam == AF_INET ? (void *)&t4 : (void *)&t6,
                     fam == AF_INET ? 4 : 16);
            snprintf(name, sizeof name, "rtm-newaddr%s-target-on-%s", fam == AF_INET ? "" : "6",
                     ifx == 1 ? "lo" : "eth0");
            nl_expect_refused(name, fd, &r);
        }
    }
    r = (struct nlreq){.h = {.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg)),
                             .nlmsg_type = RTM_DELADDR}};
    r.u.ifa.ifa_family = AF_INET;
    r.u.ifa.ifa_index = 2;
    r.u.ifa.ifa_prefixlen = 24;
    struct in_addr own;
    inet_pton(AF_INET, "10.0.2.100", &own);
    add_attr(&r, IFA_LOCAL, &own, 4);
    nl_expect_refused("rtm-deladdr-eth0", fd, &r);

    /* links: a new dummy/veth/macvlan, eth0 down, eth0 renamed */
    static const char *const kinds[] = {"dummy", "veth", "macvlan", "ipip", "vxlan"};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        char name[64];
        r = (struct nlreq){.h = {.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)),
                                 .nlmsg_type = RTM_NEWLINK,
                                 .nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL}};
        add_attr(&r, IFLA_IFNAME, "pwned0", 7);
        char li[64];
        struct rtattr *a = (struct rtattr *)li;
        a->rta_type = IFLA_INFO_KIND;
        a->rta_len = (unsigned short)RTA_LENGTH(strlen(kinds[i]) + 1);
        strcpy(RTA_DATA(a), kinds[i]);
        add_attr(&r, IFLA_LINKINFO, li, RTA_ALIGN(a->rta_len));
        snprintf(name, sizeof name, "rtm-newlink-%s", kinds[i]);
        nl_expect_refused(name, fd, &r);
    }
    r = (struct nlreq){.h = {.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)),
                             .nlmsg_type = RTM_NEWLINK}};
    r.u.ifi.ifi_index = 2;
    r.u.ifi.ifi_change = IFF_UP;
    nl_expect_refused("rtm-newlink-eth0-down", fd, &r);
    r = (struct nlreq){.h = {.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)),
                             .nlmsg_type = RTM_SETLINK}};
    r.u.ifi.ifi_index = 2;
    add_attr(&r, IFLA_IFNAME, "pwned1", 7);
    nl_expect_refused("rtm-setlink-eth0-rename", fd, &r);
    r = (struct nlreq){.h = {.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)),
                             .nlmsg_type = RTM_DELLINK}};
    r.u.ifi.ifi_index = 2;
    nl_expect_refused("rtm-dellink-eth0", fd, &r);

    /* a permanent neighbour entry for the target */
    r = (struct nlreq){.h = {.nlmsg_len = NLMSG_LENGTH(sizeof(struct ndmsg)),
                             .nlmsg_type = RTM_NEWNEIGH,
                             .nlmsg_flags = NLM_F_CREATE | NLM_F_REPLACE}};
    r.u.nd.ndm_family = AF_INET;
    r.u.nd.ndm_ifindex = 2;
    r.u.nd.ndm_state = NUD_PERMANENT;
    static const uint8_t mac[6] = {2, 0, 0, 0, 0, 1};
    add_attr(&r, NDA_DST, &t4, 4);
    add_attr(&r, NDA_LLADDR, mac, 6);
    nl_expect_refused("rtm-newneigh-target", fd, &r);

    /* policy routing, traffic control */
    r = (struct nlreq){.h = {.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg)),
                             .nlmsg_type = RTM_NEWRULE,
                             .nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL}};
    r.u.rt.rtm_family = AF_INET;
    r.u.rt.rtm_table = RT_TABLE_LOCAL;
    r.u.rt.rtm_type = FR_ACT_TO_TBL;
    nl_expect_refused("rtm-newrule", fd, &r);
    r = (struct nlreq){.h = {.nlmsg_len = NLMSG_LENGTH(sizeof(struct tcmsg)),
                             .nlmsg_type = RTM_NEWQDISC,
                             .nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL}};
    nl_expect_refused("rtm-newqdisc", fd, &r);

    int after = route_count(fd);
    if (before >= 0 && after == before)
        refused("routes-unchanged", "%d routes before and after", before);
    else
        escaped("routes-unchanged", "%d routes before, %d after", before, after);
    close(fd);
}

static void netlink_families(void)
{
    static const char *const names[] = {
        [NETLINK_USERSOCK] = "usersock",   [NETLINK_FIREWALL] = "firewall",
        [NETLINK_SOCK_DIAG] = "sock_diag", [NETLINK_NFLOG] = "nflog",
        [NETLINK_XFRM] = "xfrm",           [NETLINK_SELINUX] = "selinux",
        [NETLINK_ISCSI] = "iscsi",         [NETLINK_AUDIT] = "audit",
        [NETLINK_FIB_LOOKUP] = "fib_lookup", [NETLINK_CONNECTOR] = "connector",
        [NETLINK_NETFILTER] = "netfilter", [NETLINK_IP6_FW] = "ip6_fw",
        [NETLINK_DNRTMSG] = "dnrtmsg",     [NETLINK_KOBJECT_UEVENT] = "kobject_uevent",
        [NETLINK_GENERIC] = "generic",     [NETLINK_SCSITRANSPORT] = "scsitransport",
        [NETLINK_ECRYPTFS] = "ecryptfs",   [NETLINK_RDMA] = "rdma",
        [NETLINK_CRYPTO] = "crypto",       [NETLINK_SMC] = "smc",
    };
    char name[64];

    for (int p = 1; p < 32; p++) {
        snprintf(name, sizeof name, "netlink-%s", p < (int)(sizeof names / sizeof names[0]) &&
                                                          names[p] ? names[p] : "unknown");
        if (strcmp(name, "netlink-unknown") == 0)
            snprintf(name, sizeof name, "netlink-%d", p);
        int fd = socket(AF_NETLINK, SOCK_RAW, p);
        if (fd >= 0) {
            escaped(name, "a netlink socket of protocol %d opened", p);
            close(fd);
        } else {
            refused(name, "%s", attack_errname(errno));
        }
    }
}

/* --- ioctls ------------------------------------------------------------------------- */

static void ioctls(void)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    int ufd = socket(AF_UNIX, SOCK_DGRAM, 0);
    struct rtentry rt = {0};
    struct sockaddr_in *gw = (struct sockaddr_in *)&rt.rt_gateway;
    gw->sin_family = AF_INET;
    gw->sin_addr = t4;
    ((struct sockaddr_in *)&rt.rt_dst)->sin_family = AF_INET;
    ((struct sockaddr_in *)&rt.rt_genmask)->sin_family = AF_INET;
    rt.rt_flags = RTF_UP | RTF_GATEWAY;
    rt.rt_dev = "eth0";

    for (int i = 0; i < 2; i++) {
        int s = i ? ufd : fd;
        const char *on = i ? "unix" : "inet";
        char name[64];
        struct {
            const char *name;
            unsigned long req;
            void *arg;
        } calls[] = {{"siocaddrt", SIOCADDRT, &rt}, {"siocdelrt", SIOCDELRT, &rt}};
        for (size_t k = 0; k < 2; k++) {
            snprintf(name, sizeof name, "ioctl-%s-%s", calls[k].name, on);
            expect_fail(name, ioctl(s, calls[k].req, calls[k].arg));
        }
        static const struct {
            const char *name;
            unsigned long req;
        } ifcalls[] = {{"siocsifaddr", SIOCSIFADDR},       {"siocsifflags", SIOCSIFFLAGS},
                       {"siocsifnetmask", SIOCSIFNETMASK}, {"siocsifbrdaddr", SIOCSIFBRDADDR},
                       {"siocsifdstaddr", SIOCSIFDSTADDR}, {"siocsifmtu", SIOCSIFMTU},
                       {"siocsifhwaddr", SIOCSIFHWADDR},   {"siocsifname", SIOCSIFNAME},
                       {"siocsiftxqlen", SIOCSIFTXQLEN},   {"siocaddmulti", SIOCADDMULTI},
                       {"siocdifaddr", SIOCDIFADDR},       {"siocsarp", SIOCSARP},
                       {"siocdarp", SIOCDARP},             {"siocbraddbr", SIOCBRADDBR},
                       {"siocsifpflags", SIOCSIFPFLAGS},   {"siocsiflink", SIOCSIFLINK}};
        for (size_t k = 0; k < sizeof ifcalls / sizeof ifcalls[0]; k++) {
            struct ifreq ifr = {0};
            strcpy(ifr.ifr_name, k == 7 ? "eth0" : "eth0");
            struct sockaddr_in *a = (struct sockaddr_in *)&ifr.ifr_addr;
            a->sin_family = AF_INET;
            a->sin_addr = t4;
            if (ifcalls[k].req == SIOCSIFFLAGS)
                ifr.ifr_flags = 0; /* down */
            if (ifcalls[k].req == SIOCSIFNAME)
                strcpy(ifr.ifr_newname, "pwned0");
            if (ifcalls[k].req == SIOCSARP || ifcalls[k].req == SIOCDARP) {
                struct arpreq ar = {0};
                memcpy(&ar.arp_pa, a, sizeof *a);
                ar.arp_flags = ATF_PERM | ATF_COM;
                strcpy(ar.arp_dev, "eth0");
                snprintf(name, sizeof name, "ioctl-%s-%s", ifcalls[k].name, on);
                expect_fail(name, ioctl(s, ifcalls[k].req, &ar));
                continue;
            }
            snprintf(name, sizeof name, "ioctl-%s-%s", ifcalls[k].name, on);
            expect_fail(name, ioctl(s, ifcalls[k].req, &ifr));
        }
    }
    close(fd);
    close(ufd);
}

/* --- other address families ------------------------------------------------------ */

static void families(void)
{
    static const int types[] = {SOCK_STREAM, SOCK_DGRAM, SOCK_RAW, SOCK_SEQPACKET, SOCK_RDM,
                                SOCK_PACKET};
    char name[64];

    for (int fam = 0; fam < 64; fam++) {
        if (fam == AF_UNIX || fam == AF_INET || fam == AF_INET6 || fam == AF_NETLINK)
            continue;
        int opened = 0, last = 0;
        for (size_t k = 0; k < sizeof types / sizeof types[0]; k++) {
            for (int proto = 0; proto <= 1; proto++) {
                int fd = socket(fam, types[k], proto);
                if (fd >= 0) {
                    opened++;
                    close(fd);
                } else {
                    last = errno;
                }
            }
        }
        snprintf(name, sizeof name, "socket-family-%d", fam);
        if (opened)
            escaped(name, "%d of 12 type/protocol pairs opened", opened);
        else
            refused(name, "every type: %s", attack_errname(last));
    }
    /* and the named ones an attacker would reach for, by what they would do */
    struct {
        const char *name;
        int fam, type;
    } named[] = {{"vsock-stream", 40, SOCK_STREAM}, {"vsock-dgram", 40, SOCK_DGRAM},
                 {"af-key", 15, SOCK_RAW},          {"af-alg", 38, SOCK_SEQPACKET},
                 {"af-xdp", 44, SOCK_RAW},          {"af-can", 29, SOCK_RAW},
                 {"af-bluetooth", 31, SOCK_RAW},    {"af-tipc", 30, SOCK_RDM},
                 {"af-rds", 21, SOCK_SEQPACKET},    {"af-smc", 43, SOCK_STREAM},
                 {"af-qipcrtr", 42, SOCK_DGRAM},    {"af-mctp", 45, SOCK_DGRAM},
                 {"af-llc", 26, SOCK_DGRAM},        {"af-ax25", 3, SOCK_SEQPACKET}};
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++) {
        snprintf(name, sizeof name, "socket-%s", named[i].name);
        int fd = socket(named[i].fam, named[i].type, 0);
        if (fd >= 0) {
            escaped(name, "opened");
            close(fd);
        } else {
            refused(name, "%s", attack_errname(errno));
        }
    }
    /* socketpair of network sockets would be a loop, not a way out; but it
     * must not return host sockets either */
    int sv[2];
    expect_fail("socketpair-inet-stream", socketpair(AF_INET, SOCK_STREAM, 0, sv));
    expect_fail("socketpair-inet6-dgram", socketpair(AF_INET6, SOCK_DGRAM, 0, sv));
}

/* --- sysctls ---------------------------------------------------------------------------- */

static void sysctls(void)
{
    static const struct {
        const char *path, *val;
    } w[] = {
        {"/proc/sys/net/ipv4/ip_forward", "1"},
        {"/proc/sys/net/ipv4/conf/all/route_localnet", "1"},
        {"/proc/sys/net/ipv4/conf/all/forwarding", "1"},
        {"/proc/sys/net/ipv6/conf/all/forwarding", "1"},
        {"/proc/sys/net/ipv4/ping_group_range", "0 2147483647"},
        {"/proc/sys/net/ipv4/ip_unprivileged_port_start", "0"},
        {"/proc/sys/net/ipv4/conf/all/accept_local", "1"},
        {"/proc/sys/net/core/bpf_jit_enable", "0"},
    };
    char name[96];

    for (size_t i = 0; i < sizeof w / sizeof w[0]; i++) {
        snprintf(name, sizeof name, "write-%s", w[i].path + strlen("/proc/sys/"));
        int fd = open(w[i].path, O_WRONLY);
        if (fd < 0) {
            refused(name, "open: %s", attack_errname(errno));
            continue;
        }
        ssize_t r = write(fd, w[i].val, strlen(w[i].val));
        close(fd);
        if (r < 0)
            refused(name, "write: %s", attack_errname(errno));
        else
            refused(name, "written, the sandbox's own (run.sh checks the host's value)");
    }
}

int main(int argc, char **argv)
{
    attack_begin("net");
    if (argc < 3 || inet_pton(AF_INET, argv[1], &t4) != 1 ||
        inet_pton(AF_INET6, argv[2], &t6) != 1) {
        fprintf(stderr, "usage: net_kernel TARGET4 TARGET6\n");
        return 2;
    }
    raw_sockets();
    netlink_route();
    netlink_families();
    ioctls();
    families();
    sysctls();
    return attack_end();
}
