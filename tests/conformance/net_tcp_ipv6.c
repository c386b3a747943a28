/* TCP over IPv6 loopback: bind/listen/connect/accept on ::1 and the
 * sockaddr_in6 each side reports; a dual-stack listener on :: accepting an
 * IPv4 client as ::ffff:127.0.0.1, and v4-mapped connects; IPV6_V6ONLY
 * refusing both, and letting an IPv4 socket share the port; the errors of
 * bad IPv6 addresses. */
#include "check.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

static const struct in6_addr mapped_lo = {
    .s6_addr = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1 } };

static struct sockaddr_in6 sa6(const struct in6_addr *addr, uint16_t port)
{
    struct sockaddr_in6 a;
    memset(&a, 0, sizeof a);
    a.sin6_family = AF_INET6;
    a.sin6_port = htons(port);
    a.sin6_addr = *addr;
    return a;
}

/* getsockname (peer = 0) or getpeername (peer = 1) of an IPv6 socket. */
static struct sockaddr_in6 name6(int fd, int peer)
{
    struct sockaddr_in6 a;
    socklen_t len = sizeof a + 8;        /* more room than needed */
    memset(&a, 0xa5, sizeof a);
    if (peer)
        CHECK_OK(getpeername(fd, (struct sockaddr *)&a, &len));
    else
        CHECK_OK(getsockname(fd, (struct sockaddr *)&a, &len));
    CHECK_EQ(len, sizeof a);
    CHECK_EQ(a.sin6_family, AF_INET6);
    return a;
}

/* A listener on addr and *port (0: any, and *port gets the one chosen). */
static int listen6(const struct in6_addr *addr, int v6only, uint16_t *port)
{
    int l = CHECK_OK(socket(AF_INET6, SOCK_STREAM, 0));
    if (v6only >= 0)
        CHECK_OK(setsockopt(l, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof v6only));
    struct sockaddr_in6 a = sa6(addr, *port);
    CHECK_OK(bind(l, (struct sockaddr *)&a, sizeof a));
    CHECK_OK(listen(l, 4));
    *port = ntohs(name6(l, 0).sin6_port);
    CHECK_NE(*port, 0);
    return l;
}

static int connect4(uint16_t port, int expect_errno)
{
    int c = CHECK_OK(socket(AF_INET, SOCK_STREAM, 0));
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    if (expect_errno) {
        CHECK_ERR(connect(c, (struct sockaddr *)&a, sizeof a), expect_errno);
        CHECK_OK(close(c));
        return -1;
    }
    CHECK_OK(connect(c, (struct sockaddr *)&a, sizeof a));
    return c;
}

