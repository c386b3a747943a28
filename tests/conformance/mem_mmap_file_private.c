/* Private file mappings: copy-on-write, never written back, not shared
 * with other mappings or forked children. */
#include "check.h"
#include <sys/mman.h>

int main(void)
{
    enter_tmpdir();
    long page = sysconf(_SC_PAGESIZE);
    char buf[32];

    int fd = CHECK_OK(open("f", O_RDWR | O_CREAT | O_TRUNC, 0600));
    CHECK_OK(ftruncate(fd, page));
    CHECK_EQ(pwrite(fd, "original", 8, 0), 8);

    char *priv = CHECK_OK(mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0));
    char *shared = CHECK_OK(mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
    CHECK_MEMEQ(priv, "original", 8);

    /* A store to the private mapping is not written back to the file and
     * is not seen by a shared mapping of it. */
    memcpy(priv, "PRIVATE!", 8);
    CHECK_MEMEQ(priv, "PRIVATE!", 8);
    CHECK_EQ(pread(fd, buf, 8, 0), 8);
    CHECK_MEMEQ(buf, "original", 8);
    CHECK_MEMEQ(shared, "original", 8);
    /* After the copy, later file changes do not show in that page. */
    CHECK_EQ(pwrite(fd, "rewrite!", 8, 0), 8);
    CHECK_MEMEQ(priv, "PRIVATE!", 8);
    /* munmap + close do not write it back either. */
    CHECK_OK(munmap(priv, page));
    CHECK_EQ(pread(fd, buf, 8, 0), 8);
    CHECK_MEMEQ(buf, "rewrite!", 8);

    /* Read-only descriptors allow writable private mappings. */
    int ro = CHECK_OK(open("f", O_RDONLY));
    priv = CHECK_OK(mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, 0));
    CHECK_EQ(priv[0], 'r');
    priv[0] = 'Q';
    CHECK_EQ(priv[0], 'Q');
    CHECK_EQ(pread(ro, buf, 1, 0), 1);
    CHECK_EQ(buf[0], 'r');

    /* After fork each process has its own copy of private pages. */
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        priv[2] = 'C';
        _exit(priv[0] == 'Q' ? 0 : 1);
    }
    CHECK_CHILD_EXIT(pid, 0);
    CHECK_EQ(priv[2], 'w');
    /* A read-only private mapping cannot be written. */
    char *rop = CHECK_OK(mmap(NULL, page, PROT_READ, MAP_PRIVATE, ro, 0));
    CHECK_EQ(probe_access(rop, 1), SIGSEGV);
    CHECK_EQ(rop[0], 'r');
    /* Write-only descriptors cannot be mapped at all. */
    int wo = CHECK_OK(open("f", O_WRONLY));
    CHECK_ERR(mmap(NULL, page, PROT_READ, MAP_PRIVATE, wo, 0), EACCES);
    return 0;
}
