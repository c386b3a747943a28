/* Mappings across fork: MAP_SHARED anonymous memory is shared both ways,
 * MAP_PRIVATE memory is copied (copy-on-write). */
#include "check.h"
#include <sys/mman.h>

int main(void)
{
    long page = sysconf(_SC_PAGESIZE);
    int rw = PROT_READ | PROT_WRITE;
    volatile char *sh = CHECK_OK(mmap(NULL, page, rw, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
    volatile char *pr = CHECK_OK(mmap(NULL, page, rw, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    sh[0] = 'p';
    pr[0] = 'p';

    int p[2], q[2];
    char c;
    CHECK_OK(pipe(p));
    CHECK_OK(pipe(q));
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        /* The child starts with the parent's contents in both. */
        if (sh[0] != 'p' || pr[0] != 'p')
            _exit(1);
        sh[1] = 'c';
        pr[1] = 'c';
        if (write(q[1], "1", 1) != 1)
            _exit(2);
        /* Wait for the parent's stores, then look. */
        if (read(p[0], &c, 1) != 1)
            _exit(3);
        if (sh[2] != 'P')
            _exit(4);          /* shared: must see the parent's store */
        if (pr[2] != 0)
            _exit(5);          /* private: must not */
        _exit(0);
    }
    CHECK_EQ(read(q[0], &c, 1), 1);
    CHECK_EQ(sh[1], 'c');      /* child's store to shared memory is visible */
    CHECK_EQ(pr[1], 0);        /* ...to private memory is not */
    sh[2] = 'P';
    pr[2] = 'P';
    CHECK_EQ(write(p[1], "2", 1), 1);
    CHECK_CHILD_EXIT(pid, 0);

    /* Shared memory outlives the child that wrote it. */
    pid = CHECK_OK(fork());
    if (pid == 0) {
        sh[3] = 'x';
        _exit(0);
    }
    CHECK_CHILD_EXIT(pid, 0);
    CHECK_EQ(sh[3], 'x');

    /* Heap and stack are private after fork too. */
    static int global = 1;
    int local = 1;
    pid = CHECK_OK(fork());
    if (pid == 0) {
        global = 2;
        local = 2;
        _exit(global + local == 4 ? 0 : 1);
    }
    CHECK_CHILD_EXIT(pid, 0);
    CHECK_EQ(global, 1);
    CHECK_EQ(local, 1);
    return 0;
}
