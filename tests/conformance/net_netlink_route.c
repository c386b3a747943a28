/* AF_NETLINK, NETLINK_ROUTE: socket types and protocols, bind and port
 * ids, dumps of links, addresses and routes (structure only: a host has
 * more interfaces than "lo", so only what holds everywhere is asserted),
 * one link by index and by name, acknowledgements and error replies,
 * malformed requests dropped, the receive flags (MSG_PEEK, MSG_TRUNC,
 * MSG_DONTWAIT, blocking with a timeout and a signal), poll, options, and
 * the EPERM of configuration requests from an unprivileged process. */
#include "check.h"
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <sys/time.h>

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif
#ifndef NLM_F_CAPPED
#define NLM_F_CAPPED 0x100
#endif

static char buf[65536];

static int nl_open(void)
{
    return CHECK_OK(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
}

static uint32_t port_of(int fd)
{
    struct sockaddr_nl a;
    socklen_t len = sizeof a;
    memset(&a, 0xa5, sizeof a);
    CHECK_OK(getsockname(fd, (struct sockaddr *)&a, &len));
    CHECK_EQ(len, sizeof a);
    CHECK_EQ(a.nl_family, AF_NETLINK);
    CHECK_EQ(a.nl_pad, 0);
    return a.nl_pid;
}

/* A request of one family header (and optional attribute bytes). */
static void nl_send(int fd, uint16_t type, uint16_t flags, uint32_t seq, const void *hdr,
                    size_t hlen, const void *attrs, size_t alen)
{
    char req[512];
    struct nlmsghdr *h = (struct nlmsghdr *)req;
    size_t len = NLMSG_LENGTH(NLMSG_ALIGN(hlen) + alen);
    CHECK(len <= sizeof req);
    memset(req, 0, sizeof req);
    h->nlmsg_len = (uint32_t)len;
    h->nlmsg_type = type;
    h->nlmsg_flags = flags;
    h->nlmsg_seq = seq;
    if (hlen)
        memcpy(NLMSG_DATA(h), hdr, hlen);
    if (alen)
        memcpy((char *)NLMSG_DATA(h) + NLMSG_ALIGN(hlen), attrs, alen);
    struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
    CHECK_EQ(sendto(fd, req, len, 0, (struct sockaddr *)&kernel, sizeof kernel), (ssize_t)len);
}

/* One datagram; checks that it comes from the kernel. */
static ssize_t nl_recv(int fd, int flags)
{
    struct sockaddr_nl from;
    socklen_t flen = sizeof from;
    memset(&from, 0xa5, sizeof from);
    ssize_t n = recvfrom(fd, buf, sizeof buf, flags, (struct sockaddr *)&from, &flen);
    if (n >= 0) {
        CHECK_EQ(flen, sizeof from);
        CHECK_EQ(from.nl_family, AF_NETLINK);
        CHECK_EQ(from.nl_pid, 0);
        CHECK_EQ(from.nl_groups, 0);
    }
    return n;
}

/* The attribute of a type in a message after a family header of hlen. */
static struct rtattr *attr(struct nlmsghdr *h, size_t hlen, int type)
{
    int len = (int)h->nlmsg_len - (int)NLMSG_LENGTH(hlen);
    for (struct rtattr *a = (struct rtattr *)((char *)NLMSG_DATA(h) + NLMSG_ALIGN(hlen));
         RTA_OK(a, len); a = RTA_NEXT(a, len))
        if (a->rta_type == type)
            return a;
    return NULL;
}

/* Reads a whole dump of seq: calls fn on each message, checks the
 * multipart framing and the final NLMSG_DONE (error 0). */
static int dump(int fd, uint32_t seq, uint32_t port, uint16_t type,
                void (*fn)(struct nlmsghdr *h, void *arg), void *arg)
{
    int count = 0;
    for (;;) {
        ssize_t n = nl_recv(fd, 0);
        CHECK(n > 0);
        unsigned len = (unsigned)n;
        for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, len);
             h = NLMSG_NEXT(h, len)) {
            CHECK_EQ(h->nlmsg_seq, seq);
            CHECK_EQ(h->nlmsg_pid, port);
            CHECK(h->nlmsg_flags & NLM_F_MULTI);
            if (h->nlmsg_type == NLMSG_DONE) {
                CHECK_EQ(h->nlmsg_len, NLMSG_LENGTH(sizeof(int)));
                CHECK_EQ(*(int *)NLMSG_DATA(h), 0);
                return count;
            }
            CHECK_EQ(h->nlmsg_type, type);
            fn(h, arg);
            count++;
        }
        CHECK_EQ(len, 0);
    }
}

