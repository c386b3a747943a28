/* eventfd: the counter, EFD_SEMAPHORE, EFD_NONBLOCK, EFD_CLOEXEC, the 8-byte
 * rule, the overflow limit and what poll says. */
#include "check.h"
#include <poll.h>
#include <sys/eventfd.h>

static short revents(int fd)
{
    struct pollfd p = { .fd = fd, .events = POLLIN | POLLOUT };
    CHECK_OK(poll(&p, 1, 0));
    return p.revents;
}

int main(void)
{
    uint64_t v;
    CHECK_ERR(eventfd(0, 0x1234), EINVAL);
    CHECK_ERR(eventfd(0, O_RDWR), EINVAL);

    int fd = CHECK_OK(eventfd(5, EFD_NONBLOCK));
    CHECK_EQ(fcntl(fd, F_GETFD), 0);
    CHECK_EQ(fcntl(fd, F_GETFL) & (O_ACCMODE | O_NONBLOCK), O_RDWR | O_NONBLOCK);
    char link[64], buf[64];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = CHECK_OK(readlink(link, buf, sizeof buf - 1));
    buf[n] = 0;
    CHECK_STREQ(buf, "anon_inode:[eventfd]");
    CHECK_EQ(revents(fd), POLLIN | POLLOUT);

    /* A read takes the whole count. */
    CHECK_EQ(read(fd, &v, 8), 8);
    CHECK_EQ(v, 5);
    CHECK_ERR(read(fd, &v, 8), EAGAIN);
    CHECK_EQ(revents(fd), POLLOUT);
    /* Writes add up. */
    v = 3;
    CHECK_EQ(write(fd, &v, 8), 8);
    v = 4;
    CHECK_EQ(write(fd, &v, 8), 8);
    /* A longer buffer reads 8 bytes. */
    uint64_t big[2] = { 0, 0xdead };
    CHECK_EQ(read(fd, big, sizeof big), 8);
    CHECK_EQ(big[0], 7);
    CHECK_EQ(big[1], 0xdead);
    /* A write of 0 is fine and changes nothing. */
    v = 0;
    CHECK_EQ(write(fd, &v, 8), 8);
    CHECK_ERR(read(fd, &v, 8), EAGAIN);

    /* Fewer than 8 bytes: EINVAL; so is the value UINT64_MAX. */
    CHECK_ERR(read(fd, &v, 7), EINVAL);
    CHECK_ERR(write(fd, &v, 4), EINVAL);
    v = UINT64_MAX;
    CHECK_ERR(write(fd, &v, 8), EINVAL);
    CHECK_ERR(write(fd, BAD_PTR, 8), EFAULT);
    v = 1;
    CHECK_EQ(write(fd, &v, 8), 8);
    CHECK_ERR(read(fd, BAD_PTR, 8), EFAULT);
    CHECK_EQ(read(fd, &v, 8) == 8 || errno == EAGAIN, 1);   /* empty again */

    /* The counter goes up to UINT64_MAX - 1; beyond that a write waits
     * (EAGAIN here) and poll stops saying POLLOUT. */
    v = UINT64_MAX - 2;
    CHECK_EQ(write(fd, &v, 8), 8);
    CHECK_EQ(revents(fd), POLLIN | POLLOUT);
    v = 1;
    CHECK_EQ(write(fd, &v, 8), 8);
    CHECK_EQ(revents(fd), POLLIN);
    CHECK_ERR(write(fd, &v, 8), EAGAIN);
    v = 0;
    CHECK_EQ(write(fd, &v, 8), 8);   /* adding 0 always fits */
    CHECK_EQ(read(fd, &v, 8), 8);
    CHECK_EQ(v, UINT64_MAX - 1);
    CHECK_EQ(revents(fd), POLLOUT);
    close(fd);

    /* EFD_SEMAPHORE: each read takes 1. */
    fd = CHECK_OK(eventfd(2, EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC));
    CHECK_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
    CHECK_EQ(read(fd, &v, 8), 8);
    CHECK_EQ(v, 1);
    CHECK_EQ(read(fd, &v, 8), 8);
    CHECK_EQ(v, 1);
    CHECK_ERR(read(fd, &v, 8), EAGAIN);
    v = 3;
    CHECK_EQ(write(fd, &v, 8), 8);
    for (int i = 0; i < 3; i++) {
        CHECK_EQ(read(fd, &v, 8), 8);
        CHECK_EQ(v, 1);
    }
    CHECK_ERR(read(fd, &v, 8), EAGAIN);
    close(fd);

    /* glibc's eventfd_read/eventfd_write; the old eventfd() syscall. */
    fd = CHECK_OK((int)syscall(SYS_eventfd, 9));
    CHECK_EQ(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
    eventfd_t e;
    CHECK_OK(eventfd_read(fd, &e));
    CHECK_EQ(e, 9);
    CHECK_OK(eventfd_write(fd, 11));
    CHECK_OK(eventfd_read(fd, &e));
    CHECK_EQ(e, 11);
    /* Not seekable. */
    CHECK_ERR(pread(fd, &v, 8, 0), ESPIPE);
    /* Inherited across fork: the same counter. */
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0)
        _exit(eventfd_write(fd, 40) == 0 ? 0 : 1);
    CHECK_CHILD_EXIT(pid, 0);
    CHECK_OK(eventfd_read(fd, &e));
    CHECK_EQ(e, 40);
    return 0;
}
