/* I/O on directory descriptors: read and friends fail with EISDIR. */
#include "check.h"
#include <sys/mman.h>
#include <sys/uio.h>

int main(void)
{
    enter_tmpdir();
    CHECK_OK(mkdir("d", 0755));
    int fd = CHECK_OK(open("d", O_RDONLY));
    char buf[16];
    struct iovec iov = { buf, sizeof buf };

    CHECK_ERR(read(fd, buf, sizeof buf), EISDIR);
    CHECK_ERR(pread(fd, buf, sizeof buf, 0), EISDIR);
    CHECK_ERR(readv(fd, &iov, 1), EISDIR);
    /* Opened read-only, so writes are EBADF, not EISDIR. */
    CHECK_ERR(write(fd, "x", 1), EBADF);
    /* Directories are not mappable. */
    CHECK_ERR(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0), ENODEV);
    /* ftruncate needs a writable regular file. */
    CHECK_ERR(ftruncate(fd, 0), EINVAL);
    /* Seeking back to the start is allowed (rewinddir uses it). */
    CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
    /* "." and "/" are directories too. */
    int root = CHECK_OK(open("/", O_RDONLY));
    CHECK_ERR(read(root, buf, 1), EISDIR);
    return 0;
}
