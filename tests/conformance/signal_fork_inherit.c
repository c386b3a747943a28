/* Signals across fork: the child starts with no pending signals (neither
 * process-wide, nor thread-directed, nor queued real-time ones), keeps the
 * mask, the handlers with their flags and sa_mask, and ignored
 * dispositions; the parent's pending signals are untouched. */
#include "check.h"

static volatile int hits, inside_usr2;
static void handler(int sig)
{
    (void)sig;
    sigset_t cur;
    sigprocmask(SIG_BLOCK, NULL, &cur);
    inside_usr2 = sigismember(&cur, SIGUSR2);
    hits++;
}

int main(void)
{
    struct sigaction sa, got;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sa.sa_flags = SA_RESTART;
    sigaddset(&sa.sa_mask, SIGUSR2);
    CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
    CHECK_OK(sigaction(SIGRTMIN, &sa, NULL));
    signal(SIGHUP, SIG_IGN);

    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigaddset(&block, SIGRTMIN);
    sigaddset(&block, SIGTERM);
    CHECK_OK(sigprocmask(SIG_BLOCK, &block, NULL));
    CHECK_OK(kill(getpid(), SIGUSR1));                          /* process */
    CHECK_EQ(syscall(SYS_tgkill, getpid(), gettid(), SIGTERM), 0); /* thread */
    union sigval v = { .sival_int = 3 };
    CHECK_OK(sigqueue(getpid(), SIGRTMIN, v));                  /* queued */
    CHECK_OK(sigqueue(getpid(), SIGRTMIN, v));

    int p[2];
    CHECK_OK(pipe(p));
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        sigset_t pend, cur;
        close(p[1]);
        sigpending(&pend);
        if (!sigisemptyset(&pend)) _exit(1);
        sigprocmask(SIG_BLOCK, NULL, &cur);
        if (!sigismember(&cur, SIGUSR1) || !sigismember(&cur, SIGTERM)) _exit(2);
        struct sigaction c;
        sigaction(SIGUSR1, NULL, &c);
        if (c.sa_handler != handler || !(c.sa_flags & SA_RESTART)) _exit(3);
        if (!sigismember(&c.sa_mask, SIGUSR2)) _exit(4);
        sigaction(SIGHUP, NULL, &c);
        if (c.sa_handler != SIG_IGN) _exit(5);
        /* The inherited handler runs here, with its sa_mask. */
        sigprocmask(SIG_UNBLOCK, &block, NULL);
        if (hits != 0) _exit(6);                /* nothing was pending */
        raise(SIGUSR1);
        if (hits != 1 || !inside_usr2) _exit(7);
        /* SIGHUP stays ignored. */
        raise(SIGHUP);
        /* SA_RESTART is inherited: a read interrupted by the handler
         * (signal from the parent) continues. */
        char ch;
        if (read(p[0], &ch, 1) != 1 || ch != 'z') _exit(8);
        if (hits != 2) _exit(9);
        _exit(0);
    }
    close(p[0]);
    /* Let the child block in read, signal it, then feed it. */
    sleep_ms(50);
    CHECK_OK(kill(pid, SIGUSR1));
    sleep_ms(50);
    CHECK_EQ(write(p[1], "z", 1), 1);
    CHECK_CHILD_EXIT(pid, 0);
    close(p[1]);

    /* Our own pending signals are all still there. */
    sigset_t pend;
    CHECK_OK(sigpending(&pend));
    CHECK(sigismember(&pend, SIGUSR1));
    CHECK(sigismember(&pend, SIGTERM));
    CHECK(sigismember(&pend, SIGRTMIN));
    struct timespec zero = { 0, 0 };
    siginfo_t si;
    CHECK_EQ(sigtimedwait(&block, &si, &zero), SIGTERM);
    CHECK_EQ(sigtimedwait(&block, &si, &zero), SIGUSR1);
    CHECK_EQ(sigtimedwait(&block, &si, &zero), SIGRTMIN);
    CHECK_EQ(sigtimedwait(&block, &si, &zero), SIGRTMIN);
    CHECK_ERR(sigtimedwait(&block, &si, &zero), EAGAIN);
    CHECK_OK(sigaction(SIGUSR1, NULL, &got));
    CHECK(got.sa_handler == handler);
    CHECK_EQ(hits, 0);
    return 0;
}
