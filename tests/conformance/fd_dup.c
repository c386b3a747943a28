/* dup: lowest free number, shared offset and status flags, separate
 * FD_CLOEXEC, EBADF. */
#include "check.h"

int main(void)
{
    make_tmpdir();
    int a = CHECK_OK(open(tpath("f"), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
    int b = CHECK_OK(open(tpath("f"), O_RDONLY));
    int hole = CHECK_OK(open("/dev/null", O_RDONLY));
    int c = CHECK_OK(open("/dev/null", O_RDONLY));
    CHECK_OK(close(hole));

    /* dup returns the lowest-numbered free descriptor. */
    int d = CHECK_OK(dup(a));
    CHECK_EQ(d, hole);
    CHECK(d < c);

    /* The duplicate shares the file offset... */
    CHECK_EQ(write(a, "abcdef", 6), 6);
    CHECK_EQ(lseek(d, 0, SEEK_CUR), 6);
    CHECK_EQ(lseek(d, 2, SEEK_SET), 2);
    char buf[8];
    CHECK_EQ(read(a, buf, 2), 2);
    CHECK_MEMEQ(buf, "cd", 2);
    CHECK_EQ(lseek(d, 0, SEEK_CUR), 4);
    /* ...but a separate open() of the same file does not. */
    CHECK_EQ(lseek(b, 0, SEEK_CUR), 0);

    /* ...and the file status flags. */
    CHECK_OK(fcntl(d, F_SETFL, O_APPEND));
    CHECK(fcntl(a, F_GETFL) & O_APPEND);
    CHECK_EQ(fcntl(b, F_GETFL) & O_APPEND, 0);

    /* FD_CLOEXEC belongs to the descriptor: dup clears it on the copy. */
    CHECK_EQ(fcntl(a, F_GETFD), FD_CLOEXEC);
    CHECK_EQ(fcntl(d, F_GETFD), 0);

    /* Both refer to the same open file. */
    struct stat sa, sd;
    CHECK_OK(fstat(a, &sa));
    CHECK_OK(fstat(d, &sd));
    CHECK_EQ(sa.st_ino, sd.st_ino);
    CHECK_EQ(sa.st_dev, sd.st_dev);

    /* Closing the original leaves the duplicate usable. */
    CHECK_OK(close(a));
    CHECK_EQ(write(d, "gh", 2), 2);          /* appended: O_APPEND shared */
    CHECK_EQ(pread(b, buf, 8, 0), 8);
    CHECK_MEMEQ(buf, "abcdefgh", 8);

    /* Invalid descriptors. */
    CHECK_ERR(dup(-1), EBADF);
    CHECK_ERR(dup(a), EBADF);                /* just closed */
    CHECK_ERR(dup(100000), EBADF);
    return 0;
}