struct lo_link { int index; bool found; };

static void on_link(struct nlmsghdr *h, void *arg)
{
    struct lo_link *lo = arg;
    struct ifinfomsg *ifi = NLMSG_DATA(h);
    CHECK(ifi->ifi_index > 0);
    struct rtattr *name = attr(h, sizeof *ifi, IFLA_IFNAME);
    CHECK(name != NULL);
    CHECK(attr(h, sizeof *ifi, IFLA_MTU) != NULL);
    if (strcmp(RTA_DATA(name), "lo") == 0) {
        CHECK(ifi->ifi_flags & IFF_LOOPBACK);
        CHECK(ifi->ifi_flags & IFF_UP);
        CHECK_EQ(ifi->ifi_type, ARPHRD_LOOPBACK);
        lo->index = ifi->ifi_index;
        lo->found = true;
    }
}

struct addr_find { int family; int index; bool v4, v6; };

static void on_addr(struct nlmsghdr *h, void *arg)
{
    struct addr_find *f = arg;
    struct ifaddrmsg *ifa = NLMSG_DATA(h);
    if (f->family != AF_UNSPEC)
        CHECK_EQ(ifa->ifa_family, f->family);
    struct rtattr *a = attr(h, sizeof *ifa, IFA_ADDRESS);
    CHECK(a != NULL);
    if (ifa->ifa_family == AF_INET) {
        CHECK_EQ(RTA_PAYLOAD(a), 4);
        if (*(uint32_t *)RTA_DATA(a) == htonl(INADDR_LOOPBACK)) {
            CHECK_EQ(ifa->ifa_prefixlen, 8);
            CHECK_EQ((int)ifa->ifa_index, f->index);
            CHECK_EQ(ifa->ifa_scope, RT_SCOPE_HOST);
            struct rtattr *label = attr(h, sizeof *ifa, IFA_LABEL);
            CHECK(label != NULL);
            CHECK_STREQ(RTA_DATA(label), "lo");
            struct rtattr *local = attr(h, sizeof *ifa, IFA_LOCAL);
            CHECK(local != NULL);
            CHECK_EQ(*(uint32_t *)RTA_DATA(local), htonl(INADDR_LOOPBACK));
            f->v4 = true;
        }
    } else {
        CHECK_EQ(ifa->ifa_family, AF_INET6);
        CHECK_EQ(RTA_PAYLOAD(a), 16);
        if (memcmp(RTA_DATA(a), &in6addr_loopback, 16) == 0) {
            CHECK_EQ(ifa->ifa_prefixlen, 128);
            CHECK_EQ((int)ifa->ifa_index, f->index);
            f->v6 = true;
        }
    }
}

struct route_find { int family; int lo; bool local_lo; };

