/* A synchronous fault cannot be blocked or ignored: with SIGSEGV blocked,
 * ignored, or already being handled (a fault inside its own handler), the
 * process dies of SIGSEGV and the handler does not run (again); the same
 * for SIGFPE.  A SIGSEGV sent with kill() is an ordinary signal: blocked,
 * it just stays pending. */
#include "check.h"

static volatile int zero;
static volatile char *bad;

static void note_and_fault(int sig)
{
    (void)sig;
    (void)!write(5, "h", 1);
    (void)*bad;                 /* fault again, SIGSEGV blocked now */
    (void)!write(5, "x", 1);
}

static void note(int sig)
{
    (void)sig;
    (void)!write(5, "n", 1);
}

enum { BLOCKED, IGNORED, NESTED, FPE_BLOCKED, FPE_IGNORED };

static pid_t run(int mode, int *rfd)
{
    pid_t pid = fork_reporting(rfd);
    if (pid == 0) {
        no_core_dumps();
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = mode == NESTED ? note_and_fault : note;
        int sig = mode >= FPE_BLOCKED ? SIGFPE : SIGSEGV;
        sigaction(sig, &sa, NULL);
        if (mode == IGNORED || mode == FPE_IGNORED)
            signal(sig, SIG_IGN);
        if (mode == BLOCKED || mode == FPE_BLOCKED) {
            sigset_t s;
            sigemptyset(&s);
            sigaddset(&s, sig);
            sigprocmask(SIG_BLOCK, &s, NULL);
        }
        if (sig == SIGFPE)
            zero = 10 / zero;
        else
            (void)*bad;
        (void)!write(5, "survived", 8);
        _exit(0);
    }
    return pid;
}

int main(void)
{
    bad = (volatile char *)16;
    int rfd;
    char buf[16];

    pid_t pid = run(BLOCKED, &rfd);
    CHECK_CHILD_SIGNALED(pid, SIGSEGV);
    CHECK_EQ(read(rfd, buf, sizeof buf), 0);
    close(rfd);

    pid = run(IGNORED, &rfd);
    CHECK_CHILD_SIGNALED(pid, SIGSEGV);
    CHECK_EQ(read(rfd, buf, sizeof buf), 0);
    close(rfd);

    pid = run(NESTED, &rfd);
    CHECK_CHILD_SIGNALED(pid, SIGSEGV);
    CHECK_EQ(read(rfd, buf, sizeof buf), 1);        /* one 'h', no 'x' */
    CHECK_EQ(buf[0], 'h');
    close(rfd);

    pid = run(FPE_BLOCKED, &rfd);
    CHECK_CHILD_SIGNALED(pid, SIGFPE);
    CHECK_EQ(read(rfd, buf, sizeof buf), 0);
    close(rfd);

    pid = run(FPE_IGNORED, &rfd);
    CHECK_CHILD_SIGNALED(pid, SIGFPE);
    CHECK_EQ(read(rfd, buf, sizeof buf), 0);
    close(rfd);

    /* kill(SIGSEGV) while blocked: merely pending, delivered on unblock
     * to the handler. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = note;
    CHECK_OK(dup2(CHECK_OK(open("/dev/null", O_WRONLY)), 5));
    CHECK_OK(sigaction(SIGSEGV, &sa, NULL));
    sigset_t s, pend;
    sigemptyset(&s);
    sigaddset(&s, SIGSEGV);
    CHECK_OK(sigprocmask(SIG_BLOCK, &s, NULL));
    CHECK_OK(kill(getpid(), SIGSEGV));
    CHECK_OK(sigpending(&pend));
    CHECK(sigismember(&pend, SIGSEGV));
    CHECK_OK(sigprocmask(SIG_UNBLOCK, &s, NULL));
    CHECK_OK(sigpending(&pend));
    CHECK(!sigismember(&pend, SIGSEGV));
    return 0;
}
