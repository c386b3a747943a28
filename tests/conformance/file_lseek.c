/* lseek: SEEK_SET/CUR/END, negative results, seeking past EOF and holes. */
#include "check.h"

int main(void)
{
    enter_tmpdir();
    char buf[32];
    struct stat st;
    int fd = CHECK_OK(open("f", O_RDWR | O_CREAT | O_TRUNC, 0600));
    CHECK_EQ(write(fd, "abcdefghij", 10), 10);

    /* Each whence returns the resulting offset. */
    CHECK_EQ(lseek(fd, 3, SEEK_SET), 3);
    CHECK_EQ(lseek(fd, 0, SEEK_CUR), 3);
    CHECK_EQ(lseek(fd, 2, SEEK_CUR), 5);
    CHECK_EQ(lseek(fd, -1, SEEK_CUR), 4);
    CHECK_EQ(lseek(fd, 0, SEEK_END), 10);
    CHECK_EQ(lseek(fd, -3, SEEK_END), 7);
    CHECK_EQ(read(fd, buf, 10), 3);
    CHECK_MEMEQ(buf, "hij", 3);

    /* A negative resulting offset: EINVAL, offset unchanged. */
    CHECK_EQ(lseek(fd, 2, SEEK_SET), 2);
    CHECK_ERR(lseek(fd, -1, SEEK_SET), EINVAL);
    CHECK_ERR(lseek(fd, -3, SEEK_CUR), EINVAL);
    CHECK_ERR(lseek(fd, -11, SEEK_END), EINVAL);
    CHECK_EQ(lseek(fd, 0, SEEK_CUR), 2);
    /* Bad whence. */
    CHECK_ERR(lseek(fd, 0, 42), EINVAL);
    CHECK_ERR(lseek(fd, 0, -1), EINVAL);
    CHECK_EQ(lseek(fd, 0, SEEK_CUR), 2);

    /* Seeking past EOF is allowed and does not change the size... */
    CHECK_EQ(lseek(fd, 100, SEEK_SET), 100);
    CHECK_OK(fstat(fd, &st));
    CHECK_EQ(st.st_size, 10);
    CHECK_EQ(read(fd, buf, sizeof buf), 0);
    /* ...a write there creates a hole that reads back as zeros. */
    CHECK_EQ(write(fd, "END", 3), 3);
    CHECK_OK(fstat(fd, &st));
    CHECK_EQ(st.st_size, 103);
    CHECK_EQ(lseek(fd, 50, SEEK_SET), 50);
    memset(buf, 'x', sizeof buf);
    CHECK_EQ(read(fd, buf, 10), 10);
    for (int i = 0; i < 10; i++)
        CHECK_EQ(buf[i], 0);
    CHECK_EQ(lseek(fd, -3, SEEK_END), 100);
    CHECK_EQ(read(fd, buf, 10), 3);
    CHECK_MEMEQ(buf, "END", 3);

    /* Offsets beyond 4 GiB work (64-bit off_t). */
    off_t big = (off_t)1 << 33;
    CHECK_EQ(lseek(fd, big, SEEK_SET), big);
    CHECK_EQ(lseek(fd, 5, SEEK_CUR), big + 5);
    CHECK_EQ(read(fd, buf, 1), 0);

    /* Raw syscall, and a second descriptor has its own offset. */
    CHECK_EQ(syscall(SYS_lseek, fd, 1L, SEEK_SET), 1);
    int fd2 = CHECK_OK(open("f", O_RDONLY));
    CHECK_EQ(lseek(fd2, 0, SEEK_CUR), 0);
    CHECK_EQ(lseek(fd, 0, SEEK_CUR), 1);

    /* Bad descriptor. */
    CHECK_ERR(lseek(-1, 0, SEEK_SET), EBADF);
    CHECK_ERR(lseek(12345, 0, SEEK_SET), EBADF);
    return 0;
}
