/* readv / writev: gather/scatter order, zero-length entries, iovcnt limits,
 * EFAULT. */
#include "check.h"
#include <sys/uio.h>

int main(void)
{
    enter_tmpdir();
    int fd = CHECK_OK(open("f", O_RDWR | O_CREAT | O_TRUNC, 0600));

    /* writev writes the buffers in array order; empty entries are fine. */
    struct iovec w[4] = {
        { "abc", 3 }, { NULL, 0 }, { "defgh", 5 }, { "ij", 2 },
    };
    CHECK_EQ(writev(fd, w, 4), 10);
    CHECK_EQ(lseek(fd, 0, SEEK_CUR), 10);
    char all[16] = { 0 };
    CHECK_EQ(pread(fd, all, sizeof all, 0), 10);
    CHECK_MEMEQ(all, "abcdefghij", 10);

    /* readv fills each buffer completely before the next. */
    char a[2], b[4], c[8];
    struct iovec r[3] = { { a, 2 }, { b, 4 }, { c, 8 } };
    CHECK_OK(lseek(fd, 0, SEEK_SET));
    CHECK_EQ(readv(fd, r, 3), 10);            /* short: only 10 bytes */
    CHECK_MEMEQ(a, "ab", 2);
    CHECK_MEMEQ(b, "cdef", 4);
    CHECK_MEMEQ(c, "ghij", 4);
    CHECK_EQ(readv(fd, r, 3), 0);              /* at EOF */

    /* iovcnt 0 is a no-op returning 0. */
    CHECK_EQ(writev(fd, w, 0), 0);
    CHECK_EQ(readv(fd, r, 0), 0);

    /* iovcnt must be within [0, IOV_MAX]. */
    CHECK_ERR(syscall(SYS_writev, fd, w, -1), EINVAL);
    CHECK_ERR(syscall(SYS_readv, fd, r, -1), EINVAL);
    static struct iovec many[IOV_MAX + 1];
    char one = 'x';
    for (int i = 0; i <= IOV_MAX; i++) {
        many[i].iov_base = &one;
        many[i].iov_len = 1;
    }
    CHECK_ERR(writev(fd, many, IOV_MAX + 1), EINVAL);
    CHECK_OK(ftruncate(fd, 0));
    CHECK_OK(lseek(fd, 0, SEEK_SET));
    CHECK_EQ(writev(fd, many, IOV_MAX), IOV_MAX);   /* exactly IOV_MAX is ok */

    /* Bad pointers: the iovec array, or the first buffer. */
    CHECK_ERR(writev(fd, BAD_PTR, 1), EFAULT);
    CHECK_ERR(readv(fd, BAD_PTR, 1), EFAULT);
    struct iovec bad = { BAD_PTR, 4 };
    CHECK_ERR(writev(fd, &bad, 1), EFAULT);
    CHECK_OK(lseek(fd, 0, SEEK_SET));
    CHECK_ERR(readv(fd, &bad, 1), EFAULT);

    /* Bad descriptor / wrong access mode. */
    CHECK_ERR(writev(-1, w, 1), EBADF);
    int ro = CHECK_OK(open("f", O_RDONLY));
    CHECK_ERR(writev(ro, w, 1), EBADF);

    /* On a pipe, too. */
    int p[2];
    CHECK_OK(pipe(p));
    CHECK_EQ(writev(p[1], w, 4), 10);
    CHECK_EQ(readv(p[0], r, 3), 10);
    CHECK_MEMEQ(c, "ghij", 4);
    return 0;
}
