/* sendmsg/recvmsg details and their batch forms: msg_namelen in and out,
 * iovec limits, malformed control data, credentials and fds in one
 * message (credentials first), MSG_CTRUNC, sendmmsg/recvmmsg with
 * MSG_WAITFORONE and msg_len, and a destination on a stream socket. */
#include "check.h"
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

int main(void)
{
    enter_tmpdir();
    int d[2], on = 1;
    char buf[64];
    CHECK_OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, d));

    /* recvmsg from an unnamed peer: msg_namelen becomes 0. */
    CHECK_EQ(send(d[0], "a", 1, 0), 1);
    struct sockaddr_un from;
    struct iovec iov = { buf, sizeof buf };
    struct msghdr mh = { .msg_name = &from, .msg_namelen = sizeof from, .msg_iov = &iov,
                         .msg_iovlen = 1 };
    CHECK_EQ(recvmsg(d[1], &mh, 0), 1);
    CHECK_EQ(mh.msg_namelen, 0);
    CHECK_EQ(mh.msg_controllen, 0);
    /* Named: the whole name, or the part that fits with the full length. */
    struct sockaddr_un me = { .sun_family = AF_UNIX };
    strcpy(me.sun_path, "named.sock");
    socklen_t melen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 11);
    int n0 = CHECK_OK(socket(AF_UNIX, SOCK_DGRAM, 0));
    CHECK_OK(bind(n0, (struct sockaddr *)&me, melen));
    int n1 = CHECK_OK(socket(AF_UNIX, SOCK_DGRAM, 0));
    CHECK_OK(connect(n1, (struct sockaddr *)&me, melen));
    CHECK_EQ(sendto(n0, "b", 1, 0, NULL, 0), -1);             /* not connected */
    struct sockaddr_un peer = { .sun_family = AF_UNIX };
    strcpy(peer.sun_path, "peer.sock");
    CHECK_OK(bind(n1, (struct sockaddr *)&peer, melen - 1));
    CHECK_EQ(sendto(n1, "bb", 2, 0, NULL, 0), 2);
    mh.msg_namelen = 6;
    memset(&from, 'x', sizeof from);
    CHECK_EQ(recvmsg(n0, &mh, 0), 2);
    CHECK_EQ(mh.msg_namelen, melen - 1);
    CHECK_MEMEQ(from.sun_path, "peer", 4);
    CHECK_EQ(from.sun_path[4], 'x');
    /* A negative name length is EINVAL; a huge one is cut down. */
    mh.msg_namelen = (socklen_t)-1;
    CHECK_ERR(recvmsg(n0, &mh, MSG_DONTWAIT), EINVAL);
    CHECK_EQ(sendto(n1, "c", 1, 0, NULL, 0), 1);
    mh.msg_namelen = 4096;
    CHECK_EQ(recvmsg(n0, &mh, 0), 1);
    CHECK_EQ(mh.msg_namelen, melen - 1);
    CHECK_ERR(sendto(n1, "c", 1, 0, (struct sockaddr *)&me, 4096), EINVAL);
    mh.msg_name = NULL;

    /* Too many iovecs: EMSGSIZE; a bad one: EFAULT. */
    mh.msg_iovlen = 1025;
    CHECK_ERR(sendmsg(d[0], &mh, 0), EMSGSIZE);
    CHECK_ERR(recvmsg(d[1], &mh, 0), EMSGSIZE);
    mh.msg_iovlen = 1;
    mh.msg_iov = BAD_PTR;
    CHECK_ERR(sendmsg(d[0], &mh, 0), EFAULT);
    mh.msg_iov = &iov;
    CHECK_ERR(sendmsg(d[0], BAD_PTR, 0), EFAULT);

    /* Malformed control data: EINVAL, nothing sent. */
    union {
        char b[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } u;
    memset(&u, 0, sizeof u);
    mh.msg_control = u.b;
    mh.msg_controllen = sizeof u.b;
    struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
    c->cmsg_len = sizeof u.b + 8;                             /* past the end */
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    iov.iov_len = 1;
    CHECK_ERR(sendmsg(d[0], &mh, 0), EINVAL);
    c->cmsg_len = 4;                                          /* shorter than a header */
    CHECK_ERR(sendmsg(d[0], &mh, 0), EINVAL);
    c->cmsg_len = CMSG_LEN(sizeof(int));
    c->cmsg_type = 77;                                        /* unknown type */
    CHECK_ERR(sendmsg(d[0], &mh, 0), EINVAL);
    c->cmsg_type = SCM_CREDENTIALS;                           /* wrong size */
    CHECK_ERR(sendmsg(d[0], &mh, 0), EINVAL);
    CHECK_ERR(recv(d[1], buf, sizeof buf, MSG_DONTWAIT), EAGAIN);

    /* Credentials and an fd in one message: SCM_CREDENTIALS comes first
     * on the way out, whatever the order on the way in. */
    CHECK_OK(setsockopt(d[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof on));
    c = CMSG_FIRSTHDR(&mh);
    c->cmsg_len = CMSG_LEN(sizeof(int));
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    int fd = n0;
    memcpy(CMSG_DATA(c), &fd, sizeof fd);
    c = CMSG_NXTHDR(&mh, c);
    CHECK(c);
    c->cmsg_len = CMSG_LEN(sizeof(struct ucred));
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_CREDENTIALS;
    struct ucred uc = { getpid(), getuid(), getgid() };
    memcpy(CMSG_DATA(c), &uc, sizeof uc);
    mh.msg_controllen = CMSG_SPACE(sizeof(int)) + CMSG_SPACE(sizeof(struct ucred));
    CHECK_EQ(sendmsg(d[0], &mh, 0), 1);
    memset(&u, 0, sizeof u);
    mh.msg_controllen = sizeof u.b;
    iov.iov_len = sizeof buf;
    CHECK_EQ(recvmsg(d[1], &mh, MSG_CMSG_CLOEXEC), 1);
    CHECK_EQ(mh.msg_flags, MSG_CMSG_CLOEXEC);
    CHECK_EQ(mh.msg_controllen, sizeof u.b);
    c = CMSG_FIRSTHDR(&mh);
    CHECK_EQ(c->cmsg_type, SCM_CREDENTIALS);
    memcpy(&uc, CMSG_DATA(c), sizeof uc);
    CHECK_EQ(uc.pid, getpid());
    c = CMSG_NXTHDR(&mh, c);
    CHECK(c);
    CHECK_EQ(c->cmsg_type, SCM_RIGHTS);
    memcpy(&fd, CMSG_DATA(c), sizeof fd);
    CHECK_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
    CHECK_OK(close(fd));
    /* No room for the credentials: MSG_CTRUNC. */
    CHECK_EQ(send(d[0], "z", 1, 0), 1);
    mh.msg_control = NULL;
    mh.msg_controllen = 0;
    CHECK_EQ(recvmsg(d[1], &mh, 0), 1);
    CHECK_EQ(mh.msg_flags, MSG_CTRUNC);
    CHECK_EQ(send(d[0], "z", 1, 0), 1);
    mh.msg_control = u.b;
    mh.msg_controllen = sizeof(struct cmsghdr) + 4;
    CHECK_EQ(recvmsg(d[1], &mh, 0), 1);
    CHECK_EQ(mh.msg_flags, MSG_CTRUNC);
    CHECK_EQ(mh.msg_controllen, sizeof(struct cmsghdr) + 4);
    on = 0;
    CHECK_OK(setsockopt(d[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof on));

    /* sendmmsg: each message sent, msg_len filled in. */
    struct mmsghdr mm[3];
    struct iovec v3[3] = { { "one", 3 }, { "two!", 4 }, { "three", 5 } };
    memset(mm, 0, sizeof mm);
    for (int i = 0; i < 3; i++) {
        mm[i].msg_hdr.msg_iov = &v3[i];
        mm[i].msg_hdr.msg_iovlen = 1;
    }
    CHECK_EQ(sendmmsg(d[0], mm, 3, 0), 3);
    CHECK_EQ(mm[0].msg_len, 3);
    CHECK_EQ(mm[2].msg_len, 5);
    /* recvmmsg: MSG_WAITFORONE takes what is there after the first. */
    char rb[4][16];
    struct iovec rv[4];
    struct mmsghdr rm[4];
    memset(rm, 0, sizeof rm);
    for (int i = 0; i < 4; i++) {
        rv[i] = (struct iovec){ rb[i], sizeof rb[i] };
        rm[i].msg_hdr.msg_iov = &rv[i];
        rm[i].msg_hdr.msg_iovlen = 1;
    }
    CHECK_EQ(recvmmsg(d[1], rm, 4, MSG_WAITFORONE, NULL), 3);
    CHECK_EQ(rm[0].msg_len, 3);
    CHECK_EQ(rm[1].msg_len, 4);
    CHECK_EQ(rm[2].msg_len, 5);
    CHECK_MEMEQ(rb[2], "three", 5);
    CHECK_ERR(recvmmsg(d[1], rm, 4, MSG_DONTWAIT, NULL), EAGAIN);
    struct timespec bad = { 0, 2000000000L };
    CHECK_ERR(recvmmsg(d[1], rm, 4, 0, &bad), EINVAL);
    CHECK_EQ(sendmmsg(d[0], mm, 0, 0), 0);

    /* A stream socket takes no destination. */
    int sv[2];
    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    CHECK_ERR(sendto(sv[0], "x", 1, 0, (struct sockaddr *)&me, melen), EISCONN);
    int lone = CHECK_OK(socket(AF_UNIX, SOCK_STREAM, 0));
    CHECK_ERR(sendto(lone, "x", 1, 0, (struct sockaddr *)&me, melen), EOPNOTSUPP);
    /* recvfrom on a stream names the peer (unnamed here: length 0). */
    CHECK_EQ(send(sv[1], "s", 1, 0), 1);
    socklen_t flen = sizeof from;
    CHECK_EQ(recvfrom(sv[0], buf, sizeof buf, 0, (struct sockaddr *)&from, &flen), 1);
    CHECK_EQ(flen, 0);
    return 0;
}
