/* rt_sigpending: the union of the thread's own and the process's pending
 * signals (blocked ones only); sigsetsize larger than the kernel's is
 * EINVAL, smaller copies only that much; blocked signals are pending even
 * when ignored (and dropped on unblock), and setting a disposition that
 * ignores (SIG_IGN, or SIG_DFL for a default-ignore signal) discards them. */
#include "check.h"
#include <pthread.h>

static volatile int hits;
static void handler(int sig) { (void)sig; hits++; }

static int pending(int sig)
{
    sigset_t p;
    CHECK_OK(sigpending(&p));
    return sigismember(&p, sig);
}

static int other_sees;
static void *look(void *arg)
{
    other_sees = pending((int)(long)arg);
    return NULL;
}

static int seen_by_other_thread(int sig)
{
    pthread_t th;
    CHECK_RET(pthread_create(&th, NULL, look, (void *)(long)sig), 0);
    CHECK_RET(pthread_join(th, NULL), 0);
    return other_sees;
}

int main(void)
{
    sigset_t all;
    sigemptyset(&all);
    sigaddset(&all, SIGUSR1);
    sigaddset(&all, SIGUSR2);
    sigaddset(&all, SIGWINCH);
    sigaddset(&all, SIGURG);
    sigaddset(&all, SIGHUP);
    CHECK_OK(sigprocmask(SIG_BLOCK, &all, NULL));
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
    CHECK_OK(sigaction(SIGUSR2, &sa, NULL));
    CHECK_OK(sigaction(SIGWINCH, &sa, NULL));

    /* Nothing yet; the raw call's size rules. */
    uint64_t raw = 0;
    CHECK_EQ(syscall(SYS_rt_sigpending, &raw, 8), 0);
    CHECK_EQ(raw, 0);
    CHECK_ERR(syscall(SYS_rt_sigpending, &raw, 16), EINVAL);
    CHECK_ERR(syscall(SYS_rt_sigpending, BAD_PTR, 8), EFAULT);

    /* Process-directed: every thread sees it.  Thread-directed: only us. */
    CHECK_OK(kill(getpid(), SIGUSR1));
    CHECK_EQ(syscall(SYS_tgkill, getpid(), gettid(), SIGUSR2), 0);
    CHECK(pending(SIGUSR1));
    CHECK(pending(SIGUSR2));
    CHECK(seen_by_other_thread(SIGUSR1));
    CHECK(!seen_by_other_thread(SIGUSR2));
    raw = 0;
    CHECK_EQ(syscall(SYS_rt_sigpending, &raw, 8), 0);
    CHECK_EQ(raw, (1ULL << (SIGUSR1 - 1)) | (1ULL << (SIGUSR2 - 1)));
    /* A smaller size copies just that many bytes. */
    memset(&raw, 0xff, sizeof raw);
    CHECK_EQ(syscall(SYS_rt_sigpending, &raw, 4), 0);
    CHECK_EQ(raw, 0xffffffff00000000ULL | (1ULL << (SIGUSR1 - 1)) | (1ULL << (SIGUSR2 - 1)));

    /* Delivered on unblock, then gone. */
    CHECK_OK(sigprocmask(SIG_UNBLOCK, &all, NULL));
    CHECK_EQ(hits, 2);
    CHECK(!pending(SIGUSR1));
    CHECK(!pending(SIGUSR2));
    CHECK_OK(sigprocmask(SIG_BLOCK, &all, NULL));

    /* Blocked and ignored: still pending; dropped when unblocked. */
    signal(SIGHUP, SIG_IGN);
    CHECK_OK(kill(getpid(), SIGHUP));
    CHECK(pending(SIGHUP));
    /* Default-ignore signals too. */
    CHECK_OK(kill(getpid(), SIGURG));
    CHECK(pending(SIGURG));
    sigset_t hup;
    sigemptyset(&hup);
    sigaddset(&hup, SIGHUP);
    sigaddset(&hup, SIGURG);
    CHECK_OK(sigprocmask(SIG_UNBLOCK, &hup, NULL));
    CHECK(!pending(SIGHUP));
    CHECK(!pending(SIGURG));
    CHECK_EQ(hits, 2);
    CHECK_OK(sigprocmask(SIG_BLOCK, &hup, NULL));

    /* Setting an ignoring disposition discards what is pending: SIG_DFL
     * of SIGWINCH (default: ignore)... */
    CHECK_OK(kill(getpid(), SIGWINCH));
    CHECK(pending(SIGWINCH));
    signal(SIGWINCH, SIG_DFL);
    CHECK(!pending(SIGWINCH));
    /* ...but SIG_DFL of SIGUSR1 (default: terminate) does not. */
    CHECK_OK(kill(getpid(), SIGUSR1));
    signal(SIGUSR1, SIG_DFL);
    CHECK(pending(SIGUSR1));
    signal(SIGUSR1, SIG_IGN);
    CHECK(!pending(SIGUSR1));
    /* Thread-directed pending signals are discarded as well. */
    CHECK_EQ(syscall(SYS_tgkill, getpid(), gettid(), SIGUSR2), 0);
    CHECK(pending(SIGUSR2));
    signal(SIGUSR2, SIG_IGN);
    CHECK(!pending(SIGUSR2));
    CHECK_EQ(hits, 2);
    return 0;
}
