/* Credentials: SO_PEERCRED (socketpair, connect: the listener's ids at
 * listen time, and the connector's), SO_PASSCRED with and without
 * SCM_CREDENTIALS sent, what a process may claim (its own ids; root
 * anything that exists), and a stream read never merging data from
 * different senders. */
#include "check.h"
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

static void peercred(int fd, struct ucred *uc)
{
    socklen_t len = sizeof *uc;
    CHECK_OK(getsockopt(fd, SOL_SOCKET, SO_PEERCRED, uc, &len));
    CHECK_EQ(len, sizeof *uc);
}

static ssize_t send_creds(int s, const void *data, size_t n, pid_t pid, uid_t uid, gid_t gid)
{
    struct iovec iov = { (void *)data, n };
    union {
        char buf[CMSG_SPACE(sizeof(struct ucred))];
        struct cmsghdr align;
    } u;
    memset(&u, 0, sizeof u);
    struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
                         .msg_controllen = sizeof u.buf };
    struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_CREDENTIALS;
    c->cmsg_len = CMSG_LEN(sizeof(struct ucred));
    struct ucred uc = { pid, uid, gid };
    memcpy(CMSG_DATA(c), &uc, sizeof uc);
    return sendmsg(s, &mh, 0);
}

/* Receives into buf; returns the length and the credentials (pid -1 when
 * none came). */
static ssize_t recv_creds(int s, void *buf, size_t n, struct ucred *uc)
{
    struct iovec iov = { buf, n };
    union {
        char b[CMSG_SPACE(sizeof(struct ucred))];
        struct cmsghdr align;
    } u;
    struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b,
                         .msg_controllen = sizeof u.b };
    ssize_t r = recvmsg(s, &mh, 0);
    uc->pid = -1;
    if (r < 0)
        return r;
    CHECK_EQ(mh.msg_flags & MSG_CTRUNC, 0);
    struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
    if (c) {
        CHECK_EQ(c->cmsg_level, SOL_SOCKET);
        CHECK_EQ(c->cmsg_type, SCM_CREDENTIALS);
        CHECK_EQ(c->cmsg_len, CMSG_LEN(sizeof *uc));
        memcpy(uc, CMSG_DATA(c), sizeof *uc);
    }
    return r;
}

