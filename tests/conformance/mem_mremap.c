/* mremap: grow (moving or in place), shrink, MREMAP_FIXED, errors. */
#include "check.h"
#include <sys/mman.h>

/* Is [addr, addr+len) fully mapped?  mprotect to the same protection fails
 * with ENOMEM on unmapped ranges and changes nothing otherwise. */
static int mapped(void *addr, size_t len, int prot)
{
    return mprotect(addr, len, prot) == 0;
}

int main(void)
{
    long page = sysconf(_SC_PAGESIZE);
    int rw = PROT_READ | PROT_WRITE;
    char *p = CHECK_OK(mmap(NULL, 2 * page, rw, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    memset(p, 'a', 2 * page);

    /* Grow with MREMAP_MAYMOVE: the contents come along, the tail is zero. */
    char *q = CHECK_OK(mremap(p, 2 * page, 8 * page, MREMAP_MAYMOVE));
    CHECK_EQ(q[0], 'a');
    CHECK_EQ(q[2 * page - 1], 'a');
    CHECK_EQ(q[2 * page], 0);
    CHECK_EQ(q[8 * page - 1], 0);
    CHECK(mapped(q, 8 * page, rw));

    /* Shrink: same address, the tail is unmapped. */
    CHECK_EQ(mremap(q, 8 * page, 3 * page, 0), q);
    CHECK(mapped(q, 3 * page, rw));
    CHECK(!mapped(q + 3 * page, page, rw));
    CHECK_EQ(q[0], 'a');

    /* Growing in place without MREMAP_MAYMOVE works into free space... */
    CHECK_EQ(mremap(q, 3 * page, 4 * page, 0), q);
    CHECK(mapped(q, 4 * page, rw));
    /* ...and fails with ENOMEM when the next page is in use. */
    char *blk = CHECK_OK(mmap(NULL, 3 * page, rw, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    blk[0] = 'b';
    CHECK_ERR(mremap(blk, page, 2 * page, 0), ENOMEM);
    CHECK_EQ(blk[0], 'b');

    /* MREMAP_FIXED moves to an exact address; the old range is gone. */
    char *dst = CHECK_OK(mmap(NULL, 4 * page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    char *moved = CHECK_OK(mremap(q, 4 * page, 4 * page, MREMAP_MAYMOVE | MREMAP_FIXED, dst));
    CHECK_EQ(moved, dst);
    CHECK_EQ(dst[0], 'a');
    CHECK(mapped(dst, 4 * page, rw));     /* protection came along */
    CHECK(!mapped(q, page, rw));
    CHECK_EQ(probe_access(q, 0), SIGSEGV);

    /* Errors. */
    CHECK_ERR(mremap(dst, 4 * page, 8 * page, MREMAP_FIXED, blk), EINVAL);  /* needs MAYMOVE */
    CHECK_ERR(mremap(dst + 1, page, 2 * page, MREMAP_MAYMOVE), EINVAL);     /* unaligned */
    CHECK_ERR(mremap(dst, page, 0, MREMAP_MAYMOVE), EINVAL);                /* size 0 */
    CHECK_ERR(mremap(dst, page, 2 * page, 0x40000000), EINVAL);             /* flags */
    CHECK_ERR(mremap(q, page, 2 * page, MREMAP_MAYMOVE), EFAULT);           /* unmapped */
    CHECK_EQ(dst[0], 'a');

    /* old_size 0 on a shared mapping: a second mapping of the same pages. */
    char *sh = CHECK_OK(mmap(NULL, page, rw, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
    char *alias = CHECK_OK(mremap(sh, 0, page, MREMAP_MAYMOVE));
    CHECK_NE(alias, sh);
    sh[0] = 's';
    CHECK_EQ(alias[0], 's');
    alias[1] = 't';
    CHECK_EQ(sh[1], 't');
    return 0;
}
