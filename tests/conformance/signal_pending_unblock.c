/* Blocked signals stay pending and are delivered on unblock; standard
 * signals do not queue, real-time signals do, in ascending order after the
 * standard ones; fork clears the child's pending set. */
#include "check.h"

static volatile int log_[16], nlog;

static void record(int sig)
{
    if (nlog < 16)
        log_[nlog++] = sig;
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = record;
    /* Block all test signals inside each handler so that handlers run one
     * after the other instead of nesting. */
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGUSR1);
    sigaddset(&sa.sa_mask, SIGUSR2);
    sigaddset(&sa.sa_mask, SIGRTMIN);
    sigaddset(&sa.sa_mask, SIGRTMIN + 1);
    CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
    CHECK_OK(sigaction(SIGUSR2, &sa, NULL));
    CHECK_OK(sigaction(SIGRTMIN, &sa, NULL));
    CHECK_OK(sigaction(SIGRTMIN + 1, &sa, NULL));

    sigset_t block, pend;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    CHECK_OK(sigprocmask(SIG_BLOCK, &block, NULL));

    /* While blocked: nothing is delivered, the signal is pending. */
    CHECK_OK(kill(getpid(), SIGUSR1));
    CHECK_EQ(nlog, 0);
    CHECK_OK(sigpending(&pend));
    CHECK(sigismember(&pend, SIGUSR1));
    CHECK(!sigismember(&pend, SIGUSR2));
    /* Standard signals do not queue: a second one is merged.  (Not via
     * raise(): thread-directed signals have their own pending set.) */
    CHECK_OK(kill(getpid(), SIGUSR1));

    /* A fork child does not inherit pending signals. */
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        sigset_t p;
        sigpending(&p);
        _exit(sigismember(&p, SIGUSR1) ? 1 : 0);
    }
    CHECK_CHILD_EXIT(pid, 0);

    /* Unblocking delivers it once, before sigprocmask returns. */
    CHECK_OK(sigprocmask(SIG_UNBLOCK, &block, NULL));
    CHECK_EQ(nlog, 1);
    CHECK_EQ(log_[0], SIGUSR1);
    CHECK_OK(sigpending(&pend));
    CHECK(!sigismember(&pend, SIGUSR1));

    /* Real-time signals queue: three sends, three deliveries. */
    nlog = 0;
    sigemptyset(&block);
    sigaddset(&block, SIGRTMIN);
    CHECK_OK(sigprocmask(SIG_BLOCK, &block, NULL));
    for (int i = 0; i < 3; i++)
        CHECK_OK(kill(getpid(), SIGRTMIN));
    CHECK_EQ(nlog, 0);
    CHECK_OK(sigprocmask(SIG_UNBLOCK, &block, NULL));
    CHECK_EQ(nlog, 3);
    for (int i = 0; i < 3; i++)
        CHECK_EQ(log_[i], SIGRTMIN);

    /* Order: standard signals first, then real-time signals lowest number
     * first (signal(7)). */
    nlog = 0;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigaddset(&block, SIGRTMIN);
    sigaddset(&block, SIGRTMIN + 1);
    CHECK_OK(sigprocmask(SIG_BLOCK, &block, NULL));
    CHECK_OK(kill(getpid(), SIGRTMIN + 1));
    CHECK_OK(kill(getpid(), SIGRTMIN));
    CHECK_OK(kill(getpid(), SIGRTMIN + 1));
    CHECK_OK(kill(getpid(), SIGUSR1));
    CHECK_OK(sigprocmask(SIG_UNBLOCK, &block, NULL));
    CHECK_EQ(nlog, 4);
    CHECK_EQ(log_[0], SIGUSR1);
    CHECK_EQ(log_[1], SIGRTMIN);
    CHECK_EQ(log_[2], SIGRTMIN + 1);
    CHECK_EQ(log_[3], SIGRTMIN + 1);

    /* Unblocking through SIG_SETMASK works the same way. */
    nlog = 0;
    sigset_t none;
    sigemptyset(&none);
    sigemptyset(&block);
    sigaddset(&block, SIGUSR2);
    CHECK_OK(sigprocmask(SIG_SETMASK, &block, NULL));
    CHECK_OK(kill(getpid(), SIGUSR2));
    CHECK_EQ(nlog, 0);
    CHECK_OK(sigprocmask(SIG_SETMASK, &none, NULL));
    CHECK_EQ(nlog, 1);
    CHECK_EQ(log_[0], SIGUSR2);
    return 0;
}
