/* close: success, double close, invalid numbers, number reuse. */
#include "check.h"

int main(void)
{
    int fd = CHECK_OK(open("/dev/null", O_RDONLY));
    CHECK_EQ(close(fd), 0);
    /* Closing again, or closing something never opened: EBADF. */
    CHECK_ERR(close(fd), EBADF);
    CHECK_ERR(close(-1), EBADF);
    CHECK_ERR(close(INT_MAX), EBADF);
    CHECK_ERR(close(4000), EBADF);
    /* A closed descriptor is unusable. */
    char c;
    CHECK_ERR(read(fd, &c, 1), EBADF);
    CHECK_ERR(fcntl(fd, F_GETFD), EBADF);

    /* The freed number is the next one handed out. */
    int a = CHECK_OK(open("/dev/null", O_RDONLY));
    int b = CHECK_OK(open("/dev/null", O_RDONLY));
    CHECK_OK(close(a));
    CHECK_EQ(open("/dev/zero", O_RDONLY), a);
    /* ...and it now refers to the new file. */
    CHECK_EQ(read(a, &c, 1), 1);
    CHECK_EQ(c, 0);

    /* Closing one of two duplicates leaves the other usable. */
    int d = CHECK_OK(dup(a));
    CHECK_OK(close(a));
    c = 1;
    CHECK_EQ(read(d, &c, 1), 1);
    CHECK_EQ(c, 0);
    CHECK_OK(close(d));
    CHECK_OK(close(b));

    /* Closing the last reader makes writes fail (the file is released). */
    int p[2];
    CHECK_OK(pipe(p));
    signal(SIGPIPE, SIG_IGN);
    CHECK_OK(close(p[0]));
    CHECK_ERR(write(p[1], "x", 1), EPIPE);
    CHECK_OK(close(p[1]));
    return 0;
}
