/* munmap: access after unmapping faults, partial unmaps split a mapping,
 * EINVAL cases, unmapping nothing is fine. */
#include "check.h"
#include <sys/mman.h>

int main(void)
{
    long page = sysconf(_SC_PAGESIZE);
    char *p = CHECK_OK(mmap(NULL, 3 * page, PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    memset(p, 'm', 3 * page);

    /* Unmap the middle page: the outer pages keep working. */
    CHECK_EQ(munmap(p + page, page), 0);
    CHECK_EQ(probe_access(p + page, 0), SIGSEGV);
    CHECK_EQ(probe_access(p, 1), 0);
    CHECK_EQ(probe_access(p + 2 * page, 1), 0);
    CHECK_EQ(p[0], 'm');
    CHECK_EQ(p[2 * page], 'm');

    /* Unmapping an already unmapped range succeeds. */
    CHECK_EQ(munmap(p + page, page), 0);
    /* A range covering mapped and unmapped parts unmaps what is there;
     * the length is rounded up to whole pages. */
    CHECK_EQ(munmap(p, 2 * page + 1), 0);
    CHECK_EQ(probe_access(p, 0), SIGSEGV);
    CHECK_EQ(probe_access(p + 2 * page, 0), SIGSEGV);

    /* Errors: unaligned address, zero length. */
    char *q = CHECK_OK(mmap(NULL, page, PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    CHECK_ERR(munmap(q + 1, page), EINVAL);
    CHECK_ERR(munmap(q, 0), EINVAL);
    CHECK_EQ(probe_access(q, 1), 0);              /* still mapped */
    /* A range wrapping past the end of the address space. */
    CHECK_ERR(munmap(q, (size_t)-page), EINVAL);
    CHECK_EQ(probe_access(q, 1), 0);

    /* munmap in a child does not affect the parent's mapping. */
    q[0] = 'k';
    pid_t pid = CHECK_OK(fork());
    if (pid == 0)
        _exit(munmap(q, page) == 0 ? 0 : 1);
    CHECK_CHILD_EXIT(pid, 0);
    CHECK_EQ(q[0], 'k');
    CHECK_OK(munmap(q, page));
    return 0;
}
