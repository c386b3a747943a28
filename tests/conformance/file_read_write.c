/* read / write on regular files: offsets, EOF, short reads, large I/O,
 * EBADF and EFAULT. */
#include "check.h"

int main(void)
{
    enter_tmpdir();
    char buf[64];

    int fd = CHECK_OK(open("f", O_RDWR | O_CREAT | O_TRUNC, 0600));
    CHECK_EQ(write(fd, "hello world", 11), 11);
    CHECK_EQ(lseek(fd, 0, SEEK_CUR), 11);
    /* At EOF, read returns 0. */
    CHECK_EQ(read(fd, buf, sizeof buf), 0);
    CHECK_OK(lseek(fd, 0, SEEK_SET));
    CHECK_EQ(read(fd, buf, 5), 5);
    CHECK_MEMEQ(buf, "hello", 5);
    CHECK_EQ(lseek(fd, 0, SEEK_CUR), 5);
    /* A read crossing EOF is short. */
    CHECK_EQ(read(fd, buf, sizeof buf), 6);
    CHECK_MEMEQ(buf, " world", 6);
    CHECK_EQ(read(fd, buf, sizeof buf), 0);
    /* Zero-byte read/write: 0 and nothing changes. */
    CHECK_EQ(read(fd, buf, 0), 0);
    CHECK_EQ(write(fd, buf, 0), 0);
    CHECK_EQ(lseek(fd, 0, SEEK_CUR), 11);

    /* Overwrite in the middle. */
    CHECK_OK(lseek(fd, 6, SEEK_SET));
    CHECK_EQ(write(fd, "WORLD", 5), 5);
    CHECK_EQ(pread(fd, buf, 11, 0), 11);
    CHECK_MEMEQ(buf, "hello WORLD", 11);

    /* A large write is done in full and reads back identically. */
    size_t big = 1 << 20;
    char *src = malloc(big), *dst = malloc(big);
    CHECK(src && dst);
    for (size_t i = 0; i < big; i++)
        src[i] = (char)(i * 7 + (i >> 9));
    CHECK_OK(lseek(fd, 0, SEEK_SET));
    CHECK_EQ(write(fd, src, big), big);
    CHECK_OK(lseek(fd, 0, SEEK_SET));
    size_t got = 0;
    while (got < big) {
        ssize_t n = CHECK_OK(read(fd, dst + got, big - got));
        CHECK(n > 0);
        got += n;
    }
    CHECK_MEMEQ(src, dst, big);
    struct stat st;
    CHECK_OK(fstat(fd, &st));
    CHECK_EQ(st.st_size, big);

    /* Bad buffers: EFAULT, and the offset does not move. */
    CHECK_OK(lseek(fd, 0, SEEK_SET));
    CHECK_ERR(read(fd, BAD_PTR, 10), EFAULT);
    CHECK_ERR(write(fd, BAD_PTR, 10), EFAULT);
    CHECK_EQ(lseek(fd, 0, SEEK_CUR), 0);

    /* Bad or wrong-mode descriptors. */
    CHECK_ERR(read(-1, buf, 1), EBADF);
    CHECK_ERR(write(12345, buf, 1), EBADF);
    int ro = CHECK_OK(open("f", O_RDONLY));
    CHECK_ERR(write(ro, "x", 1), EBADF);
    int wo = CHECK_OK(open("f", O_WRONLY));
    CHECK_ERR(read(wo, buf, 1), EBADF);
    CHECK_OK(close(fd));
    CHECK_ERR(read(fd, buf, 1), EBADF);
    free(src);
    free(dst);
    return 0;
}
