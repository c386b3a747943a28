/* fcntl F_DUPFD / F_DUPFD_CLOEXEC. */
#include "check.h"
#include <sys/resource.h>

int main(void)
{
    struct rlimit rl;
    CHECK_OK(getrlimit(RLIMIT_NOFILE, &rl));
    int fd = CHECK_OK(open("/dev/null", O_RDWR | O_CLOEXEC));

    /* The lowest free descriptor >= arg. */
    CHECK_EQ(fcntl(fd, F_DUPFD, 50), 50);
    CHECK_EQ(fcntl(fd, F_DUPFD, 50), 51);
    CHECK_OK(close(50));
    CHECK_EQ(fcntl(fd, F_DUPFD, 50), 50);
    /* F_DUPFD clears FD_CLOEXEC on the copy, F_DUPFD_CLOEXEC sets it. */
    CHECK_EQ(fcntl(50, F_GETFD), 0);
    CHECK_EQ(fcntl(fd, F_DUPFD_CLOEXEC, 60), 60);
    CHECK_EQ(fcntl(60, F_GETFD), FD_CLOEXEC);
    /* arg 0 behaves like dup(): lowest free descriptor overall. */
    int low = CHECK_OK(fcntl(fd, F_DUPFD, 0));
    CHECK(low < 50);
    int d = CHECK_OK(dup(fd));
    CHECK_OK(close(d));
    CHECK_OK(close(low));
    CHECK_EQ(fcntl(fd, F_DUPFD, 0), (low < d ? low : d));

    /* The copy shares the open file description. */
    CHECK_OK(fcntl(60, F_SETFL, O_NONBLOCK));
    CHECK(fcntl(50, F_GETFL) & O_NONBLOCK);

    /* arg out of range: EINVAL (not EBADF as for dup2). */
    CHECK_ERR(fcntl(fd, F_DUPFD, -1), EINVAL);
    CHECK_ERR(fcntl(fd, F_DUPFD, (int)rl.rlim_cur), EINVAL);
    CHECK_ERR(fcntl(fd, F_DUPFD_CLOEXEC, INT_MAX), EINVAL);
    /* Bad source descriptor. */
    CHECK_ERR(fcntl(-1, F_DUPFD, 0), EBADF);
    CHECK_ERR(fcntl(12345, F_DUPFD_CLOEXEC, 0), EBADF);
    return 0;
}
