/* socketpair(AF_UNIX) of each type: the flags, what fstat and
 * /proc/self/fd say, read/write/readv/writev on the descriptors, the
 * socket's type, domain and protocol, FIONREAD, and the errors of socket()
 * and socketpair(). */
#include "check.h"
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>

static void check_type(int fd, int type)
{
    int v = -1;
    socklen_t len = sizeof v;
    CHECK_OK(getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &len));
    CHECK_EQ(v, type);
    CHECK_EQ(len, sizeof v);
    CHECK_OK(getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &v, &len));
    CHECK_EQ(v, AF_UNIX);
    CHECK_OK(getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &v, &len));
    CHECK_EQ(v, 0);
}

int main(void)
{
    int sv[2];
    char buf[16];
    static const int types[] = { SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET };
    for (int i = 0; i < 3; i++) {
        CHECK_OK(socketpair(AF_UNIX, types[i], 0, sv));
        check_type(sv[0], types[i]);
        check_type(sv[1], types[i]);
        /* Plain descriptors: blocking, not close-on-exec, read-write. */
        CHECK_EQ(fcntl(sv[0], F_GETFL) & (O_ACCMODE | O_NONBLOCK), O_RDWR);
        CHECK_EQ(fcntl(sv[0], F_GETFD), 0);
        CHECK_EQ(write(sv[0], "ping", 4), 4);
        CHECK_EQ(read(sv[1], buf, sizeof buf), 4);
        CHECK_MEMEQ(buf, "ping", 4);
        CHECK_EQ(write(sv[1], "pong", 4), 4);
        CHECK_EQ(recv(sv[0], buf, sizeof buf, 0), 4);
        CHECK_MEMEQ(buf, "pong", 4);
        CHECK_OK(close(sv[0]));
        CHECK_OK(close(sv[1]));
    }

    /* SOCK_NONBLOCK and SOCK_CLOEXEC apply to both ends. */
    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv));
    for (int i = 0; i < 2; i++) {
        CHECK(fcntl(sv[i], F_GETFL) & O_NONBLOCK);
        CHECK_EQ(fcntl(sv[i], F_GETFD), FD_CLOEXEC);
    }
    char c;
    CHECK_ERR(read(sv[0], &c, 1), EAGAIN);
    CHECK_ERR(recv(sv[1], &c, 1, 0), EAGAIN);
    /* O_NONBLOCK can be switched off again. */
    CHECK_OK(fcntl(sv[0], F_SETFL, 0));
    CHECK_EQ(fcntl(sv[0], F_GETFL) & O_NONBLOCK, 0);

    /* fstat: a socket; /proc/self/fd names it by its inode number. */
    struct stat st;
    CHECK_OK(fstat(sv[0], &st));
    CHECK(S_ISSOCK(st.st_mode));
    char link[64], want[64];
    snprintf(link, sizeof link, "/proc/self/fd/%d", sv[0]);
    char name[64];
    ssize_t n = CHECK_OK(readlink(link, name, sizeof name - 1));
    name[n] = 0;
    snprintf(want, sizeof want, "socket:[%lu]", (unsigned long)st.st_ino);
    CHECK_STREQ(name, want);
    struct stat st1;
    CHECK_OK(fstat(sv[1], &st1));
    CHECK_NE(st.st_ino, st1.st_ino);
    /* Not seekable. */
    CHECK_ERR(lseek(sv[0], 0, SEEK_SET), ESPIPE);
    CHECK_ERR(pread(sv[0], buf, 1, 0), ESPIPE);

    /* writev is one send, readv one receive; FIONREAD counts the bytes. */
    struct iovec wv[3] = { { "ab", 2 }, { "", 0 }, { "cdef", 4 } };
    CHECK_EQ(writev(sv[1], wv, 3), 6);
    int avail = -1;
    CHECK_OK(ioctl(sv[0], FIONREAD, &avail));
    CHECK_EQ(avail, 6);
    char x[3], y[8];
    struct iovec rv[2] = { { x, 3 }, { y, sizeof y } };
    CHECK_EQ(readv(sv[0], rv, 2), 6);
    CHECK_MEMEQ(x, "abc", 3);
    CHECK_MEMEQ(y, "def", 3);
    CHECK_OK(ioctl(sv[0], FIONREAD, &avail));
    CHECK_EQ(avail, 0);
    /* A read of nothing returns at once. */
    CHECK_EQ(read(sv[0], buf, 0), 0);
    CHECK_OK(close(sv[0]));
    CHECK_OK(close(sv[1]));

    /* A datagram pair keeps the writev as one message. */
    CHECK_OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
    CHECK_EQ(writev(sv[0], wv, 3), 6);
    CHECK_EQ(write(sv[0], "gh", 2), 2);
    CHECK_OK(ioctl(sv[1], FIONREAD, &avail));
    CHECK_EQ(avail, 6);                     /* the first message only */
    CHECK_EQ(readv(sv[1], rv, 2), 6);
    CHECK_EQ(read(sv[1], y, sizeof y), 2);
    CHECK_MEMEQ(y, "gh", 2);
    CHECK_OK(close(sv[0]));
    CHECK_OK(close(sv[1]));

    /* A socket belongs to its creator. */
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        CHECK_OK(setresgid(321, 321, 321));
        CHECK_OK(setresuid(123, 123, 123));
        int u = CHECK_OK(socket(AF_UNIX, SOCK_DGRAM, 0));
        struct stat us;
        CHECK_OK(fstat(u, &us));
        CHECK_EQ(us.st_uid, 123);
        CHECK_EQ(us.st_gid, 321);
        CHECK_EQ(us.st_mode, S_IFSOCK | 0777);
        _exit(0);
    }
    CHECK_CHILD_EXIT(pid, 0);

    /* SOCK_RAW is SOCK_DGRAM for AF_UNIX. */
    int s = CHECK_OK(socket(AF_UNIX, SOCK_RAW, 0));
    check_type(s, SOCK_DGRAM);
    CHECK_OK(close(s));
    s = CHECK_OK(socket(AF_UNIX, SOCK_STREAM, AF_UNIX));   /* protocol PF_UNIX */
    CHECK_OK(close(s));

    /* Errors. */
    CHECK_ERR(socket(AF_UNIX, 77, 0), EINVAL);
    CHECK_ERR(socket(AF_UNIX, SOCK_STREAM | 0x100000, 0), EINVAL);
    CHECK_ERR(socket(AF_UNIX, SOCK_RDM, 0), ESOCKTNOSUPPORT);
    CHECK_ERR(socket(AF_UNIX, SOCK_STREAM, 2), EPROTONOSUPPORT);
    CHECK_ERR(socket(-1, SOCK_STREAM, 0), EAFNOSUPPORT);
    CHECK_ERR(socket(4242, SOCK_STREAM, 0), EAFNOSUPPORT);
    CHECK_ERR(socketpair(AF_UNIX, SOCK_STREAM | 0x100000, 0, sv), EINVAL);
    CHECK_ERR(socketpair(AF_UNIX, SOCK_STREAM, 0, BAD_PTR), EFAULT);
    /* Socket calls on what is not a socket. */
    int p[2];
    CHECK_OK(pipe(p));
    int v;
    socklen_t vl = sizeof v;
    CHECK_ERR(getsockopt(p[0], SOL_SOCKET, SO_TYPE, &v, &vl), ENOTSOCK);
    CHECK_ERR(shutdown(p[0], SHUT_RD), ENOTSOCK);
    CHECK_ERR(send(p[1], "x", 1, 0), ENOTSOCK);
    CHECK_ERR(recv(p[0], &c, 1, 0), ENOTSOCK);
    CHECK_ERR(listen(p[0], 1), ENOTSOCK);
    CHECK_ERR(accept(p[0], NULL, NULL), ENOTSOCK);
    CHECK_OK(close(p[0]));
    CHECK_ERR(getsockopt(p[0], SOL_SOCKET, SO_TYPE, &v, &vl), EBADF);
    CHECK_ERR(send(p[0], "x", 1, 0), EBADF);
    return 0;
}
