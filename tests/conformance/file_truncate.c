/* truncate / ftruncate: shrink, extend with zeros, offset unaffected,
 * error paths. */
#include "check.h"

int main(void)
{
    enter_tmpdir();
    char buf[32];
    struct stat st;

    write_file("f", "0123456789");
    /* Shrink by path. */
    CHECK_EQ(truncate("f", 4), 0);
    CHECK_OK(stat("f", &st));
    CHECK_EQ(st.st_size, 4);
    /* Extend by path: the new bytes are zeros. */
    CHECK_EQ(truncate("f", 8), 0);
    CHECK_OK(stat("f", &st));
    CHECK_EQ(st.st_size, 8);
    int fd = CHECK_OK(open("f", O_RDWR));
    CHECK_EQ(read(fd, buf, sizeof buf), 8);
    CHECK_MEMEQ(buf, "0123\0\0\0\0", 8);

    /* ftruncate does not move the file offset. */
    CHECK_EQ(lseek(fd, 0, SEEK_CUR), 8);
    CHECK_EQ(ftruncate(fd, 2), 0);
    CHECK_EQ(lseek(fd, 0, SEEK_CUR), 8);
    CHECK_OK(fstat(fd, &st));
    CHECK_EQ(st.st_size, 2);
    /* A write at the (now past-EOF) offset leaves a zero gap. */
    CHECK_EQ(write(fd, "X", 1), 1);
    CHECK_EQ(pread(fd, buf, sizeof buf, 0), 9);
    CHECK_MEMEQ(buf, "01\0\0\0\0\0\0X", 9);
    /* Truncate to zero, and to the same size (no-op). */
    CHECK_EQ(ftruncate(fd, 0), 0);
    CHECK_EQ(ftruncate(fd, 0), 0);
    CHECK_OK(fstat(fd, &st));
    CHECK_EQ(st.st_size, 0);
    CHECK_EQ(pread(fd, buf, sizeof buf, 0), 0);

    /* Negative length: EINVAL. */
    CHECK_ERR(truncate("f", -1), EINVAL);
    CHECK_ERR(ftruncate(fd, -1), EINVAL);
    /* ftruncate needs a descriptor open for writing (Linux: EINVAL). */
    int ro = CHECK_OK(open("f", O_RDONLY));
    CHECK_ERR(ftruncate(ro, 0), EINVAL);
    /* ...on a regular file: a pipe is EINVAL too. */
    int p[2];
    CHECK_OK(pipe(p));
    CHECK_ERR(ftruncate(p[1], 0), EINVAL);
    CHECK_ERR(ftruncate(-1, 0), EBADF);
    CHECK_ERR(ftruncate(12345, 0), EBADF);

    /* Path errors. */
    CHECK_OK(mkdir("d", 0755));
    CHECK_ERR(truncate("d", 0), EISDIR);
    CHECK_ERR(truncate("missing", 0), ENOENT);
    CHECK_ERR(truncate("f/x", 0), ENOTDIR);
    CHECK_ERR(truncate("", 0), ENOENT);
    CHECK_ERR(truncate(BAD_PTR, 0), EFAULT);

    /* truncate follows symlinks. */
    write_file("target", "abcdef");
    CHECK_OK(symlink("target", "link"));
    CHECK_EQ(truncate("link", 3), 0);
    CHECK_OK(stat("target", &st));
    CHECK_EQ(st.st_size, 3);
    return 0;
}
