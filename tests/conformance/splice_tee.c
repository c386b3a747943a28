/* tee(2) duplicates pipe data without consuming it; splice(2) moves it
 * from pipe to pipe; vmsplice(2) moves user memory into a pipe and pipe
 * data out into user memory. */
#include "check.h"

#include <sys/uio.h>

int main(void)
{
    int a[2], b[2], c[2];
    CHECK_OK(pipe(a));
    CHECK_OK(pipe(b));
    CHECK_OK(pipe(c));
    CHECK_EQ(write(a[1], "0123456789", 10), 10);

    /* tee: b gets a copy of (at most len of) a's data, a keeps it. */
    CHECK_EQ(tee(a[0], b[1], 4, 0), 4);
    CHECK_EQ(tee(a[0], b[1], 100, 0), 10);
    char buf[64];
    CHECK_EQ(read(b[0], buf, sizeof buf), 14);
    CHECK_MEMEQ(buf, "01230123456789", 14);

    /* splice pipe -> pipe consumes. */
    CHECK_EQ(splice(a[0], NULL, c[1], NULL, 3, 0), 3);
    CHECK_EQ(splice(a[0], NULL, c[1], NULL, 100, 0), 7);
    CHECK_EQ(read(c[0], buf, sizeof buf), 10);
    CHECK_MEMEQ(buf, "0123456789", 10);

    /* Empty input: EAGAIN when not blocking (flag or O_NONBLOCK), 0 once
     * the writers are gone; a blocked tee is woken by a write. */
    CHECK_ERR(tee(a[0], b[1], 10, SPLICE_F_NONBLOCK), EAGAIN);
    CHECK_ERR(splice(a[0], NULL, b[1], NULL, 10, SPLICE_F_NONBLOCK), EAGAIN);
    CHECK_OK(fcntl(b[1], F_SETFL, O_NONBLOCK));
    CHECK_ERR(tee(a[0], b[1], 10, 0), EAGAIN);
    CHECK_OK(fcntl(b[1], F_SETFL, 0));
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        sleep_ms(100);
        CHECK_EQ(write(a[1], "xy", 2), 2);
        _exit(0);
    }
    CHECK_EQ(tee(a[0], b[1], 10, 0), 2);
    CHECK_CHILD_EXIT(pid, 0);
    CHECK_EQ(read(a[0], buf, sizeof buf), 2);
    CHECK_EQ(read(b[0], buf, sizeof buf), 2);
    CHECK_MEMEQ(buf, "xy", 2);

    /* A full output pipe: EAGAIN without blocking. */
    long size = CHECK_OK(fcntl(c[1], F_GETPIPE_SZ));
    char *big = calloc(1, (size_t)size);
    CHECK(big != NULL);
    CHECK_EQ(write(c[1], big, (size_t)size), size);
    CHECK_EQ(write(a[1], "z", 1), 1);
    CHECK_ERR(tee(a[0], c[1], 1, SPLICE_F_NONBLOCK), EAGAIN);
    CHECK_ERR(splice(a[0], NULL, c[1], NULL, 1, SPLICE_F_NONBLOCK), EAGAIN);
    CHECK_EQ(read(a[0], buf, 1), 1);   /* the data stayed in a */
    free(big);

    /* Errors. */
    CHECK_ERR(tee(a[0], a[1], 1, 0), EINVAL);   /* same pipe */
    CHECK_ERR(splice(a[0], NULL, a[1], NULL, 1, 0), EINVAL);
    CHECK_ERR(tee(a[1], b[1], 1, 0), EBADF);    /* not readable */
    CHECK_ERR(tee(a[0], b[0], 1, 0), EBADF);    /* not writable */
    int fd = CHECK_OK(open("/dev/null", O_RDWR));
    CHECK_ERR(tee(a[0], fd, 1, 0), EINVAL);
    CHECK_ERR(tee(a[0], b[1], 1, 0x100), EINVAL);
    CHECK_EQ(tee(a[0], b[1], 0, 0), 0);
    CHECK_ERR(tee(999, b[1], 1, 0), EBADF);

    /* vmsplice: gathers user memory into the pipe... */
    struct iovec iov[2] = { { "abc", 3 }, { "defg", 4 } };
    CHECK_EQ(vmsplice(b[1], iov, 2, 0), 7);
    CHECK_EQ(read(b[0], buf, sizeof buf), 7);
    CHECK_MEMEQ(buf, "abcdefg", 7);
    /* ...and scatters pipe data into user memory. */
    CHECK_EQ(write(b[1], "123456", 6), 6);
    char x[2], y[10];
    struct iovec out[2] = { { x, sizeof x }, { y, sizeof y } };
    CHECK_EQ(vmsplice(b[0], out, 2, 0), 6);
    CHECK_MEMEQ(x, "12", 2);
    CHECK_MEMEQ(y, "3456", 4);
    CHECK_ERR(vmsplice(b[0], out, 2, SPLICE_F_NONBLOCK), EAGAIN);
    CHECK_EQ(vmsplice(b[1], iov, 0, 0), 0);
    CHECK_ERR(vmsplice(fd, iov, 1, 0), EBADF);   /* not a pipe */
    CHECK_ERR(vmsplice(b[1], iov, 1, 0x100), EINVAL);
    CHECK_ERR(vmsplice(b[1], BAD_PTR, 1, 0), EFAULT);
    return 0;
}
