/* Errors of internet sockets: socket() with bad families, types, flags and
 * protocols; bind to an address that is not local, to a port in use, or
 * twice; listen/accept on sockets that cannot; getsockname lengths; TCP
 * and UDP port spaces being separate; and the queue-size ioctls of TCP
 * (SIOCINQ/SIOCOUTQ), which a listener refuses. */
#include "check.h"
#include <arpa/inet.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>

static struct sockaddr_in sa4(const char *ip, uint16_t port)
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
    CHECK_EQ(inet_pton(AF_INET, ip, &a.sin_addr), 1);
    return a;
}

static uint16_t port_of(int fd)
{
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    CHECK_OK(getsockname(fd, (struct sockaddr *)&a, &len));
    return ntohs(a.sin_port);
}

int main(void)
{
    /* socket(): which combinations exist. */
    int fd;
    fd = CHECK_OK(socket(AF_INET, SOCK_STREAM, IPPROTO_TCP));
    CHECK_OK(close(fd));
    fd = CHECK_OK(socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP));
    CHECK_OK(close(fd));
    fd = CHECK_OK(socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    CHECK_EQ(fcntl(fd, F_GETFL) & O_NONBLOCK, O_NONBLOCK);
    CHECK_EQ(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
    CHECK_OK(close(fd));
    CHECK_ERR(socket(AF_INET, SOCK_STREAM, IPPROTO_UDP), EPROTONOSUPPORT);
    CHECK_ERR(socket(AF_INET, SOCK_DGRAM, IPPROTO_TCP), EPROTONOSUPPORT);
    CHECK_ERR(socket(AF_INET6, SOCK_STREAM, IPPROTO_UDP), EPROTONOSUPPORT);
    CHECK_ERR(socket(AF_INET, SOCK_STREAM, 200), EPROTONOSUPPORT);
    CHECK_ERR(socket(AF_INET, SOCK_STREAM, -1), EINVAL);
    CHECK_ERR(socket(AF_INET, SOCK_RDM, 0), ESOCKTNOSUPPORT);
    CHECK_ERR(socket(AF_INET, 0, 0), ESOCKTNOSUPPORT);
    CHECK_ERR(socket(AF_INET, 11, 0), EINVAL);
    CHECK_ERR(socket(AF_INET, SOCK_STREAM | 0x10000, 0), EINVAL);
    CHECK_ERR(socket(12345, SOCK_STREAM, 0), EAFNOSUPPORT);

    /* bind: not a local address (TEST-NET-3 / the IPv6 documentation
     * prefix), for TCP and UDP alike; the socket stays unbound. */
    int t = CHECK_OK(socket(AF_INET, SOCK_STREAM, 0));
    struct sockaddr_in a = sa4("203.0.113.1", 0);
    CHECK_ERR(bind(t, (struct sockaddr *)&a, sizeof a), EADDRNOTAVAIL);
    int u = CHECK_OK(socket(AF_INET, SOCK_DGRAM, 0));
    CHECK_ERR(bind(u, (struct sockaddr *)&a, sizeof a), EADDRNOTAVAIL);
    int t6 = CHECK_OK(socket(AF_INET6, SOCK_DGRAM, 0));
    struct sockaddr_in6 a6 = { .sin6_family = AF_INET6 };
    CHECK_EQ(inet_pton(AF_INET6, "2001:db8::5", &a6.sin6_addr), 1);
    CHECK_ERR(bind(t6, (struct sockaddr *)&a6, sizeof a6), EADDRNOTAVAIL);
    CHECK_OK(close(t6));
    CHECK_EQ(port_of(t), 0);

    /* bind twice: EINVAL, even to the same address. */
    a = sa4("127.0.0.1", 0);
    CHECK_OK(bind(t, (struct sockaddr *)&a, sizeof a));
    uint16_t port = port_of(t);
    a = sa4("127.0.0.1", port);
    CHECK_ERR(bind(t, (struct sockaddr *)&a, sizeof a), EINVAL);
    a = sa4("127.0.0.1", 0);
    CHECK_ERR(bind(t, (struct sockaddr *)&a, sizeof a), EINVAL);
    CHECK_EQ(port_of(t), port);

    /* accept needs a listening socket. */
    CHECK_ERR(accept(t, NULL, NULL), EINVAL);
    CHECK_OK(listen(t, 4));
    /* listen again just updates the backlog. */
    CHECK_OK(listen(t, 8));

    /* The wildcard address conflicts with the bound loopback one, but the
     * UDP port space is separate from TCP's. */
    int t2 = CHECK_OK(socket(AF_INET, SOCK_STREAM, 0));
    a = sa4("0.0.0.0", port);
    CHECK_ERR(bind(t2, (struct sockaddr *)&a, sizeof a), EADDRINUSE);
    a = sa4("127.0.0.1", port);
    CHECK_OK(bind(u, (struct sockaddr *)&a, sizeof a));
    CHECK_EQ(port_of(u), port);
    CHECK_OK(close(t2));

    /* UDP neither listens nor accepts. */
    CHECK_ERR(listen(u, 1), EOPNOTSUPP);
    CHECK_ERR(accept(u, NULL, NULL), EOPNOTSUPP);
    int u2 = CHECK_OK(socket(AF_INET, SOCK_DGRAM, 0));
    CHECK_ERR(listen(u2, 1), EOPNOTSUPP);
    CHECK_OK(close(u2));

    /* getsockname: a short buffer gets the start, the length says the
     * full size; a negative length is EINVAL, a bad pointer EFAULT. */
    struct sockaddr_in got;
    memset(&got, 0, sizeof got);
    socklen_t len = 4;
    CHECK_OK(getsockname(t, (struct sockaddr *)&got, &len));
    CHECK_EQ(len, sizeof got);
    CHECK_EQ(got.sin_family, AF_INET);
    CHECK_EQ(got.sin_port, htons(port));
    CHECK_EQ(got.sin_addr.s_addr, 0);
    len = (socklen_t)-1;
    CHECK_ERR(getsockname(t, (struct sockaddr *)&got, &len), EINVAL);
    len = sizeof got;
    CHECK_ERR(getsockname(t, BAD_PTR, &len), EFAULT);
    CHECK_ERR(getsockname(t, (struct sockaddr *)&got, BAD_PTR), EFAULT);

    /* A socket is not a terminal. */
    struct termios tio;
    CHECK_ERR(tcgetattr(t, &tio), ENOTTY);

    /* SIOCINQ/SIOCOUTQ: not on a listener... */
    int n = -1;
    CHECK_ERR(ioctl(t, SIOCINQ, &n), EINVAL);
    CHECK_ERR(ioctl(t, SIOCOUTQ, &n), EINVAL);
    /* ...on a connection: unread bytes, and unacknowledged ones (0 once
     * the peer's reply, which acknowledges our data, has come in). */
    int c = CHECK_OK(socket(AF_INET, SOCK_STREAM, 0));
    a = sa4("127.0.0.1", port);
    CHECK_OK(connect(c, (struct sockaddr *)&a, sizeof a));
    int s = CHECK_OK(accept(t, NULL, NULL));
    CHECK_OK(ioctl(s, SIOCINQ, &n));
    CHECK_EQ(n, 0);
    CHECK_EQ(send(c, "12345", 5, 0), 5);
    struct pollfd pf = { s, POLLIN, 0 };
    CHECK_EQ(poll(&pf, 1, 3000), 1);
    CHECK_OK(ioctl(s, SIOCINQ, &n));
    CHECK_EQ(n, 5);
    CHECK_OK(ioctl(s, FIONREAD, &n));
    CHECK_EQ(n, 5);
    char buf[8];
    CHECK_EQ(recv(s, buf, 2, 0), 2);
    CHECK_OK(ioctl(s, SIOCINQ, &n));
    CHECK_EQ(n, 3);
    CHECK_EQ(send(s, "ok", 2, 0), 2);
    CHECK_EQ(recv(c, buf, 2, MSG_WAITALL), 2);
    CHECK_OK(ioctl(c, SIOCOUTQ, &n));
    CHECK_EQ(n, 0);
    CHECK_ERR(ioctl(c, SIOCINQ, BAD_PTR), EFAULT);

    CHECK_OK(close(s));
    CHECK_OK(close(c));
    CHECK_OK(close(u));
    CHECK_OK(close(t));
    return 0;
}
