/* pipe2: O_CLOEXEC, O_NONBLOCK, invalid flags; non-blocking semantics. */
#include "check.h"

int main(void)
{
    int p[2];
    char buf[4096];

    CHECK_OK(pipe2(p, 0));
    CHECK_EQ(fcntl(p[0], F_GETFD), 0);
    CHECK_EQ(fcntl(p[0], F_GETFL) & O_NONBLOCK, 0);
    close(p[0]);
    close(p[1]);

    /* O_CLOEXEC sets FD_CLOEXEC on both ends. */
    CHECK_OK(pipe2(p, O_CLOEXEC));
    CHECK_EQ(fcntl(p[0], F_GETFD), FD_CLOEXEC);
    CHECK_EQ(fcntl(p[1], F_GETFD), FD_CLOEXEC);
    CHECK_EQ(fcntl(p[0], F_GETFL) & O_NONBLOCK, 0);
    close(p[0]);
    close(p[1]);

    /* O_NONBLOCK sets the status flag on both ends (not FD_CLOEXEC). */
    CHECK_OK(pipe2(p, O_NONBLOCK));
    CHECK_EQ(fcntl(p[0], F_GETFD), 0);
    CHECK(fcntl(p[0], F_GETFL) & O_NONBLOCK);
    CHECK(fcntl(p[1], F_GETFL) & O_NONBLOCK);

    /* Empty pipe with a writer: EAGAIN rather than blocking. */
    CHECK_ERR(read(p[0], buf, 1), EAGAIN);

    /* Fill the pipe: eventually a write returns EAGAIN (or short count). */
    memset(buf, 'x', sizeof buf);
    long total = 0;
    for (int i = 0; i < 100000; i++) {
        ssize_t n = write(p[1], buf, sizeof buf);
        if (n == -1) {
            CHECK_EQ(errno, EAGAIN);
            break;
        }
        CHECK(n > 0);
        total += n;
    }
    /* Linux pipes hold at least one page (default 64 KiB); not unbounded. */
    CHECK(total >= 4096);
    CHECK(total < 64L * 1024 * 1024);
    /* Reading drains exactly what was written. */
    long got = 0;
    for (;;) {
        ssize_t n = read(p[0], buf, sizeof buf);
        if (n == -1) {
            CHECK_EQ(errno, EAGAIN);
            break;
        }
        CHECK(n > 0);
        got += n;
    }
    CHECK_EQ(got, total);

    /* Closed writer: EOF, even in non-blocking mode. */
    close(p[1]);
    CHECK_EQ(read(p[0], buf, 1), 0);
    close(p[0]);

    /* Both flags together. */
    CHECK_OK(pipe2(p, O_CLOEXEC | O_NONBLOCK));
    CHECK_EQ(fcntl(p[1], F_GETFD), FD_CLOEXEC);
    CHECK(fcntl(p[1], F_GETFL) & O_NONBLOCK);
    close(p[0]);
    close(p[1]);

    /* Flags other than O_CLOEXEC, O_NONBLOCK, O_DIRECT, O_NOTIFICATION_PIPE
     * are invalid. */
    CHECK_ERR(pipe2(p, O_APPEND), EINVAL);
    CHECK_ERR(pipe2(p, O_TRUNC), EINVAL);
    CHECK_ERR(pipe2(p, 0x40000000), EINVAL);
    CHECK_ERR(pipe2(BAD_PTR, 0), EFAULT);
    return 0;
}
