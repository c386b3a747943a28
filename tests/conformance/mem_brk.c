/* brk: query, grow (zero-filled pages), shrink (pages gone), failure
 * returns the current break. */
#include "check.h"

static unsigned long raw_brk(unsigned long addr)
{
    return (unsigned long)syscall(SYS_brk, addr);
}

int main(void)
{
    long page = sysconf(_SC_PAGESIZE);
    unsigned long cur = raw_brk(0);
    CHECK(cur != 0);
    /* Querying does not move it; sbrk(0) agrees. */
    CHECK_EQ(raw_brk(0), cur);
    CHECK_EQ((unsigned long)sbrk(0), cur);

    /* Grow by four pages: the returned value is the new break. */
    unsigned long want = cur + 4 * page;
    CHECK_EQ(raw_brk(want), want);
    CHECK_EQ(raw_brk(0), want);
    /* Whole new pages (past the page holding the old break) are zeroed and
     * writable. */
    unsigned long first = (cur + page - 1) & ~(unsigned long)(page - 1);
    for (unsigned long a = first; a < want; a++)
        CHECK_EQ(*(volatile char *)a, 0);
    memset((void *)first, 0x5a, want - first);
    CHECK_EQ(*(volatile char *)(want - 1), 0x5a);

    /* A child inherits the break and the heap contents. */
    pid_t pid = CHECK_OK(fork());
    if (pid == 0)
        _exit(raw_brk(0) == want && *(volatile char *)first == 0x5a ? 0 : 1);
    CHECK_CHILD_EXIT(pid, 0);

    /* Shrink back: the pages beyond the new break are unmapped. */
    CHECK_EQ(raw_brk(cur), cur);
    CHECK_EQ(raw_brk(0), cur);
    CHECK_EQ(probe_access((void *)(first + page), 0), SIGSEGV);
    /* Growing again gives fresh zero pages, not the old contents. */
    CHECK_EQ(raw_brk(want), want);
    CHECK_EQ(*(volatile char *)(first + page), 0);

    /* Impossible requests fail by returning the unchanged break. */
    CHECK_EQ(raw_brk(1), want);                       /* below the heap */
    CHECK_EQ(raw_brk(cur + (1UL << 46)), want);       /* absurdly large */
    CHECK_EQ(raw_brk(0), want);
    CHECK_EQ(raw_brk(cur), cur);
    /* glibc's sbrk on top. */
    void *old = sbrk(page);
    CHECK_EQ((unsigned long)old, cur);
    CHECK_EQ((unsigned long)sbrk(0), cur + page);
    return 0;
}
