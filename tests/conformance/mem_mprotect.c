/* mprotect: PROT_NONE / read-only enforcement with SIGSEGV details
 * (si_code, si_addr) caught in a child, splitting, error paths. */
#include "check.h"
#include <sys/mman.h>

static volatile char *expected_addr;
static volatile int expected_code;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    /* Report through the exit code: 42 means "all details matched". */
    if (sig != SIGSEGV || si->si_signo != SIGSEGV)
        _exit(10);
    if (si->si_addr != (void *)expected_addr)
        _exit(11);
    if (si->si_code != expected_code)
        _exit(12);
    _exit(42);
}

/* Fault in a child with a SA_SIGINFO handler installed. */
static void check_fault(volatile char *addr, int write, int code)
{
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_sigaction = on_segv;
        sa.sa_flags = SA_SIGINFO;
        sigaction(SIGSEGV, &sa, NULL);
        expected_addr = addr;
        expected_code = code;
        if (write)
            *addr = 1;
        else
            (void)*addr;
        _exit(0);
    }
    CHECK_CHILD_EXIT(pid, 42);
}

int main(void)
{
    long page = sysconf(_SC_PAGESIZE);
    char *p = CHECK_OK(mmap(NULL, 4 * page, PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    memset(p, 'x', 4 * page);

    /* PROT_NONE: any access faults with SEGV_ACCERR at the exact address. */
    CHECK_EQ(mprotect(p, page, PROT_NONE), 0);
    check_fault(p + 123, 0, SEGV_ACCERR);
    check_fault(p + 7, 1, SEGV_ACCERR);
    /* Without a handler the child is killed by SIGSEGV. */
    CHECK_EQ(probe_access(p, 0), SIGSEGV);
    /* Only that page changed. */
    CHECK_EQ(p[page], 'x');

    /* Read-only: reads work, writes fault. */
    CHECK_EQ(mprotect(p + page, 2 * page, PROT_READ), 0);
    CHECK_EQ(p[page + 5], 'x');
    check_fault(p + 2 * page + 9, 1, SEGV_ACCERR);
    CHECK_EQ(probe_access(p + 3 * page, 1), 0);   /* last page still RW */

    /* Restoring access keeps the contents. */
    CHECK_EQ(mprotect(p, 4 * page, PROT_READ | PROT_WRITE), 0);
    CHECK_EQ(p[0], 'x');
    p[0] = 'y';
    CHECK_EQ(p[0], 'y');

    /* Unmapped memory faults with SEGV_MAPERR instead. */
    char *gone = CHECK_OK(mmap(NULL, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    CHECK_OK(munmap(gone, page));
    check_fault(gone + 1, 0, SEGV_MAPERR);

    /* Errors. */
    CHECK_ERR(mprotect(p + 1, page, PROT_READ), EINVAL);      /* unaligned */
    CHECK_ERR(mprotect(p, page, 0x10), EINVAL);               /* bad prot bit */
    CHECK_ERR(mprotect(gone, page, PROT_READ), ENOMEM);       /* not mapped */
    char *two = CHECK_OK(mmap(NULL, 2 * page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    CHECK_OK(munmap(two + page, page));
    CHECK_ERR(mprotect(two, 2 * page, PROT_READ), ENOMEM);    /* partly mapped */
    CHECK_EQ(mprotect(p, 0, PROT_READ), 0);                   /* empty range */

    /* A shared mapping of a read-only descriptor cannot become writable. */
    make_tmpdir();
    write_file(tpath("ro"), "read-only data");
    int fd = CHECK_OK(open(tpath("ro"), O_RDONLY));
    char *m = CHECK_OK(mmap(NULL, page, PROT_READ, MAP_SHARED, fd, 0));
    CHECK_ERR(mprotect(m, page, PROT_READ | PROT_WRITE), EACCES);
    /* ...but a private one can (copy-on-write). */
    char *pm = CHECK_OK(mmap(NULL, page, PROT_READ, MAP_PRIVATE, fd, 0));
    CHECK_EQ(mprotect(pm, page, PROT_READ | PROT_WRITE), 0);
    pm[0] = 0;
    return 0;
}