static void on_route(struct nlmsghdr *h, void *arg)
{
    struct route_find *f = arg;
    struct rtmsg *rtm = NLMSG_DATA(h);
    CHECK_EQ(rtm->rtm_family, f->family);
    struct rtattr *table = attr(h, sizeof *rtm, RTA_TABLE);
    CHECK(table != NULL);
    struct rtattr *dst = attr(h, sizeof *rtm, RTA_DST);
    CHECK_EQ(dst != NULL, rtm->rtm_dst_len != 0);
    struct rtattr *oif = attr(h, sizeof *rtm, RTA_OIF);
    /* "local 127.0.0.0/8 dev lo table local". */
    if (*(uint32_t *)RTA_DATA(table) == RT_TABLE_LOCAL && rtm->rtm_type == RTN_LOCAL &&
        rtm->rtm_dst_len == 8 && dst && *(uint32_t *)RTA_DATA(dst) == htonl(0x7f000000) &&
        oif && *(int *)RTA_DATA(oif) == f->lo) {
        CHECK_EQ(rtm->rtm_table, RT_TABLE_LOCAL);
        CHECK_EQ(rtm->rtm_scope, RT_SCOPE_HOST);
        f->local_lo = true;
    }
}

/* The NLMSG_ERROR answering seq; returns its error. */
static int expect_error(int fd, uint32_t seq, uint32_t port, size_t reqlen, bool capped)
{
    ssize_t n = nl_recv(fd, 0);
    CHECK(n > 0);
    struct nlmsghdr *h = (struct nlmsghdr *)buf;
    CHECK_EQ(h->nlmsg_type, NLMSG_ERROR);
    CHECK_EQ(h->nlmsg_seq, seq);
    CHECK_EQ(h->nlmsg_pid, port);
    struct nlmsgerr *e = NLMSG_DATA(h);
    CHECK_EQ(e->msg.nlmsg_seq, seq);
    CHECK_EQ(e->msg.nlmsg_len, reqlen);
    if (capped || e->error == 0) {
        CHECK(h->nlmsg_flags & NLM_F_CAPPED);
        CHECK_EQ(h->nlmsg_len, NLMSG_LENGTH(sizeof *e));
    } else {
        /* The whole request comes back after the error. */
        CHECK_EQ(h->nlmsg_len, NLMSG_LENGTH(sizeof(int)) + NLMSG_ALIGN(reqlen));
    }
    CHECK_EQ(n, (ssize_t)NLMSG_ALIGN(h->nlmsg_len));
    return e->error;
}

static void check_empty(int fd)
{
    CHECK_ERR(recv(fd, buf, sizeof buf, MSG_DONTWAIT), EAGAIN);
}

static void on_alarm(int sig)
{
    (void)sig;
}

/* A process without CAP_NET_ADMIN may read the configuration but not
 * change it, nor talk to other ports. */
