/* poll on pipes: readable / writable / hangup / error, POLLNVAL for bad
 * descriptors, negative fds ignored, timeouts, wakeup by another process. */
#include "check.h"
#include <poll.h>
#include <sys/resource.h>

int main(void)
{
    enter_tmpdir();
    int p[2];
    CHECK_OK(pipe(p));
    struct pollfd f[3];

    /* Empty pipe: read end not ready (timeout 0 returns at once), write end
     * ready for writing. */
    f[0] = (struct pollfd){ .fd = p[0], .events = POLLIN };
    f[1] = (struct pollfd){ .fd = p[1], .events = POLLOUT };
    CHECK_EQ(poll(f, 1, 0), 0);
    CHECK_EQ(f[0].revents, 0);
    CHECK_EQ(poll(f, 2, 0), 1);
    CHECK_EQ(f[0].revents, 0);
    CHECK_EQ(f[1].revents, POLLOUT);

    /* A timeout of 50 ms lasts at least 50 ms. */
    long long t0 = now_ns();
    CHECK_EQ(poll(f, 1, 50), 0);
    CHECK(now_ns() - t0 >= 50 * 1000000LL);

    /* Data makes the read end readable. */
    CHECK_EQ(write(p[1], "x", 1), 1);
    CHECK_EQ(poll(f, 2, -1), 2);
    CHECK_EQ(f[0].revents, POLLIN);
    CHECK_EQ(f[1].revents, POLLOUT);

    /* A closed descriptor number: POLLNVAL, counted.  A negative fd is
     * skipped: revents 0, not counted. */
    int closed = CHECK_OK(dup(p[0]));
    CHECK_OK(close(closed));
    f[1] = (struct pollfd){ .fd = closed, .events = POLLIN };
    f[2] = (struct pollfd){ .fd = -1, .events = POLLIN, .revents = 0x7 };
    CHECK_EQ(poll(f, 3, 0), 2);
    CHECK_EQ(f[0].revents, POLLIN);
    CHECK_EQ(f[1].revents, POLLNVAL);
    CHECK_EQ(f[2].revents, 0);

    /* Writer gone: POLLHUP (with POLLIN while data remains), reported even
     * when not requested. */
    CHECK_OK(close(p[1]));
    f[0] = (struct pollfd){ .fd = p[0], .events = POLLIN };
    CHECK_EQ(poll(f, 1, 0), 1);
    CHECK_EQ(f[0].revents, POLLIN | POLLHUP);
    char c;
    CHECK_EQ(read(p[0], &c, 1), 1);
    CHECK_EQ(poll(f, 1, -1), 1);
    CHECK(f[0].revents & POLLHUP);
    f[0].events = 0;
    CHECK_EQ(poll(f, 1, 0), 1);
    CHECK_EQ(f[0].revents, POLLHUP);
    CHECK_OK(close(p[0]));

    /* Reader gone: the write end reports POLLERR. */
    CHECK_OK(pipe(p));
    CHECK_OK(close(p[0]));
    f[0] = (struct pollfd){ .fd = p[1], .events = POLLOUT };
    CHECK_EQ(poll(f, 1, 0), 1);
    CHECK(f[0].revents & POLLERR);
    CHECK_OK(close(p[1]));

    /* Regular files are always ready. */
    int fd = CHECK_OK(open("f", O_RDWR | O_CREAT, 0600));
    f[0] = (struct pollfd){ .fd = fd, .events = POLLIN | POLLOUT };
    CHECK_EQ(poll(f, 1, 0), 1);
    CHECK_EQ(f[0].revents, POLLIN | POLLOUT);

    /* An infinite wait ends when another process writes. */
    CHECK_OK(pipe(p));
    t0 = now_ns();
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        sleep_ms(50);
        _exit(write(p[1], "y", 1) == 1 ? 0 : 1);
    }
    f[0] = (struct pollfd){ .fd = p[0], .events = POLLIN };
    CHECK_EQ(poll(f, 1, -1), 1);
    CHECK(now_ns() - t0 >= 50 * 1000000LL);
    CHECK_EQ(f[0].revents, POLLIN);
    CHECK_CHILD_EXIT(pid, 0);

    /* nfds 0 is a plain sleep. */
    t0 = now_ns();
    CHECK_EQ(poll(NULL, 0, 20), 0);
    CHECK(now_ns() - t0 >= 20 * 1000000LL);

    /* Errors. */
    struct rlimit rl;
    CHECK_OK(getrlimit(RLIMIT_NOFILE, &rl));
    CHECK_ERR(poll(f, rl.rlim_cur + 1, 0), EINVAL);
    CHECK_ERR(poll(BAD_PTR, 1, 0), EFAULT);
    return 0;
}
