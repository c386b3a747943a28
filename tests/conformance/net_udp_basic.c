/* UDP on loopback: sendto/recvfrom with the source address, datagram
 * boundaries, truncation (MSG_TRUNC both ways), MSG_PEEK, empty datagrams,
 * FIONREAD, a receive timeout, connected sockets (filtering, EDESTADDRREQ,
 * AF_UNSPEC disconnect), autobind on sendto, the largest datagram, IPv6 on
 * ::1, ECONNREFUSED from an ICMP port unreachable on a connected socket,
 * and the errors of bad destinations. */
#include "check.h"
#include "net_addr.h"
#include <netinet/in.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

static struct sockaddr_in lo4(uint16_t port)
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    return a;
}

/* A UDP socket bound to 127.0.0.1 on a free port; *addr gets its name. */
static int udp_bound(struct sockaddr_in *addr)
{
    int s = CHECK_OK(socket(AF_INET, SOCK_DGRAM, 0));
    struct sockaddr_in a = lo4(0);
    CHECK_OK(bind(s, (struct sockaddr *)&a, sizeof a));
    *addr = name_of(s);
    CHECK_NE(addr->sin_port, 0);
    return s;
}

static short poll1(int fd, short events, int ms)
{
    struct pollfd p = { fd, events, 0 };
    int n = poll(&p, 1, ms);
    CHECK(n == 0 || n == 1);
    return p.revents;
}

static void send_to(int fd, const void *p, size_t n, const struct sockaddr_in *to)
{
    CHECK_EQ(sendto(fd, p, n, 0, (const struct sockaddr *)to, sizeof *to), (ssize_t)n);
}

