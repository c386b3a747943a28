/* TCP over IPv4 loopback: bind/listen/connect/accept, the addresses each
 * side reports, data both ways, end of file after the peer closes, accept4
 * flags, autobind on listen, and the errors of bind/connect/getpeername/
 * send/recv on sockets in the wrong state or with bad addresses. */
#include "check.h"
#include "net_addr.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

static struct sockaddr_in lo4(uint16_t port)
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    return a;
}

static int connect_to(uint16_t port)
{
    int c = CHECK_OK(socket(AF_INET, SOCK_STREAM, 0));
    struct sockaddr_in a = lo4(port);
    CHECK_OK(connect(c, (struct sockaddr *)&a, sizeof a));
    return c;
}

int main(void)
{
    char buf[64];

    /* bind to 127.0.0.1:0 picks a port; the socket reports it. */
    int l = CHECK_OK(socket(AF_INET, SOCK_STREAM, 0));
    struct sockaddr_in any = name_of(l);
    CHECK_EQ(any.sin_port, 0);
    CHECK_EQ(any.sin_addr.s_addr, htonl(INADDR_ANY));
    struct sockaddr_in a = lo4(0);
    CHECK_OK(bind(l, (struct sockaddr *)&a, sizeof a));
    struct sockaddr_in ln = name_of(l);
    uint16_t port = ntohs(ln.sin_port);
    CHECK_NE(port, 0);
    CHECK_EQ(ln.sin_addr.s_addr, htonl(INADDR_LOOPBACK));
    /* Not connected yet: no peer, nothing to read. */
    socklen_t len = sizeof a;
    CHECK_ERR(getpeername(l, (struct sockaddr *)&a, &len), ENOTCONN);
    CHECK_OK(listen(l, 8));
    CHECK_ERR(getpeername(l, (struct sockaddr *)&a, &len), ENOTCONN);
    CHECK_ERR(recv(l, buf, sizeof buf, 0), ENOTCONN);

    /* A second socket cannot take the same port, nor the wildcard on it. */
    int s2 = CHECK_OK(socket(AF_INET, SOCK_STREAM, 0));
    a = lo4(port);
    CHECK_ERR(bind(s2, (struct sockaddr *)&a, sizeof a), EADDRINUSE);
    a.sin_addr.s_addr = htonl(INADDR_ANY);
    CHECK_ERR(bind(s2, (struct sockaddr *)&a, sizeof a), EADDRINUSE);
    CHECK_OK(close(s2));

    /* connect/accept: each side sees the other's address. */
    int c = connect_to(port);
    struct sockaddr_in cn = name_of(c), cp = peer_of(c);
    CHECK_EQ(cn.sin_addr.s_addr, htonl(INADDR_LOOPBACK));
    CHECK_NE(cn.sin_port, 0);
    CHECK_NE(cn.sin_port, htons(port));
    CHECK_EQ(cp.sin_addr.s_addr, htonl(INADDR_LOOPBACK));
    CHECK_EQ(cp.sin_port, htons(port));
    struct sockaddr_in from;
    memset(&from, 0, sizeof from);
    len = sizeof from;
    int s = CHECK_OK(accept(l, (struct sockaddr *)&from, &len));
    CHECK_EQ(len, sizeof from);
    CHECK_EQ(from.sin_family, AF_INET);
    CHECK_EQ(from.sin_port, cn.sin_port);
    CHECK_EQ(from.sin_addr.s_addr, htonl(INADDR_LOOPBACK));
    struct sockaddr_in sn = name_of(s), sp = peer_of(s);
    CHECK_EQ(sn.sin_port, htons(port));
    CHECK_EQ(sn.sin_addr.s_addr, htonl(INADDR_LOOPBACK));
    CHECK_EQ(sp.sin_port, cn.sin_port);
    /* A plain accept gives a blocking, inheritable descriptor. */
    CHECK_EQ(fcntl(s, F_GETFL) & O_NONBLOCK, 0);
    CHECK_EQ(fcntl(s, F_GETFD) & FD_CLOEXEC, 0);

    /* Data both ways; write/read and send/recv are the same thing. */
    CHECK_EQ(write(c, "hello", 5), 5);
    CHECK_EQ(recv(s, buf, 5, MSG_WAITALL), 5);
    CHECK_MEMEQ(buf, "hello", 5);
    CHECK_EQ(send(s, "world!", 6, 0), 6);
    CHECK_EQ(recv(c, buf, 6, MSG_WAITALL), 6);
    CHECK_MEMEQ(buf, "world!", 6);

    /* Connected: connecting again is EISCONN, to anywhere. */
    a = lo4(port);
    CHECK_ERR(connect(c, (struct sockaddr *)&a, sizeof a), EISCONN);
    CHECK_ERR(connect(s, (struct sockaddr *)&a, sizeof a), EISCONN);

    /* The peer closes: what it sent is read, then end of file, again. */
    CHECK_EQ(send(c, "bye", 3, 0), 3);
    CHECK_OK(close(c));
    CHECK_EQ(recv(s, buf, 3, MSG_WAITALL), 3);
    CHECK_MEMEQ(buf, "bye", 3);
    CHECK_EQ(read(s, buf, sizeof buf), 0);
    CHECK_EQ(read(s, buf, sizeof buf), 0);
    CHECK_OK(close(s));

    /* accept4 sets the flags it is given; unknown flags are EINVAL. */
    c = connect_to(port);
    CHECK_ERR(accept4(l, NULL, NULL, 0x4), EINVAL);
    s = CHECK_OK(accept4(l, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC));
    CHECK_EQ(fcntl(s, F_GETFL) & O_NONBLOCK, O_NONBLOCK);
    CHECK_EQ(fcntl(s, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
    CHECK_EQ(peer_of(s).sin_port, name_of(c).sin_port);
    CHECK_ERR(recv(s, buf, sizeof buf, 0), EAGAIN);
    CHECK_OK(close(s));
    CHECK_OK(close(c));

    /* A port with a socket bound but not listening refuses connections. */
    int b = CHECK_OK(socket(AF_INET, SOCK_STREAM, 0));
    a = lo4(0);
    CHECK_OK(bind(b, (struct sockaddr *)&a, sizeof a));
    uint16_t closed = ntohs(name_of(b).sin_port);
    c = CHECK_OK(socket(AF_INET, SOCK_STREAM, 0));
    a = lo4(closed);
    CHECK_ERR(connect(c, (struct sockaddr *)&a, sizeof a), ECONNREFUSED);
    CHECK_ERR(getpeername(c, (struct sockaddr *)&a, &len), ENOTCONN);
    CHECK_OK(close(c));

    /* listen without bind picks a port on the wildcard address. */
    int l2 = CHECK_OK(socket(AF_INET, SOCK_STREAM, 0));
    CHECK_OK(listen(l2, 1));
    struct sockaddr_in l2n = name_of(l2);
    CHECK_NE(l2n.sin_port, 0);
    CHECK_EQ(l2n.sin_addr.s_addr, htonl(INADDR_ANY));
    c = connect_to(ntohs(l2n.sin_port));
    s = CHECK_OK(accept(l2, NULL, NULL));
    CHECK_EQ(name_of(s).sin_addr.s_addr, htonl(INADDR_LOOPBACK));
    CHECK_OK(close(s));
    CHECK_OK(close(c));
    CHECK_OK(close(l2));

    /* A never-connected stream socket. */
    int u = CHECK_OK(socket(AF_INET, SOCK_STREAM, 0));
    len = sizeof a;
    CHECK_ERR(getpeername(u, (struct sockaddr *)&a, &len), ENOTCONN);
    CHECK_ERR(recv(u, buf, sizeof buf, 0), ENOTCONN);
    CHECK_ERR(read(u, buf, sizeof buf), ENOTCONN);
    /* Linux answers EPIPE (not ENOTCONN) to a send on it. */
    CHECK_ERR(send(u, "x", 1, MSG_NOSIGNAL), EPIPE);

    /* Bad addresses: short length, wrong family, too long, bad pointer. */
    a = lo4(0);
    CHECK_ERR(bind(u, (struct sockaddr *)&a, sizeof a - 1), EINVAL);
    CHECK_ERR(bind(u, (struct sockaddr *)&a, 0), EINVAL);
    CHECK_ERR(bind(u, (struct sockaddr *)&a, 4096), EINVAL);
    CHECK_ERR(bind(u, BAD_PTR, sizeof a), EFAULT);
    a.sin_family = AF_INET6;
    CHECK_ERR(bind(u, (struct sockaddr *)&a, sizeof a), EAFNOSUPPORT);
    a = lo4(port);
    CHECK_ERR(connect(u, (struct sockaddr *)&a, sizeof a - 1), EINVAL);
    CHECK_ERR(connect(u, BAD_PTR, sizeof a), EFAULT);
    a.sin_family = AF_INET6;
    CHECK_ERR(connect(u, (struct sockaddr *)&a, sizeof a), EAFNOSUPPORT);
    /* None of that bound it. */
    CHECK_EQ(name_of(u).sin_port, 0);
    CHECK_OK(close(u));

    CHECK_OK(close(b));
    CHECK_OK(close(l));
    return 0;
}
