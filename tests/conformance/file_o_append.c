/* O_APPEND: every write goes to the end of file, whatever the offset. */
#include "check.h"
#include <sys/uio.h>

int main(void)
{
    enter_tmpdir();
    write_file("f", "0123");
    char buf[64];
    struct stat st;

    int fd = CHECK_OK(open("f", O_RDWR | O_APPEND));
    /* Opening with O_APPEND does not move the initial offset. */
    CHECK_EQ(lseek(fd, 0, SEEK_CUR), 0);
    /* Reads happen at the current offset... */
    CHECK_EQ(read(fd, buf, 2), 2);
    CHECK_MEMEQ(buf, "01", 2);
    /* ...but a write first moves the offset to EOF. */
    CHECK_EQ(write(fd, "ab", 2), 2);
    CHECK_EQ(lseek(fd, 0, SEEK_CUR), 6);
    CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
    CHECK_EQ(write(fd, "cd", 2), 2);
    CHECK_EQ(lseek(fd, 0, SEEK_CUR), 8);

    /* writev appends too. */
    struct iovec iov[2] = { { "e", 1 }, { "f", 1 } };
    CHECK_OK(lseek(fd, 1, SEEK_SET));
    CHECK_EQ(writev(fd, iov, 2), 2);

    /* Linux quirk (pwrite(2) BUGS): with O_APPEND, pwrite appends and
     * ignores the offset, and leaves the file offset alone. */
    CHECK_OK(lseek(fd, 3, SEEK_SET));
    CHECK_EQ(pwrite(fd, "g", 1, 0), 1);
    CHECK_EQ(lseek(fd, 0, SEEK_CUR), 3);

    CHECK_EQ(pread(fd, buf, sizeof buf, 0), 11);
    CHECK_MEMEQ(buf, "0123abcdefg", 11);

    /* Two O_APPEND descriptors never overwrite each other's data. */
    int fd2 = CHECK_OK(open("f", O_WRONLY | O_APPEND));
    CHECK_EQ(write(fd, "H", 1), 1);
    CHECK_EQ(write(fd2, "I", 1), 1);
    CHECK_EQ(write(fd, "J", 1), 1);
    /* A non-append descriptor at offset 0 does overwrite. */
    int fd3 = CHECK_OK(open("f", O_WRONLY));
    CHECK_EQ(write(fd3, "Z", 1), 1);
    CHECK_OK(fstat(fd, &st));
    CHECK_EQ(st.st_size, 14);
    CHECK_EQ(pread(fd, buf, sizeof buf, 0), 14);
    CHECK_MEMEQ(buf, "Z123abcdefgHIJ", 14);

    /* O_APPEND|O_TRUNC: truncated, then appending from 0. */
    int fd4 = CHECK_OK(open("f", O_WRONLY | O_APPEND | O_TRUNC));
    CHECK_EQ(write(fd4, "new", 3), 3);
    CHECK_OK(fstat(fd4, &st));
    CHECK_EQ(st.st_size, 3);
    return 0;
}
