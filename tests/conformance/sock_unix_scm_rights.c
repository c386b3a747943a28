/* SCM_RIGHTS: passing pipes and sockets, to another process too; several
 * fds and several messages; a control buffer too small (MSG_CTRUNC, the
 * rest closed); RLIMIT_NOFILE; MSG_CMSG_CLOEXEC; MSG_PEEK; no control
 * buffer at all; bad fds; and a socket sent over itself, which must be
 * collected once nothing else refers to it. */
#include "check.h"
#include <poll.h>
#include <sys/socket.h>

/* Sends one byte with fds. */
static ssize_t send_fds(int s, const int *fds, int n, int flags)
{
    char data = 'F';
    struct iovec iov = { &data, 1 };
    union {
        char buf[CMSG_SPACE(sizeof(int) * 16)];
        struct cmsghdr align;
    } u;
    memset(&u, 0, sizeof u);
    struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
    if (n > 0) {
        mh.msg_control = u.buf;
        mh.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)n);
        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)n);
        memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)n);
    }
    return sendmsg(s, &mh, flags);
}

/* Receives one byte with up to room fds; returns how many came, -1 for none. */
static int recv_fds(int s, int *fds, int room, int flags, int *msg_flags)
{
    char data;
    struct iovec iov = { &data, 1 };
    union {
        char buf[CMSG_SPACE(sizeof(int) * 16)];
        struct cmsghdr align;
    } u;
    memset(&u, 0, sizeof u);
    struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
                         .msg_controllen = room ? CMSG_SPACE(sizeof(int) * (size_t)room)
                                                : 0 };
    if (room == 0)
        mh.msg_control = NULL;
    CHECK_EQ(recvmsg(s, &mh, flags), 1);
    CHECK_EQ(data, 'F');
    *msg_flags = mh.msg_flags;
    struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
    if (!c)
        return -1;
    CHECK_EQ(c->cmsg_level, SOL_SOCKET);
    CHECK_EQ(c->cmsg_type, SCM_RIGHTS);
    int n = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
    memcpy(fds, CMSG_DATA(c), sizeof(int) * (size_t)n);
    CHECK(CMSG_NXTHDR(&mh, c) == NULL);
    return n;
}

static void check_pipe_works(int wr, int rd)
{
    char c = 0;
    CHECK_EQ(write(wr, "p", 1), 1);
    CHECK_EQ(read(rd, &c, 1), 1);
    CHECK_EQ(c, 'p');
}