static void unprivileged(void)
{
    CHECK_OK(setgid(65534));
    CHECK_OK(setuid(65534));
    int fd = nl_open();
    struct sockaddr_nl me = { .nl_family = AF_NETLINK };
    CHECK_OK(bind(fd, (struct sockaddr *)&me, sizeof me));
    uint32_t port = port_of(fd);
    CHECK_EQ(port, (uint32_t)getpid());
    struct ifaddrmsg ifa = { .ifa_family = AF_INET, .ifa_prefixlen = 24, .ifa_index = 1 };
    uint32_t a4 = htonl(0x0a090807);
    char at[8];
    struct rtattr *ra = (struct rtattr *)at;
    ra->rta_len = RTA_LENGTH(4);
    ra->rta_type = IFA_LOCAL;
    memcpy(RTA_DATA(ra), &a4, 4);
    size_t reqlen = NLMSG_LENGTH(sizeof ifa + sizeof at);
    nl_send(fd, RTM_NEWADDR, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE, 1, &ifa, sizeof ifa,
            at, sizeof at);
    CHECK_EQ(expect_error(fd, 1, port, reqlen, false), -EPERM);
    struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = 1 };
    nl_send(fd, RTM_DELLINK, NLM_F_REQUEST, 2, &ifi, sizeof ifi, NULL, 0);
    CHECK_EQ(expect_error(fd, 2, port, NLMSG_LENGTH(sizeof ifi), false), -EPERM);
    struct rtmsg rtm = { .rtm_family = AF_INET, .rtm_table = RT_TABLE_MAIN };
    nl_send(fd, RTM_NEWROUTE, NLM_F_REQUEST | NLM_F_CREATE, 3, &rtm, sizeof rtm, NULL, 0);
    CHECK_EQ(expect_error(fd, 3, port, NLMSG_LENGTH(sizeof rtm), false), -EPERM);
    /* Reading still works. */
    struct lo_link lo = { 0 };
    nl_send(fd, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 4, &ifi, sizeof ifi, NULL, 0);
    CHECK(dump(fd, 4, port, RTM_NEWLINK, on_link, &lo) >= 1);
    CHECK(lo.found);
    /* Only the kernel may be addressed. */
    struct sockaddr_nl other = { .nl_family = AF_NETLINK, .nl_pid = 12345 };
    CHECK_ERR(sendto(fd, buf, 16, 0, (struct sockaddr *)&other, sizeof other), EPERM);
    other.nl_pid = 0;
    other.nl_groups = 1;
    CHECK_ERR(sendto(fd, buf, 16, 0, (struct sockaddr *)&other, sizeof other), EPERM);
    /* Listening to groups is allowed on NETLINK_ROUTE. */
    me.nl_pid = port;
    me.nl_groups = RTMGRP_LINK;
    CHECK_OK(bind(fd, (struct sockaddr *)&me, sizeof me));
    struct sockaddr_nl got;
    socklen_t glen = sizeof got;
    CHECK_OK(getsockname(fd, (struct sockaddr *)&got, &glen));
    CHECK_EQ(got.nl_groups, RTMGRP_LINK);
    exit(0);
}