int main(void)
{
    char buf[70000];
    struct sockaddr_in a1, a2, from;
    socklen_t len;
    int s1 = udp_bound(&a1), s2 = udp_bound(&a2);
    CHECK_NE(a1.sin_port, a2.sin_port);

    /* sendto/recvfrom: the receiver learns the sender's address. */
    send_to(s1, "hello", 5, &a2);
    memset(&from, 0, sizeof from);
    len = sizeof from;
    CHECK_EQ(recvfrom(s2, buf, sizeof buf, 0, (struct sockaddr *)&from, &len), 5);
    CHECK_MEMEQ(buf, "hello", 5);
    CHECK_EQ(len, sizeof from);
    CHECK_EQ(from.sin_family, AF_INET);
    CHECK_EQ(from.sin_port, a1.sin_port);
    CHECK_EQ(from.sin_addr.s_addr, htonl(INADDR_LOOPBACK));

    /* Boundaries are kept, in order. */
    send_to(s1, "a", 1, &a2);
    send_to(s1, "bb", 2, &a2);
    send_to(s1, "ccc", 3, &a2);
    CHECK_EQ(recv(s2, buf, sizeof buf, 0), 1);
    CHECK_EQ(recv(s2, buf, sizeof buf, 0), 2);
    CHECK_MEMEQ(buf, "bb", 2);
    CHECK_EQ(recv(s2, buf, sizeof buf, 0), 3);
    CHECK_MEMEQ(buf, "ccc", 3);
    CHECK_ERR(recv(s2, buf, sizeof buf, MSG_DONTWAIT), EAGAIN);

    /* FIONREAD is the size of the next datagram only (0 when none). */
    int n = -1;
    CHECK_OK(ioctl(s2, FIONREAD, &n));
    CHECK_EQ(n, 0);
    send_to(s1, "0123456789", 10, &a2);
    send_to(s1, "xyz", 3, &a2);
    CHECK_EQ(poll1(s2, POLLIN, 3000), POLLIN);
    CHECK_OK(ioctl(s2, FIONREAD, &n));
    CHECK_EQ(n, 10);
    /* MSG_PEEK leaves it; a short read truncates it and drops the rest,
     * which recvmsg reports with MSG_TRUNC in msg_flags. */
    CHECK_EQ(recv(s2, buf, 4, MSG_PEEK), 4);
    CHECK_MEMEQ(buf, "0123", 4);
    CHECK_EQ(recv(s2, buf, sizeof buf, MSG_PEEK), 10);
    struct iovec iov = { buf, 4 };
    struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
    CHECK_EQ(recvmsg(s2, &mh, 0), 4);
    CHECK_MEMEQ(buf, "0123", 4);
    CHECK_EQ(mh.msg_flags & MSG_TRUNC, MSG_TRUNC);
    CHECK_EQ(poll1(s2, POLLIN, 3000), POLLIN);
    CHECK_OK(ioctl(s2, FIONREAD, &n));
    CHECK_EQ(n, 3);
    /* With MSG_TRUNC, recv returns the real length. */
    CHECK_EQ(recv(s2, buf, 1, MSG_TRUNC), 3);
    CHECK_EQ(buf[0], 'x');
    mh.msg_flags = 0;
    send_to(s1, "fits", 4, &a2);
    iov.iov_len = sizeof buf;
    CHECK_EQ(recvmsg(s2, &mh, 0), 4);
    CHECK_EQ(mh.msg_flags & MSG_TRUNC, 0);

    /* An empty datagram is a datagram: readable, read as 0 bytes. */
    CHECK_EQ(sendto(s1, "", 0, 0, (struct sockaddr *)&a2, sizeof a2), 0);
    send_to(s1, "after", 5, &a2);
    CHECK_EQ(poll1(s2, POLLIN, 3000), POLLIN);
    len = sizeof from;
    CHECK_EQ(recvfrom(s2, buf, sizeof buf, 0, (struct sockaddr *)&from, &len), 0);
    CHECK_EQ(from.sin_port, a1.sin_port);
    CHECK_EQ(recv(s2, buf, sizeof buf, 0), 5);

    /* The largest IPv4 datagram (65535 - 20 - 8 bytes), and one more. */
    for (int i = 0; i < 65507; i++)
        buf[i] = (char)(i * 7);
    CHECK_EQ(sendto(s1, buf, 65507, 0, (struct sockaddr *)&a2, sizeof a2), 65507);
    CHECK_ERR(sendto(s1, buf, 65508, 0, (struct sockaddr *)&a2, sizeof a2), EMSGSIZE);
    static char big[70000];
    CHECK_EQ(recv(s2, big, sizeof big, 0), 65507);
    CHECK_MEMEQ(big, buf, 65507);

    /* Receive timeout. */
    struct timeval tv = { 0, 50000 };
    CHECK_OK(setsockopt(s2, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
    long long t0 = now_ns();
    CHECK_ERR(recv(s2, buf, sizeof buf, 0), EAGAIN);
    CHECK(now_ns() - t0 >= 40000000LL);
    tv.tv_usec = 0;
    CHECK_OK(setsockopt(s2, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));

    /* Unconnected: no peer, send needs an address, shutdown has nothing. */
    len = sizeof from;
    CHECK_ERR(getpeername(s1, (struct sockaddr *)&from, &len), ENOTCONN);
    CHECK_ERR(send(s1, "x", 1, 0), EDESTADDRREQ);
    CHECK_ERR(write(s1, "x", 1), EDESTADDRREQ);
    /* (on a socket of its own: Linux marks it shut down all the same) */
    int t = CHECK_OK(socket(AF_INET, SOCK_DGRAM, 0));
    CHECK_ERR(shutdown(t, SHUT_RDWR), ENOTCONN);
    CHECK_OK(close(t));
    /* Bad destinations. */
    CHECK_ERR(sendto(s1, "x", 1, 0, (struct sockaddr *)&a2, sizeof a2 - 1), EINVAL);
    struct sockaddr_in bad = a2;
    bad.sin_family = AF_INET6;
    CHECK_ERR(sendto(s1, "x", 1, 0, (struct sockaddr *)&bad, sizeof bad), EAFNOSUPPORT);
    CHECK_ERR(sendto(s1, "x", 1, 0, BAD_PTR, sizeof bad), EFAULT);
    /* The port is taken. */
    int s3 = CHECK_OK(socket(AF_INET, SOCK_DGRAM, 0));
    CHECK_ERR(bind(s3, (struct sockaddr *)&a2, sizeof a2), EADDRINUSE);

    /* Autobind: an unbound socket gets a port on its first sendto. */
    struct sockaddr_in n3 = name_of(s3);
    CHECK_EQ(n3.sin_port, 0);
    CHECK_EQ(n3.sin_addr.s_addr, htonl(INADDR_ANY));
    send_to(s3, "auto", 4, &a2);
    n3 = name_of(s3);
    CHECK_NE(n3.sin_port, 0);
    CHECK_EQ(n3.sin_addr.s_addr, htonl(INADDR_ANY));
    len = sizeof from;
    CHECK_EQ(recvfrom(s2, buf, sizeof buf, 0, (struct sockaddr *)&from, &len), 4);
    CHECK_EQ(from.sin_port, n3.sin_port);
    CHECK_EQ(from.sin_addr.s_addr, htonl(INADDR_LOOPBACK));

    /* Connected: send/recv without addresses, getpeername, and only the
     * peer's datagrams are received. */
    CHECK_OK(connect(s3, (struct sockaddr *)&a2, sizeof a2));
    len = sizeof from;
    CHECK_OK(getpeername(s3, (struct sockaddr *)&from, &len));
    CHECK_EQ(from.sin_port, a2.sin_port);
    CHECK_EQ(name_of(s3).sin_addr.s_addr, htonl(INADDR_LOOPBACK));
    CHECK_EQ(send(s3, "conn", 4, 0), 4);
    len = sizeof from;
    CHECK_EQ(recvfrom(s2, buf, sizeof buf, 0, (struct sockaddr *)&from, &len), 4);
    CHECK_EQ(from.sin_port, n3.sin_port);
    n3 = name_of(s3);
    send_to(s1, "stranger", 8, &n3);      /* dropped: not from the peer */
    send_to(s2, "peer", 4, &n3);
    CHECK_EQ(recv(s3, buf, sizeof buf, 0), 4);
    CHECK_MEMEQ(buf, "peer", 4);
    CHECK_ERR(recv(s3, buf, sizeof buf, MSG_DONTWAIT), EAGAIN);
    /* sendto with another address still works on a connected socket. */
    CHECK_EQ(sendto(s3, "other", 5, 0, (struct sockaddr *)&a1, sizeof a1), 5);
    CHECK_EQ(recv(s1, buf, sizeof buf, 0), 5);
    /* connect to AF_UNSPEC dissolves the association. */
    struct sockaddr unspec = { .sa_family = AF_UNSPEC };
    CHECK_OK(connect(s3, &unspec, sizeof unspec));
    len = sizeof from;
    CHECK_ERR(getpeername(s3, (struct sockaddr *)&from, &len), ENOTCONN);
    CHECK_ERR(send(s3, "x", 1, 0), EDESTADDRREQ);
    CHECK_OK(close(s3));

    /* A connected socket learns (through ICMP port unreachable) that
     * nobody listens at the peer's port: ECONNREFUSED, reported once. */
    struct sockaddr_in gone;
    int g = udp_bound(&gone);
    CHECK_OK(close(g));
    int c = CHECK_OK(socket(AF_INET, SOCK_DGRAM, 0));
    CHECK_OK(connect(c, (struct sockaddr *)&gone, sizeof gone));
    CHECK_EQ(send(c, "anyone?", 7, 0), 7);
    CHECK_EQ(poll1(c, POLLIN, 3000) & POLLERR, POLLERR);
    CHECK_ERR(recv(c, buf, sizeof buf, 0), ECONNREFUSED);
    CHECK_ERR(recv(c, buf, sizeof buf, MSG_DONTWAIT), EAGAIN);
    CHECK_EQ(send(c, "again?", 6, 0), 6);
    CHECK_EQ(poll1(c, 0, 3000), POLLERR);
    int err = -1;
    len = sizeof err;
    CHECK_OK(getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &len));
    CHECK_EQ(err, ECONNREFUSED);
    CHECK_OK(getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &len));
    CHECK_EQ(err, 0);
    CHECK_OK(close(c));
    /* An unconnected sender is not told. */
    send_to(s1, "anyone?", 7, &gone);
    CHECK_EQ(poll1(s1, POLLIN, 50), 0);
    CHECK_OK(getsockopt(s1, SOL_SOCKET, SO_ERROR, &err, &len));
    CHECK_EQ(err, 0);

    /* IPv6 on ::1. */
    struct sockaddr_in6 b6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
    int u1 = CHECK_OK(socket(AF_INET6, SOCK_DGRAM, 0));
    int u2 = CHECK_OK(socket(AF_INET6, SOCK_DGRAM, 0));
    CHECK_OK(bind(u1, (struct sockaddr *)&b6, sizeof b6));
    CHECK_OK(bind(u2, (struct sockaddr *)&b6, sizeof b6));
    struct sockaddr_in6 n1, n2, f6;
    len = sizeof n1;
    CHECK_OK(getsockname(u1, (struct sockaddr *)&n1, &len));
    CHECK_EQ(len, sizeof n1);
    len = sizeof n2;
    CHECK_OK(getsockname(u2, (struct sockaddr *)&n2, &len));
    CHECK_NE(n2.sin6_port, 0);
    CHECK(IN6_IS_ADDR_LOOPBACK(&n2.sin6_addr));
    CHECK_EQ(sendto(u1, "v6", 2, 0, (struct sockaddr *)&n2, sizeof n2), 2);
    len = sizeof f6;
    CHECK_EQ(recvfrom(u2, buf, sizeof buf, 0, (struct sockaddr *)&f6, &len), 2);
    CHECK_EQ(len, sizeof f6);
    CHECK_EQ(f6.sin6_family, AF_INET6);
    CHECK_EQ(f6.sin6_port, n1.sin6_port);
    CHECK(IN6_IS_ADDR_LOOPBACK(&f6.sin6_addr));
    CHECK_MEMEQ(buf, "v6", 2);
    CHECK_ERR(sendto(u1, "x", 1, 0, (struct sockaddr *)&n2, 20), EINVAL);
    /* ...and the port unreachable error there too. */
    CHECK_OK(close(u2));
    CHECK_OK(connect(u1, (struct sockaddr *)&n2, sizeof n2));
    CHECK_EQ(send(u1, "anyone?", 7, 0), 7);
    CHECK_EQ(poll1(u1, 0, 3000), POLLERR);
    CHECK_ERR(recv(u1, buf, sizeof buf, 0), ECONNREFUSED);
    CHECK_OK(close(u1));

    CHECK_OK(close(s1));
    CHECK_OK(close(s2));
    return 0;
}
