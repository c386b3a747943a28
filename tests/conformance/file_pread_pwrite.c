/* pread64 / pwrite64: positional I/O that leaves the file offset alone. */
#include "check.h"

int main(void)
{
    enter_tmpdir();
    char buf[32];
    struct stat st;

    int fd = CHECK_OK(open("f", O_RDWR | O_CREAT | O_TRUNC, 0600));
    CHECK_EQ(write(fd, "0123456789", 10), 10);
    CHECK_OK(lseek(fd, 2, SEEK_SET));

    /* pread reads at the given offset without moving the file offset. */
    CHECK_EQ(pread(fd, buf, 3, 5), 3);
    CHECK_MEMEQ(buf, "567", 3);
    CHECK_EQ(lseek(fd, 0, SEEK_CUR), 2);
    /* Short at EOF, 0 at or past EOF. */
    CHECK_EQ(pread(fd, buf, sizeof buf, 8), 2);
    CHECK_EQ(pread(fd, buf, sizeof buf, 10), 0);
    CHECK_EQ(pread(fd, buf, sizeof buf, 1000), 0);

    /* pwrite writes at the offset, file offset untouched. */
    CHECK_EQ(pwrite(fd, "AB", 2, 4), 2);
    CHECK_EQ(lseek(fd, 0, SEEK_CUR), 2);
    CHECK_EQ(read(fd, buf, 4), 4);
    CHECK_MEMEQ(buf, "23AB", 4);

    /* pwrite past EOF extends the file; the gap reads as zeros. */
    CHECK_EQ(pwrite(fd, "Z", 1, 20), 1);
    CHECK_OK(fstat(fd, &st));
    CHECK_EQ(st.st_size, 21);
    memset(buf, 'q', sizeof buf);
    CHECK_EQ(pread(fd, buf, sizeof buf, 10), 11);
    for (int i = 0; i < 10; i++)
        CHECK_EQ(buf[i], 0);
    CHECK_EQ(buf[10], 'Z');

    /* The raw 64-bit syscalls. */
    CHECK_EQ(syscall(SYS_pread64, fd, buf, 2, 0L), 2);
    CHECK_MEMEQ(buf, "01", 2);
    CHECK_EQ(syscall(SYS_pwrite64, fd, "xy", 2, 0L), 2);
    CHECK_EQ(pread(fd, buf, 2, 0), 2);
    CHECK_MEMEQ(buf, "xy", 2);

    /* Negative offsets are invalid. */
    CHECK_ERR(pread(fd, buf, 1, -1), EINVAL);
    CHECK_ERR(pwrite(fd, "x", 1, -1), EINVAL);
    /* Access mode, bad descriptors, bad buffers. */
    int ro = CHECK_OK(open("f", O_RDONLY));
    int wo = CHECK_OK(open("f", O_WRONLY));
    CHECK_ERR(pwrite(ro, "x", 1, 0), EBADF);
    CHECK_ERR(pread(wo, buf, 1, 0), EBADF);
    CHECK_ERR(pread(-1, buf, 1, 0), EBADF);
    CHECK_ERR(pread(fd, BAD_PTR, 1, 0), EFAULT);
    CHECK_ERR(pwrite(fd, BAD_PTR, 1, 0), EFAULT);
    /* A directory: EISDIR. */
    int dfd = CHECK_OK(open(".", O_RDONLY | O_DIRECTORY));
    CHECK_ERR(pread(dfd, buf, 1, 0), EISDIR);
    return 0;
}
