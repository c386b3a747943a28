/* Non-blocking TCP on IPv4 loopback: connect in progress, completion seen
 * through poll(POLLOUT) and SO_ERROR, a refused non-blocking connect
 * (SO_ERROR reports ECONNREFUSED once), EAGAIN from empty receives and a
 * listener with nothing pending, MSG_DONTWAIT on a blocking socket. */
#include "check.h"
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

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

static int so_error(int fd)
{
    int v = -1;
    socklen_t len = sizeof v;
    CHECK_OK(getsockopt(fd, SOL_SOCKET, SO_ERROR, &v, &len));
    CHECK_EQ(len, sizeof v);
    return v;
}

/* poll one fd; returns revents (0 on timeout). */
static short poll1(int fd, short events, int ms)
{
    struct pollfd p = { fd, events, 0 };
    int n = poll(&p, 1, ms);
    CHECK(n == 0 || n == 1);
    return p.revents;
}

int main(void)
{
    char buf[32];

    int l = CHECK_OK(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
    struct sockaddr_in a = lo4(0);
    CHECK_OK(bind(l, (struct sockaddr *)&a, sizeof a));
    CHECK_OK(listen(l, 4));
    uint16_t port = port_of(l);

    /* Nothing pending: a non-blocking accept is EAGAIN. */
    CHECK_ERR(accept(l, NULL, NULL), EAGAIN);
    CHECK_EQ(poll1(l, POLLIN, 0), 0);

    /* Non-blocking connect: done at once or in progress. */
    int c = CHECK_OK(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
    a = lo4(port);
    errno = 0;
    int r = connect(c, (struct sockaddr *)&a, sizeof a);
    CHECK(r == 0 || (r == -1 && errno == EINPROGRESS));
    /* Writable once connected, with no error. */
    short re = poll1(c, POLLOUT, 3000);
    CHECK_EQ(re, POLLOUT);
    CHECK_EQ(so_error(c), 0);
    struct sockaddr_in p;
    socklen_t len = sizeof p;
    CHECK_OK(getpeername(c, (struct sockaddr *)&p, &len));
    CHECK_EQ(p.sin_port, htons(port));
    /* Linux reports success once more for the connect that was in
     * progress; after that the socket is plainly connected. */
    errno = 0;
    r = connect(c, (struct sockaddr *)&a, sizeof a);
    CHECK(r == 0 || (r == -1 && errno == EISCONN));
    CHECK_ERR(connect(c, (struct sockaddr *)&a, sizeof a), EISCONN);

    /* The listener becomes readable; accept does not inherit O_NONBLOCK. */
    CHECK_EQ(poll1(l, POLLIN, 3000), POLLIN);
    int s = CHECK_OK(accept(l, NULL, NULL));
    CHECK_EQ(fcntl(s, F_GETFL) & O_NONBLOCK, 0);
    CHECK_ERR(accept(l, NULL, NULL), EAGAIN);

    /* Empty: EAGAIN from every receive path of the non-blocking end. */
    CHECK_ERR(recv(c, buf, sizeof buf, 0), EAGAIN);
    CHECK_ERR(read(c, buf, sizeof buf), EAGAIN);
    struct iovec iov = { buf, sizeof buf };
    struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
    CHECK_ERR(recvmsg(c, &mh, 0), EAGAIN);
    /* MSG_DONTWAIT makes a blocking socket's receive non-blocking... */
    CHECK_ERR(recv(s, buf, sizeof buf, MSG_DONTWAIT), EAGAIN);
    /* ...for that call only: the socket flags are unchanged. */
    CHECK_EQ(fcntl(s, F_GETFL) & O_NONBLOCK, 0);

    /* Data arriving ends the EAGAIN. */
    CHECK_EQ(send(s, "ping", 4, 0), 4);
    CHECK_EQ(poll1(c, POLLIN, 3000), POLLIN);
    CHECK_EQ(recv(c, buf, sizeof buf, 0), 4);
    CHECK_MEMEQ(buf, "ping", 4);
    CHECK_ERR(recv(c, buf, sizeof buf, 0), EAGAIN);
    CHECK_EQ(send(c, "pong", 4, MSG_DONTWAIT), 4);
    CHECK_EQ(recv(s, buf, 4, MSG_WAITALL), 4);
    CHECK_MEMEQ(buf, "pong", 4);

    /* O_NONBLOCK set later with fcntl works the same way. */
    CHECK_OK(fcntl(s, F_SETFL, O_NONBLOCK));
    CHECK_ERR(recv(s, buf, sizeof buf, 0), EAGAIN);
    CHECK_OK(close(s));
    CHECK_OK(close(c));

    /* Non-blocking connect to a port nobody listens on (held by a bound,
     * non-listening socket, so nobody else can take it). */
    int b = CHECK_OK(socket(AF_INET, SOCK_STREAM, 0));
    a = lo4(0);
    CHECK_OK(bind(b, (struct sockaddr *)&a, sizeof a));
    a = lo4(port_of(b));
    c = CHECK_OK(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
    errno = 0;
    r = connect(c, (struct sockaddr *)&a, sizeof a);
    CHECK_EQ(r, -1);
    if (errno == EINPROGRESS) {
        /* The failure shows as an error (and hangup) to poll... */
        re = poll1(c, POLLOUT, 3000);
        CHECK_EQ(re & (POLLERR | POLLHUP), POLLERR | POLLHUP);
        /* ...and SO_ERROR gives it once, clearing it. */
        CHECK_EQ(so_error(c), ECONNREFUSED);
    } else {
        CHECK_EQ(errno, ECONNREFUSED);
    }
    CHECK_EQ(so_error(c), 0);
    len = sizeof p;
    CHECK_ERR(getpeername(c, (struct sockaddr *)&p, &len), ENOTCONN);
    CHECK_OK(close(c));

    /* The same with a blocking socket: ECONNREFUSED straight away, and
     * the error is not left behind in SO_ERROR. */
    c = CHECK_OK(socket(AF_INET, SOCK_STREAM, 0));
    CHECK_ERR(connect(c, (struct sockaddr *)&a, sizeof a), ECONNREFUSED);
    CHECK_EQ(so_error(c), 0);
    CHECK_OK(close(c));

    CHECK_OK(close(b));
    CHECK_OK(close(l));
    return 0;
}
