/* SOCK_DGRAM: messages between processes by path and by connection,
 * boundaries, MSG_PEEK, MSG_TRUNC, empty datagrams, the sender's address,
 * a full receiver (EAGAIN, or a blocked sender), EMSGSIZE, EPERM,
 * ECONNREFUSED once the peer is gone, AF_UNSPEC, and SHUT_RD. */
#include "check.h"
#include <poll.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

static socklen_t make_addr(struct sockaddr_un *a, const char *path)
{
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    strcpy(a->sun_path, path);
    return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1);
}

int main(void)
{
    enter_tmpdir();
    struct sockaddr_un ra, sa, from;
    socklen_t ralen = make_addr(&ra, "recv.sock"), salen = make_addr(&sa, "send.sock"), flen;
    int r = CHECK_OK(socket(AF_UNIX, SOCK_DGRAM, 0));
    CHECK_OK(bind(r, (struct sockaddr *)&ra, ralen));
    char buf[256];

    /* From another process: each send is one message, in order. */
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        int s = CHECK_OK(socket(AF_UNIX, SOCK_DGRAM, 0));
        CHECK_OK(bind(s, (struct sockaddr *)&sa, salen));
        CHECK_EQ(sendto(s, "one", 3, 0, (struct sockaddr *)&ra, ralen), 3);
        CHECK_EQ(sendto(s, "second", 6, 0, (struct sockaddr *)&ra, ralen), 6);
        CHECK_EQ(sendto(s, "", 0, 0, (struct sockaddr *)&ra, ralen), 0);
        CHECK_EQ(sendto(s, "0123456789", 10, 0, (struct sockaddr *)&ra, ralen), 10);
        CHECK_EQ(sendto(s, "abcdef", 6, 0, (struct sockaddr *)&ra, ralen), 6);
        /* Not connected: a destination is needed. */
        CHECK_ERR(send(s, "x", 1, 0), ENOTCONN);
        _exit(0);
    }
    CHECK_CHILD_EXIT(pid, 0);
    flen = sizeof from;
    CHECK_EQ(recvfrom(r, buf, sizeof buf, 0, (struct sockaddr *)&from, &flen), 3);
    CHECK_MEMEQ(buf, "one", 3);
    CHECK_EQ(flen, salen);
    CHECK_STREQ(from.sun_path, "send.sock");
    /* MSG_PEEK leaves the message; a short read drops the rest. */
    CHECK_EQ(recv(r, buf, sizeof buf, MSG_PEEK), 6);
    CHECK_EQ(recv(r, buf, 2, 0), 2);
    CHECK_MEMEQ(buf, "se", 2);
    /* The empty datagram is a message of its own. */
    struct iovec iov = { buf, sizeof buf };
    struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
    CHECK_EQ(recvmsg(r, &mh, 0), 0);
    CHECK_EQ(mh.msg_flags, 0);
    /* Truncation is reported in msg_flags; MSG_TRUNC returns the real size. */
    iov.iov_len = 4;
    CHECK_EQ(recvmsg(r, &mh, 0), 4);
    CHECK_EQ(mh.msg_flags, MSG_TRUNC);
    CHECK_MEMEQ(buf, "0123", 4);
    CHECK_EQ(recv(r, buf, 2, MSG_TRUNC), 6);
    CHECK_MEMEQ(buf, "ab", 2);
    CHECK_ERR(recv(r, buf, sizeof buf, MSG_DONTWAIT), EAGAIN);

    /* Connected: send needs no address; only the peer may send to us...
     * a socket connected elsewhere refuses others (EPERM). */
    int c = CHECK_OK(socket(AF_UNIX, SOCK_DGRAM, 0));
    CHECK_OK(connect(c, (struct sockaddr *)&ra, ralen));
    CHECK_EQ(send(c, "conn", 4, 0), 4);
    CHECK_EQ(write(c, "w", 1), 1);
    CHECK_EQ(recv(r, buf, sizeof buf, 0), 4);
    CHECK_EQ(read(r, buf, sizeof buf), 1);
    struct sockaddr_un peer;
    socklen_t plen = sizeof peer;
    CHECK_OK(getpeername(c, (struct sockaddr *)&peer, &plen));
    CHECK_EQ(plen, ralen);
    int other = CHECK_OK(socket(AF_UNIX, SOCK_DGRAM, 0));
    CHECK_OK(unlink("send.sock"));                             /* the child's, now stale */
    CHECK_OK(bind(other, (struct sockaddr *)&sa, salen));
    CHECK_OK(connect(r, (struct sockaddr *)&sa, salen));       /* r now talks to sa only */
    CHECK_ERR(send(c, "x", 1, 0), EPERM);
    CHECK_ERR(connect(c, (struct sockaddr *)&ra, ralen), EPERM);
    struct sockaddr_un unspec = { .sun_family = AF_UNSPEC };
    CHECK_OK(connect(r, (struct sockaddr *)&unspec, sizeof unspec.sun_family));
    CHECK_ERR(getpeername(r, (struct sockaddr *)&peer, &plen), ENOTCONN);
    CHECK_EQ(send(c, "y", 1, 0), 1);
    CHECK_EQ(recv(r, buf, sizeof buf, 0), 1);

    /* A full receiver: EAGAIN without blocking, and a blocking sender
     * waits until a reader makes room. */
    int n = 0;
    while (send(c, "fill", 4, MSG_DONTWAIT) == 4)
        n++;
    CHECK_EQ(errno, EAGAIN);
    CHECK(n >= 1);
    struct pollfd pf = { c, POLLOUT, 0 };
    CHECK_EQ(poll(&pf, 1, 0), 0);
    pid = CHECK_OK(fork());
    if (pid == 0) {
        sleep_ms(100);
        for (int i = 0; i < n + 1; i++)
            CHECK_EQ(recv(r, buf, sizeof buf, 0), 4);
        _exit(0);
    }
    long long t0 = now_ns();
    CHECK_EQ(poll(&pf, 1, 2000), 1);                           /* woken by the reader */
    CHECK(pf.revents & POLLOUT);
    CHECK_EQ(send(c, "last", 4, 0), 4);
    CHECK(now_ns() - t0 >= 50000000LL);
    CHECK_CHILD_EXIT(pid, 0);
    CHECK_ERR(recv(r, buf, sizeof buf, MSG_DONTWAIT), EAGAIN);

    /* Too big for the send buffer. */
    size_t big = 1 << 20;
    char *huge = calloc(1, big);
    CHECK(huge);
    CHECK_ERR(send(c, huge, big, 0), EMSGSIZE);
    free(huge);

    /* The receiver goes: a connected sender is refused once, then is
     * no longer connected; sendto a dead name is refused. */
    CHECK_OK(close(r));
    CHECK_ERR(send(c, "z", 1, 0), ECONNREFUSED);
    CHECK_ERR(send(c, "z", 1, 0), ENOTCONN);
    CHECK_ERR(sendto(c, "z", 1, 0, (struct sockaddr *)&ra, ralen), ECONNREFUSED);
    CHECK_ERR(sendto(c, "z", 1, 0, (struct sockaddr *)&ra, 1), EINVAL);
    struct sockaddr_un none;
    socklen_t nlen = make_addr(&none, "none.sock");
    CHECK_ERR(sendto(c, "z", 1, 0, (struct sockaddr *)&none, nlen), ENOENT);
    CHECK_OK(close(c));

    /* A two-way pair: one side dropping its unread messages (by
     * reconnecting) tells the other ECONNRESET, once. */
    int sv[2];
    CHECK_OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
    CHECK_EQ(send(sv[1], "lost", 4, 0), 4);
    CHECK_OK(connect(sv[0], (struct sockaddr *)&unspec, sizeof unspec.sun_family));
    CHECK_ERR(recv(sv[1], buf, sizeof buf, MSG_DONTWAIT), ECONNRESET);
    CHECK_ERR(recv(sv[1], buf, sizeof buf, MSG_DONTWAIT), EAGAIN);
    CHECK_ERR(recv(sv[0], buf, sizeof buf, MSG_DONTWAIT), EAGAIN);   /* dropped */
    CHECK_OK(close(sv[0]));
    CHECK_OK(close(sv[1]));

    /* SHUT_RD: a blocking read sees end of file, a non-blocking one EAGAIN. */
    CHECK_OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
    CHECK_OK(shutdown(sv[0], SHUT_RD));
    CHECK_EQ(recv(sv[0], buf, sizeof buf, 0), 0);
    CHECK_ERR(recv(sv[0], buf, sizeof buf, MSG_DONTWAIT), EAGAIN);
    CHECK_ERR(send(sv[1], "x", 1, 0), EPIPE);
    CHECK_OK(close(sv[0]));
    CHECK_OK(close(sv[1]));
    CHECK_OK(close(other));
    return 0;
}
