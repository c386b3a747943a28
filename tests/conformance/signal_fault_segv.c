/* SIGSEGV from memory faults, caught with SA_SIGINFO and left with
 * siglongjmp: unmapped addresses give SEGV_MAPERR, protection violations
 * (write to read-only, read of PROT_NONE, executing a non-executable page)
 * SEGV_ACCERR; si_addr is the exact faulting data address (for an
 * instruction fetch, the jump target); the context carries trap 14, cr2
 * and the page-fault error code; a non-canonical address is a general
 * protection fault: SI_KERNEL with si_addr 0.  Uncaught, it kills (in a
 * child). */
#include "check.h"
#include <setjmp.h>
#include <sys/mman.h>
#include <ucontext.h>

static sigjmp_buf env;
static volatile siginfo_t got;
static volatile long long trapno, cr2, err, rip;

static void on_segv(int sig, siginfo_t *si, void *ucv)
{
    (void)sig;
    ucontext_t *uc = ucv;
    memcpy((void *)&got, si, sizeof *si);
    trapno = uc->uc_mcontext.gregs[REG_TRAPNO];
    cr2 = uc->uc_mcontext.gregs[REG_CR2];
    err = uc->uc_mcontext.gregs[REG_ERR];
    rip = uc->uc_mcontext.gregs[REG_RIP];
    siglongjmp(env, 1);
}

static int faulted;

#define EXPECT_FAULT(stmt)                          \
    do {                                            \
        faulted = 0;                                \
        memset((void *)&got, 0, sizeof got);        \
        if (sigsetjmp(env, 1) == 0) {               \
            stmt;                                   \
        } else {                                    \
            faulted = 1;                            \
        }                                           \
        CHECK(faulted);                             \
    } while (0)

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    CHECK_OK(sigaction(SIGSEGV, &sa, NULL));

    char *page = CHECK_OK(mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE,
                               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    CHECK_OK(munmap(page + 4096, 4096));            /* a hole in the middle */
    CHECK_OK(mprotect(page + 2 * 4096, 4096, PROT_READ));
    volatile char *hole = page + 4096 + 123;
    volatile char *ro = page + 2 * 4096 + 77;

    /* Read of an unmapped address. */
    EXPECT_FAULT((void)*hole);
    CHECK_EQ(got.si_signo, SIGSEGV);
    CHECK_EQ(got.si_code, SEGV_MAPERR);
    CHECK_EQ(got.si_errno, 0);
    CHECK(got.si_addr == (void *)hole);
    CHECK_EQ(trapno, 14);
    CHECK_EQ(cr2, (long long)hole);
    CHECK_EQ(err & 6, 4);                   /* user mode, read */

    /* Write to a read-only page. */
    EXPECT_FAULT(*ro = 1);
    CHECK_EQ(got.si_code, SEGV_ACCERR);
    CHECK(got.si_addr == (void *)ro);
    CHECK_EQ(trapno, 14);
    CHECK_EQ(cr2, (long long)ro);
    CHECK_EQ(err & 6, 6);                   /* user mode, write */
    CHECK_EQ(*ro, 0);                       /* nothing was written */

    /* Read of PROT_NONE. */
    CHECK_OK(mprotect(page + 2 * 4096, 4096, PROT_NONE));
    EXPECT_FAULT((void)*ro);
    CHECK_EQ(got.si_code, SEGV_ACCERR);
    CHECK(got.si_addr == (void *)ro);

    /* Jump into a non-executable page: the fault is at the fetch. */
    page[0] = (char)0xc3;                   /* ret, never executed */
    void (*fn)(void) = (void (*)(void))page;
    EXPECT_FAULT(fn());
    CHECK_EQ(got.si_code, SEGV_ACCERR);
    CHECK(got.si_addr == (void *)page);
    CHECK_EQ(rip, (long long)page);
    CHECK_EQ(err & 0x10, 0x10);             /* instruction fetch */

    /* NULL + offset. */
    volatile int *null_ptr = (volatile int *)((uintptr_t)check_bad_ptr_ - 1);
    EXPECT_FAULT((void)null_ptr[4]);
    CHECK_EQ(got.si_code, SEGV_MAPERR);
    CHECK(got.si_addr == (void *)16);

    /* Non-canonical: #GP, reported as from the kernel without address. */
    volatile char *noncanon = (volatile char *)0x8000000000000000ULL;
    EXPECT_FAULT((void)*noncanon);
    CHECK_EQ(got.si_signo, SIGSEGV);
    CHECK_EQ(got.si_code, SI_KERNEL);
    CHECK(got.si_addr == NULL);
    CHECK_EQ(trapno, 13);

    /* The mask was restored by siglongjmp each time. */
    sigset_t cur;
    CHECK_OK(sigprocmask(SIG_BLOCK, NULL, &cur));
    CHECK(!sigismember(&cur, SIGSEGV));

    /* Uncaught: the child dies of SIGSEGV, without a core. */
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        no_core_dumps();
        signal(SIGSEGV, SIG_DFL);
        (void)*hole;
        _exit(0);
    }
    int st = wait_status(pid);
    CHECK(WIFSIGNALED(st));
    CHECK_EQ(WTERMSIG(st), SIGSEGV);
    CHECK(!WCOREDUMP(st));
    munmap(page, 3 * 4096);
    return 0;
}
