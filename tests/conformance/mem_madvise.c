/* madvise: MADV_DONTNEED semantics for private anonymous, shared file and
 * private file mappings; hints that change nothing; errors. */
#include "check.h"
#include <sys/mman.h>

int main(void)
{
    enter_tmpdir();
    long page = sysconf(_SC_PAGESIZE);
    int rw = PROT_READ | PROT_WRITE;

    /* Private anonymous: DONTNEED drops the pages, which read back as 0. */
    char *a = CHECK_OK(mmap(NULL, 4 * page, rw, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    memset(a, 'a', 4 * page);
    CHECK_EQ(madvise(a + page, 2 * page, MADV_DONTNEED), 0);
    CHECK_EQ(a[0], 'a');
    CHECK_EQ(a[page], 0);
    CHECK_EQ(a[3 * page - 1], 0);
    CHECK_EQ(a[3 * page], 'a');
    a[page] = 'n';                       /* still mapped and writable */
    CHECK_EQ(a[page], 'n');

    /* Shared file: the data lives in the file, so it survives. */
    int fd = CHECK_OK(open("f", O_RDWR | O_CREAT, 0600));
    CHECK_OK(ftruncate(fd, page));
    char *s = CHECK_OK(mmap(NULL, page, rw, MAP_SHARED, fd, 0));
    memcpy(s, "shared", 6);
    CHECK_EQ(madvise(s, page, MADV_DONTNEED), 0);
    CHECK_MEMEQ(s, "shared", 6);

    /* Private file: private changes are dropped, the file shows through. */
    char *p = CHECK_OK(mmap(NULL, page, rw, MAP_PRIVATE, fd, 0));
    memcpy(p, "PRIVAT", 6);
    CHECK_EQ(madvise(p, page, MADV_DONTNEED), 0);
    CHECK_MEMEQ(p, "shared", 6);

    /* Pure hints succeed and keep the contents. */
    memset(a, 'h', page);
    CHECK_EQ(madvise(a, 4 * page, MADV_NORMAL), 0);
    CHECK_EQ(madvise(a, 4 * page, MADV_RANDOM), 0);
    CHECK_EQ(madvise(a, 4 * page, MADV_SEQUENTIAL), 0);
    CHECK_EQ(madvise(a, 4 * page, MADV_WILLNEED), 0);
    CHECK_EQ(a[0], 'h');

    /* Errors. */
    CHECK_ERR(madvise(a + 1, page, MADV_DONTNEED), EINVAL);   /* unaligned */
    CHECK_ERR(madvise(a, page, 12345), EINVAL);               /* bad advice */
    CHECK_EQ(a[0], 'h');
    char *gone = CHECK_OK(mmap(NULL, page, rw, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    CHECK_OK(munmap(gone, page));
    CHECK_ERR(madvise(gone, page, MADV_NORMAL), ENOMEM);      /* unmapped */
    return 0;
}