int main(void)
{
    char buf[16];
    uint16_t port = 0;

    /* Plain IPv6 on ::1. */
    int l = listen6(&in6addr_loopback, -1, &port);
    struct sockaddr_in6 ln = name6(l, 0);
    CHECK(IN6_IS_ADDR_LOOPBACK(&ln.sin6_addr));
    CHECK_EQ(ln.sin6_flowinfo, 0);
    CHECK_EQ(ln.sin6_scope_id, 0);
    int c = CHECK_OK(socket(AF_INET6, SOCK_STREAM, 0));
    struct sockaddr_in6 a = sa6(&in6addr_loopback, port);
    CHECK_OK(connect(c, (struct sockaddr *)&a, sizeof a));
    struct sockaddr_in6 cn = name6(c, 0), cp = name6(c, 1);
    CHECK(IN6_IS_ADDR_LOOPBACK(&cn.sin6_addr));
    CHECK_NE(cn.sin6_port, 0);
    CHECK(IN6_IS_ADDR_LOOPBACK(&cp.sin6_addr));
    CHECK_EQ(cp.sin6_port, htons(port));
    struct sockaddr_in6 from;
    socklen_t len = sizeof from;
    int s = CHECK_OK(accept(l, (struct sockaddr *)&from, &len));
    CHECK_EQ(len, sizeof from);
    CHECK_EQ(from.sin6_family, AF_INET6);
    CHECK(IN6_IS_ADDR_LOOPBACK(&from.sin6_addr));
    CHECK_EQ(from.sin6_port, cn.sin6_port);
    CHECK_EQ(from.sin6_scope_id, 0);
    CHECK_EQ(name6(s, 0).sin6_port, htons(port));
    CHECK_EQ(name6(s, 1).sin6_port, cn.sin6_port);
    CHECK_EQ(send(c, "six", 3, 0), 3);
    CHECK_EQ(recv(s, buf, 3, MSG_WAITALL), 3);
    CHECK_MEMEQ(buf, "six", 3);
    CHECK_EQ(send(s, "back", 4, 0), 4);
    CHECK_EQ(recv(c, buf, 4, MSG_WAITALL), 4);
    CHECK_MEMEQ(buf, "back", 4);
    CHECK_OK(close(c));
    CHECK_EQ(recv(s, buf, sizeof buf, 0), 0);
    CHECK_OK(close(s));
    /* An IPv4 client cannot reach a listener bound to ::1. */
    connect4(port, ECONNREFUSED);
    /* Nor can anyone bind the same address and port again. */
    int b = CHECK_OK(socket(AF_INET6, SOCK_STREAM, 0));
    CHECK_ERR(bind(b, (struct sockaddr *)&a, sizeof a), EADDRINUSE);
    CHECK_OK(close(b));
    CHECK_OK(close(l));

    /* Dual stack: a listener on :: (V6ONLY 0 by default) takes IPv4
     * clients, which it sees as ::ffff:127.0.0.1. */
    port = 0;
    l = listen6(&in6addr_any, -1, &port);
    /* It holds the IPv4 port too. */
    b = CHECK_OK(socket(AF_INET, SOCK_STREAM, 0));
    struct sockaddr_in l4 = { .sin_family = AF_INET, .sin_port = htons(port),
                              .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    CHECK_ERR(bind(b, (struct sockaddr *)&l4, sizeof l4), EADDRINUSE);
    CHECK_OK(close(b));
    c = connect4(port, 0);
    struct sockaddr_in c4;
    len = sizeof c4;
    CHECK_OK(getsockname(c, (struct sockaddr *)&c4, &len));
    len = sizeof from;
    s = CHECK_OK(accept(l, (struct sockaddr *)&from, &len));
    CHECK_EQ(len, sizeof from);
    CHECK_EQ(from.sin6_family, AF_INET6);
    CHECK(IN6_IS_ADDR_V4MAPPED(&from.sin6_addr));
    CHECK_MEMEQ(&from.sin6_addr, &mapped_lo, 16);
    CHECK_EQ(from.sin6_port, c4.sin_port);
    struct sockaddr_in6 sn = name6(s, 0);
    CHECK_MEMEQ(&sn.sin6_addr, &mapped_lo, 16);
    CHECK_EQ(sn.sin6_port, htons(port));
    CHECK_EQ(send(c, "four", 4, 0), 4);
    CHECK_EQ(recv(s, buf, 4, MSG_WAITALL), 4);
    CHECK_MEMEQ(buf, "four", 4);
    CHECK_OK(close(s));
    CHECK_OK(close(c));
    /* An IPv6 socket connecting to a v4-mapped address speaks IPv4. */
    c = CHECK_OK(socket(AF_INET6, SOCK_STREAM, 0));
    a = sa6(&mapped_lo, port);
    CHECK_OK(connect(c, (struct sockaddr *)&a, sizeof a));
    cn = name6(c, 0);
    CHECK_MEMEQ(&cn.sin6_addr, &mapped_lo, 16);
    s = CHECK_OK(accept(l, (struct sockaddr *)&from, &len));
    CHECK_MEMEQ(&from.sin6_addr, &mapped_lo, 16);
    CHECK_EQ(from.sin6_port, cn.sin6_port);
    CHECK_OK(close(s));
    CHECK_OK(close(c));
    CHECK_OK(close(l));

    /* V6ONLY: IPv4 clients are refused, v4-mapped connects unreachable,
     * and an IPv4 socket may take the same port number.  (The port is
     * one a dual-stack bind found free in both families.) */
    b = CHECK_OK(socket(AF_INET6, SOCK_STREAM, 0));
    a = sa6(&in6addr_any, 0);
    CHECK_OK(bind(b, (struct sockaddr *)&a, sizeof a));
    port = ntohs(name6(b, 0).sin6_port);
    CHECK_OK(close(b));
    l = listen6(&in6addr_any, 1, &port);
    struct sockaddr_in any4 = { .sin_family = AF_INET, .sin_port = htons(port) };
    int b4 = CHECK_OK(socket(AF_INET, SOCK_STREAM, 0));
    CHECK_OK(bind(b4, (struct sockaddr *)&any4, sizeof any4));
    connect4(port, ECONNREFUSED);
    c = CHECK_OK(socket(AF_INET6, SOCK_STREAM, 0));
    int one = 1;
    CHECK_OK(setsockopt(c, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one));
    a = sa6(&mapped_lo, port);
    CHECK_ERR(connect(c, (struct sockaddr *)&a, sizeof a), ENETUNREACH);
    a = sa6(&in6addr_loopback, port);
    CHECK_OK(connect(c, (struct sockaddr *)&a, sizeof a));
    s = CHECK_OK(accept(l, NULL, NULL));
    CHECK_OK(close(s));
    CHECK_OK(close(c));
    CHECK_OK(close(b4));
    /* A v6-only socket cannot bind a v4-mapped address. */
    b = CHECK_OK(socket(AF_INET6, SOCK_STREAM, 0));
    CHECK_OK(setsockopt(b, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one));
    a = sa6(&mapped_lo, 0);
    CHECK_ERR(bind(b, (struct sockaddr *)&a, sizeof a), EINVAL);
    CHECK_OK(close(b));
    CHECK_OK(close(l));

    /* Bad addresses for an IPv6 socket. */
    b = CHECK_OK(socket(AF_INET6, SOCK_STREAM, 0));
    a = sa6(&in6addr_loopback, 0);
    struct sockaddr_in a4 = { .sin_family = AF_INET,
                              .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    CHECK_ERR(bind(b, (struct sockaddr *)&a4, sizeof a4), EINVAL);
    CHECK_ERR(bind(b, (struct sockaddr *)&a, sizeof a - 5), EINVAL);
    a.sin6_family = AF_INET;
    CHECK_ERR(bind(b, (struct sockaddr *)&a, sizeof a), EAFNOSUPPORT);
    a = sa6(&in6addr_loopback, port);
    CHECK_ERR(connect(b, (struct sockaddr *)&a4, sizeof a4), EINVAL);
    /* No such address here (2001:db8::/32 is for documentation). */
    struct in6_addr doc;
    CHECK_EQ(inet_pton(AF_INET6, "2001:db8::1", &doc), 1);
    a = sa6(&doc, 0);
    CHECK_ERR(bind(b, (struct sockaddr *)&a, sizeof a), EADDRNOTAVAIL);
    CHECK_EQ(name6(b, 0).sin6_port, 0);
    CHECK_OK(close(b));
    return 0;
}