int main(void)
{
    int sv[2], p[2], fds[16], mf;
    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    CHECK_OK(pipe(p));

    /* A pipe's write end, to ourselves: a new descriptor, the same pipe. */
    CHECK_EQ(send_fds(sv[0], &p[1], 1, 0), 1);
    CHECK_EQ(recv_fds(sv[1], fds, 4, 0, &mf), 1);
    CHECK_EQ(mf, 0);
    CHECK(fds[0] != p[1]);
    CHECK_EQ(fcntl(fds[0], F_GETFD), 0);
    check_pipe_works(fds[0], p[0]);
    CHECK_OK(close(fds[0]));

    /* To another process, which uses them after we closed ours. */
    int inner[2];
    CHECK_OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, inner));
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        close(sv[0]);
        int got[4];
        CHECK_EQ(recv_fds(sv[1], got, 4, 0, &mf), 2);
        CHECK_EQ(write(got[0], "from child", 10), 10);
        CHECK_EQ(send(got[1], "dgram", 5, 0), 5);
        _exit(0);
    }
    int two[2] = { p[1], inner[0] };
    CHECK_EQ(send_fds(sv[0], two, 2, 0), 1);
    CHECK_CHILD_EXIT(pid, 0);
    char buf[32];
    CHECK_EQ(read(p[0], buf, sizeof buf), 10);
    CHECK_MEMEQ(buf, "from child", 10);
    CHECK_EQ(recv(inner[1], buf, sizeof buf, 0), 5);

    /* A stream does not glue a message with fds to the next one. */
    CHECK_EQ(send_fds(sv[0], &p[1], 1, 0), 1);
    CHECK_EQ(send_fds(sv[0], &p[0], 1, 0), 1);
    char two_bytes[2];
    struct iovec iov = { two_bytes, 2 };
    union {
        char b[CMSG_SPACE(sizeof(int) * 4)];
        struct cmsghdr a;
    } cu;
    struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cu.b,
                         .msg_controllen = sizeof cu.b };
    CHECK_EQ(recvmsg(sv[1], &mh, 0), 1);
    CHECK_EQ(CMSG_FIRSTHDR(&mh)->cmsg_len, CMSG_LEN(sizeof(int)));
    CHECK_OK(close(*(int *)CMSG_DATA(CMSG_FIRSTHDR(&mh))));
    CHECK_EQ(recv_fds(sv[1], fds, 1, 0, &mf), 1);
    CHECK_OK(close(fds[0]));

    /* MSG_PEEK gives copies; the real read gives them again. */
    CHECK_EQ(send_fds(sv[0], &p[1], 1, 0), 1);
    CHECK_EQ(recv_fds(sv[1], fds, 1, MSG_PEEK, &mf), 1);
    int again[1];
    CHECK_EQ(recv_fds(sv[1], again, 1, 0, &mf), 1);
    CHECK(fds[0] != again[0]);
    check_pipe_works(fds[0], p[0]);
    check_pipe_works(again[0], p[0]);
    CHECK_OK(close(fds[0]));
    CHECK_OK(close(again[0]));

    /* MSG_CMSG_CLOEXEC. */
    CHECK_EQ(send_fds(sv[0], &p[1], 1, 0), 1);
    CHECK_EQ(recv_fds(sv[1], fds, 1, MSG_CMSG_CLOEXEC, &mf), 1);
    CHECK_EQ(fcntl(fds[0], F_GETFD), FD_CLOEXEC);
    CHECK_OK(close(fds[0]));

    /* Room for 2 of 4: MSG_CTRUNC, the other two are closed.  No room at
     * all (no control buffer): MSG_CTRUNC, all closed.  The pipe stays open
     * only through our own descriptors. */
    int four[4] = { p[1], p[1], p[0], p[1] };
    CHECK_EQ(send_fds(sv[0], four, 4, 0), 1);
    CHECK_EQ(recv_fds(sv[1], fds, 2, 0, &mf), 2);
    CHECK_EQ(mf & MSG_CTRUNC, MSG_CTRUNC);
    CHECK_OK(close(fds[0]));
    CHECK_OK(close(fds[1]));
    CHECK_EQ(send_fds(sv[0], four, 4, 0), 1);
    CHECK_EQ(recv_fds(sv[1], fds, 0, 0, &mf), -1);
    CHECK_EQ(mf & MSG_CTRUNC, MSG_CTRUNC);
    /* A read() drops them too. */
    CHECK_EQ(send_fds(sv[0], four, 4, 0), 1);
    CHECK_EQ(read(sv[1], buf, 1), 1);
    /* Only our own write end is left: closing it gives the reader EOF. */
    CHECK_OK(close(p[1]));
    CHECK_EQ(read(p[0], buf, sizeof buf), 0);

    /* RLIMIT_NOFILE: what does not fit is closed, with MSG_CTRUNC. */
    CHECK_OK(pipe(p));
    int hi = p[0] > p[1] ? p[0] : p[1];
    for (int fd = 0; fd <= hi + 8; fd++)
        if (fcntl(fd, F_GETFD) < 0)
            CHECK_OK(dup2(p[0], fd));                     /* fill every hole */
    struct rlimit old, rl;
    CHECK_OK(getrlimit(RLIMIT_NOFILE, &old));
    rl = old;
    rl.rlim_cur = (rlim_t)hi + 10;                        /* room for one more */
    CHECK_OK(setrlimit(RLIMIT_NOFILE, &rl));
    int three[3] = { p[1], p[1], p[1] };
    CHECK_EQ(send_fds(sv[0], three, 3, 0), 1);
    CHECK_EQ(recv_fds(sv[1], fds, 3, 0, &mf), 1);
    CHECK_EQ(fds[0], hi + 9);
    CHECK_EQ(mf & MSG_CTRUNC, MSG_CTRUNC);
    CHECK_OK(setrlimit(RLIMIT_NOFILE, &old));
    for (int fd = hi + 1; fd <= hi + 9; fd++)
        close(fd);

    /* Bad fds, and SCM_RIGHTS where fds cannot go. */
    int bad = hi + 100;
    CHECK_ERR(send_fds(sv[0], &bad, 1, 0), EBADF);
    CHECK_ERR(recv(sv[1], buf, sizeof buf, MSG_DONTWAIT), EAGAIN);   /* nothing sent */

    /* A socket queued inside itself, with a pipe's write end: once the
     * last descriptor is gone, the collector frees both, and the pipe's
     * reader sees end of file. */
    int loop[2];
    CHECK_OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, loop));
    int cyc[2] = { loop[1], p[1] };
    CHECK_EQ(send_fds(loop[0], cyc, 2, 0), 1);            /* into loop[1]'s queue */
    CHECK_OK(close(p[1]));
    CHECK_OK(close(loop[1]));
    CHECK_OK(close(loop[0]));
    struct pollfd pf = { p[0], POLLIN, 0 };
    int tries = 0;
    for (;;) {
        /* Releasing any unix socket runs the collector. */
        CHECK_OK(close(CHECK_OK(socket(AF_UNIX, SOCK_STREAM, 0))));
        if (poll(&pf, 1, 20) == 1 || ++tries == 100)
            break;
    }
    CHECK_EQ(pf.revents, POLLHUP);
    CHECK_EQ(read(p[0], buf, sizeof buf), 0);
    CHECK_OK(close(p[0]));
    CHECK_OK(close(sv[0]));
    CHECK_OK(close(sv[1]));
    return 0;
}
