/* Standard signals do not queue: repeated sends while blocked give one
 * delivery, and the first sender's siginfo is the one kept (later
 * sigqueue values are dropped though sigqueue succeeds).  Thread-directed
 * and process-directed instances are pending separately (two deliveries,
 * the thread's first).  Pending standard signals are delivered
 * synchronous ones (SIGILL, SIGFPE, ...) first, then lowest number first. */
#include "check.h"

static volatile int log_sig[32], log_code[32], log_val[32], nlog;

static void record(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    if (nlog < 32) {
        log_sig[nlog] = sig;
        log_code[nlog] = si->si_code;
        log_val[nlog] = si->si_value.sival_int;
        nlog++;
    }
}

int main(void)
{
    static const int sigs[] = { SIGHUP, SIGILL, SIGUSR1, SIGUSR2, SIGTERM, SIGFPE, SIGWINCH };
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = record;
    sa.sa_flags = SA_SIGINFO;
    sigset_t all;
    sigemptyset(&all);
    for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaddset(&all, sigs[i]);
    sa.sa_mask = all;                           /* no nesting */
    for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        CHECK_OK(sigaction(sigs[i], &sa, NULL));
    CHECK_OK(sigprocmask(SIG_BLOCK, &all, NULL));

    /* Five kills, one delivery. */
    for (int i = 0; i < 5; i++)
        CHECK_OK(kill(getpid(), SIGUSR1));
    CHECK_OK(sigprocmask(SIG_UNBLOCK, &all, NULL));
    CHECK_EQ(nlog, 1);
    CHECK_EQ(log_sig[0], SIGUSR1);
    CHECK_OK(sigprocmask(SIG_BLOCK, &all, NULL));

    /* Two sigqueues: both succeed, the first value is delivered. */
    nlog = 0;
    union sigval v = { .sival_int = 1 };
    CHECK_OK(sigqueue(getpid(), SIGUSR2, v));
    v.sival_int = 2;
    CHECK_OK(sigqueue(getpid(), SIGUSR2, v));
    CHECK_OK(kill(getpid(), SIGUSR2));
    CHECK_OK(sigprocmask(SIG_UNBLOCK, &all, NULL));
    CHECK_EQ(nlog, 1);
    CHECK_EQ(log_code[0], SI_QUEUE);
    CHECK_EQ(log_val[0], 1);
    CHECK_OK(sigprocmask(SIG_BLOCK, &all, NULL));

    /* Thread-directed and process-directed: two deliveries; repeated
     * tgkills merge among themselves. */
    nlog = 0;
    CHECK_OK(kill(getpid(), SIGTERM));
    CHECK_EQ(syscall(SYS_tgkill, getpid(), gettid(), SIGTERM), 0);
    CHECK_EQ(syscall(SYS_tgkill, getpid(), gettid(), SIGTERM), 0);
    CHECK_OK(sigprocmask(SIG_UNBLOCK, &all, NULL));
    CHECK_EQ(nlog, 2);
    CHECK_EQ(log_sig[0], SIGTERM);
    CHECK_EQ(log_code[0], SI_TKILL);
    CHECK_EQ(log_sig[1], SIGTERM);
    CHECK_EQ(log_code[1], SI_USER);
    CHECK_OK(sigprocmask(SIG_BLOCK, &all, NULL));

    /* Order: synchronous signals first, then by number. */
    nlog = 0;
    CHECK_OK(kill(getpid(), SIGWINCH));
    CHECK_OK(kill(getpid(), SIGTERM));
    CHECK_OK(kill(getpid(), SIGHUP));
    CHECK_OK(kill(getpid(), SIGFPE));
    CHECK_OK(kill(getpid(), SIGUSR2));
    CHECK_OK(kill(getpid(), SIGILL));
    CHECK_OK(sigprocmask(SIG_UNBLOCK, &all, NULL));
    CHECK_EQ(nlog, 6);
    CHECK_EQ(log_sig[0], SIGILL);
    CHECK_EQ(log_sig[1], SIGFPE);
    CHECK_EQ(log_sig[2], SIGHUP);
    CHECK_EQ(log_sig[3], SIGUSR2);
    CHECK_EQ(log_sig[4], SIGTERM);
    CHECK_EQ(log_sig[5], SIGWINCH);
    for (int i = 0; i < 6; i++)
        CHECK_EQ(log_code[i], SI_USER);
    return 0;
}