int main(void)
{
    /* Types and protocols. */
    CHECK_ERR(socket(AF_NETLINK, SOCK_STREAM, NETLINK_ROUTE), ESOCKTNOSUPPORT);
    CHECK_ERR(socket(AF_NETLINK, SOCK_SEQPACKET, NETLINK_ROUTE), ESOCKTNOSUPPORT);
    CHECK_ERR(socket(AF_NETLINK, SOCK_RAW, 32), EPROTONOSUPPORT);   /* MAX_LINKS */
    CHECK_ERR(socket(AF_NETLINK, SOCK_RAW, -1), EPROTONOSUPPORT);
    close(CHECK_OK(socket(AF_NETLINK, SOCK_DGRAM, NETLINK_ROUTE)));
    int fd = nl_open();
    int v;
    socklen_t vlen = sizeof v;
    CHECK_OK(getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &v, &vlen));
    CHECK_EQ(v, NETLINK_ROUTE);
    CHECK_OK(getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &v, &vlen));
    CHECK_EQ(v, AF_NETLINK);

    /* Unbound: port 0.  bind(0) gives the process's id as its port. */
    CHECK_EQ(port_of(fd), 0);
    struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
    CHECK_ERR(bind(fd, (struct sockaddr *)&sa, sizeof sa - 1), EINVAL);
    sa.nl_family = AF_INET;
    CHECK_ERR(bind(fd, (struct sockaddr *)&sa, sizeof sa), EINVAL);
    sa.nl_family = AF_NETLINK;
    CHECK_OK(bind(fd, (struct sockaddr *)&sa, sizeof sa));
    uint32_t port = port_of(fd);
    CHECK_EQ(port, (uint32_t)getpid());
    sa.nl_pid = port + 1;
    CHECK_ERR(bind(fd, (struct sockaddr *)&sa, sizeof sa), EINVAL);   /* already bound */
    sa.nl_pid = port;
    CHECK_OK(bind(fd, (struct sockaddr *)&sa, sizeof sa));
    /* Another socket cannot take the same port; its own autobind
     * (at its first send) picks another one. */
    int fd2 = nl_open();
    CHECK_ERR(bind(fd2, (struct sockaddr *)&sa, sizeof sa), EADDRINUSE);
    struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
    nl_send(fd2, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 7, &ifi, sizeof ifi, NULL, 0);
    uint32_t port2 = port_of(fd2);
    CHECK_NE(port2, 0);
    CHECK_NE(port2, port);
    struct lo_link lo2 = { 0 };
    CHECK(dump(fd2, 7, port2, RTM_NEWLINK, on_link, &lo2) >= 1);
    close(fd2);

    /* Empty: MSG_DONTWAIT and poll say so. */
    check_empty(fd);
    struct pollfd pfd = { .fd = fd, .events = POLLIN | POLLOUT };
    CHECK_EQ(poll(&pfd, 1, 0), 1);
    CHECK_EQ(pfd.revents, POLLOUT);

    /* The links: "lo" is among them, with IFF_LOOPBACK. */
    struct lo_link lo = { 0 };
    nl_send(fd, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 100, &ifi, sizeof ifi, NULL, 0);
    CHECK_EQ(poll(&pfd, 1, 1000), 1);
    CHECK_EQ(pfd.revents, POLLIN | POLLOUT);
    CHECK(dump(fd, 100, port, RTM_NEWLINK, on_link, &lo) >= 1);
    CHECK(lo.found);
    CHECK_EQ((unsigned)lo.index, if_nametoindex("lo"));
    check_empty(fd);

    /* The addresses: IPv4 only, IPv6 only, both. */
    struct ifaddrmsg ifa = { .ifa_family = AF_INET };
    struct addr_find af = { .family = AF_INET, .index = lo.index };
    nl_send(fd, RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, 101, &ifa, sizeof ifa, NULL, 0);
    CHECK(dump(fd, 101, port, RTM_NEWADDR, on_addr, &af) >= 1);
    CHECK(af.v4 && !af.v6);
    ifa.ifa_family = AF_INET6;
    af = (struct addr_find){ .family = AF_INET6, .index = lo.index };
    nl_send(fd, RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, 102, &ifa, sizeof ifa, NULL, 0);
    CHECK(dump(fd, 102, port, RTM_NEWADDR, on_addr, &af) >= 1);
    CHECK(af.v6 && !af.v4);
    struct rtgenmsg gen = { .rtgen_family = AF_UNSPEC };
    af = (struct addr_find){ .family = AF_UNSPEC, .index = lo.index };
    nl_send(fd, RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, 103, &gen, sizeof gen, NULL, 0);
    CHECK(dump(fd, 103, port, RTM_NEWADDR, on_addr, &af) >= 2);
    CHECK(af.v4 && af.v6);

    /* The IPv4 routes: table local routes 127/8 to lo. */
    struct rtmsg rtm = { .rtm_family = AF_INET };
    struct route_find rf = { .family = AF_INET, .lo = lo.index };
    nl_send(fd, RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP, 104, &rtm, sizeof rtm, NULL, 0);
    CHECK(dump(fd, 104, port, RTM_NEWROUTE, on_route, &rf) >= 1);
    CHECK(rf.local_lo);

    /* One link by index, acknowledged: the link (not multipart), then
     * the acknowledgement, capped to the request's header. */
    ifi.ifi_index = lo.index;
    nl_send(fd, RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, 105, &ifi, sizeof ifi, NULL, 0);
    ssize_t n = nl_recv(fd, 0);
    CHECK(n > 0);
    struct nlmsghdr *h = (struct nlmsghdr *)buf;
    CHECK_EQ(h->nlmsg_type, RTM_NEWLINK);
    CHECK_EQ(h->nlmsg_flags & NLM_F_MULTI, 0);
    CHECK_EQ(h->nlmsg_seq, 105);
    CHECK_EQ(((struct ifinfomsg *)NLMSG_DATA(h))->ifi_index, lo.index);
    CHECK_STREQ(RTA_DATA(attr(h, sizeof ifi, IFLA_IFNAME)), "lo");
    CHECK_EQ(expect_error(fd, 105, port, NLMSG_LENGTH(sizeof ifi), true), 0);

    /* By name. */
    char at[16];
    struct rtattr *ra = (struct rtattr *)at;
    ra->rta_type = IFLA_IFNAME;
    ra->rta_len = RTA_LENGTH(3);
    memcpy(RTA_DATA(ra), "lo", 3);
    ifi.ifi_index = 0;
    nl_send(fd, RTM_GETLINK, NLM_F_REQUEST, 106, &ifi, sizeof ifi, at, RTA_SPACE(3));
    CHECK(nl_recv(fd, 0) > 0);
    CHECK_EQ(h->nlmsg_type, RTM_NEWLINK);
    CHECK_EQ(((struct ifinfomsg *)NLMSG_DATA(h))->ifi_index, lo.index);
    check_empty(fd);

    /* Errors come back with the request: no such device; neither index
     * nor name; a type past RTM_MAX. */
    ra->rta_len = RTA_LENGTH(11);
    memcpy(RTA_DATA(ra), "nosuchdev0", 11);
    size_t reqlen = NLMSG_LENGTH(sizeof ifi + RTA_SPACE(11));
    nl_send(fd, RTM_GETLINK, NLM_F_REQUEST, 107, &ifi, sizeof ifi, at, RTA_SPACE(11));
    CHECK_EQ(expect_error(fd, 107, port, reqlen, false), -ENODEV);
    nl_send(fd, RTM_GETLINK, NLM_F_REQUEST, 108, &ifi, sizeof ifi, NULL, 0);
    CHECK_EQ(expect_error(fd, 108, port, NLMSG_LENGTH(sizeof ifi), false), -EINVAL);
    nl_send(fd, 0x7fff, NLM_F_REQUEST, 109, &gen, sizeof gen, NULL, 0);
    CHECK_EQ(expect_error(fd, 109, port, NLMSG_LENGTH(NLMSG_ALIGN(sizeof gen)), false), -EOPNOTSUPP);
    /* ... or without it, with NETLINK_CAP_ACK. */
    int one = 1;
    CHECK_OK(setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one));
    v = 0;
    vlen = sizeof v;
    CHECK_OK(getsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &v, &vlen));
    CHECK_EQ(v, 1);
    CHECK_EQ(vlen, sizeof v);
    nl_send(fd, RTM_GETLINK, NLM_F_REQUEST, 110, &ifi, sizeof ifi, NULL, 0);
    CHECK_EQ(expect_error(fd, 110, port, NLMSG_LENGTH(sizeof ifi), true), -EINVAL);
    int zero = 0;
    CHECK_OK(setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &zero, sizeof zero));

    /* Not requests, and control types, are only acknowledged when asked;
     * a request without a family byte is accepted as it is. */
    nl_send(fd, RTM_GETLINK, NLM_F_ACK, 111, &ifi, sizeof ifi, NULL, 0);
    CHECK_EQ(expect_error(fd, 111, port, NLMSG_LENGTH(sizeof ifi), true), 0);
    nl_send(fd, NLMSG_NOOP, NLM_F_REQUEST, 112, &ifi, sizeof ifi, NULL, 0);
    nl_send(fd, RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, 113, NULL, 0, NULL, 0);
    CHECK_EQ(expect_error(fd, 113, port, NLMSG_HDRLEN, true), 0);
    check_empty(fd);

    /* Malformed: a length below the header or past the data drops the
     * rest of the datagram silently; sendmsg still takes it all. */
    struct { struct nlmsghdr h; struct ifinfomsg i; struct nlmsghdr h2; struct ifinfomsg i2; }
        two = { { 8, RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, 114, 0 }, { 0 },
                { sizeof(struct nlmsghdr) + sizeof(struct ifinfomsg), RTM_GETLINK,
                  NLM_F_REQUEST | NLM_F_ACK, 115, 0 }, { 0 } };
    CHECK_EQ(send(fd, &two, sizeof two, 0), (ssize_t)sizeof two);
    two.h.nlmsg_len = sizeof two + 4;
    CHECK_EQ(send(fd, &two, sizeof two, 0), (ssize_t)sizeof two);
    two.h.nlmsg_len = 3;
    CHECK_EQ(send(fd, &two, 3, 0), 3);
    check_empty(fd);
    CHECK_ERR(send(fd, &two, 0, 0), ENODATA);
    /* Two good requests in one datagram: both answered, in order. */
    two.h.nlmsg_len = sizeof(struct nlmsghdr) + sizeof(struct ifinfomsg);
    two.i.ifi_index = lo.index;
    two.i2.ifi_index = lo.index;
    CHECK_EQ(send(fd, &two, sizeof two, 0), (ssize_t)sizeof two);
    CHECK(nl_recv(fd, 0) > 0);
    CHECK_EQ(h->nlmsg_type, RTM_NEWLINK);
    CHECK_EQ(h->nlmsg_seq, 114);
    CHECK_EQ(expect_error(fd, 114, port, sizeof two / 2, true), 0);
    CHECK(nl_recv(fd, 0) > 0);
    CHECK_EQ(h->nlmsg_seq, 115);
    CHECK_EQ(expect_error(fd, 115, port, sizeof two / 2, true), 0);
    check_empty(fd);

    /* Bad destinations. */
    struct sockaddr_nl dst = { .nl_family = AF_NETLINK };
    CHECK_ERR(sendto(fd, &two, sizeof two, 0, (struct sockaddr *)&dst, sizeof dst - 1), EINVAL);
    dst.nl_family = AF_UNIX;
    CHECK_ERR(sendto(fd, &two, sizeof two, 0, (struct sockaddr *)&dst, sizeof dst), EINVAL);
    dst.nl_family = AF_NETLINK;
    dst.nl_pid = 0x7ffffff0;   /* nobody's */
    CHECK_ERR(sendto(fd, &two, sizeof two, 0, (struct sockaddr *)&dst, sizeof dst), ECONNREFUSED);

    /* A second dump while one is being read: EBUSY; the first goes on. */
    ifi.ifi_index = 0;
    nl_send(fd, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 116, &ifi, sizeof ifi, NULL, 0);
    nl_send(fd, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 117, &ifi, sizeof ifi, NULL, 0);
    bool busy = false, done = false;
    while (!done) {
        ssize_t got = nl_recv(fd, 0);
        CHECK(got > 0);
        unsigned len = (unsigned)got;
        for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
            if (h->nlmsg_type == NLMSG_ERROR) {
                CHECK_EQ(h->nlmsg_seq, 117);
                CHECK_EQ(((struct nlmsgerr *)NLMSG_DATA(h))->error, -EBUSY);
                busy = true;
            } else {
                CHECK_EQ(h->nlmsg_seq, 116);
                done = h->nlmsg_type == NLMSG_DONE;
            }
        }
    }
    CHECK(busy);
    check_empty(fd);

    /* MSG_PEEK | MSG_TRUNC without a buffer tells the datagram's size;
     * MSG_TRUNC on a short read gives the real length and drops the rest. */
    nl_send(fd, RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, 118, &ifi, sizeof ifi, NULL, 0);
    ssize_t full = recv(fd, NULL, 0, MSG_PEEK | MSG_TRUNC);
    CHECK_EQ(full, NLMSG_LENGTH(sizeof(struct nlmsgerr)) + NLMSG_ALIGN(sizeof ifi));
    CHECK_EQ(recv(fd, buf, 4, MSG_PEEK), 4);
    struct iovec iov = { buf, 8 };
    struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
    CHECK_EQ(recvmsg(fd, &mh, MSG_TRUNC), full);
    CHECK(mh.msg_flags & MSG_TRUNC);
    check_empty(fd);
    nl_send(fd, RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, 119, &ifi, sizeof ifi, NULL, 0);
    iov.iov_len = 8;
    mh.msg_flags = 0;
    CHECK_EQ(recvmsg(fd, &mh, 0), 8);
    CHECK(mh.msg_flags & MSG_TRUNC);
    check_empty(fd);

    /* Blocking: a timeout, then a signal. */
    struct timeval tv = { 0, 50000 };
    CHECK_OK(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
    long long t0 = now_ns();
    CHECK_ERR(recv(fd, buf, sizeof buf, 0), EAGAIN);
    CHECK(now_ns() - t0 >= 40000000LL);
    tv.tv_usec = 0;
    CHECK_OK(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
    struct sigaction sact = { .sa_handler = on_alarm };
    CHECK_OK(sigaction(SIGALRM, &sact, NULL));
    struct itimerval it = { .it_value = { 0, 50000 } };
    CHECK_OK(setitimer(ITIMER_REAL, &it, NULL));
    CHECK_ERR(recv(fd, buf, sizeof buf, 0), EINTR);

    /* Options iproute2 and glibc set. */
    CHECK_OK(setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one));
    CHECK_OK(setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof one));
    vlen = sizeof v;
    CHECK_OK(getsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &v, &vlen));
    CHECK_EQ(v, 1);
    vlen = 2;
    CHECK_ERR(getsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &v, &vlen), EINVAL);
    CHECK_ERR(setsockopt(fd, SOL_NETLINK, 999, &one, sizeof one), ENOPROTOOPT);
    CHECK_ERR(setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &zero, sizeof zero), EINVAL);
    int grp = RTNLGRP_IPV4_IFADDR;
    CHECK_OK(setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &grp, sizeof grp));
    uint32_t groups[8] = { 0 };
    vlen = sizeof groups;
    CHECK_OK(getsockopt(fd, SOL_NETLINK, NETLINK_LIST_MEMBERSHIPS, groups, &vlen));
    CHECK(vlen >= 4 && vlen <= sizeof groups);
    CHECK_EQ(groups[0], 1U << (RTNLGRP_IPV4_IFADDR - 1));
    int rcvbuf = 32768;
    CHECK_OK(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf));
    /* A strict dump with a filter Linux refuses ends in an error DONE. */
    ifi.ifi_index = lo.index;
    nl_send(fd, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 120, &ifi, sizeof ifi, NULL, 0);
    CHECK(nl_recv(fd, 0) > 0);
    h = (struct nlmsghdr *)buf;
    CHECK_EQ(h->nlmsg_type, NLMSG_DONE);
    CHECK_EQ(h->nlmsg_seq, 120);
    CHECK_EQ(*(int *)NLMSG_DATA(h), -EINVAL);
    check_empty(fd);
    /* A strict address dump filtered by index has only lo's. */
    ifa = (struct ifaddrmsg){ .ifa_family = AF_INET, .ifa_index = (uint32_t)lo.index };
    af = (struct addr_find){ .family = AF_INET, .index = lo.index };
    nl_send(fd, RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, 121, &ifa, sizeof ifa, NULL, 0);
    CHECK_EQ(dump(fd, 121, port, RTM_NEWADDR, on_addr, &af), 1);
    CHECK(af.v4);

    /* Connected to the kernel: send and getpeername. */
    dst.nl_pid = 0;
    CHECK_OK(connect(fd, (struct sockaddr *)&dst, sizeof dst));
    struct sockaddr_nl peer;
    socklen_t plen = sizeof peer;
    CHECK_OK(getpeername(fd, (struct sockaddr *)&peer, &plen));
    CHECK_EQ(plen, sizeof peer);
    CHECK_EQ(peer.nl_pid, 0);
    CHECK_ERR(listen(fd, 1), EOPNOTSUPP);
    CHECK_ERR(shutdown(fd, SHUT_RD), EOPNOTSUPP);
    close(fd);

    pid_t pid = CHECK_OK(fork());
    if (pid == 0)
        unprivileged();
    CHECK_CHILD_EXIT(pid, 0);
    return 0;
}
