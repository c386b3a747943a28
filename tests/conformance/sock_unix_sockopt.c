/* SOL_SOCKET options on unix sockets: buffer sizes (doubled, with a
 * floor), flags that are only kept (SO_REUSEADDR, SO_KEEPALIVE...),
 * SO_LINGER, read-only options, lengths, and options of other levels. */
#include "check.h"
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

static int get_int(int fd, int name)
{
    int v = -1;
    socklen_t len = sizeof v;
    CHECK_OK(getsockopt(fd, SOL_SOCKET, name, &v, &len));
    CHECK_EQ(len, sizeof v);
    return v;
}

static void set_int(int fd, int name, int v)
{
    CHECK_OK(setsockopt(fd, SOL_SOCKET, name, &v, sizeof v));
}

int main(void)
{
    int s = CHECK_OK(socket(AF_UNIX, SOCK_STREAM, 0));

    /* Buffer sizes are doubled (for bookkeeping) and have a floor. */
    CHECK(get_int(s, SO_SNDBUF) > 0);
    CHECK(get_int(s, SO_RCVBUF) > 0);
    set_int(s, SO_SNDBUF, 16384);
    CHECK_EQ(get_int(s, SO_SNDBUF), 32768);
    set_int(s, SO_RCVBUF, 16384);
    CHECK_EQ(get_int(s, SO_RCVBUF), 32768);
    /* The floor depends on the kernel's buffer bookkeeping (4608 and
     * 2304 on x86-64 builds): small, but more than twice the ask. */
    set_int(s, SO_SNDBUF, 1);
    int floor_snd = get_int(s, SO_SNDBUF);
    CHECK(floor_snd >= 2048 && floor_snd <= 16384);
    set_int(s, SO_RCVBUF, 1);
    int floor_rcv = get_int(s, SO_RCVBUF);
    CHECK(floor_rcv >= 1024 && floor_rcv <= 16384);

    /* Flags that are kept. */
    CHECK_EQ(get_int(s, SO_REUSEADDR), 0);
    set_int(s, SO_REUSEADDR, 5);
    CHECK_EQ(get_int(s, SO_REUSEADDR), 1);
    set_int(s, SO_KEEPALIVE, 1);
    CHECK_EQ(get_int(s, SO_KEEPALIVE), 1);
    set_int(s, SO_KEEPALIVE, 0);
    CHECK_EQ(get_int(s, SO_KEEPALIVE), 0);
    set_int(s, SO_BROADCAST, 1);
    CHECK_EQ(get_int(s, SO_BROADCAST), 1);
    set_int(s, SO_OOBINLINE, 1);
    CHECK_EQ(get_int(s, SO_OOBINLINE), 1);
    CHECK_EQ(get_int(s, SO_PASSCRED), 0);
    CHECK_EQ(get_int(s, SO_RCVLOWAT), 1);
    set_int(s, SO_RCVLOWAT, 10);
    CHECK_EQ(get_int(s, SO_RCVLOWAT), 10);
    CHECK_EQ(get_int(s, SO_SNDLOWAT), 1);
    set_int(s, SO_PRIORITY, 3);
    CHECK_EQ(get_int(s, SO_PRIORITY), 3);

    /* SO_LINGER is a struct linger. */
    struct linger lg = { 1, 7 }, out;
    socklen_t len = sizeof out;
    CHECK_OK(setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof lg));
    CHECK_OK(getsockopt(s, SOL_SOCKET, SO_LINGER, &out, &len));
    CHECK_EQ(len, sizeof out);
    CHECK_EQ(out.l_onoff, 1);
    CHECK_EQ(out.l_linger, 7);
    CHECK_ERR(setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof lg - 1), EINVAL);

    /* Read-only options. */
    CHECK_EQ(get_int(s, SO_ERROR), 0);
    CHECK_EQ(get_int(s, SO_ACCEPTCONN), 0);
    int v = 1;
    CHECK_ERR(setsockopt(s, SOL_SOCKET, SO_TYPE, &v, sizeof v), ENOPROTOOPT);
    CHECK_ERR(setsockopt(s, SOL_SOCKET, SO_ERROR, &v, sizeof v), ENOPROTOOPT);

    /* Lengths: a short value is cut, a negative length is EINVAL, an int
     * option needs a whole int. */
    unsigned char small = 0xee;
    len = 1;
    CHECK_OK(getsockopt(s, SOL_SOCKET, SO_TYPE, &small, &len));
    CHECK_EQ(len, 1);
    CHECK_EQ(small, SOCK_STREAM);
    len = (socklen_t)-1;
    CHECK_ERR(getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &len), EINVAL);
    CHECK_ERR(setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &v, 2), EINVAL);
    CHECK_ERR(setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &v, -1), EINVAL);
    len = sizeof v;
    CHECK_ERR(getsockopt(s, SOL_SOCKET, SO_TYPE, &v, BAD_PTR), EFAULT);
    CHECK_ERR(setsockopt(s, SOL_SOCKET, SO_REUSEADDR, BAD_PTR, sizeof v), EFAULT);
    len = sizeof v;
    CHECK_ERR(getsockopt(s, SOL_SOCKET, 9999, &v, &len), ENOPROTOOPT);
    CHECK_ERR(setsockopt(s, SOL_SOCKET, 9999, &v, sizeof v), ENOPROTOOPT);

    /* SO_REUSEPORT is for internet sockets. */
    CHECK_ERR(setsockopt(s, SOL_SOCKET, SO_REUSEPORT, &v, sizeof v), EOPNOTSUPP);

    /* Other levels are not unix sockets' business. */
    CHECK_ERR(setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &v, sizeof v), EOPNOTSUPP);
    len = sizeof v;
    CHECK_ERR(getsockopt(s, IPPROTO_TCP, TCP_NODELAY, &v, &len), EOPNOTSUPP);
    CHECK_OK(close(s));

    /* A listener says so. */
    s = CHECK_OK(socket(AF_UNIX, SOCK_SEQPACKET, 0));
    struct sockaddr sa = { .sa_family = AF_UNIX };
    CHECK_OK(bind(s, &sa, sizeof(sa_family_t)));             /* autobind */
    CHECK_OK(listen(s, 1));
    CHECK_EQ(get_int(s, SO_ACCEPTCONN), 1);
    CHECK_EQ(get_int(s, SO_TYPE), SOCK_SEQPACKET);
    CHECK_OK(close(s));
    return 0;
}
