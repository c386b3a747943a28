/* pipe: data order, partial reads, EOF, wrong-end EBADF, EFAULT, fstat. */
#include "check.h"

int main(void)
{
    int p[2];
    char buf[64];

    CHECK_EQ(pipe(p), 0);
    CHECK(p[0] >= 0 && p[1] >= 0 && p[0] != p[1]);
    /* p[0] is the read end, p[1] the write end. */
    CHECK_EQ(fcntl(p[0], F_GETFL) & O_ACCMODE, O_RDONLY);
    CHECK_EQ(fcntl(p[1], F_GETFL) & O_ACCMODE, O_WRONLY);
    CHECK_EQ(fcntl(p[0], F_GETFD), 0);       /* no close-on-exec by default */

    /* Bytes come out in the order written, across writes. */
    CHECK_EQ(write(p[1], "hello ", 6), 6);
    CHECK_EQ(write(p[1], "world", 5), 5);
    CHECK_EQ(read(p[0], buf, 3), 3);
    CHECK_MEMEQ(buf, "hel", 3);
    /* A read returns what is available, not the full count. */
    CHECK_EQ(read(p[0], buf, sizeof buf), 8);
    CHECK_MEMEQ(buf, "lo world", 8);

    /* A zero-length read/write succeeds and returns 0. */
    CHECK_EQ(write(p[1], buf, 0), 0);
    CHECK_EQ(read(p[0], buf, 0), 0);

    /* Using the wrong end. */
    CHECK_ERR(write(p[0], "x", 1), EBADF);
    CHECK_ERR(read(p[1], buf, 1), EBADF);

    /* A pipe is a FIFO, shows as such in fstat, and both ends agree. */
    struct stat s0, s1;
    CHECK_OK(fstat(p[0], &s0));
    CHECK_OK(fstat(p[1], &s1));
    CHECK(S_ISFIFO(s0.st_mode));
    CHECK_EQ(s0.st_ino, s1.st_ino);
    CHECK_EQ(s0.st_dev, s1.st_dev);

    /* Bad buffers. */
    CHECK_EQ(write(p[1], "z", 1), 1);
    CHECK_ERR(read(p[0], BAD_PTR, 1), EFAULT);
    CHECK_ERR(write(p[1], BAD_PTR, 1), EFAULT);
    CHECK_EQ(read(p[0], buf, 1), 1);          /* the byte is still there */
    CHECK_EQ(buf[0], 'z');

    /* Once every write end is closed, remaining data then EOF (0). */
    CHECK_EQ(write(p[1], "end", 3), 3);
    CHECK_OK(close(p[1]));
    CHECK_EQ(read(p[0], buf, sizeof buf), 3);
    CHECK_EQ(read(p[0], buf, sizeof buf), 0);
    CHECK_EQ(read(p[0], buf, sizeof buf), 0);
    CHECK_OK(close(p[0]));

    /* A dup'ed write end keeps the pipe open: no EOF until both close. */
    CHECK_OK(pipe(p));
    int w2 = CHECK_OK(dup(p[1]));
    CHECK_OK(close(p[1]));
    CHECK_OK(fcntl(p[0], F_SETFL, O_NONBLOCK));
    CHECK_ERR(read(p[0], buf, 1), EAGAIN);    /* open writer: not EOF */
    CHECK_OK(close(w2));
    CHECK_EQ(read(p[0], buf, 1), 0);
    close(p[0]);

    /* The pipe array itself must be writable memory. */
    CHECK_ERR(pipe(BAD_PTR), EFAULT);
    return 0;
}
