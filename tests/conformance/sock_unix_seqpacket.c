/* SOCK_SEQPACKET: a connection (listen/accept on an abstract name) that
 * keeps message boundaries, MSG_TRUNC, MSG_PEEK, end of file after the
 * peer closes (EPIPE without SIGPIPE for a writer), ENOTCONN before. */
#include "check.h"
#include <poll.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

static volatile sig_atomic_t sigpipes;

static void on_sigpipe(int sig)
{
    (void)sig;
    sigpipes++;
}

int main(void)
{
    struct sigaction act = { .sa_handler = on_sigpipe };
    CHECK_OK(sigaction(SIGPIPE, &act, NULL));
    struct sockaddr_un a = { .sun_family = AF_UNIX };
    snprintf(a.sun_path + 1, sizeof a.sun_path - 1, "conf-seq-%d", (int)getpid());
    socklen_t alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
                                 strlen(a.sun_path + 1));
    char buf[64];

    int l = CHECK_OK(socket(AF_UNIX, SOCK_SEQPACKET, 0));
    CHECK_ERR(send(l, "x", 1, 0), ENOTCONN);
    CHECK_ERR(recv(l, buf, sizeof buf, 0), ENOTCONN);
    CHECK_OK(bind(l, (struct sockaddr *)&a, alen));
    CHECK_OK(listen(l, 2));
    CHECK_ERR(send(l, "x", 1, 0), ENOTCONN);

    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        int s = CHECK_OK(socket(AF_UNIX, SOCK_SEQPACKET, 0));
        CHECK_OK(connect(s, (struct sockaddr *)&a, alen));
        CHECK_EQ(send(s, "first", 5, 0), 5);
        CHECK_EQ(send(s, "second message", 14, 0), 14);
        CHECK_EQ(send(s, "", 0, 0), 0);
        CHECK_EQ(write(s, "third", 5), 5);
        /* The server's reply, then its end of file. */
        CHECK_EQ(recv(s, buf, sizeof buf, 0), 2);
        CHECK_MEMEQ(buf, "ok", 2);
        CHECK_EQ(recv(s, buf, sizeof buf, 0), 0);
        CHECK_EQ(recv(s, buf, sizeof buf, MSG_DONTWAIT), 0);
        _exit(0);
    }
    int s = CHECK_OK(accept(l, NULL, NULL));
    int v;
    socklen_t vl = sizeof v;
    CHECK_OK(getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &vl));
    CHECK_EQ(v, SOCK_SEQPACKET);
    /* Boundaries are kept, even when more is asked for. */
    CHECK_EQ(recv(s, buf, sizeof buf, MSG_WAITALL), 5);
    CHECK_MEMEQ(buf, "first", 5);
    CHECK_EQ(recv(s, buf, 6, MSG_PEEK), 6);
    struct iovec iov = { buf, 6 };
    struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
    CHECK_EQ(recvmsg(s, &mh, 0), 6);
    CHECK_EQ(mh.msg_flags, MSG_TRUNC);
    CHECK_MEMEQ(buf, "second", 6);
    CHECK_EQ(recv(s, buf, sizeof buf, 0), 0);             /* the empty record */
    CHECK_EQ(recv(s, buf, 1, MSG_TRUNC), 5);
    CHECK_EQ(buf[0], 't');
    CHECK_EQ(send(s, "ok", 2, 0), 2);
    CHECK_OK(close(s));
    CHECK_CHILD_EXIT(pid, 0);

    /* A pair whose peer is gone: end of file, hangup, and EPIPE with no
     * signal. */
    int sv[2];
    CHECK_OK(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv));
    CHECK_EQ(send(sv[1], "bye", 3, 0), 3);
    CHECK_OK(close(sv[1]));
    struct pollfd pf = { sv[0], POLLIN | POLLOUT, 0 };
    CHECK_EQ(poll(&pf, 1, 0), 1);
    CHECK_EQ(pf.revents & (POLLIN | POLLHUP), POLLIN | POLLHUP);
    CHECK_EQ(recv(sv[0], buf, sizeof buf, 0), 3);
    CHECK_EQ(recv(sv[0], buf, sizeof buf, 0), 0);
    CHECK_ERR(send(sv[0], "x", 1, 0), EPIPE);
    CHECK_ERR(write(sv[0], "x", 1), EPIPE);
    CHECK_EQ(sigpipes, 0);
    CHECK_OK(close(sv[0]));

    /* A fresh socket is hung up; an unknown name is refused. */
    int c = CHECK_OK(socket(AF_UNIX, SOCK_SEQPACKET, 0));
    pf = (struct pollfd){ c, POLLIN | POLLOUT, 0 };
    CHECK_EQ(poll(&pf, 1, 0), 1);
    CHECK_EQ(pf.revents, POLLOUT | POLLHUP);
    a.sun_path[1] ^= 1;
    CHECK_ERR(connect(c, (struct sockaddr *)&a, alen), ECONNREFUSED);
    CHECK_OK(close(c));
    CHECK_OK(close(l));
    return 0;
}
