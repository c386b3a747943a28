/* dup2 / dup3: replacing an open descriptor, same-fd cases, flags, EBADF,
 * EINVAL. */
#include "check.h"
#include <sys/resource.h>

int main(void)
{
    int p[2], q[2];
    char c;
    struct rlimit rl;
    CHECK_OK(getrlimit(RLIMIT_NOFILE, &rl));

    /* dup2 onto an open descriptor silently closes it first: here the only
     * write end of pipe q, so q's reader sees EOF. */
    CHECK_OK(pipe(p));
    CHECK_OK(pipe(q));
    CHECK_EQ(dup2(p[1], q[1]), q[1]);
    CHECK_EQ(read(q[0], &c, 1), 0);
    /* ...and now q[1] writes into p. */
    CHECK_EQ(write(q[1], "x", 1), 1);
    CHECK_EQ(read(p[0], &c, 1), 1);
    CHECK_EQ(c, 'x');

    /* dup2(fd, fd) is a no-op that returns fd (and keeps FD_CLOEXEC). */
    CHECK_OK(fcntl(p[0], F_SETFD, FD_CLOEXEC));
    CHECK_EQ(dup2(p[0], p[0]), p[0]);
    CHECK_EQ(fcntl(p[0], F_GETFD), FD_CLOEXEC);

    /* dup2 to a free high number returns exactly that number, with
     * FD_CLOEXEC clear. */
    CHECK_EQ(dup2(p[0], 100), 100);
    CHECK_EQ(fcntl(100, F_GETFD), 0);
    struct stat s1, s2;
    CHECK_OK(fstat(100, &s1));
    CHECK_OK(fstat(p[0], &s2));
    CHECK_EQ(s1.st_ino, s2.st_ino);

    /* Invalid oldfd: EBADF and newfd is left open. */
    CHECK_ERR(dup2(-1, 100), EBADF);
    CHECK_ERR(dup2(12345, 100), EBADF);
    CHECK_OK(fcntl(100, F_GETFD));
    CHECK_ERR(dup2(12345, 12345), EBADF);    /* even when equal */
    /* Invalid newfd: negative or beyond RLIMIT_NOFILE. */
    CHECK_ERR(dup2(p[0], -1), EBADF);
    CHECK_ERR(dup2(p[0], (int)rl.rlim_cur), EBADF);
    CHECK_ERR(dup2(p[0], INT_MAX), EBADF);

    /* dup3: like dup2 but with flags, and oldfd == newfd is EINVAL. */
    CHECK_ERR(dup3(p[0], p[0], 0), EINVAL);
    CHECK_ERR(dup3(p[0], p[0], O_CLOEXEC), EINVAL);
    CHECK_EQ(dup3(p[0], 101, O_CLOEXEC), 101);
    CHECK_EQ(fcntl(101, F_GETFD), FD_CLOEXEC);
    CHECK_EQ(dup3(p[0], 101, 0), 101);       /* replaces, clears cloexec */
    CHECK_EQ(fcntl(101, F_GETFD), 0);
    /* Only O_CLOEXEC is a valid flag. */
    CHECK_ERR(dup3(p[0], 102, O_NONBLOCK), EINVAL);
    CHECK_ERR(dup3(p[0], 102, 0x40000000), EINVAL);
    CHECK_ERR(fcntl(102, F_GETFD), EBADF);   /* nothing was created */
    CHECK_ERR(dup3(-1, 102, 0), EBADF);
    CHECK_ERR(dup3(p[0], -1, 0), EBADF);
    CHECK_ERR(dup3(p[0], (int)rl.rlim_cur, 0), EBADF);
    return 0;
}
