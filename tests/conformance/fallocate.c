/* fallocate(2): allocating grows the file (zero-filled) unless
 * FALLOC_FL_KEEP_SIZE; punching a hole and zeroing a range zero the data
 * in place; the mode and argument checks come first. */
#include "check.h"

#include <linux/falloc.h>
#include <sys/mman.h>

static off_t size_of(int fd)
{
    struct stat st;
    CHECK_OK(fstat(fd, &st));
    return st.st_size;
}

int main(void)
{
    make_tmpdir();
    int fd = CHECK_OK(open(tpath("f"), O_RDWR | O_CREAT, 0600));
    char data[8192];
    memset(data, 'x', sizeof data);
    CHECK_EQ(write(fd, data, 100), 100);

    /* Mode 0 grows the file; the new part reads as zeros. */
    CHECK_OK(fallocate(fd, 0, 50, 150));
    CHECK_EQ(size_of(fd), 200);
    char buf[8192];
    CHECK_EQ(pread(fd, buf, sizeof buf, 0), 200);
    CHECK_MEMEQ(buf, data, 100);
    for (int i = 100; i < 200; i++)
        CHECK_EQ(buf[i], 0);
    /* Inside the file it changes nothing. */
    CHECK_OK(fallocate(fd, 0, 0, 10));
    CHECK_EQ(size_of(fd), 200);
    CHECK_EQ(pread(fd, buf, 1, 0), 1);
    CHECK_EQ(buf[0], 'x');
    /* KEEP_SIZE: the size stays. */
    CHECK_OK(fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 4096));
    CHECK_EQ(size_of(fd), 200);

    /* Punching a hole zeroes, keeping the size (past EOF: nothing). */
    CHECK_OK(pwrite(fd, data, 200, 0));
    CHECK_OK(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 10, 20));
    CHECK_EQ(size_of(fd), 200);
    CHECK_EQ(pread(fd, buf, 200, 0), 200);
    for (int i = 0; i < 200; i++)
        CHECK_EQ(buf[i], i >= 10 && i < 30 ? 0 : 'x');
    CHECK_OK(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 190, 1000));
    CHECK_EQ(size_of(fd), 200);
    CHECK_EQ(pread(fd, buf, 200, 0), 200);
    CHECK_EQ(buf[189], 'x');
    CHECK_EQ(buf[190], 0);
    CHECK_EQ(buf[199], 0);

    /* Zeroing a range, growing the file unless KEEP_SIZE. */
    CHECK_OK(pwrite(fd, data, 200, 0));
    CHECK_OK(fallocate(fd, FALLOC_FL_ZERO_RANGE, 150, 100));
    CHECK_EQ(size_of(fd), 250);
    CHECK_EQ(pread(fd, buf, 250, 0), 250);
    for (int i = 0; i < 250; i++)
        CHECK_EQ(buf[i], i < 150 ? 'x' : 0);
    CHECK_OK(fallocate(fd, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, 0, 1000));
    CHECK_EQ(size_of(fd), 250);
    CHECK_EQ(pread(fd, buf, 1, 0), 1);
    CHECK_EQ(buf[0], 0);

    /* A shared mapping sees a punched hole. */
    CHECK_OK(ftruncate(fd, 8192));
    CHECK_OK(pwrite(fd, data, 8192, 0));
    char *m = mmap(NULL, 8192, PROT_READ, MAP_SHARED, fd, 0);
    CHECK(m != MAP_FAILED);
    CHECK_OK(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 4096));
    CHECK_EQ(m[0], 0);
    CHECK_EQ(m[4095], 0);
    CHECK_EQ(m[4096], 'x');
    CHECK_OK(munmap(m, 8192));

    /* Argument and mode checks. */
    CHECK_ERR(fallocate(fd, 0, -1, 10), EINVAL);
    CHECK_ERR(fallocate(fd, 0, 0, 0), EINVAL);
    CHECK_ERR(fallocate(fd, 0, 0, -5), EINVAL);
    CHECK_ERR(fallocate(fd, FALLOC_FL_PUNCH_HOLE, 0, 10), EOPNOTSUPP);
    CHECK_ERR(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE,
                        0, 10), EOPNOTSUPP);
    CHECK_ERR(fallocate(fd, 0x1000, 0, 10), EOPNOTSUPP);
    CHECK_ERR(fallocate(fd, 0, LLONG_MAX - 5, 10), EFBIG);
    CHECK_ERR(fallocate(999, 0, 0, 10), EBADF);
    int ro = CHECK_OK(open(tpath("f"), O_RDONLY));
    CHECK_ERR(fallocate(ro, 0, 0, 10), EBADF);
    int dir = CHECK_OK(open(make_tmpdir(), O_RDONLY | O_DIRECTORY));
    CHECK_ERR(fallocate(dir, 0, 0, 10), EBADF);   /* not open for writing */
    int p[2];
    CHECK_OK(pipe(p));
    CHECK_ERR(fallocate(p[1], 0, 0, 10), ESPIPE);
    int null = CHECK_OK(open("/dev/null", O_WRONLY));
    CHECK_ERR(fallocate(null, 0, 0, 10), ENODEV);

    /* posix_fadvise, sync_file_range and readahead check the same way. */
    CHECK_RET(posix_fadvise(fd, 0, 100, POSIX_FADV_SEQUENTIAL), 0);
    CHECK_RET(posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED), 0);
    CHECK_RET(posix_fadvise(fd, 0, 100, 42), EINVAL);
    CHECK_RET(posix_fadvise(fd, 0, -1, POSIX_FADV_NORMAL), EINVAL);
    CHECK_RET(posix_fadvise(p[0], 0, 100, POSIX_FADV_NORMAL), ESPIPE);
    CHECK_RET(posix_fadvise(999, 0, 100, POSIX_FADV_NORMAL), EBADF);
    CHECK_OK(sync_file_range(fd, 0, 100, SYNC_FILE_RANGE_WRITE));
    CHECK_OK(sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WAIT_AFTER));
    CHECK_ERR(sync_file_range(fd, 0, 100, 8), EINVAL);
    CHECK_ERR(sync_file_range(fd, -1, 100, 0), EINVAL);
    CHECK_ERR(sync_file_range(fd, 10, -1, 0), EINVAL);
    CHECK_ERR(sync_file_range(p[1], 0, 100, 0), ESPIPE);
    CHECK_ERR(sync_file_range(999, 0, 100, 0), EBADF);
    CHECK_OK(readahead(fd, 0, 4096));
    CHECK_ERR(readahead(p[0], 0, 10), EINVAL);
    CHECK_ERR(readahead(null, 0, 10), EBADF);   /* not open for reading */
    return 0;
}
