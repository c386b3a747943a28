/* fcntl F_GETFD/F_SETFD and F_GETFL/F_SETFL. */
#include "check.h"

int main(void)
{
    make_tmpdir();
    int fd = CHECK_OK(open(tpath("f"), O_RDWR | O_CREAT | O_TRUNC, 0600));

    /* Descriptor flags: only FD_CLOEXEC exists. */
    CHECK_EQ(fcntl(fd, F_GETFD), 0);
    CHECK_EQ(fcntl(fd, F_SETFD, FD_CLOEXEC), 0);
    CHECK_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
    CHECK_EQ(fcntl(fd, F_SETFD, 0), 0);
    CHECK_EQ(fcntl(fd, F_GETFD), 0);
    int cfd = CHECK_OK(open(tpath("f"), O_RDONLY | O_CLOEXEC));
    CHECK_EQ(fcntl(cfd, F_GETFD), FD_CLOEXEC);

    /* Status flags report the access mode and O_APPEND/O_NONBLOCK. */
    int fl = CHECK_OK(fcntl(fd, F_GETFL));
    CHECK_EQ(fl & O_ACCMODE, O_RDWR);
    CHECK_EQ(fl & (O_APPEND | O_NONBLOCK), 0);
    /* Open-time-only flags are not reported. */
    CHECK_EQ(fl & (O_CREAT | O_TRUNC | O_EXCL), 0);
    CHECK_EQ(fcntl(cfd, F_GETFL) & O_ACCMODE, O_RDONLY);
    int wfd = CHECK_OK(open(tpath("f"), O_WRONLY | O_APPEND));
    fl = fcntl(wfd, F_GETFL);
    CHECK_EQ(fl & O_ACCMODE, O_WRONLY);
    CHECK(fl & O_APPEND);

    /* F_SETFL changes O_APPEND and O_NONBLOCK... */
    CHECK_EQ(fcntl(fd, F_SETFL, O_APPEND | O_NONBLOCK), 0);
    fl = fcntl(fd, F_GETFL);
    CHECK(fl & O_APPEND);
    CHECK(fl & O_NONBLOCK);
    /* ...and the new O_APPEND takes effect on the next write. */
    CHECK_EQ(write(fd, "abc", 3), 3);
    CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
    CHECK_EQ(write(fd, "de", 2), 2);
    CHECK_EQ(lseek(fd, 0, SEEK_CUR), 5);
    /* ...but ignores the access mode and open-time-only flags. */
    CHECK_EQ(fcntl(cfd, F_SETFL, O_RDWR | O_TRUNC | O_CREAT | O_EXCL), 0);
    fl = fcntl(cfd, F_GETFL);
    CHECK_EQ(fl & O_ACCMODE, O_RDONLY);
    CHECK_EQ(fl & (O_CREAT | O_TRUNC | O_EXCL), 0);
    CHECK_ERR(write(cfd, "x", 1), EBADF);   /* still read-only */
    struct stat st;
    CHECK_OK(fstat(cfd, &st));
    CHECK_EQ(st.st_size, 5);                 /* O_TRUNC did nothing */
    /* Clearing works too. */
    CHECK_EQ(fcntl(fd, F_SETFL, 0), 0);
    CHECK_EQ(fcntl(fd, F_GETFL) & (O_APPEND | O_NONBLOCK), 0);

    /* Errors. */
    CHECK_ERR(fcntl(-1, F_GETFD), EBADF);
    CHECK_ERR(fcntl(12345, F_GETFL), EBADF);
    CHECK_ERR(fcntl(12345, F_SETFD, FD_CLOEXEC), EBADF);
    CHECK_ERR(fcntl(fd, 123456), EINVAL);
    return 0;
}
