/* Socket options of TCP sockets: read-only identity options (SO_TYPE,
 * SO_DOMAIN, SO_PROTOCOL, SO_ACCEPTCONN, SO_ERROR), flags (SO_REUSEADDR,
 * SO_REUSEPORT, SO_KEEPALIVE, TCP_NODELAY), buffer sizes, SO_LINGER,
 * SO_RCVTIMEO (and its effect) / SO_SNDTIMEO, TCP keepalive tunables,
 * IP_TTL, IP_TOS, IPV6_V6ONLY; what SO_REUSEADDR and SO_REUSEPORT allow
 * bind to do; and the errors for bad values, lengths and names. */
#include "check.h"
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>

static int get_opt(int fd, int level, int name)
{
    int v = -12345;
    socklen_t len = sizeof v;
    CHECK_OK(getsockopt(fd, level, name, &v, &len));
    CHECK_EQ(len, sizeof v);
    return v;
}

static int set_opt(int fd, int level, int name, int v)
{
    return setsockopt(fd, level, name, &v, sizeof v);
}

static struct sockaddr_in lo4(uint16_t port)
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    return a;
}

static uint16_t port_of(int fd)
{
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    CHECK_OK(getsockname(fd, (struct sockaddr *)&a, &len));
    return ntohs(a.sin_port);
}

static int bind_lo(int fd, uint16_t port)
{
    struct sockaddr_in a = lo4(port);
    return bind(fd, (struct sockaddr *)&a, sizeof a);
}

static int tcp_listener(int reuseaddr, int reuseport, uint16_t port)
{
    int l = CHECK_OK(socket(AF_INET, SOCK_STREAM, 0));
    CHECK_OK(set_opt(l, SOL_SOCKET, SO_REUSEADDR, reuseaddr));
    CHECK_OK(set_opt(l, SOL_SOCKET, SO_REUSEPORT, reuseport));
    CHECK_OK(bind_lo(l, port));
    CHECK_OK(listen(l, 4));
    return l;
}

static int tcp_connect(uint16_t port)
{
    int c = CHECK_OK(socket(AF_INET, SOCK_STREAM, 0));
    struct sockaddr_in a = lo4(port);
    CHECK_OK(connect(c, (struct sockaddr *)&a, sizeof a));
    return c;
}

