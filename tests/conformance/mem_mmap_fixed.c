/* MAP_FIXED replaces existing mappings at an exact address;
 * MAP_FIXED_NOREPLACE refuses to. */
#include "check.h"
#include <sys/mman.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

int main(void)
{
    enter_tmpdir();
    long page = sysconf(_SC_PAGESIZE);
    char *base = CHECK_OK(mmap(NULL, 4 * page, PROT_READ | PROT_WRITE,
                               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    memset(base, 'a', 4 * page);

    /* Replace page 1 with a fresh anonymous page: exact address, zeroed;
     * the neighbours keep their contents. */
    char *p = CHECK_OK(mmap(base + page, page, PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
    CHECK_EQ(p, base + page);
    CHECK_EQ(p[0], 0);
    CHECK_EQ(p[page - 1], 0);
    CHECK_EQ(base[0], 'a');
    CHECK_EQ(base[2 * page], 'a');

    /* Replace pages 2-3 with a file mapping. */
    int fd = CHECK_OK(open("f", O_RDWR | O_CREAT, 0600));
    CHECK_OK(ftruncate(fd, 2 * page));
    CHECK_EQ(pwrite(fd, "file", 4, 0), 4);
    p = CHECK_OK(mmap(base + 2 * page, 2 * page, PROT_READ, MAP_SHARED | MAP_FIXED, fd, 0));
    CHECK_EQ(p, base + 2 * page);
    CHECK_MEMEQ(p, "file", 4);
    CHECK_EQ(probe_access(p, 1), SIGSEGV);         /* now read-only */

    /* MAP_FIXED needs a page-aligned address. */
    CHECK_ERR(mmap(base + 1, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0),
              EINVAL);
    CHECK_EQ(base[0], 'a');

    /* MAP_FIXED_NOREPLACE: EEXIST over an existing mapping... */
    CHECK_ERR(mmap(base, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
                   -1, 0), EEXIST);
    CHECK_ERR(mmap(base + 3 * page, 2 * page, PROT_READ,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0), EEXIST);
    CHECK_EQ(base[0], 'a');
    /* ...but it places exactly at a free address. */
    CHECK_OK(munmap(base, page));
    p = CHECK_OK(mmap(base, page, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0));
    CHECK_EQ(p, base);
    CHECK_EQ(p[0], 0);

    /* MAP_FIXED into a hole in the address space. */
    CHECK_OK(munmap(base, 4 * page));
    p = CHECK_OK(mmap(base + page, page, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
    CHECK_EQ(p, base + page);
    CHECK_EQ(probe_access(base, 0), SIGSEGV);
    CHECK_EQ(probe_access(base + page, 1), 0);
    return 0;
}
