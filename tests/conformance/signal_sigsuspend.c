/* sigsuspend: atomically installs a mask and waits; a signal pending before
 * the call is taken at once (no lost wake-up); signals blocked by the
 * temporary mask, ignored ones and ones whose default is to ignore do not
 * end it; the handler runs with the temporary mask plus sa_mask plus the
 * signal; the old mask is back afterwards; it always fails with EINTR. */
#include "check.h"
#include <pthread.h>

static volatile int hits, last_sig, inside_usr2, inside_hup, inside_usr1;

static void handler(int sig)
{
    sigset_t cur;
    sigprocmask(SIG_BLOCK, NULL, &cur);
    inside_usr1 = sigismember(&cur, SIGUSR1);
    inside_usr2 = sigismember(&cur, SIGUSR2);
    inside_hup = sigismember(&cur, SIGHUP);
    last_sig = sig;
    hits++;
}

static pid_t main_tid;

static void *sender(void *arg)
{
    (void)arg;
    /* Things that must not end the wait, then the one that does. */
    sleep_ms(30);
    syscall(SYS_tgkill, getpid(), main_tid, SIGUSR2);      /* blocked */
    syscall(SYS_tgkill, getpid(), main_tid, SIGPIPE);      /* ignored */
    syscall(SYS_tgkill, getpid(), main_tid, SIGWINCH);     /* default: ignore */
    sleep_ms(30);
    syscall(SYS_tgkill, getpid(), main_tid, SIGUSR1);
    return NULL;
}

int main(void)
{
    main_tid = gettid();
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sigaddset(&sa.sa_mask, SIGHUP);
    CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
    CHECK_OK(sigaction(SIGUSR2, &sa, NULL));
    signal(SIGPIPE, SIG_IGN);
    signal(SIGWINCH, SIG_DFL);

    sigset_t block, empty, only_usr2, cur;
    sigemptyset(&empty);
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigaddset(&block, SIGUSR2);
    CHECK_OK(sigprocmask(SIG_SETMASK, &block, NULL));

    /* Already pending: delivered by the call, which returns EINTR. */
    CHECK_OK(kill(getpid(), SIGUSR1));
    CHECK_EQ(hits, 0);
    CHECK_ERR(sigsuspend(&empty), EINTR);
    CHECK_EQ(hits, 1);
    CHECK_EQ(last_sig, SIGUSR1);
    CHECK_OK(sigprocmask(SIG_BLOCK, NULL, &cur));
    CHECK(sigismember(&cur, SIGUSR1));          /* old mask back */
    CHECK(sigismember(&cur, SIGUSR2));

    /* Waiting: only SIGUSR1 ends it; the handler's mask is the temporary
     * one (SIGUSR2) + sa_mask (SIGHUP) + SIGUSR1. */
    sigemptyset(&only_usr2);
    sigaddset(&only_usr2, SIGUSR2);
    pthread_t th;
    CHECK_RET(pthread_create(&th, NULL, sender, NULL), 0);
    long long t0 = now_ns();
    CHECK_ERR(sigsuspend(&only_usr2), EINTR);
    CHECK(now_ns() - t0 >= 55 * 1000000LL);
    CHECK_RET(pthread_join(th, NULL), 0);
    CHECK_EQ(hits, 2);
    CHECK_EQ(last_sig, SIGUSR1);
    CHECK(inside_usr1);
    CHECK(inside_usr2);
    CHECK(inside_hup);
    /* SIGUSR2 waited, blocked all along; it goes on unblock. */
    sigset_t pend;
    CHECK_OK(sigpending(&pend));
    CHECK(sigismember(&pend, SIGUSR2));
    CHECK(!sigismember(&pend, SIGWINCH));
    CHECK(!sigismember(&pend, SIGPIPE));
    CHECK_OK(sigprocmask(SIG_SETMASK, &empty, NULL));
    CHECK_EQ(hits, 3);
    CHECK_EQ(last_sig, SIGUSR2);

    /* The raw call checks the set size. */
    CHECK_ERR(syscall(SYS_rt_sigsuspend, &empty, 4), EINVAL);
    CHECK_ERR(syscall(SYS_rt_sigsuspend, BAD_PTR, 8), EFAULT);
    return 0;
}