int main(void)
{
    int sv[2], on = 1;
    struct ucred uc;
    char buf[16];
    pid_t me = getpid();

    /* Not connected: nobody. */
    int s = CHECK_OK(socket(AF_UNIX, SOCK_STREAM, 0));
    peercred(s, &uc);
    CHECK_EQ(uc.pid, 0);
    CHECK_EQ(uc.uid, (uid_t)-1);
    CHECK_EQ(uc.gid, (gid_t)-1);

    /* socketpair: both ends are the creator. */
    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    peercred(sv[0], &uc);
    CHECK_EQ(uc.pid, me);
    CHECK_EQ(uc.uid, geteuid());
    CHECK_EQ(uc.gid, getegid());

    /* Connect: the client sees the listener's process, the server the
     * client's (a child with other ids). */
    struct sockaddr_un a = { .sun_family = AF_UNIX };
    snprintf(a.sun_path + 1, sizeof a.sun_path - 1, "conf-cred-%d", (int)me);
    socklen_t alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
                                 strlen(a.sun_path + 1));
    CHECK_OK(bind(s, (struct sockaddr *)&a, alen));
    CHECK_OK(listen(s, 1));
    peercred(s, &uc);
    CHECK_EQ(uc.pid, me);                           /* a listener: itself */
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        CHECK_OK(setresgid(1234, 1234, 1234));
        CHECK_OK(setresuid(4321, 4321, 4321));
        int c = CHECK_OK(socket(AF_UNIX, SOCK_STREAM, 0));
        CHECK_OK(connect(c, (struct sockaddr *)&a, alen));
        peercred(c, &uc);
        CHECK_EQ(uc.pid, me);
        CHECK_EQ(uc.uid, 0);
        /* An unprivileged process may claim only its own ids. */
        CHECK_ERR(send_creds(c, "x", 1, getpid(), 0, 1234), EPERM);
        CHECK_ERR(send_creds(c, "x", 1, getpid(), 4321, 0), EPERM);
        CHECK_ERR(send_creds(c, "x", 1, me, 4321, 1234), EPERM);
        CHECK_ERR(send_creds(c, "x", 1, getpid(), (uid_t)-1, 1234), EINVAL);
        CHECK_EQ(send_creds(c, "own", 3, getpid(), 4321, 1234), 3);
        /* Without SCM_CREDENTIALS: the receiver asked, so ours are added. */
        sleep_ms(50);
        CHECK_EQ(send(c, "plain", 5, 0), 5);
        _exit(0);
    }
    int srv = CHECK_OK(accept(s, NULL, NULL));
    peercred(srv, &uc);
    CHECK_EQ(uc.pid, pid);
    CHECK_EQ(uc.uid, 4321);
    CHECK_EQ(uc.gid, 1234);
    CHECK_OK(setsockopt(srv, SOL_SOCKET, SO_PASSCRED, &on, sizeof on));
    int v = 0;
    socklen_t vl = sizeof v;
    CHECK_OK(getsockopt(srv, SOL_SOCKET, SO_PASSCRED, &v, &vl));
    CHECK_EQ(v, 1);
    CHECK_CHILD_EXIT(pid, 0);
    /* The explicit credentials and the added ones are the same ids, so
     * the two writes are read as one. */
    CHECK_EQ(recv_creds(srv, buf, sizeof buf, &uc), 8);
    CHECK_MEMEQ(buf, "ownplain", 8);
    CHECK_EQ(uc.pid, pid);
    CHECK_EQ(uc.uid, 4321);
    CHECK_EQ(uc.gid, 1234);
    CHECK_OK(close(srv));

    /* Datagrams: root may claim another existing process and other ids;
     * a pid that does not exist is ESRCH.  A receiver with SO_PASSCRED
     * gets credentials for every message. */
    int d[2];
    CHECK_OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, d));
    CHECK_OK(setsockopt(d[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof on));
    pid = CHECK_OK(fork());
    if (pid == 0) {
        CHECK_EQ(send_creds(d[0], "claim", 5, me, 77, 88), 5);   /* the parent's pid */
        CHECK_ERR(send_creds(d[0], "x", 1, 999999, 0, 0), ESRCH);
        CHECK_EQ(send(d[0], "auto", 4, 0), 4);
        _exit(0);
    }
    CHECK_CHILD_EXIT(pid, 0);
    CHECK_EQ(recv_creds(d[1], buf, sizeof buf, &uc), 5);
    CHECK_EQ(uc.pid, me);
    CHECK_EQ(uc.uid, 77);
    CHECK_EQ(uc.gid, 88);
    CHECK_EQ(recv_creds(d[1], buf, sizeof buf, &uc), 4);
    CHECK_EQ(uc.pid, pid);
    CHECK_EQ(uc.uid, getuid());
    CHECK_EQ(uc.gid, getgid());

    /* Without SO_PASSCRED nothing is delivered, even if sent. */
    CHECK_EQ(send_creds(d[1], "quiet", 5, me, 0, 0), 5);
    CHECK_EQ(recv_creds(d[0], buf, sizeof buf, &uc), 5);
    CHECK_EQ(uc.pid, -1);

    /* Stream: data from different senders is not glued together when the
     * reader wants credentials. */
    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    CHECK_OK(setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof on));
    CHECK_EQ(send(sv[0], "aa", 2, 0), 2);
    pid = CHECK_OK(fork());
    if (pid == 0) {
        CHECK_EQ(send(sv[0], "bb", 2, 0), 2);
        _exit(0);
    }
    CHECK_CHILD_EXIT(pid, 0);
    CHECK_EQ(recv_creds(sv[1], buf, sizeof buf, &uc), 2);
    CHECK_EQ(uc.pid, me);
    CHECK_EQ(recv_creds(sv[1], buf, sizeof buf, &uc), 2);
    CHECK_EQ(uc.pid, pid);
    CHECK_MEMEQ(buf, "bb", 2);
    /* Without SO_PASSCRED the bytes run together. */
    CHECK_EQ(send(sv[1], "cc", 2, 0), 2);
    CHECK_EQ(send(sv[1], "dd", 2, 0), 2);
    CHECK_EQ(recv(sv[0], buf, sizeof buf, 0), 4);
    return 0;
}