int main(void)
{
    int s = CHECK_OK(socket(AF_INET, SOCK_STREAM, 0));

    /* Identity: protocol 0 still reports IPPROTO_TCP. */
    CHECK_EQ(get_opt(s, SOL_SOCKET, SO_TYPE), SOCK_STREAM);
    CHECK_EQ(get_opt(s, SOL_SOCKET, SO_DOMAIN), AF_INET);
    CHECK_EQ(get_opt(s, SOL_SOCKET, SO_PROTOCOL), IPPROTO_TCP);
    CHECK_EQ(get_opt(s, SOL_SOCKET, SO_ACCEPTCONN), 0);
    CHECK_EQ(get_opt(s, SOL_SOCKET, SO_ERROR), 0);
    CHECK_ERR(set_opt(s, SOL_SOCKET, SO_TYPE, SOCK_DGRAM), ENOPROTOOPT);
    CHECK_ERR(set_opt(s, SOL_SOCKET, SO_ERROR, 0), ENOPROTOOPT);

    /* Boolean flags: default off, any non-zero value reads back as 1. */
    CHECK_EQ(get_opt(s, SOL_SOCKET, SO_REUSEADDR), 0);
    CHECK_OK(set_opt(s, SOL_SOCKET, SO_REUSEADDR, 5));
    CHECK_EQ(get_opt(s, SOL_SOCKET, SO_REUSEADDR), 1);
    CHECK_EQ(get_opt(s, SOL_SOCKET, SO_REUSEPORT), 0);
    CHECK_OK(set_opt(s, SOL_SOCKET, SO_REUSEPORT, 1));
    CHECK_EQ(get_opt(s, SOL_SOCKET, SO_REUSEPORT), 1);
    CHECK_EQ(get_opt(s, SOL_SOCKET, SO_KEEPALIVE), 0);
    CHECK_OK(set_opt(s, SOL_SOCKET, SO_KEEPALIVE, 1));
    CHECK_EQ(get_opt(s, SOL_SOCKET, SO_KEEPALIVE), 1);
    CHECK_OK(set_opt(s, SOL_SOCKET, SO_KEEPALIVE, 0));
    CHECK_EQ(get_opt(s, SOL_SOCKET, SO_KEEPALIVE), 0);
    CHECK_EQ(get_opt(s, IPPROTO_TCP, TCP_NODELAY), 0);
    CHECK_OK(set_opt(s, IPPROTO_TCP, TCP_NODELAY, 1));
    CHECK_EQ(get_opt(s, IPPROTO_TCP, TCP_NODELAY), 1);
    CHECK_EQ(get_opt(s, SOL_SOCKET, SO_RCVLOWAT), 1);
    /* An int option needs an int. */
    int one = 1;
    CHECK_ERR(setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, 2), EINVAL);
    CHECK_ERR(setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &one, 2), EINVAL);
    CHECK_ERR(setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, BAD_PTR, 4), EFAULT);
    /* Unknown names. */
    CHECK_ERR(set_opt(s, SOL_SOCKET, 9999, 1), ENOPROTOOPT);
    CHECK_ERR(set_opt(s, IPPROTO_TCP, 9999, 1), ENOPROTOOPT);
    int v;
    socklen_t len = sizeof v;
    CHECK_ERR(getsockopt(s, SOL_SOCKET, 9999, &v, &len), ENOPROTOOPT);
    CHECK_ERR(getsockopt(s, IPPROTO_TCP, 9999, &v, &len), ENOPROTOOPT);

    /* Buffer sizes: positive; what is set is granted at least. */
    CHECK(get_opt(s, SOL_SOCKET, SO_SNDBUF) > 0);
    CHECK(get_opt(s, SOL_SOCKET, SO_RCVBUF) > 0);
    CHECK_OK(set_opt(s, SOL_SOCKET, SO_SNDBUF, 65536));
    CHECK(get_opt(s, SOL_SOCKET, SO_SNDBUF) >= 65536);
    CHECK_OK(set_opt(s, SOL_SOCKET, SO_RCVBUF, 65536));
    CHECK(get_opt(s, SOL_SOCKET, SO_RCVBUF) >= 65536);

    /* SO_LINGER round trip; off leaves l_onoff 0. */
    struct linger lg = { 0, 0 }, lgo;
    len = sizeof lgo;
    CHECK_OK(getsockopt(s, SOL_SOCKET, SO_LINGER, &lgo, &len));
    CHECK_EQ(len, sizeof lgo);
    CHECK_EQ(lgo.l_onoff, 0);
    lg = (struct linger){ 1, 5 };
    CHECK_OK(setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof lg));
    len = sizeof lgo;
    CHECK_OK(getsockopt(s, SOL_SOCKET, SO_LINGER, &lgo, &len));
    CHECK_EQ(lgo.l_onoff, 1);
    CHECK_EQ(lgo.l_linger, 5);
    lg = (struct linger){ 0, 7 };
    CHECK_OK(setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof lg));
    len = sizeof lgo;
    CHECK_OK(getsockopt(s, SOL_SOCKET, SO_LINGER, &lgo, &len));
    CHECK_EQ(lgo.l_onoff, 0);
    CHECK_ERR(setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof lg - 1), EINVAL);

    /* Timeouts: default none; round trip; tv_usec out of range is EDOM. */
    struct timeval tv = { 9, 9 };
    len = sizeof tv;
    CHECK_OK(getsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, &len));
    CHECK_EQ(len, sizeof tv);
    CHECK_EQ(tv.tv_sec, 0);
    CHECK_EQ(tv.tv_usec, 0);
    tv = (struct timeval){ 1, 500000 };
    CHECK_OK(setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv));
    tv = (struct timeval){ 0, 0 };
    len = sizeof tv;
    CHECK_OK(getsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, &len));
    CHECK_EQ(tv.tv_sec, 1);
    CHECK_EQ(tv.tv_usec, 500000);
    tv = (struct timeval){ 0, 1000000 };
    CHECK_ERR(setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv), EDOM);
    tv = (struct timeval){ 0, -1 };
    CHECK_ERR(setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv), EDOM);
    CHECK_ERR(setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, 8), EINVAL);

    /* TCP keepalive tunables: defaults, round trips, range checks. */
    CHECK_EQ(get_opt(s, IPPROTO_TCP, TCP_KEEPIDLE), 7200);
    CHECK_EQ(get_opt(s, IPPROTO_TCP, TCP_KEEPINTVL), 75);
    CHECK_EQ(get_opt(s, IPPROTO_TCP, TCP_KEEPCNT), 9);
    CHECK_OK(set_opt(s, IPPROTO_TCP, TCP_KEEPIDLE, 30));
    CHECK_EQ(get_opt(s, IPPROTO_TCP, TCP_KEEPIDLE), 30);
    CHECK_OK(set_opt(s, IPPROTO_TCP, TCP_KEEPINTVL, 5));
    CHECK_EQ(get_opt(s, IPPROTO_TCP, TCP_KEEPINTVL), 5);
    CHECK_OK(set_opt(s, IPPROTO_TCP, TCP_KEEPCNT, 3));
    CHECK_EQ(get_opt(s, IPPROTO_TCP, TCP_KEEPCNT), 3);
    CHECK_ERR(set_opt(s, IPPROTO_TCP, TCP_KEEPIDLE, 0), EINVAL);
    CHECK_ERR(set_opt(s, IPPROTO_TCP, TCP_KEEPIDLE, 32768), EINVAL);
    CHECK_ERR(set_opt(s, IPPROTO_TCP, TCP_KEEPINTVL, 0), EINVAL);
    CHECK_ERR(set_opt(s, IPPROTO_TCP, TCP_KEEPCNT, 0), EINVAL);
    CHECK_ERR(set_opt(s, IPPROTO_TCP, TCP_KEEPCNT, 256), EINVAL);
    CHECK_EQ(get_opt(s, IPPROTO_TCP, TCP_KEEPIDLE), 30);

    /* IP level: TTL default 64, 1..255, -1 restores the default. */
    CHECK_EQ(get_opt(s, IPPROTO_IP, IP_TTL), 64);
    CHECK_OK(set_opt(s, IPPROTO_IP, IP_TTL, 10));
    CHECK_EQ(get_opt(s, IPPROTO_IP, IP_TTL), 10);
    CHECK_ERR(set_opt(s, IPPROTO_IP, IP_TTL, 0), EINVAL);
    CHECK_ERR(set_opt(s, IPPROTO_IP, IP_TTL, 256), EINVAL);
    CHECK_EQ(get_opt(s, IPPROTO_IP, IP_TTL), 10);
    CHECK_OK(set_opt(s, IPPROTO_IP, IP_TTL, -1));
    CHECK_EQ(get_opt(s, IPPROTO_IP, IP_TTL), 64);
    CHECK_EQ(get_opt(s, IPPROTO_IP, IP_TOS), 0);
    CHECK_OK(set_opt(s, IPPROTO_IP, IP_TOS, IPTOS_LOWDELAY));
    CHECK_EQ(get_opt(s, IPPROTO_IP, IP_TOS), IPTOS_LOWDELAY);
    /* IPv6 options do not exist on an IPv4 socket. */
    CHECK_ERR(set_opt(s, IPPROTO_IPV6, IPV6_V6ONLY, 1), ENOPROTOOPT);
    CHECK_OK(close(s));

    /* IPV6_V6ONLY: default 0, settable until the socket is bound. */
    int s6 = CHECK_OK(socket(AF_INET6, SOCK_STREAM, 0));
    CHECK_EQ(get_opt(s6, SOL_SOCKET, SO_DOMAIN), AF_INET6);
    CHECK_EQ(get_opt(s6, SOL_SOCKET, SO_PROTOCOL), IPPROTO_TCP);
    CHECK_EQ(get_opt(s6, IPPROTO_IPV6, IPV6_V6ONLY), 0);
    CHECK_OK(set_opt(s6, IPPROTO_IPV6, IPV6_V6ONLY, 1));
    CHECK_EQ(get_opt(s6, IPPROTO_IPV6, IPV6_V6ONLY), 1);
    CHECK_OK(set_opt(s6, IPPROTO_IPV6, IPV6_V6ONLY, 0));
    CHECK_EQ(get_opt(s6, IPPROTO_IPV6, IPV6_V6ONLY), 0);
    struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_ANY_INIT };
    CHECK_OK(bind(s6, (struct sockaddr *)&a6, sizeof a6));
    CHECK_ERR(set_opt(s6, IPPROTO_IPV6, IPV6_V6ONLY, 1), EINVAL);
    CHECK_EQ(get_opt(s6, IPPROTO_IPV6, IPV6_V6ONLY), 0);
    CHECK_EQ(get_opt(s6, IPPROTO_IPV6, IPV6_UNICAST_HOPS), 64);
    CHECK_OK(close(s6));

    /* SO_ACCEPTCONN follows listen; the accepted socket inherits
     * SO_KEEPALIVE but is not itself listening. */
    int l = CHECK_OK(socket(AF_INET, SOCK_STREAM, 0));
    CHECK_OK(set_opt(l, SOL_SOCKET, SO_KEEPALIVE, 1));
    CHECK_OK(bind_lo(l, 0));
    CHECK_OK(listen(l, 4));
    CHECK_EQ(get_opt(l, SOL_SOCKET, SO_ACCEPTCONN), 1);
    uint16_t port = port_of(l);
    int c = tcp_connect(port);
    int a = CHECK_OK(accept(l, NULL, NULL));
    CHECK_EQ(get_opt(a, SOL_SOCKET, SO_ACCEPTCONN), 0);
    CHECK_EQ(get_opt(a, SOL_SOCKET, SO_KEEPALIVE), 1);
    CHECK_EQ(get_opt(c, SOL_SOCKET, SO_KEEPALIVE), 0);
    CHECK_EQ(get_opt(a, SOL_SOCKET, SO_TYPE), SOCK_STREAM);

    /* SO_RCVTIMEO: a blocking recv gives up with EAGAIN after it. */
    tv = (struct timeval){ 0, 100000 };
    CHECK_OK(setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
    len = sizeof tv;
    CHECK_OK(getsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, &len));
    CHECK_EQ(tv.tv_sec, 0);
    CHECK_EQ(tv.tv_usec, 100000);
    char buf[8];
    long long t0 = now_ns();
    CHECK_ERR(recv(c, buf, sizeof buf, 0), EAGAIN);
    long long dt = now_ns() - t0;
    CHECK(dt >= 90000000LL);
    CHECK(dt < 3000000000LL);
    /* Data that is there is returned without waiting. */
    CHECK_EQ(send(a, "t", 1, 0), 1);
    CHECK_EQ(recv(c, buf, sizeof buf, 0), 1);
    CHECK_OK(close(a));
    CHECK_OK(close(c));
    CHECK_OK(close(l));

    /* A listening port is taken even if everyone sets SO_REUSEADDR... */
    l = tcp_listener(1, 0, 0);
    port = port_of(l);
    s = CHECK_OK(socket(AF_INET, SOCK_STREAM, 0));
    CHECK_OK(set_opt(s, SOL_SOCKET, SO_REUSEADDR, 1));
    CHECK_ERR(bind_lo(s, port), EADDRINUSE);
    CHECK_OK(close(s));
    /* ...but the connections it leaves behind after an active close do
     * not keep a SO_REUSEADDR socket from binding it again. */
    c = tcp_connect(port);
    a = CHECK_OK(accept(l, NULL, NULL));
    CHECK_OK(close(l));
    CHECK_OK(shutdown(a, SHUT_WR));           /* the server closes first */
    CHECK_EQ(recv(c, buf, sizeof buf, 0), 0);
    CHECK_OK(close(c));
    CHECK_EQ(recv(a, buf, sizeof buf, 0), 0); /* the client's FIN is in */
    CHECK_OK(close(a));
    s = CHECK_OK(socket(AF_INET, SOCK_STREAM, 0));
    CHECK_ERR(bind_lo(s, port), EADDRINUSE);
    CHECK_OK(set_opt(s, SOL_SOCKET, SO_REUSEADDR, 1));
    CHECK_OK(bind_lo(s, port));
    CHECK_OK(listen(s, 4));
    c = tcp_connect(port);
    a = CHECK_OK(accept(s, NULL, NULL));
    CHECK_OK(close(a));
    CHECK_OK(close(c));
    CHECK_OK(close(s));

    /* SO_REUSEPORT: several listeners on one port; a connection goes to
     * exactly one of them; a socket without the flag is refused. */
    int l1 = tcp_listener(0, 1, 0);
    port = port_of(l1);
    int l2 = tcp_listener(0, 1, port);
    s = CHECK_OK(socket(AF_INET, SOCK_STREAM, 0));
    CHECK_ERR(bind_lo(s, port), EADDRINUSE);
    CHECK_OK(close(s));
    c = tcp_connect(port);
    struct pollfd pf[2] = { { l1, POLLIN, 0 }, { l2, POLLIN, 0 } };
    CHECK_EQ(poll(pf, 2, 3000), 1);
    a = CHECK_OK(accept(pf[0].revents ? l1 : l2, NULL, NULL));
    CHECK_EQ(poll(pf, 2, 0), 0);
    CHECK_OK(close(a));
    CHECK_OK(close(c));
    CHECK_OK(close(l1));
    CHECK_OK(close(l2));
    return 0;
}
