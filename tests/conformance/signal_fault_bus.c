/* SIGBUS from a file mapping beyond the end of the file: BUS_ADRERR with
 * si_addr the exact address, for pages wholly past EOF (shared and private
 * mappings) and after the file shrinks under a mapping; the tail of the
 * last partial page reads as zeros without a fault.  Uncaught, SIGBUS
 * kills (in a child). */
#include "check.h"
#include <setjmp.h>
#include <sys/mman.h>

static sigjmp_buf env;
static volatile siginfo_t got;

static void on_bus(int sig, siginfo_t *si, void *uc)
{
    (void)sig; (void)uc;
    memcpy((void *)&got, si, sizeof *si);
    siglongjmp(env, 1);
}

static int faults(volatile char *p, int write)
{
    memset((void *)&got, 0, sizeof got);
    if (sigsetjmp(env, 1) == 0) {
        if (write)
            *p = 1;
        else
            (void)*p;
        return 0;
    }
    return 1;
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_bus;
    sa.sa_flags = SA_SIGINFO;
    CHECK_OK(sigaction(SIGBUS, &sa, NULL));

    make_tmpdir();
    int fd = CHECK_OK(open(tpath("f"), O_RDWR | O_CREAT, 0600));
    CHECK_EQ(write(fd, "data", 4), 4);          /* 4 bytes: one partial page */
    char *m = CHECK_OK(mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));

    /* Inside the first page: fine, zeros past the data. */
    CHECK(!faults(m + 100, 0));
    CHECK_EQ(m[100], 0);
    CHECK_MEMEQ(m, "data", 4);

    /* Past EOF: read and write fault at the exact address. */
    CHECK(faults(m + 4096 + 5, 0));
    CHECK_EQ(got.si_signo, SIGBUS);
    CHECK_EQ(got.si_code, BUS_ADRERR);
    CHECK_EQ(got.si_errno, 0);
    CHECK(got.si_addr == m + 4096 + 5);
    CHECK(faults(m + 2 * 4096 + 4000, 1));
    CHECK_EQ(got.si_code, BUS_ADRERR);
    CHECK(got.si_addr == m + 2 * 4096 + 4000);

    /* Growing the file makes the page valid. */
    CHECK_OK(ftruncate(fd, 2 * 4096));
    CHECK(!faults(m + 4096 + 5, 1));
    CHECK(faults(m + 2 * 4096, 0));

    /* A private mapping behaves the same beyond EOF. */
    char *pm = CHECK_OK(mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0));
    CHECK(!faults(pm + 4096, 1));
    CHECK(faults(pm + 2 * 4096 + 8, 0));
    CHECK(got.si_addr == pm + 2 * 4096 + 8);

    /* Shrinking under the shared mapping: the lost page faults now. */
    CHECK_OK(ftruncate(fd, 4096));
    CHECK(faults(m + 4096 + 5, 0));
    CHECK_EQ(got.si_code, BUS_ADRERR);
    CHECK(got.si_addr == m + 4096 + 5);
    CHECK(!faults(m + 10, 0));

    /* Uncaught. */
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        no_core_dumps();
        signal(SIGBUS, SIG_DFL);
        (void)*(volatile char *)(m + 2 * 4096);
        _exit(0);
    }
    CHECK_CHILD_SIGNALED(pid, SIGBUS);
    munmap(m, 3 * 4096);
    munmap(pm, 3 * 4096);
    close(fd);
    return 0;
}
