/* ioctl: ENOTTY for terminal requests on non-terminals, FIONREAD on a
 * pipe, FIOCLEX/FIONCLEX, FIONBIO, EBADF, EFAULT. */
#include "check.h"
#include <sys/ioctl.h>
#include <termios.h>

int main(void)
{
    enter_tmpdir();
    struct termios t;
    int p[2], n;

    write_file("f", "data");
    int fd = CHECK_OK(open("f", O_RDWR));
    CHECK_OK(pipe(p));
    int nul = CHECK_OK(open("/dev/null", O_RDWR));

    /* TCGETS on things that are not terminals. */
    CHECK_ERR(ioctl(fd, TCGETS, &t), ENOTTY);
    CHECK_ERR(ioctl(p[0], TCGETS, &t), ENOTTY);
    CHECK_ERR(ioctl(nul, TCGETS, &t), ENOTTY);
    CHECK(!isatty(fd));
    CHECK_EQ(errno, ENOTTY);
    CHECK(!isatty(p[1]));
    /* Unknown requests on a regular file: ENOTTY too. */
    CHECK_ERR(ioctl(fd, 0x12345678, &n), ENOTTY);

    /* FIONREAD reports the bytes waiting in a pipe. */
    n = -1;
    CHECK_EQ(ioctl(p[0], FIONREAD, &n), 0);
    CHECK_EQ(n, 0);
    CHECK_EQ(write(p[1], "hello", 5), 5);
    CHECK_EQ(ioctl(p[0], FIONREAD, &n), 0);
    CHECK_EQ(n, 5);
    char buf[8];
    CHECK_EQ(read(p[0], buf, 2), 2);
    CHECK_EQ(ioctl(p[0], FIONREAD, &n), 0);
    CHECK_EQ(n, 3);
    CHECK_ERR(ioctl(p[0], FIONREAD, BAD_PTR), EFAULT);

    /* FIOCLEX / FIONCLEX toggle close-on-exec. */
    CHECK_EQ(fcntl(fd, F_GETFD), 0);
    CHECK_EQ(ioctl(fd, FIOCLEX), 0);
    CHECK_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
    CHECK_EQ(ioctl(fd, FIONCLEX), 0);
    CHECK_EQ(fcntl(fd, F_GETFD), 0);
    CHECK_EQ(ioctl(p[1], FIOCLEX), 0);
    CHECK_EQ(fcntl(p[1], F_GETFD), FD_CLOEXEC);

    /* FIONBIO sets and clears O_NONBLOCK. */
    int on = 1, off = 0;
    CHECK_EQ(ioctl(p[0], FIONBIO, &on), 0);
    CHECK(fcntl(p[0], F_GETFL) & O_NONBLOCK);
    CHECK_EQ(read(p[0], buf, sizeof buf), 3);
    CHECK_ERR(read(p[0], buf, sizeof buf), EAGAIN);
    CHECK_EQ(ioctl(p[0], FIONBIO, &off), 0);
    CHECK_EQ(fcntl(p[0], F_GETFL) & O_NONBLOCK, 0);

    /* Bad descriptors. */
    CHECK_ERR(ioctl(-1, FIONREAD, &n), EBADF);
    CHECK_ERR(ioctl(12345, FIOCLEX), EBADF);
    CHECK_ERR(ioctl(12345, TCGETS, &t), EBADF);
    return 0;
}
