/* Signal state when a non-main thread calls execve: the new program gets
 * that thread's mask, its own pending thread-directed signals, the
 * process's pending signals and queued real-time signals with their
 * values; caught signals revert to SIG_DFL (with their sa_mask/flags
 * cleared), ignored ones stay ignored, the alternate stack is gone. */
#include "check.h"
#include <pthread.h>

static void handler(int sig) { (void)sig; }
static const char *self;

static int after_exec(void)
{
    struct sigaction sa;
    sigset_t mask, pend;
    sigaction(SIGUSR1, NULL, &sa);
    if (sa.sa_handler != SIG_DFL) return 10;
    sigaction(SIGRTMIN, NULL, &sa);
    if (sa.sa_handler != SIG_DFL || !sigisemptyset(&sa.sa_mask)) return 11;
    sigaction(SIGHUP, NULL, &sa);
    if (sa.sa_handler != SIG_IGN) return 12;
    /* The exec'ing thread's mask, not the main thread's. */
    sigprocmask(SIG_BLOCK, NULL, &mask);
    if (!sigismember(&mask, SIGUSR1) || !sigismember(&mask, SIGUSR2) ||
        !sigismember(&mask, SIGRTMIN) || sigismember(&mask, SIGWINCH))
        return 13;
    sigpending(&pend);
    if (!sigismember(&pend, SIGUSR1) || !sigismember(&pend, SIGUSR2) ||
        !sigismember(&pend, SIGRTMIN))
        return 14;
    stack_t ss;
    sigaltstack(NULL, &ss);
    if (!(ss.ss_flags & SS_DISABLE)) return 15;
    /* Dequeue: the thread-directed SIGUSR1 (sent with tgkill) first, then
     * the process's SIGUSR2, then the two queued values in order. */
    struct timespec zero = { 0, 0 };
    siginfo_t si;
    memset(&si, 0, sizeof si);
    if (syscall(SYS_rt_sigtimedwait, &mask, &si, &zero, 8) != SIGUSR1) return 16;
    if (si.si_code != SI_TKILL) return 17;
    if (sigtimedwait(&mask, &si, &zero) != SIGUSR2 || si.si_code != SI_USER) return 18;
    if (sigtimedwait(&mask, &si, &zero) != SIGRTMIN || si.si_value.sival_int != 41) return 19;
    if (sigtimedwait(&mask, &si, &zero) != SIGRTMIN || si.si_value.sival_int != 42) return 20;
    if (sigtimedwait(&mask, &si, &zero) != -1 || errno != EAGAIN) return 21;
    return 42;
}

static void *execer(void *arg)
{
    (void)arg;
    static char alt[65536];
    stack_t ss = { .ss_sp = alt, .ss_size = sizeof alt, .ss_flags = 0 };
    sigaltstack(&ss, NULL);
    sigset_t m;
    sigemptyset(&m);
    sigaddset(&m, SIGUSR1);
    sigaddset(&m, SIGUSR2);
    sigaddset(&m, SIGRTMIN);
    pthread_sigmask(SIG_SETMASK, &m, NULL);
    syscall(SYS_tgkill, getpid(), gettid(), SIGUSR1);
    char *args[] = { (char *)self, "after", NULL };
    execv(self, args);
    _exit(99);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        return after_exec();
    self = self_path(argv);

    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = handler;
        sa.sa_flags = SA_RESTART;
        sigaddset(&sa.sa_mask, SIGTERM);
        sigaction(SIGUSR1, &sa, NULL);
        sigaction(SIGUSR2, &sa, NULL);
        sigaction(SIGRTMIN, &sa, NULL);
        signal(SIGHUP, SIG_IGN);
        /* All blocked in the main thread (plus SIGWINCH, which the
         * exec'ing thread does not block). */
        sigset_t m;
        sigemptyset(&m);
        sigaddset(&m, SIGUSR1);
        sigaddset(&m, SIGUSR2);
        sigaddset(&m, SIGRTMIN);
        sigaddset(&m, SIGWINCH);
        sigprocmask(SIG_SETMASK, &m, NULL);
        kill(getpid(), SIGUSR2);
        union sigval v = { .sival_int = 41 };
        sigqueue(getpid(), SIGRTMIN, v);
        v.sival_int = 42;
        sigqueue(getpid(), SIGRTMIN, v);
        pthread_t th;
        pthread_create(&th, NULL, execer, NULL);
        for (;;)
            pause();
    }
    CHECK_CHILD_EXIT(pid, 42);
    return 0;
}
