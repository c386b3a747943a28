/* Anonymous mmap: zeroed, page-aligned, rounding, protections, EINVAL. */
#include "check.h"
#include <sys/mman.h>

int main(void)
{
    long page = sysconf(_SC_PAGESIZE);

    char *p = CHECK_OK(mmap(NULL, 3 * page, PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    CHECK_EQ((uintptr_t)p % page, 0);
    for (long i = 0; i < 3 * page; i++)
        CHECK_EQ(p[i], 0);
    memset(p, 0x7e, 3 * page);
    CHECK_EQ(p[3 * page - 1], 0x7e);

    /* A second mapping does not overlap the first. */
    char *q = CHECK_OK(mmap(NULL, page, PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    CHECK(q + page <= p || q >= p + 3 * page);

    /* A length that is not a page multiple is rounded up. */
    char *r = CHECK_OK(mmap(NULL, 100, PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    r[page - 1] = 1;
    CHECK_EQ(probe_access(r + page - 1, 1), 0);

    /* Protections are enforced. */
    char *ro = CHECK_OK(mmap(NULL, page, PROT_READ,
                             MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    CHECK_EQ(ro[10], 0);
    CHECK_EQ(probe_access(ro, 0), 0);
    CHECK_EQ(probe_access(ro, 1), SIGSEGV);
    char *none = CHECK_OK(mmap(NULL, page, PROT_NONE,
                               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    CHECK_EQ(probe_access(none, 0), SIGSEGV);
    CHECK_EQ(probe_access(none, 1), SIGSEGV);

    /* A shared anonymous mapping works in the mapping process too. */
    char *sh = CHECK_OK(mmap(NULL, page, PROT_READ | PROT_WRITE,
                             MAP_SHARED | MAP_ANONYMOUS, -1, 0));
    CHECK_EQ(sh[0], 0);
    sh[0] = 'S';
    CHECK_EQ(sh[0], 'S');
    /* MAP_POPULATE and MAP_NORESERVE are accepted. */
    char *pop = CHECK_OK(mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
                              MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE | MAP_NORESERVE,
                              -1, 0));
    CHECK_EQ(pop[page], 0);

    /* Errors. */
    CHECK_ERR(mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), EINVAL);
    /* Exactly one of MAP_PRIVATE / MAP_SHARED is required. */
    CHECK_ERR(mmap(NULL, page, PROT_READ, MAP_ANONYMOUS, -1, 0), EINVAL);
    /* The offset must be page aligned. */
    CHECK_ERR(mmap(NULL, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 1), EINVAL);
    /* Not anonymous: the descriptor must be valid. */
    CHECK_ERR(mmap(NULL, page, PROT_READ, MAP_PRIVATE, -1, 0), EBADF);
    CHECK_ERR(mmap(NULL, page, PROT_READ, MAP_PRIVATE, 12345, 0), EBADF);
    /* A length beyond the address space: ENOMEM. */
    CHECK_ERR(mmap(NULL, (size_t)1 << 62, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              ENOMEM);
    return 0;
}
